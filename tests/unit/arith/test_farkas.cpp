// Exact LP helpers of src/arith/farkas.cpp and the section-tree pieces of
// src/cert/path_system.cpp: feasible points, Farkas multipliers, patterns.
#include <catch2/catch.hpp>
#include <random>

#include "nninv/arith/farkas.hpp"
#include "nninv/cert/path_system.hpp"
#include "nninv/io/json_loader.hpp"

using namespace nninv;
using arith::Constraint;
using arith::Rational;
using arith::Relation;
using arith::Vector;

namespace {

// The test's own check of a point, every row read as closed (independent of arith::satisfies).
bool within_closed(const std::vector<Constraint>& system, const Vector& v) {
  for (const Constraint& c : system) {
    Rational lhs = arith::dot(c.a, v);
    if ((c.rel == Relation::eq && lhs != c.b) || (c.rel != Relation::eq && lhs > c.b)) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("find_feasible_point returns a point of the polyhedron or nothing", "[unit][farkas]") {
  // x + y <= 1, -x <= 2, -y <= 2, x - y = 1/2 (free variables, negative values allowed)
  std::vector<Constraint> system{{{1, 1}, 1, Relation::le},
                                 {{-1, 0}, 2, Relation::le},
                                 {{0, -1}, 2, Relation::le},
                                 {{1, -1}, Rational(1, 2), Relation::eq}};
  auto v = arith::find_feasible_point(system, 2);
  REQUIRE(v);
  CHECK(within_closed(system, *v));
  CHECK_FALSE(arith::find_farkas_multipliers(system, 2));
  // Add x + y >= 3: infeasible; no point, and Farkas multipliers prove it.
  system.push_back({{-1, -1}, -3, Relation::le});
  CHECK_FALSE(arith::find_feasible_point(system, 2));
  auto m = arith::find_farkas_multipliers(system, 2);
  REQUIRE(m);
  std::string why;
  CHECK(cert::verify_farkas(system, *m, &why));
  CHECK(arith::find_feasible_point({}, 3) == Vector(3));
  // A point far from the origin: y >= 10^6.
  auto far = arith::find_feasible_point({{{0, -1}, -1000000, Relation::le}}, 2);
  REQUIRE(far);
  CHECK((*far)[1] >= 1000000);
}

TEST_CASE("Farkas multipliers from the double-guided basis are exact, on rows of very different scales",
          "[unit][farkas]") {
  // Rows with float32-like coefficients (denominators 2^24 and 2^48) and a
  // huge one: x <= 2^-24, -x <= -(2^-24 + g) is infeasible by g. With
  // g = 2^-10 the doubles see it; with g = 2^-48 (below their tolerance)
  // the guided effort may miss it but must never return a wrong
  // certificate, and the exact effort finds it.
  Rational small(1, 1 << 24);
  for (Rational gap : {Rational(1, 1 << 10), Rational(small * small)}) {
    std::vector<Constraint> system{{{small * 3, Rational(1000000)}, Rational(5), Relation::le},
                                   {{Rational(1), Rational(0)}, small, Relation::le},
                                   {{Rational(-1), Rational(0)}, -(small + gap), Relation::le}};
    auto guided = arith::find_farkas_multipliers(system, 2, arith::Effort::guided);
    if (gap == Rational(1, 1 << 10)) CHECK(guided);
    std::string why;
    if (guided) CHECK(cert::verify_farkas(system, *guided, &why));
    auto exact = arith::find_farkas_multipliers(system, 2);
    REQUIRE(exact);
    CHECK(cert::verify_farkas(system, *exact, &why));
  }
  std::vector<Constraint> system{{{small * 3, Rational(1000000)}, Rational(5), Relation::le},
                                 {{Rational(1), Rational(0)}, small, Relation::le},
                                 {{Rational(-1), Rational(0)}, -small, Relation::le}};
  // Strict rows: x < 0 and -x <= 0 have the point 0 read non-strictly, but
  // no solution: a Motzkin certificate with a positive strict multiplier.
  std::vector<Constraint> strict{{{Rational(1)}, 0, Relation::lt}, {{Rational(-1)}, 0, Relation::le}};
  auto m = arith::find_farkas_multipliers(strict, 1, arith::Effort::guided);
  REQUIRE(m);
  std::string why;
  CHECK(cert::verify_farkas(strict, *m, &why));
  // Feasible once the gap closes: neither effort claims a certificate.
  CHECK_FALSE(arith::find_farkas_multipliers(system, 2, arith::Effort::guided));
  CHECK_FALSE(arith::find_farkas_multipliers(system, 2));
}

TEST_CASE("decide_feasibility answers with multipliers or a point read off the dual, strict rows strictly",
          "[unit][farkas]") {
  // x + y < 1, x - y = 1/2, -x <= 2, -y <= 2: feasible, and the point must
  // keep the strict row strict.
  std::vector<Constraint> system{{{1, 1}, 1, Relation::lt},
                                 {{1, -1}, Rational(1, 2), Relation::eq},
                                 {{-1, 0}, 2, Relation::le},
                                 {{0, -1}, 2, Relation::le}};
  arith::Feasibility f = arith::decide_feasibility(system, 2);
  CHECK_FALSE(f.multipliers);
  REQUIRE(f.point);
  CHECK(arith::dot(system[0].a, *f.point) < 1);
  CHECK(within_closed(system, *f.point));
  // Random boxes cut by random halfspaces: every answer is one or the other, and right.
  std::mt19937_64 rng(3);
  auto small = [&] { return Rational(static_cast<long>(rng() % 41) - 20, static_cast<long>(rng() % 7) + 1); };
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<Constraint> rows;
    for (int k = 0; k < 6; ++k) rows.push_back({{small(), small(), small()}, small(), k % 3 ? Relation::le : Relation::lt});
    arith::Feasibility g = arith::decide_feasibility(rows, 3);
    REQUIRE(g.multipliers.has_value() != g.point.has_value());
    std::string why;
    if (g.multipliers) CHECK(cert::verify_farkas(rows, *g.multipliers, &why));
    if (g.point)
      for (const Constraint& c : rows) {
        Rational lhs = arith::dot(c.a, *g.point);
        CHECK((c.rel == Relation::lt ? lhs < c.b : lhs <= c.b));
      }
    CHECK(g.multipliers.has_value() == arith::find_farkas_multipliers(rows, 3).has_value());
  }
}

TEST_CASE("pattern_system fixes every phase and gives the region's affine map", "[unit][farkas]") {
  // f(x) = relu(x) - relu(-x) + relu(x - 1)
  net::Network net = io::parse_network(R"({"input_dim": 1, "domain": {"lower": [-5], "upper": [5]}, "layers": [
      {"type": "dense", "weights": [[1], [-1], [1]], "bias": [0, 0, -1]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, -1, 1]]}]})", "t");
  cert::PathSystem ps = cert::pattern_system(net, {"101"});
  REQUIRE(ps.fully_fixed());
  CHECK(ps.output(0, 0).coeffs == Vector{2});
  CHECK(ps.output(0, 0).constant == -1);
  CHECK(ps.constraints().size() == 2 + 3);  // domain box, then one row per neuron
  CHECK_THROWS_AS(cert::pattern_system(net, {"10"}), std::invalid_argument);
  CHECK_THROWS_AS(cert::pattern_system(net, {"1011"}), std::invalid_argument);
  CHECK_THROWS_AS(cert::pattern_system(net, {"101", "1"}), std::invalid_argument);
  CHECK_THROWS_AS(cert::pattern_system(net, {"1x1"}), std::invalid_argument);
  CHECK_THROWS_AS(cert::pattern_system(net, {}), std::invalid_argument);
}

TEST_CASE("section_violation is the negation of a region row along a section", "[unit][farkas]") {
  // Row x1 - x2 <= 1 along x = (2 y, y) + (0, 1): 2y - y - 1 <= 1, i.e. y <= 2; violation -y < -2.
  arith::Matrix s(2, 1);
  s(0, 0) = 2;
  s(1, 0) = 1;
  Constraint v = cert::section_violation({{1, -1}, 1, Relation::le}, s, {0, 1});
  CHECK(v.rel == Relation::lt);
  CHECK(v.a == Vector{-1});
  CHECK(v.b == -2);
}
