// Lipschitz bounds (src/analysis/lipschitz.cpp) against truth by
// construction and by brute force, all in exact rational arithmetic: the
// operator norm of an affine net's matrix, and ||f(a) - f(b)|| against
// upper * ||a - b|| and inverse_lower * ||a - b|| on many random pairs.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>

#include "nninv/analysis/lipschitz.hpp"
#include "../../support/norms.hpp"
#include "nninv/net/network.hpp"

using namespace nninv;
using analysis::Norm;
using arith::Matrix;
using arith::Rational;
using arith::Vector;

namespace {

using test::magnitude;
using test::norm_power;
using test::operator_norm;

Matrix matrix(std::vector<std::vector<Rational>> rows) {
  Matrix m(rows.size(), rows.empty() ? 0 : rows[0].size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[r].size(); ++c) m(r, c) = rows[r][c];
  return m;
}

net::Network make_net(std::size_t input_dim, std::vector<net::Layer> layers, net::Box domain) {
  net::Network n;
  n.input_dim = input_dim;
  n.domain = std::move(domain);
  n.layers = std::move(layers);
  n.codomain = net::Box::everything(n.output_dim());
  return n;
}

net::Dense dense(const Matrix& w, Vector bias = {}) {
  if (bias.empty()) bias = Vector(w.rows(), 0);
  return net::Dense{w, bias};
}

Vector diff(const Vector& a, const Vector& b) {
  Vector d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  return d;
}

// Both bounds hold on the pair (exactly; squares for the 2-norm).
void check_pair(const net::Network& n, const analysis::LipschitzResult& r, const Vector& a, const Vector& b) {
  Rational dx = norm_power(diff(a, b), r.norm), dy = norm_power(diff(net::evaluate(n, a), net::evaluate(n, b)), r.norm);
  Rational up = r.norm == Norm::two ? Rational(r.upper * r.upper) : r.upper;
  Rational lo = r.norm == Norm::two ? Rational(r.inverse_lower * r.inverse_lower) : r.inverse_lower;
  INFO("norm " << analysis::to_string(r.norm) << " upper " << r.upper.get_str() << " lower "
               << r.inverse_lower.get_str() << " dx " << dx.get_str() << " dy " << dy.get_str()
               << " upper source " << r.evidence.upper_source << " lower source " << r.evidence.lower_source);
  CHECK(dy <= up * dx);
  CHECK(dy >= lo * dx);
}

// Deterministic generator with explicit integer arithmetic.
struct Gen {
  std::mt19937_64 rng;
  explicit Gen(std::uint64_t seed) : rng(seed) {}
  long integer(long lo, long hi) { return lo + static_cast<long>(rng() % static_cast<std::uint64_t>(hi - lo + 1)); }
  // Small weights: integers in [-3, 3], sometimes halves or thirds.
  Rational weight() {
    long num = integer(-6, 6);
    long den = integer(1, 3);
    return Rational(num, den == 3 ? 3 : (den == 2 ? 2 : 1));
  }
  // A rational in [lo, hi] with denominator up to 8.
  Rational in(const Rational& lo, const Rational& hi) {
    long den = integer(1, 8);
    long num = integer(0, den);
    Rational t(num, den);
    Rational v = lo + t * (hi - lo);
    v.canonicalize();
    return v;
  }
};

analysis::LipschitzResult bounds(const net::Network& n, Norm norm) { return analysis::lipschitz_bounds(n, norm); }

}  // namespace

TEST_CASE("lipschitz: positive definiteness and spectral norm tests are exact", "[analysis][lipschitz]") {
  CHECK(analysis::positive_definite(Matrix::identity(3)));
  CHECK(analysis::positive_definite(matrix({{2, 1}, {1, 2}})));
  CHECK(!analysis::positive_definite(matrix({{1, 2}, {2, 1}})));
  CHECK(!analysis::positive_definite(matrix({{1, 0}, {0, 0}})));
  CHECK(!analysis::positive_definite(matrix({{0, 0}, {0, 1}})));
  CHECK(!analysis::positive_definite(matrix({{-1, 0}, {0, 1}})));
  Matrix d = matrix({{3, 0}, {0, 4}});
  CHECK(analysis::spectral_norm_at_most(d, 4));  // exact: the bound is attained
  CHECK(analysis::spectral_norm_at_most(d, Rational(41, 10)));
  CHECK(!analysis::spectral_norm_at_most(d, Rational(39, 10)));
  CHECK(!analysis::spectral_norm_at_most(d, -1));
  CHECK(analysis::spectral_norm_at_most(Matrix(2, 2), 0));
  Rational c = analysis::spectral_norm_upper(d);
  CHECK(c >= 4);
  CHECK(c < Rational(401, 100));
  CHECK(analysis::spectral_norm_at_most(d, c));
  // [[1, 1], [0, 1]]: sigma_max = golden ratio ~ 1.618.
  Matrix shear = matrix({{1, 1}, {0, 1}});
  Rational s = analysis::spectral_norm_upper(shear);
  CHECK(s > Rational(1618, 1000));
  CHECK(s < Rational(1619, 1000));
  CHECK(analysis::spectral_norm_at_most(shear, s));
  // Rectangular: [[1, 2, 2]] has norm 3.
  Matrix row = matrix({{1, 2, 2}});
  CHECK(analysis::spectral_norm_upper(row) >= 3);
  CHECK(!analysis::spectral_norm_at_most(row, Rational(299, 100)));
  CHECK(analysis::spectral_norm_at_most(row, Rational(301, 100)));
  CHECK(analysis::parse_norm("inf") == Norm::inf);
  CHECK(analysis::parse_norm("1") == Norm::one);
  CHECK(analysis::parse_norm("2") == Norm::two);
  CHECK(!analysis::parse_norm("3"));
  CHECK(!analysis::parse_norm(""));
}

TEST_CASE("lipschitz: affine nets get the operator norm exactly", "[analysis][lipschitz]") {
  Matrix a1 = matrix({{1, -2}, {3, 1}, {0, Rational(1, 2)}});
  Matrix a2 = matrix({{1, 0, 2}, {-1, 1, 1}});
  Matrix product = a2 * a1;  // [[1, -1], [2, 7/2]]
  net::Box box{{net::Interval{Rational(-1), Rational(2)}, net::Interval{Rational(0), Rational(1, 3)}}};
  for (const net::Box& domain : {net::Box::everything(2), box}) {
    net::Network n = make_net(2, {dense(a1, {1, 0, -1}), dense(a2)}, domain);
    for (Norm norm : {Norm::inf, Norm::one}) {
      analysis::LipschitzResult r = bounds(n, norm);
      INFO("norm " << analysis::to_string(norm));
      CHECK(r.upper == operator_norm(product, norm));
      CHECK(r.upper_exact);
      REQUIRE(r.upper_attained);
      const auto& [x1, x2] = *r.upper_attained;
      CHECK(x1 != x2);
      CHECK(n.domain.contains(x1));
      CHECK(n.domain.contains(x2));
      Rational dx = norm_power(diff(x1, x2), norm);
      Rational dy = norm_power(diff(net::evaluate(n, x1), net::evaluate(n, x2)), norm);
      CHECK(dy == r.upper * dx);
      // The true modulus is 1 / ||A^-1||.
      Matrix inv = *arith::inverse(product);
      Rational truth = 1 / operator_norm(inv, norm);
      CHECK(r.inverse_lower > 0);
      CHECK(r.inverse_lower <= truth);
      if (r.inverse_lower_exact) {
        CHECK(r.inverse_lower == truth);
        REQUIRE(r.lower_attained);
        const auto& [y1, y2] = *r.lower_attained;
        CHECK(norm_power(diff(net::evaluate(n, y1), net::evaluate(n, y2)), norm) ==
              r.inverse_lower * norm_power(diff(y1, y2), norm));
      }
      check_pair(n, r, {0, 0}, {1, Rational(1, 4)});
    }
    analysis::LipschitzResult r2 = bounds(n, Norm::two);
    CHECK(r2.upper > 0);
    CHECK(r2.inverse_lower > 0);
    CHECK(r2.inverse_lower <= r2.upper);
    // ||A||_2 <= upper: upper^2 I - A^T A positive definite or upper is attained.
    CHECK(analysis::spectral_norm_at_most(product, r2.upper + Rational(1, 1000000)));
    check_pair(n, r2, {0, 0}, {1, Rational(1, 4)});
  }
}

TEST_CASE("lipschitz: inverse lower bound of an invertible square matrix in inf norm", "[analysis][lipschitz]") {
  Matrix a = matrix({{2, 1, 0}, {0, 3, -1}, {1, 0, 1}});
  net::Network n = make_net(3, {dense(a)}, net::Box::everything(3));
  analysis::LipschitzResult r = bounds(n, Norm::inf);
  Rational truth = 1 / operator_norm(*arith::inverse(a), Norm::inf);
  CHECK(r.upper == 4);
  CHECK(r.upper_exact);
  CHECK(r.inverse_lower > 0);
  CHECK(r.inverse_lower <= truth);
  // A singular matrix has no positive modulus.
  net::Network s = make_net(2, {dense(matrix({{1, 2}, {2, 4}}))}, net::Box::everything(2));
  for (Norm norm : {Norm::inf, Norm::one, Norm::two}) CHECK(bounds(s, norm).inverse_lower == 0);
}

TEST_CASE("lipschitz: single-point domain and pinned coordinates", "[analysis][lipschitz]") {
  net::Box point{{net::Interval{Rational(1), Rational(1)}, net::Interval{Rational(2), Rational(2)}}};
  net::Network n = make_net(2, {dense(matrix({{1, 5}}))}, point);
  analysis::LipschitzResult r = bounds(n, Norm::inf);
  CHECK(r.evidence.upper_source == "no_pair");
  // Pinned second coordinate: only the first column matters.
  net::Box pinned{{net::Interval{Rational(0), Rational(1)}, net::Interval{Rational(2), Rational(2)}}};
  net::Network p = make_net(2, {dense(matrix({{1, 5}, {-2, 7}}))}, pinned);
  for (Norm norm : {Norm::inf, Norm::one}) {
    analysis::LipschitzResult q = bounds(p, norm);
    CHECK(q.upper == (norm == Norm::inf ? 2 : 3));
    check_pair(p, q, {0, 2}, {1, 2});
  }
}

TEST_CASE("lipschitz: random relu and leaky relu nets, bounds hold on random pairs", "[analysis][lipschitz]") {
  Gen g(20261203);
  int nets = 0, positive_lower = 0;
  for (int trial = 0; trial < 60; ++trial) {
    std::size_t n = static_cast<std::size_t>(g.integer(2, 3));
    std::size_t hidden = static_cast<std::size_t>(g.integer(1, 2));
    std::size_t out = static_cast<std::size_t>(g.integer(static_cast<long>(n), static_cast<long>(n) + 1));
    bool leaky = trial % 2 == 1;
    Rational alpha = leaky ? Rational(g.integer(1, 3), g.integer(2, 4)) : Rational(0);
    if (trial % 6 == 5) alpha = 2;  // leaky slope above 1
    std::vector<net::Layer> layers;
    std::size_t width = n;
    for (std::size_t h = 0; h < hidden; ++h) {
      std::size_t next = static_cast<std::size_t>(g.integer(2, 5));
      if (trial % 3 == 0) next = std::max(next, n);  // often wide enough for a modulus
      Matrix w(next, width);
      Vector b(next);
      for (std::size_t i = 0; i < next; ++i) {
        for (std::size_t j = 0; j < width; ++j) w(i, j) = g.weight();
        b[i] = g.weight();
      }
      layers.push_back(net::Dense{w, b});
      if (leaky) layers.push_back(net::LeakyRelu{alpha});
      else layers.push_back(net::Relu{});
      if (trial % 5 == 0) layers.push_back(net::Identity{});
      width = next;
    }
    Matrix w(out, width);
    Vector b(out);
    for (std::size_t i = 0; i < out; ++i) {
      for (std::size_t j = 0; j < width; ++j) w(i, j) = g.weight();
      b[i] = g.weight();
    }
    layers.push_back(net::Dense{w, b});
    net::Box domain = net::Box::everything(n);
    Rational lo = -4, hi = 4;
    if (trial % 2 == 0) {
      for (std::size_t i = 0; i < n; ++i) {
        Rational a = Rational(g.integer(-4, 1), g.integer(1, 2)), width_i = Rational(g.integer(1, 6), 2);
        domain.sides[i] = net::Interval{a, Rational(a + width_i)};
      }
    }
    net::Network net = make_net(n, layers, domain);
    ++nets;
    for (Norm norm : {Norm::inf, Norm::one, Norm::two}) {
      analysis::LipschitzResult r = bounds(net, norm);
      INFO("trial " << trial << " norm " << analysis::to_string(norm));
      REQUIRE(r.upper >= 0);
      REQUIRE(r.inverse_lower >= 0);
      CHECK(r.inverse_lower <= r.upper);
      if (r.inverse_lower > 0) ++positive_lower;
      // Every source on its own is sound too.
      analysis::LipschitzResult each = r;
      for (int pair = 0; pair < 150; ++pair) {
        Vector a(n), c(n);
        for (std::size_t i = 0; i < n; ++i) {
          const net::Interval& s = domain.sides[i];
          Rational l = s.lower ? *s.lower : lo, u = s.upper ? *s.upper : hi;
          a[i] = g.in(l, u);
          c[i] = g.in(l, u);
          // Sometimes a tiny step, where one linear piece dominates.
          if (pair % 4 == 0) c[i] = a[i] + (c[i] - a[i]) / 1000;
          if (!s.contains(c[i])) c[i] = a[i];
        }
        if (a == c) continue;
        check_pair(net, r, a, c);
        const auto& src = r.sources;
        for (const auto* up : {&src.layer_product, &src.enclosure})
          if (*up) {
            each.upper = **up;
            each.inverse_lower = 0;
            check_pair(net, each, a, c);
          }
        for (const auto* low : {&src.layer_composition, &src.jacobian_k})
          if (*low) {
            each.upper = r.upper;
            each.inverse_lower = **low;
            check_pair(net, each, a, c);
          }
      }
      if (r.upper_exact) {
        REQUIRE(r.upper_attained);
        const auto& [x1, x2] = *r.upper_attained;
        Rational dy = norm_power(diff(net::evaluate(net, x1), net::evaluate(net, x2)), norm);
        Rational f = norm == Norm::two ? Rational(r.upper * r.upper) : r.upper;
        CHECK(dy == f * norm_power(diff(x1, x2), norm));
      }
    }
  }
  CHECK(nets == 60);
  WARN("nets with a positive inverse lower bound (over 3 norms): " << positive_lower);
}
