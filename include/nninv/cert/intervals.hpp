// Exact interval bounds over X, shared by the proof-tree system
// (path_system.hpp) and nninv-check: dense rows by exact interval sums,
// relu / leaky_relu by their monotone pieces, identity unchanged. Not the
// producer's analysis::interval_bounds: the trusted base has its own copy.
#pragma once

#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::cert {

// result[k]: intervals of the values entering layer k for every x in X;
// result[layers.size()]: the outputs.
std::vector<std::vector<net::Interval>> layer_intervals(const net::Network& net);

}  // namespace nninv::cert
