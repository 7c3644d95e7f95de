// Decisions for networks that are not piecewise linear (net/model.hpp):
// smooth monotone activations and classifier heads. Each rule uses only what
// is exactly true of tanh, sigmoid, elu, softplus, softmax and argmax, and
// hands every piecewise-linear question it raises (a prefix before the first
// smooth layer, the logits' differences, a label's region) to the exact
// pipeline. The rules and their sources: docs/architecture.md, "Smooth
// activations and heads". A piecewise-linear model goes to decide(net) as is.
#pragma once

#include <nlohmann/json.hpp>

#include "nninv/decide/bijective.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/net/model.hpp"

namespace nninv::decide {

Outcome decide(const net::Model& model, Property property, const Budget& budget, const Options& options = {});
BijectiveOutcome decide_bijective(const net::Model& model, const Budget& budget, const Options& options = {});

// Certificates (docs/certificates.md); a piecewise-linear model's are those
// of its network.
nlohmann::json certificate(const net::Model& model, const Outcome& outcome);
nlohmann::json certificate(const net::Model& model, const BijectiveOutcome& outcome);

// Exact re-check of a collision of the model: x1 != x2 in X that reach the
// same value before the first smooth layer, or (no smooth layer) whose
// logits the head cannot tell apart. Empty when it holds, else what failed.
std::string check_collision(const net::Model& model, const Collision& c);

// The constructions certificates refer to, which nninv-check repeats with
// its own code. The logits' differences z_i - z_{m-1} (i < m - 1) as a model
// without a head: softmax(z) = softmax(z') exactly when z - z' is a multiple
// of (1, ..., 1), so a softmax or log_softmax head is injective where these
// are. Requires a softmax or log_softmax head and m >= 2.
net::Model logit_differences(const net::Model& model);
// Layers [0, k) of net on its domain, into all of R^width (k may be 0).
net::Network prefix(const net::Network& net, std::size_t k);

}  // namespace nninv::decide
