// The stage table: the one list of decision stages. It is the source of the
// pipeline's stage lists, the CLI's ablation switches (--no-<switch>), the
// stage lists of --help and of `nninv stages`, and of the stage list that a
// docs test holds docs/architecture.md to.
//
// Adding a stage: write it in its own file under src/decide/ (the build
// picks up every .cpp there), and add one row (and its factory's
// declaration) to src/decide/stage_table.cpp.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "nninv/decide/outcome.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/decide/procedure.hpp"

namespace nninv::decide {

// An ablation switch: `--no-<flag>` sets `member` of Options to false.
struct Switch {
  std::string_view flag;
  std::string_view help;
  bool Options::*member;
};

// When a stage runs. `naive`: it runs with --engine naive too (the plain
// encoding and what it cannot do without); `unbounded`: it makes solver
// queries of unbounded length, so Options::cheap_only skips it.
struct Stage {
  std::string_view name;  // Procedure::name(), the result's "method"
  Property property;
  std::string_view help;  // for --help and `nninv stages`: what it decides and how
  std::vector<std::string_view> switches;  // the Switch flags that must all be on
  bool naive = false;
  bool unbounded = false;
  std::unique_ptr<Procedure> (*make)(const Options&);
  // `original`: it runs on the network as the user gave it, before the
  // exact simplification (which merges the dense layers it cuts at).
  bool original = false;
};

// Every stage, each property's stages cheapest first (the order they run in).
const std::vector<Stage>& stage_table();
// The ablation switches the table's rows name.
const std::vector<Switch>& stage_switches();
// Whether `stage` runs under `options` (engine, switches, cheap_only).
bool stage_enabled(const Stage& stage, const Options& options);

}  // namespace nninv::decide
