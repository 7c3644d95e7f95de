// Exact, function-preserving network simplification, run before the decision
// stages: consecutive affine layers merge, CReLU-style pairs relu(a), relu(-a)
// (Shang et al., ICML 2016) fold through relu(a) - relu(-a) = a, duplicate
// and dead neurons go. Deterministic, so the checker can re-run it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::analysis {

// One rewrite, as data: certificates carry the list so that nninv-check can
// replay and verify each step with its own code (docs/certificates.md).
struct Rewrite {
  enum class Rule { drop_identity, merge_activations, merge_dense, reduce_block };
  Rule rule;
  std::size_t layer;  // the first layer it rewrites (of the network as it is at that point)
  // reduce_block (layers D1, act, D2): per neuron of act, the first neuron
  // of its class (pre-activations positive multiples of each other), or
  // nothing for a neuron with a zero row of D1.
  std::vector<std::optional<std::size_t>> representative;
  bool dense = false;  // the block became one dense layer
  std::vector<std::pair<std::size_t, std::size_t>> opposite;  // dense: classes (by representative) that cancel
};

struct Simplified {
  net::Network network;
  bool changed = false;  // false: `network` equals the input layer by layer
  std::size_t layers_before = 0, layers_after = 0;
  std::size_t nonlinear_before = 0, nonlinear_after = 0;  // relu / leaky_relu neurons
  std::vector<Rewrite> rewrites;  // in order; replayed on the input they give `network`
};

const char* to_string(Rewrite::Rule rule);

// Applies the rules of docs/architecture.md ("Simplification") to a fixpoint.
// Ensures: same input_dim, domain, codomain and name, and
// evaluate(result, x) == evaluate(net, x) for every x in R^n (not only on X);
// simplify(simplify(net).network).changed == false. Requires a valid network
// (as the loader returns it). Never throws on a valid network.
Simplified simplify(const net::Network& net);

// "12 -> 0 relu/leaky neurons, 7 -> 1 layers" (for traces and reports).
std::string describe(const Simplified& s);

}  // namespace nninv::analysis
