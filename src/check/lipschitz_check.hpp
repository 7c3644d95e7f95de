// nninv-check's part for Lipschitz certificates (lipschitz_check.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nninv/net/network.hpp"
#include "step.hpp"

namespace nninv::check::detail {

// Re-derives both bounds of a "lipschitz" certificate whose header was
// checked; appends the steps that passed; returns what was proved. Throws
// StepFailed at the first failing step.
std::string check_lipschitz(const net::Network& net, const nlohmann::json& certificate,
                            std::vector<std::string>& steps);

}  // namespace nninv::check::detail
