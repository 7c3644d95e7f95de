// Exact dense matrices over the rationals: product, rank, kernel, solve.
// Gaussian elimination in GMP rationals; no pivoting tolerances are needed.
#pragma once

#include <cstddef>
#include <new>
#include <string>
#include <optional>
#include <vector>

#include "nninv/arith/rational.hpp"

namespace nninv::arith {

// Thrown instead of allocating a matrix of more than Matrix::max_entries
// entries (a std::bad_alloc, so every out-of-memory path handles it): exact
// analysis of such a matrix would not finish anyway.
class MatrixTooLarge : public std::bad_alloc {
 public:
  MatrixTooLarge(std::size_t rows, std::size_t cols);
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

class Matrix {
 public:
  static constexpr std::size_t max_entries = std::size_t{1} << 26;

  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols), data_(checked_size(rows, cols)) {}
  static Matrix identity(std::size_t n);
  // Requires every row to have the same length.
  static Matrix from_rows(const std::vector<Vector>& rows, std::size_t cols);

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  Rational& operator()(std::size_t r, std::size_t c) { return data_[r * cols_ + c]; }
  const Rational& operator()(std::size_t r, std::size_t c) const { return data_[r * cols_ + c]; }
  Vector row(std::size_t r) const;
  void append_row(const Vector& row);  // requires row.size() == cols()

  bool operator==(const Matrix& other) const = default;

 private:
  static std::size_t checked_size(std::size_t rows, std::size_t cols) {
    if (cols != 0 && rows > max_entries / cols) throw MatrixTooLarge(rows, cols);
    return rows * cols;
  }
  std::size_t rows_ = 0, cols_ = 0;
  std::vector<Rational> data_;
};

Matrix operator*(const Matrix& a, const Matrix& b);  // requires a.cols() == b.rows()
Vector operator*(const Matrix& a, const Vector& x);   // requires a.cols() == x.size()
Matrix select_columns(const Matrix& a, const std::vector<std::size_t>& columns);
Matrix select_rows(const Matrix& a, const std::vector<std::size_t>& rows);

// Reduced row echelon form in place; returns the pivot column of each nonzero row.
std::vector<std::size_t> row_reduce(Matrix& a);
std::size_t rank(Matrix a);
// A basis of {v : a v = 0}; empty when a has full column rank.
std::vector<Vector> kernel(Matrix a);
// Some x with a x = b, or nothing when the system is inconsistent.
std::optional<Vector> solve(Matrix a, const Vector& b);

// The determinant of a square matrix (exact Gaussian elimination).
Rational determinant(Matrix a);
// The inverse of a square matrix, or nothing when it is singular.
std::optional<Matrix> inverse(const Matrix& a);
Matrix transpose(const Matrix& a);
// L with L a = I (requires full column rank), R with a R = I (full row rank).
std::optional<Matrix> left_inverse(const Matrix& a);
std::optional<Matrix> right_inverse(const Matrix& a);

Rational dot(const Vector& a, const Vector& b);
bool is_zero(const Vector& v);

}  // namespace nninv::arith
