// Unit tests of the exact LP routine the oracle stands on: small LPs with
// answers worked out by hand, the classic cycling examples, and random boxed
// LPs checked against brute-force vertex enumeration.
#include <catch2/catch.hpp>
#include <random>

#include "exact_lp.hpp"

using nninv_test::lp::find_feasible_point;
using nninv_test::lp::maximize;
using nninv_test::lp::Problem;
using nninv_test::lp::Rational;
using nninv_test::lp::Result;
using nninv_test::lp::Solver;
using nninv_test::lp::Status;
using nninv_test::lp::Vector;

namespace {

Rational q(long p, long d = 1) {
  Rational r(p, d);
  r.canonicalize();
  return r;
}

Rational dot(const Vector& a, const Vector& x) {
  Rational s = 0;
  for (std::size_t k = 0; k < a.size(); ++k) s += a[k] * x[k];
  return s;
}

bool satisfies(const Problem& p, const Vector& x) {
  for (const auto& row : p.rows()) {
    Rational v = dot(row.a, x);
    if (row.equality ? v != row.b : v > row.b) return false;
  }
  return true;
}

// Every answer must come with a point that is feasible and attains the value.
void check_consistent(const Problem& p, const Vector& c, const Result& r) {
  if (r.status == Status::infeasible) return;
  REQUIRE(r.x.size() == p.num_vars());
  REQUIRE(satisfies(p, r.x));
  if (r.status == Status::optimal) REQUIRE(dot(c, r.x) == r.value);
}

// Unique solution of the square system m x = rhs, by Gauss-Jordan elimination.
std::optional<Vector> solve_square(std::vector<Vector> m, Vector rhs) {
  std::size_t n = m.size();
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t p = col;
    while (p < n && m[p][col] == 0) ++p;
    if (p == n) return std::nullopt;
    std::swap(m[p], m[col]);
    std::swap(rhs[p], rhs[col]);
    for (std::size_t r = 0; r < n; ++r) {
      if (r == col || m[r][col] == 0) continue;
      Rational f = m[r][col] / m[col][col];
      for (std::size_t k = 0; k < n; ++k) m[r][k] -= f * m[col][k];
      rhs[r] -= f * rhs[col];
    }
  }
  Vector x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = rhs[i] / m[i][i];
  return x;
}

// Brute force for a bounded polyhedron: its maximum is attained at a vertex,
// and every vertex is the unique solution of n of its rows taken as equalities.
std::optional<Rational> brute_force_max(const Problem& p, const Vector& c) {
  std::size_t n = p.num_vars(), m = p.rows().size();
  std::optional<Rational> best;
  std::vector<std::size_t> pick(n);
  // All n-subsets of the rows, in lexicographic order.
  for (std::size_t i = 0; i < n; ++i) pick[i] = i;
  while (true) {
    std::vector<Vector> a;
    Vector b;
    for (std::size_t i : pick) {
      a.push_back(p.rows()[i].a);
      b.push_back(p.rows()[i].b);
    }
    if (auto x = solve_square(a, b); x && satisfies(p, *x)) {
      Rational v = dot(c, *x);
      if (!best || v > *best) best = v;
    }
    std::size_t i = n;
    while (i > 0 && pick[i - 1] == m - n + i - 1) --i;
    if (i == 0) break;
    ++pick[i - 1];
    for (std::size_t k = i; k < n; ++k) pick[k] = pick[k - 1] + 1;
  }
  return best;
}

}  // namespace

TEST_CASE("lp: textbook maximum at a vertex", "[lp]") {
  // max x + y  s.t.  x + 2y <= 4, 3x + y <= 6, x >= 0, y >= 0: at (8/5, 6/5).
  Problem p(2);
  p.add_le({1, 2}, 4);
  p.add_le({3, 1}, 6);
  p.add_ge({1, 0}, 0);
  p.add_ge({0, 1}, 0);
  Vector c{1, 1};
  Result r = maximize(p, c);
  REQUIRE(r.status == Status::optimal);
  REQUIRE(r.value == q(14, 5));
  REQUIRE(r.x == Vector{q(8, 5), q(6, 5)});
  check_consistent(p, c, r);
}

TEST_CASE("lp: free variables can be negative", "[lp]") {
  // max -x  s.t.  x >= -7/2 (x free otherwise): x = -7/2, value 7/2.
  Problem p(1);
  p.add_ge({1}, q(-7, 2));
  Result r = maximize(p, {-1});
  REQUIRE(r.status == Status::optimal);
  REQUIRE(r.value == q(7, 2));
  REQUIRE(r.x == Vector{q(-7, 2)});
}

TEST_CASE("lp: no constraints", "[lp]") {
  Problem p(2);
  REQUIRE(maximize(p, {0, 0}).status == Status::optimal);
  REQUIRE(maximize(p, {0, 0}).value == 0);
  REQUIRE(maximize(p, {1, 0}).status == Status::unbounded);
  REQUIRE(find_feasible_point(p).has_value());
}

TEST_CASE("lp: unbounded", "[lp]") {
  // max x  s.t.  x - y <= 1, y >= 0: x = 1 + y grows with y.
  Problem p(2);
  p.add_le({1, -1}, 1);
  p.add_ge({0, 1}, 0);
  Vector c{1, 0};
  Result r = maximize(p, c);
  REQUIRE(r.status == Status::unbounded);
  check_consistent(p, c, r);
  // x - y is bounded above by its own constraint; x alone is unbounded below too.
  Result r2 = maximize(p, {1, -1});
  REQUIRE(r2.status == Status::optimal);
  REQUIRE(r2.value == 1);
  REQUIRE(maximize(p, {-1, 0}).status == Status::unbounded);
}

TEST_CASE("lp: infeasible", "[lp]") {
  SECTION("contradicting bounds") {
    Problem p(1);
    p.add_le({1}, 0);
    p.add_ge({1}, 1);
    REQUIRE(maximize(p, {1}).status == Status::infeasible);
    REQUIRE_FALSE(find_feasible_point(p).has_value());
  }
  SECTION("only barely: x + y <= 1, x >= 1/2, y > 1/2 + 1/1000") {
    Problem p(2);
    p.add_le({1, 1}, 1);
    p.add_ge({1, 0}, q(1, 2));
    p.add_ge({0, 1}, q(501, 1000));
    REQUIRE_FALSE(Solver(p).feasible());
  }
  SECTION("inconsistent equalities") {
    Problem p(2);
    p.add_eq({1, 1}, 1);
    p.add_eq({2, 2}, 3);
    REQUIRE(maximize(p, {0, 0}).status == Status::infeasible);
  }
  SECTION("an equality outside a box") {
    Problem p(2);
    p.add_eq({1, 1}, 5);
    for (std::size_t k = 0; k < 2; ++k) {
      Vector e(2);
      e[k] = 1;
      p.add_le(e, 2);
    }
    REQUIRE(maximize(p, {1, 0}).status == Status::infeasible);
  }
}

TEST_CASE("lp: a single feasible point", "[lp]") {
  // x <= 0, x >= 0, y <= x, y >= x: only the origin.
  Problem p(2);
  p.add_le({1, 0}, 0);
  p.add_ge({1, 0}, 0);
  p.add_le({-1, 1}, 0);
  p.add_ge({-1, 1}, 0);
  for (Vector c : {Vector{1, 0}, Vector{0, 1}, Vector{-1, -1}, Vector{3, -2}}) {
    Result r = maximize(p, c);
    REQUIRE(r.status == Status::optimal);
    REQUIRE(r.value == 0);
    REQUIRE(r.x == Vector{0, 0});
  }
}

TEST_CASE("lp: equality constraints", "[lp]") {
  SECTION("max x on x + y = 2, y >= 0") {
    Problem p(2);
    p.add_eq({1, 1}, 2);
    p.add_ge({0, 1}, 0);
    Result r = maximize(p, {1, 0});
    REQUIRE(r.status == Status::optimal);
    REQUIRE(r.value == 2);
    REQUIRE(r.x == Vector{2, 0});
    REQUIRE(maximize(p, {-1, 0}).status == Status::unbounded);
  }
  SECTION("redundant equalities leave an artificial in the basis") {
    Problem p(3);
    p.add_eq({1, 1, 0}, 2);
    p.add_eq({2, 2, 0}, 4);
    p.add_eq({0, 1, 1}, 1);
    p.add_eq({1, 2, 1}, 3);  // sum of the first and third
    p.add_le({1, 0, 0}, 5);
    p.add_ge({0, 0, 1}, -1);
    // x = 2 - y, z = 1 - y, z >= -1 gives y <= 2, x <= 5 gives y >= -3.
    Vector c{0, 1, 0};
    Result r = maximize(p, c);
    REQUIRE(r.status == Status::optimal);
    REQUIRE(r.value == 2);
    REQUIRE(r.x == Vector{0, 2, -1});
    check_consistent(p, c, r);
    Result r2 = maximize(p, {0, -1, 0});
    REQUIRE(r2.status == Status::optimal);
    REQUIRE(r2.value == 3);
    REQUIRE(r2.x == Vector{5, -3, 4});
  }
  SECTION("negative right-hand sides") {
    Problem p(2);
    p.add_eq({-1, 0}, -3);  // x = 3
    p.add_le({0, -1}, -2);  // y >= 2
    p.add_le({1, 1}, 7);    // y <= 4
    Result r = maximize(p, {0, 1});
    REQUIRE(r.status == Status::optimal);
    REQUIRE(r.value == 4);
    REQUIRE(r.x == Vector{3, 4});
    Result r2 = maximize(p, {0, -1});
    REQUIRE(r2.value == -2);
  }
}

TEST_CASE("lp: degenerate problems that make textbook pivoting cycle", "[lp]") {
  SECTION("Chvatal's example, optimum 1 at (1, 0, 1, 0)") {
    Problem p(4);
    p.add_le({q(1, 2), q(-11, 2), q(-5, 2), 9}, 0);
    p.add_le({q(1, 2), q(-3, 2), q(-1, 2), 1}, 0);
    p.add_le({1, 0, 0, 0}, 1);
    for (std::size_t k = 0; k < 4; ++k) {
      Vector e(4);
      e[k] = 1;
      p.add_ge(e, 0);
    }
    Vector c{10, -57, -9, -24};
    Result r = maximize(p, c);
    REQUIRE(r.status == Status::optimal);
    REQUIRE(r.value == 1);
    REQUIRE(r.x == Vector{1, 0, 1, 0});
  }
  SECTION("Beale's example, optimum 5/4 at (1, 0, 1, 0)") {
    Problem p(4);
    p.add_le({q(1, 4), -8, -1, 9}, 0);
    p.add_le({q(1, 2), -12, q(-1, 2), 3}, 0);
    p.add_le({0, 0, 1, 0}, 1);
    for (std::size_t k = 0; k < 4; ++k) {
      Vector e(4);
      e[k] = 1;
      p.add_ge(e, 0);
    }
    Vector c{q(3, 4), -20, q(1, 2), -6};
    Result r = maximize(p, c);
    REQUIRE(r.status == Status::optimal);
    REQUIRE(r.value == q(5, 4));
    check_consistent(p, c, r);
  }
  SECTION("many constraints through one vertex") {
    // The square pyramid apex: x + y <= 0, x - y <= 0, -x + y <= 0, -x - y <= 0,
    // plus x <= 0 and y <= 0 repeated; only the origin.
    Problem p(2);
    for (int sx : {-1, 1})
      for (int sy : {-1, 1}) p.add_le({sx, sy}, 0);
    p.add_le({1, 0}, 0);
    p.add_le({0, 1}, 0);
    p.add_le({1, 0}, 0);
    Result r = maximize(p, {1, 1});
    REQUIRE(r.status == Status::optimal);
    REQUIRE(r.value == 0);
  }
}

TEST_CASE("lp: the shared phase 1 serves several objectives", "[lp]") {
  Problem p(2);
  p.add_le({1, 0}, 3);
  p.add_ge({1, 0}, -1);
  p.add_le({0, 1}, 2);
  p.add_ge({1, 1}, 0);
  Solver s(p);
  REQUIRE(s.feasible());
  REQUIRE(satisfies(p, s.feasible_point()));
  REQUIRE(s.maximize({1, 0}).value == 3);
  REQUIRE(s.maximize({-1, 0}).value == 1);
  REQUIRE(s.maximize({0, 1}).value == 2);
  // y >= -x and x <= 3 give y >= -3, attained at (3, -3).
  Result r = s.maximize({0, -1});
  REQUIRE(r.status == Status::optimal);
  REQUIRE(r.value == 3);
  REQUIRE(r.x == Vector{3, -3});
  REQUIRE(s.maximize({1, 1}).value == 5);
}

TEST_CASE("lp: random boxed LPs agree with vertex enumeration", "[lp]") {
  std::mt19937_64 rng(20240611);
  auto small = [&](int lo, int hi) { return Rational(lo + static_cast<long>(rng() % (hi - lo + 1))); };
  int feasible = 0, infeasible = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::size_t n = 1 + rng() % 3;
    Problem p(n);
    // A box keeps the polyhedron bounded and pointed, so vertices decide.
    for (std::size_t k = 0; k < n; ++k) {
      Vector e(n);
      e[k] = 1;
      p.add_le(e, small(0, 3));
      p.add_ge(e, small(-3, 0));
    }
    std::size_t extra = rng() % 5;
    for (std::size_t i = 0; i < extra; ++i) {
      Vector a(n);
      for (Rational& v : a) {
        v = small(-2, 2);  // one draw per statement: operand order is unspecified
        v /= 1 + rng() % 2;
      }
      Rational b = small(-3, 3);
      switch (rng() % 3) {
        case 0:
          p.add_le(a, b);
          break;
        case 1:
          p.add_ge(a, b);
          break;
        default:
          p.add_eq(a, b);
          break;
      }
    }
    Vector c(n);
    for (Rational& v : c) v = small(-3, 3);
    Result r = maximize(p, c);
    std::optional<Rational> expected = brute_force_max(p, c);
    INFO("trial " << trial);
    REQUIRE(r.status != Status::unbounded);
    REQUIRE((r.status == Status::optimal) == expected.has_value());
    if (expected) {
      ++feasible;
      REQUIRE(r.value == *expected);
      check_consistent(p, c, r);
    } else {
      ++infeasible;
    }
  }
  // Both outcomes must actually be exercised.
  REQUIRE(feasible > 50);
  REQUIRE(infeasible > 20);
}
