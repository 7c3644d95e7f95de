// Surjectivity of square nets on X = R^n from the degree of the recession map
// (docs/architecture.md, "Recession degree"). f_inf, the network with every
// bias set to 0, is positively homogeneous and |f - f_inf| is bounded. If
// f_inf vanishes only at 0 and its Brouwer degree is nonzero, f is onto R^n
// (Gowda 1996). Both facts come from the region trees of f_inf on the 2n
// facets of the cube [-1, 1]^n: every ray from 0 meets the cube's surface
// once, so the rays that f_inf maps onto the ray through a generic d are
// counted facet by facet, each with the sign of its region's determinant.
// When no ray reaches the ray of d at all, f_inf misses an open cone around
// d, and t d is unreachable for f once t is large: a preimage proof tree at
// t = 2, 4, 8, ... gives the witness.
#include "nninv/cert/certificate.hpp"
#include "nninv/decide/pipeline.hpp"
#include "procedures.hpp"
#include "proof_search.hpp"
#include "recession.hpp"

namespace nninv::decide {

using arith::Rational;
using arith::Vector;

namespace {

Outcome not_applicable(std::string_view name, std::string why) {
  return Outcome::unknown(Property::surjective, std::move(why), std::string(name));
}

class RecessionDegree : public Procedure {
 public:
  explicit RecessionDegree(const Options& options) : options_(options) {}
  std::string_view name() const override { return "recession degree"; }

  Outcome run(const net::Network& net, const Budget& outer) override {
    if (auto unfit = region_tree_unfit(net)) return not_applicable(name(), *unfit);
    // Bijective asks injectivity first: once it holds, the injective square
    // map stage after this one answers at no cost, with that same proof.
    if (options_.known_injective && options_.known_injective->verdict == Verdict::holds)
      return not_applicable(name(), "injectivity is proved, so the injective square map stage answers");
    // At most half of what is left (30 s without a deadline): the stages
    // after this one keep a share.
    std::optional<double> share = outer.remaining_seconds();
    share = share ? *share / 2 : 30.0;
    Budget budget(share, outer.cancel_flag(), outer.memory_flag());
    RecessionCount count = count_recession_degree(net, budget, options_.region_node_limit);
    if (!count.complete)
      return not_applicable(name(), "the region trees of the recession map exceed the node limit or the budget (" +
                                        std::to_string(count.nodes) + " nodes)");
    if (!count.generic) return not_applicable(name(), "no generic direction found in 6 tries");
    if (count.hits == 0) return missed_cone(net, count, budget);
    if (!count.proper)
      return not_applicable(name(), "the recession map vanishes on a ray, so the degree argument does not apply");
    if (count.degree == 0)
      return not_applicable(name(), "the recession map has degree 0 (" + std::to_string(count.hits) +
                                        " preimage rays of opposite orientations); the degree decides nothing");
    std::string why = "f - f_inf is bounded, f_inf (every bias 0) vanishes only at 0 and has Brouwer degree " +
                      std::to_string(count.degree) + " (" + std::to_string(count.hits) +
                      (count.hits == 1 ? " preimage ray" : " preimage rays") + " of the direction d, each in a region with a nonsingular map, counted with "
                      "the sign of its determinant), so f has degree " + std::to_string(count.degree) +
                      " on every large ball and is onto R^n (Gowda 1996)";
    return checker_accepted(net, Outcome::holds(Property::surjective, why, std::string(name()), count.evidence()));
  }

 private:
  // f_inf misses the ray of d, hence an open cone around it: t d is
  // unreachable for f once t exceeds a bound; try t = 2, 4, ..., 2^40.
  Outcome missed_cone(const net::Network& net, const RecessionCount& count, const Budget& budget) {
    if (!net.codomain.is_everything())
      return not_applicable(name(), "the recession map misses the ray of a direction, but Y is a box");
    Rational t = 1;
    for (int k = 1; k <= 40 && !budget.exhausted(); ++k) {
      t *= 2;
      Vector y = count.d;
      for (Rational& v : y) v *= t;
      // The missed cone widens with t: a ball of radius 1 around t d is
      // missed once t is large, and says more than the point alone.
      std::optional<Rational> radius = Rational(1);
      auto tree = try_preimage_proof(net, y, radius, budget, options_.proof_node_limit);
      if (!tree) {
        radius.reset();
        tree = try_preimage_proof(net, y, radius, budget, options_.proof_node_limit);
      }
      if (!tree) continue;
      std::string why = "the recession map f_inf (every bias 0) maps no ray onto the ray of d (";
      why.append(std::to_string(count.nodes)).append(" region-tree nodes), so f misses t d for large t; here t = ");
      why.append(t.get_str()).append(radius ? " (preimage proof tree for the ball of radius 1)" : " (preimage proof tree)");
      return unreached_outcome(Unreached{y, radius}, why,
                               std::string(name()), *tree);
    }
    return not_applicable(name(), "the recession map misses the ray of a direction d, but no t d up to 2^40 d "
                                  "was proved unreachable");
  }

  Options options_;
};

}  // namespace

std::unique_ptr<Procedure> make_recession_degree(const Options& options) {
  return std::make_unique<RecessionDegree>(options);
}

}  // namespace nninv::decide
