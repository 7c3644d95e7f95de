// nninv-check's step for "coherent_orientation" evidence (orientation_check.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::check::detail {

// "injective holds" for a square net on R^n: the recession degree (checked
// as "recession_degree" evidence) is +-1, and the region tree of f shows
// every leaf with an interior of that orientation. Appends the steps that
// passed; throws StepFailed.
std::string check_coherent_orientation(const net::Network& net, const nlohmann::json& e,
                                       std::vector<std::string>& steps);

}  // namespace nninv::check::detail
