// What a decision procedure returns: a verdict with its evidence. Verdicts
// are values, never exceptions.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "nninv/arith/rational.hpp"

namespace nninv::decide {

// into: does f map X into Y (f(X) inside Y)? Bijective from X to Y is the
// conjunction of injective, into and surjective (FORMAT.md section 3).
enum class Property { injective, surjective, into };
enum class Verdict { holds, violated, unknown };

const char* to_string(Property p);
const char* to_string(Verdict v);

// Refutes injectivity: x1 != x2 in X with f(x1) = f(x2) = y.
struct Collision {
  arith::Vector x1, x2, y;
};

// Refutes surjectivity: y in Y has no preimage in X; when radius is set, no
// point within inf-distance radius of y has one either.
struct Unreached {
  arith::Vector y;
  std::optional<arith::Rational> radius;
};

// Refutes "into": x in X with y = f(x) outside Y.
struct Escape {
  arith::Vector x, y;
};

struct Outcome {
  Property property = Property::injective;
  Verdict verdict = Verdict::unknown;
  std::optional<Collision> collision;  // set exactly when injective is violated
  std::string reason;                  // why, in one sentence a reader can check
  std::string method;                  // the procedure that settled it
  std::optional<Unreached> unreached;  // set exactly when surjective is violated
  std::optional<Escape> escape;        // set exactly when into is violated
  // Checkable data behind the verdict (docs/certificates.md, "evidence");
  // for an unreachable point, the proof of unreachability. Null: none yet.
  nlohmann::json evidence;

  static Outcome unknown(Property p, std::string reason, std::string method = "") {
    return Outcome{p, Verdict::unknown, std::nullopt, std::move(reason), std::move(method), std::nullopt, std::nullopt,
                   nullptr};
  }
  static Outcome holds(Property p, std::string reason, std::string method, nlohmann::json evidence = nullptr) {
    return Outcome{p, Verdict::holds, std::nullopt, std::move(reason), std::move(method), std::nullopt, std::nullopt,
                   std::move(evidence)};
  }
  static Outcome collision_found(Collision c, std::string reason, std::string method) {
    return Outcome{Property::injective, Verdict::violated, std::move(c), std::move(reason), std::move(method),
                   std::nullopt, std::nullopt, nullptr};
  }
  static Outcome escape_found(Escape e, std::string reason, std::string method) {
    return Outcome{Property::into, Verdict::violated, std::nullopt, std::move(reason), std::move(method),
                   std::nullopt, std::move(e), nullptr};
  }
  bool decided() const { return verdict != Verdict::unknown; }
};

inline Outcome unreached_outcome(Unreached u, std::string reason, std::string method,
                                 nlohmann::json proof = nullptr) {
  return Outcome{Property::surjective, Verdict::violated, std::nullopt, std::move(reason), std::move(method),
                 std::move(u), std::nullopt, std::move(proof)};
}


// The answer of `nninv invert`: an exact preimage of y, or a proof that none exists.
enum class InvertVerdict { found, none, unknown };
const char* to_string(InvertVerdict v);

struct InvertOutcome {
  InvertVerdict verdict = InvertVerdict::unknown;
  arith::Vector x, y;             // x set when found
  std::optional<bool> unique;     // true when f is proved injective on X
  std::string reason, method;
  nlohmann::json evidence;        // for "none": the proof that y is unreachable
};

}  // namespace nninv::decide
