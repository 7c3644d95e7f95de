// Exact Gaussian elimination over GMP rationals.
#include "nninv/arith/matrix.hpp"

#include <cassert>
#include <cstdint>

namespace nninv::arith {

namespace {

// Rank over the field of p = 2^61 - 1 elements, of the entries reduced mod p
// (numerator times the inverse of the denominator); nothing when a
// denominator is divisible by p. Reduction mod p is a ring homomorphism on
// rationals whose denominators p does not divide, so a minor that is nonzero
// mod p is nonzero over Q: the rank mod p is at most the exact rank. Machine
// words only, so a full rank mod p settles wide matrices far faster than
// exact elimination (whose fractions grow).
constexpr std::uint64_t prime = (std::uint64_t{1} << 61) - 1;

std::uint64_t mul_mod(std::uint64_t a, std::uint64_t b) {
  unsigned __int128 x = static_cast<unsigned __int128>(a) * b;
  std::uint64_t r = static_cast<std::uint64_t>(x & prime) + static_cast<std::uint64_t>(x >> 61);  // 2^61 = 1 mod p
  return r >= prime ? r - prime : r;
}

std::uint64_t power_mod(std::uint64_t a, std::uint64_t e) {
  std::uint64_t r = 1;
  for (; e; e >>= 1, a = mul_mod(a, a))
    if (e & 1) r = mul_mod(r, a);
  return r;
}

// Row-major `rows` x `cols` entries: moves a row at or below r with a
// nonzero entry in column c up to row r; false when there is none.
template <class Entry>
bool bring_pivot_up(std::vector<Entry>& m, std::size_t rows, std::size_t cols, std::size_t r, std::size_t c) {
  std::size_t p = r;
  while (p < rows && m[p * cols + c] == 0) ++p;
  if (p == rows) return false;
  if (p != r)
    for (std::size_t j = 0; j < cols; ++j) std::swap(m[p * cols + j], m[r * cols + j]);
  return true;
}

std::optional<std::size_t> rank_mod_prime(const Matrix& a) {
  if constexpr (sizeof(unsigned long) < 8) return std::nullopt;  // mpz_fdiv_ui takes an unsigned long
  const std::size_t rows = a.rows(), cols = a.cols();
  std::vector<std::uint64_t> m(rows * cols);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) {
      const Rational& q = a(i, j);
      if (q == 0) continue;
      std::uint64_t num = mpz_fdiv_ui(q.get_num_mpz_t(), prime), den = mpz_fdiv_ui(q.get_den_mpz_t(), prime);
      if (den == 0) return std::nullopt;
      m[i * cols + j] = mul_mod(num, power_mod(den, prime - 2));
    }
  std::size_t r = 0;
  for (std::size_t c = 0; c < cols && r < rows; ++c) {
    if (!bring_pivot_up(m, rows, cols, r, c)) continue;
    std::uint64_t inv = power_mod(m[r * cols + c], prime - 2);
    for (std::size_t i = r + 1; i < rows; ++i) {
      std::uint64_t f = m[i * cols + c];
      if (f == 0) continue;
      f = mul_mod(f, inv);
      for (std::size_t j = c; j < cols; ++j) {
        std::uint64_t sub = mul_mod(f, m[r * cols + j]);
        std::uint64_t& x = m[i * cols + j];
        x = x >= sub ? x - sub : x + prime - sub;
      }
    }
    ++r;
  }
  return r;
}

// The kernel basis of `kernel` (one vector per non-pivot column c, with
// v_c = 1 and 0 on the other non-pivot columns), computed without fractions:
// each row is scaled to integers (the kernel does not change), fraction-free
// (Bareiss) elimination gives an echelon form whose entries stay minors of
// the matrix, and each vector comes from back substitution. The pivot
// columns are the columns independent of the ones before them, as in
// row_reduce, and the vector with given non-pivot coordinates is unique, so
// the basis is exactly row_reduce's; only the cost differs (no gcd per step).
std::vector<Vector> kernel_fraction_free(const Matrix& a) {
  const std::size_t rows = a.rows(), cols = a.cols();
  std::vector<mpz_class> m(rows * cols);
  for (std::size_t i = 0; i < rows; ++i) {
    mpz_class common = 1;
    for (std::size_t j = 0; j < cols; ++j) common = lcm(common, mpz_class(a(i, j).get_den()));
    for (std::size_t j = 0; j < cols; ++j) m[i * cols + j] = a(i, j).get_num() * (common / a(i, j).get_den());
  }
  std::vector<std::size_t> pivots;
  mpz_class previous = 1;
  std::size_t r = 0;
  for (std::size_t c = 0; c < cols && r < rows; ++c) {
    if (!bring_pivot_up(m, rows, cols, r, c)) continue;
    const mpz_class pivot = m[r * cols + c];
    for (std::size_t i = r + 1; i < rows; ++i) {
      const mpz_class factor = m[i * cols + c];
      for (std::size_t j = c + 1; j < cols; ++j) {
        mpz_class& x = m[i * cols + j];
        x = pivot * x - factor * m[r * cols + j];
        mpz_divexact(x.get_mpz_t(), x.get_mpz_t(), previous.get_mpz_t());
      }
      m[i * cols + c] = 0;
    }
    previous = pivot;
    pivots.push_back(c);
    ++r;
  }
  std::vector<bool> is_pivot(cols, false);
  for (std::size_t c : pivots) is_pivot[c] = true;
  std::vector<Vector> basis;
  for (std::size_t free = 0; free < cols; ++free) {
    if (is_pivot[free]) continue;
    Vector v(cols);
    v[free] = 1;
    for (std::size_t k = pivots.size(); k-- > 0;) {
      Rational sum = 0;
      for (std::size_t j = pivots[k] + 1; j < cols; ++j)
        if (v[j] != 0 && m[k * cols + j] != 0) sum += Rational(m[k * cols + j]) * v[j];
      v[pivots[k]] = -sum / Rational(m[k * cols + pivots[k]]);
    }
    basis.push_back(std::move(v));
  }
  return basis;
}

// Below this many entries exact elimination is cheap enough on its own.
constexpr std::size_t modular_shortcut_entries = 256;

}  // namespace

MatrixTooLarge::MatrixTooLarge(std::size_t rows, std::size_t cols)
    : message_("a " + std::to_string(rows) + " x " + std::to_string(cols) + " exact matrix is larger than " +
               std::to_string(Matrix::max_entries) + " entries") {}

Matrix Matrix::identity(std::size_t n) {
  Matrix m(n, n);
  for (std::size_t i = 0; i < n; ++i) m(i, i) = 1;
  return m;
}

Matrix Matrix::from_rows(const std::vector<Vector>& rows, std::size_t cols) {
  Matrix m(0, cols);
  for (const Vector& r : rows) m.append_row(r);
  return m;
}

Vector Matrix::row(std::size_t r) const {
  return Vector(data_.begin() + static_cast<std::ptrdiff_t>(r * cols_),
                data_.begin() + static_cast<std::ptrdiff_t>((r + 1) * cols_));
}

void Matrix::append_row(const Vector& row) {
  assert(row.size() == cols_);
  data_.insert(data_.end(), row.begin(), row.end());
  ++rows_;
}

// Over integers: row i of a scaled by the lcm of its denominators, column j
// of b by the lcm of its, so the inner sums need no gcd per operation; each
// entry of the product is reduced once.
Matrix operator*(const Matrix& a, const Matrix& b) {
  assert(a.cols() == b.rows());
  std::size_t n = a.rows(), m = a.cols(), p = b.cols();
  std::vector<mpz_class> row_den(n, 1), col_den(p, 1);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < m; ++k)
      if (a(i, k).get_den() != 1) mpz_lcm(row_den[i].get_mpz_t(), row_den[i].get_mpz_t(), a(i, k).get_den_mpz_t());
  for (std::size_t k = 0; k < m; ++k)
    for (std::size_t j = 0; j < p; ++j)
      if (b(k, j).get_den() != 1) mpz_lcm(col_den[j].get_mpz_t(), col_den[j].get_mpz_t(), b(k, j).get_den_mpz_t());
  std::vector<mpz_class> ai(n * m), bi(m * p);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < m; ++k)
      if (a(i, k) != 0) ai[i * m + k] = a(i, k).get_num() * (row_den[i] / a(i, k).get_den());
  for (std::size_t k = 0; k < m; ++k)
    for (std::size_t j = 0; j < p; ++j)
      if (b(k, j) != 0) bi[k * p + j] = b(k, j).get_num() * (col_den[j] / b(k, j).get_den());
  Matrix c(n, p);
  mpz_class sum;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < p; ++j) {
      sum = 0;
      for (std::size_t k = 0; k < m; ++k)
        if (sgn(ai[i * m + k]) != 0 && sgn(bi[k * p + j]) != 0)
          mpz_addmul(sum.get_mpz_t(), ai[i * m + k].get_mpz_t(), bi[k * p + j].get_mpz_t());
      if (sgn(sum) == 0) continue;
      Rational& q = c(i, j);
      q.get_num() = sum;
      q.get_den() = row_den[i] * col_den[j];
      q.canonicalize();
    }
  return c;
}

Vector operator*(const Matrix& a, const Vector& x) {
  assert(a.cols() == x.size());
  Vector y(a.rows());
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t j = 0; j < a.cols(); ++j)
      if (a(i, j) != 0) y[i] += a(i, j) * x[j];
  return y;
}

Matrix select_columns(const Matrix& a, const std::vector<std::size_t>& columns) {
  Matrix s(a.rows(), columns.size());
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t j = 0; j < columns.size(); ++j) s(i, j) = a(i, columns[j]);
  return s;
}

Matrix select_rows(const Matrix& a, const std::vector<std::size_t>& rows) {
  Matrix s(rows.size(), a.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < a.cols(); ++j) s(i, j) = a(rows[i], j);
  return s;
}

std::vector<std::size_t> row_reduce(Matrix& a) {
  std::vector<std::size_t> pivots;
  std::size_t r = 0;
  for (std::size_t c = 0; c < a.cols() && r < a.rows(); ++c) {
    std::size_t p = r;
    while (p < a.rows() && a(p, c) == 0) ++p;
    if (p == a.rows()) continue;
    if (p != r)
      for (std::size_t j = 0; j < a.cols(); ++j) std::swap(a(p, j), a(r, j));
    Rational inv = 1 / a(r, c);
    for (std::size_t j = c; j < a.cols(); ++j) a(r, j) *= inv;
    for (std::size_t i = 0; i < a.rows(); ++i) {
      if (i == r || a(i, c) == 0) continue;
      Rational f = a(i, c);
      for (std::size_t j = c; j < a.cols(); ++j) a(i, j) -= f * a(r, j);
    }
    pivots.push_back(c);
    ++r;
  }
  return pivots;
}

std::size_t rank(Matrix a) {
  // Full rank mod p is full rank over Q; anything less needs the exact answer.
  if (a.rows() * a.cols() >= modular_shortcut_entries)
    if (std::optional<std::size_t> r = rank_mod_prime(a); r && *r == std::min(a.rows(), a.cols())) return *r;
  return row_reduce(a).size();
}

std::vector<Vector> kernel(Matrix a) {
  if (a.rows() * a.cols() >= modular_shortcut_entries) {
    std::optional<std::size_t> r = rank_mod_prime(a);
    if (r && *r == a.cols()) return {};
    // Defence in depth: an empty kernel proves injectivity (affine criterion)
    // and rank; here the rank mod p was below full, so "no kernel" from the
    // fraction-free route is only ever taken from plain elimination below.
    // Kernel vectors themselves only build witnesses, and every witness is
    // re-checked exactly by its caller (checking each vector here tripled
    // the local-rank search on R^200).
    std::vector<Vector> basis = kernel_fraction_free(a);
    if (!basis.empty()) return basis;
  }
  std::vector<std::size_t> pivots = row_reduce(a);
  std::vector<bool> is_pivot(a.cols(), false);
  for (std::size_t c : pivots) is_pivot[c] = true;
  std::vector<Vector> basis;
  for (std::size_t free = 0; free < a.cols(); ++free) {
    if (is_pivot[free]) continue;
    Vector v(a.cols());
    v[free] = 1;
    for (std::size_t r = 0; r < pivots.size(); ++r) v[pivots[r]] = -a(r, free);
    basis.push_back(std::move(v));
  }
  return basis;
}

std::optional<Vector> solve(Matrix a, const Vector& b) {
  assert(a.rows() == b.size());
  Matrix aug(a.rows(), a.cols() + 1);
  for (std::size_t i = 0; i < a.rows(); ++i) {
    for (std::size_t j = 0; j < a.cols(); ++j) aug(i, j) = a(i, j);
    aug(i, a.cols()) = b[i];
  }
  std::vector<std::size_t> pivots = row_reduce(aug);
  if (!pivots.empty() && pivots.back() == a.cols()) return std::nullopt;
  Vector x(a.cols());
  for (std::size_t r = 0; r < pivots.size(); ++r) x[pivots[r]] = aug(r, a.cols());
  return x;
}

Rational determinant(Matrix a) {
  assert(a.rows() == a.cols());
  std::size_t n = a.rows();
  Rational det = 1;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    while (p < n && a(p, c) == 0) ++p;
    if (p == n) return 0;
    if (p != c) {
      for (std::size_t j = c; j < n; ++j) std::swap(a(p, j), a(c, j));
      det = -det;
    }
    det *= a(c, c);
    for (std::size_t i = c + 1; i < n; ++i) {
      if (a(i, c) == 0) continue;
      Rational f = a(i, c) / a(c, c);
      for (std::size_t j = c; j < n; ++j) a(i, j) -= f * a(c, j);
    }
  }
  return det;
}

std::optional<Matrix> inverse(const Matrix& a) {
  assert(a.rows() == a.cols());
  std::size_t n = a.rows();
  if (n == 0) return Matrix(0, 0);  // the empty map is its own inverse
  Matrix aug(n, 2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) aug(i, j) = a(i, j);
    aug(i, n + i) = 1;
  }
  std::vector<std::size_t> pivots = row_reduce(aug);
  if (pivots.size() < n || pivots[n - 1] != n - 1) return std::nullopt;
  Matrix inv(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) inv(i, j) = aug(i, n + j);
  return inv;
}

Matrix transpose(const Matrix& a) {
  Matrix t(a.cols(), a.rows());
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t j = 0; j < a.cols(); ++j) t(j, i) = a(i, j);
  return t;
}

// (A^T A)^-1 A^T: A^T A is invertible exactly when A has full column rank.
std::optional<Matrix> left_inverse(const Matrix& a) {
  Matrix at = transpose(a);
  std::optional<Matrix> gram = inverse(at * a);
  if (!gram) return std::nullopt;
  return *gram * at;
}

std::optional<Matrix> right_inverse(const Matrix& a) {
  std::optional<Matrix> l = left_inverse(transpose(a));
  if (!l) return std::nullopt;
  return transpose(*l);
}

Rational dot(const Vector& a, const Vector& b) {
  assert(a.size() == b.size());
  Rational s;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != 0 && b[i] != 0) s += a[i] * b[i];
  return s;
}

bool is_zero(const Vector& v) {
  for (const Rational& x : v)
    if (x != 0) return false;
  return true;
}

}  // namespace nninv::arith
