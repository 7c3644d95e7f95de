// Interval bounds of every layer's values over the domain box, in exact
// rationals (the floor of bound propagation; DESIGN.md section 2).
#pragma once

#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::analysis {

// result[k][i]: an interval containing value i entering layer k for every x in
// net.domain; result[layers.size()] bounds the outputs. Sound, not tight.
std::vector<std::vector<net::Interval>> interval_bounds(const net::Network& net);

enum class Phase { active, inactive, unstable };
// Phase of a relu / leaky_relu neuron whose input lies in `bounds`: active
// when the input is >= 0 throughout, inactive when <= 0 throughout.
Phase phase_of(const net::Interval& bounds);

}  // namespace nninv::analysis
