// The coherent-orientation stage alone against the exact oracle, on the
// square random nets on R^n among the seeded random nets: a "holds" must be
// an injective net by the oracle and certified by nninv-check; a
// "violated" must carry an exact collision of a net the oracle finds not
// injective.
#include <catch2/catch.hpp>
#include <iostream>

#include "decide/procedures.hpp"
#include "nets.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/decide/pipeline.hpp"
#include "oracle.hpp"

using namespace nninv_test;
using nninv::decide::Budget;
using nninv::decide::Verdict;

TEST_CASE("differential: coherent orientation on the square random nets on R^n of seeds 0-19999",
          "[differential][orientation]") {
  int square = 0, injective = 0, holds = 0, violated = 0, failures = 0;
  nninv::decide::Options options;
  auto stage = nninv::decide::make_coherent_orientation(options);
  for (std::uint64_t seed = 0; seed < 20000 && square < 300; ++seed) {
    nninv::net::Network net = random_network(seed);
    if (!net.domain.is_everything() || net.input_dim != net.output_dim()) continue;
    ++square;
    OracleAnswer oracle = oracle_injective(net);
    injective += oracle.injective;
    auto o = stage->run(net, Budget(30.0));
    bool ok = true;
    if (o.verdict == Verdict::holds) {
      ++holds;
      auto report = nninv::check::check_certificate(net, nninv::decide::certificate(net, o));
      ok = oracle.injective && report.status == nninv::check::Status::certified;
    } else if (o.verdict == Verdict::violated) {
      ++violated;
      ok = !oracle.injective && o.collision && nninv::decide::check_collision(net, *o.collision).empty() &&
           o.collision->x1 != o.collision->x2 &&
           nninv::net::evaluate(net, o.collision->x1) == nninv::net::evaluate(net, o.collision->x2);
    }
    if (!ok) {
      ++failures;
      std::cout << "COHERENT ORIENTATION DISAGREES, seed " << seed << ": " << o.reason << "\n"
                << to_json(net) << std::endl;
    }
  }
  std::cout << "coherent orientation: " << square << " square nets on R^n, " << injective
            << " injective (oracle), " << holds << " proved injective, " << violated << " collisions, " << failures
            << " failures" << std::endl;
  CHECK(failures == 0);
  CHECK(square >= 50);
  // An injective PA map of R^n is a homeomorphism: proper, one orientation,
  // degree +-1, so the stage is complete on injective nets up to its node
  // limit and budget (measured: 47 of 47). The non-injective ones it mostly
  // leaves to other stages (a missed direction: not onto).
  CHECK(holds == injective);
  CHECK(violated > 0);
}
