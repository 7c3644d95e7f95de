// Exact evaluation of a network, layer by layer, in GMP rationals.
#include "nninv/net/network.hpp"

#include <cassert>

namespace nninv::net {

namespace {
template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;
}  // namespace

std::string layer_type_name(const Layer& layer) {
  return std::visit(overloaded{[](const Dense&) { return "dense"; }, [](const Relu&) { return "relu"; },
                               [](const LeakyRelu&) { return "leaky_relu"; },
                               [](const Identity&) { return "identity"; }},
                    layer);
}

bool is_activation(const Layer& layer) { return !std::holds_alternative<Dense>(layer); }

std::optional<Rational> negative_slope(const Layer& layer) {
  if (std::holds_alternative<Relu>(layer)) return Rational(0);
  if (const auto* l = std::get_if<LeakyRelu>(&layer)) return l->alpha;
  return std::nullopt;
}

bool Box::contains(const Vector& x) const {
  if (x.size() != sides.size()) return false;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!sides[i].contains(x[i])) return false;
  return true;
}

bool Box::is_everything() const {
  for (const Interval& s : sides)
    if (s.lower || s.upper) return false;
  return true;
}

bool Box::is_bounded() const {
  for (const Interval& s : sides)
    if (!s.lower || !s.upper) return false;
  return true;
}

std::vector<std::size_t> Box::free_coordinates() const {
  std::vector<std::size_t> free;
  for (std::size_t i = 0; i < sides.size(); ++i)
    if (!sides[i].is_point()) free.push_back(i);
  return free;
}

std::size_t Network::width_after(std::size_t k) const {
  std::size_t width = input_dim;
  for (std::size_t i = 0; i < k && i < layers.size(); ++i)
    if (const auto* d = std::get_if<Dense>(&layers[i])) width = d->weights.rows();
  return width;
}

std::size_t Network::output_dim() const { return width_after(layers.size()); }

std::size_t Network::nonlinear_neuron_count() const {
  std::size_t count = 0;
  for (std::size_t k = 0; k < layers.size(); ++k)
    if (std::holds_alternative<Relu>(layers[k]) || std::holds_alternative<LeakyRelu>(layers[k]))
      count += width_after(k);
  return count;
}

Vector apply_layer(const Layer& layer, const Vector& value) {
  return std::visit(overloaded{[&](const Dense& d) {
                                 Vector out = d.weights * value;
                                 for (std::size_t i = 0; i < out.size(); ++i) out[i] += d.bias[i];
                                 return out;
                               },
                               [&](const Relu&) {
                                 Vector out = value;
                                 for (Rational& v : out)
                                   if (v < 0) v = 0;
                                 return out;
                               },
                               [&](const LeakyRelu& l) {
                                 Vector out = value;
                                 for (Rational& v : out)
                                   if (v < 0) v *= l.alpha;
                                 return out;
                               },
                               [&](const Identity&) { return value; }},
                    layer);
}

Vector evaluate(const Network& net, const Vector& x) {
  assert(x.size() == net.input_dim);
  Vector value = x;
  for (const Layer& layer : net.layers) value = apply_layer(layer, value);
  return value;
}

}  // namespace nninv::net
