// What a node of a proof tree means (docs/certificates.md, "proof trees"):
// the linear constraints that hold on one branch of case splits on neuron
// phases, over the inputs of one or two copies of the network. Shared by the
// proof search (which builds trees) and the checker (which re-derives every
// node's constraints from the network and the path alone).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nninv/arith/farkas.hpp"
#include "nninv/net/network.hpp"

namespace nninv::cert {

// An affine function of the LP variables: coeffs . v + constant.
struct Affine {
  arith::Vector coeffs;
  arith::Rational constant;
};

// Variables: copy c's input x_c occupies v[c n .. c n + n). Constraints, in
// this order: the domain box of each copy (lower then upper, by coordinate,
// bounded sides only), then one phase constraint per split, in path order.
class PathSystem {
 public:
  // stable_phases: neurons whose pre-activation has one sign on all of X by
  // cert::layer_intervals (recomputed here) take that phase without a
  // split or a constraint: the chosen piece equals the activation on all of
  // X (both pieces agree at 0). Trees written with it say so
  // ("stable_phases": "interval_bounds", docs/certificates.md).
  PathSystem(const net::Network& net, std::size_t copies, bool stable_phases = false);

  std::size_t num_vars() const { return num_vars_; }
  const std::vector<arith::Constraint>& constraints() const { return constraints_; }

  // The next neuron of `copy` that may be split on: (layer, index) of the
  // first unfixed neuron of its current activation layer; nothing when the
  // copy is fully fixed.
  std::optional<std::pair<std::size_t, std::size_t>> next_neuron(std::size_t copy) const;
  // Fixes that neuron's phase, adding "pre-activation >= 0" (active) or
  // "<= 0" (inactive). Requires next_neuron(copy) == (layer, index) or any
  // unfixed neuron of the current layer.
  void fix(std::size_t copy, std::size_t layer, std::size_t index, bool active);
  bool fully_fixed() const;
  // Output i of copy c as an affine function; requires the copy fully fixed.
  const Affine& output(std::size_t copy, std::size_t i) const;
  // Appends an extra constraint (output equalities, case splits).
  void add(arith::Constraint c) { constraints_.push_back(std::move(c)); }

  // Twin questions (2 copies): f(x1) = f(x2), one equality per output.
  void tie_outputs();
  // Twin case i: x1_i - x2_i as an affine form.
  Affine input_difference(std::size_t i) const;
  // Preimage questions (1 copy): f(x) = y (radius 0) or |f(x) - y|_inf <= radius.
  void add_preimage_outputs(const arith::Vector& y, const arith::Rational& radius);

  // Into questions (1 copy): f_i(x) > bound (upper) or f_i(x) < bound (lower),
  // a point beyond one side of the codomain.
  void add_output_beyond(std::size_t i, const arith::Rational& bound, bool upper);

  // a.v (rel) b from an affine form: f (rel) 0.
  static arith::Constraint from_affine(const Affine& f, arith::Relation rel);

 private:
  struct Copy {
    std::size_t layer = 0;               // next layer to apply
    std::vector<Affine> values;          // inputs of that layer
    std::vector<std::optional<bool>> phases;  // of its neurons, when an activation
  };
  void advance(Copy& copy);
  // When every neuron of the copy's current layer has a phase: applies the
  // chosen pieces and advances to the next activation layer.
  void finish_layer_if_fixed(Copy& copy);

  const net::Network& net_;
  std::vector<std::vector<net::Interval>> bounds_;  // empty without stable_phases
  std::size_t num_vars_;
  std::vector<Copy> copies_;
  std::vector<arith::Constraint> constraints_;
};

// One copy with every neuron's phase fixed by an activation pattern: one
// string per relu / leaky_relu layer in network order, one character per
// neuron, '1' active (pre-activation >= 0) and '0' inactive (<= 0). Its
// constraints then define the closed region R_P intersected with X, and its
// outputs are the affine map of f on R_P. Throws std::invalid_argument when
// the pattern does not fit the network.
PathSystem pattern_system(const net::Network& net, const std::vector<std::string>& pattern);

// Section trees (surjectivity holds; docs/certificates.md): the codomain box
// Y as constraints over y (lower then upper bound, by coordinate, bounded
// sides only), the root cell of the tree.
std::vector<arith::Constraint> codomain_constraints(const net::Network& net);
// For a region row a.x <= b and a section x = S y + t: the row's violation
// a.(S y + t) > b as a strict constraint over y. A Farkas certificate for
// "cell and violation" proves that the section satisfies the row on the cell.
arith::Constraint section_violation(const arith::Constraint& row, const arith::Matrix& s, const arith::Vector& t);

// Relu-layer trees (docs/certificates.md): a network that starts with a
// dense layer and a relu, g(x) = relu(W x + b), on the free coordinates of X
// (pinned coordinates moved into b).
struct FirstReluLayer {
  arith::Matrix w;
  arith::Vector b;
  std::vector<net::Interval> box;     // X on the free coordinates
  std::vector<std::size_t> free;      // their indices in the input
};
// Nothing when the network does not start with dense, relu or X is a point.
std::optional<FirstReluLayer> first_relu_layer(const net::Network& net);
// x strictly inside the box (lower then upper bound, by coordinate, bounded
// sides only), then w_i.x + b_i < 0 for each row i of `inactive`, in order.
std::vector<arith::Constraint> inactive_rows_system(const FirstReluLayer& layer,
                                                    const std::vector<std::size_t>& inactive);

// True when `m` proves `system` infeasible (the condition of
// arith::find_farkas_multipliers), checked exactly; else why not in *why.
bool verify_farkas(const std::vector<arith::Constraint>& system, const arith::Vector& m, std::string* why);

}  // namespace nninv::cert
