// Cheap exact criteria (DESIGN.md section 3, items 1-4), tried before any
// search. Each "holds" is a proved statement named in its reason; each
// "violated" carries a concrete collision that is checked exactly.
#include <sstream>

#include "nninv/analysis/affine.hpp"
#include "nninv/analysis/bounds.hpp"
#include "nninv/analysis/jacobian_box.hpp"
#include "nninv/analysis/jacobian_norm.hpp"
#include "nninv/cert/certificate.hpp"
#include "nninv/decide/pipeline.hpp"
#include "procedures.hpp"

namespace nninv::decide {

using arith::Matrix;
using arith::Rational;
using arith::Vector;

namespace {

Outcome not_applicable(Property p, std::string_view name, std::string why) {
  return Outcome::unknown(p, std::move(why), std::string(name));
}

// The dimension criterion's collision at x0, for the prefix of layers
// [0, end) whose output (width w) is narrower than dim X: the prefix's local
// Jacobian is accumulated from its narrow end (w rows times each layer, never
// a wide-by-wide product of exact rationals), a kernel vector v gives the
// direction, and forward rates along v give a step that keeps the activation
// pattern. Nothing when a neuron sits exactly at 0 at x0 (try another point).
std::optional<Collision> narrow_prefix_collision(const net::Network& net, std::size_t end, const Vector& x0) {
  std::vector<std::vector<Rational>> slopes(end);  // per activation layer: the slope of each neuron at x0
  std::vector<Vector> pre(end);                    // per activation layer: pre-activations at x0
  Vector value = x0;
  for (std::size_t k = 0; k < end; ++k) {
    const net::Layer& layer = net.layers[k];
    const auto* leaky = std::get_if<net::LeakyRelu>(&layer);
    if (leaky || std::holds_alternative<net::Relu>(layer)) {
      pre[k] = value;
      for (const Rational& z : value) {
        if (z == 0) return std::nullopt;
        slopes[k].push_back(z > 0 ? Rational(1) : leaky ? leaky->alpha : Rational(0));
      }
    }
    value = net::apply_layer(layer, value);
  }
  Matrix jac = Matrix::identity(value.size());  // d output / d (values after layer k), from k = end down
  for (std::size_t k = end; k-- > 0;) {
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      jac = jac * d->weights;
    } else if (!slopes[k].empty()) {
      for (std::size_t j = 0; j < jac.cols(); ++j)
        if (slopes[k][j] != 1)
          for (std::size_t i = 0; i < jac.rows(); ++i) jac(i, j) *= slopes[k][j];
    }
  }
  std::vector<std::size_t> free = net.domain.free_coordinates();
  std::vector<Vector> basis = arith::kernel(select_columns(jac, free));
  if (basis.empty()) return std::nullopt;
  Vector v(net.input_dim);
  for (std::size_t j = 0; j < free.size(); ++j) v[free[j]] = basis.front()[j];
  scale_to_coprime_integers(v);
  // Forward rates along v: a neuron with value z and rate r changes sign at t = -z / r.
  Rational t = 1;
  Vector rate = v;
  for (std::size_t k = 0; k < end; ++k) {
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      rate = d->weights * rate;
    } else if (!slopes[k].empty()) {
      for (std::size_t i = 0; i < rate.size(); ++i) {
        if (rate[i] != 0 && (rate[i] > 0) != (pre[k][i] > 0)) t = std::min(t, Rational(-pre[k][i] / rate[i] / 2));
        rate[i] *= slopes[k][i];
      }
    }
  }
  return collision_along(net, x0, v, t);
}

// Invariance of domain: a continuous injective map from an open set of R^d
// into R^w needs w >= d, so a layer narrower than d = dim X refutes
// injectivity. The collision itself comes from the local-rank construction.
class DimensionCriterion : public Procedure {
 public:
  std::string_view name() const override { return "dimension (invariance of domain)"; }
  Outcome run(const net::Network& net, const Budget& budget) override {
    constexpr Property property = Property::injective;
    std::size_t dim = net.domain.free_coordinates().size();
    std::size_t end = 0, narrowest = dim;  // the narrowest layer (the first of them) ends the prefix [0, end)
    for (std::size_t k = 1; k <= net.layers.size(); ++k)
      if (net.width_after(k) < narrowest) {
        narrowest = net.width_after(k);
        end = k;
      }
    if (end == 0) return not_applicable(property, name(), "no layer is narrower than dim X");
    InteriorSampler sampler(net.domain, /*seed=*/2);
    for (std::size_t sample = 0; sample < 256; ++sample) {
      if (budget.exhausted()) break;
      Vector x0 = sampler.next();
      if (auto c = narrow_prefix_collision(net, end, x0)) {
        std::ostringstream why;
        why << "layer " << end - 1 << " (" << net::layer_type_name(net.layers[end - 1]) << ") has width "
            << narrowest << " < " << dim
            << " = dim X, so f cannot be injective (invariance of domain); x2 = x1 + t v for a kernel "
            << "vector v of the local affine map of layers 0.." << end - 1 << " at x1";
        return Outcome::collision_found(std::move(*c), why.str(), std::string(name()));
      }
    }
    return not_applicable(property, name(), "narrow layer, but no collision was constructed at sampled points");
  }
};

}  // namespace

LayersInjective layers_injective(const net::Network& net, std::size_t from) {
  LayersInjective result;
  std::vector<std::size_t> free = net.domain.free_coordinates();
  std::vector<std::vector<net::Interval>> bounds;
  bool before_first_dense = true;
  for (std::size_t k = 0; k < from; ++k)
    if (std::holds_alternative<net::Dense>(net.layers[k])) before_first_dense = false;
  std::ostringstream why;
  for (std::size_t k = from; k < net.layers.size(); ++k) {
    const net::Layer& layer = net.layers[k];
    why << (k > from ? ";" : "") << " layer " << k << " " << net::layer_type_name(layer);
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      // Before the first dense layer, pinned input coordinates are constants.
      std::size_t cols = before_first_dense ? free.size() : d->weights.cols();
      std::size_t r = arith::rank(before_first_dense ? select_columns(d->weights, free) : d->weights);
      if (r < cols) {
        result.why_not = "layer " + std::to_string(k) + " (dense) has rank " + std::to_string(r) + " < " +
                         std::to_string(cols);
        return result;
      }
      why << " has full column rank " << r;
      before_first_dense = false;
    } else if (std::holds_alternative<net::Relu>(layer)) {
      if (bounds.empty()) bounds = analysis::interval_bounds(net);
      for (const net::Interval& in : bounds[k])
        if (analysis::phase_of(in) != analysis::Phase::active) {
          result.why_not = "layer " + std::to_string(k) + " (relu) has a neuron that is not always active on X";
          return result;
        }
      why << " is the identity on X (every input >= 0 by interval bounds)";
    } else if (std::holds_alternative<net::LeakyRelu>(layer)) {
      why << " is a bijection (alpha > 0)";
    } else {
      why << " is the identity";
    }
  }
  result.ok = true;
  result.why = why.str();
  return result;
}

namespace {

// Composition (item 1): if every layer is injective on the values that reach
// it, so is f. Dense layers by rank (item 2), leaky_relu and identity are
// bijections (item 3), a relu whose inputs are all >= 0 on X (interval bounds)
// acts as the identity there.
class LayerCompositionCriterion : public Procedure {
 public:
  std::string_view name() const override { return "layer composition"; }
  Outcome run(const net::Network& net, const Budget&) override {
    constexpr Property property = Property::injective;
    if (net.domain.free_coordinates().empty())
      return Outcome::holds(property, "the domain X is a single point", std::string(name()), {{"kind", "single_point"}});
    LayersInjective layers = layers_injective(net, 0);
    if (!layers.ok) return not_applicable(property, name(), layers.why_not);
    // The left inverses (evidence) only once every layer has passed: they
    // cost more than the rank tests that usually fail first.
    std::vector<std::size_t> free = net.domain.free_coordinates();
    nlohmann::json inverses = nlohmann::json::array();
    bool before_first_dense = true;
    for (const net::Layer& layer : net.layers) {
      const auto* d = std::get_if<net::Dense>(&layer);
      if (!d) {
        inverses.push_back(nullptr);
        continue;
      }
      inverses.push_back(
          cert::to_json(*arith::left_inverse(before_first_dense ? select_columns(d->weights, free) : d->weights)));
      before_first_dense = false;
    }
    std::string why = net.layers.empty()
                          ? "the network has no layers: f is the identity map of X, which is injective"
                          : "every layer is injective on the values that reach it, so their composition is:" +
                                layers.why;
    return Outcome::holds(property, why,
                          std::string(name()), {{"kind", "layer_left_inverses"}, {"left_inverses", inverses}});
  }
};

// Square nets with few neurons that change phase on X: f(x1) - f(x2) =
// M(s) (x1 - x2) for a matrix M(s) of the Jacobian box (slopes of neurons
// with opposite pre-activations coupled), whose determinant takes its
// extremes at the vertices; one strict sign at all of them
// means no M(s) is singular, so f is injective (analysis/jacobian_box.hpp).
class JacobianBoxCriterion : public Procedure {
 public:
  std::string_view name() const override { return "Jacobian box (vertex determinants)"; }
  Outcome run(const net::Network& net, const Budget&) override {
    constexpr Property property = Property::injective;
    analysis::JacobianBox box = analysis::jacobian_box(net);
    if (!box.applicable) return not_applicable(property, name(), box.why_not);
    if (box.sign == 0)
      return not_applicable(property, name(), "the vertex determinants of the Jacobian box do not share one sign");
    std::string sign = box.sign > 0 ? "positive" : "negative";
    nlohmann::json evidence = {
        {"kind", "jacobian_box"},
        {"sign", box.sign},
        {"unstable", box.unstable},
        {"pairs", box.pairs},
        {"opposite_pairs", box.pair_list}};
    if (box.projection) evidence["projection"] = cert::to_json(*box.projection);
    return Outcome::holds(property,
                          "f(x1) - f(x2) = M (x1 - x2) with M = W_k D_k ... D_1 W_1 for slopes D between each "
                          "activation's two slopes" +
                              (box.pairs ? " (" + std::to_string(box.pairs) +
                                               (box.pairs == 1 ? " pair" : " pairs") +
                                               " of neurons with opposite pre-activations: their slopes add up to "
                                               "the sum of the activation's two slopes)"
                                         : std::string()) +
                              "; det " +
                              (box.projection ? "P M (P the fixed " + std::to_string(box.projection->rows()) + " x " +
                                                    std::to_string(box.projection->cols()) + " matrix in the evidence)"
                                              : std::string("M")) +
                              " is affine in each slope parameter, and at all " +
                              std::to_string(std::size_t{1} << box.parameters) + " vertices it is " + sign +
                              ", so every such M has full column rank",
                          std::string(name()), evidence);
  }
};

// When interval bounds fix the phase of every relu / leaky_relu neuron, f is
// one affine map A x + c on all of X (item 2): injective on X iff A has full
// rank on the free coordinates; otherwise a kernel direction gives a collision.
class AffineOnDomainCriterion : public Procedure {
 public:
  std::string_view name() const override { return "affine on the domain (rank)"; }
  Outcome run(const net::Network& net, const Budget&) override {
    constexpr Property property = Property::injective;
    std::optional<Matrix> affine = analysis::affine_matrix_on_domain(net);
    if (!affine) return not_applicable(property, name(), "some neuron changes phase on X");
    const Matrix& a = *affine;
    std::vector<std::size_t> free = net.domain.free_coordinates();
    Matrix restricted = select_columns(a, free);
    std::vector<Vector> basis = arith::kernel(restricted);
    if (basis.empty())
      return Outcome::holds(property, "f is affine on X (every activation has a fixed phase by interval bounds) and its matrix has "
                     "rank " + std::to_string(free.size()) + " = dim X", std::string(name()),
                            {{"kind", "affine_left_inverse"}, {"L", cert::to_json(*arith::left_inverse(restricted))}});
    Vector x0 = interior_samples(net.domain, 1, /*seed=*/3).front();
    Vector v(net.input_dim);
    for (std::size_t j = 0; j < free.size(); ++j) v[free[j]] = basis.front()[j];
    Rational t = 1;
    for (std::size_t i : free) {
      const net::Interval& s = net.domain.sides[i];
      if (v[i] > 0 && s.upper) t = std::min(t, Rational((*s.upper - x0[i]) / v[i]));
      if (v[i] < 0 && s.lower) t = std::min(t, Rational((*s.lower - x0[i]) / v[i]));
    }
    Vector x2 = x0;
    for (std::size_t i = 0; i < x2.size(); ++i) x2[i] += t * v[i];
    Collision c{x0, x2, net::evaluate(net, x0)};
    return Outcome::collision_found(std::move(c), "f is affine on X with matrix rank " + std::to_string(arith::rank(restricted)) + " < " +
                       std::to_string(free.size()) + " = dim X; x2 - x1 lies in its kernel", std::string(name()));
  }
};

// Nets with many neurons of unknown phase whose Jacobians stay near one
// matrix: ||K M(s) - I||_inf < 1 over an interval enclosure of every M(s)
// makes each K M(s) nonsingular, so f is injective (analysis/jacobian_norm.hpp).
class JacobianNormCriterion : public Procedure {
 public:
  std::string_view name() const override { return "Jacobian norm (interval enclosure)"; }
  Outcome run(const net::Network& net, const Budget&) override {
    constexpr Property property = Property::injective;
    analysis::JacobianNorm norm = analysis::jacobian_norm(net);
    if (!norm.applicable) return not_applicable(property, name(), norm.why_not);
    if (!norm.holds())
      return not_applicable(property, name(),
                            std::string("the enclosure of K M(s) - I has norm ") +
                                (norm.exact ? norm.bound.get_str() : "about " + std::to_string(norm.bound.get_d())) +
                                ", not below 1");
    return Outcome::holds(
        property,
        "f(x1) - f(x2) = M(s) (x1 - x2) with each slope in its activation's interval; over all such s, an exact "
        "interval enclosure of K M(s) - I (K a fixed left inverse of M at the center slopes, in the evidence) has "
        "weighted max-norm (weights u in the evidence) at most " +
            norm.bound.get_str() + " < 1, so every K M(s) is nonsingular and every M(s) has full column rank (" +
            std::to_string(norm.unstable) + " neurons of unknown phase, " + std::to_string(norm.pairs) +
            " opposite pairs)",
        std::string(name()),
        {{"kind", "jacobian_norm"},
         {"k", cert::to_json(*norm.k)},
         {"u", cert::to_json(norm.u)},
         {"bound", norm.bound.get_str()},
         {"unstable", norm.unstable},
         {"pairs", norm.pairs},
         {"opposite_pairs", norm.pair_list}});
  }
};

}  // namespace

std::unique_ptr<Procedure> make_jacobian_norm_criterion() { return std::make_unique<JacobianNormCriterion>(); }
std::unique_ptr<Procedure> make_dimension_criterion() { return std::make_unique<DimensionCriterion>(); }
std::unique_ptr<Procedure> make_layer_composition_criterion() {
  return std::make_unique<LayerCompositionCriterion>();
}
std::unique_ptr<Procedure> make_affine_on_domain_criterion() { return std::make_unique<AffineOnDomainCriterion>(); }
std::unique_ptr<Procedure> make_jacobian_box_criterion() { return std::make_unique<JacobianBoxCriterion>(); }

}  // namespace nninv::decide
