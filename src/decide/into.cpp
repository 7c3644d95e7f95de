// "Into": does f map the domain X into the codomain Y (f(X) inside Y)? The
// third part of a bijection from X to Y (FORMAT.md section 3). Proved by the
// absence of a codomain, by exact interval bounds of the outputs, or by an
// unsatisfiable query "x in X, f(x) outside Y"; refuted by one x in X whose
// exactly evaluated f(x) lies outside Y.
#include "nninv/analysis/bounds.hpp"
#include "nninv/analysis/local_map.hpp"
#include "nninv/cert/certificate.hpp"
#include "nninv/smt/image_encoding.hpp"
#include "procedures.hpp"

namespace nninv::decide {

using arith::Rational;
using arith::Vector;

namespace {

Outcome not_decided(std::string_view name, std::string why) {
  return Outcome::unknown(Property::into, std::move(why), std::string(name));
}

// The first bounded side of Y that y lies beyond, in words; empty when y is in Y.
std::string side_missed(const net::Box& y_box, const Vector& y) {
  for (std::size_t i = 0; i < y.size(); ++i) {
    const net::Interval& s = y_box.sides[i];
    if (s.lower && y[i] < *s.lower) return "f_" + std::to_string(i) + "(x) = " + y[i].get_str() + " < " + s.lower->get_str();
    if (s.upper && y[i] > *s.upper) return "f_" + std::to_string(i) + "(x) = " + y[i].get_str() + " > " + s.upper->get_str();
  }
  return "";
}

std::optional<Outcome> escape_at(const net::Network& net, const Vector& x, std::string_view method,
                                 const std::string& how) {
  if (!net.domain.contains(x)) return std::nullopt;
  Vector y = net::evaluate(net, x);
  std::string missed = side_missed(net.codomain, y);
  if (missed.empty()) return std::nullopt;
  return Outcome::escape_found(Escape{x, y}, how + " x in X has " + missed + ", outside Y", std::string(method));
}

class CodomainEverything : public Procedure {
 public:
  std::string_view name() const override { return "no codomain box"; }
  Outcome run(const net::Network& net, const Budget&) override {
    if (!net.codomain.is_everything()) return not_decided(name(), "Y is a box");
    return Outcome::holds(Property::into, "Y = R^" + std::to_string(net.output_dim()) + " contains every output",
                          std::string(name()), {{"kind", "codomain_everything"}});
  }
};

// Exact interval propagation over X: every output stays within its bounds,
// so bounds inside Y prove f(X) inside Y.
class OutputBoundsInside : public Procedure {
 public:
  std::string_view name() const override { return "output bounds inside Y (interval propagation)"; }
  Outcome run(const net::Network& net, const Budget&) override {
    std::vector<net::Interval> out = analysis::interval_bounds(net).back();
    for (std::size_t i = 0; i < out.size(); ++i) {
      const net::Interval& want = net.codomain.sides[i];
      if (want.lower && (!out[i].lower || *out[i].lower < *want.lower))
        return not_decided(name(), "the interval bound of output " + std::to_string(i) + " reaches below Y");
      if (want.upper && (!out[i].upper || *out[i].upper > *want.upper))
        return not_decided(name(), "the interval bound of output " + std::to_string(i) + " reaches above Y");
    }
    return Outcome::holds(Property::into,
                          "interval propagation over X bounds every output within the sides of Y", std::string(name()),
                          {{"kind", "output_bounds_inside"}});
  }
};

// Exactly evaluated points of X: its centre, interior samples, and for each
// bounded side of Y the vertex of X (when X is bounded) that the local
// Jacobian at a sample points to, where a linear piece takes its extreme.
class EscapeSampleSearch : public Procedure {
 public:
  std::string_view name() const override { return "sampled points of X"; }
  Outcome run(const net::Network& net, const Budget& budget) override {
    const std::size_t samples = 64;
    InteriorSampler sampler(net.domain, /*seed=*/11);
    for (std::size_t k = 0; k < samples && !budget.exhausted(); ++k) {
      Vector x = sampler.next();
      if (auto o = escape_at(net, x, name(), "the sampled point")) return *o;
      if (!net.domain.is_bounded() || k >= 8) continue;
      analysis::LocalMap map = analysis::local_map(net, x);
      for (std::size_t i = 0; i < net.output_dim(); ++i)
        for (int direction : {1, -1}) {
          Vector vertex = x;
          for (std::size_t j = 0; j < net.input_dim; ++j) {
            const net::Interval& s = net.domain.sides[j];
            int sign = map.jacobian(i, j) > 0 ? direction : map.jacobian(i, j) < 0 ? -direction : 0;
            if (sign > 0) vertex[j] = *s.upper;
            if (sign < 0) vertex[j] = *s.lower;
          }
          if (auto o = escape_at(net, vertex, name(), "the vertex")) return *o;
        }
    }
    return not_decided(name(), "every sampled point maps into Y");
  }
};

class EscapeQuery : public Procedure {
 public:
  std::string_view name() const override { return "escape query (Z3)"; }
  Outcome run(const net::Network& net, const Budget& budget) override {
    smt::PreimageResult r = smt::find_escape(net, budget);
    if (r.status == smt::Preimage::unknown) return not_decided(name(), r.reason);
    if (r.status == smt::Preimage::none)
      return Outcome::holds(Property::into, "the query 'x in X, f(x) outside Y' is unsatisfiable", std::string(name()));
    if (auto o = escape_at(net, r.x, name(), "Z3's model")) return *o;
    return not_decided(name(), "Z3's model does not map outside Y in exact arithmetic");
  }
};

}  // namespace

std::string check_escape(const net::Network& net, const Escape& e) {
  if (e.x.size() != net.input_dim || e.y.size() != net.output_dim()) return "a point has the wrong dimension";
  if (!net.domain.contains(e.x)) return "x lies outside the domain";
  if (net::evaluate(net, e.x) != e.y) return "f(x) differs from y";
  if (net.codomain.contains(e.y)) return "f(x) lies inside the codomain";
  return "";
}

std::unique_ptr<Procedure> make_codomain_everything() { return std::make_unique<CodomainEverything>(); }
std::unique_ptr<Procedure> make_output_bounds_inside() { return std::make_unique<OutputBoundsInside>(); }
std::unique_ptr<Procedure> make_escape_sample_search() { return std::make_unique<EscapeSampleSearch>(); }
std::unique_ptr<Procedure> make_escape_query() { return std::make_unique<EscapeQuery>(); }

}  // namespace nninv::decide
