// The one interface every decision procedure implements (in the spirit of
// Bitwuzla's preprocessing passes): a name and run(network, budget). Which
// property a stage answers is its row in the stage table (stages.hpp).
#pragma once

#include <string_view>

#include "nninv/decide/budget.hpp"
#include "nninv/decide/outcome.hpp"
#include "nninv/net/network.hpp"

namespace nninv::decide {

class Procedure {
 public:
  virtual ~Procedure() = default;
  virtual std::string_view name() const = 0;
  // A decided outcome must be sound: "holds" only from a proof, "violated"
  // only with a witness (which the pipeline re-checks exactly). Returns
  // unknown when the procedure does not apply or runs out of budget.
  virtual Outcome run(const net::Network& net, const Budget& budget) = 0;
};

}  // namespace nninv::decide
