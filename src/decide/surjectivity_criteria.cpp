// Surjectivity onto the codomain Y (DESIGN.md section 3, items 1-4 and 7):
// exact criteria and a sampled search for unreachable points, tried before the
// quantified formula. Unreachability of a point is proved by an exact argument
// (bounds, a left-kernel vector) or by an unsatisfiable preimage query.
#include <random>
#include <sstream>

#include "nninv/analysis/affine.hpp"
#include "nninv/analysis/bounds.hpp"
#include "nninv/cert/certificate.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/smt/image_encoding.hpp"
#include "procedures.hpp"

namespace nninv::decide {

using arith::Matrix;
using arith::Rational;
using arith::Vector;

namespace {

Outcome not_applicable(std::string_view name, std::string why) {
  return Outcome::unknown(Property::surjective, std::move(why), std::string(name));
}

// A point of the interval: its midpoint, a bounded end +/- 1, or 0.
Rational some_point(const net::Interval& s) {
  if (s.lower && s.upper) return (*s.lower + *s.upper) / 2;
  if (s.lower) return *s.lower + 1;
  if (s.upper) return *s.upper - 1;
  return 0;
}

// Interval propagation bounds every output on X; a point of Y beyond a bound
// is unreachable, and so is every point closer to it than the gap. Covers a
// relu on the last layer (outputs >= 0) and bounded X with unbounded Y.
class OutputBoundsCriterion : public Procedure {
 public:
  std::string_view name() const override { return "output bounds (interval propagation)"; }
  Outcome run(const net::Network& net, const Budget&) override {
    std::vector<net::Interval> out = analysis::interval_bounds(net).back();
    const net::Box& y_box = net.codomain;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const net::Interval& reach = out[i];
      const net::Interval& want = y_box.sides[i];
      std::optional<Rational> yi, gap;
      std::string side;
      if (reach.upper && (!want.upper || *want.upper > *reach.upper)) {
        yi = want.upper ? Rational((*reach.upper + *want.upper) / 2) : Rational(*reach.upper + 1);
        if (want.lower && *yi < *want.lower) yi = *want.lower;
        gap = *yi - *reach.upper;
        side = "f_" + std::to_string(i) + "(x) <= " + reach.upper->get_str();
      } else if (reach.lower && (!want.lower || *want.lower < *reach.lower)) {
        yi = want.lower ? Rational((*reach.lower + *want.lower) / 2) : Rational(*reach.lower - 1);
        if (want.upper && *yi > *want.upper) yi = *want.upper;
        gap = *reach.lower - *yi;
        side = "f_" + std::to_string(i) + "(x) >= " + reach.lower->get_str();
      }
      if (!yi || *gap <= 0) continue;
      Unreached u;
      for (std::size_t j = 0; j < out.size(); ++j) u.y.push_back(j == i ? *yi : some_point(y_box.sides[j]));
      u.radius = *gap / 2;
      return unreached_outcome(std::move(u),
                               "interval propagation over X proves " + side + " for every x in X, but Y contains y "
                               "with y_" + std::to_string(i) + " = " + yi->get_str(),
                               std::string(name()), {{"kind", "output_bounds"}, {"coordinate", i}});
    }
    return not_applicable(name(), "Y lies inside the interval bounds of the outputs");
  }
};

// f affine on X: f(X) lies in the affine subspace c + range(A). A vector u
// with u^T A = 0 that is not constant on Y separates a point of Y from it.
// With X = R^n and rank A = m the image is all of R^m.
class AffineImageCriterion : public Procedure {
 public:
  std::string_view name() const override { return "affine on the domain (range)"; }
  Outcome run(const net::Network& net, const Budget&) override {
    std::optional<Matrix> a = analysis::affine_matrix_on_domain(net);
    if (!a) return not_applicable(name(), "some neuron changes phase on X");
    std::vector<std::size_t> x_free = net.domain.free_coordinates(), y_free = net.codomain.free_coordinates();
    Matrix range = select_columns(*a, x_free);
    if (net.domain.is_everything() && arith::rank(range) == net.output_dim())
      return Outcome::holds(Property::surjective,
                            net.layers.empty()
                                ? "X = R^n and the network has no layers: f is the identity map of R^n, which is onto R^n"
                                : "f is affine on X = R^n (every activation has a fixed phase) with rank " +
                                      std::to_string(net.output_dim()) + " = m, so f(X) = R^m contains Y",
                            std::string(name()),
                            {{"kind", "affine_right_inverse"}, {"R", cert::to_json(*arith::right_inverse(range))}});
    Vector x0 = interior_samples(net.domain, 1, /*seed=*/4).front();
    Vector c0 = net::evaluate(net, x0);
    for (const Vector& u : arith::kernel(transpose(range))) {
      std::size_t pivot = y_free.size();
      for (std::size_t j = 0; j < y_free.size() && pivot == y_free.size(); ++j)
        if (u[y_free[j]] != 0) pivot = j;
      if (pivot == y_free.size()) continue;  // u is constant on Y
      Vector y = interior_samples(net.codomain, 1, /*seed=*/5).front();
      Vector diff = y;
      for (std::size_t i = 0; i < diff.size(); ++i) diff[i] -= c0[i];
      Rational level = arith::dot(u, diff);
      if (level == 0) {  // move y inside Y along the pivot coordinate, off the subspace
        std::size_t i = y_free[pivot];
        const net::Interval& s = net.codomain.sides[i];
        Rational room = s.lower && s.upper ? Rational((*s.upper - y[i]) / 2) : Rational(1);
        if (!s.lower && s.upper) room = -1;
        y[i] += room;
        level = u[i] * room;
      }
      Rational norm1 = 0;
      for (const Rational& ui : u) norm1 += abs(ui);
      Unreached unreached{y, Rational(abs(level) / norm1 / 2)};
      std::ostringstream why;
      why << "f is affine on X, so f(X) lies in an affine subspace of dimension " << arith::rank(range)
          << " < " << net.output_dim() << "; the vector u = (";
      for (std::size_t i = 0; i < u.size(); ++i) why << (i ? ", " : "") << u[i].get_str();
      why << ") is orthogonal to it (u.(f(x) - f(x0)) = 0) but u.(y - f(x0)) = " << level.get_str();
      return unreached_outcome(std::move(unreached), why.str(), std::string(name()),
                               {{"kind", "separating_vector"}, {"u", cert::to_json(u)}, {"x0", cert::to_json(x0)}});
    }
    return not_applicable(name(), "the affine image is not contained in a hyperplane that cuts Y");
  }
};

// X = R^n and every layer onto R^width: dense layers of full row rank,
// leaky_relu and identity (bijections). A composition of surjections is onto.
class SurjectiveChainCriterion : public Procedure {
 public:
  std::string_view name() const override { return "layer composition (surjective layers)"; }
  Outcome run(const net::Network& net, const Budget&) override {
    if (!net.domain.is_everything()) return not_applicable(name(), "X is not all of R^n");
    std::ostringstream why;
    why << "X = R^n and every layer maps onto R^width, so their composition is onto R^m:";
    nlohmann::json inverses = nlohmann::json::array();
    for (std::size_t k = 0; k < net.layers.size(); ++k) {
      const net::Layer& layer = net.layers[k];
      why << (k ? ";" : "") << " layer " << k << " " << net::layer_type_name(layer);
      if (const auto* d = std::get_if<net::Dense>(&layer)) {
        std::size_t r = arith::rank(d->weights);
        if (r < d->weights.rows()) return not_applicable(name(), "a dense layer has rank below its width");
        why << " has full row rank " << r;
        inverses.push_back(cert::to_json(*arith::right_inverse(d->weights)));
        continue;
      } else if (std::holds_alternative<net::Relu>(layer)) {
        return not_applicable(name(), "a relu layer is not onto");
      } else {
        why << " is a bijection";
      }
      inverses.push_back(nullptr);
    }
    std::string text = net.layers.empty() ? "X = R^n and the network has no layers: f is the identity map of R^n, "
                                            "which is onto R^n"
                                          : why.str();
    return Outcome::holds(Property::surjective, text, std::string(name()),
                          {{"kind", "layer_right_inverses"}, {"right_inverses", inverses}});
  }
};

// Square networks on X = R^n: an injective piecewise-affine map of R^n is
// coherently oriented, and a coherently oriented one is onto (Scholtes 2012,
// Sec. 2.3; Radons 2017). So a proof of injectivity proves surjectivity.
class InjectiveSquareCriterion : public Procedure {
 public:
  explicit InjectiveSquareCriterion(const Options& options) : options_(options) { options_.on_stage = nullptr; }
  std::string_view name() const override { return "injective square PA map (Scholtes, Radons)"; }
  Outcome run(const net::Network& net, const Budget& budget) override {
    if (!net.domain.is_everything() || net.output_dim() != net.input_dim)
      return not_applicable(name(), "needs X = R^n and m = n");
    // Injectivity gets half of what is left (30 s without a deadline), so
    // that the region cover and the quantified formula keep their share.
    std::optional<double> share = budget.remaining_seconds();
    share = share ? *share / 2 : 30.0;
    Budget injective_budget(share, budget.cancel_flag(), budget.memory_flag());
    Outcome inj = options_.known_injective ? *options_.known_injective
                                           : decide(net, Property::injective, injective_budget, options_);
    if (inj.verdict != Verdict::holds) return not_applicable(name(), "injectivity is not proved");
    // A known outcome is for the user's network; when this stage runs on its
    // simplification, evidence already wrapped for exactly this network is
    // used bare (the outer wrapper carries the rewrites once).
    nlohmann::json evidence = inj.evidence;
    if (evidence.is_object() && evidence.value("kind", "") == "simplified" &&
        evidence.value("sha256", "") == cert::network_sha256(net))
      evidence = evidence.at("evidence");
    return Outcome::holds(Property::surjective, "f: R^n -> R^n is piecewise affine and injective (" + inj.method + ": " + inj.reason +
                       "); an injective PA map of R^n is coherently oriented and hence onto R^n (Scholtes, "
                       "Introduction to Piecewise Differentiable Equations, 2012, Sec. 2.3; Radons 2017)", std::string(name()),
                          {{"kind", "injective_square"}, {"injective", evidence}});
  }

 private:
  Options options_;
};

// Sampled points of Y, each asked for a preimage; an unsatisfiable query is a
// proof. When m > dim X the image has measure zero (a finite union of affine
// images of dimension <= n), so almost every sample is unreachable.
class UnreachableSampleSearch : public Procedure {
 public:
  std::string_view name() const override { return "sampled unreachable points"; }
  Outcome run(const net::Network& net, const Budget& budget) override {
    bool thin_image = net.output_dim() > net.domain.free_coordinates().size();
    std::size_t samples = thin_image ? 8 : 4;
    for (const Vector& y : interior_samples(net.codomain, samples, /*seed=*/6)) {
      if (budget.exhausted()) break;
      smt::PreimageResult r = smt::find_preimage(net, y, budget, std::nullopt, /*cap_seconds=*/2.0);
      if (r.status != smt::Preimage::none) continue;
      std::string why = "the preimage query 'x in X, f(x) = y' is unsatisfiable";
      if (thin_image)
        why += " (f maps dim X = " + std::to_string(net.domain.free_coordinates().size()) + " dimensions into R^" +
               std::to_string(net.output_dim()) + ", so its image has measure zero)";
      return unreached_outcome(Unreached{y, std::nullopt}, why, std::string(name()));
    }
    return not_applicable(name(), "every sampled point of Y was reached or undecided");
  }
};

class RegionCover : public Procedure {
 public:
  std::string_view name() const override { return "region cover (Z3)"; }
  Outcome run(const net::Network& net, const Budget& budget) override {
    return smt::decide_surjective_region_cover(net, budget);
  }
};

class QuantifiedImage : public Procedure {
 public:
  explicit QuantifiedImage(const smt::EncodingOptions& encoding) : encoding_(encoding) {}
  std::string_view name() const override { return "quantified image formula (Z3)"; }
  Outcome run(const net::Network& net, const Budget& budget) override {
    return smt::decide_surjective_quantified(net, budget, encoding_);
  }

 private:
  smt::EncodingOptions encoding_;
};

}  // namespace

std::optional<Rational> try_missed_radius(const net::Network& net, const Vector& y, const Budget& budget) {
  Rational r = 1;
  for (int attempt = 0; attempt < 8 && !budget.exhausted(); ++attempt, r /= 4)
    if (smt::find_preimage(net, y, budget, r, /*cap_seconds=*/1.0).status == smt::Preimage::none) return r;
  return std::nullopt;
}

std::unique_ptr<Procedure> make_output_bounds_criterion() { return std::make_unique<OutputBoundsCriterion>(); }
std::unique_ptr<Procedure> make_affine_image_criterion() { return std::make_unique<AffineImageCriterion>(); }
std::unique_ptr<Procedure> make_surjective_chain_criterion() { return std::make_unique<SurjectiveChainCriterion>(); }
std::unique_ptr<Procedure> make_injective_square_criterion(const Options& options) {
  return std::make_unique<InjectiveSquareCriterion>(options);
}
std::unique_ptr<Procedure> make_unreachable_sample_search() { return std::make_unique<UnreachableSampleSearch>(); }
std::unique_ptr<Procedure> make_region_cover() { return std::make_unique<RegionCover>(); }
std::unique_ptr<Procedure> make_quantified_image(const smt::EncodingOptions& encoding) {
  return std::make_unique<QuantifiedImage>(encoding);
}

}  // namespace nninv::decide
