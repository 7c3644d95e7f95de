// nninv-check's interval bounds and the affine map they fix (intervals.hpp).
#include "intervals.hpp"

#include <variant>

namespace nninv::check::detail {

using arith::Matrix;
using arith::Rational;

std::optional<Matrix> affine_matrix_on_domain(const net::Network& net) {
  std::vector<std::vector<net::Interval>> bounds = cert::layer_intervals(net);
  Matrix a = Matrix::identity(net.input_dim);
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      a = d->weights * a;
    } else if (std::optional<Rational> alpha = net::negative_slope(net.layers[k])) {
      for (std::size_t i = 0; i < a.rows(); ++i) {
        const net::Interval& in = bounds[k][i];
        Rational slope;
        if (in.lower && *in.lower >= 0) slope = 1;
        else if (in.upper && *in.upper <= 0) slope = *alpha;
        else return std::nullopt;  // a kink inside X: not affine by these bounds
        for (std::size_t j = 0; j < a.cols(); ++j) a(i, j) *= slope;
      }
    }
  }
  return a;
}

}  // namespace nninv::check::detail
