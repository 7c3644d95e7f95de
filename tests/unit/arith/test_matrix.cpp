#include <catch2/catch.hpp>

#include <random>

#include "nninv/arith/matrix.hpp"

using namespace nninv::arith;

namespace {
Matrix m(std::vector<Vector> rows) { return Matrix::from_rows(rows, rows.front().size()); }
}  // namespace

TEST_CASE("rank is exact, with no tolerance", "[arith]") {
  CHECK(rank(m({{1, 2}, {2, 4}})) == 1);
  CHECK(rank(m({{1, 2}, {2, Rational(4) + Rational(1, 1000000000)}})) == 2);
  CHECK(rank(Matrix::identity(4)) == 4);
  CHECK(rank(Matrix(3, 2)) == 0);
  CHECK(rank(m({{1, 0, 1}, {0, 1, 1}, {1, 1, 2}})) == 2);
}

TEST_CASE("kernel vectors are annihilated exactly", "[arith]") {
  Matrix a = m({{1, 0, 1}, {0, 1, 1}, {1, 1, 2}});
  auto basis = kernel(a);
  REQUIRE(basis.size() == 1);
  CHECK(is_zero(a * basis[0]));
  CHECK(!is_zero(basis[0]));
  CHECK(kernel(Matrix::identity(3)).empty());
  CHECK(kernel(Matrix(2, 3)).size() == 3);
}

TEST_CASE("solve finds a solution or proves none", "[arith]") {
  Matrix a = m({{1, 1}, {1, -1}});
  auto x = solve(a, {Rational(3), Rational(1)});
  REQUIRE(x);
  CHECK((*x)[0] == 2);
  CHECK((*x)[1] == 1);
  CHECK(!solve(m({{1, 1}, {2, 2}}), {Rational(1), Rational(3)}));
}

TEST_CASE("products", "[arith]") {
  Matrix a = m({{1, 2}, {3, 4}});
  Matrix b = m({{0, 1}, {1, 0}});
  CHECK(a * b == m({{2, 1}, {4, 3}}));
  CHECK(a * Vector{1, Rational(1, 2)} == Vector{2, 5});
}

TEST_CASE("a matrix past max_entries is refused before it is allocated", "[arith]") {
  CHECK_THROWS_AS(Matrix(std::size_t{1} << 14, std::size_t{1} << 13), MatrixTooLarge);
  CHECK_THROWS_AS(Matrix::identity(std::size_t{1} << 20), std::bad_alloc);
  CHECK_THROWS_AS(Matrix(std::size_t{1} << 62, 8), MatrixTooLarge);  // rows * cols would overflow
  CHECK_NOTHROW(Matrix(std::size_t{1} << 13, std::size_t{1} << 3));
  try {
    Matrix(std::size_t{1} << 14, std::size_t{1} << 13);
  } catch (const MatrixTooLarge& e) {
    CHECK(std::string(e.what()) == "a 16384 x 8192 exact matrix is larger than 67108864 entries");
  }
}

TEST_CASE("determinant is exact, signed and multiplicative", "[arith]") {
  CHECK(determinant(Matrix::identity(5)) == 1);
  CHECK(determinant(m({{0, 1}, {1, 0}})) == -1);  // one row swap
  CHECK(determinant(m({{1, 2}, {3, 4}})) == -2);
  CHECK(determinant(m({{1, 2}, {2, 4}})) == 0);
  CHECK(determinant(m({{Rational(1, 3), 0, 0}, {5, Rational(-2, 7), 0}, {1, 9, 4}})) == Rational(-8, 21));
  // Needs a pivot swap at the second column: 2x2 block [[0,1],[1,1]] has det -1.
  Matrix a = m({{2, 1, 0}, {0, 0, 1}, {0, 1, 1}});
  CHECK(determinant(a) == -2);
  Matrix b = m({{1, Rational(1, 2), -3}, {4, 0, 1}, {Rational(-2, 5), 7, 2}});
  CHECK(determinant(a * b) == determinant(a) * determinant(b));
  CHECK(determinant(transpose(b)) == determinant(b));
  // Nearly singular: exact arithmetic still sees the sign.
  CHECK(determinant(m({{1, 2}, {2, Rational(4) + Rational(1, 1000000000)}})) == Rational(1, 1000000000));
  CHECK(determinant(Matrix(0, 0)) == 1);
}

TEST_CASE("the inverse of the empty matrix is the empty matrix", "[arith]") {
  auto inv = inverse(Matrix(0, 0));
  REQUIRE(inv);
  CHECK(inv->rows() == 0);
  CHECK(inv->cols() == 0);
}

TEST_CASE("rank and kernel of wide matrices agree with plain elimination (modular shortcut)", "[arith]") {
  // rank and kernel first try the rank mod 2^61 - 1 on matrices of 256 entries
  // or more; only a full rank there is taken as the answer.
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<long> entry(-9, 9), den(1, 7);
  for (std::size_t trial = 0; trial < 40; ++trial) {
    std::size_t rows = 16 + trial % 9, cols = 16 + (trial * 5) % 11;
    Matrix a(rows, cols);
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) {
        a(i, j) = Rational(entry(rng), den(rng));
        a(i, j).canonicalize();  // mpq_class(p, q) does not
      }
    // Every third trial: a planted dependency (last column = sum of the first
    // two); every fifth: rows that repeat (wide kernels, zero rows on the way).
    if (trial % 3 == 0)
      for (std::size_t i = 0; i < rows; ++i) a(i, cols - 1) = a(i, 0) + a(i, 1);
    if (trial % 5 == 0)
      for (std::size_t i = rows / 3; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) a(i, j) = a(i % 4, j) * Rational(static_cast<long>(i), 3);
    Matrix copy = a;
    std::size_t exact = row_reduce(copy).size();
    INFO("trial " << trial << ": " << rows << " x " << cols);
    CHECK(rank(a) == exact);
    std::vector<Vector> basis = kernel(a);
    CHECK(basis.size() == cols - exact);
    for (const Vector& v : basis) CHECK(is_zero(a * v));
    // The same basis as reading it off the reduced row echelon form.
    std::vector<bool> pivot(cols, false);
    Matrix reduced = a;
    std::vector<std::size_t> pivots = row_reduce(reduced);
    for (std::size_t c : pivots) pivot[c] = true;
    std::size_t k = 0;
    for (std::size_t f = 0; f < cols; ++f) {
      if (pivot[f]) continue;
      REQUIRE(k < basis.size());
      Vector expected(cols);
      expected[f] = 1;
      for (std::size_t r = 0; r < pivots.size(); ++r) expected[pivots[r]] = -reduced(r, f);
      CHECK(basis[k++] == expected);
    }
  }
  // Entries whose denominator is the modulus: the shortcut steps aside.
  Rational tiny(1);
  tiny /= Rational(mpz_class("2305843009213693951"));
  Matrix b = Matrix::identity(20);
  for (std::size_t i = 0; i < 20; ++i) b(i, 19) = tiny * Rational(static_cast<long>(i + 1));
  b(19, 19) = tiny;
  CHECK(rank(b) == 20);
  Matrix c = b;
  for (std::size_t i = 0; i < 20; ++i) c(i, 19) = c(i, 0) * tiny;  // column 19 = tiny * column 0
  CHECK(rank(c) == 19);
  CHECK(kernel(c).size() == 1);
}
