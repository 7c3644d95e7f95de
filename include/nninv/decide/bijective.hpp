// Bijective from X to Y: injective on X, f(X) inside Y ("into"), and onto Y
// (FORMAT.md section 3). The three parts are decided here, in the library,
// so that the command line, the plot and library users share one order and
// one stopping rule.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "nninv/decide/pipeline.hpp"

namespace nninv::decide {

struct Part {
  Outcome outcome;
  double time_seconds = 0;
  bool ran = false;  // false: not needed (another part was violated first)
};

struct BijectiveOutcome {
  Verdict verdict = Verdict::unknown;
  Part injective, into, surjective;
  std::string reason;  // one sentence: which part decided, or which are open
  std::string method;  // the decisive part's method, or "injective, into and surjective parts"

  // The parts in the order of FORMAT.md: injective, into, surjective.
  const Part& part(Property p) const { return p == Property::injective ? injective : p == Property::into ? into : surjective; }
  // The violated part that decided a violated verdict; nullptr otherwise.
  const Part* decisive() const;
};

// holds if all three hold, violated if any is violated, unknown otherwise.
Verdict bijective_verdict(const Outcome& injective, const Outcome& into, const Outcome& surjective);

// Decides the three parts and stops at the first violated one. First every
// part runs its cheap stages (criteria and exact searches, no open-ended
// solver query: Options::cheap_only), so that a part refuted in milliseconds
// ends the run; then the undecided parts run in full, each with an equal
// share of the time left, and once more with all of what remains.
BijectiveOutcome decide_bijective(const net::Network& net, const Budget& budget, const Options& options = {});
// The same order and stopping rule with another decision of the parts (the
// models of decide/model.hpp).
using PartDecision = std::function<Outcome(Property, const Budget&, const Options&)>;
BijectiveOutcome decide_bijective_with(const PartDecision& decide_part, const Budget& budget, const Options& options);

// The certificate (docs/certificates.md): property "bijective", the verdict,
// and "parts" with one certificate per part that ran.
nlohmann::json certificate(const net::Network& net, const BijectiveOutcome& outcome);

}  // namespace nninv::decide
