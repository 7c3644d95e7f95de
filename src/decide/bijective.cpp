// Bijective from X to Y = injective + into + surjective, cheapest first, with
// a stop at the first violated part (include/nninv/decide/bijective.hpp).
#include "nninv/decide/bijective.hpp"

#include <array>

namespace nninv::decide {

namespace {

constexpr std::array<Property, 3> order = {Property::into, Property::injective, Property::surjective};

Part& part_of(BijectiveOutcome& b, Property p) {
  return p == Property::injective ? b.injective : p == Property::into ? b.into : b.surjective;
}

// Runs `property` with `seconds` (nullopt: what the outer budget has).
void run_part(const PartDecision& decide_part, Property property, BijectiveOutcome& b, const Budget& outer,
              std::optional<double> seconds, Options options) {
  Part& part = part_of(b, property);
  if (property == Property::surjective && b.injective.outcome.decided()) options.known_injective = &b.injective.outcome;
  std::optional<double> left = outer.remaining_seconds();
  if (seconds && left) seconds = std::min(*seconds, *left);
  if (!seconds) seconds = left;
  if (seconds && *seconds <= 0) return;  // Budget(0) would mean "no deadline"
  Budget budget(seconds, outer.cancel_flag(), outer.memory_flag());
  double started = outer.elapsed_seconds();
  Outcome o = decide_part(property, budget, options);
  part.time_seconds += outer.elapsed_seconds() - started;
  part.outcome = std::move(o);  // only undecided parts run again: the latest word is the most informative
  part.ran = true;
}

bool violated(const BijectiveOutcome& b) {
  return b.injective.outcome.verdict == Verdict::violated || b.into.outcome.verdict == Verdict::violated ||
         b.surjective.outcome.verdict == Verdict::violated;
}

void conclude(BijectiveOutcome& b) {
  b.verdict = bijective_verdict(b.injective.outcome, b.into.outcome, b.surjective.outcome);
  for (Property p : order) {
    Part& part = part_of(b, p);
    if (!part.ran) part.outcome = Outcome::unknown(p, "another part was violated first, so this one was not needed", "");
  }
  if (const Part* d = b.decisive()) {
    b.reason = std::string("not ") + to_string(d->outcome.property) + ": " + d->outcome.reason;
    b.method = d->outcome.method;
    return;
  }
  b.method = "injective, into and surjective parts";
  if (b.verdict == Verdict::holds) {
    b.reason = "f is injective on X, maps X into Y and is onto Y";
    return;
  }
  std::string open;
  for (Property p : {Property::injective, Property::into, Property::surjective})
    if (!b.part(p).outcome.decided()) open += std::string(open.empty() ? "" : " and ") + to_string(p);
  b.reason = "the " + open + " part" + (open.find(" and ") == std::string::npos ? " is" : "s are") + " undecided";
}

}  // namespace

const Part* BijectiveOutcome::decisive() const {
  for (Property p : {Property::injective, Property::into, Property::surjective})
    if (part(p).outcome.verdict == Verdict::violated) return &part(p);
  return nullptr;
}

Verdict bijective_verdict(const Outcome& injective, const Outcome& into, const Outcome& surjective) {
  const Outcome* parts[] = {&injective, &into, &surjective};
  bool all = true;
  for (const Outcome* o : parts) {
    if (o->verdict == Verdict::violated) return Verdict::violated;
    all = all && o->verdict == Verdict::holds;
  }
  return all ? Verdict::holds : Verdict::unknown;
}

BijectiveOutcome decide_bijective(const net::Network& net, const Budget& budget, const Options& options) {
  return decide_bijective_with(
      [&net](Property p, const Budget& b, const Options& o) { return decide(net, p, b, o); }, budget, options);
}

BijectiveOutcome decide_bijective_with(const PartDecision& decide_part, const Budget& budget, const Options& options) {
  BijectiveOutcome b;
  // Round 1: the cheap stages of every part.
  Options cheap = options;
  cheap.cheap_only = true;
  for (Property p : order) {
    if (budget.exhausted()) break;
    run_part(decide_part, p, b, budget, std::nullopt, cheap);
    if (violated(b)) break;
  }
  // Round 2: the undecided parts in full, an equal share of the time left each
  // (no share without a deadline); round 3: what remains, for the open ones.
  for (int round = 2; round <= 3 && !violated(b); ++round) {
    std::vector<Property> open;
    for (Property p : order)
      if (!part_of(b, p).outcome.decided()) open.push_back(p);
    for (std::size_t k = 0; k < open.size() && !violated(b) && !budget.exhausted(); ++k) {
      if (part_of(b, open[k]).outcome.decided()) continue;
      std::optional<double> share;
      if (round == 2)
        if (auto left = budget.remaining_seconds()) share = *left / static_cast<double>(open.size() - k);
      run_part(decide_part, open[k], b, budget, share, options);
    }
    if (!budget.remaining_seconds()) break;  // without a deadline round 2 ran every part to its end
  }
  conclude(b);
  return b;
}

nlohmann::json certificate(const net::Network& net, const BijectiveOutcome& b) {
  nlohmann::json c = certificate(net, b.injective.outcome);
  c["property"] = "bijective";
  c["verdict"] = to_string(b.verdict);
  c.erase("evidence");
  c["method"] = b.method;
  c["reason"] = b.reason;
  c["parts"] = nlohmann::json::object();
  for (auto [name, p] : {std::pair{"injective", Property::injective}, std::pair{"into", Property::into},
                         std::pair{"surjective", Property::surjective}})
    if (b.part(p).ran) c["parts"][name] = certificate(net, b.part(p).outcome);
  return c;
}

}  // namespace nninv::decide
