// nninv-check's step for "blocks" evidence (blocks_check.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::check::detail {

// "f is a bijection of R^n": the listed blocks tile the layers, each is an
// invertible affine map, a coupling layer or a contraction x + g(x), with
// the split into a linear part and kinked neurons redone here from the
// listed opposite pairs. Appends the steps that passed; throws StepFailed.
std::string check_blocks(const net::Network& net, const nlohmann::json& e, std::vector<std::string>& steps);

}  // namespace nninv::check::detail
