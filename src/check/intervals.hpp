// nninv-check's own interval bounds over X (not the producer's
// analysis::interval_bounds): dense rows by exact interval sums, relu /
// leaky_relu by their monotone pieces, identity unchanged.
#pragma once

#include <optional>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::check::detail {

// result[k]: intervals of the values entering layer k for every x in X;
// result[layers.size()]: the outputs.
std::vector<std::vector<net::Interval>> layer_intervals(const net::Network& net);

// The matrix A with f(x) = A x + c on X when the intervals fix the phase of
// every relu / leaky_relu neuron; nothing otherwise.
std::optional<arith::Matrix> affine_matrix_on_domain(const net::Network& net);

}  // namespace nninv::check::detail
