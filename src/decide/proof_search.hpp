// Proof trees with exact Farkas leaves (internal to src/decide); see
// docs/certificates.md for the format the checker reads.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "nninv/cert/path_system.hpp"
#include "nninv/decide/budget.hpp"
#include "nninv/net/network.hpp"

namespace nninv::decide {

// A tree proving "no x1 != x2 in X with f(x1) = f(x2)", or nothing (a collision
// exists, or the node limit / budget ran out).
std::optional<nlohmann::json> try_twin_proof(const net::Network& net, const Budget& budget, std::size_t max_nodes);

// A tree proving "no x in X with |f(x) - y|_inf <= radius" (radius empty: f(x) = y).
std::optional<nlohmann::json> try_preimage_proof(const net::Network& net, const arith::Vector& y,
                                                 const std::optional<arith::Rational>& radius, const Budget& budget,
                                                 std::size_t max_nodes);

// Trees proving "f(X) inside Y": for each bounded side of Y, interval bounds
// or a tree proving "no x in X with f_i(x) beyond that side"; or nothing.
std::optional<nlohmann::json> try_into_proof(const net::Network& net, const Budget& budget, std::size_t max_nodes);

// A relu-layer tree proving "the first layer relu(W x + b) is injective on X"
// with left inverses of the later dense layers (relu_layer.cpp), or nothing
// (the network does not start with dense, relu, a later layer may not be
// injective, the first layer is not injective, or the node limit / budget
// ran out).
std::optional<nlohmann::json> try_relu_layer_tree(const net::Network& net, const Budget& budget, std::size_t max_nodes);

// A section tree proving "Y is contained in f(X)" (section_tree.cpp), or
// nothing (not square on the free coordinates, a cell without a usable
// section, or the node limit / budget ran out).
std::optional<nlohmann::json> try_section_tree(const net::Network& net, const Budget& budget, std::size_t max_nodes);

// The region tree of one copy of `net` on X: phase splits in network order
// (stable phases by interval bounds) until each branch is infeasible (a
// Farkas leaf, {"farkas": ...}) or fully fixed, where `leaf` writes the node
// from the branch's PathSystem (nothing: give up). Nothing when a leaf gives
// up or the node limit / budget runs out; *nodes counts the nodes visited.
using RegionLeaf = std::function<std::optional<nlohmann::json>(const cert::PathSystem&)>;
std::optional<nlohmann::json> try_region_tree(const net::Network& net, const Budget& budget, std::size_t max_nodes,
                                              const RegionLeaf& leaf, std::size_t* nodes);

// {"farkas": {index: multiplier}} with the nonzero multipliers of m.
nlohmann::json farkas_leaf(const arith::Vector& m);

}  // namespace nninv::decide
