// nninv-check's affine map on X, from the trusted interval bounds
// (nninv/cert/intervals.hpp, not the producer's analysis::interval_bounds).
#pragma once

#include <optional>

#include "nninv/cert/intervals.hpp"
#include "nninv/net/network.hpp"

namespace nninv::check::detail {

using cert::layer_intervals;

// The matrix A with f(x) = A x + c on X when the intervals fix the phase of
// every relu / leaky_relu neuron; nothing otherwise.
std::optional<arith::Matrix> affine_matrix_on_domain(const net::Network& net);

}  // namespace nninv::check::detail
