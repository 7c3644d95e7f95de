// The Jacobian box of a network (docs/architecture.md, "Jacobian box"): for
// x1, x2 in X, f(x1) - f(x2) = M(s) (x1 - x2) with
//   M(s) = W_k D_k ... W_2 D_1 W_1   (W_1 restricted to the free inputs),
// D_j = diag(s) and each slope s_i between the two slopes of its activation
// (relu: [0, 1]; leaky_relu: between alpha and 1), fixed to one slope when
// interval bounds give the neuron one sign on X. det M(s) is affine in each
// s_i separately (M depends on s_i through a rank-one term), so its smallest
// and largest values on the box of slopes are taken at vertices. If every
// vertex determinant has the same strict sign, no M(s) is singular, and f is
// injective on X.
//
// Paired neurons: when two neurons of one activation layer have exactly
// opposite pre-activations (z and -z as affine maps of that layer's input, as
// in CReLU-coded identities relu(z) - relu(-z) = z), their slopes are coupled:
// sigma(z) - sigma(-z) = (1 + alpha) z, so for x1, x2 with z1 != z2 the two
// difference quotients add up to lo + hi. The pair has one parameter s in
// [lo, hi], the partner's slope is lo + hi - s, and the pair still enters M
// through one rank-one term (its two rows of pre-activation differences are
// opposite), so det M stays affine in s: vertices are taken over parameters.
//
// More outputs than free inputs (m > n): the determinants are those of the
// n x n matrices P M(s) for one fixed n x m matrix P. P M(s) is still affine
// in each parameter (P times a rank-one term is rank one), and P M(s)
// nonsingular forces M(s) to have full column rank, so one strict sign at
// every vertex again proves injectivity. Without a given P the search tries
// a selection of n outputs whose rows of M do not depend on the slopes (then
// any others), independent at the center c of the box, and then M(c)^T.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "nninv/arith/matrix.hpp"
#include "nninv/net/network.hpp"

namespace nninv::analysis {

struct JacobianBox {
  bool applicable = false;     // at least as many outputs as free inputs, few enough parameters
  bool projected = false;      // more outputs than free inputs: the determinants are those of P M(s)
  std::optional<arith::Matrix> projection;  // that P, when the signs agree
  std::string why_not;         // when not applicable
  std::size_t unstable = 0;    // neurons whose slope varies
  std::size_t pairs = 0;       // pairs of them with opposite pre-activations, one parameter each
  std::vector<std::array<std::size_t, 3>> pair_list;  // those pairs as {layer, neuron, partner} (certificates)
  std::size_t parameters = 0;  // unstable - pairs: 2^parameters vertices
  int sign = 0;                // +1 / -1: every vertex determinant has this sign; 0: not so
  std::size_t vertex = 0;      // sign 0: the first vertex (bit i = parameter i at its upper end) that breaks it
};

// Enumerates the 2^parameters vertices, exactly; not applicable past
// max_parameters parameters or with fewer outputs than free inputs.
// pair_neurons = false treats every unstable neuron as its own parameter.
// `projection`: use this P (m > n only; the checker's case) instead of searching.
JacobianBox jacobian_box(const net::Network& net, std::size_t max_parameters = 10, bool pair_neurons = true,
                         const std::optional<arith::Matrix>& projection = std::nullopt);

// The slopes of f(x1) - f(x2) on X, per layer and neuron (empty for dense
// and identity layers): the interval [lo, hi] of the activation's two slopes
// for a neuron of unknown phase on X (interval bounds), else the point of
// the slope its phase fixes.
struct SlopeRanges {
  std::vector<std::vector<std::pair<arith::Rational, arith::Rational>>> range;
  std::vector<std::vector<bool>> unstable;
  std::size_t unstable_count = 0;
};
SlopeRanges slope_ranges(const net::Network& net);

// Why M(s) cannot have full column rank for shape reasons (no free input,
// or fewer outputs than free inputs); nothing when the shape allows it.
std::optional<std::string> jacobian_shape_problem(const net::Network& net);

// For each activation layer k and neuron i among `candidates[k]`: a neuron
// j > i of the same layer, also a candidate, whose pre-activation is exactly
// the opposite affine map of the layer's input (rows and biases negated, the
// dense layers in between composed); each neuron in at most one pair.
std::vector<std::vector<std::optional<std::size_t>>> opposite_pairs(const net::Network& net,
                                                                     const std::vector<std::vector<bool>>& candidates);

}  // namespace nninv::analysis
