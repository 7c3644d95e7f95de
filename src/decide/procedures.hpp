// The decision procedures of the pipeline, one factory per file, plus the
// witness construction they share. Internal to src/decide.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include <functional>

#include "nninv/analysis/lipschitz.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/decide/procedure.hpp"
#include "nninv/smt/twin_encoding.hpp"

namespace nninv::decide {

// criteria.cpp: cheap exact criteria (DESIGN.md section 3, items 1-4).
// Whether layers [from, end) are each injective on the values that reach
// them (full-column-rank dense, the first dense layer on the free inputs;
// relu with every input >= 0 on X by interval bounds; leaky_relu; identity):
// `why` lists each layer's reason, `why_not` names the first that fails.
struct LayersInjective {
  bool ok = false;
  std::string why, why_not;
};
LayersInjective layers_injective(const net::Network& net, std::size_t from);
std::unique_ptr<Procedure> make_dimension_criterion();
std::unique_ptr<Procedure> make_layer_composition_criterion();
// blocks.cpp: coupling layers and residual contractions, composed.
std::unique_ptr<Procedure> make_block_composition(Property property);
// The inverse modulus of a chain of bijective blocks in `norm`
// (decide/lipschitz.hpp), with the block evidence, each block with its
// "modulus" constants; nothing when a block is none of the three kinds.
struct BlocksModulus {
  arith::Rational m;
  nlohmann::json blocks;
  std::size_t count = 0;
};
std::optional<BlocksModulus> blocks_modulus(const net::Network& net, analysis::Norm norm,
                                            const std::function<bool()>& stop);
std::unique_ptr<Procedure> make_affine_on_domain_criterion();
std::unique_ptr<Procedure> make_jacobian_box_criterion();
std::unique_ptr<Procedure> make_jacobian_norm_criterion();
// local_rank_search.cpp: sampled points whose local Jacobian has a kernel (item 5).
std::unique_ptr<Procedure> make_local_rank_search();
// fold_search.cpp: square nets, sampled regions of opposite orientation and the fold between them.
std::unique_ptr<Procedure> make_fold_search();
// The walk of the fold search on the segment a -> b (a a generic point, b a
// point of a region of the other orientation or with a singular map): a
// collision checked by exact evaluation, or nothing.
std::optional<Collision> fold_between(const net::Network& net, const arith::Vector& a, const arith::Vector& b,
                                      const Budget& budget);
// coherent_orientation.cpp: square nets on R^n, every full region of one orientation and degree +-1.
std::unique_ptr<Procedure> make_coherent_orientation(const Options& options);
// relu_layer.cpp: a first layer relu(W x + b) by the one-copy encoding; complete when the later layers are injective.
std::unique_ptr<Procedure> make_first_relu_layer();
// smt_procedure.cpp: the complete twin encoding in Z3.
std::unique_ptr<Procedure> make_smt_twin(const smt::EncodingOptions& encoding);

// surjectivity_criteria.cpp: surjectivity onto the codomain Y.
std::unique_ptr<Procedure> make_output_bounds_criterion();
std::unique_ptr<Procedure> make_affine_image_criterion();
std::unique_ptr<Procedure> make_surjective_chain_criterion();
std::unique_ptr<Procedure> make_injective_square_criterion(const Options& options);
std::unique_ptr<Procedure> make_unreachable_sample_search();
// recession_degree.cpp: square nets on R^n, the Brouwer degree of f with every bias 0.
std::unique_ptr<Procedure> make_recession_degree(const Options& options);
std::unique_ptr<Procedure> make_region_cover();
std::unique_ptr<Procedure> make_quantified_image(const smt::EncodingOptions& encoding);
// into.cpp: does f map X into Y?
std::unique_ptr<Procedure> make_codomain_everything();
std::unique_ptr<Procedure> make_output_bounds_inside();
std::unique_ptr<Procedure> make_escape_sample_search();
std::unique_ptr<Procedure> make_escape_query();

// A radius r (tried from 1 down by factors of 4) such that no x in X has
// |f(x) - y|_inf <= r, proved by an unsatisfiable query; nothing if none found.
std::optional<arith::Rational> try_missed_radius(const net::Network& net, const arith::Vector& y,
                                                 const Budget& budget);

// Deterministic points in the relative interior of `domain` (pinned
// coordinates keep their value), at several scales on unbounded sides.
// Raw mt19937_64 outputs are fully specified by the standard, so the samples
// are the same on every platform (distributions are not).
class InteriorSampler {
 public:
  InteriorSampler(const net::Box& domain, std::uint64_t seed);
  arith::Vector next();  // one point at a time: wide inputs need not hold many

 private:
  const net::Box& domain_;
  std::mt19937_64 rng_;
  std::size_t count_ = 0;
};
// The first `count` points of InteriorSampler(domain, seed).
std::vector<arith::Vector> interior_samples(const net::Box& domain, std::size_t count, std::uint64_t seed);

// check.cpp: `o` unchanged once nninv-check, with its own code, certifies
// its evidence for `net`; else an InternalError (a bug in the stage or the
// checker, never a verdict). For stages whose "holds" comes from a long
// exact search (the region trees): the recount costs a fraction of it.
Outcome checker_accepted(const net::Network& net, Outcome o);

// If the local Jacobian at x0 (an interior point of the domain), together with
// the gradients of neurons sitting exactly at 0, has a kernel vector v on the
// free coordinates, returns the collision (x0, x0 + t v) with t small enough
// to keep the activation pattern and stay inside the domain. Exactly checked.
std::optional<Collision> try_collision_at(const net::Network& net, const arith::Vector& x0);
// v scaled to coprime integers (short witnesses).
void scale_to_coprime_integers(arith::Vector& v);
// The collision (x0, x0 + s v), s the largest power of 1/2 not above `limit`
// (a step that keeps the activation pattern, at most 1) and half the
// distance to the domain's bounds along v, when it checks exactly.
std::optional<Collision> collision_along(const net::Network& net, const arith::Vector& x0, const arith::Vector& v,
                                         arith::Rational limit);

}  // namespace nninv::decide
