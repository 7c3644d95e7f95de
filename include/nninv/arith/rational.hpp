// Exact rational numbers (GMP mpq_class) and their text forms.
// Every number nninv reasons about is one of these; doubles never decide.
#pragma once

#include <gmpxx.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nninv::arith {

using Rational = mpq_class;
using Vector = std::vector<Rational>;

// Thrown by parse_rational; the message says what is wrong with the text
// (the caller adds where the text came from).
class NumberSyntaxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Largest |exponent| accepted in decimal scientific notation; beyond it the
// exact value would need megabytes of digits.
inline constexpr long max_decimal_exponent = 4096;

// Parses the exact value of `text`:
//   integers "-12", decimals "0.1" (= 1/10), scientific "1e-3", "2.5E+4",
//   fractions "p/q" and "-p/q" (q != 0).
// No surrounding spaces, no "nan"/"inf". Throws NumberSyntaxError.
Rational parse_rational(std::string_view text);

// Canonical exact text: "3", "-7/2".
std::string to_string(const Rational& value);

// Comma-separated list of parse_rational texts ("1/2,-3,0.25").
Vector parse_rational_list(std::string_view text);

// Nearest double, for display and heuristics only.
double to_double(const Rational& value);

}  // namespace nninv::arith
