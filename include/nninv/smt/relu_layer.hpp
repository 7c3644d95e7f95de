// One ReLU layer g(x) = relu(W x + b) on a box X with nonempty interior: the
// one-copy encoding of its non-injectivity (docs/architecture.md, "One ReLU
// layer"). Z3 stays behind this header.
//
// g is not injective on X iff some x in the interior of X and some v != 0
// have, for every row i, w_i.x + b_i < 0 or w_i.v = 0: then g(x) = g(x + t v)
// for every small t > 0. Conversely, a collision g(x1) = g(x2) gives such a
// pair (a point beside the midpoint of x1, x2 and v = x2 - x1). One copy of
// the layer and a direction replace the twin encoding's two copies.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nninv/decide/budget.hpp"
#include "nninv/net/network.hpp"

namespace nninv::smt {

enum class ReluLayerStatus { injective, kernel, unknown };

struct ReluLayerResult {
  ReluLayerStatus status = ReluLayerStatus::unknown;
  // kernel: x strictly inside X, v != 0, every row w_i.x + b_i < 0 or w_i.v = 0.
  arith::Vector x, v;
  std::string reason;  // unknown: "timeout", "interrupted", or Z3's reason
};

// `w` (m x n), `b` (m) and `box` (n sides, every side with lower < upper when
// both are given) describe the layer on the free coordinates. injective is
// Z3's unsat; a kernel pair is re-checked exactly here before it is returned.
ReluLayerResult find_relu_layer_kernel(const arith::Matrix& w, const arith::Vector& b,
                                       const std::vector<net::Interval>& box, const decide::Budget& budget,
                                       std::optional<double> cap_seconds = std::nullopt);

// True when x, v satisfy the kernel condition above exactly (x strictly
// inside the box, v != 0).
bool is_relu_layer_kernel(const arith::Matrix& w, const arith::Vector& b, const std::vector<net::Interval>& box,
                          const arith::Vector& x, const arith::Vector& v);

}  // namespace nninv::smt
