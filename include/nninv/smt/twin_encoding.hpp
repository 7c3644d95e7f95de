// The twin encoding of injectivity (DESIGN.md section 2): two copies of the
// network with shared weights, outputs tied equal, inputs distinct;
// satisfiable iff f is not injective on X. Z3 stays behind this header:
// callers see exact rationals, decide::Outcome and SMT-LIB text only.
#pragma once

#include <string>

#include "nninv/decide/budget.hpp"
#include "nninv/decide/outcome.hpp"
#include "nninv/net/network.hpp"

namespace nninv::smt {

struct EncodingOptions {
  // Fix the phase of neurons that interval bounds prove stable on X.
  bool interval_bounds = true;
  // x1 <lex x2 (n disjuncts) instead of x1 != x2 (2n disjuncts).
  bool symmetry_breaking = false;
  // Each activation as one if-then-else term instead of a phase literal.
  bool ite_activations = true;

  // Names the method "naive ..." in results (the benchmark baseline).
  bool baseline = false;

  // The plain encoding anyone writes in an afternoon: the baseline.
  static EncodingOptions naive() { return {false, false, true, true}; }
};

// Complete for relu / leaky_relu / dense / identity networks given time.
// violated: collision read from the Z3 model as exact rationals (y is
// recomputed exactly, not read back); holds: Z3 reported unsat; unknown:
// budget exhausted ("timeout" / "interrupted") or Z3 gave up (its reason).
decide::Outcome decide_injective_twin(const net::Network& net, const decide::Budget& budget,
                                      const EncodingOptions& options = {});

// "Z3 4.8.12" (the linked library's version), for reports and certificates.
std::string solver_version();

// The same query as SMT-LIB 2 (QF_LRA): satisfiable iff f is not injective.
std::string twin_smtlib(const net::Network& net, const EncodingOptions& options = {});

}  // namespace nninv::smt
