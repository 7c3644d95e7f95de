// Exact network simplification (docs/architecture.md, "Simplification"): a
// fixpoint of small rewrites, each an identity of functions on all of R^n in
// exact rationals. The CReLU rule rests on relu(a) - relu(-a) = a (Shang et
// al., ICML 2016) and its leaky form leaky(a) - leaky(-a) = (1 + alpha) a.
#include "nninv/analysis/simplify.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace nninv::analysis {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using net::Dense;
using net::Layer;

namespace {

// Products of rational matrices beyond this many multiply-adds are not
// formed: the pass has no budget, and it must stay cheap next to the stages.
// A size limit (never a time limit) keeps the result a function of the
// network alone, which the checker relies on.
constexpr std::size_t max_product_work = 10'000'000;

bool is_identity_layer(const Layer& layer) {
  if (std::holds_alternative<net::Identity>(layer)) return true;
  if (const auto* l = std::get_if<net::LeakyRelu>(&layer)) return l->alpha == 1;
  if (const auto* d = std::get_if<Dense>(&layer))
    return d->weights.rows() == d->weights.cols() && d->weights == Matrix::identity(d->weights.rows()) &&
           std::all_of(d->bias.begin(), d->bias.end(), [](const Rational& b) { return b == 0; });
  return false;
}

using net::negative_slope;

// Rule: identity, leaky_relu with alpha = 1 and x -> I x + 0 compute the
// identity and go (the last remaining layer stays: a network has layers).
bool drop_identity(std::vector<Layer>& layers, std::vector<Rewrite>& log) {
  if (layers.size() <= 1) return false;
  for (std::size_t k = 0; k < layers.size(); ++k)
    if (is_identity_layer(layers[k])) {
      layers.erase(layers.begin() + static_cast<std::ptrdiff_t>(k));
      log.push_back({Rewrite::Rule::drop_identity, k, {}, false, {}});
      return true;
    }
  return false;
}

// Rule: two activations in a row are one. Both keep the sign of their input,
// so relu after either is relu, either after relu is relu (its input is >= 0),
// and leaky(beta) after leaky(alpha) is leaky(alpha beta).
bool merge_activations(std::vector<Layer>& layers, std::vector<Rewrite>& log) {
  for (std::size_t k = 0; k + 1 < layers.size(); ++k) {
    std::optional<Rational> first = negative_slope(layers[k]), second = negative_slope(layers[k + 1]);
    if (!first || !second) continue;
    Rational alpha = *first * *second;
    layers[k] = alpha == 0 ? Layer(net::Relu{}) : Layer(net::LeakyRelu{alpha});
    layers.erase(layers.begin() + static_cast<std::ptrdiff_t>(k + 1));
    log.push_back({Rewrite::Rule::merge_activations, k, {}, false, {}});
    return true;
  }
  return false;
}

// Rule: W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2). Skipped when the middle
// width is below both outer widths: that bottleneck is what the dimension
// criterion reads, and the product would hide it.
bool merge_dense(std::vector<Layer>& layers, std::vector<Rewrite>& log) {
  for (std::size_t k = 0; k + 1 < layers.size(); ++k) {
    const auto* d1 = std::get_if<Dense>(&layers[k]);
    const auto* d2 = std::get_if<Dense>(&layers[k + 1]);
    if (!d1 || !d2) continue;
    if (d1->weights.rows() < std::min(d1->weights.cols(), d2->weights.rows())) continue;
    if (d2->weights.rows() * d1->weights.rows() * d1->weights.cols() > max_product_work) continue;
    Vector bias = d2->weights * d1->bias;
    for (std::size_t i = 0; i < bias.size(); ++i) bias[i] += d2->bias[i];
    layers[k] = Dense{d2->weights * d1->weights, std::move(bias)};
    layers.erase(layers.begin() + static_cast<std::ptrdiff_t>(k + 1));
    log.push_back({Rewrite::Rule::merge_dense, k, {}, false, {}});
    return true;
  }
  return false;
}

// One class of neurons of a block D1, act, D2 whose pre-activations (row and
// bias of D1) are positive multiples of each other: act(s t) = s act(t) for
// s > 0, so together they act as the representative `rep` with outgoing
// column `column` (the sum of the members' columns scaled by s).
struct NeuronClass {
  std::size_t rep;
  Rational scale;  // |first nonzero| of rep's (row, bias): the class key is (row, bias) / scale
  Vector column;
};

Vector column_of(const Matrix& w, std::size_t k) {
  Vector c(w.rows());
  for (std::size_t i = 0; i < w.rows(); ++i) c[i] = w(i, k);
  return c;
}

void add_scaled(Vector& to, const Rational& s, const Vector& v) {
  for (std::size_t i = 0; i < to.size(); ++i) to[i] += s * v[i];
}

// Rule for a block D1, act, D2 (act relu or leaky_relu with negative slope
// alpha; t = a pre-activation):
//   - a neuron with a zero row outputs the constant act(b): it goes into the bias of D2;
//   - positive multiples merge (NeuronClass); a class with a zero column goes;
//   - opposite classes t and -t: C act(t) + D act(-t) = (C + D) act(t) - (1 + alpha) D t,
//     affine when C + D = 0.
// When every class is affine the block is the dense layer x -> sum -(1+alpha) D t(x) + b2.
// Otherwise only the merging and deleting is done: folding a pair into an
// affine term would need a skip connection, which a layer sequence lacks.
// Returns the replacement layers, or nothing when no neuron goes.
std::optional<std::vector<Layer>> reduce_block(const Dense& d1, const Rational& alpha, const Layer& act,
                                               const Dense& d2, Rewrite& rewrite) {
  const std::size_t width = d1.weights.rows(), n = d1.weights.cols(), m = d2.weights.rows();
  std::vector<NeuronClass> classes;
  std::map<Vector, std::size_t> class_of;  // key: (row, bias) / scale
  std::vector<Vector> keys;
  Vector bias2 = d2.bias;  // plus the outputs of constant neurons
  for (std::size_t k = 0; k < width; ++k) {
    Vector v = d1.weights.row(k);
    if (arith::is_zero(v)) {  // act(b) whatever the input: into the bias of D2
      rewrite.representative.push_back(std::nullopt);
      const Rational& b = d1.bias[k];
      add_scaled(bias2, b >= 0 ? b : alpha * b, column_of(d2.weights, k));
      continue;
    }
    v.push_back(d1.bias[k]);
    auto lead = std::find_if(v.begin(), v.end(), [](const Rational& x) { return x != 0; });
    Rational scale = abs(*lead);
    for (Rational& x : v) x /= scale;
    auto [it, inserted] = class_of.emplace(v, classes.size());
    rewrite.representative.push_back(inserted ? k : classes[it->second].rep);
    if (inserted) {
      classes.push_back({k, scale, column_of(d2.weights, k)});
      keys.push_back(std::move(v));
    } else {
      NeuronClass& c = classes[it->second];
      add_scaled(c.column, scale / c.scale, column_of(d2.weights, k));
    }
  }

  // Each affine pair: its first class's representative and D (C + D = 0).
  std::vector<std::pair<std::size_t, Vector>> affine_pairs;
  bool affine = true;
  for (std::size_t g = 0; g < classes.size() && affine; ++g) {
    const NeuronClass& c = classes[g];
    Vector negated = keys[g];
    for (Rational& x : negated) x = -x;
    auto opposite = class_of.find(negated);
    if (opposite == class_of.end()) {
      affine = arith::is_zero(c.column);
      continue;
    }
    if (opposite->second < g) continue;  // the pair was handled at its first class
    const NeuronClass& o = classes[opposite->second];
    // act(t_o) = act(-(o.scale / c.scale) t_c), so o's column counts (o.scale / c.scale) times against act(-t_c).
    Vector d(m), sum = c.column;
    add_scaled(d, o.scale / c.scale, o.column);
    add_scaled(sum, 1, d);
    affine = arith::is_zero(sum);
    if (affine) {
      affine_pairs.emplace_back(c.rep, std::move(d));
      rewrite.opposite.emplace_back(c.rep, o.rep);
    }
  }
  if (affine && affine_pairs.size() * m * n <= max_product_work) {
    Matrix w(m, n);
    Vector b = bias2;
    // The affine term -(1 + alpha) D t_c with t_c = row_rep x + bias_rep.
    for (const auto& [rep, d] : affine_pairs)
      for (std::size_t i = 0; i < m; ++i) {
        Rational coefficient = -(1 + alpha) * d[i];
        if (coefficient == 0) continue;
        for (std::size_t j = 0; j < n; ++j) w(i, j) += coefficient * d1.weights(rep, j);
        b[i] += coefficient * d1.bias[rep];
      }
    rewrite.dense = true;
    return std::vector<Layer>{Dense{std::move(w), std::move(b)}};
  }
  rewrite.opposite.clear();

  std::vector<const NeuronClass*> kept;
  for (const NeuronClass& c : classes)
    if (!arith::is_zero(c.column)) kept.push_back(&c);
  if (kept.size() == width) return std::nullopt;  // every neuron is its own class with a nonzero column
  Matrix w1(kept.size(), n), w2(m, kept.size());
  Vector b1(kept.size());
  for (std::size_t r = 0; r < kept.size(); ++r) {
    for (std::size_t j = 0; j < n; ++j) w1(r, j) = d1.weights(kept[r]->rep, j);
    b1[r] = d1.bias[kept[r]->rep];
    for (std::size_t i = 0; i < m; ++i) w2(i, r) = kept[r]->column[i];
  }
  return std::vector<Layer>{Dense{std::move(w1), std::move(b1)}, act, Dense{std::move(w2), std::move(bias2)}};
}

bool reduce_blocks(std::vector<Layer>& layers, std::vector<Rewrite>& log) {
  for (std::size_t k = 0; k + 2 < layers.size(); ++k) {
    const auto* d1 = std::get_if<Dense>(&layers[k]);
    const auto* d2 = std::get_if<Dense>(&layers[k + 2]);
    std::optional<Rational> alpha = negative_slope(layers[k + 1]);
    if (!d1 || !d2 || !alpha) continue;
    Rewrite rewrite{Rewrite::Rule::reduce_block, k, {}, false, {}};
    std::optional<std::vector<Layer>> replacement = reduce_block(*d1, *alpha, layers[k + 1], *d2, rewrite);
    if (!replacement) continue;
    log.push_back(std::move(rewrite));
    auto first = layers.begin() + static_cast<std::ptrdiff_t>(k);
    layers.erase(first, first + 3);
    layers.insert(layers.begin() + static_cast<std::ptrdiff_t>(k), replacement->begin(), replacement->end());
    return true;
  }
  return false;
}

}  // namespace

Simplified simplify(const net::Network& net) {
  Simplified s{net, false, net.layers.size(), 0, net.nonlinear_neuron_count(), 0, {}};
  std::vector<Layer>& layers = s.network.layers;
  // Each rewrite removes a layer or an activation neuron, so this terminates;
  // the fixed order makes the result a function of the network alone.
  std::vector<Rewrite>& log = s.rewrites;
  while (drop_identity(layers, log) || merge_activations(layers, log) || merge_dense(layers, log) ||
         reduce_blocks(layers, log))
    s.changed = true;
  s.layers_after = layers.size();
  s.nonlinear_after = s.network.nonlinear_neuron_count();
  return s;
}

const char* to_string(Rewrite::Rule rule) {
  switch (rule) {
    case Rewrite::Rule::drop_identity: return "drop_identity";
    case Rewrite::Rule::merge_activations: return "merge_activations";
    case Rewrite::Rule::merge_dense: return "merge_dense";
    case Rewrite::Rule::reduce_block: return "reduce_block";
  }
  return "?";
}

std::string describe(const Simplified& s) {
  return std::to_string(s.nonlinear_before) + " -> " + std::to_string(s.nonlinear_after) + " relu/leaky neurons, " +
         std::to_string(s.layers_before) + " -> " + std::to_string(s.layers_after) + " layers";
}

}  // namespace nninv::analysis
