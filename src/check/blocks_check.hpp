// nninv-check's step for "blocks" evidence (blocks_check.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lipschitz_check.hpp"
#include "nninv/net/network.hpp"

namespace nninv::check::detail {

// "f is a bijection of R^n": the listed blocks tile the layers, each is an
// invertible affine map, a coupling layer or a contraction x + g(x), with
// the split into a linear part and kinked neurons redone here from the
// listed opposite pairs. Appends the steps that passed; throws StepFailed.
std::string check_blocks(const net::Network& net, const nlohmann::json& e, std::vector<std::string>& steps);

// The same blocks, each with its "modulus" constants in `norm`; returns the
// product of the blocks' moduli m_b (||b(x1) - b(x2)|| >= m_b ||x1 - x2|| on
// all of R^n), a modulus of f (docs/architecture.md, "Lipschitz bounds").
arith::Rational check_blocks_modulus(const net::Network& net, const nlohmann::json& e, Norm norm,
                                     std::vector<std::string>& steps);

}  // namespace nninv::check::detail
