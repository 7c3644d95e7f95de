// Proof trees as nninv-check walks them (docs/certificates.md, "proof
// trees"): every node's constraints are re-derived from the network and the
// path (cert::PathSystem), every Farkas leaf's multipliers are re-added.
// Shared by the evidence kinds that carry trees.
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nninv/cert/path_system.hpp"
#include "read.hpp"
#include "step.hpp"

namespace nninv::check::detail {

struct TreeStats {
  std::size_t nodes = 0, leaves = 0, depth = 0;
  // Trees are walked recursively: a crafted certificate nested deeper than
  // this is rejected instead of exhausting the stack. Proof search output
  // is far shallower (depth 20 on the corpus).
  static constexpr std::size_t max_depth = 2048;
  void enter(std::size_t at, const std::string& step, const std::string& where) {
    ++nodes;
    depth = std::max(depth, at);
    require(at <= max_depth, step,
            where.substr(0, 64) + "...: the tree is deeper than " + std::to_string(max_depth) + " levels");
  }
};

// {index: multiplier} (canonical indices below `size`) as a dense vector.
arith::Vector read_multipliers(const nlohmann::json& sparse, std::size_t size, const std::string& step,
                               const std::string& where);

// node = {"farkas": {...}}: the multipliers prove `system` infeasible.
void farkas_leaf(const nlohmann::json& node, const std::vector<arith::Constraint>& system, const std::string& step,
                 const std::string& where, TreeStats& stats);

// Every row with a variable made strict (an equality in both directions):
// infeasible exactly when the region of `rows` has no interior point.
inline std::vector<arith::Constraint> strict_system(const std::vector<arith::Constraint>& rows) {
  std::vector<arith::Constraint> strict;
  for (const arith::Constraint& c : rows) {
    if (arith::is_zero(c.a)) continue;
    strict.push_back(arith::Constraint{c.a, c.b, arith::Relation::lt});
    if (c.rel == arith::Relation::eq) {
      arith::Vector minus(c.a.size());
      for (std::size_t j = 0; j < minus.size(); ++j) minus[j] = -c.a[j];
      strict.push_back(arith::Constraint{minus, -c.b, arith::Relation::lt});
    }
  }
  return strict;
}

// "stable_phases": "interval_bounds": neurons of one sign on X by interval
// bounds (recomputed by cert::PathSystem) take that phase without a split;
// absent: every neuron is split (trees written before this option existed).
bool stable_phases(const nlohmann::json& e);

// Walks {"split": [copy, layer, neuron], "active": ..., "inactive": ...}
// nodes and Farkas leaves until `final_node(node, ps, where)` takes over at
// fully fixed nodes.
template <class Final>
void walk(const nlohmann::json& node, const cert::PathSystem& ps, const std::string& where, std::size_t depth,
          TreeStats& stats, Final final_node) {
  stats.enter(depth, "proof tree", where);
  require(node.is_object(), "proof tree", where + ": node is not an object");
  if (node.contains("farkas")) return farkas_leaf(node, ps.constraints(), "proof tree", where, stats);
  if (node.contains("split")) {
    const nlohmann::json& s = node.at("split");
    require(s.is_array() && s.size() == 3, "proof tree", where + ": split is not [copy, layer, neuron]");
    for (bool active : {true, false}) {
      cert::PathSystem child = ps;
      try {
        child.fix(s[0].get<std::size_t>(), s[1].get<std::size_t>(), s[2].get<std::size_t>(), active);
      } catch (const std::exception& e) {
        fail("proof tree", where + ": " + e.what());
      }
      const char* side = active ? "active" : "inactive";
      walk(field(node, side, "proof tree"), child, where + "/" + side, depth + 1, stats, final_node);
    }
    return;
  }
  require(ps.fully_fixed(), "proof tree", where + ": a branch ends before every neuron's phase is fixed");
  final_node(node, ps, where);
}

}  // namespace nninv::check::detail
