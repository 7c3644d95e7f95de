// A slow, obviously correct injectivity oracle for small ReLU / leaky ReLU
// networks, written independently of nninv's analysis, encodings and decision
// procedures: it uses only net::Network, net::evaluate, the rational type and
// the exact LP of exact_lp.hpp. Method: enumerate the activation regions of
// the network over its domain box (each region a polyhedron with one affine
// map), then ask an LP, for every pair of regions and every input coordinate,
// whether two points of those regions with equal images can differ there.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv_test {

using nninv::arith::Rational;
using nninv::arith::Vector;

// g.x + h, a function of the network input x.
struct AffineForm {
  Vector g;
  Rational h;
};

// One activation region: the points x of the domain with
// every form in `nonnegative` >= 0 and every form in `nonpositive` <= 0,
// on which the network computes map[k](x) for each output k.
struct Region {
  std::vector<AffineForm> nonnegative, nonpositive;
  std::vector<AffineForm> map;
  Vector sample;  // a point of the region (used for the self-check)
};

struct RegionStats {
  std::size_t lps = 0;  // LP solves (phase 1 runs) spent
};

// The activation regions of `net` over net.domain. Contract:
//  - every region is nonempty and its map equals evaluate(net, .) on it;
//  - the regions cover the domain.
// (Regions may overlap on boundaries, where their maps agree.)
// Throws std::logic_error if the self-check of a map fails (an oracle bug).
std::vector<Region> enumerate_regions(const nninv::net::Network& net, RegionStats* stats = nullptr);

struct OracleAnswer {
  bool injective = true;
  // When !injective: x1 != x2 in the domain with evaluate(net, x1) == evaluate(net, x2),
  // already verified by exact evaluation.
  std::optional<Vector> x1, x2;
  std::size_t regions = 0;
  std::size_t lps = 0;
};

// Decides injectivity of `net` on net.domain. Requires only dense, relu,
// leaky_relu and identity layers. Throws std::logic_error on an internal
// inconsistency (a witness that fails its exact re-check).
OracleAnswer oracle_injective(const nninv::net::Network& net);

}  // namespace nninv_test
