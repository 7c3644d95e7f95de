// The decision pipeline: cheap exact criteria, witness search, then SMT; every
// decided outcome is re-checked exactly before it is returned.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nninv/analysis/lipschitz.hpp"
#include "nninv/analysis/simplify.hpp"
#include "nninv/decide/budget.hpp"
#include "nninv/decide/outcome.hpp"
#include "nninv/net/network.hpp"

namespace nninv::decide {

// naive: the plain Z3 encoding alone (twin network / quantified formula, if-then-else
// activations, no bounds, no symmetry breaking): the baseline benchmarks compare against.
enum class Engine { portfolio, naive };

// Every switch only removes work: verdicts are the same with any setting
// (tested), only the time differs. The switches exist for ablation studies.
struct Options {
  Engine engine = Engine::portfolio;
  bool criteria = true;           // exact criteria (dimension, composition, rank, bounds, ...)
  bool witness_search = true;     // local-rank search, fold search, sampled unreachable points
  bool fold_search = true;        // fold search alone (square nets; needs witness_search)
  bool relu_layer = true;         // a first layer relu(W x + b) by the one-copy encoding
  bool interval_bounds = true;    // fix stable neurons in the SMT encodings
  // x1 <lex x2 instead of x1 != x2 in the twin encoding. Off by default:
  // measured 2-4x slower on satisfiable (non-injective) queries with Z3 4.8.12
  // and no faster on unsatisfiable ones (docs/architecture.md, "Encoding").
  bool symmetry_breaking = false;
  // Each activation as one if-then-else term (default) or as a phase literal
  // with two implications; if-then-else measured up to 2x faster.
  bool ite_activations = true;
  bool region_cover = true;       // counterexample-guided cover before the quantified formula
  bool recession_degree = true;   // square nets on R^n: the degree of the recession map
  bool coherent_orientation = true;  // square nets on R^n: one orientation and degree +-1 (injective)
  bool blocks = true;                // square nets: coupling layers and residual contractions, composed
  // Only the stages that need no solver query of unbounded length (criteria,
  // exact searches): bijective runs every part this way first, so that a
  // part refuted in milliseconds stops the others before they start.
  bool cheap_only = false;
  // Decide on the exactly equivalent simplified network (analysis/simplify.hpp):
  // evidence found there is wrapped as {"kind": "simplified"}; witnesses are
  // re-checked on the original network.
  bool simplify = true;
  // Replace a bare "unsat" from Z3 by a proof tree with exact Farkas leaves
  // (for certificates), exploring at most proof_node_limit nodes.
  bool want_proof = false;
  std::size_t proof_node_limit = 100000;
  // The region trees of the recession-degree and coherent-orientation
  // stages, together (about 2 KiB of memory a node; a 3-16-16-3 trained
  // net needs about 10^5).
  std::size_t region_node_limit = 1000000;
  std::optional<double> proof_seconds;  // a time cap for each proof search (within the budget)
  // Called with the name of each stage as it starts (progress display).
  std::function<void(const std::string& stage)> on_stage;
  // An injectivity outcome already decided for this network (bijective asks
  // both questions): the square-map criterion reuses it instead of deciding again.
  const Outcome* known_injective = nullptr;
  // When set, every stage that ran is appended here (--stats).
  struct StageRecord {
    std::string property, stage, result;
    double seconds = 0;
  };
  std::vector<StageRecord>* trace = nullptr;
};

// Decides `property` for `net`. Never returns an unchecked "violated": a
// witness that fails its exact check throws InternalError.
Outcome decide(const net::Network& net, Property property, const Budget& budget, const Options& options = {});

// Finds x in X with f(x) = y exactly, or proves there is none; `unique` is
// set when f is proved injective on X. Requires y.size() == net.output_dim().
InvertOutcome invert(const net::Network& net, const arith::Vector& y, const Budget& budget,
                     const Options& options = {});

// A simplification's rewrites as certificate data (the "rewrites" of
// simplified evidence, docs/certificates.md), replayed by nninv-check.
nlohmann::json rewrites_json(const std::vector<analysis::Rewrite>& rewrites);

// The certificate of a decided (or unknown) outcome for `net`: the versioned
// JSON object of docs/certificates.md, checked by nninv-check.
nlohmann::json certificate(const net::Network& net, const Outcome& outcome);
nlohmann::json certificate(const net::Network& net, const InvertOutcome& outcome);
// The certificate of Lipschitz bounds (property "lipschitz"; the evidence of
// each bound and the attaining pairs of exact ones, docs/certificates.md).
nlohmann::json certificate(const net::Network& net, const analysis::LipschitzResult& bounds);

// Exact re-check of an escaping point: x in X, f(x) = y, y outside Y.
// Returns an empty string when it holds, else what failed.
std::string check_escape(const net::Network& net, const Escape& e);

// Exact re-check of a collision: x1 != x2, both in the domain, f(x1) = f(x2) = y.
// Returns an empty string when it holds, else what failed.
std::string check_collision(const net::Network& net, const Collision& c);

// Re-check of an unreachable point: y in Y, and no x in X reaches y (nor the
// box of half-width radius around it), proved by exact interval bounds or by
// a fresh preimage query. Returns an empty string when it holds; "unconfirmed: ..."
// when the re-check ran out of budget; else what failed.
std::string check_unreached(const net::Network& net, const Unreached& u, const Budget& budget);

}  // namespace nninv::decide
