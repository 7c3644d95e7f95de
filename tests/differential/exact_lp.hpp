// Exact linear programming over the rationals, for the differential oracle.
// Dense tableau simplex with Bland's rule (which cannot cycle), two phases
// (phase 1 minimises the sum of artificial variables), free variables split
// as x = x_plus - x_minus. Slow and plain on purpose: it is test code whose
// answers must be obviously right. Independent of nninv's product code.
#pragma once

#include <gmpxx.h>

#include <cstddef>
#include <optional>
#include <vector>

namespace nninv_test::lp {

using Rational = mpq_class;
using Vector = std::vector<Rational>;

// The polyhedron {x in R^n : every row a.x <= b, every row a.x = b}; x free.
class Problem {
 public:
  explicit Problem(std::size_t num_vars) : num_vars_(num_vars) {}

  std::size_t num_vars() const { return num_vars_; }
  // Each requires a.size() == num_vars().
  void add_le(const Vector& a, const Rational& b);  // a.x <= b
  void add_ge(const Vector& a, const Rational& b);  // a.x >= b
  void add_eq(const Vector& a, const Rational& b);  // a.x == b

  struct Row {
    Vector a;
    Rational b;
    bool equality;  // a.x == b, else a.x <= b
  };
  const std::vector<Row>& rows() const { return rows_; }

 private:
  std::size_t num_vars_;
  std::vector<Row> rows_;
};

enum class Status { infeasible, optimal, unbounded };

struct Result {
  Status status = Status::infeasible;
  Rational value;  // sup c.x when optimal
  Vector x;        // an optimal point when optimal; a feasible point when unbounded; empty when infeasible
};

// Phase 1 done once; then any number of objectives can be maximised from the
// feasible basis it found (each maximisation works on its own copy).
class Solver {
 public:
  explicit Solver(const Problem& problem);

  bool feasible() const { return feasible_; }
  // Some point of the polyhedron; requires feasible().
  Vector feasible_point() const;
  // sup c.x over the polyhedron. Requires c.size() == num_vars().
  Result maximize(const Vector& c) const;

 private:
  std::size_t num_vars_;
  bool feasible_ = false;
  // After phase 1: rows of the constraint system in the current basis.
  std::vector<Vector> rows_;        // each: coefficients for every column, then the right-hand side
  std::vector<std::size_t> basis_;  // basis_[i] is the column basic in row i
  std::size_t num_columns_ = 0;     // columns that may enter in phase 2 (x_plus, x_minus, slacks)
  std::size_t total_columns_ = 0;   // plus artificials
  Vector point_from(const std::vector<Vector>& rows, const std::vector<std::size_t>& basis) const;
};

// Shorthands.
Result maximize(const Problem& problem, const Vector& c);
std::optional<Vector> find_feasible_point(const Problem& problem);

}  // namespace nninv_test::lp
