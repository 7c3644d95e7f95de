// Running a Z3 solver within a Budget (internal to src/smt): the deadline
// becomes Z3's timeout and a watchdog thread interrupts Z3 on Ctrl-C.
#pragma once

#include <z3++.h>

#include <optional>
#include <string>

#include "nninv/decide/budget.hpp"

namespace nninv::smt {

struct SolveResult {
  z3::check_result status = z3::unknown;
  std::string unknown_reason;  // "timeout", "interrupted", or Z3's own reason
};

// Checks `solver`, giving up at the budget's deadline, on cancellation, or
// after cap_seconds when given. Z3 exceptions become unknown with the message.
SolveResult check_within(z3::solver& solver, const decide::Budget& budget,
                         std::optional<double> cap_seconds = std::nullopt);

}  // namespace nninv::smt
