// Proof trees for "no solution" answers (DESIGN.md section 4; Isac et al.,
// FMCAD 2022, in exact rationals): split on neuron phases in network order
// until every branch's linear system has a Farkas / Motzkin certificate.
// The checker re-derives each node's constraints (cert::PathSystem) and
// re-adds the multipliers; nothing here needs to be trusted.
#include "proof_search.hpp"

#include "nninv/analysis/bounds.hpp"
#include "nninv/cert/certificate.hpp"
#include "nninv/cert/path_system.hpp"

namespace nninv::decide {

using arith::Constraint;
using arith::Relation;
using cert::Affine;
using cert::PathSystem;
using nlohmann::json;

json farkas_leaf(const arith::Vector& m) {
  json sparse = json::object();
  for (std::size_t k = 0; k < m.size(); ++k)
    if (m[k] != 0) sparse[std::to_string(k)] = m[k].get_str();
  return {{"farkas", sparse}};
}

namespace {

using Point = std::optional<arith::Vector>;

class Search {
 public:
  Search(const net::Network& net, const Budget& budget, std::size_t max_nodes)
      : net_(net), budget_(budget), max_nodes_(max_nodes) {}

  // Twin: copies 0 and 1, outputs equal, x1 <lex x2 over free coordinates.
  std::optional<json> twin(const PathSystem& ps, const Point& inherited) {
    if (!step()) return std::nullopt;
    Node node = examine(ps, inherited);
    if (node.refuted) return node.refuted;
    if (!ps.fully_fixed())
      return split(ps, [&](const PathSystem& child) { return twin(child, node.point); });
    PathSystem prefix = ps;
    prefix.tie_outputs();
    json cases = json::array();
    for (std::size_t i : net_.domain.free_coordinates()) {
      Affine d = ps.input_difference(i);
      PathSystem lexcase = prefix;
      lexcase.add(PathSystem::from_affine(d, Relation::lt));
      auto m = arith::find_farkas_multipliers(lexcase.constraints(), ps.num_vars());
      if (!m) return std::nullopt;  // a real collision in this pair of regions
      cases.push_back(farkas_leaf(*m));
      prefix.add(PathSystem::from_affine(d, Relation::eq));
    }
    return json{{"cases", cases}};
  }

  // One copy, f(x) within `radius` of y (radius 0: equal).
  std::optional<json> preimage(const PathSystem& ps, const arith::Vector& y, const arith::Rational& radius,
                               const Point& inherited = {}) {
    if (!step()) return std::nullopt;
    Node node = examine(ps, inherited);
    if (node.refuted) return node.refuted;
    if (!ps.fully_fixed())
      return split(ps, [&](const PathSystem& child) { return preimage(child, y, radius, node.point); });
    PathSystem hit = ps;
    hit.add_preimage_outputs(y, radius);
    auto m = arith::find_farkas_multipliers(hit.constraints(), ps.num_vars());
    if (!m) return std::nullopt;
    return json{{"outputs", farkas_leaf(*m)}};
  }

  // One copy, f_i(x) beyond `bound` (above it when upper, else below).
  std::optional<json> beyond(const PathSystem& ps, std::size_t i, const arith::Rational& bound, bool upper,
                             const Point& inherited = {}) {
    if (!step()) return std::nullopt;
    Node node = examine(ps, inherited);
    if (node.refuted) return node.refuted;
    if (!ps.fully_fixed())
      return split(ps, [&](const PathSystem& child) { return beyond(child, i, bound, upper, node.point); });
    PathSystem out = ps;
    out.add_output_beyond(i, bound, upper);
    auto m = arith::find_farkas_multipliers(out.constraints(), ps.num_vars());
    if (!m) return std::nullopt;
    return json{{"outputs", farkas_leaf(*m)}};
  }

  // One copy; fully fixed branches are written by `leaf`.
  std::optional<json> regions(const PathSystem& ps, const RegionLeaf& leaf, const Point& inherited = {}) {
    if (!step()) return std::nullopt;
    Node node = examine(ps, inherited);
    if (node.refuted) return node.refuted;
    if (!ps.fully_fixed())
      return split(ps, [&](const PathSystem& child) { return regions(child, leaf, node.point); });
    return leaf(ps);
  }

  std::size_t nodes() const { return nodes_; }

 private:
  bool step() { return ++nodes_ <= max_nodes_ && !budget_.exhausted(); }

  // A node's rows are refuted (a Farkas leaf) or feasible, with a point of
  // them that its children try first: a child that keeps the point is
  // feasible without a linear program. Most splits are on neurons of one
  // phase on the node's region, where one child keeps the point and the
  // other is refuted, so this halves the programs solved. Feasibility
  // needs no proof (the checker only reads the refutations).
  struct Node {
    std::optional<json> refuted;
    Point point;
  };
  // One program (num_vars + 2 rows) answers both ways: refuted, or a point
  // strictly inside every strict row, read off its dual.
  static Node examine(const PathSystem& ps, const Point& inherited) {
    const std::vector<Constraint>& rows = ps.constraints();
    if (inherited && arith::satisfies(rows, *inherited)) return {std::nullopt, inherited};
    arith::Feasibility f = arith::decide_feasibility(rows, ps.num_vars());
    if (f.multipliers) return {farkas_leaf(*f.multipliers), {}};
    return {std::nullopt, std::move(f.point)};
  }

  template <class Recurse>
  std::optional<json> split(const PathSystem& ps, Recurse recurse) {
    std::size_t copy = 0;
    auto next = ps.next_neuron(0);
    if (auto other = ps.num_vars() > net_.input_dim ? ps.next_neuron(1) : std::nullopt;
        other && (!next || other->first < next->first)) {
      next = other;
      copy = 1;
    }
    json node = {{"split", {copy, next->first, next->second}}};
    for (bool active : {true, false}) {
      PathSystem child = ps;
      child.fix(copy, next->first, next->second, active);
      auto sub = recurse(child);
      if (!sub) return std::nullopt;
      node[active ? "active" : "inactive"] = std::move(*sub);
    }
    return node;
  }

  const net::Network& net_;
  const Budget& budget_;
  std::size_t max_nodes_, nodes_ = 0;
};

}  // namespace

std::optional<json> try_twin_proof(const net::Network& net, const Budget& budget, std::size_t max_nodes) {
  if (net.domain.free_coordinates().empty()) return std::nullopt;
  Search search(net, budget, max_nodes);
  auto tree = search.twin(PathSystem(net, 2, /*stable_phases=*/true), {});
  if (!tree) return std::nullopt;
  return json{{"kind", "twin_proof_tree"}, {"nodes", search.nodes()}, {"stable_phases", "interval_bounds"}, {"tree", *tree}};
}

std::optional<json> try_preimage_proof(const net::Network& net, const arith::Vector& y,
                                       const std::optional<arith::Rational>& radius, const Budget& budget,
                                       std::size_t max_nodes) {
  Search search(net, budget, max_nodes);
  auto tree = search.preimage(PathSystem(net, 1, /*stable_phases=*/true), y, radius.value_or(arith::Rational(0)));
  if (!tree) return std::nullopt;
  return json{{"kind", "preimage_proof_tree"}, {"nodes", search.nodes()}, {"stable_phases", "interval_bounds"}, {"tree", *tree}};
}

std::optional<json> try_region_tree(const net::Network& net, const Budget& budget, std::size_t max_nodes,
                                    const RegionLeaf& leaf, std::size_t* nodes) {
  Search search(net, budget, max_nodes);
  auto tree = search.regions(PathSystem(net, 1, /*stable_phases=*/true), leaf);
  if (nodes) *nodes = search.nodes();
  return tree;
}

std::optional<json> try_into_proof(const net::Network& net, const Budget& budget, std::size_t max_nodes) {
  std::vector<net::Interval> out = analysis::interval_bounds(net).back();
  Search search(net, budget, max_nodes);
  json sides = json::array();
  for (std::size_t i = 0; i < net.output_dim(); ++i)
    for (bool upper : {false, true}) {
      const std::optional<arith::Rational>& bound = upper ? net.codomain.sides[i].upper : net.codomain.sides[i].lower;
      if (!bound) continue;
      json side = {{"output", i}, {"side", upper ? "upper" : "lower"}, {"bound", bound->get_str()}};
      const std::optional<arith::Rational>& reach = upper ? out[i].upper : out[i].lower;
      if (reach && (upper ? *reach <= *bound : *reach >= *bound)) {
        side["by"] = "interval_bounds";
      } else {
        auto tree = search.beyond(PathSystem(net, 1, /*stable_phases=*/true), i, *bound, upper);
        if (!tree) return std::nullopt;
        side["tree"] = *tree;
      }
      sides.push_back(side);
    }
  return json{{"kind", "into_proof_trees"}, {"nodes", search.nodes()}, {"stable_phases", "interval_bounds"},
              {"sides", sides}};
}

}  // namespace nninv::decide
