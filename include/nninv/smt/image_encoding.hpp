// Questions about the image of the network, in Z3 (linear real arithmetic):
// preimages of a point or a small box, and the quantified surjectivity
// formula "exists y in Y, forall x in X: f(x) != y" (DESIGN.md section 2).
#pragma once

#include <optional>
#include <string>

#include "nninv/decide/budget.hpp"
#include "nninv/decide/outcome.hpp"
#include "nninv/net/network.hpp"
#include "nninv/smt/twin_encoding.hpp"

namespace nninv::smt {

enum class Preimage { found, none, unknown };

struct PreimageResult {
  Preimage status = Preimage::unknown;
  arith::Vector x;     // when found: x in X, read from the model as exact rationals
  std::string reason;  // when unknown
};

// Is there x in X with f(x) = y (radius empty), or with |f(x) - y|_inf <= radius?
// found: x (the caller re-checks it exactly); none: Z3 proved the query
// unsatisfiable; unknown: budget, cap_seconds or Z3 gave up.
PreimageResult find_preimage(const net::Network& net, const arith::Vector& y, const decide::Budget& budget,
                             std::optional<arith::Rational> radius = std::nullopt,
                             std::optional<double> cap_seconds = std::nullopt);

// Is there x in X with f(x) outside the codomain Y? found: x (re-checked by
// the caller); none: Z3 proved that f maps X into Y; unknown: budget, cap or Z3.
PreimageResult find_escape(const net::Network& net, const decide::Budget& budget,
                           std::optional<double> cap_seconds = std::nullopt);
// The same query as SMT-LIB 2 (QF_LRA): satisfiable iff f(X) is not inside Y.
std::string escape_smtlib(const net::Network& net);

// Complete for relu / leaky_relu / dense / identity networks given time:
// violated with the y of Z3's model (re-proved unreachable by find_preimage),
// holds when the quantified formula is unsatisfiable.
decide::Outcome decide_surjective_quantified(const net::Network& net, const decide::Budget& budget,
                                             const EncodingOptions& options = {});

// The quantified query as SMT-LIB 2 (LRA): satisfiable iff f is not onto Y.
std::string image_smtlib(const net::Network& net, const EncodingOptions& options = {});
// The preimage query as SMT-LIB 2 (QF_LRA): satisfiable iff some x in X has f(x) = y.
std::string preimage_smtlib(const net::Network& net, const arith::Vector& y);

}  // namespace nninv::smt

namespace nninv::smt {

// Counterexample-guided region cover (DESIGN.md section 2) for networks with
// m = dim X and a full-dimensional box Y: guess y in Y outside the images
// found so far; ask for a preimage; none proves y unreachable, otherwise the
// exact image of the preimage's (nonsingular) activation region joins the
// cover. Terminates after at most one round per region. Unknown (so that the
// quantified formula can take over) when it meets a singular region.
decide::Outcome decide_surjective_region_cover(const net::Network& net, const decide::Budget& budget);

}  // namespace nninv::smt
