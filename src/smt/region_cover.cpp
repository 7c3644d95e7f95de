// Surjectivity by covering Y with exact images of activation regions, one
// counterexample-guided round at a time. Each image is computed exactly from
// the region's affine map: on a region, f(x) = y0 + A (x - x0) with A
// invertible, so x = x0 + A^-1 (y - y0) and the region's constraints become
// linear constraints on y.
#include "network_encoder.hpp"
#include "nninv/analysis/local_map.hpp"
#include "nninv/smt/image_encoding.hpp"
#include "solve.hpp"

namespace nninv::smt {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using decide::Outcome;
using decide::Property;

namespace {

// sum_j coeffs_j y_j + constant, as a Z3 term.
z3::expr affine_term(z3::context& ctx, const Vector& coeffs, const Rational& constant, const std::vector<z3::expr>& y) {
  z3::expr_vector terms(ctx);
  for (std::size_t j = 0; j < coeffs.size(); ++j)
    if (coeffs[j] != 0) terms.push_back(numeral(ctx, coeffs[j]) * y[j]);
  terms.push_back(numeral(ctx, constant));
  return z3::sum(terms);
}

// Neurons whose pre-activation is 0 at x0 may take either piece; every choice
// is a closed activation pattern containing x0, and the points that satisfy
// a pattern's constraints map by its affine map (so its image lies in f(X)).
// Tries up to 2^max_tie_choices choices for one with an invertible map.
constexpr std::size_t max_tie_choices = 8;

// The image of one closed activation region containing x0, intersected with
// X, as a conjunction over y; nothing when no tried region has an invertible map.
std::optional<z3::expr> region_image(z3::context& ctx, const net::Network& net, const Vector& x0,
                                     const std::vector<z3::expr>& y) {
  std::vector<std::size_t> free = net.domain.free_coordinates();
  std::size_t ties = 0;
  for (const auto& n : analysis::local_map(net, x0).neurons) ties += n.value == 0;
  std::size_t choices = std::size_t(1) << std::min(ties, max_tie_choices);
  analysis::LocalMap map;
  std::optional<Matrix> inv;
  std::vector<bool> active_ties(ties, false);
  for (std::size_t bits = 0; bits < choices && !inv; ++bits) {
    for (std::size_t t = 0; t < ties; ++t) active_ties[t] = t < max_tie_choices && ((bits >> t) & 1);
    map = analysis::local_map(net, x0, analysis::TieRule::chosen, active_ties);
    inv = arith::inverse(select_columns(map.jacobian, free));
  }
  if (!inv) return std::nullopt;
  // x_i - x0_i = sum_j inv(i', j) (y_j - y0_j) for the free coordinate i = free[i'].
  // A linear form g . (x - x0) becomes (g_free^T inv) . y - (g_free^T inv) . y0.
  auto pull_back = [&](const Vector& g) {
    Vector coeffs(y.size());
    for (std::size_t i = 0; i < free.size(); ++i)
      if (g[free[i]] != 0)
        for (std::size_t j = 0; j < y.size(); ++j) coeffs[j] += g[free[i]] * (*inv)(i, j);
    return coeffs;
  };
  z3::expr_vector parts(ctx);
  std::size_t tie = 0;
  for (const analysis::NeuronAtPoint& n : map.neurons) {
    Vector c = pull_back(n.gradient);
    z3::expr z = affine_term(ctx, c, n.value - arith::dot(c, map.output), y);
    bool active = n.value > 0 || (n.value == 0 && active_ties[tie]);
    if (n.value == 0) ++tie;
    parts.push_back(active ? z >= 0 : z <= 0);
  }
  for (std::size_t i : free) {
    const net::Interval& s = net.domain.sides[i];
    if (!s.lower && !s.upper) continue;
    Vector unit(net.input_dim);
    unit[i] = 1;
    Vector c = pull_back(unit);
    z3::expr xi = affine_term(ctx, c, x0[i] - arith::dot(c, map.output), y);
    if (s.lower) parts.push_back(xi >= numeral(ctx, *s.lower));
    if (s.upper) parts.push_back(xi <= numeral(ctx, *s.upper));
  }
  return z3::mk_and(parts);
}

}  // namespace

Outcome decide_surjective_region_cover(const net::Network& net, const decide::Budget& budget) {
  const std::string method = "region cover (counterexample-guided, Z3)";
  if (net.output_dim() != net.domain.free_coordinates().size() || net.codomain.free_coordinates().size() != net.output_dim())
    return Outcome::unknown(Property::surjective, "needs m = dim X and a full-dimensional Y", method);
  try {
    z3::context ctx;
    z3::solver guess(ctx, "QF_LRA");
    std::vector<z3::expr> y = real_vector(ctx, "y", net.output_dim());
    guess.add(in_box(ctx, net.codomain, y));
    for (std::size_t round = 1;; ++round) {
      SolveResult g = check_within(guess, budget);
      if (g.status == z3::unsat)
        return Outcome::holds(Property::surjective, "Y is covered by the exact images of " + std::to_string(round - 1) +
                           " activation regions of X (no point of Y lies outside them)", method);
      if (g.status == z3::unknown) return Outcome::unknown(Property::surjective, g.unknown_reason, method);
      z3::model model = guess.get_model();
      Vector target;
      for (const z3::expr& yi : y) target.push_back(read_rational(model.eval(yi, true)));
      PreimageResult pre = find_preimage(net, target, budget);
      if (pre.status == Preimage::unknown) return Outcome::unknown(Property::surjective, pre.reason, method);
      if (pre.status == Preimage::none)
        return decide::unreached_outcome(decide::Unreached{target, std::nullopt},
                                         "the preimage query 'x in X, f(x) = y' is unsatisfiable (found in round " +
                                             std::to_string(round) + " of the region cover)",
                                         method);
      std::optional<z3::expr> image = region_image(ctx, net, pre.x, y);
      if (!image)
        return Outcome::unknown(Property::surjective, "met an activation region with a singular affine map", method);
      guess.add(!*image);
    }
  } catch (const z3::exception& e) {
    if (budget.exhausted()) return Outcome::unknown(Property::surjective, budget.exhaustion_reason(), method);
    return Outcome::unknown(Property::surjective, std::string("Z3 error: ") + e.msg(), method);
  }
}

}  // namespace nninv::smt
