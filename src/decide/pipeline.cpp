// The list of decision stages, cheapest first. Adding a procedure is one line
// here and one file beside it. Every decided outcome is re-checked exactly.
#include "nninv/decide/pipeline.hpp"

#include "nninv/errors.hpp"
#include "procedures.hpp"

namespace nninv::decide {

namespace {

std::vector<std::unique_ptr<Procedure>> stages() {
  std::vector<std::unique_ptr<Procedure>> list;
  list.push_back(make_dimension_criterion());          // narrow layer: violated
  list.push_back(make_layer_composition_criterion());  // every layer injective: holds
  list.push_back(make_affine_on_domain_criterion());   // affine on X: rank decides
  list.push_back(make_local_rank_search());            // sampled rank-deficient regions
  list.push_back(make_smt_twin());                     // complete: twin encoding in Z3
  return list;
}

void check_outcome(const net::Network& net, const Outcome& o) {
  if (o.verdict != Verdict::violated || o.property != Property::injective) return;
  if (!o.collision) throw InternalError(o.method + " said violated without a witness");
  if (std::string failure = check_collision(net, *o.collision); !failure.empty())
    throw InternalError(o.method + " produced a witness that fails its exact check: " + failure);
}

}  // namespace

Outcome decide(const net::Network& net, Property property, const Budget& budget, const Options& options) {
  std::string notes;
  for (const auto& stage : stages()) {
    if (budget.exhausted()) return Outcome::unknown(property, budget.exhaustion_reason(), std::string(stage->name()));
    if (options.on_stage) options.on_stage(std::string(stage->name()));
    Outcome o = stage->run(net, property, budget);
    if (o.decided()) {
      check_outcome(net, o);
      return o;
    }
    if (budget.exhausted()) return Outcome::unknown(property, budget.exhaustion_reason(), o.method);
    notes = o.reason;
  }
  return Outcome::unknown(property, notes.empty() ? "no procedure decided the question" : notes, "pipeline");
}

}  // namespace nninv::decide
