// nninv-check's replay of a simplification (rewrites.cpp): the certificate
// lists the rewrites the producer made (drop an identity layer, merge two
// activations or two dense layers, reduce a dense-activation-dense block);
// each one's precondition is verified here and the rewrite applied with the
// checker's own code, so the simplified network is never taken on trust.
#pragma once

#include <nlohmann/json.hpp>

#include "nninv/net/network.hpp"

namespace nninv::check::detail {

// The network the rewrites turn `net` into; each rewrite computes the same
// function on all of R^n as its input (docs/architecture.md,
// "Simplification"). Throws StepFailed (step "simplification") at the first
// rewrite whose precondition fails.
net::Network replay_rewrites(const net::Network& net, const nlohmann::json& rewrites);

}  // namespace nninv::check::detail
