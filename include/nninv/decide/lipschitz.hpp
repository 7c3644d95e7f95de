// Lipschitz bounds with the decision layer's structure: analysis's sources,
// and for a chain of bijective blocks (coupling layers, residual
// contractions, invertible affine maps: docs/architecture.md, "Blocks") the
// product of the blocks' inverse moduli when it is larger.
#pragma once

#include <functional>
#include <optional>

#include "nninv/analysis/lipschitz.hpp"

namespace nninv::decide {

// analysis::lipschitz_bounds(net, norm, stop), then (up to region_seconds,
// no limit when empty) the region tree source of the upper bound: for a net
// with at most 8 free inputs and 64 relu / leaky_relu neurons, the largest
// norm of a linear region's map over a region tree of X (20,000 nodes at
// most), the exact value when a pair inside that region attains it (1- and
// inf-norm); then the block source of the inverse modulus: each block y = L x + c + P h(x), T = L^-1, t >= ||T||,
// q >= Lip(T P h), has ||x1 - x2|| <= t ||y1 - y2|| (affine), <= (1 + q) t
// ||y1 - y2|| (coupling) or <= t / (1 - q) ||y1 - y2|| (contraction, q < 1),
// and the product of the inverses of these factors is a modulus of f.
analysis::LipschitzResult lipschitz_bounds(const net::Network& net, analysis::Norm norm,
                                           const std::function<bool()>& stop = {},
                                           std::optional<double> region_seconds = 10.0);

}  // namespace nninv::decide
