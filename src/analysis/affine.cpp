// Composition of the layers' linear parts under the phases fixed by interval bounds.
#include "nninv/analysis/affine.hpp"

#include "nninv/analysis/bounds.hpp"

namespace nninv::analysis {

using arith::Matrix;
using arith::Rational;

std::optional<Matrix> affine_matrix_on_domain(const net::Network& net) {
  auto bounds = interval_bounds(net);
  Matrix a = Matrix::identity(net.input_dim);
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    const net::Layer& layer = net.layers[k];
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      a = d->weights * a;
      continue;
    }
    const auto* leaky = std::get_if<net::LeakyRelu>(&layer);
    if (!leaky && !std::holds_alternative<net::Relu>(layer)) continue;
    for (std::size_t i = 0; i < bounds[k].size(); ++i) {
      Phase phase = phase_of(bounds[k][i]);
      if (phase == Phase::unstable) return std::nullopt;
      if (phase == Phase::inactive)
        for (std::size_t j = 0; j < a.cols(); ++j) a(i, j) *= leaky ? leaky->alpha : Rational(0);
    }
  }
  return a;
}

}  // namespace nninv::analysis
