// The stage table (include/nninv/decide/stages.hpp): one row per stage, each
// property's rows cheapest first. A new stage is one row here, the
// declaration of its factory beside it, and its own file.
#include "nninv/decide/stages.hpp"

#include <algorithm>

#include "nninv/smt/twin_encoding.hpp"
#include "procedures.hpp"

namespace nninv::decide {

namespace {

smt::EncodingOptions encoding_of(const Options& o) {
  if (o.engine == Engine::naive) return smt::EncodingOptions::naive();
  return smt::EncodingOptions{o.interval_bounds, o.symmetry_breaking, o.ite_activations, false};
}

}  // namespace

const std::vector<Switch>& stage_switches() {
  static const std::vector<Switch> switches = {
      {"criteria", "skip the exact criteria", &Options::criteria},
      {"witness-search", "skip local-rank search, fold search and sampled points", &Options::witness_search},
      {"fold-search", "skip the fold search (square nets: regions of opposite orientation)", &Options::fold_search},
      {"relu-layer", "skip the one-copy query of a first relu(W x + b) layer", &Options::relu_layer},
      {"region-cover", "skip the region cover before the quantified formula", &Options::region_cover},
      {"recession-degree", "skip the degree of the recession map (square nets on R^n)", &Options::recession_degree},
      {"coherent-orientation", "skip the region tree of one orientation (square nets on R^n)",
       &Options::coherent_orientation},
      {"blocks", "skip the block composition (coupling layers, residual contractions)", &Options::blocks},
  };
  return switches;
}

const std::vector<Stage>& stage_table() {
  using P = Property;
  static const std::vector<Stage> table = {
      // injective
      {"dimension (invariance of domain)", P::injective,
       "a layer narrower than dim X cannot be injective (invariance of domain); a collision is constructed",
       {"criteria"}, false, false, [](const Options&) { return make_dimension_criterion(); }},
      {"blocks (coupling, residual contraction)", P::injective,
       "square nets cut where two dense layers meet at width n: every block a coupling layer (its nonlinear part "
       "reads coordinates it leaves unchanged) or x + g(x) with Lip(g) < 1 (norm products), so a bijection of R^n",
       {"criteria", "blocks"}, false, false, [](const Options&) { return make_block_composition(Property::injective); },
       true},
      {"layer composition", P::injective,
       "every layer injective on what reaches it (full column rank, leaky_relu, relu always active on X) proves "
       "injectivity",
       {"criteria"}, false, false, [](const Options&) { return make_layer_composition_criterion(); }},
      {"affine on the domain (rank)", P::injective, "if interval bounds fix every activation, rank decides",
       {"criteria"}, false, false, [](const Options&) { return make_affine_on_domain_criterion(); }},
      {"Jacobian box (vertex determinants)", P::injective,
       "at most 10 slope parameters (neurons of unknown phase; relu(z), relu(-z) pairs count once): f(x1) - f(x2) "
       "= M (x1 - x2) for slopes between each activation's two; one sign of det M (det P M with more outputs) at "
       "all 2^p vertices proves injectivity",
       {"criteria"}, false, false, [](const Options&) { return make_jacobian_box_criterion(); }},
      {"Jacobian norm (interval enclosure)", P::injective,
       "any number of unknown phases: an exact interval enclosure of K M(s) within norm < 1 of the identity "
       "(residual blocks x + g(x) with a small g)",
       {"criteria"}, false, false, [](const Options&) { return make_jacobian_norm_criterion(); }},
      {"local-rank search", P::injective, "sampled regions with a rank-deficient affine map give a collision",
       {"witness-search"}, false, false, [](const Options&) { return make_local_rank_search(); }},
      {"fold search", P::injective,
       "square nets: sampled regions whose Jacobians have determinants of opposite sign; the fold between them "
       "gives a collision",
       {"witness-search", "fold-search"}, false, false, [](const Options&) { return make_fold_search(); }},
      {"coherent orientation (degree)", P::injective,
       "X = R^n, m = n: the recession map's degree and the region tree of f; every full region of the degree's "
       "orientation and degree +-1 prove a PL homeomorphism, a region of the other orientation gives a fold",
       {"criteria", "coherent-orientation"}, false, false,
       [](const Options& o) { return make_coherent_orientation(o); }},
      {"first relu layer (one-copy encoding, Z3)", P::injective,
       "nets that start with dense, relu: one copy of that layer and a direction v, \"every row strictly inactive "
       "or orthogonal to v\" (Z3); complete when the later layers are injective",
       {"relu-layer"}, false, true, [](const Options&) { return make_first_relu_layer(); }},
      {"twin encoding (Z3)", P::injective,
       "complete: two copies of the net, outputs equal, inputs distinct, over the reals", {}, true, true,
       [](const Options& o) { return make_smt_twin(encoding_of(o)); }},
      // into
      {"no codomain box", P::into, "Y = R^m: every f(X) is inside it", {}, true, false,
       [](const Options&) { return make_codomain_everything(); }},
      {"output bounds inside Y (interval propagation)", P::into,
       "exact interval bounds of f on X inside Y prove f(X) inside Y", {"criteria"}, false, false,
       [](const Options&) { return make_output_bounds_inside(); }},
      {"sampled points of X", P::into,
       "exactly evaluated points of X, with the vertices the Jacobian points to, that land outside Y",
       {"witness-search"}, false, false, [](const Options&) { return make_escape_sample_search(); }},
      {"escape query (Z3)", P::into, "complete: x in X with f(x) outside Y, one copy of the net in Z3", {}, true,
       true, [](const Options&) { return make_escape_query(); }},
      // surjective
      {"blocks, onto (coupling, residual contraction)", P::surjective,
       "X = R^n: a composition of coupling layers and residual contractions is a bijection of R^n, onto every Y",
       {"criteria", "blocks"}, false, false, [](const Options&) { return make_block_composition(Property::surjective); },
       true},
      {"output bounds (interval propagation)", P::surjective,
       "interval propagation bounds f on X; a point of Y beyond a bound is unreachable (e.g. relu outputs < 0)",
       {"criteria"}, false, false, [](const Options&) { return make_output_bounds_criterion(); }},
      {"affine on the domain (range)", P::surjective, "f affine on X: its rank or a left-kernel vector decides",
       {"criteria"}, false, false, [](const Options&) { return make_affine_image_criterion(); }},
      {"layer composition (surjective layers)", P::surjective,
       "X = R^n and every layer onto (full row rank, leaky_relu): a composition of surjections", {"criteria"},
       false, false, [](const Options&) { return make_surjective_chain_criterion(); }},
      {"recession degree", P::surjective,
       "X = R^n, m = n: region trees of f with every bias 0 on the faces of a cube; a nonzero Brouwer degree "
       "proves onto (Gowda 1996), a missed direction d gives an unreachable t d",
       {"criteria", "recession-degree"}, false, false, [](const Options& o) { return make_recession_degree(o); }},
      {"injective square PA map (Scholtes, Radons)", P::surjective,
       "X = R^n, m = n and f injective imply onto (Scholtes 2012; Radons 2017)", {"criteria"}, false, false,
       [](const Options& o) { return make_injective_square_criterion(o); }},
      {"sampled unreachable points", P::surjective, "points of Y whose preimage query is unsatisfiable",
       {"witness-search"}, false, true, [](const Options&) { return make_unreachable_sample_search(); }},
      {"region cover (Z3)", P::surjective,
       "images of activation regions, counterexample-guided; complete for nonsingular square nets",
       {"region-cover"}, false, true, [](const Options&) { return make_region_cover(); }},
      {"quantified image formula (Z3)", P::surjective, "complete: \"exists y in Y, forall x in X: f(x) != y\"", {},
       true, true, [](const Options& o) { return make_quantified_image(encoding_of(o)); }},
  };
  return table;
}

bool stage_enabled(const Stage& stage, const Options& options) {
  if (options.engine == Engine::naive && !stage.naive) return false;
  if (options.cheap_only && stage.unbounded) return false;
  return std::all_of(stage.switches.begin(), stage.switches.end(), [&](std::string_view flag) {
    for (const Switch& s : stage_switches())
      if (s.flag == flag) return options.*(s.member);
    return false;  // a row naming an unknown switch never runs; the unit test of the table catches it
  });
}

}  // namespace nninv::decide
