// Exact, function-preserving network simplification, run before the decision
// stages: consecutive affine layers merge, CReLU-style pairs relu(a), relu(-a)
// (Shang et al., ICML 2016) fold through relu(a) - relu(-a) = a, duplicate
// and dead neurons go. Deterministic, so the checker can re-run it.
#pragma once

#include <cstddef>
#include <string>

#include "nninv/net/network.hpp"

namespace nninv::analysis {

struct Simplified {
  net::Network network;
  bool changed = false;  // false: `network` equals the input layer by layer
  std::size_t layers_before = 0, layers_after = 0;
  std::size_t nonlinear_before = 0, nonlinear_after = 0;  // relu / leaky_relu neurons
};

// Applies the rules of docs/architecture.md ("Simplification") to a fixpoint.
// Ensures: same input_dim, domain, codomain and name, and
// evaluate(result, x) == evaluate(net, x) for every x in R^n (not only on X);
// simplify(simplify(net).network).changed == false. Requires a valid network
// (as the loader returns it). Never throws on a valid network.
Simplified simplify(const net::Network& net);

// "12 -> 0 relu/leaky neurons, 7 -> 1 layers" (for traces and reports).
std::string describe(const Simplified& s);

}  // namespace nninv::analysis
