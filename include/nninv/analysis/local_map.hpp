// The affine piece of a network around one input point: its Jacobian, and
// for every relu / leaky_relu neuron the pre-activation value and gradient,
// which tell how far one may move before the activation pattern changes.
#pragma once

#include <cstddef>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::analysis {

struct NeuronAtPoint {
  std::size_t layer = 0, index = 0;
  arith::Rational value;  // pre-activation at x0
  arith::Vector gradient;  // d value / dx along the piece that contains x0
};

struct LocalMap {
  arith::Vector input, output;  // x0 and f(x0)
  arith::Matrix jacobian;       // m x n
  std::vector<NeuronAtPoint> neurons;  // every relu / leaky_relu neuron, in order
};

// How a neuron whose pre-activation is exactly 0 at x0 is treated downstream.
enum class TieRule {
  // derivative 0: a direction v with gradient . v == 0 for all such neurons
  // keeps them at 0, and along it f(x0 + t v) = f(x0) + t J v for small t.
  zero_derivative,
  // a piece chosen per tie: the t-th neuron at 0 (in order) takes the active
  // piece iff active_ties[t] (missing entries: inactive). The map is then the
  // affine map of one closed activation region containing x0.
  chosen,
};

// Requires x0.size() == net.input_dim.
LocalMap local_map(const net::Network& net, const arith::Vector& x0, TieRule ties = TieRule::zero_derivative,
                   const std::vector<bool>& active_ties = {});

// Largest step bound: for every t in [0, result) the segment x0 + t v keeps
// the sign of each neuron that is nonzero at x0. Empty when no neuron limits it.
std::optional<arith::Rational> pattern_step_limit(const LocalMap& map, const arith::Vector& v);

}  // namespace nninv::analysis
