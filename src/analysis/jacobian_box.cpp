// Vertex determinants of the Jacobian box (jacobian_box.hpp).
#include "nninv/analysis/jacobian_box.hpp"

#include "nninv/analysis/bounds.hpp"

namespace nninv::analysis {

using arith::Matrix;
using arith::Rational;

JacobianBox jacobian_box(const net::Network& net, std::size_t max_unstable) {
  JacobianBox box;
  std::vector<std::size_t> free = net.domain.free_coordinates();
  if (free.empty() || net.output_dim() != free.size()) {
    box.why_not = "not square: dim f = " + std::to_string(net.output_dim()) + ", " + std::to_string(free.size()) +
                  " free input coordinates";
    return box;
  }
  // Per activation layer and neuron: the two ends of its slope interval
  // (equal when interval bounds fix its phase on X).
  std::vector<std::vector<net::Interval>> bounds = interval_bounds(net);
  struct Slope {
    std::size_t layer, neuron;
    Rational low, high;
  };
  std::vector<Slope> varying;
  std::vector<std::vector<Rational>> fixed(net.layers.size());
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    const net::Layer& layer = net.layers[k];
    if (!net::is_activation(layer)) continue;
    const auto* leaky = std::get_if<net::LeakyRelu>(&layer);
    Rational off = leaky ? leaky->alpha : Rational(0);
    fixed[k].assign(bounds[k].size(), 0);
    for (std::size_t i = 0; i < bounds[k].size(); ++i) {
      Phase phase = phase_of(bounds[k][i]);
      if (phase == Phase::active)
        fixed[k][i] = 1;
      else if (phase == Phase::inactive)
        fixed[k][i] = off;
      else
        varying.push_back({k, i, std::min(off, Rational(1)), std::max(off, Rational(1))});
    }
  }
  box.unstable = varying.size();
  if (varying.size() > max_unstable) {
    box.why_not = std::to_string(varying.size()) + " neurons change phase on X (more than " +
                  std::to_string(max_unstable) + ")";
    return box;
  }
  box.applicable = true;
  const std::size_t vertices = std::size_t{1} << varying.size();
  for (std::size_t v = 0; v < vertices; ++v) {
    std::vector<std::vector<Rational>> slopes = fixed;
    for (std::size_t t = 0; t < varying.size(); ++t)
      slopes[varying[t].layer][varying[t].neuron] = (v >> t & 1) ? varying[t].high : varying[t].low;
    // M = product of the layers' linear parts, applied to the identity on the free inputs.
    Matrix m(net.input_dim, free.size());
    for (std::size_t j = 0; j < free.size(); ++j) m(free[j], j) = 1;
    for (std::size_t k = 0; k < net.layers.size(); ++k) {
      const net::Layer& layer = net.layers[k];
      if (const auto* d = std::get_if<net::Dense>(&layer)) {
        m = d->weights * m;
      } else if (net::is_activation(layer)) {
        for (std::size_t r = 0; r < m.rows(); ++r)
          if (slopes[k][r] != 1)
            for (std::size_t c = 0; c < m.cols(); ++c) m(r, c) *= slopes[k][r];
      }
    }
    Rational det = arith::determinant(m);
    int s = det > 0 ? 1 : det < 0 ? -1 : 0;
    if (v == 0) box.sign = s;
    if (s == 0 || s != box.sign) {
      box.sign = 0;
      box.vertex = v;
      return box;
    }
  }
  return box;
}

}  // namespace nninv::analysis
