// Infeasibility certificates by linear programming on the multipliers:
//   find m = (p, q, e+, e-) >= 0 with
//     sum a_k m_k = 0                       (num_vars rows)
//     sum b_k m_k + s1 = 0                  (b.m <= 0)
//     sum b_k m_k - sum_strict m_k + s2 = -1 (b.m - sum of strict multipliers <= -1)
// Any feasible m is a Motzkin certificate: if b.m < 0 the rows add up to
// 0 <= b.m < 0, otherwise b.m = 0 and some strict multiplier is positive,
// giving 0 < 0. Phase 1 of the simplex method decides feasibility exactly.
#include "nninv/arith/farkas.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "nninv/arith/matrix.hpp"

namespace nninv::arith {

namespace {

// Phase 1 on {M z = r, z >= 0}: returns a feasible z or nothing.
// When there is none and `dual` is given, it receives the final simplex
// multipliers w (in the caller's row signs): w^T M <= 0 on every column and
// w^T r > 0, the Farkas certificate of {M z = r, z >= 0}.
std::optional<Vector> phase_one(std::vector<Vector> m, Vector r, Vector* dual = nullptr) {
  std::size_t rows = m.size(), cols = rows ? m[0].size() : 0;
  std::vector<bool> flipped(rows);
  for (std::size_t i = 0; i < rows; ++i)
    if (r[i] < 0) {
      flipped[i] = true;
      for (Rational& v : m[i]) v = -v;
      r[i] = -r[i];
    }
  // Tableau: columns [z (cols) | artificials (rows) | rhs]; basis = artificials.
  std::size_t total = cols + rows;
  std::vector<Vector> t(rows, Vector(total + 1));
  std::vector<std::size_t> basis(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) t[i][j] = m[i][j];
    t[i][cols + i] = 1;
    t[i][total] = r[i];
    basis[i] = cols + i;
  }
  // Objective: minimise the sum of artificials; reduced costs of z columns are -sum of rows.
  Vector cost(total + 1);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j <= total; ++j)
      if (j < cols || j == total) cost[j] -= t[i][j];
  while (true) {
    std::size_t enter = total;
    for (std::size_t j = 0; j < total; ++j)  // Bland: lowest index with negative reduced cost
      if (cost[j] < 0) {
        enter = j;
        break;
      }
    if (enter == total) break;
    std::size_t leave = rows;
    Rational best;
    for (std::size_t i = 0; i < rows; ++i) {
      if (t[i][enter] <= 0) continue;
      Rational ratio = t[i][total] / t[i][enter];
      if (leave == rows || ratio < best || (ratio == best && basis[i] < basis[leave])) {
        leave = i;
        best = ratio;
      }
    }
    if (leave == rows) break;  // cannot happen in phase 1 (bounded below by 0)
    Rational pivot = t[leave][enter];
    for (Rational& v : t[leave]) v /= pivot;
    for (std::size_t i = 0; i < rows; ++i) {
      if (i == leave || t[i][enter] == 0) continue;
      Rational f = t[i][enter];
      for (std::size_t j = 0; j <= total; ++j) t[i][j] -= f * t[leave][j];
    }
    Rational f = cost[enter];
    for (std::size_t j = 0; j <= total; ++j) cost[j] -= f * t[leave][j];
    basis[leave] = enter;
  }
  if (cost[total] != 0) {  // minimum of the artificials is -cost[total] > 0
    // The reduced cost of artificial i is 1 - pi_i: pi = c_B B^-1, with
    // pi^T M <= 0 (no z column has a negative reduced cost) and pi^T r > 0
    // (the objective), in the flipped rows.
    if (dual) {
      dual->assign(rows, Rational(0));
      for (std::size_t i = 0; i < rows; ++i) {
        Rational pi = 1 - cost[cols + i];
        (*dual)[i] = flipped[i] ? Rational(-pi) : pi;
      }
    }
    return std::nullopt;
  }
  Vector z(cols);
  for (std::size_t i = 0; i < rows; ++i)
    if (basis[i] < cols) z[basis[i]] = t[i][total];
  return z;
}

// Floating point may guide, never decide: phase 1 in doubles proposes a
// basis (the rows' signs already flipped so that r >= 0), and the basic
// solution is recomputed exactly. It is returned only when it is exactly
// feasible: z >= 0, every artificial 0, M z = r by construction. Nothing
// when the doubles find no zero-objective basis or the exact solve
// disagrees; the exact phase 1 then answers.
std::optional<Vector> guided_phase_one(const std::vector<Vector>& m, const Vector& r,
                                       Vector* dual = nullptr) {
  std::size_t rows = m.size(), cols = rows ? m[0].size() : 0, total = cols + rows;
  if (rows == 0) return Vector(cols);
  std::vector<double> t(rows * (total + 1));
  auto at = [&](std::size_t i, std::size_t j) -> double& { return t[i * (total + 1) + j]; };
  std::vector<std::size_t> basis(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    double sign = r[i] < 0 ? -1 : 1;
    for (std::size_t j = 0; j < cols; ++j) at(i, j) = sign * to_double(m[i][j]);
    at(i, cols + i) = 1;
    at(i, total) = sign * to_double(r[i]);
    basis[i] = cols + i;
  }
  // Columns scaled to entries of at most 1 (the basis does not change) and
  // the right-hand side too, so that one tolerance fits every column.
  for (std::size_t j = 0; j <= total; ++j) {
    double big = 0;
    for (std::size_t i = 0; i < rows; ++i) big = std::max(big, std::fabs(at(i, j)));
    if (!std::isfinite(big)) return std::nullopt;
    if (big > 0)
      for (std::size_t i = 0; i < rows; ++i) at(i, j) /= big;
  }
  const double eps = 1e-9;
  std::vector<double> cost(total + 1);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j <= total; ++j)
      if (j < cols || j == total) cost[j] -= at(i, j);
  for (std::size_t pivots = 0; pivots < 50 * (rows + total); ++pivots) {
    std::size_t enter = total;
    for (std::size_t j = 0; j < total; ++j)
      if (cost[j] < -eps) {
        enter = j;
        break;
      }
    if (enter == total) break;
    std::size_t leave = rows;
    double best = 0;
    for (std::size_t i = 0; i < rows; ++i) {
      if (at(i, enter) <= eps) continue;
      double ratio = at(i, total) / at(i, enter);
      if (leave == rows || ratio < best - eps || (ratio <= best + eps && basis[i] < basis[leave])) {
        leave = i;
        best = ratio;
      }
    }
    if (leave == rows) return std::nullopt;
    double pivot = at(leave, enter);
    for (std::size_t j = 0; j <= total; ++j) at(leave, j) /= pivot;
    for (std::size_t i = 0; i < rows; ++i) {
      double f = at(i, enter);
      if (i == leave || f == 0) continue;
      for (std::size_t j = 0; j <= total; ++j) at(i, j) -= f * at(leave, j);
    }
    double f = cost[enter];
    for (std::size_t j = 0; j <= total; ++j) cost[j] -= f * at(leave, j);
    basis[leave] = enter;
  }
  // Row i of column k of the basis matrix B, exactly, in the flipped rows
  // (an artificial column is the unit vector of its row).
  auto basis_entry = [&](std::size_t i, std::size_t k) -> Rational {
    if (basis[k] >= cols) return basis[k] == cols + i ? 1 : 0;
    return r[i] < 0 ? Rational(-m[i][basis[k]]) : m[i][basis[k]];
  };
  if (cost[total] < -eps * static_cast<double>(rows)) {  // the doubles see no certificate
    // Their basis's simplex multipliers, recomputed exactly: B^T pi = c_B
    // (1 on artificial columns, 0 on the others), in the caller's row signs.
    // Valid only if the basis is optimal; callers check what they build.
    if (dual) {
      Matrix bt(rows, rows);
      Vector c(rows);
      for (std::size_t k = 0; k < rows; ++k) {
        c[k] = basis[k] >= cols ? 1 : 0;
        for (std::size_t i = 0; i < rows; ++i) bt(k, i) = basis_entry(i, k);
      }
      if (std::optional<Vector> pi = solve(std::move(bt), c)) {
        for (std::size_t i = 0; i < rows; ++i)
          if (r[i] < 0) (*pi)[i] = -(*pi)[i];
        *dual = std::move(*pi);
      }
    }
    return std::nullopt;
  }
  // The exact basic solution: B z_B = r, with column k of B the system's
  // column basis[k] (an artificial: the unit vector of its row).
  Matrix b(rows, rows);
  for (std::size_t k = 0; k < rows; ++k)
    for (std::size_t i = 0; i < rows; ++i) b(i, k) = basis_entry(i, k);
  Vector rhs(rows);
  for (std::size_t i = 0; i < rows; ++i) rhs[i] = r[i] < 0 ? Rational(-r[i]) : r[i];
  std::optional<Vector> zb = solve(std::move(b), rhs);
  if (!zb) return std::nullopt;
  Vector z(cols);
  for (std::size_t k = 0; k < rows; ++k) {
    if ((*zb)[k] < 0) return std::nullopt;
    if (basis[k] >= cols) {
      if ((*zb)[k] != 0) return std::nullopt;
    } else {
      z[basis[k]] = (*zb)[k];
    }
  }
  return z;
}

// The positive multiple of (a, b) with coprime integer entries: the same
// row, and the simplex's fractions stay far smaller (the products of
// float32 weights have denominators 2^24, 2^48, ...). Returns the factor.
Rational make_primitive(Vector& a, Rational& b) {
  mpz_class den = b.get_den(), num = b.get_num();
  for (const Rational& v : a) {
    den = lcm(den, mpz_class(v.get_den()));
    num = gcd(num, mpz_class(v.get_num()));
  }
  if (num == 0) return 1;  // the zero row
  Rational factor(den, num);
  factor.canonicalize();
  if (factor < 0) factor = -factor;
  for (Rational& v : a) v *= factor;
  b *= factor;
  return factor;
}

}  // namespace

std::optional<Vector> find_feasible_point(const std::vector<Constraint>& system, std::size_t num_vars) {
  // Columns: v+ and v- (num_vars each), then one slack per le row. A strict
  // row a.v < b is relaxed to a.v <= b (callers use this on closed systems).
  if (system.empty()) return Vector(num_vars);
  std::size_t slacks = 0;
  for (const Constraint& c : system) slacks += c.rel != Relation::eq;
  std::size_t cols = 2 * num_vars + slacks, slack = 2 * num_vars;
  std::vector<Vector> m(system.size(), Vector(cols));
  Vector r(system.size());
  for (std::size_t k = 0; k < system.size(); ++k) {
    Constraint c = system[k];
    assert(c.a.size() == num_vars);
    make_primitive(c.a, c.b);  // the same row, smaller fractions
    for (std::size_t i = 0; i < num_vars; ++i) {
      m[k][i] = c.a[i];
      m[k][num_vars + i] = -c.a[i];
    }
    if (c.rel != Relation::eq) m[k][slack++] = 1;
    r[k] = c.b;
  }
  std::optional<Vector> z = guided_phase_one(m, r);
  if (!z) z = phase_one(std::move(m), std::move(r));
  if (!z) return std::nullopt;
  Vector v(num_vars);
  for (std::size_t i = 0; i < num_vars; ++i) v[i] = (*z)[i] - (*z)[num_vars + i];
  return v;
}

namespace {

// The multipliers' program of `system`: M z = r, z >= 0, with the columns
// of each row (two for an equality) from first_column and the factors that
// make the rows primitive.
struct Program {
  std::vector<Vector> m;
  Vector r;
  std::vector<std::size_t> first_column;
  Vector factors;
};

Program multiplier_program(const std::vector<Constraint>& system, std::size_t num_vars) {
  Program p;
  p.first_column.resize(system.size());
  std::size_t cols = 0;
  for (std::size_t k = 0; k < system.size(); ++k) {
    assert(system[k].a.size() == num_vars);
    p.first_column[k] = cols;
    cols += system[k].rel == Relation::eq ? 2 : 1;
  }
  std::size_t s1 = cols++, s2 = cols++;
  p.m.assign(num_vars + 2, Vector(cols));
  p.r.assign(num_vars + 2, Rational(0));
  // A multiple lambda (a, b) of a row with its multiplier mu is the row with
  // lambda mu: the certificate is the same, for the caller's rows.
  p.factors.resize(system.size());
  for (std::size_t k = 0; k < system.size(); ++k) {
    Constraint c = system[k];
    p.factors[k] = make_primitive(c.a, c.b);
    bool strict = c.rel == Relation::lt;
    std::size_t col = p.first_column[k];
    for (int sign : {1, -1}) {
      for (std::size_t i = 0; i < num_vars; ++i) p.m[i][col] = sign * c.a[i];
      p.m[num_vars][col] = sign * c.b;
      p.m[num_vars + 1][col] = sign * c.b - (strict ? 1 : 0);
      if (c.rel != Relation::eq) break;
      ++col;
    }
  }
  p.m[num_vars][s1] = 1;
  p.m[num_vars + 1][s2] = 1;
  p.r[num_vars + 1] = -1;
  return p;
}

// A point from a Farkas certificate w = (u, alpha, beta) of the program:
// beta < 0, alpha <= 0, and for every row u.a_k <= -(alpha + beta) b_k +
// beta [strict] (both ways for an equality), so x = u / -(alpha + beta)
// satisfies every row, strict ones strictly. Checked exactly.
std::optional<Vector> point_from_dual(const Vector& w, const std::vector<Constraint>& system, std::size_t num_vars) {
  Rational scale = -(w[num_vars] + w[num_vars + 1]);
  if (!(scale > 0)) return std::nullopt;
  Vector x(num_vars);
  for (std::size_t j = 0; j < num_vars; ++j) x[j] = w[j] / scale;
  if (!satisfies(system, x)) return std::nullopt;
  return x;
}

// Multipliers for `system`, or (with `point`, when it is feasible) a point of it.
Feasibility decide_system(const std::vector<Constraint>& system, std::size_t num_vars, Effort effort,
                          bool point) {
  Program p = multiplier_program(system, num_vars);
  Feasibility result;
  Vector guess;
  std::optional<Vector> z = guided_phase_one(p.m, p.r, point ? &guess : nullptr);
  if (!z && !guess.empty())
    if (auto x = point_from_dual(guess, system, num_vars)) {  // the doubles' dual, exactly
      result.point = std::move(x);
      return result;
    }
  Vector exact_dual;
  if (!z && effort == Effort::exact) z = phase_one(std::move(p.m), std::move(p.r), point ? &exact_dual : nullptr);
  if (z) {
    Vector multipliers(system.size());
    for (std::size_t k = 0; k < system.size(); ++k) {
      multipliers[k] = (*z)[p.first_column[k]];
      if (system[k].rel == Relation::eq) multipliers[k] -= (*z)[p.first_column[k] + 1];
      multipliers[k] *= p.factors[k];  // back to the caller's row
    }
    result.multipliers = std::move(multipliers);
  } else if (!exact_dual.empty()) {
    result.point = point_from_dual(exact_dual, system, num_vars);
  }
  return result;
}

}  // namespace

bool satisfies(const Constraint& c, const Vector& x) {
  Rational lhs = dot(c.a, x);
  return c.rel == Relation::le ? lhs <= c.b : c.rel == Relation::lt ? lhs < c.b : lhs == c.b;
}

bool satisfies(const std::vector<Constraint>& system, const Vector& x) {
  return std::all_of(system.begin(), system.end(), [&](const Constraint& c) { return satisfies(c, x); });
}

std::optional<Vector> find_farkas_multipliers(const std::vector<Constraint>& system, std::size_t num_vars,
                                              Effort effort) {
  return decide_system(system, num_vars, effort, false).multipliers;
}

Feasibility decide_feasibility(const std::vector<Constraint>& system, std::size_t num_vars) {
  return decide_system(system, num_vars, Effort::exact, true);
}

}  // namespace nninv::arith
