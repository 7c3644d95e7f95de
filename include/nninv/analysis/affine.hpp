// The affine map of a network whose every activation has a phase fixed on the
// whole domain by interval bounds: then f(x) = A x + c on all of X.
#pragma once

#include <optional>

#include "nninv/net/network.hpp"

namespace nninv::analysis {

// A (m x n) when interval bounds fix the phase of every relu / leaky_relu
// neuron on X; nothing when some neuron may change phase.
std::optional<arith::Matrix> affine_matrix_on_domain(const net::Network& net);

}  // namespace nninv::analysis
