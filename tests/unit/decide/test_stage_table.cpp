// The stage table (include/nninv/decide/stages.hpp) is the one list of
// stages: its rows make the procedures they name, name only known switches,
// and are what the pipeline runs under each engine, switch and cheap_only.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "nninv/decide/stages.hpp"

using namespace nninv;
using decide::Options;
using decide::Property;

TEST_CASE("stage table: every row makes the procedure it names, names are unique, switches are known",
          "[decide][stages]") {
  std::set<std::string> names, flags;
  for (const decide::Switch& s : decide::stage_switches()) flags.insert(std::string(s.flag));
  for (const decide::Stage& stage : decide::stage_table()) {
    INFO(stage.name);
    CHECK(stage.make(Options{})->name() == stage.name);
    CHECK(names.insert(std::string(stage.name)).second);
    CHECK(!stage.help.empty());
    for (std::string_view flag : stage.switches) CHECK(flags.count(std::string(flag)) == 1);
  }
  // Each property ends in a complete stage that even the naive engine runs.
  for (Property p : {Property::injective, Property::into, Property::surjective}) {
    const decide::Stage* last = nullptr;
    for (const decide::Stage& stage : decide::stage_table())
      if (stage.property == p) last = &stage;
    REQUIRE(last);
    CHECK(last->naive);
    CHECK(last->switches.empty());
  }
}

TEST_CASE("stage table: a switch turned off removes exactly the rows that name it", "[decide][stages]") {
  for (const decide::Switch& s : decide::stage_switches()) {
    Options off;
    off.*(s.member) = false;
    std::size_t named = 0;
    for (const decide::Stage& stage : decide::stage_table()) {
      bool names_it = false;
      for (std::string_view flag : stage.switches) names_it = names_it || flag == s.flag;
      named += names_it;
      INFO(s.flag << " / " << stage.name);
      CHECK(decide::stage_enabled(stage, off) == !names_it);
      CHECK(decide::stage_enabled(stage, Options{}));
    }
    CHECK(named > 0);  // a switch no row uses would be a dead option
  }
}

TEST_CASE("stage table: the naive engine runs only the plain encodings; cheap_only skips unbounded queries",
          "[decide][stages]") {
  Options naive;
  naive.engine = decide::Engine::naive;
  Options cheap;
  cheap.cheap_only = true;
  std::size_t naive_rows = 0, cheap_rows = 0;
  for (const decide::Stage& stage : decide::stage_table()) {
    CHECK(decide::stage_enabled(stage, naive) == stage.naive);
    CHECK(decide::stage_enabled(stage, cheap) == !stage.unbounded);
    naive_rows += stage.naive;
    cheap_rows += !stage.unbounded;
  }
  CHECK(naive_rows == 4);  // twin encoding, no codomain box, escape query, quantified formula
  CHECK(cheap_rows > 0);
}

TEST_CASE("stage table: docs/architecture.md names every stage", "[decide][stages][docs]") {
  std::ifstream in(std::string(NNINV_SOURCE_DIR) + "/docs/architecture.md");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  for (const decide::Stage& stage : decide::stage_table()) {
    INFO("docs/architecture.md does not name the stage '" << stage.name << "' (its argument belongs there)");
    std::string quoted(1, '`');  // append(), not a + chain: GCC 12 gives a false -Wrestrict on it
    quoted.append(stage.name).push_back('`');
    CHECK(text.str().find(quoted) != std::string::npos);
  }
}
