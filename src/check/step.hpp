// A checker step that failed: which step, and why. Thrown by every part of
// nninv-check and turned into a rejection (with the step named) at the top.
#pragma once

#include <string>

namespace nninv::check::detail {

struct StepFailed {
  std::string step, what;
};

[[noreturn]] inline void fail(const std::string& step, const std::string& what) { throw StepFailed{step, what}; }
inline void require(bool ok, const std::string& step, const std::string& what) {
  if (!ok) fail(step, what);
}

}  // namespace nninv::check::detail
