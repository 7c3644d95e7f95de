// Tests of the oracle itself, on networks whose answers are worked out by
// hand, and a coverage check of its region enumeration on random networks.
#include <catch2/catch.hpp>

#include "nets.hpp"
#include "oracle.hpp"

using namespace nninv_test;
using nninv::net::Box;
using nninv::net::Interval;
using nninv::net::LeakyRelu;
using nninv::net::Network;
using nninv::net::Relu;

namespace {

Rational q(long p, long d = 1) {
  Rational r(p, d);
  r.canonicalize();
  return r;
}

Box box(std::vector<Interval> sides) { return Box{std::move(sides)}; }

void require_collision(const Network& net, const OracleAnswer& a) {
  REQUIRE_FALSE(a.injective);
  REQUIRE(a.x1);
  REQUIRE(a.x2);
  REQUIRE(*a.x1 != *a.x2);
  REQUIRE(net.domain.contains(*a.x1));
  REQUIRE(net.domain.contains(*a.x2));
  REQUIRE(nninv::net::evaluate(net, *a.x1) == nninv::net::evaluate(net, *a.x2));
}

// x -> |x| = relu(x) + relu(-x).
Network fold() { return network(1, {dense({{1}, {-1}}), Relu{}, dense({{1, 1}})}); }

}  // namespace

TEST_CASE("oracle: the fold |x|", "[oracle]") {
  Network net = fold();
  SECTION("on R: not injective") { require_collision(net, oracle_injective(net)); }
  SECTION("on [0, 2]: injective") {
    net.domain = box({{q(0), q(2)}});
    REQUIRE(oracle_injective(net).injective);
  }
  SECTION("on [-1, 1/2]: not injective") {
    net.domain = box({{q(-1), q(1, 2)}});
    require_collision(net, oracle_injective(net));
  }
  SECTION("on [-1, 0]: injective (touching 0 from one side only)") {
    net.domain = box({{q(-1), q(0)}});
    REQUIRE(oracle_injective(net).injective);
  }
  SECTION("on (-inf, 1/3]: not injective") {
    net.domain = box({{std::nullopt, q(1, 3)}});
    require_collision(net, oracle_injective(net));
  }
}

TEST_CASE("oracle: one relu on R collides at unbounded distance", "[oracle]") {
  // Every x <= 0 maps to 0: the twin LP is unbounded.
  Network net = network(1, {Relu{}});
  require_collision(net, oracle_injective(net));
  net.domain = box({{q(0), std::nullopt}});
  REQUIRE(oracle_injective(net).injective);
}

TEST_CASE("oracle: relu(x), relu(-x) keeps everything", "[oracle]") {
  Network net = network(1, {dense({{1}, {-1}}), Relu{}});
  REQUIRE(oracle_injective(net).injective);
  Network two = network(2, {dense({{1, 0}, {0, 1}, {-1, 0}, {0, -1}}), Relu{}});
  REQUIRE(oracle_injective(two).injective);
  // Three rows in R^2 can never be injective (Puthawala et al.: width >= 2n).
  Network three = network(2, {dense({{1, 0}, {0, 1}, {-1, -1}}), Relu{}});
  require_collision(three, oracle_injective(three));
}

TEST_CASE("oracle: leaky relu sums", "[oracle]") {
  // l(x) + c l(-x) with alpha 1/2 has slopes 1 - c/2 (x > 0) and 1/2 - c (x < 0).
  SECTION("c = 1: slopes 1/2 and -1/2, a fold") {
    Network net = network(1, {dense({{1}, {-1}}), LeakyRelu{q(1, 2)}, dense({{1, 1}})});
    require_collision(net, oracle_injective(net));
  }
  SECTION("c = 3: slopes -1/2 and -5/2, monotone") {
    Network net = network(1, {dense({{1}, {-1}}), LeakyRelu{q(1, 2)}, dense({{1, 3}})});
    REQUIRE(oracle_injective(net).injective);
  }
  SECTION("c = 2: slope 0 on x > 0") {
    Network net = network(1, {dense({{1}, {-1}}), LeakyRelu{q(1, 2)}, dense({{1, 2}})});
    require_collision(net, oracle_injective(net));
    net.domain = box({{std::nullopt, q(0)}});
    REQUIRE(oracle_injective(net).injective);
  }
}

TEST_CASE("oracle: pinned coordinates", "[oracle]") {
  // (relu(x1), relu(-x1), relu(x2)): x2 is lost below 0 unless it is pinned.
  Network net = network(2, {dense({{1, 0}, {-1, 0}, {0, 1}}), Relu{}});
  require_collision(net, oracle_injective(net));
  net.domain = box({{}, {q(-1), q(-1)}});
  REQUIRE(oracle_injective(net).injective);
  // Every coordinate pinned: a single point is trivially injective.
  Network point = network(2, {dense({{0, 0}}), Relu{}});
  point.domain = box({{q(1), q(1)}, {q(-1, 2), q(-1, 2)}});
  REQUIRE(oracle_injective(point).injective);
}

TEST_CASE("oracle: region counts", "[oracle]") {
  auto count = [](const Network& net) { return enumerate_regions(net).size(); };
  // Two coordinate hyperplanes: 4 quadrants.
  REQUIRE(count(network(2, {dense({{1, 0}, {0, 1}}), Relu{}})) == 4);
  // A zero row does not split anything.
  REQUIRE(count(network(2, {dense({{1, 0}, {0, 0}}), Relu{}})) == 2);
  // Parallel rows give one hyperplane.
  REQUIRE(count(network(2, {dense({{1, 0}, {2, 0}}), Relu{}})) == 2);
  // Three lines in general position cut the plane into 7 regions...
  REQUIRE(count(network(2, {dense({{1, 0}, {0, 1}, {1, 1}}, {0, 0, -1}), Relu{}})) == 7);
  // ...and into 6 when they pass through one point.
  REQUIRE(count(network(2, {dense({{1, 0}, {0, 1}, {1, 1}}), Relu{}})) == 6);
  // A box that stays inside one quadrant.
  Network inside = network(2, {dense({{1, 0}, {0, 1}}), Relu{}});
  inside.domain = box({{q(1), q(2)}, {q(-2), q(-1)}});
  REQUIRE(count(inside) == 1);
}

TEST_CASE("oracle: regions cover sampled points with the right maps", "[oracle]") {
  // Independent of the pair LPs: every sampled domain point lies in some
  // region, and that region's map gives evaluate() there.
  Rng rng(77);
  const std::vector<Rational> coords = {0, 1, -1, q(1, 2), q(-1, 2), 2, -2, q(1, 3), q(-5, 3), 3};
  for (std::uint64_t seed = 0; seed < 80; ++seed) {
    Network net = random_network(seed);
    std::vector<Region> regions = enumerate_regions(net);
    REQUIRE_FALSE(regions.empty());
    for (int trial = 0; trial < 20; ++trial) {
      Vector x(net.input_dim);
      for (std::size_t k = 0; k < x.size(); ++k) {
        x[k] = rng.pick(coords);
        const Interval& side = net.domain.sides[k];
        if (side.lower && x[k] < *side.lower) x[k] = *side.lower;
        if (side.upper && x[k] > *side.upper) x[k] = *side.upper;
      }
      auto form = [&](const AffineForm& f) {
        Rational v = f.h;
        for (std::size_t k = 0; k < x.size(); ++k) v += f.g[k] * x[k];
        return v;
      };
      bool covered = false;
      for (const Region& r : regions) {
        bool inside = true;
        for (const AffineForm& f : r.nonnegative) inside = inside && form(f) >= 0;
        for (const AffineForm& f : r.nonpositive) inside = inside && form(f) <= 0;
        if (!inside) continue;
        covered = true;
        Vector y;
        for (const AffineForm& f : r.map) y.push_back(form(f));
        INFO("seed " << seed << "\n" << to_json(net));
        REQUIRE(y == nninv::net::evaluate(net, x));
      }
      INFO("seed " << seed << "\n" << to_json(net));
      REQUIRE(covered);
    }
  }
}
