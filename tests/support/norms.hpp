// Exact vector and matrix norms for the Lipschitz tests (unit and cert):
// a test's own straightforward reference, not the code under test.
#pragma once

#include <algorithm>

#include "nninv/analysis/lipschitz.hpp"

namespace nninv::test {

inline arith::Rational magnitude(const arith::Rational& v) { return v < 0 ? arith::Rational(-v) : v; }

// ||v||_p, or ||v||_2^2 for p = 2 (kept rational).
inline arith::Rational norm_power(const arith::Vector& v, analysis::Norm norm) {
  arith::Rational s = 0;
  for (const arith::Rational& x : v) {
    if (norm == analysis::Norm::one) s += magnitude(x);
    else if (norm == analysis::Norm::two) s += x * x;
    else s = std::max(s, magnitude(x));
  }
  return s;
}

// ||a||_1 (largest absolute column sum) or ||a||_inf (largest absolute row sum).
inline arith::Rational operator_norm(const arith::Matrix& a, analysis::Norm norm) {
  arith::Rational best = 0;
  bool rows = norm == analysis::Norm::inf;
  for (std::size_t i = 0; i < (rows ? a.rows() : a.cols()); ++i) {
    arith::Rational sum = 0;
    for (std::size_t j = 0; j < (rows ? a.cols() : a.rows()); ++j) sum += magnitude(rows ? a(i, j) : a(j, i));
    best = std::max(best, sum);
  }
  return best;
}

}  // namespace nninv::test
