// Fold search: witnesses of non-injectivity for square networks (dim X = m).
// A continuous piecewise-affine map that is injective on an open set is
// coherently oriented there: the determinants of its affine pieces all have
// one sign (Scholtes 2012, Sec. 2.3). So sampled regions with determinants of
// opposite sign prove a fold somewhere between them; this procedure finds it
// and builds an explicit collision:
//  1. sample interior points of X, exact sign of det of the local Jacobian;
//  2. walk the segment a -> b from a positive to a negative sample, piece by
//     piece (exact breakpoints where a neuron changes sign), until two
//     consecutive pieces R1, R2 (maps A1 x + c1, A2 x + c2) have determinants
//     of opposite sign, meeting at p; a piece with det 0 on the way gets the
//     local-rank construction instead;
//  3. A1 and A2 agree on the common facet, so M = A2^-1 A1 fixes it and has
//     det M < 0: M sends a direction d1 into R1 to a direction d2 into R2.
//     x1 = p + e d1 and x2 = p + e d2 satisfy A1 x1 + c1 = A2 x2 + c2.
// Every witness is checked by exact evaluation before it is returned; any
// degenerate situation (a segment inside a neuron's hyperplane, a witness
// that fails its check) just abandons that segment.
#include <algorithm>
#include <cmath>
#include <set>

#include "nninv/analysis/local_map.hpp"
#include "nninv/decide/pipeline.hpp"
#include "procedures.hpp"

namespace nninv::decide {

using analysis::LocalMap;
using analysis::TieRule;
using arith::Matrix;
using arith::Rational;
using arith::Vector;

namespace {

int sign_of(const Rational& q) { return sgn(q); }

Vector along(const Vector& a, const Rational& t, const Vector& v) {
  Vector x = a;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (v[i] != 0) x[i] += t * v[i];
  return x;
}

// True when no neuron sits at 0 with a nonzero gradient: x0 is then in the
// interior of one full-dimensional region (neurons that are constantly 0 there
// do not matter: their rows of the Jacobian are 0 in either phase).
bool generic_point(const LocalMap& map) {
  for (const analysis::NeuronAtPoint& n : map.neurons)
    if (n.value == 0 && !arith::is_zero(n.gradient)) return false;
  return true;
}

struct Sample {
  Vector x;
  LocalMap map;
};

// The closed region entered at p when moving along +v: each neuron at 0 takes
// the phase its pre-activation takes just after p. Phases are fixed in layer
// order (a neuron's gradient depends only on earlier layers), starting from
// the guess `ties` (one entry per neuron at 0, in order). Nothing when the
// segment runs inside the hyperplane of a neuron (degenerate).
std::optional<LocalMap> region_after(const net::Network& net, const Vector& p, const Vector& v,
                                     std::vector<bool> ties) {
  LocalMap map = analysis::local_map(net, p, TieRule::chosen, ties);
  for (std::size_t attempt = 0; attempt <= map.neurons.size(); ++attempt) {
    std::size_t tie = 0;
    bool changed = false;
    for (const analysis::NeuronAtPoint& n : map.neurons) {
      if (n.value != 0) continue;
      Rational rate = arith::dot(n.gradient, v);
      if (rate == 0 && !arith::is_zero(n.gradient)) return std::nullopt;
      bool active = rate > 0;
      if (ties.size() <= tie) ties.resize(tie + 1, false);
      if (ties[tie] != active) {
        ties[tie] = active;
        changed = true;
        break;
      }
      ++tie;
    }
    if (!changed) return map;
    map = analysis::local_map(net, p, TieRule::chosen, ties);
  }
  return std::nullopt;
}

// The largest power of 1/2 not above `bound` (bound > 0).
Rational power_of_half_below(const Rational& bound) {
  Rational step = 1;
  while (step > bound) step /= 2;
  return step;
}

// Step 3: p lies on the common boundary of `before` (reached along -v) and
// `after` (reached along +v), whose Jacobians on the free coordinates have
// determinants of opposite sign. back_room: p - s v stays in `before` for s in
// [0, back_room].
std::optional<Collision> fold_witness(const net::Network& net, const std::vector<std::size_t>& free,
                                      const Vector& p, const LocalMap& before, const LocalMap& after, const Vector& v,
                                      const Rational& back_room) {
  Matrix a1 = select_columns(before.jacobian, free), a2 = select_columns(after.jacobian, free);
  Vector d1(free.size());
  for (std::size_t j = 0; j < free.size(); ++j) d1[j] = -v[free[j]];
  std::optional<Vector> solved = arith::solve(a2, a1 * d1);
  if (!solved) return std::nullopt;
  Vector d2(net.input_dim);
  for (std::size_t j = 0; j < free.size(); ++j) d2[free[j]] = (*solved)[j];
  if (arith::is_zero(d2)) return std::nullopt;

  // x2 = p + e d2 must stay in the closed region `after`: neurons at 0 at p
  // must move to (or stay on) the side `after` gives them, the others must not
  // reach 0 (pattern_step_limit), and x2 must stay in X.
  for (const analysis::NeuronAtPoint& n : after.neurons) {
    if (n.value != 0 || arith::is_zero(n.gradient)) continue;
    int side = sign_of(arith::dot(n.gradient, v));    // the phase `after` gives it
    int moves = sign_of(arith::dot(n.gradient, d2));
    if (moves != 0 && moves != side) return std::nullopt;
  }
  Rational e = back_room / 2;
  if (auto limit = analysis::pattern_step_limit(after, d2)) e = std::min(e, Rational(*limit / 2));
  for (std::size_t i : free) {
    const net::Interval& s = net.domain.sides[i];
    if (d2[i] > 0 && s.upper) e = std::min(e, Rational((*s.upper - p[i]) / d2[i] / 2));
    if (d2[i] < 0 && s.lower) e = std::min(e, Rational((*s.lower - p[i]) / d2[i] / 2));
  }
  if (e <= 0) return std::nullopt;
  e = power_of_half_below(e);
  for (int halving = 0; halving < 8; ++halving, e /= 2) {
    Collision c{along(p, -e, v), along(p, e, d2), {}};
    c.y = net::evaluate(net, c.x1);
    if (check_collision(net, c).empty()) return c;
  }
  return std::nullopt;
}

struct WalkResult {
  std::optional<Collision> collision;
  bool folded = false;  // the collision comes from a fold (not from a det-0 piece)
};

// Step 2: the pieces of the segment a -> b, a and b generic points whose
// determinants have opposite signs.
WalkResult walk(const net::Network& net, const std::vector<std::size_t>& free, const Sample& a, const Vector& b,
                const Budget& budget, std::size_t& steps_left) {
  Vector v(net.input_dim);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = b[i] - a.x[i];
  LocalMap current = a.map;
  int current_sign = sign_of(arith::determinant(select_columns(current.jacobian, free)));
  Rational t = 0;
  while (steps_left > 0 && !budget.exhausted()) {
    --steps_left;
    std::optional<Rational> limit = analysis::pattern_step_limit(current, v);
    if (!limit) return {};
    Rational next = t + *limit;
    if (next >= 1) return {};
    Vector p = along(a.x, next, v);
    // Guess the phases after p from the current piece (exact for the neurons
    // whose gradient does not change at p): a neuron reaching 0 at p
    // continues to the side it was heading for.
    std::vector<bool> guess;
    for (const analysis::NeuronAtPoint& n : current.neurons) {
      Rational rate = arith::dot(n.gradient, v);
      if (n.value + *limit * rate == 0) guess.push_back(rate > 0);
    }
    std::optional<LocalMap> after = region_after(net, p, v, std::move(guess));
    if (!after) return {};
    int after_sign = sign_of(arith::determinant(select_columns(after->jacobian, free)));
    if (current_sign != 0 && after_sign == -current_sign)
      if (auto c = fold_witness(net, free, p, current, *after, v, next - t)) return {std::move(c), true};
    if (after_sign == 0) {
      // A rank-deficient piece: the local-rank construction at its midpoint.
      Rational room = 1 - next;
      if (auto l = analysis::pattern_step_limit(*after, v)) room = std::min(room, *l);
      if (auto c = try_collision_at(net, along(a.x, next + room / 2, v))) return {std::move(c), false};
    }
    current = std::move(*after);
    current_sign = after_sign;
    t = next;
  }
  return {};
}

class FoldSearch : public Procedure {
 public:
  std::string_view name() const override { return "fold search"; }
  Outcome run(const net::Network& net, const Budget& budget) override {
    constexpr Property property = Property::injective;
    std::vector<std::size_t> free = net.domain.free_coordinates();
    if (free.empty() || free.size() != net.output_dim())
      return Outcome::unknown(property, "not a square map (dim X != output dimension)", std::string(name()));

    // Samples come in batches; after each batch the shortest untried segments
    // between regions of opposite orientation are walked (usually the first
    // batches settle it), the rest after the last batch.
    constexpr std::size_t sample_count = 64, batch = 8, pairs_per_batch = 4, pair_limit = 32;
    std::vector<Sample> positive, negative;
    std::set<std::pair<std::size_t, std::size_t>> tried;
    std::size_t steps_left = 20000;  // breakpoints crossed, over all segments
    std::vector<Vector> points = interior_samples(net.domain, sample_count, /*seed=*/7);
    for (std::size_t k = 0; k < points.size(); ++k) {
      if (budget.exhausted()) return Outcome::unknown(property, budget.exhaustion_reason(), std::string(name()));
      LocalMap map = analysis::local_map(net, points[k]);
      if (generic_point(map)) {
        int s = sign_of(arith::determinant(select_columns(map.jacobian, free)));
        if (s == 0) {
          if (auto c = try_collision_at(net, points[k]))
            return Outcome::collision_found(std::move(*c),
                                            "the activation region around x1 maps affinely with a singular matrix; "
                                            "x2 = x1 + t v for a kernel vector v",
                                            std::string(name()));
        } else {
          (s > 0 ? positive : negative).push_back(Sample{points[k], std::move(map)});
        }
      }
      bool last = k + 1 == points.size();
      if ((k + 1) % batch != 0 && !last) continue;
      if (positive.empty() || negative.empty()) continue;
      // Shortest segments first (they cross the fewest regions); distances
      // in doubles only order the search.
      struct Pair {
        double distance;
        std::size_t i, j;
      };
      std::vector<Pair> pairs;
      for (std::size_t i = 0; i < positive.size(); ++i)
        for (std::size_t j = 0; j < negative.size(); ++j) {
          if (tried.count({i, j})) continue;
          double d = 0;
          for (std::size_t c = 0; c < net.input_dim; ++c)
            d = std::max(d, std::fabs(arith::to_double(positive[i].x[c] - negative[j].x[c])));
          pairs.push_back({d, i, j});
        }
      std::stable_sort(pairs.begin(), pairs.end(), [](const Pair& l, const Pair& r) { return l.distance < r.distance; });
      std::size_t room = pair_limit - tried.size();
      if (!last) room = std::min(room, pairs_per_batch);
      if (pairs.size() > room) pairs.resize(room);
      for (const Pair& pr : pairs) {
        if (budget.exhausted() || steps_left == 0) break;
        tried.insert({pr.i, pr.j});
        WalkResult w = walk(net, free, positive[pr.i], negative[pr.j].x, budget, steps_left);
        if (!w.collision) continue;
        return Outcome::collision_found(
            std::move(*w.collision),
            w.folded ? "two neighbouring linear regions have local Jacobians with determinants of opposite sign, so "
                       "f folds across their common facet (an injective PA map is coherently oriented, Scholtes "
                       "2012, Sec. 2.3): x1 lies on one side, x2 = p + A2^-1 A1 (x1 - p) on the other, for a point p "
                       "of the facet"
                     : "a linear region between two regions of opposite orientation maps affinely with a singular "
                       "matrix; x2 = x1 + t v for a kernel vector v",
            std::string(name()));
      }
    }
    if (budget.exhausted()) return Outcome::unknown(property, budget.exhaustion_reason(), std::string(name()));
    if (positive.empty() || negative.empty())
      return Outcome::unknown(property,
                              "the local Jacobians at " + std::to_string(positive.size() + negative.size()) +
                                  " sampled regions all have determinants of one sign",
                              std::string(name()));
    return Outcome::unknown(property,
                            "regions of both orientations were sampled (so f is not injective), but no fold witness "
                            "was constructed on " + std::to_string(tried.size()) + " segments",
                            std::string(name()));
  }
};

}  // namespace

std::unique_ptr<Procedure> make_fold_search() { return std::make_unique<FoldSearch>(); }

std::optional<Collision> fold_between(const net::Network& net, const Vector& a, const Vector& b, const Budget& budget) {
  LocalMap map = analysis::local_map(net, a);
  std::vector<std::size_t> free = net.domain.free_coordinates();
  if (!generic_point(map) || free.size() != net.output_dim()) return std::nullopt;
  std::size_t steps_left = 20000;
  return walk(net, free, Sample{a, std::move(map)}, b, budget, steps_left).collision;
}

}  // namespace nninv::decide
