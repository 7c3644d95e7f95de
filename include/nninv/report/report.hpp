// Results for people (text) and for scripts (--json, FORMAT.md section 3).
#pragma once

#include <string>

#include "nninv/decide/outcome.hpp"
#include "nninv/net/network.hpp"

namespace nninv::report {

// "(1/2, -3)"
std::string format_vector(const arith::Vector& v);

// Several lines: verdict, witness, reason, method, time.
std::string to_text(const net::Network& net, const decide::Outcome& outcome, double time_seconds);

// One JSON object on one line; every number of the witness is an exact
// rational string.
std::string to_json(const decide::Outcome& outcome, double time_seconds);

}  // namespace nninv::report
