// The Brouwer degree of the recession map f_inf (f with every bias 0) of a
// square net on R^n, counted on the facets of the cube [-1, 1]^n
// (docs/architecture.md, "Recession degree"). Shared by the surjectivity
// stage (recession_degree.cpp) and the injectivity stage
// (coherent_orientation.cpp). Internal to src/decide.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "nninv/arith/rational.hpp"
#include "nninv/decide/budget.hpp"
#include "nninv/net/network.hpp"

namespace nninv::decide {

// The stages that walk region trees of R^n step aside above this many
// inputs: the trees grow exponentially with n, and each leaf's exact
// determinant costs n^3.
constexpr std::size_t max_region_tree_inputs = 16;

// Why the region-tree stages on R^n do not apply to `net` (not square on
// R^n, or more than max_region_tree_inputs inputs), or nothing.
std::optional<std::string> region_tree_unfit(const net::Network& net);

// What one direction d gives: the degree when d is generic (no preimage ray
// on a region boundary or in the image of a singular region), whether f_inf
// provably vanishes only at 0, and how many rays f_inf maps onto the ray of d.
struct RecessionCount {
  arith::Vector d;
  bool generic = true, proper = true, complete = true;  // complete: the trees fit the node limit and budget
  long degree = 0;
  std::size_t hits = 0, nodes = 0;
  nlohmann::json facets = nlohmann::json::array();

  // The "recession_degree" evidence (docs/certificates.md) of a generic,
  // proper, complete count.
  nlohmann::json evidence() const;
};

// Counts with up to 6 directions d (small integer coordinates, fixed seed)
// until one is generic. The result is the first generic count, the first
// incomplete one, or (all 6 non-generic) the last; `net` must be square on
// R^n with relu / leaky_relu activations.
RecessionCount count_recession_degree(const net::Network& net, const Budget& budget, std::size_t max_nodes);

}  // namespace nninv::decide
