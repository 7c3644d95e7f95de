// The fold search alone against the exact oracle, on the square nets among
// the seeded random nets (dim X = output dimension): whenever it answers, the
// collision is exact and the oracle agrees that the net is not injective; on
// every net the oracle proves injective it answers nothing.
#include <catch2/catch.hpp>
#include <iostream>

#include "decide/procedures.hpp"
#include "nets.hpp"
#include "nninv/decide/pipeline.hpp"
#include "oracle.hpp"

using namespace nninv_test;
using nninv::decide::Budget;
using nninv::decide::Property;
using nninv::decide::Verdict;

TEST_CASE("differential: fold search on the square random nets of seeds 0-2999", "[differential][fold]") {
  int square = 0, injective = 0, found = 0, failures = 0;
  auto fold = nninv::decide::make_fold_search();
  for (std::uint64_t seed = 0; seed < 3000 && square < 200; ++seed) {
    nninv::net::Network net = random_network(seed);
    if (net.domain.free_coordinates().empty() || net.domain.free_coordinates().size() != net.output_dim()) continue;
    ++square;
    OracleAnswer oracle = oracle_injective(net);
    injective += oracle.injective;
    auto o = fold->run(net, Budget(30.0));
    if (o.verdict == Verdict::unknown) continue;
    ++found;
    bool ok = o.verdict == Verdict::violated && o.collision && !oracle.injective &&
              nninv::decide::check_collision(net, *o.collision).empty() && o.collision->x1 != o.collision->x2 &&
              net.domain.contains(o.collision->x1) && net.domain.contains(o.collision->x2) &&
              nninv::net::evaluate(net, o.collision->x1) == nninv::net::evaluate(net, o.collision->x2);
    if (!ok) {
      ++failures;
      std::cout << "FOLD SEARCH DISAGREES, seed " << seed << ": " << o.reason << "\n" << to_json(net) << std::endl;
    }
  }
  std::cout << "fold search: " << square << " square nets, " << injective << " injective (oracle), " << found
            << " collisions found, " << failures << " failures" << std::endl;
  CHECK(failures == 0);
  CHECK(square >= 50);
  // Not a completeness guarantee (sampling), but on these nets (measured:
  // 161 of the 161 non-injective ones) it must stay high.
  CHECK(found * 10 >= (square - injective) * 9);
}
