// What a decision procedure returns: a verdict with its evidence. Verdicts
// are values, never exceptions.
#pragma once

#include <optional>
#include <string>

#include "nninv/arith/rational.hpp"

namespace nninv::decide {

enum class Property { injective, surjective };
enum class Verdict { holds, violated, unknown };

const char* to_string(Property p);
const char* to_string(Verdict v);

// Refutes injectivity: x1 != x2 in X with f(x1) = f(x2) = y.
struct Collision {
  arith::Vector x1, x2, y;
};

struct Outcome {
  Property property = Property::injective;
  Verdict verdict = Verdict::unknown;
  std::optional<Collision> collision;  // set exactly when injective is violated
  std::string reason;                  // why, in one sentence a reader can check
  std::string method;                  // the procedure that settled it

  static Outcome unknown(Property p, std::string reason, std::string method = "") {
    return Outcome{p, Verdict::unknown, std::nullopt, std::move(reason), std::move(method)};
  }
  bool decided() const { return verdict != Verdict::unknown; }
};

}  // namespace nninv::decide
