// Exact parsing of decimal, scientific and p/q number texts into GMP rationals.
#include "nninv/arith/rational.hpp"

#include <cctype>

namespace nninv::arith {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

mpz_class parse_natural(std::string_view digits) {
  return mpz_class(std::string(digits), 10);
}

// [sign] digits [. digits] [(e|E) [sign] digits]; at least one digit in the mantissa.
Rational parse_decimal(std::string_view text) {
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '-' || rest[0] == '+')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  long exponent = 0;
  if (auto e = rest.find_first_of("eE"); e != std::string_view::npos) {
    std::string_view exp_text = rest.substr(e + 1);
    rest = rest.substr(0, e);
    bool exp_negative = false;
    if (!exp_text.empty() && (exp_text[0] == '-' || exp_text[0] == '+')) {
      exp_negative = exp_text[0] == '-';
      exp_text.remove_prefix(1);
    }
    if (!all_digits(exp_text)) throw NumberSyntaxError("malformed exponent in '" + std::string(text) + "'");
    std::string_view trimmed = exp_text.substr(std::min(exp_text.find_first_not_of('0'), exp_text.size()));
    if (trimmed.size() > 6 || (!trimmed.empty() && std::stol(std::string(trimmed)) > max_decimal_exponent))
      throw NumberSyntaxError("exponent of '" + std::string(text) + "' is out of range (|e| <= " +
                              std::to_string(max_decimal_exponent) + ")");
    exponent = trimmed.empty() ? 0 : std::stol(std::string(trimmed));
    if (exp_negative) exponent = -exponent;
  }
  std::string_view int_part = rest, frac_part;
  if (auto dot = rest.find('.'); dot != std::string_view::npos) {
    int_part = rest.substr(0, dot);
    frac_part = rest.substr(dot + 1);
  }
  if ((int_part.empty() && frac_part.empty()) || (!int_part.empty() && !all_digits(int_part)) ||
      (!frac_part.empty() && !all_digits(frac_part)) || (int_part.empty() && rest.find('.') == std::string_view::npos))
    throw NumberSyntaxError("'" + std::string(text) + "' is not a number");
  mpz_class mantissa = parse_natural(std::string(int_part) + std::string(frac_part));
  exponent -= static_cast<long>(frac_part.size());
  mpz_class power;
  mpz_ui_pow_ui(power.get_mpz_t(), 10, static_cast<unsigned long>(exponent < 0 ? -exponent : exponent));
  Rational value = exponent < 0 ? Rational(mantissa, power) : Rational(mantissa * power);
  value.canonicalize();
  return negative ? Rational(-value) : value;
}

}  // namespace

Rational parse_rational(std::string_view text) {
  if (text.empty()) throw NumberSyntaxError("empty number");
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view num = text.substr(0, slash), den = text.substr(slash + 1);
    bool negative = false;
    if (!num.empty() && (num[0] == '-' || num[0] == '+')) {
      negative = num[0] == '-';
      num.remove_prefix(1);
    }
    if (!all_digits(num) || !all_digits(den))
      throw NumberSyntaxError("'" + std::string(text) + "' is not a fraction p/q of integers");
    mpz_class q = parse_natural(den);
    if (q == 0) throw NumberSyntaxError("'" + std::string(text) + "' has a zero denominator");
    Rational value(parse_natural(num), q);
    value.canonicalize();
    return negative ? Rational(-value) : value;
  }
  return parse_decimal(text);
}

std::string to_string(const Rational& value) { return value.get_str(); }

Vector parse_rational_list(std::string_view text) {
  Vector values;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    values.push_back(parse_rational(item));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return values;
}

double to_double(const Rational& value) { return value.get_d(); }

}  // namespace nninv::arith
