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
enum class Norm { one, two, inf };
// Exact: ||w d|| <= bound ||d|| for every d (1 and inf: the largest column
// or row sum; 2: bound >= 0 and bound^2 I - W^T W positive semidefinite).
bool norm_at_most(const arith::Matrix& w, const arith::Rational& bound, Norm norm);

std::string check_lipschitz(const net::Network& net, const nlohmann::json& certificate,
                            std::vector<std::string>& steps);

}  // namespace nninv::check::detail
