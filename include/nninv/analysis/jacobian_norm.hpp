// The interval Jacobian norm (docs/architecture.md, "Jacobian norm"): for
// x1, x2 in X, f(x1) - f(x2) = M(s) (x1 - x2) with every slope s_i in its
// activation's interval (jacobian_box.hpp). For any fixed n x m matrix K, if
//   || K M(s) - I ||_inf < 1   for every s,
// then K M(s) is nonsingular (a Neumann series), so every M(s) has full
// column rank and f is injective on X. Interval arithmetic over the slopes
// encloses K M(s) entrywise for all s at once, giving a nonnegative matrix R
// with |K M(s) - I| <= R entrywise. The norm used is the weighted max-norm
// |x|_u = max_i |x_i| / u_i (u > 0), whose induced norm of E with |E| <= R
// is at most max_i (R u)_i / u_i; u approximates the Perron vector of R
// (floating point chooses it, the bound is exact), so the test is nearly
// "spectral radius of R < 1". No enumeration: the cost is one
// interval matrix product per layer, so it serves nets with many neurons of
// unknown phase whose Jacobians stay close to one matrix (residual blocks
// x + g(x) with a small g, leaky layers with alpha near 1).
//
// Opposite pairs (z, -z; jacobian_box.hpp) share one slope parameter t, the
// partner's slope being lo + hi - t; their two columns of K W_L ... D_k
// combine into t (T_i + T_j) - (lo + hi) T_j against the one row of the
// pre-activation map, so CReLU-coded identities add no width to the
// enclosure.
//
// K is chosen in floating point (a left inverse of M at the center slopes,
// rounded to multiples of 2^-24): any K is sound, so floating point only
// guides the choice; the bound itself is exact.
#pragma once

#include <array>
#include <cstddef>
#include <vector>
#include <optional>
#include <string>

#include "nninv/arith/matrix.hpp"
#include "nninv/net/network.hpp"

namespace nninv::analysis {

struct JacobianNorm {
  bool applicable = false;        // outputs >= free inputs, center Jacobian of full rank, work within the limit
  std::string why_not;            // when not applicable
  std::optional<arith::Matrix> k;  // the n x m matrix K
  arith::Vector u;                // positive weights of the max-norm |x|_u = max_i |x_i| / u_i
  arith::Rational bound;          // max_i (sum_j R_ij u_j) / u_i, R the entrywise bound of |K M(s) - I|
  bool exact = false;             // bound computed exactly; else a floating-point estimate >= 1 (not tried exactly)
  std::size_t unstable = 0;       // neurons of unknown phase on X
  std::size_t pairs = 0;          // opposite pairs among them
  std::vector<std::array<std::size_t, 3>> pair_list;  // those pairs as {layer, neuron, partner} (certificates)
  bool holds() const { return applicable && exact && bound < 1; }
};

// Chooses K and computes the bound; not applicable when the interval products
// would take more than max_work multiply-adds.
JacobianNorm jacobian_norm(const net::Network& net, std::size_t max_work = 4'000'000);

// The bound for a given K (the checker's computation); nothing, with the
// reason in *why, when K has the wrong shape or the work exceeds max_work.
std::optional<arith::Rational> jacobian_norm_bound(const net::Network& net, const arith::Matrix& k,
                                                   const arith::Vector& u, std::string* why,
                                                   std::size_t max_work = 4'000'000, JacobianNorm* stats = nullptr);

}  // namespace nninv::analysis
