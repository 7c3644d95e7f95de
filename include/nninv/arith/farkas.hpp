// Certificates of infeasibility for systems of linear constraints over the
// rationals (Farkas' lemma; Motzkin's transposition theorem for strict rows).
#pragma once

#include <optional>
#include <vector>

#include "nninv/arith/rational.hpp"

namespace nninv::arith {

enum class Relation { le, lt, eq };  // a.v <= b, a.v < b, a.v = b

struct Constraint {
  Vector a;
  Rational b;
  Relation rel = Relation::le;
};

// Whether x satisfies the row (the system): a.x <= b, < b or = b, exactly.
bool satisfies(const Constraint& c, const Vector& x);
bool satisfies(const std::vector<Constraint>& system, const Vector& x);

// exact: complete (nothing means feasible). guided: only the basis the
// doubles propose, recomputed exactly; nothing may then also mean that the
// doubles missed the certificate (the tests use it to exercise that path).
enum class Effort { exact, guided };

// Multipliers m_k (>= 0 on le/lt rows, any sign on eq rows) with
// sum m_k a_k = 0 and either sum m_k b_k < 0, or sum m_k b_k = 0 with m_k > 0
// on some strict row: adding up the rows then gives 0 <= negative or 0 < 0,
// so the system has no solution. Found by an exact phase-1 simplex (Bland's
// rule) on the multipliers' own linear system, after a basis proposed by
// the same simplex in doubles is tried exactly (docs/architecture.md,
// "Linear programs: the doubles propose, exact arithmetic decides");
// nothing when the system is feasible. Requires
// every a to have num_vars entries.
std::optional<Vector> find_farkas_multipliers(const std::vector<Constraint>& system, std::size_t num_vars,
                                              Effort effort = Effort::exact);

// One exact program for both answers: multipliers as above, or (when the
// system is feasible) a point satisfying every row, strict rows strictly,
// read off the dual of the multipliers' program and checked exactly. Both
// empty only if that check fails (it is not expected to). The program has
// num_vars + 2 rows, so this is far cheaper than find_feasible_point on
// systems with many more rows than variables.
struct Feasibility {
  std::optional<Vector> multipliers, point;
};
Feasibility decide_feasibility(const std::vector<Constraint>& system, std::size_t num_vars);

// Some v with every row a.v (rel) b, strict rows read as non-strict (a
// vertex of the polyhedron when it has one), found by the same phase 1 on
// v+, v- and slacks (the doubles' basis first, recomputed exactly); nothing
// when the system is infeasible.
std::optional<Vector> find_feasible_point(const std::vector<Constraint>& system, std::size_t num_vars);

}  // namespace nninv::arith
