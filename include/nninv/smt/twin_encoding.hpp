// The only door to Z3: the twin encoding of injectivity (DESIGN.md section 2).
// Two copies of the network with shared weights, outputs tied equal, inputs
// distinct; satisfiable iff f is not injective on X. Z3 stays behind this
// header: callers see exact rationals and decide::Outcome only.
#pragma once

#include "nninv/decide/budget.hpp"
#include "nninv/decide/outcome.hpp"
#include "nninv/net/network.hpp"

namespace nninv::smt {

struct TwinOptions {
  // Fix the phase of neurons that interval bounds prove stable on X.
  bool use_interval_bounds = true;
};

// Complete for relu / leaky_relu / dense / identity networks given time.
// violated: collision read from the Z3 model as exact rationals (y is
// recomputed exactly, not read back); holds: Z3 reported unsat; unknown:
// budget exhausted ("timeout" / "interrupted") or Z3 gave up (its reason).
decide::Outcome decide_injective_twin(const net::Network& net, const decide::Budget& budget,
                                      const TwinOptions& options = {});

}  // namespace nninv::smt
