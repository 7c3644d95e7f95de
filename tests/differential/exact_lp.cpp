// Two-phase dense tableau simplex in exact rationals with Bland's rule.
//
// Standard form. Every free variable x_k becomes x_plus_k - x_minus_k with
// both parts >= 0; every row a.x <= b gets a slack s >= 0 (a.x + s = b). A
// row whose right-hand side is negative is multiplied by -1, so every
// right-hand side is >= 0. A "<=" row with b >= 0 starts with its slack in the
// basis; every other row gets an artificial variable that starts in the basis.
//
// Tableau invariant: row i reads  y[basis[i]] + sum_j T[i][j] y[j] = rhs[i]
// (T[i][basis[i]] = 1 and T[k][basis[i]] = 0 for k != i), and the basic
// solution (y[basis[i]] = rhs[i], other y = 0) is feasible (rhs >= 0). The
// objective row keeps  c.y = value + sum_j reduced[j] y[j]  with reduced = 0
// on basic columns; the basic solution is optimal when no reduced cost of an
// enterable column is positive.
#include "exact_lp.hpp"

#include <stdexcept>

namespace nninv_test::lp {

namespace {

void require_width(const Vector& a, std::size_t n) {
  if (a.size() != n) throw std::invalid_argument("exact_lp: row width does not match the number of variables");
}

struct Objective {
  Vector reduced;  // one entry per column
  Rational value;
};

// Expresses the cost vector in terms of the nonbasic columns.
Objective price_out(const std::vector<Vector>& rows, const std::vector<std::size_t>& basis, const Vector& cost) {
  Objective obj{cost, 0};
  std::size_t rhs = cost.size();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Rational f = obj.reduced[basis[i]];
    if (f == 0) continue;
    for (std::size_t j = 0; j < cost.size(); ++j)
      if (rows[i][j] != 0) obj.reduced[j] -= f * rows[i][j];
    obj.value += f * rows[i][rhs];
  }
  return obj;
}

// Makes column e basic in row p (requires rows[p][e] != 0); keeps the objective
// row consistent when one is given.
void pivot(std::vector<Vector>& rows, std::vector<std::size_t>& basis, std::size_t p, std::size_t e, Objective* obj) {
  Vector& prow = rows[p];
  std::size_t width = prow.size();  // columns plus the right-hand side
  Rational piv = prow[e];
  std::vector<std::size_t> nonzero;
  for (std::size_t j = 0; j < width; ++j)
    if (prow[j] != 0) {
      prow[j] /= piv;
      nonzero.push_back(j);
    }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == p || rows[i][e] == 0) continue;
    Rational f = rows[i][e];
    for (std::size_t j : nonzero) rows[i][j] -= f * prow[j];
  }
  if (obj && obj->reduced[e] != 0) {
    Rational f = obj->reduced[e];
    for (std::size_t j : nonzero)
      if (j + 1 < width) obj->reduced[j] -= f * prow[j];
    obj->value += f * prow[width - 1];
  }
  basis[p] = e;
}

enum class Ending { optimal, unbounded };

// Maximises with Bland's rule: the entering column is the lowest-indexed
// enterable column with a positive reduced cost; the leaving row attains the
// minimum ratio, ties going to the lowest-indexed basic column. Bland's rule
// never cycles, so this terminates. Only columns < enterable may enter.
Ending run_simplex(std::vector<Vector>& rows, std::vector<std::size_t>& basis, Objective& obj, std::size_t enterable) {
  std::size_t rhs = obj.reduced.size();
  for (;;) {
    std::size_t e = enterable;
    for (std::size_t j = 0; j < enterable; ++j)
      if (obj.reduced[j] > 0) {
        e = j;
        break;
      }
    if (e == enterable) return Ending::optimal;
    std::optional<std::size_t> p;
    Rational best;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i][e] <= 0) continue;
      Rational ratio = rows[i][rhs] / rows[i][e];
      if (!p || ratio < best || (ratio == best && basis[i] < basis[*p])) {
        p = i;
        best = ratio;
      }
    }
    // Column e can grow without bound while every basic variable stays >= 0.
    if (!p) return Ending::unbounded;
    pivot(rows, basis, *p, e, &obj);
  }
}

}  // namespace

void Problem::add_le(const Vector& a, const Rational& b) {
  require_width(a, num_vars_);
  rows_.push_back({a, b, false});
}

void Problem::add_ge(const Vector& a, const Rational& b) {
  require_width(a, num_vars_);
  Vector neg(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) neg[k] = -a[k];
  rows_.push_back({neg, -b, false});
}

void Problem::add_eq(const Vector& a, const Rational& b) {
  require_width(a, num_vars_);
  rows_.push_back({a, b, true});
}

Solver::Solver(const Problem& problem) : num_vars_(problem.num_vars()) {
  const std::size_t n = num_vars_;
  std::size_t num_slacks = 0;
  for (const auto& row : problem.rows())
    if (!row.equality) ++num_slacks;
  std::size_t num_artificials = 0;
  for (const auto& row : problem.rows())
    if (row.equality || row.b < 0) ++num_artificials;
  num_columns_ = 2 * n + num_slacks;
  total_columns_ = num_columns_ + num_artificials;

  // Column layout: x_plus [0, n), x_minus [n, 2n), slacks, artificials.
  std::size_t next_slack = 2 * n, next_artificial = num_columns_;
  for (const auto& row : problem.rows()) {
    Vector t(total_columns_ + 1);
    for (std::size_t k = 0; k < n; ++k) {
      t[k] = row.a[k];
      t[n + k] = -row.a[k];
    }
    std::optional<std::size_t> slack;
    if (!row.equality) {
      slack = next_slack++;
      t[*slack] = 1;
    }
    t[total_columns_] = row.b;
    if (row.b < 0)
      for (Rational& v : t) v = -v;
    if (slack && row.b >= 0) {
      basis_.push_back(*slack);
    } else {
      std::size_t art = next_artificial++;
      t[art] = 1;
      basis_.push_back(art);
    }
    rows_.push_back(std::move(t));
  }

  // Phase 1: maximise -(sum of artificials); the system is feasible iff the
  // maximum is 0. Artificials never re-enter: fixing one at 0 once it has left
  // keeps every solution of the original system.
  Vector cost(total_columns_);
  for (std::size_t j = num_columns_; j < total_columns_; ++j) cost[j] = -1;
  Objective phase1 = price_out(rows_, basis_, cost);
  run_simplex(rows_, basis_, phase1, num_columns_);  // bounded above by 0
  feasible_ = phase1.value == 0;
  if (!feasible_) return;

  // Artificials still basic are at value 0. Pivot each out on any nonzero
  // real column (a degenerate pivot: the right-hand side is 0, so every row
  // stays feasible). If its row has none, the row is a combination of the
  // others and never changes again; the artificial stays basic at 0.
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (basis_[i] < num_columns_) continue;
    for (std::size_t j = 0; j < num_columns_; ++j)
      if (rows_[i][j] != 0) {
        pivot(rows_, basis_, i, j, nullptr);
        break;
      }
  }
}

Vector Solver::point_from(const std::vector<Vector>& rows, const std::vector<std::size_t>& basis) const {
  Vector y(total_columns_);
  for (std::size_t i = 0; i < rows.size(); ++i) y[basis[i]] = rows[i][total_columns_];
  Vector x(num_vars_);
  for (std::size_t k = 0; k < num_vars_; ++k) x[k] = y[k] - y[num_vars_ + k];
  return x;
}

Vector Solver::feasible_point() const {
  if (!feasible_) throw std::logic_error("exact_lp: feasible_point of an infeasible problem");
  return point_from(rows_, basis_);
}

Result Solver::maximize(const Vector& c) const {
  require_width(c, num_vars_);
  if (!feasible_) return Result{Status::infeasible, 0, {}};
  std::vector<Vector> rows = rows_;
  std::vector<std::size_t> basis = basis_;
  Vector cost(total_columns_);
  for (std::size_t k = 0; k < num_vars_; ++k) {
    cost[k] = c[k];
    cost[num_vars_ + k] = -c[k];
  }
  Objective obj = price_out(rows, basis, cost);
  Ending end = run_simplex(rows, basis, obj, num_columns_);
  if (end == Ending::unbounded) return Result{Status::unbounded, 0, point_from(rows, basis)};
  return Result{Status::optimal, obj.value, point_from(rows, basis)};
}

Result maximize(const Problem& problem, const Vector& c) { return Solver(problem).maximize(c); }

std::optional<Vector> find_feasible_point(const Problem& problem) {
  Solver solver(problem);
  if (!solver.feasible()) return std::nullopt;
  return solver.feasible_point();
}

}  // namespace nninv_test::lp
