// Certified Lipschitz bounds of a network on its domain box X (issue 16; the
// engine of `nninv lipschitz`, FORMAT.md section 5; docs/architecture.md,
// "Lipschitz bounds"): an upper bound L on ||f(x1) - f(x2)|| / ||x1 - x2|| and
// a lower bound m (the modulus of the inverse) in the 1-, 2- or inf-norm, each
// from exact rational arithmetic; floating point only chooses the 2-norm
// constants and the matrix K, and exact tests decide whether they hold.
// The checker (src/check/lipschitz_check.cpp) re-derives every bound from
// the evidence with its own code.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "nninv/arith/matrix.hpp"
#include "nninv/net/network.hpp"

namespace nninv::analysis {

enum class Norm { one, two, inf };
// "1", "2", "inf".
const char* to_string(Norm norm);
// Accepts "1", "2", "inf"; nothing otherwise.
std::optional<Norm> parse_norm(std::string_view text);

// One layer's factor in a product of layer bounds. Upper: a Lipschitz
// constant of the layer on the live coordinates; lower: a modulus m_k with
// ||layer(a) - layer(b)|| >= m_k ||a - b|| on them.
struct LayerFactor {
  std::size_t layer = 0;
  arith::Rational bound;
  // Lower bound of a dense layer in the 1- and inf-norm: an exact left
  // inverse L of the layer's live block (L W = I), bound = 1 / ||L||.
  std::optional<arith::Matrix> left_inverse;
};

// The data a checker needs to re-derive the two bounds (one source each).
struct LipschitzEvidence {
  // "no_pair" (X has no two distinct points), "layer_product" or "enclosure".
  std::string upper_source;  // or "region_tree" (decide::lipschitz_bounds; the tree in `region_tree`)
  std::vector<LayerFactor> upper_factors;   // layer_product: one per layer, in order
  std::optional<arith::Rational> upper_c;   // enclosure, 2-norm: c >= ||R||_2 by exact LDL^T
  // "no_pair", "none" (m = 0), "layer_composition", "jacobian_k" or "blocks"
  // (set by decide::lipschitz_bounds: bijective blocks, each with its
  // modulus constants in `blocks`, docs/certificates.md).
  std::string lower_source;
  std::vector<LayerFactor> lower_factors;   // layer_composition: one per layer, in order
  std::optional<arith::Matrix> k;           // jacobian_k: the n x m matrix K
  arith::Rational q;                        // jacobian_k: q >= ||K M(s) - I|| for every s, q < 1
  arith::Rational k_norm;                   // jacobian_k: k_norm >= ||K||
  nlohmann::json blocks;                    // blocks: the block evidence with "modulus" per block
  nlohmann::json region_tree;               // region_tree: {"kind", "tree", "stable_phases", ...}
  // enclosure and jacobian_k: opposite pairs {layer, j, p} (pre-activation
  // z_p = -z_j), whose two slopes add up to 1 + the negative-side slope.
  std::vector<std::array<std::size_t, 3>> pairs;
};

struct LipschitzResult {
  Norm norm = Norm::inf;
  arith::Rational upper;                  // L: ||f(x1) - f(x2)|| <= L ||x1 - x2|| on X
  bool upper_exact = false;               // a checked pair attains L
  arith::Rational inverse_lower;          // m: ||f(x1) - f(x2)|| >= m ||x1 - x2|| on X; 0 when none proved
  bool inverse_lower_exact = false;       // a checked pair attains m
  std::optional<std::pair<arith::Vector, arith::Vector>> upper_attained, lower_attained;
  std::string upper_method, lower_method;  // one sentence each: the source and why it holds
  LipschitzEvidence evidence;
  bool complete = true;                   // false when `stop` cut the sources short (bounds still sound)

  // Every source's value, for comparisons (benchmarks, tests).
  struct Sources {
    std::optional<arith::Rational> layer_product, enclosure;         // upper
    std::optional<arith::Rational> layer_composition, jacobian_k;    // lower
    std::optional<arith::Rational> blocks;                           // lower, decide::lipschitz_bounds
    std::optional<arith::Rational> region_tree;                      // upper, decide::lipschitz_bounds
  } sources;
};

// Bounds of f = net on net.domain in the given norm. Only the free
// coordinates of X matter (pinned ones give x1 - x2 zero entries); X may be
// unbounded. Sources that would take more than max_work multiply-adds are
// skipped; `stop` (may be empty) is polled between sources and layers, and
// when it returns true the remaining sources are skipped (complete = false).
// Never throws for a valid Network, except std::bad_alloc.
LipschitzResult lipschitz_bounds(const net::Network& net, Norm norm, const std::function<bool()>& stop = {},
                                 std::size_t max_work = 4'000'000);

// Exact: is the symmetric matrix s positive definite? (LDL^T without
// pivoting: every pivot > 0.) Requires s square and symmetric.
bool positive_definite(arith::Matrix s);
// Exact: is the symmetric matrix s positive semidefinite? (LDL^T without
// pivoting: every pivot >= 0, and a zero pivot's remaining row is zero.)
bool positive_semidefinite(arith::Matrix s);
// Exact (iff): c >= 0 and ||w||_2 <= c, decided by c^2 I - G positive
// semidefinite for the smaller Gram matrix G of w (or w = 0).
bool spectral_norm_at_most(const arith::Matrix& w, const arith::Rational& c);
// An upper bound of ||w|| in `norm`: the exact value for 1 and inf (largest
// absolute column / row sum), spectral_norm_upper for 2.
arith::Rational norm_upper(const arith::Matrix& w, Norm norm);
// A dyadic c with spectral_norm_at_most(w, c), slightly above sigma_max(w)
// (floating point estimates, exact test decides).
arith::Rational spectral_norm_upper(const arith::Matrix& w);

}  // namespace nninv::analysis
