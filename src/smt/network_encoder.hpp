// One copy of a network as Z3 constraints over the reals (internal to src/smt).
// Constraints and auxiliary variables are collected rather than asserted, so
// the same encoding serves quantifier-free queries and quantified ones.
#pragma once

#include <z3++.h>

#include <optional>
#include <string>
#include <vector>

#include "nninv/decide/budget.hpp"
#include "nninv/net/network.hpp"

namespace nninv::smt {

z3::expr numeral(z3::context& ctx, const arith::Rational& q);
arith::Rational read_rational(const z3::expr& value);

struct EncodedCopy {
  std::vector<z3::expr> outputs;
  z3::expr_vector constraints, variables;  // variables: every auxiliary real / Boolean created
  explicit EncodedCopy(z3::context& ctx) : constraints(ctx), variables(ctx) {}
};

// Encodes f over the input terms. When `bounds` (analysis::interval_bounds of
// the network) is given, neurons with a phase fixed on the domain are replaced
// by their linear piece. `ite_activations` writes each activation as one
// if-then-else term (the naive baseline) instead of a phase literal. When
// `budget` is given and runs out while encoding, throws z3::exception.
EncodedCopy encode_copy(z3::context& ctx, const net::Network& net, const std::vector<z3::expr>& inputs,
                        const std::string& tag, const std::vector<std::vector<net::Interval>>* bounds,
                        bool ite_activations = false, const decide::Budget* budget = nullptr);

std::vector<z3::expr> real_vector(z3::context& ctx, const std::string& name, std::size_t size);
// encodes: x in box   as: lower_i <= x_i <= upper_i for the bounded sides
z3::expr in_box(z3::context& ctx, const net::Box& box, const std::vector<z3::expr>& x);

}  // namespace nninv::smt
