// Preimage queries and the quantified surjectivity formula in Z3.
#include "nninv/smt/image_encoding.hpp"

#include "network_encoder.hpp"
#include "nninv/analysis/bounds.hpp"
#include "smtlib.hpp"
#include "solve.hpp"

namespace nninv::smt {

using arith::Rational;
using decide::Outcome;
using decide::Property;

namespace {

// Asserts "x in X and f(x) = y" (or |f(x) - y|_inf <= radius); returns x.
std::vector<z3::expr> build_preimage(z3::solver& solver, const net::Network& net, const arith::Vector& y,
                                     const std::optional<Rational>& radius,
                                     const decide::Budget* budget = nullptr) {
  z3::context& ctx = solver.ctx();
  auto bounds = analysis::interval_bounds(net);
  std::vector<z3::expr> x = real_vector(ctx, "x", net.input_dim);
  solver.add(in_box(ctx, net.domain, x));
  EncodedCopy copy = encode_copy(ctx, net, x, "f", &bounds, false, budget);
  solver.add(copy.constraints);
  for (std::size_t i = 0; i < y.size(); ++i) {
    // encodes: f(x) = y, or |f(x)_i - y_i| <= radius
    if (radius) {
      solver.add(copy.outputs[i] >= numeral(ctx, y[i] - *radius));
      solver.add(copy.outputs[i] <= numeral(ctx, y[i] + *radius));
    } else {
      solver.add(copy.outputs[i] == numeral(ctx, y[i]));
    }
  }
  return x;
}

// Asserts "x in X and f(x) outside Y" (some output beyond a bounded side of
// Y); returns x. Y = R^m gives the unsatisfiable "false".
std::vector<z3::expr> build_escape(z3::solver& solver, const net::Network& net, const decide::Budget* budget = nullptr) {
  z3::context& ctx = solver.ctx();
  auto bounds = analysis::interval_bounds(net);
  std::vector<z3::expr> x = real_vector(ctx, "x", net.input_dim);
  solver.add(in_box(ctx, net.domain, x));
  EncodedCopy copy = encode_copy(ctx, net, x, "f", &bounds, false, budget);
  solver.add(copy.constraints);
  z3::expr_vector outside(ctx);
  for (std::size_t i = 0; i < copy.outputs.size(); ++i) {
    const net::Interval& side = net.codomain.sides[i];
    // encodes: f(x)_i < lower_i or f(x)_i > upper_i
    if (side.lower) outside.push_back(copy.outputs[i] < numeral(ctx, *side.lower));
    if (side.upper) outside.push_back(copy.outputs[i] > numeral(ctx, *side.upper));
  }
  solver.add(outside.empty() ? ctx.bool_val(false) : z3::mk_or(outside));
  return x;
}

// Asserts "y in Y and forall x in X: f(x) != y"; returns y.
std::vector<z3::expr> build_image_query(z3::solver& solver, const net::Network& net, const EncodingOptions& options,
                                        const decide::Budget* budget = nullptr) {
  z3::context& ctx = solver.ctx();
  std::vector<std::vector<net::Interval>> bounds;
  if (options.interval_bounds) bounds = analysis::interval_bounds(net);
  std::vector<z3::expr> y = real_vector(ctx, "y", net.output_dim());
  std::vector<z3::expr> x = real_vector(ctx, "x", net.input_dim);
  EncodedCopy copy = encode_copy(ctx, net, x, "f", options.interval_bounds ? &bounds : nullptr,
                                 options.ite_activations, budget);
  z3::expr_vector bound(ctx);
  for (const z3::expr& xi : x) bound.push_back(xi);
  for (unsigned i = 0; i < copy.variables.size(); ++i) bound.push_back(copy.variables[i]);
  z3::expr_vector hits(ctx);
  for (std::size_t i = 0; i < y.size(); ++i) hits.push_back(copy.outputs[i] == y[i]);
  // encodes: y in Y and forall x in X (and every run of the net on x): f(x) != y
  solver.add(in_box(ctx, net.codomain, y));
  solver.add(z3::forall(bound, !(in_box(ctx, net.domain, x) && z3::mk_and(copy.constraints) && z3::mk_and(hits))));
  return y;
}

}  // namespace

namespace {

// Builds one quantifier-free query over x with `build`, solves it within the
// budget and reads x from the model (exact rationals; callers re-check them).
template <class Build>
PreimageResult solve_for_x(const decide::Budget& budget, std::optional<double> cap_seconds, Build build) {
  try {
    z3::context ctx;
    z3::solver solver(ctx, "QF_LRA");  // quantifier-free: much less overhead per check
    std::vector<z3::expr> x = build(solver);
    SolveResult r = check_within(solver, budget, cap_seconds);
    if (r.status == z3::unsat) return {Preimage::none, {}, ""};
    if (r.status == z3::unknown) return {Preimage::unknown, {}, r.unknown_reason};
    z3::model model = solver.get_model();
    PreimageResult found{Preimage::found, {}, ""};
    for (const z3::expr& xi : x) found.x.push_back(read_rational(model.eval(xi, true)));
    return found;
  } catch (const z3::exception& e) {
    if (budget.exhausted()) return {Preimage::unknown, {}, budget.exhaustion_reason()};
    return {Preimage::unknown, {}, std::string("Z3 error: ") + e.msg()};
  }
}

}  // namespace

PreimageResult find_preimage(const net::Network& net, const arith::Vector& y, const decide::Budget& budget,
                             std::optional<Rational> radius, std::optional<double> cap_seconds) {
  return solve_for_x(budget, cap_seconds,
                     [&](z3::solver& solver) { return build_preimage(solver, net, y, radius, &budget); });
}

PreimageResult find_escape(const net::Network& net, const decide::Budget& budget, std::optional<double> cap_seconds) {
  return solve_for_x(budget, cap_seconds, [&](z3::solver& solver) { return build_escape(solver, net, &budget); });
}

Outcome decide_surjective_quantified(const net::Network& net, const decide::Budget& budget,
                                     const EncodingOptions& options) {
  const std::string method = options.baseline
                                 ? "naive quantified image formula (Z3, if-then-else activations)"
                                 : "quantified image formula (Z3, linear real arithmetic)";
  try {
    z3::context ctx;
    z3::solver solver(ctx);
    std::vector<z3::expr> y = build_image_query(solver, net, options, &budget);
    SolveResult r = check_within(solver, budget);
    if (r.status == z3::unsat)
      return Outcome::holds(Property::surjective, "every y in Y has a preimage: the formula 'exists y in Y, forall x in X: f(x) != y' is "
                     "unsatisfiable", method);
    if (r.status == z3::unknown) return Outcome::unknown(Property::surjective, r.unknown_reason, method);
    z3::model model = solver.get_model();
    decide::Unreached u;
    for (const z3::expr& yi : y) u.y.push_back(read_rational(model.eval(yi, true)));
    return decide::unreached_outcome(std::move(u), "Z3 found a point of Y outside the image of X", method);
  } catch (const z3::exception& e) {
    if (budget.exhausted()) return Outcome::unknown(Property::surjective, budget.exhaustion_reason(), method);
    return Outcome::unknown(Property::surjective, std::string("Z3 error: ") + e.msg(), method);
  }
}

std::string image_smtlib(const net::Network& net, const EncodingOptions& options) {
  return smtlib_script("LRA",
                       "surjectivity of network '" + net.name + "': satisfiable iff some y in Y (variables y_i) has no "
                       "preimage in X",
                       [&](z3::solver& solver) { build_image_query(solver, net, options); });
}

std::string escape_smtlib(const net::Network& net) {
  return smtlib_script(
      "QF_LRA", "into Y for network '" + net.name + "': satisfiable iff some x in X (variables x_i) has f(x) outside Y",
      [&](z3::solver& solver) { build_escape(solver, net); });
}

std::string preimage_smtlib(const net::Network& net, const arith::Vector& y) {
  return smtlib_script(
      "QF_LRA", "preimage in network '" + net.name + "': satisfiable iff some x in X (variables x_i) has f(x) = y",
      [&](z3::solver& solver) { build_preimage(solver, net, y, std::nullopt); });
}

}  // namespace nninv::smt
