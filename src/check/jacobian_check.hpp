// nninv-check's steps for the Jacobian evidence kinds (jacobian_check.cpp):
// each re-derives the claim from the certificate's data and appends the
// steps that passed; throws StepFailed at the first failing step.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::check::detail {

// "jacobian_box": one strict sign of det (P) M(s) at every vertex of the box of slopes.
std::string check_jacobian_box(const net::Network& net, const nlohmann::json& e, std::vector<std::string>& steps);

// "jacobian_norm": ||K M(s) - I||_u < 1 over the checker's enclosure of every M(s).
std::string check_jacobian_norm(const net::Network& net, const nlohmann::json& e, std::vector<std::string>& steps);

}  // namespace nninv::check::detail
