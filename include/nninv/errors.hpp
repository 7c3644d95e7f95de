// The error kinds that reach the command line, each with its sysexits code.
// Verdicts (holds / violated / unknown) are values, never these exceptions.
#pragma once

#include <stdexcept>

namespace nninv {

// Bad command line (exit 64).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Bad input data: malformed JSON, wrong shapes, bad numbers (exit 65).
// Message: "<file>: <JSON pointer>: <what is wrong>[, expected <what>]".
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Input cannot be opened: missing, a directory, unreadable (exit 66).
class CannotOpenInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// An output file (certificate, SMT-LIB, report) cannot be written (exit 73).
class CannotWriteOutput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// A bug in nninv, e.g. a witness that fails its exact re-check (exit 70).
class InternalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace exit_code {
inline constexpr int holds = 0;
inline constexpr int violated = 1;
inline constexpr int unknown = 2;
inline constexpr int usage = 64;
inline constexpr int data = 65;
inline constexpr int no_input = 66;
inline constexpr int software = 70;
inline constexpr int cant_create = 73;
}  // namespace exit_code

}  // namespace nninv
