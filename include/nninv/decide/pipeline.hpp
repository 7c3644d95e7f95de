// The decision pipeline: cheap exact criteria, witness search, then SMT; every
// decided outcome is re-checked exactly before it is returned.
#pragma once

#include <functional>
#include <string>

#include "nninv/decide/budget.hpp"
#include "nninv/decide/outcome.hpp"
#include "nninv/net/network.hpp"

namespace nninv::decide {

struct Options {
  // Called with the name of each stage as it starts (progress display).
  std::function<void(const std::string& stage)> on_stage;
};

// Decides `property` for `net`. Never returns an unchecked "violated": a
// witness that fails its exact check throws InternalError.
Outcome decide(const net::Network& net, Property property, const Budget& budget, const Options& options = {});

// Exact re-check of a collision: x1 != x2, both in the domain, f(x1) = f(x2) = y.
// Returns an empty string when it holds, else what failed.
std::string check_collision(const net::Network& net, const Collision& c);

}  // namespace nninv::decide
