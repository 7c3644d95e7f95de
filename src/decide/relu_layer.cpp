// Networks that start with one ReLU layer, x -> relu(W x + b) (a dense layer
// and then relu): that layer's injectivity on X, decided by the one-copy
// encoding of nninv/smt/relu_layer.hpp. A collision of the first layer is a
// collision of f. When every later layer is injective on all of its inputs
// (full-column-rank dense, leaky_relu, identity, relu whose inputs are >= 0
// on X), f is injective exactly when its first layer is, so the procedure
// is complete; otherwise it only looks for a collision, within a small share
// of the budget (docs/architecture.md, "One ReLU layer").
#include <algorithm>
#include <sstream>

#include "nninv/analysis/bounds.hpp"
#include "nninv/smt/relu_layer.hpp"
#include "procedures.hpp"

namespace nninv::decide {
namespace {

using arith::Matrix;
using arith::Rational;
using arith::Vector;

// Why layers [2, end) are injective on every value that reaches them, or
// nothing when one of them may not be.
std::optional<std::string> tail_injective(const net::Network& net) {
  std::ostringstream why;
  std::vector<std::vector<net::Interval>> bounds;
  for (std::size_t k = 2; k < net.layers.size(); ++k) {
    const net::Layer& layer = net.layers[k];
    why << "; layer " << k << " " << net::layer_type_name(layer);
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      if (arith::rank(d->weights) < d->weights.cols()) return std::nullopt;
      why << " has full column rank";
    } else if (std::holds_alternative<net::Relu>(layer)) {
      if (bounds.empty()) bounds = analysis::interval_bounds(net);
      for (const net::Interval& in : bounds[k])
        if (analysis::phase_of(in) != analysis::Phase::active) return std::nullopt;
      why << " is the identity on its inputs (every input >= 0 by interval bounds)";
    } else if (std::holds_alternative<net::LeakyRelu>(layer)) {
      why << " is a bijection";
    } else {
      why << " is the identity";
    }
  }
  return why.str();
}

class FirstReluLayer : public Procedure {
 public:
  std::string_view name() const override { return "first relu layer (one-copy encoding, Z3)"; }
  Outcome run(const net::Network& net, Property property, const Budget& budget) override {
    auto skip = [&](std::string why) { return Outcome::unknown(property, std::move(why), std::string(name())); };
    if (property != Property::injective) return skip("not applicable");
    if (net.layers.size() < 2 || !std::holds_alternative<net::Dense>(net.layers[0]) ||
        !std::holds_alternative<net::Relu>(net.layers[1]))
      return skip("not applicable: the network does not start with dense, relu");
    std::vector<std::size_t> free = net.domain.free_coordinates();
    if (free.empty()) return skip("not applicable: X is a single point");
    const auto& dense = std::get<net::Dense>(net.layers[0]);
    // The layer on the free coordinates: pinned inputs move into the bias.
    Matrix w = arith::select_columns(dense.weights, free);
    Vector b = dense.bias;
    for (std::size_t j = 0; j < net.input_dim; ++j)
      if (net.domain.sides[j].is_point())
        for (std::size_t i = 0; i < b.size(); ++i) b[i] += dense.weights(i, j) * *net.domain.sides[j].lower;
    std::vector<net::Interval> box;
    for (std::size_t j : free) box.push_back(net.domain.sides[j]);

    std::optional<std::string> tail = tail_injective(net);
    // Without an injective tail only a collision can come out: a small share.
    std::optional<double> cap;
    if (!tail) {
      std::optional<double> left = budget.remaining_seconds();
      cap = left ? std::min(2.0, *left / 10) : 2.0;
    }
    smt::ReluLayerResult r = smt::find_relu_layer_kernel(w, b, box, budget, cap);
    if (r.status == smt::ReluLayerStatus::unknown)
      return skip("the first layer's one-copy query gave no answer" + (r.reason.empty() ? "" : ": " + r.reason));
    if (r.status == smt::ReluLayerStatus::injective) {
      if (!tail) return skip("the first relu layer is injective on X, and a later layer may not be injective");
      std::string why =
          "layers 0-1, relu(W x + b), are injective on X: no point inside X has every row of W x + b strictly "
          "negative or orthogonal to one direction v != 0 (the one-copy encoding is unsatisfiable)";
      if (!tail->empty()) why += *tail + "; so their composition is injective";
      return Outcome::holds(property, why, std::string(name()));
    }
    // x1 = x, x2 = x + t v: rows with w_i.v != 0 are strictly negative at x
    // and stay negative for t < -a_i / (w_i.v); the others do not change.
    Vector x(net.input_dim), v(net.input_dim);
    for (std::size_t j = 0; j < net.input_dim; ++j)
      if (net.domain.sides[j].is_point()) x[j] = *net.domain.sides[j].lower;
    for (std::size_t k = 0; k < free.size(); ++k) {
      x[free[k]] = r.x[k];
      v[free[k]] = r.v[k];
    }
    Rational limit = 1;
    for (std::size_t i = 0; i < w.rows(); ++i) {
      Rational a = b[i], wv = 0;
      for (std::size_t k = 0; k < free.size(); ++k) {
        a += w(i, k) * r.x[k];
        wv += w(i, k) * r.v[k];
      }
      if (wv > 0) limit = std::min(limit, Rational(-a / wv / 2));
    }
    std::optional<Collision> c = collision_along(net, x, v, limit);
    if (!c) return skip("the first layer's kernel pair did not give an exactly checked collision");
    return Outcome::collision_found(std::move(*c),
                                    "at x1 every row of the first layer relu(W x + b) is strictly inactive or "
                                    "orthogonal to v, so f(x1 + t v) = f(x1) for small t > 0 (one-copy encoding)",
                                    std::string(name()));
  }
};

}  // namespace

std::unique_ptr<Procedure> make_first_relu_layer() { return std::make_unique<FirstReluLayer>(); }

}  // namespace nninv::decide
