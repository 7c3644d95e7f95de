// Injectivity of square nets on X = R^n by coherent orientation and degree
// (docs/architecture.md, "Coherent orientation"). When the recession map
// f_inf (every bias 0) vanishes only at 0, f is proper and has one Brouwer
// degree deg on every large ball (Gowda 1996). If every linear region of f
// with an interior has a map whose determinant has the sign s of deg, each
// preimage of any y has local index of sign s and size >= 1, and the indices
// add up to deg: |deg| = 1 leaves room for one preimage only, so f is
// injective (and onto: a PL homeomorphism of R^n). The regions come from
// one region tree of f on R^n; a region of the other sign (or singular)
// must be proved thin, by Farkas multipliers for its strict system.
// A full region of the wrong orientation refutes injectivity (an injective
// map of R^n is a homeomorphism onto an open set, of one orientation): the
// fold search's walk builds the collision. |deg| >= 2 with every region
// of sign s gives every generic y |deg| preimages: one y's two preimages
// are the collision.
#include <random>

#include "nninv/cert/certificate.hpp"
#include "nninv/cert/path_system.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/errors.hpp"
#include "procedures.hpp"
#include "proof_search.hpp"
#include "recession.hpp"

namespace nninv::decide {

using arith::Constraint;
using arith::Matrix;
using arith::Rational;
using arith::Relation;
using arith::Vector;
using nlohmann::json;

namespace {

Outcome not_applicable(std::string_view name, std::string why) {
  return Outcome::unknown(Property::injective, std::move(why), std::string(name));
}

int sign_of(const Rational& q) { return q > 0 ? 1 : q < 0 ? -1 : 0; }

// The region's rows with every non-constant row strict (an equality both
// ways): infeasible exactly when the region has no interior point. Rows
// without variables are constants and say nothing about the interior.
std::vector<Constraint> strict_rows(const std::vector<Constraint>& rows) {
  std::vector<Constraint> strict;
  for (const Constraint& c : rows) {
    if (arith::is_zero(c.a)) continue;
    strict.push_back(Constraint{c.a, c.b, Relation::lt});
    if (c.rel == Relation::eq) {
      Vector minus = c.a;
      for (Rational& v : minus) v = -v;
      strict.push_back(Constraint{std::move(minus), -c.b, Relation::lt});
    }
  }
  return strict;
}

// A point strictly inside every non-constant row, or nothing (checked
// exactly by decide_feasibility).
std::optional<Vector> interior_point(const std::vector<Constraint>& rows, std::size_t n) {
  return arith::decide_feasibility(strict_rows(rows), n).point;
}

// x moved by a small pseudo-random step that keeps it strictly inside
// `rows`: the exact programs return points on hyperplanes that are often
// aligned with other hyperplanes of the net, and a segment between two
// such points can run through a degenerate crossing where a fold walk stops.
Vector jitter(const Vector& x, const std::vector<Constraint>& rows, std::mt19937_64& rng) {
  std::vector<Constraint> strict = strict_rows(rows);
  Vector step(x.size());
  for (Rational& v : step) v = Rational(static_cast<long>(rng() % 2001) - 1000, 1024);
  for (int halving = 0; halving < 40; ++halving) {
    Vector y = x;
    for (std::size_t i = 0; i < y.size(); ++i) y[i] += step[i];
    if (arith::satisfies(strict, y)) return y;
    for (Rational& v : step) v /= 2;
  }
  return x;
}

struct Region {
  Matrix a;
  Vector c;
  std::vector<Constraint> rows;
};

// The leaves of the region tree: each with the sign of its determinant,
// those of the wrong sign proved thin. Stops at the first full region of
// the wrong sign (or singular), keeping a point inside it.
class Orientation {
 public:
  Orientation(std::size_t n, int sign, bool keep_all) : n_(n), sign_(sign), keep_all_(keep_all) {}

  std::optional<json> leaf(const cert::PathSystem& ps) {
    Region r{Matrix(n_, n_), Vector(n_), ps.constraints()};
    for (std::size_t k = 0; k < n_; ++k) {
      const cert::Affine& out = ps.output(0, k);
      for (std::size_t j = 0; j < n_; ++j) r.a(k, j) = out.coeffs[j];
      r.c[k] = out.constant;
    }
    int s = sign_of(arith::determinant(r.a));
    if (s != 0 && s == sign_) {
      ++regions_;
      // Walks start from the first regions (their interior points are
      // computed only when a walk is needed); the second-preimage search
      // needs every region.
      if (keep_all_ || kept_.size() < 64) kept_.push_back(std::move(r));
      return json{{"sign", s}};
    }
    // One program: no interior (the thinness multipliers), or a point inside.
    arith::Feasibility inside = arith::decide_feasibility(strict_rows(r.rows), n_);
    if (inside.multipliers) {
      ++thin_;
      return json{{"sign", s}, {"thin", farkas_leaf(*inside.multipliers)}};
    }
    stopped_ = true;
    bad_ = std::move(inside.point);
    bad_sign_ = s;
    bad_rows_ = std::move(r.rows);
    return std::nullopt;
  }

  std::size_t regions() const { return regions_; }
  std::size_t thin() const { return thin_; }
  const std::vector<Region>& kept() const { return kept_; }
  const std::optional<Vector>& bad() const { return bad_; }
  bool stopped() const { return stopped_; }  // at a region neither thin nor of the degree's orientation
  int bad_sign() const { return bad_sign_; }
  const std::vector<Constraint>& bad_rows() const { return bad_rows_; }

 private:
  std::size_t n_;
  int sign_;
  bool keep_all_;
  std::size_t regions_ = 0, thin_ = 0;
  std::vector<Region> kept_;
  std::optional<Vector> bad_;
  int bad_sign_ = 0;
  std::vector<Constraint> bad_rows_;
  bool stopped_ = false;
};

class CoherentOrientation : public Procedure {
 public:
  explicit CoherentOrientation(const Options& options) : options_(options) {}
  std::string_view name() const override { return "coherent orientation (degree)"; }

  Outcome run(const net::Network& net, const Budget& outer) override {
    if (auto unfit = region_tree_unfit(net)) return not_applicable(name(), *unfit);
    // Three quarters of what is left (120 s without a deadline): after this
    // stage only the Z3 encodings remain, and on square nets on R^n that
    // the region trees cannot finish, the twin network (pairs of regions)
    // fares worse.
    std::optional<double> share = outer.remaining_seconds();
    share = share ? *share * 3 / 4 : 120.0;
    Budget budget(share, outer.cancel_flag(), outer.memory_flag());

    const std::size_t limit = options_.region_node_limit;
    RecessionCount count = count_recession_degree(net, budget, limit);
    if (!count.complete)
      return not_applicable(name(), "the region trees of the recession map exceed the node limit or the budget (" +
                                        std::to_string(count.nodes) + " nodes)");
    if (!count.generic) return not_applicable(name(), "no generic direction for the recession degree in 6 tries");
    if (!count.proper || count.hits == 0)
      return not_applicable(name(), count.hits == 0 ? "the recession map misses a direction, so f is not onto "
                                                      "(and then not injective), but no collision is built here"
                                                    : "the recession map vanishes on a ray, so f is not proper and "
                                                      "the degree argument does not apply");
    // deg = s N(y) at generic y when every full region has sign s, so s is
    // the degree's sign; degree 0 means no s works, and +1 finds a region
    // of the other kind to walk to.
    int sign = count.degree < 0 ? -1 : 1;
    long size = count.degree < 0 ? -count.degree : count.degree;
    Orientation orientation(net.input_dim, sign, size >= 2);
    std::size_t nodes = 0;
    auto tree = try_region_tree(
        net, budget, limit - std::min(limit, count.nodes),
        [&](const cert::PathSystem& ps) { return orientation.leaf(ps); }, &nodes);
    if (!tree) {
      if (orientation.stopped()) {
        if (orientation.bad())
          if (auto c = collision_at_bad_region(net, orientation, budget)) return *c;
        return not_applicable(name(), std::string("a linear region with an interior has ") +
                                          (orientation.bad_sign() == 0 ? "a singular map" : "the orientation opposite to the degree's") +
                                          ", so f is not injective, but no collision was constructed");
      }
      return not_applicable(name(), "the region tree of f exceeds the node limit or the budget (" +
                                        std::to_string(nodes) + " nodes)");
    }
    if (size == 0)
      throw InternalError("coherent orientation: every full region has one orientation, yet the degree is 0");
    if (size >= 2) {
      if (auto c = two_preimages(net, orientation)) return *c;
      return not_applicable(name(), "every full region has one orientation and the degree is " +
                                        std::to_string(count.degree) + ", so f is not injective, but no point with "
                                        "two preimages was constructed");
    }
    std::string why = "f_inf (every bias 0) vanishes only at 0 and has degree " + std::to_string(count.degree) +
                      ", so f is proper with that degree; every linear region of f with an interior (" +
                      std::to_string(orientation.regions()) + " leaves, " + std::to_string(orientation.thin()) +
                      " others proved thin) has a map with determinant of that sign, so every preimage has local "
                      "index +-1 or more and each y has exactly one preimage: f is a PL homeomorphism of R^n";
    json evidence = {{"kind", "coherent_orientation"}, {"sign", sign},
                     {"nodes", nodes},                 {"stable_phases", "interval_bounds"},
                     {"tree", *tree},                  {"recession", count.evidence()}};
    return checker_accepted(net, Outcome::holds(Property::injective, why, std::string(name()), std::move(evidence)));
  }

 private:
  // A full region of the wrong orientation: the fold between it and a
  // region of the degree's sign, or (singular) a kernel step inside it.
  std::optional<Outcome> collision_at_bad_region(const net::Network& net, const Orientation& o,
                                                 const Budget& budget) {
    if (o.bad_sign() == 0)
      if (auto c = try_collision_at(net, *o.bad()))
        return Outcome::collision_found(std::move(*c),
                                        "a linear region with an interior maps affinely with a singular matrix; x2 "
                                        "= x1 + t v for a kernel vector v",
                                        std::string(name()));
    std::mt19937_64 rng(5);
    std::size_t walks = 0;
    for (const Region& r : o.kept()) {
      if (budget.exhausted() || walks == 16) break;
      std::optional<Vector> start = interior_point(r.rows, net.input_dim);
      if (!start) continue;  // a thin region
      ++walks;
      Vector from = jitter(*start, r.rows, rng), to = jitter(*o.bad(), o.bad_rows(), rng);
      if (auto c = fold_between(net, from, to, budget))
        return Outcome::collision_found(std::move(*c),
                                        "two linear regions with interiors have maps whose determinants have "
                                        "opposite signs, so f folds on the segment between them (an injective map "
                                        "of R^n keeps one orientation); the fold search's walk built x1, x2",
                                        std::string(name()));
    }
    return std::nullopt;
  }

  // Every full region of one sign and |deg| >= 2: a point of one region
  // has another preimage; each region's map is solved for it exactly.
  std::optional<Outcome> two_preimages(const net::Network& net, const Orientation& o) {
    const std::vector<Region>& regions = o.kept();
    std::size_t tried = 0;
    for (std::size_t i = 0; i < regions.size() && tried < 8; ++i) {
      std::optional<Vector> x1 = interior_point(regions[i].rows, net.input_dim);
      if (!x1) continue;
      ++tried;
      Vector y = net::evaluate(net, *x1);
      for (std::size_t j = 0; j < regions.size(); ++j) {
        if (j == i) continue;
        Vector rhs = y;
        for (std::size_t k = 0; k < rhs.size(); ++k) rhs[k] -= regions[j].c[k];
        auto x2 = arith::solve(regions[j].a, rhs);
        if (!x2 || *x2 == *x1) continue;
        if (!arith::satisfies(regions[j].rows, *x2)) continue;
        Collision c{*x1, *x2, y};
        if (check_collision(net, c).empty())
          return Outcome::collision_found(std::move(c),
                                          "every linear region with an interior has one orientation and f has "
                                          "degree of absolute value >= 2, so points have several preimages; x2 "
                                          "solves the affine map of another region for y = f(x1)",
                                          std::string(name()));
      }
    }
    return std::nullopt;
  }

  Options options_;
};

}  // namespace

std::unique_ptr<Procedure> make_coherent_orientation(const Options& options) {
  return std::make_unique<CoherentOrientation>(options);
}

}  // namespace nninv::decide
