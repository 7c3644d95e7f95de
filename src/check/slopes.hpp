// nninv-check's own slope facts and interval enclosures of difference
// quotients (slopes.cpp), shared by the Jacobian box, Jacobian norm and
// Lipschitz steps. For x1, x2 in X, f(x1) - f(x2) = M(s) (x1 - x2) with
// M(s) = W_L D_{L-1}(s) ... W_1 and each slope s_i neuron i's difference
// quotient, inside its interval [lo, hi] (docs/architecture.md, "Jacobian box").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::check::detail {

struct Slope {
  arith::Rational lo, hi;
};

arith::Rational magnitude(const arith::Rational& v);

// The network's facts the checks rest on, recomputed from the checker's
// interval bounds (intervals.hpp).
struct Facts {
  std::vector<std::size_t> free;                     // free input coordinates
  std::vector<std::vector<Slope>> slopes;            // per layer; empty unless relu / leaky_relu
  std::vector<std::vector<std::size_t>> cols, rows;  // live coordinates of each layer's input, output
};
Facts facts_of(const net::Network& net);

// The negative-side slope a of activation layer k (0 for relu).
arith::Rational negative_side(const net::Network& net, std::size_t k);

// Interval matrices [lo, hi], entrywise.
struct Enclosure {
  arith::Matrix lo, hi;
};

// [a, b] * [c, d]: the least and greatest of the four products.
std::pair<arith::Rational, arith::Rational> product(const arith::Rational& a, const arith::Rational& b,
                                                    const arith::Rational& c, const arith::Rational& d);

// Opposite pairs: pairs[k][j] = p when neuron p's pre-activation in layer k
// is exactly minus neuron j's, so sigma(z_j) - sigma(z_p) = (1 + a) z_j and
// their difference quotients add up to 1 + a.
using Pairs = std::vector<std::vector<std::optional<std::size_t>>>;

// The certificate's list [[layer, j, p], ...] under `key` (absent: no
// pairs), each verified: an activation layer, two distinct neurons used
// once, pre-activations exactly opposite. Throws StepFailed naming `step`.
Pairs read_pairs(const net::Network& net, const Facts& f, const nlohmann::json& e, const char* key,
                 const std::string& step, std::size_t* count = nullptr);

// An enclosure of every P M(s) (rows: P's, columns: the free inputs).
Enclosure enclosure_of(const net::Network& net, const Facts& f, const Pairs& pairs, const arith::Matrix& p);

// R >= |E - I| (minus_identity) or |E| entrywise for every E in e.
arith::Matrix magnitude_bound(const Enclosure& e, bool minus_identity);

}  // namespace nninv::check::detail
