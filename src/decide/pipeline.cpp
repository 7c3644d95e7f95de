// The pipeline: the stages of the stage table (stages.hpp) in order until
// one decides. Every decided outcome is re-checked before it is returned.
#include "nninv/decide/pipeline.hpp"

#include "nninv/decide/stages.hpp"

#include "nninv/analysis/simplify.hpp"
#include "nninv/cert/certificate.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/errors.hpp"
#include "nninv/smt/image_encoding.hpp"
#include "procedures.hpp"
#include "proof_search.hpp"

namespace nninv::decide {

namespace {

std::vector<std::unique_ptr<Procedure>> stages(Property property, const Options& o, bool original) {
  std::vector<std::unique_ptr<Procedure>> list;
  for (const Stage& stage : stage_table())
    if (stage.property == property && stage.original == original && stage_enabled(stage, o))
      list.push_back(stage.make(o));
  return list;
}

// Every decided outcome leaves with its evidence in the certificate form:
// the witness itself, the criterion's data, or (for a bare "unsat" from Z3)
// a plain statement that only the solver vouches for it.
void attach_evidence(Outcome& o) {
  nlohmann::json solver = {{"kind", "solver"}, {"solver", smt::solver_version()}, {"query", o.method}};
  if (o.collision)
    o.evidence = {{"kind", "collision"}, {"x1", cert::to_json(o.collision->x1)}, {"x2", cert::to_json(o.collision->x2)}};
  else if (o.escape)
    o.evidence = {{"kind", "escape"}, {"x", cert::to_json(o.escape->x)}};
  else if (o.unreached) {
    nlohmann::json proof = o.evidence.is_null() ? solver : o.evidence;
    o.evidence = {{"kind", "unreachable"}, {"y", cert::to_json(o.unreached->y)}, {"proof", proof}};
    if (o.unreached->radius) o.evidence["radius"] = o.unreached->radius->get_str();
  } else if (o.verdict == Verdict::holds && o.evidence.is_null())
    o.evidence = solver;
}

bool rests_on_solver(const nlohmann::json& e) { return e.is_object() && e.value("kind", "") == "solver"; }

// Where the evidence is only Z3's word, search for a proof tree instead;
// when the search gives up, the evidence stays as it was (not certified).
void replace_solver_evidence(const net::Network& net, Outcome& o, const Budget& outer, const Options& options) {
  std::size_t limit = options.proof_node_limit;
  // At most half of what is left: the verdict is already known, and a
  // caller asking a second question (bijective) needs time for it.
  std::optional<double> seconds = outer.remaining_seconds();
  if (seconds) *seconds /= 2;
  if (options.proof_seconds) seconds = seconds ? std::min(*seconds, *options.proof_seconds) : *options.proof_seconds;
  Budget budget(seconds, outer.cancel_flag(), outer.memory_flag());
  // Region cover, quantified formula, or an injective square map whose
  // injectivity rests on Z3: a section tree (usually far smaller than a twin
  // proof tree), used only once the checker accepts it.
  if (o.property == Property::surjective && o.verdict == Verdict::holds &&
      (rests_on_solver(o.evidence) ||
       (o.evidence.value("kind", "") == "injective_square" && rests_on_solver(o.evidence["injective"])))) {
    if (auto tree = try_section_tree(net, budget, limit)) {
      Outcome candidate = o;
      candidate.evidence = *tree;
      if (check::check_certificate(net, certificate(net, candidate)).status == check::Status::certified) {
        o.evidence = *tree;
        return;
      }
    }
  }
  if (o.property == Property::into && o.verdict == Verdict::holds && rests_on_solver(o.evidence)) {
    if (auto trees = try_into_proof(net, budget, limit)) o.evidence = *trees;
    return;
  }
  if (o.property == Property::injective && o.verdict == Verdict::holds && rests_on_solver(o.evidence)) {
    // A first layer relu(W x + b) followed by injective layers: one copy and a
    // direction (usually far smaller than a twin proof tree).
    if (auto tree = try_relu_layer_tree(net, budget, limit))
      o.evidence = *tree;
    else if (auto twin = try_twin_proof(net, budget, limit))
      o.evidence = *twin;
  } else if (o.unreached && rests_on_solver(o.evidence["proof"])) {
    if (auto tree = try_preimage_proof(net, o.unreached->y, o.unreached->radius, budget, limit))
      o.evidence["proof"] = *tree;
  } else if (o.verdict == Verdict::holds && o.evidence.value("kind", "") == "injective_square" &&
             rests_on_solver(o.evidence["injective"])) {
    if (auto tree = try_twin_proof(net, budget, limit)) o.evidence["injective"] = *tree;
  }
}

// A violated outcome must carry a witness that survives its re-check; one
// that cannot be re-checked in the remaining budget is reported as unknown.
Outcome checked(const net::Network& net, Outcome o, const Budget& budget) {
  if (o.verdict != Verdict::violated) return o;
  std::string failure;
  if (o.property == Property::injective)
    failure = o.collision ? check_collision(net, *o.collision) : "no witness";
  else if (o.property == Property::into)
    failure = o.escape ? check_escape(net, *o.escape) : "no witness";
  else
    failure = o.unreached ? check_unreached(net, *o.unreached, budget) : "no witness";
  if (failure.empty()) return o;
  if (failure.rfind("unconfirmed", 0) == 0)
    return Outcome::unknown(o.property, "witness found but not re-checked: " + failure, o.method);
  throw InternalError(o.method + " produced a witness that fails its check: " + failure);
}

// Runs the stages on `net` until one decides; the outcome carries its
// evidence but is not yet re-checked.
Outcome run_stages(const net::Network& net, Property property, const Budget& budget, const Options& options,
                   bool original = false) {
  std::string notes, ran;
  // An unknown for lack of budget says which stages ran and which one was next.
  auto out_of_budget = [&](const std::string& next) {
    std::string why = budget.exhaustion_reason();
    why += ran.empty() ? " before any stage ran" : " after " + ran;
    if (!next.empty()) why += "; next stage: " + next;
    return Outcome::unknown(property, why, ran.empty() ? "" : "pipeline");
  };
  for (const auto& stage : stages(property, options, original)) {
    if (budget.exhausted()) return out_of_budget(std::string(stage->name()));
    ran += (ran.empty() ? "" : ", ") + std::string(stage->name());
    if (options.on_stage) options.on_stage(std::string(stage->name()));
    double started = budget.elapsed_seconds();
    Outcome o;
    try {
      o = stage->run(net, budget);
    } catch (const std::bad_alloc& e) {
      // Out of memory, or an exact matrix past arith::Matrix::max_entries:
      // this stage cannot answer; the next ones may (their memory is freed).
      o = Outcome::unknown(property, std::string(stage->name()) + " ran out of memory: " + e.what(),
                           std::string(stage->name()));
    }
    if (options.trace)
      options.trace->push_back({to_string(property), std::string(stage->name()),
                                o.decided() ? to_string(o.verdict) : "not decided: " + o.reason,
                                budget.elapsed_seconds() - started});
    // A missed radius only where the stage gave no proof: a stage's proof
    // (a preimage tree) is for the point alone and would not cover the ball.
    if (o.unreached && !o.unreached->radius && o.evidence.is_null() && options.engine == Engine::portfolio)
      o.unreached->radius = try_missed_radius(net, o.unreached->y, budget);
    if (o.decided()) {
      attach_evidence(o);
      if (options.want_proof) {
        try {
          replace_solver_evidence(net, o, budget, options);
        } catch (const std::bad_alloc&) {
          // the evidence stays as it was: not certified, still correct
        }
      }
      return o;
    }
    if (budget.exhausted()) {
      Outcome u = out_of_budget("");
      u.method = o.method.empty() ? std::string(stage->name()) : o.method;
      return u;
    }
    notes = o.reason;
  }
  return Outcome::unknown(property, notes.empty() ? "no procedure decided the question" : notes, "pipeline");
}

// Evidence that only holds for the simplified network names it by hash and
// carries the rewrites that made it, which the checker replays with its own
// code (docs/certificates.md). A collision is checked on the original
// network and needs no wrapping.
void wrap_simplified_evidence(Outcome& o, const analysis::Simplified& simplified) {
  if (o.evidence.is_null() || o.collision || o.escape) return;
  o.evidence = {{"kind", "simplified"},
                {"sha256", cert::network_sha256(simplified.network)},
                {"rewrites", rewrites_json(simplified.rewrites)},
                {"evidence", o.evidence}};
}

}  // namespace

nlohmann::json rewrites_json(const std::vector<analysis::Rewrite>& rewrites) {
  nlohmann::json list = nlohmann::json::array();
  for (const analysis::Rewrite& r : rewrites) {
    nlohmann::json step = {{"rule", analysis::to_string(r.rule)}, {"layer", r.layer}};
    if (r.rule == analysis::Rewrite::Rule::reduce_block) {
      nlohmann::json reps = nlohmann::json::array();
      for (const std::optional<std::size_t>& rep : r.representative) reps.push_back(rep ? nlohmann::json(*rep) : nlohmann::json());
      step["representatives"] = std::move(reps);
      step["form"] = r.dense ? "dense" : "merged";
      if (r.dense) step["opposite"] = r.opposite;
    }
    list.push_back(std::move(step));
  }
  return list;
}

Outcome decide(const net::Network& net, Property property, const Budget& budget, const Options& options) {
  // Stages that need the layers as given (block boundaries) run first.
  if (options.engine == Engine::portfolio) {
    Outcome o = run_stages(net, property, budget, options, true);
    if (o.decided()) return checked(net, std::move(o), budget);
  }
  if (options.engine == Engine::portfolio && options.simplify) {
    double started = budget.elapsed_seconds();
    analysis::Simplified s = analysis::simplify(net);
    if (options.trace)
      options.trace->push_back(
          {to_string(property), "simplify", analysis::describe(s), budget.elapsed_seconds() - started});
    if (s.changed) {
      Outcome o = run_stages(s.network, property, budget, options);
      wrap_simplified_evidence(o, s);
      if (o.decided())
        o.reason += " (shown for the exactly equivalent simplified network: " + analysis::describe(s) + ")";
      // The witness is re-checked on the network the user gave.
      return checked(net, std::move(o), budget);
    }
  }
  return checked(net, run_stages(net, property, budget, options), budget);
}

InvertOutcome invert(const net::Network& net, const arith::Vector& y, const Budget& budget, const Options& options) {
  const std::string method = "preimage query (Z3, linear real arithmetic)";
  InvertOutcome result{InvertVerdict::unknown, {}, y, std::nullopt, "", method, nullptr};
  if (options.on_stage) options.on_stage("preimage query (Z3)");
  double started = budget.elapsed_seconds();
  smt::PreimageResult r = smt::find_preimage(net, y, budget);
  if (options.trace)
    options.trace->push_back({"invert", "preimage query (Z3)",
                              r.status == smt::Preimage::found  ? "found"
                              : r.status == smt::Preimage::none ? "none"
                                                                : "not decided: " + r.reason,
                              budget.elapsed_seconds() - started});
  if (r.status == smt::Preimage::unknown) {
    result.reason = r.reason;
    return result;
  }
  if (r.status == smt::Preimage::none) {
    result.verdict = InvertVerdict::none;
    result.reason = "the query 'x in X, f(x) = y' is unsatisfiable";
    result.evidence = {{"kind", "solver"}, {"solver", smt::solver_version()}, {"query", method}};
    if (options.want_proof)
      if (auto tree = try_preimage_proof(net, y, std::nullopt, budget, options.proof_node_limit))
        result.evidence = *tree;
    return result;
  }
  if (!net.domain.contains(r.x) || net::evaluate(net, r.x) != y)
    throw InternalError(method + " produced a preimage that fails its exact check");
  result.verdict = InvertVerdict::found;
  result.evidence = {{"kind", "preimage"}, {"x", cert::to_json(r.x)}};
  result.x = std::move(r.x);
  result.reason = "f(x) = y checked in exact rational arithmetic";
  Outcome injective = decide(net, Property::injective, budget, options);
  if (injective.verdict == Verdict::holds) {
    result.unique = true;
    result.reason += "; the preimage is unique because f is injective on X (" + injective.method + ")";
  }
  return result;
}

nlohmann::json certificate(const net::Network& net, const Outcome& o) {
  nlohmann::json c = cert::certificate_header(net, to_string(o.property));
  c["verdict"] = to_string(o.verdict);
  c["method"] = o.method;
  c["reason"] = o.reason;
  c["evidence"] = o.evidence;
  return c;
}

nlohmann::json certificate(const net::Network& net, const InvertOutcome& o) {
  nlohmann::json c = cert::certificate_header(net, "invert");
  c["verdict"] = to_string(o.verdict);
  c["y"] = cert::to_json(o.y);
  c["method"] = o.method;
  c["reason"] = o.reason;
  c["evidence"] = o.evidence;
  return c;
}

}  // namespace nninv::decide
