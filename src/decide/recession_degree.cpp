// Surjectivity of square nets on X = R^n from the degree of the recession map
// (docs/architecture.md, "Recession degree"). f_inf, the network with every
// bias set to 0, is positively homogeneous and |f - f_inf| is bounded. If
// f_inf vanishes only at 0 and its Brouwer degree is nonzero, f is onto R^n
// (Gowda 1996). Both facts come from the region trees of f_inf on the 2n
// facets of the cube [-1, 1]^n: every ray from 0 meets the cube's surface
// once, so the rays that f_inf maps onto the ray through a generic d are
// counted facet by facet, each with the sign of its region's determinant.
// When no ray reaches the ray of d at all, f_inf misses an open cone around
// d, and t d is unreachable for f once t is large: a preimage proof tree at
// t = 2, 4, 8, ... gives the witness.
#include <random>

#include "nninv/cert/certificate.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/errors.hpp"
#include "procedures.hpp"
#include "proof_search.hpp"

namespace nninv::decide {

using arith::Constraint;
using arith::Matrix;
using arith::Rational;
using arith::Relation;
using arith::Vector;
using nlohmann::json;

namespace {

Outcome not_applicable(std::string_view name, std::string why) {
  return Outcome::unknown(Property::surjective, std::move(why), std::string(name));
}

// Every bias 0: f_inf(x) = lim f(t x) / t (relu and leaky_relu are positively homogeneous).
net::Network recession_network(const net::Network& net) {
  net::Network r = net;
  for (net::Layer& layer : r.layers)
    if (auto* d = std::get_if<net::Dense>(&layer)) d->bias.assign(d->bias.size(), Rational(0));
  r.codomain = net::Box::everything(r.output_dim());
  return r;
}

// f_inf on the facet x_i = s of [-1, 1]^n.
net::Network facet_network(const net::Network& recession, std::size_t i, int s) {
  net::Network f = recession;
  for (std::size_t j = 0; j < f.input_dim; ++j) f.domain.sides[j] = net::Interval{Rational(-1), Rational(1)};
  f.domain.sides[i] = net::Interval{Rational(s), Rational(s)};
  return f;
}

// The leaf's linear map (the outputs' coefficients; every constant is 0).
Matrix leaf_map(const cert::PathSystem& ps, std::size_t n) {
  Matrix a(n, n);
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < n; ++j) a(k, j) = ps.output(0, k).coeffs[j];
  return a;
}

// "A v on the open ray through d": d_p (A v)_k = d_k (A v)_p for k != p (p
// the first nonzero coordinate of d), and d.(A v) > 0.
std::vector<Constraint> on_ray_rows(const Matrix& a, const Vector& d) {
  const std::size_t n = d.size();
  std::size_t p = 0;
  while (d[p] == 0) ++p;
  std::vector<Constraint> rows;
  for (std::size_t k = 0; k < n; ++k) {
    if (k == p) continue;
    Vector c(n);
    for (std::size_t j = 0; j < n; ++j) c[j] = d[p] * a(k, j) - d[k] * a(p, j);
    rows.push_back(Constraint{c, 0, Relation::eq});
  }
  Vector c(n);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t k = 0; k < n; ++k) c[j] -= d[k] * a(k, j);
  rows.push_back(Constraint{c, 0, Relation::lt});
  return rows;
}

bool satisfied(const Constraint& c, const Vector& x) {
  Rational lhs = arith::dot(c.a, x);
  return c.rel == Relation::le ? lhs <= c.b : c.rel == Relation::lt ? lhs < c.b : lhs == c.b;
}

bool only_coordinate(const Constraint& c, std::size_t i) {
  for (std::size_t j = 0; j < c.a.size(); ++j)
    if (j != i && c.a[j] != 0) return false;
  return true;
}

// What one direction d gives: the degree when d is generic, whether f_inf
// provably vanishes only at 0, and how many rays reach the ray of d.
struct Count {
  bool generic = true, proper = true, complete = true;
  long degree = 0;
  std::size_t hits = 0, nodes = 0;
  json facets = json::array();
};

class Counter {
 public:
  Counter(const net::Network& recession, const Vector& d, const Budget& budget, std::size_t max_nodes)
      : recession_(recession), d_(d), budget_(budget), max_nodes_(max_nodes) {}

  Count run() {
    const std::size_t n = recession_.input_dim;
    for (std::size_t i = 0; i < n && count_.generic && count_.complete; ++i)
      for (int s : {1, -1}) {
        i_ = i;
        s_ = s;
        std::size_t nodes = 0;
        net::Network facet = facet_network(recession_, i, s);
        auto tree = try_region_tree(
            facet, budget_, max_nodes_ - std::min(max_nodes_, count_.nodes),
            [this](const cert::PathSystem& ps) { return leaf(ps); }, &nodes);
        count_.nodes += nodes;
        if (!tree) {
          if (count_.generic) count_.complete = false;
          return count_;
        }
        count_.facets.push_back({{"coordinate", i}, {"sign", s}, {"tree", *tree}});
      }
    return count_;
  }

 private:
  std::optional<json> leaf(const cert::PathSystem& ps) {
    const std::size_t n = recession_.input_dim;
    Matrix a = leaf_map(ps, n);
    if (arith::determinant(a) == 0) {
      std::vector<Constraint> ray = ps.constraints(), zero = ps.constraints();
      for (Constraint& c : on_ray_rows(a, d_)) ray.push_back(std::move(c));
      auto ray_proof = arith::find_farkas_multipliers(ray, n);
      if (!ray_proof) {  // d lies in the image of a singular region: not generic
        count_.generic = false;
        return std::nullopt;
      }
      for (std::size_t k = 0; k < n; ++k) zero.push_back(Constraint{a.row(k), 0, Relation::eq});
      auto zero_proof = arith::find_farkas_multipliers(zero, n);
      if (!zero_proof) count_.proper = false;  // f_inf vanishes on this region away from 0
      return json{{"map", "singular"},
                  {"ray", farkas_leaf(*ray_proof)},
                  {"zero", zero_proof ? farkas_leaf(*zero_proof) : json(nullptr)}};
    }
    // Nonsingular: the ray's preimage in this cone is the ray of a^-1 d; it
    // meets the facet's plane x_i = s at s / x*_i times x* when s x*_i > 0.
    Vector xs = *arith::solve(a, d_);
    if (s_ * xs[i_] <= 0) return json{{"map", "nonsingular"}, {"ray", "miss"}};
    Rational scale = Rational(s_) / xs[i_];
    for (Rational& v : xs) v *= scale;
    // In the leaf's region, and strictly inside every row that involves a
    // coordinate other than x_i (rows in x_i alone are constant on the
    // facet's plane): else the ray meets a boundary of the region or an
    // edge of the cube, and d is not generic.
    bool strict = true;
    for (const Constraint& c : ps.constraints()) {
      if (!satisfied(c, xs)) return json{{"map", "nonsingular"}, {"ray", "miss"}};
      if (!only_coordinate(c, i_) && !(arith::dot(c.a, xs) < c.b)) strict = false;
    }
    if (!strict) {
      count_.generic = false;
      return std::nullopt;
    }
    int sign = arith::determinant(a) > 0 ? 1 : -1;
    count_.degree += sign;
    ++count_.hits;
    return json{{"map", "nonsingular"}, {"ray", "hit"}, {"x", cert::to_json(xs)}, {"sign", sign}};
  }

  const net::Network& recession_;
  const Vector& d_;
  const Budget& budget_;
  std::size_t max_nodes_;
  std::size_t i_ = 0;
  int s_ = 1;
  Count count_;
};

// Directions with small nonzero integer coordinates, the same on every platform.
Vector direction(std::mt19937_64& rng, std::size_t n) {
  Vector d(n);
  for (Rational& v : d) {
    long k = static_cast<long>(rng() % 61) - 30;
    v = k == 0 ? 31 : k;
  }
  return d;
}

class RecessionDegree : public Procedure {
 public:
  explicit RecessionDegree(const Options& options) : options_(options) {}
  std::string_view name() const override { return "recession degree"; }

  Outcome run(const net::Network& net, const Budget& outer) override {
    const std::size_t n = net.input_dim;
    if (!net.domain.is_everything() || net.output_dim() != n || n == 0)
      return not_applicable(name(), "needs X = R^n and m = n");
    // Bijective asks injectivity first: once it holds, the injective square
    // map stage after this one answers at no cost, with that same proof.
    if (options_.known_injective && options_.known_injective->verdict == Verdict::holds)
      return not_applicable(name(), "injectivity is proved, so the injective square map stage answers");
    // At most half of what is left (30 s without a deadline): the stages
    // after this one keep a share.
    std::optional<double> share = outer.remaining_seconds();
    share = share ? *share / 2 : 30.0;
    Budget budget(share, outer.cancel_flag(), outer.memory_flag());
    net::Network recession = recession_network(net);
    std::mt19937_64 rng(11);
    for (int attempt = 0; attempt < 6 && !budget.exhausted(); ++attempt) {
      Vector d = direction(rng, n);
      Count count = Counter(recession, d, budget, options_.proof_node_limit).run();
      if (!count.complete)
        return not_applicable(name(), "the region trees of the recession map exceed the node limit or the budget (" +
                                          std::to_string(count.nodes) + " nodes)");
      if (!count.generic) continue;
      if (count.hits == 0) return missed_cone(net, d, count, budget);
      if (!count.proper)
        return not_applicable(name(), "the recession map vanishes on a ray, so the degree argument does not apply");
      if (count.degree == 0)
        return not_applicable(name(), "the recession map has degree 0 (" + std::to_string(count.hits) +
                                          " preimage rays of opposite orientations); the degree decides nothing");
      std::string why = "f - f_inf is bounded, f_inf (every bias 0) vanishes only at 0 and has Brouwer degree " +
                        std::to_string(count.degree) + " (" + std::to_string(count.hits) +
                        (count.hits == 1 ? " preimage ray" : " preimage rays") + " of the direction d, each in a region with a nonsingular map, counted with "
                        "the sign of its determinant), so f has degree " + std::to_string(count.degree) +
                        " on every large ball and is onto R^n (Gowda 1996)";
      Outcome o = Outcome::holds(Property::surjective, why, std::string(name()),
                                 {{"kind", "recession_degree"},
                                  {"d", cert::to_json(d)},
                                  {"degree", count.degree},
                                  {"nodes", count.nodes},
                                  {"stable_phases", "interval_bounds"},
                                  {"facets", count.facets}});
      // The count is exact, and nninv-check recounts it with its own code
      // before the verdict leaves (about a tenth of the search's time): a
      // disagreement is a bug in one of them, never a "holds".
      check::Report r = check::check_certificate(net, certificate(net, o));
      if (r.status != check::Status::certified)
        throw InternalError("recession degree: nninv-check rejects the stage's own evidence: " + r.message);
      return o;
    }
    return not_applicable(name(), "no generic direction found in 6 tries (or the budget ran out)");
  }

 private:
  // f_inf misses the ray of d, hence an open cone around it: t d is
  // unreachable for f once t exceeds a bound; try t = 2, 4, ..., 2^40.
  Outcome missed_cone(const net::Network& net, const Vector& d, const Count& count, const Budget& budget) {
    if (!net.codomain.is_everything())
      return not_applicable(name(), "the recession map misses the ray of a direction, but Y is a box");
    Rational t = 1;
    for (int k = 1; k <= 40 && !budget.exhausted(); ++k) {
      t *= 2;
      Vector y = d;
      for (Rational& v : y) v *= t;
      // The missed cone widens with t: a ball of radius 1 around t d is
      // missed once t is large, and says more than the point alone.
      std::optional<Rational> radius = Rational(1);
      auto tree = try_preimage_proof(net, y, radius, budget, options_.proof_node_limit);
      if (!tree) {
        radius.reset();
        tree = try_preimage_proof(net, y, radius, budget, options_.proof_node_limit);
      }
      if (!tree) continue;
      std::string why = "the recession map f_inf (every bias 0) maps no ray onto the ray of d (";
      why.append(std::to_string(count.nodes)).append(" region-tree nodes), so f misses t d for large t; here t = ");
      why.append(t.get_str()).append(radius ? " (preimage proof tree for the ball of radius 1)" : " (preimage proof tree)");
      return unreached_outcome(Unreached{y, radius}, why,
                               std::string(name()), *tree);
    }
    return not_applicable(name(), "the recession map misses the ray of a direction d, but no t d up to 2^40 d "
                                  "was proved unreachable");
  }

  Options options_;
};

}  // namespace

std::unique_ptr<Procedure> make_recession_degree(const Options& options) {
  return std::make_unique<RecessionDegree>(options);
}

}  // namespace nninv::decide
