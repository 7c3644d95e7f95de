// Witness search by local rank (DESIGN.md section 3, item 5): at a point x in
// the interior of an activation region whose affine matrix A has rank < dim X,
// x and x + t v (A v = 0, t small) collide. Exact ranks, exact step sizes.
#include <random>

#include "nninv/analysis/local_map.hpp"
#include "nninv/decide/pipeline.hpp"
#include "procedures.hpp"

namespace nninv::decide {

using arith::Rational;
using arith::Vector;

InteriorSampler::InteriorSampler(const net::Box& domain, std::uint64_t seed) : domain_(domain), rng_(seed) {}

Vector InteriorSampler::next() {
  constexpr long denominator = 1024;
  static const Rational scales[] = {Rational(1), Rational(4), Rational(1, 4), Rational(16), Rational(64)};
  const Rational& scale = scales[count_++ % std::size(scales)];
  Vector x(domain_.dim());
  for (std::size_t i = 0; i < domain_.dim(); ++i) {
    const net::Interval& s = domain_.sides[i];
    Rational u(static_cast<long>(rng_() % (denominator - 1)) + 1, denominator);  // in (0, 1)
    if (s.is_point())
      x[i] = *s.lower;
    else if (s.lower && s.upper)
      x[i] = *s.lower + (*s.upper - *s.lower) * u;
    else if (s.lower)
      x[i] = *s.lower + scale * u;
    else if (s.upper)
      x[i] = *s.upper - scale * u;
    else
      x[i] = scale * (2 * u - 1);
    x[i].canonicalize();
  }
  return x;
}

std::vector<Vector> interior_samples(const net::Box& domain, std::size_t count, std::uint64_t seed) {
  InteriorSampler sampler(domain, seed);
  std::vector<Vector> points;
  for (std::size_t k = 0; k < count; ++k) points.push_back(sampler.next());
  return points;
}

std::optional<Collision> try_collision_at(const net::Network& net, const Vector& x0) {
  std::vector<std::size_t> free = net.domain.free_coordinates();
  if (free.empty()) return std::nullopt;
  analysis::LocalMap map = analysis::local_map(net, x0);
  arith::Matrix constraints = select_columns(map.jacobian, free);
  for (const analysis::NeuronAtPoint& n : map.neurons) {
    if (n.value != 0) continue;
    Vector g;
    for (std::size_t i : free) g.push_back(n.gradient[i]);
    constraints.append_row(g);
  }
  std::vector<Vector> basis = arith::kernel(constraints);
  if (basis.empty()) return std::nullopt;
  Vector v(net.input_dim);
  for (std::size_t j = 0; j < free.size(); ++j) v[free[j]] = basis.front()[j];

  scale_to_coprime_integers(v);
  Rational t = 1;
  if (auto limit = analysis::pattern_step_limit(map, v)) t = std::min(t, Rational(*limit / 2));
  return collision_along(net, x0, v, t);
}

void scale_to_coprime_integers(Vector& v) {
  mpz_class common_den = 1, common_num = 0;
  for (const Rational& q : v) common_den = lcm(common_den, q.get_den());
  for (Rational& q : v) q *= common_den;
  for (const Rational& q : v) common_num = gcd(common_num, q.get_num());
  if (common_num != 0)
    for (Rational& q : v) q /= common_num;
}

std::optional<Collision> collision_along(const net::Network& net, const Vector& x0, const Vector& v, Rational t) {
  for (std::size_t i : net.domain.free_coordinates()) {
    const net::Interval& s = net.domain.sides[i];
    if (v[i] > 0 && s.upper) t = std::min(t, Rational((*s.upper - x0[i]) / v[i] / 2));
    if (v[i] < 0 && s.lower) t = std::min(t, Rational((*s.lower - x0[i]) / v[i] / 2));
  }
  Rational step = 1;  // short witnesses: a power of 1/2
  while (step > t) step /= 2;
  Vector x2 = x0;
  for (std::size_t i = 0; i < x2.size(); ++i) x2[i] += step * v[i];
  Collision c{x0, x2, net::evaluate(net, x0)};
  if (!check_collision(net, c).empty()) return std::nullopt;
  return c;
}

namespace {

class LocalRankSearch : public Procedure {
 public:
  std::string_view name() const override { return "local-rank search"; }
  Outcome run(const net::Network& net, const Budget& budget) override {
    constexpr Property property = Property::injective;
    constexpr std::size_t samples = 64;
    InteriorSampler sampler(net.domain, /*seed=*/1);
    for (std::size_t k = 0; k < samples; ++k) {
      if (budget.exhausted()) break;
      Vector x0 = sampler.next();
      if (auto c = try_collision_at(net, x0)) {
        return Outcome::collision_found(
            std::move(*c),
            "the activation region around x1 maps affinely with a rank-deficient matrix; x2 = x1 + t v for a "
            "kernel vector v and a step t that keeps the activation pattern",
            std::string(name()));
      }
    }
    return Outcome::unknown(property, "no rank-deficient region among " + std::to_string(samples) + " sampled points",
                            std::string(name()));
  }
};

}  // namespace

std::unique_ptr<Procedure> make_local_rank_search() { return std::make_unique<LocalRankSearch>(); }

}  // namespace nninv::decide
