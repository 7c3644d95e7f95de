// The recession map's degree, counted facet by facet (recession.hpp; the
// argument in docs/architecture.md, "Recession degree"). Every ray from 0
// meets the surface of [-1, 1]^n once, so the rays that f_inf maps onto the
// ray through d are found by the region trees of f_inf on the 2n facets,
// each counted with the sign of its region's determinant.
#include "recession.hpp"

#include <random>

#include "nninv/cert/certificate.hpp"
#include "nninv/cert/path_system.hpp"
#include "proof_search.hpp"

namespace nninv::decide {

using arith::Constraint;
using arith::Matrix;
using arith::Rational;
using arith::Relation;
using arith::Vector;
using nlohmann::json;

namespace {

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

bool only_coordinate(const Constraint& c, std::size_t i) {
  for (std::size_t j = 0; j < c.a.size(); ++j)
    if (j != i && c.a[j] != 0) return false;
  return true;
}

class Counter {
 public:
  Counter(const net::Network& recession, const Vector& d, const Budget& budget, std::size_t max_nodes)
      : recession_(recession), d_(d), budget_(budget), max_nodes_(max_nodes) {
    count_.d = d;
  }

  RecessionCount run() {
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
      if (!arith::satisfies(c, xs)) return json{{"map", "nonsingular"}, {"ray", "miss"}};
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
  RecessionCount count_;
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

}  // namespace

std::optional<std::string> region_tree_unfit(const net::Network& net) {
  const std::size_t n = net.input_dim;
  if (!net.domain.is_everything() || net.output_dim() != n || n == 0) return "needs X = R^n and m = n";
  // f_inf = f with every bias 0 is the recession map only for positively
  // homogeneous activations, and the trees need piecewise-linear ones.
  for (const net::Layer& layer : net.layers)
    if (!std::holds_alternative<net::Dense>(layer) && !std::holds_alternative<net::Relu>(layer) &&
        !std::holds_alternative<net::LeakyRelu>(layer) && !std::holds_alternative<net::Identity>(layer))
      return "a layer other than dense, relu, leaky_relu or identity";
  if (n > max_region_tree_inputs)
    return "more than " + std::to_string(max_region_tree_inputs) +
           " inputs: region trees grow exponentially with the dimension";
  return std::nullopt;
}

json RecessionCount::evidence() const {
  return {{"kind", "recession_degree"}, {"d", cert::to_json(d)}, {"degree", degree},
          {"nodes", nodes}, {"stable_phases", "interval_bounds"}, {"facets", facets}};
}

RecessionCount count_recession_degree(const net::Network& net, const Budget& budget, std::size_t max_nodes) {
  net::Network recession = recession_network(net);
  std::mt19937_64 rng(11);
  RecessionCount count;
  for (int attempt = 0; attempt < 6 && !budget.exhausted(); ++attempt) {
    count = Counter(recession, direction(rng, net.input_dim), budget, max_nodes).run();
    if (!count.complete || count.generic) return count;
  }
  if (budget.exhausted()) count.complete = false;
  return count;
}

}  // namespace nninv::decide
