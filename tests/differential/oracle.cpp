// The injectivity oracle: activation-region enumeration plus one LP per pair
// of regions and input coordinate, all in exact rationals.
//
// Why it is exact. f is continuous and affine on each closed region R (map
// A_R x + c_R), and the regions cover the domain X. So f(x1) = f(x2) with
// x1 != x2 happens iff for some regions R1, R2 (x1 in R1, x2 in R2) and some
// coordinate i, the polyhedron
//   S = {(x1, x2) : x1 in R1, x2 in R2, A_R1 x1 + c_R1 = A_R2 x2 + c_R2}
// contains a point with x2_i - x1_i != 0, i.e. sup over S of x2_i - x1_i or of
// x1_i - x2_i is > 0 (or +infinity). The pair (R2, R1) is the mirror image of
// (R1, R2), so unordered pairs with both signs cover every ordered pair.
#include "oracle.hpp"

#include <stdexcept>
#include <string>
#include <variant>

#include "exact_lp.hpp"

namespace nninv_test {

namespace {

using nninv::net::Box;
using nninv::net::Dense;
using nninv::net::Identity;
using nninv::net::LeakyRelu;
using nninv::net::Network;
using nninv::net::Relu;

Rational value_at(const AffineForm& form, const Vector& x) {
  Rational v = form.h;
  for (std::size_t k = 0; k < x.size(); ++k) v += form.g[k] * x[k];
  return v;
}

// The form's coefficients placed at variables [offset, offset + n) of a
// problem with `width` variables.
Vector placed(const Vector& g, std::size_t offset, std::size_t width) {
  Vector a(width);
  for (std::size_t k = 0; k < g.size(); ++k) a[offset + k] = g[k];
  return a;
}

// x in box, for the variables [offset, offset + box.dim()).
void add_box(lp::Problem& p, const Box& box, std::size_t offset) {
  for (std::size_t k = 0; k < box.dim(); ++k) {
    Vector e(p.num_vars());
    e[offset + k] = 1;
    if (box.sides[k].lower) p.add_ge(e, *box.sides[k].lower);
    if (box.sides[k].upper) p.add_le(e, *box.sides[k].upper);
  }
}

// x in the region's polyhedron (domain and sign conditions), at `offset`.
void add_region(lp::Problem& p, const Box& domain, const std::vector<AffineForm>& nonnegative,
                const std::vector<AffineForm>& nonpositive, std::size_t offset) {
  add_box(p, domain, offset);
  for (const AffineForm& f : nonnegative) p.add_ge(placed(f.g, offset, p.num_vars()), -f.h);  // g.x + h >= 0
  for (const AffineForm& f : nonpositive) p.add_le(placed(f.g, offset, p.num_vars()), -f.h);  // g.x + h <= 0
}

// Depth-first enumeration of activation patterns, one neuron at a time.
class RegionEnumerator {
 public:
  RegionEnumerator(const Network& net, RegionStats& stats) : net_(net), stats_(stats) {}

  std::vector<Region> run() {
    State start;
    for (std::size_t k = 0; k < net_.input_dim; ++k) {
      AffineForm coordinate{Vector(net_.input_dim), 0};
      coordinate.g[k] = 1;
      start.values.push_back(coordinate);
    }
    explore(0, 0, start);
    return std::move(regions_);
  }

 private:
  struct State {
    std::vector<AffineForm> nonnegative, nonpositive;  // the partial region
    std::vector<AffineForm> values;                    // current layer's values as forms of x
  };

  lp::Problem partial_region_problem(const State& s) const {
    lp::Problem p(net_.input_dim);
    add_region(p, net_.domain, s.nonnegative, s.nonpositive, 0);
    return p;
  }

  // Layer `layer`; inside an activation layer, `neuron` is the next neuron to split.
  void explore(std::size_t layer, std::size_t neuron, State s) {
    if (layer == net_.layers.size()) return emit(s);
    const auto& current = net_.layers[layer];
    if (const auto* dense = std::get_if<Dense>(&current)) {
      std::vector<AffineForm> next;
      for (std::size_t r = 0; r < dense->weights.rows(); ++r) {
        AffineForm out{Vector(net_.input_dim), dense->bias[r]};
        for (std::size_t c = 0; c < dense->weights.cols(); ++c) {
          const Rational& w = dense->weights(r, c);
          if (w == 0) continue;
          for (std::size_t k = 0; k < net_.input_dim; ++k) out.g[k] += w * s.values[c].g[k];
          out.h += w * s.values[c].h;
        }
        next.push_back(std::move(out));
      }
      s.values = std::move(next);
      return explore(layer + 1, 0, std::move(s));
    }
    if (std::holds_alternative<Identity>(current)) return explore(layer + 1, 0, std::move(s));
    if (neuron == s.values.size()) return explore(layer + 1, 0, std::move(s));

    // Activation neuron with pre-activation a = g.x + h on the partial region P
    // (nonempty by construction). Its inactive piece scales a by `slope`.
    Rational slope = 0;
    if (const auto* leaky = std::get_if<LeakyRelu>(&current))
      slope = leaky->alpha;
    else if (!std::holds_alternative<Relu>(current))
      throw std::logic_error("oracle: unsupported layer type");
    const AffineForm a = s.values[neuron];

    lp::Solver solver(partial_region_problem(s));
    ++stats_.lps;
    if (!solver.feasible()) throw std::logic_error("oracle: a partial region became empty");
    Vector minus_g(a.g.size());
    for (std::size_t k = 0; k < a.g.size(); ++k) minus_g[k] = -a.g[k];
    lp::Result up = solver.maximize(a.g), down = solver.maximize(minus_g);
    // sup a > 0, and inf a < 0, over P (+-infinity counts).
    bool reaches_positive = up.status == lp::Status::unbounded || up.value + a.h > 0;
    bool reaches_negative = down.status == lp::Status::unbounded || -down.value + a.h < 0;

    // Branches kept, and why they cover P:
    //  - both signs occur: split P into P & {a >= 0} and P & {a <= 0};
    //  - a >= 0 on all of P (including a == 0 on all of P): P is active;
    //  - a <= 0 on all of P: P is inactive.
    // A branch that is only the face P & {a = 0} is dropped: it lies inside the
    // kept branch, and there both pieces give the same value, since a = 0.
    if (reaches_positive && reaches_negative) {
      State active = s;
      active.nonnegative.push_back(a);
      explore(layer, neuron + 1, std::move(active));
      State inactive = std::move(s);
      inactive.nonpositive.push_back(a);
      scale(inactive.values[neuron], slope);
      explore(layer, neuron + 1, std::move(inactive));
    } else if (reaches_negative) {
      scale(s.values[neuron], slope);
      explore(layer, neuron + 1, std::move(s));
    } else {
      explore(layer, neuron + 1, std::move(s));
    }
  }

  static void scale(AffineForm& f, const Rational& factor) {
    for (Rational& v : f.g) v *= factor;
    f.h *= factor;
  }

  // Records a finished region, after checking its map against exact
  // evaluation at one of its points.
  void emit(const State& s) {
    auto point = lp::find_feasible_point(partial_region_problem(s));
    ++stats_.lps;
    if (!point) throw std::logic_error("oracle: an emitted region is empty");
    Vector via_map;
    for (const AffineForm& f : s.values) via_map.push_back(value_at(f, *point));
    if (via_map != nninv::net::evaluate(net_, *point))
      throw std::logic_error("oracle: a region's affine map disagrees with evaluate()");
    regions_.push_back(Region{s.nonnegative, s.nonpositive, s.values, *point});
  }

  const Network& net_;
  RegionStats& stats_;
  std::vector<Region> regions_;
};

// The twin polyhedron S of regions r1 (variables [0, n)) and r2 ([n, 2n)).
lp::Problem twin_problem(const Network& net, const Region& r1, const Region& r2) {
  std::size_t n = net.input_dim;
  lp::Problem p(2 * n);
  add_region(p, net.domain, r1.nonnegative, r1.nonpositive, 0);
  add_region(p, net.domain, r2.nonnegative, r2.nonpositive, n);
  // encodes: map1(x1) = map2(x2), as: g1.x1 - g2.x2 = h2 - h1 per output.
  for (std::size_t k = 0; k < r1.map.size(); ++k) {
    Vector a = placed(r1.map[k].g, 0, 2 * n);
    for (std::size_t j = 0; j < n; ++j) a[n + j] = -r2.map[k].g[j];
    p.add_eq(a, r2.map[k].h - r1.map[k].h);
  }
  return p;
}

void verify_collision(const Network& net, const Vector& x1, const Vector& x2) {
  std::string failure;
  if (x1 == x2)
    failure = "x1 == x2";
  else if (!net.domain.contains(x1) || !net.domain.contains(x2))
    failure = "a point outside the domain";
  else if (nninv::net::evaluate(net, x1) != nninv::net::evaluate(net, x2))
    failure = "f(x1) != f(x2)";
  if (!failure.empty()) throw std::logic_error("oracle: its own witness fails the exact check: " + failure);
}

}  // namespace

std::vector<Region> enumerate_regions(const Network& net, RegionStats* stats) {
  RegionStats local;
  return RegionEnumerator(net, stats ? *stats : local).run();
}

OracleAnswer oracle_injective(const Network& net) {
  RegionStats stats;
  std::vector<Region> regions = enumerate_regions(net, &stats);
  OracleAnswer answer;
  answer.regions = regions.size();
  const std::size_t n = net.input_dim;

  // Pairs (i, i) first: a rank-deficient region is the commonest collision.
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < regions.size(); ++i) pairs.emplace_back(i, i);
  for (std::size_t i = 0; i < regions.size(); ++i)
    for (std::size_t j = i + 1; j < regions.size(); ++j) pairs.emplace_back(i, j);

  for (auto [i, j] : pairs) {
    lp::Problem twin = twin_problem(net, regions[i], regions[j]);
    lp::Solver solver(twin);
    ++stats.lps;
    if (!solver.feasible()) continue;  // the two images do not meet
    for (std::size_t k = 0; k < n; ++k) {
      // Within one region the mirror image is the same problem, so one sign suffices.
      for (int sign : i == j ? std::vector<int>{1} : std::vector<int>{1, -1}) {
        Vector d(2 * n);  // sign * (x2_k - x1_k)
        d[n + k] = sign;
        d[k] = -sign;
        lp::Result r = solver.maximize(d);
        Vector point;
        if (r.status == lp::Status::optimal && r.value > 0) {
          point = r.x;
        } else if (r.status == lp::Status::unbounded) {
          // Any point with sign * (x2_k - x1_k) >= 1 will do; one exists.
          twin.add_ge(d, 1);
          auto found = lp::find_feasible_point(twin);
          ++stats.lps;
          if (!found) throw std::logic_error("oracle: unbounded direction without a point");
          point = *found;
        } else {
          continue;
        }
        answer.injective = false;
        answer.x1 = Vector(point.begin(), point.begin() + n);
        answer.x2 = Vector(point.begin() + n, point.end());
        verify_collision(net, *answer.x1, *answer.x2);
        answer.lps = stats.lps;
        return answer;
      }
    }
  }
  answer.lps = stats.lps;
  return answer;
}

}  // namespace nninv_test
