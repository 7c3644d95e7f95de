// Networks that start with one ReLU layer, x -> relu(W x + b) (a dense layer
// and then relu): that layer's injectivity on X, decided by the one-copy
// encoding of nninv/smt/relu_layer.hpp. A collision of the first layer is a
// collision of f. When every later layer is injective on all of its inputs
// (full-column-rank dense, leaky_relu, identity, relu whose inputs are >= 0
// on X), f is injective exactly when its first layer is, so the procedure
// is complete; otherwise it only looks for a collision, within a small share
// of the budget (docs/architecture.md, "One ReLU layer"). The relu-layer
// tree below turns its "holds" into a certificate (docs/certificates.md).
#include <algorithm>

#include "nninv/cert/certificate.hpp"
#include "nninv/cert/path_system.hpp"
#include "nninv/smt/relu_layer.hpp"
#include "procedures.hpp"
#include "proof_search.hpp"

namespace nninv::decide {
namespace {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using nlohmann::json;

// Why layers [2, end) are injective on every value that reaches them ("; layer
// 2 ..."), or nothing when one of them may not be.
std::optional<std::string> tail_injective(const net::Network& net) {
  LayersInjective later = layers_injective(net, 2);
  if (!later.ok) return std::nullopt;
  return later.why.empty() ? std::string() : ";" + later.why;
}

class FirstReluLayer : public Procedure {
 public:
  std::string_view name() const override { return "first relu layer (one-copy encoding, Z3)"; }
  Outcome run(const net::Network& net, const Budget& budget) override {
    constexpr Property property = Property::injective;
    auto skip = [&](std::string why) { return Outcome::unknown(property, std::move(why), std::string(name())); };
    std::optional<cert::FirstReluLayer> layer = cert::first_relu_layer(net);
    if (!layer) return skip("not applicable: the network does not start with dense, relu on a domain with a free coordinate");
    const Matrix& w = layer->w;
    const Vector& b = layer->b;
    const std::vector<std::size_t>& free = layer->free;

    std::optional<std::string> tail = tail_injective(net);
    // Without an injective tail only a collision can come out: a small share.
    std::optional<double> cap;
    if (!tail) {
      std::optional<double> left = budget.remaining_seconds();
      cap = left ? std::min(2.0, *left / 10) : 2.0;
    }
    smt::ReluLayerResult r = smt::find_relu_layer_kernel(w, b, layer->box, budget, cap);
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

// The relu-layer tree: a node splits row i into "w_i.v = 0" (orthogonal)
// and "w_i.x + b_i < 0" (inactive); a leaf shows its branch empty by n
// orthogonal rows of rank n (then v = 0) or by Farkas multipliers for x
// strictly inside X with its inactive rows. Splits follow the Farkas
// multipliers of "every row not yet split and not in the span of the
// orthogonal ones is inactive": one of the rows they use must be split.
class TreeSearch {
 public:
  TreeSearch(const cert::FirstReluLayer& layer, const Budget& budget, std::size_t max_nodes)
      : layer_(layer), budget_(budget), max_nodes_(max_nodes), split_(layer.w.rows(), false) {}

  std::optional<json> node() {
    if (++nodes_ > max_nodes_ || budget_.exhausted()) return std::nullopt;
    const std::size_t n = layer_.w.cols(), m = layer_.w.rows();
    Matrix e(orthogonal_.size(), n);
    for (std::size_t r = 0; r < orthogonal_.size(); ++r)
      for (std::size_t j = 0; j < n; ++j) e(r, j) = layer_.w(orthogonal_[r], j);
    std::vector<Vector> kernel = arith::kernel(e);
    if (kernel.empty()) return json{{"rank", independent_rows()}};
    // Rows in the span of the orthogonal ones are orthogonal to every
    // admissible v already: they need no split and no constraint.
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < m; ++i) {
      if (split_[i]) continue;
      bool in_span = true;
      for (const Vector& k : kernel) {
        Rational dot = 0;
        for (std::size_t j = 0; j < n; ++j) dot += layer_.w(i, j) * k[j];
        if (dot != 0) {
          in_span = false;
          break;
        }
      }
      if (!in_span) open.push_back(i);
    }
    std::vector<std::size_t> rows = inactive_;
    rows.insert(rows.end(), open.begin(), open.end());
    std::vector<arith::Constraint> system = cert::inactive_rows_system(layer_, rows);
    std::optional<Vector> mult = arith::find_farkas_multipliers(system, n);
    if (!mult) return std::nullopt;  // a kernel pair exists: the layer is not injective
    std::size_t first_open = system.size() - open.size();
    std::optional<std::size_t> pick;
    Rational largest = 0;
    for (std::size_t k = first_open; k < system.size(); ++k)
      if ((*mult)[k] > largest) {
        largest = (*mult)[k];
        pick = open[k - first_open];
      }
    if (!pick) {
      json sparse = json::object();
      for (std::size_t k = 0; k < first_open; ++k)
        if ((*mult)[k] != 0) sparse[std::to_string(k)] = (*mult)[k].get_str();
      return json{{"farkas", sparse}};
    }
    std::size_t u = *pick;
    split_[u] = true;
    orthogonal_.push_back(u);
    std::optional<json> orth = node();
    orthogonal_.pop_back();
    std::optional<json> inact;
    if (orth) {
      inactive_.push_back(u);
      inact = node();
      inactive_.pop_back();
    }
    split_[u] = false;
    if (!inact) return std::nullopt;
    return json{{"split", u}, {"orthogonal", std::move(*orth)}, {"inactive", std::move(*inact)}};
  }

  std::size_t nodes() const { return nodes_; }

 private:
  // n orthogonal rows of rank n (greedy, in path order).
  json independent_rows() const {
    const std::size_t n = layer_.w.cols();
    json chosen = json::array();
    std::vector<std::size_t> picked;
    for (std::size_t i : orthogonal_) {
      Matrix e(picked.size() + 1, n);
      picked.push_back(i);
      for (std::size_t r = 0; r < picked.size(); ++r)
        for (std::size_t j = 0; j < n; ++j) e(r, j) = layer_.w(picked[r], j);
      if (arith::rank(e) < picked.size()) {
        picked.pop_back();
        continue;
      }
      chosen.push_back(i);
      if (picked.size() == n) break;
    }
    return chosen;
  }

  const cert::FirstReluLayer& layer_;
  const Budget& budget_;
  std::size_t max_nodes_;
  std::size_t nodes_ = 0;
  std::vector<bool> split_;
  std::vector<std::size_t> orthogonal_, inactive_;
};

}  // namespace

std::unique_ptr<Procedure> make_first_relu_layer() { return std::make_unique<FirstReluLayer>(); }

std::optional<json> try_relu_layer_tree(const net::Network& net, const Budget& budget, std::size_t max_nodes) {
  std::optional<cert::FirstReluLayer> layer = cert::first_relu_layer(net);
  if (!layer || !tail_injective(net)) return std::nullopt;
  json inverses = json::array();
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    const auto* d = k >= 2 ? std::get_if<net::Dense>(&net.layers[k]) : nullptr;
    inverses.push_back(d ? cert::to_json(*arith::left_inverse(d->weights)) : json(nullptr));
  }
  TreeSearch search(*layer, budget, max_nodes);
  std::optional<json> tree = search.node();
  if (!tree) return std::nullopt;
  return json{{"kind", "relu_layer_tree"}, {"tree", std::move(*tree)}, {"left_inverses", std::move(inverses)}};
}

}  // namespace nninv::decide
