// Twin encoding of injectivity in Z3 over the reals (never floats): two copies
// with shared weights, outputs equal, inputs distinct. Z3 exceptions stop here.
#include "nninv/smt/twin_encoding.hpp"

#include "network_encoder.hpp"
#include "nninv/analysis/bounds.hpp"
#include "smtlib.hpp"
#include "solve.hpp"

namespace nninv::smt {

using decide::Outcome;
using decide::Property;
using decide::Verdict;

namespace {

struct TwinQuery {
  std::vector<z3::expr> x1, x2;
};

// Asserts the twin query into `solver`. Requires a domain with a free coordinate.
TwinQuery build_twin(z3::solver& solver, const net::Network& net, const EncodingOptions& options,
                     const decide::Budget* budget = nullptr) {
  z3::context& ctx = solver.ctx();
  std::vector<std::vector<net::Interval>> bounds;
  if (options.interval_bounds) bounds = analysis::interval_bounds(net);
  const auto* fixed_phases = options.interval_bounds ? &bounds : nullptr;

  TwinQuery q{real_vector(ctx, "x1", net.input_dim), real_vector(ctx, "x2", net.input_dim)};
  solver.add(in_box(ctx, net.domain, q.x1));
  solver.add(in_box(ctx, net.domain, q.x2));
  z3::expr_vector cases(ctx);
  if (options.symmetry_breaking) {
    // encodes: x1 != x2, up to swapping the copies   as: x1 <lex x2 over the free coordinates
    z3::expr equal_prefix = ctx.bool_val(true);
    for (std::size_t i : net.domain.free_coordinates()) {
      cases.push_back(equal_prefix && q.x1[i] < q.x2[i]);
      equal_prefix = equal_prefix && q.x1[i] == q.x2[i];
    }
  } else {
    // encodes: x1 != x2   as: some coordinate differs
    for (std::size_t i = 0; i < net.input_dim; ++i) cases.push_back(q.x1[i] != q.x2[i]);
  }
  solver.add(z3::mk_or(cases));
  EncodedCopy a = encode_copy(ctx, net, q.x1, "a", fixed_phases, options.ite_activations, budget);
  EncodedCopy b = encode_copy(ctx, net, q.x2, "b", fixed_phases, options.ite_activations, budget);
  solver.add(a.constraints);
  solver.add(b.constraints);
  // encodes: f(x1) = f(x2)
  for (std::size_t i = 0; i < a.outputs.size(); ++i) solver.add(a.outputs[i] == b.outputs[i]);
  return q;
}

}  // namespace

Outcome decide_injective_twin(const net::Network& net, const decide::Budget& budget, const EncodingOptions& options) {
  const std::string method = options.baseline ? "naive twin encoding (Z3, if-then-else activations)"
                                                     : "twin encoding (Z3, linear real arithmetic)";
  if (net.domain.free_coordinates().empty())
    return Outcome::holds(Property::injective, "the domain X is a single point", method, {{"kind", "single_point"}});
  try {
    z3::context ctx;
    z3::solver solver(ctx, "QF_LRA");  // quantifier-free: much less overhead per check
    TwinQuery q = build_twin(solver, net, options, &budget);
    SolveResult r = check_within(solver, budget);
    if (r.status == z3::unsat)
      return Outcome::holds(Property::injective, "no x1 != x2 in X with f(x1) = f(x2): the twin encoding (two copies with shared weights, "
                     "outputs equal, inputs distinct) is unsatisfiable", method);
    if (r.status == z3::unknown) return Outcome::unknown(Property::injective, r.unknown_reason, method);
    z3::model model = solver.get_model();
    decide::Collision c;
    for (std::size_t i = 0; i < net.input_dim; ++i) {
      c.x1.push_back(read_rational(model.eval(q.x1[i], true)));
      c.x2.push_back(read_rational(model.eval(q.x2[i], true)));
    }
    c.y = net::evaluate(net, c.x1);
    return Outcome::collision_found(std::move(c), "Z3 found two distinct inputs with the same output (re-checked exactly)", method);
  } catch (const z3::exception& e) {
    if (budget.exhausted()) return Outcome::unknown(Property::injective, budget.exhaustion_reason(), method);
    return Outcome::unknown(Property::injective, std::string("Z3 error: ") + e.msg(), method);
  }
}

std::string solver_version() {
  unsigned major = 0, minor = 0, build = 0, revision = 0;
  Z3_get_version(&major, &minor, &build, &revision);
  return "Z3 " + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build);
}

std::string twin_smtlib(const net::Network& net, const EncodingOptions& options) {
  return smtlib_script("QF_LRA",
                       "injectivity of network '" + net.name + "': satisfiable iff two distinct inputs in X share an "
                       "output (variables x1_i, x2_i)",
                       [&](z3::solver& solver) {
                         if (!net.domain.free_coordinates().empty())
                           build_twin(solver, net, options);
                         else
                           solver.add(solver.ctx().bool_val(false));  // a single-point domain: trivially injective
                       });
}

}  // namespace nninv::smt
