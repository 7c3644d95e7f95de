// nninv-check's step for "recession_degree" evidence (degree_check.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::check::detail {

// "surjective holds" by the Brouwer degree of f with every bias 0: re-walks
// the region tree of each facet of [-1, 1]^n, recounts the preimage rays of
// the direction d with their orientations, and checks that the recession
// map vanishes only at 0. Appends the steps that passed; throws StepFailed.
std::string check_recession_degree(const net::Network& net, const nlohmann::json& e, std::vector<std::string>& steps);

}  // namespace nninv::check::detail
