// The Jacobian box of a square network (docs/architecture.md, "Jacobian
// box"): for x1, x2 in X, f(x1) - f(x2) = M(s) (x1 - x2) with
//   M(s) = W_k D_k ... W_2 D_1 W_1   (W_1 restricted to the free inputs),
// D_j = diag(s) and each slope s_i between the two slopes of its activation
// (relu: [0, 1]; leaky_relu: between alpha and 1), fixed to one slope when
// interval bounds give the neuron one sign on X. det M(s) is affine in each
// s_i separately (M depends on s_i through a rank-one term), so its smallest
// and largest values on the box of slopes are taken at vertices. If every
// vertex determinant has the same strict sign, no M(s) is singular, and f is
// injective on X.
#pragma once

#include <cstddef>
#include <string>

#include "nninv/net/network.hpp"

namespace nninv::analysis {

struct JacobianBox {
  bool applicable = false;   // square on the free coordinates, few enough unstable neurons
  std::string why_not;       // when not applicable
  std::size_t unstable = 0;  // neurons whose slope varies: 2^unstable vertices
  int sign = 0;              // +1 / -1: every vertex determinant has this sign; 0: not so
  std::size_t vertex = 0;    // sign 0: the first vertex (bit i = slope of unstable neuron i is its upper end) that breaks it
};

// Enumerates the 2^unstable vertices, exactly; not applicable past
// max_unstable unstable neurons or when dim f(X) != number of free inputs.
JacobianBox jacobian_box(const net::Network& net, std::size_t max_unstable = 10);

}  // namespace nninv::analysis
