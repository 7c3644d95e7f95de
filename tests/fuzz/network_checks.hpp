// Checks shared by the fuzz targets: the invariants every loaded network must
// satisfy (what the loader promises downstream code), and a structural
// comparison of two networks for the write/read round trip.
#pragma once

#include <string>

#include "nninv/net/network.hpp"

namespace nninv_fuzz {

// Empty when `net` is well formed: input_dim > 0, every dense layer as wide
// as the values it reads with one bias per row, alpha > 0, domain and
// codomain of the right dimensions with lower <= upper, and exact evaluation
// at a point of the domain giving output_dim() values. Else what fails.
std::string invariant_failure(const nninv::net::Network& net);

// Empty when a and b are the same network (name, dimensions, boxes, layers,
// every number exactly); else the first difference.
std::string difference(const nninv::net::Network& a, const nninv::net::Network& b);

// Stops the process with `what` on stderr: libFuzzer records the input as a
// crash, the replay test fails.
[[noreturn]] void fail(const std::string& what);

}  // namespace nninv_fuzz
