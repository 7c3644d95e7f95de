// Twin encoding of injectivity in Z3 over the reals (never floats): two copies
// with shared weights, outputs equal, x1 <lex x2. Z3 exceptions stop here.
#include "nninv/smt/twin_encoding.hpp"

#include "network_encoder.hpp"
#include "nninv/analysis/bounds.hpp"
#include "solve.hpp"

namespace nninv::smt {

using decide::Outcome;
using decide::Property;
using decide::Verdict;

Outcome decide_injective_twin(const net::Network& net, const decide::Budget& budget, const TwinOptions& options) {
  const std::string method = "twin encoding (Z3, linear real arithmetic)";
  std::vector<std::size_t> free = net.domain.free_coordinates();
  if (free.empty())
    return Outcome{Property::injective, Verdict::holds, std::nullopt, "the domain X is a single point", method};
  try {
    z3::context ctx;
    z3::solver solver(ctx);
    std::vector<std::vector<net::Interval>> bounds;
    if (options.use_interval_bounds) bounds = analysis::interval_bounds(net);
    const auto* fixed_phases = options.use_interval_bounds ? &bounds : nullptr;

    std::vector<z3::expr> x1 = real_vector(ctx, "x1", net.input_dim), x2 = real_vector(ctx, "x2", net.input_dim);
    solver.add(in_box(ctx, net.domain, x1));
    solver.add(in_box(ctx, net.domain, x2));
    // encodes: x1 != x2, up to swapping the copies   as: x1 <lex x2 over the free coordinates
    z3::expr_vector cases(ctx);
    z3::expr equal_prefix = ctx.bool_val(true);
    for (std::size_t i : free) {
      cases.push_back(equal_prefix && x1[i] < x2[i]);
      equal_prefix = equal_prefix && x1[i] == x2[i];
    }
    solver.add(z3::mk_or(cases));
    EncodedCopy a = encode_copy(ctx, net, x1, "a", fixed_phases), b = encode_copy(ctx, net, x2, "b", fixed_phases);
    solver.add(a.constraints);
    solver.add(b.constraints);
    // encodes: f(x1) = f(x2)
    for (std::size_t i = 0; i < a.outputs.size(); ++i) solver.add(a.outputs[i] == b.outputs[i]);

    SolveResult r = check_within(solver, budget);
    if (r.status == z3::unsat)
      return Outcome{Property::injective, Verdict::holds, std::nullopt,
                     "no x1 != x2 in X with f(x1) = f(x2): the twin encoding (two copies with shared weights, "
                     "outputs equal, x1 <lex x2) is unsatisfiable",
                     method};
    if (r.status == z3::unknown) return Outcome::unknown(Property::injective, r.unknown_reason, method);
    z3::model model = solver.get_model();
    decide::Collision c;
    for (std::size_t i = 0; i < net.input_dim; ++i) {
      c.x1.push_back(read_rational(model.eval(x1[i], true)));
      c.x2.push_back(read_rational(model.eval(x2[i], true)));
    }
    c.y = net::evaluate(net, c.x1);
    Outcome o{Property::injective, Verdict::violated, std::move(c),
              "Z3 found two distinct inputs with the same output (re-checked exactly)", method};
    return o;
  } catch (const z3::exception& e) {
    if (budget.exhausted()) return Outcome::unknown(Property::injective, budget.exhaustion_reason(), method);
    return Outcome::unknown(Property::injective, std::string("Z3 error: ") + e.msg(), method);
  }
}

}  // namespace nninv::smt
