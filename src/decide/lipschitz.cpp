// Lipschitz bounds with the decision layer's structure
// (include/nninv/decide/lipschitz.hpp; docs/architecture.md, "Lipschitz
// bounds"): analysis's sources, then
//   - the region tree (upper): on a convex X covered by the closed linear
//     regions of f, Lip(f) <= max over regions of ||A_region||; the value
//     itself when a pair inside the largest region attains it, and
//   - block composition (lower): the product of the bijective blocks' moduli.
#include "nninv/decide/lipschitz.hpp"

#include "nninv/arith/farkas.hpp"
#include "nninv/cert/path_system.hpp"
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

// Nets up to this size get a region tree (it grows exponentially with the
// number of unstable neurons).
constexpr std::size_t max_region_inputs = 8;
constexpr std::size_t max_region_neurons = 64;
constexpr std::size_t max_region_nodes = 20000;

// ||v|| in `norm`, raised to the power that keeps it rational (2: squared).
Rational norm_power(const Vector& v, analysis::Norm norm) {
  Rational r = 0;
  for (const Rational& x : v) {
    if (norm == analysis::Norm::inf) r = std::max(r, Rational(abs(x)));
    else if (norm == analysis::Norm::one) r += abs(x);
    else r += x * x;
  }
  return r;
}

// The exact norm of A (1: largest column sum, inf: largest row sum) and a
// direction d (entries -1, 0, 1) with ||A d|| = ||A|| ||d||.
std::pair<Rational, Vector> norm_and_direction(const Matrix& a, analysis::Norm norm) {
  Rational best = -1;
  Vector d(a.cols());
  if (norm == analysis::Norm::inf) {
    for (std::size_t r = 0; r < a.rows(); ++r) {
      Rational sum = 0;
      for (std::size_t c = 0; c < a.cols(); ++c) sum += abs(a(r, c));
      if (sum <= best) continue;
      best = sum;
      for (std::size_t c = 0; c < a.cols(); ++c) d[c] = a(r, c) > 0 ? 1 : a(r, c) < 0 ? -1 : 0;
    }
  } else {
    for (std::size_t c = 0; c < a.cols(); ++c) {
      Rational sum = 0;
      for (std::size_t r = 0; r < a.rows(); ++r) sum += abs(a(r, c));
      if (sum <= best) continue;
      best = sum;
      d = Vector(a.cols());
      d[c] = 1;
    }
  }
  return {std::max(best, Rational(0)), d};
}

struct RegionUpper {
  Rational bound;
  json tree;
  std::size_t regions = 0;
  std::optional<std::pair<Vector, Vector>> attained;
};

// Every non-constant row strict (equalities both ways): infeasible exactly
// when the region has no interior point.
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

std::optional<RegionUpper> region_upper(const net::Network& net, analysis::Norm norm, const Budget& budget) {
  std::vector<std::size_t> free = net.domain.free_coordinates();
  if (free.empty() || free.size() > max_region_inputs || net.nonlinear_neuron_count() > max_region_neurons)
    return std::nullopt;
  RegionUpper result;
  // The regions whose map has the largest norm so far (up to 32), with a direction each.
  std::vector<std::pair<std::vector<Constraint>, Vector>> best;
  auto leaf = [&](const cert::PathSystem& ps) -> std::optional<json> {
    // A region without an interior lies in the union of the full ones around it: its map (a choice of
    // phases on a tie) need not be f's anywhere, so it is proved thin and left out.
    arith::Feasibility inside = arith::decide_feasibility(strict_rows(ps.constraints()), net.input_dim);
    if (inside.multipliers) return json{{"thin", farkas_leaf(*inside.multipliers)}};
    Matrix a(net.output_dim(), free.size());
    for (std::size_t k = 0; k < a.rows(); ++k)
      for (std::size_t j = 0; j < a.cols(); ++j) a(k, j) = ps.output(0, k).coeffs[free[j]];
    Rational value;
    Vector d;
    if (norm == analysis::Norm::two) value = analysis::spectral_norm_upper(a);
    else std::tie(value, d) = norm_and_direction(a, norm);
    ++result.regions;
    if (result.regions == 1 || value > result.bound) {
      result.bound = value;
      best.clear();
    }
    if (value == result.bound && best.size() < 32) best.emplace_back(ps.constraints(), d);
    return json::object();
  };
  std::size_t nodes = 0;
  std::optional<json> tree = try_region_tree(net, budget, max_region_nodes, leaf, &nodes);
  if (!tree) return std::nullopt;
  result.tree = {{"kind", "region_tree"}, {"tree", *tree}, {"stable_phases", "interval_bounds"},
                 {"regions", result.regions}, {"nodes", nodes}};
  // The value: a point inside a largest region (thin ones have none) and a
  // step along its direction that stays inside.
  if (norm == analysis::Norm::two) return result;
  for (const auto& [rows, direction] : best) {
    std::vector<Constraint> strict = strict_rows(rows);
    std::optional<Vector> x0 = arith::decide_feasibility(strict, net.input_dim).point;
    if (!x0) continue;
    Vector d(net.input_dim);
    for (std::size_t j = 0; j < free.size(); ++j) d[free[j]] = direction[j];
    if (arith::is_zero(d)) continue;
    Rational step = 1;
    for (int halving = 0; halving < 64; ++halving, step /= 2) {
      Vector x1 = *x0;
      for (std::size_t i = 0; i < x1.size(); ++i) x1[i] += step * d[i];
      if (!arith::satisfies(strict, x1)) continue;
      Vector fa = net::evaluate(net, *x0), fb = net::evaluate(net, x1);
      Vector dy(fa.size()), dx(x1.size());
      for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = fb[i] - fa[i];
      for (std::size_t i = 0; i < dx.size(); ++i) dx[i] = x1[i] - (*x0)[i];
      if (norm_power(dy, norm) == result.bound * norm_power(dx, norm)) result.attained = {{*x0, x1}};
      break;
    }
    if (result.attained) break;
  }
  return result;
}

}  // namespace

analysis::LipschitzResult lipschitz_bounds(const net::Network& net, analysis::Norm norm,
                                           const std::function<bool()>& stop, std::optional<double> region_seconds) {
  analysis::LipschitzResult r = analysis::lipschitz_bounds(net, norm, stop);
  if (stop && stop()) return r;
  // Upper: the region tree, when it is smaller or attained.
  if (!r.upper_exact && (!region_seconds || *region_seconds > 0)) {
    Budget budget(region_seconds);
    if (std::optional<RegionUpper> u = region_upper(net, norm, budget)) {
      r.sources.region_tree = u->bound;
      if (u->bound < r.upper || (u->bound == r.upper && u->attained)) {
        r.upper = u->bound;
        r.upper_exact = u->attained.has_value();
        r.upper_attained = u->attained;
        r.upper_method = "the largest norm of the map of a linear region of f (" + std::to_string(u->regions) +
                         " regions of a region tree of X): a segment in the convex X crosses regions, on each of "
                         "which f is affine";
        r.evidence.upper_source = "region_tree";
        r.evidence.region_tree = std::move(u->tree);
      }
    }
  }
  if (stop && stop()) return r;
  // Lower: block composition.
  if (r.inverse_lower_exact) return r;
  std::optional<BlocksModulus> b = blocks_modulus(net, norm, stop);
  if (!b) return r;
  r.sources.blocks = b->m;
  if (b->m <= r.inverse_lower) return r;
  r.inverse_lower = b->m;
  r.lower_attained.reset();
  r.lower_method = "composition of " + std::to_string(b->count) +
                   " bijective blocks (coupling layers, residual contractions, invertible affine maps): each block "
                   "y = L x + c + P h(x) has ||x1 - x2|| <= t (1 + q) ||y1 - y2|| (coupling) or t / (1 - q) ||y1 - y2|| "
                   "(contraction), t >= ||L^-1||, q >= Lip(L^-1 P h)";
  r.evidence.lower_source = "blocks";
  r.evidence.blocks = std::move(b->blocks);
  return r;
}

}  // namespace nninv::decide
