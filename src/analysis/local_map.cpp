// Forward propagation of value and Jacobian through one activation region.
#include "nninv/analysis/local_map.hpp"

#include <variant>

namespace nninv::analysis {

using arith::Matrix;
using arith::Rational;

LocalMap local_map(const net::Network& net, const arith::Vector& x0, TieRule ties,
                   const std::vector<bool>& active_ties) {
  std::size_t tie_index = 0;
  LocalMap map;
  map.input = x0;
  arith::Vector value = x0;
  Matrix jac = Matrix::identity(net.input_dim);
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    const net::Layer& layer = net.layers[k];
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      value = net::apply_layer(layer, value);
      jac = d->weights * jac;
      continue;
    }
    const auto* leaky = std::get_if<net::LeakyRelu>(&layer);
    if (!leaky && !std::holds_alternative<net::Relu>(layer)) continue;  // identity
    Rational slope_below = leaky ? leaky->alpha : Rational(0);
    for (std::size_t i = 0; i < value.size(); ++i) {
      map.neurons.push_back(NeuronAtPoint{k, i, value[i], jac.row(i)});
      if (value[i] > 0) continue;
      Rational factor = slope_below;
      if (value[i] == 0 && ties == TieRule::chosen) {
        bool active = tie_index < active_ties.size() && active_ties[tie_index];
        ++tie_index;
        if (active) continue;
      } else if (value[i] == 0) {
        factor = 0;
      }
      value[i] *= factor;
      for (std::size_t j = 0; j < jac.cols(); ++j) jac(i, j) *= factor;
    }
  }
  map.output = std::move(value);
  map.jacobian = std::move(jac);
  return map;
}

std::optional<Rational> pattern_step_limit(const LocalMap& map, const arith::Vector& v) {
  std::optional<Rational> limit;
  for (const NeuronAtPoint& n : map.neurons) {
    if (n.value == 0) continue;
    Rational rate = arith::dot(n.gradient, v);
    if (rate == 0 || (rate > 0) == (n.value > 0)) continue;  // moving away from 0
    Rational t = -n.value / rate;
    if (!limit || t < *limit) limit = t;
  }
  return limit;
}

}  // namespace nninv::analysis
