#include <catch2/catch.hpp>

#include "nninv/arith/rational.hpp"

using nninv::arith::NumberSyntaxError;
using nninv::arith::parse_rational;
using nninv::arith::Rational;

TEST_CASE("decimals mean exactly the decimal that is written", "[arith]") {
  CHECK(parse_rational("0.1") == Rational(1, 10));
  CHECK(parse_rational("-0.25") == Rational(-1, 4));
  CHECK(parse_rational("1e-3") == Rational(1, 1000));
  CHECK(parse_rational("2.5E+4") == Rational(25000));
  CHECK(parse_rational("1.") == Rational(1));
  CHECK(parse_rational(".5") == Rational(1, 2));
  CHECK(parse_rational("-0") == Rational(0));
  CHECK(parse_rational("0.30000000000000004") == parse_rational("7500000000000001/25000000000000000"));
}

TEST_CASE("fractions and huge integers are exact", "[arith]") {
  CHECK(parse_rational("-7/3") == Rational(-7, 3));
  CHECK(parse_rational("4/6") == Rational(2, 3));
  CHECK(parse_rational("123456789012345678901234567890") == Rational(mpz_class("123456789012345678901234567890")));
  CHECK(parse_rational("1e30") == Rational(mpz_class("1000000000000000000000000000000")));
  CHECK(nninv::arith::to_string(parse_rational("-14/4")) == "-7/2");
}

TEST_CASE("malformed numbers are rejected with a reason", "[arith]") {
  for (const char* bad : {"", "abc", "NaN", "inf", "-", ".", "1/0", "1/2/3", "0x10", " 1", "1 ", "1e", "e5", "1.2.3",
                          "--1", "1/-2", "1e99999"})
    CHECK_THROWS_AS(parse_rational(bad), NumberSyntaxError);
  CHECK_THROWS_WITH(parse_rational("3/0"), Catch::Contains("zero denominator"));
  CHECK_THROWS_WITH(parse_rational("1e99999"), Catch::Contains("out of range"));
}

TEST_CASE("comma-separated lists", "[arith]") {
  auto v = nninv::arith::parse_rational_list("1/2,-3,0.25");
  REQUIRE(v.size() == 3);
  CHECK(v[0] == Rational(1, 2));
  CHECK(v[1] == Rational(-3));
  CHECK(v[2] == Rational(1, 4));
  CHECK_THROWS_AS(nninv::arith::parse_rational_list("1,,2"), NumberSyntaxError);
}
