#include <catch2/catch.hpp>

#include "nninv/errors.hpp"
#include "nninv/io/json_loader.hpp"

using namespace nninv;
using arith::Rational;

TEST_CASE("numbers are read from their original text", "[io]") {
  net::Network n = io::parse_network(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[0.1], ["2/3"], [1e-3], [123456789012345678901234567890]], "bias": [0, "-7/3", 0.30000000000000004, 2]}]})",
                                     "t.json");
  const auto& d = std::get<net::Dense>(n.layers.at(0));
  CHECK(d.weights(0, 0) == Rational(1, 10));
  CHECK(d.weights(1, 0) == Rational(2, 3));
  CHECK(d.weights(2, 0) == Rational(1, 1000));
  CHECK(d.weights(3, 0) == Rational(mpz_class("123456789012345678901234567890")));
  CHECK(d.bias[1] == Rational(-7, 3));
  CHECK(d.bias[2] == arith::parse_rational("7500000000000001/25000000000000000"));
}

TEST_CASE("defaults: no bias is zero, no domain is R^n, no codomain is R^m", "[io]") {
  net::Network n = io::parse_network(
      R"({"input_dim": 2, "layers": [{"type": "dense", "weights": [[1, 2], [3, 4], [5, 6]]}, {"type": "relu"}]})", "t");
  CHECK(std::get<net::Dense>(n.layers[0]).bias == arith::Vector(3));
  CHECK(n.domain.is_everything());
  CHECK(n.domain.dim() == 2);
  CHECK(n.codomain.dim() == 3);
}

TEST_CASE("boxes with unbounded sides", "[io]") {
  net::Network n = io::parse_network(
      R"({"input_dim": 2, "domain": {"lower": [-1, null], "upper": ["1/2", null]}, "layers": []})", "t");
  CHECK(*n.domain.sides[0].lower == -1);
  CHECK(*n.domain.sides[0].upper == Rational(1, 2));
  CHECK(!n.domain.sides[1].lower);
  CHECK(!n.domain.sides[1].upper);
}

TEST_CASE("errors name the file and the JSON pointer", "[io]") {
  CHECK_THROWS_WITH(io::parse_network(R"({"input_dim": 2, "layers": [{"type": "dense", "weights": [[1, 2], [3]]}]})",
                                      "net.json"),
                    Catch::Contains("net.json: /layers/0/weights/1: row has 1 entries, expected 2"));
  CHECK_THROWS_WITH(io::parse_network(R"({"input_dim": 1, "layers": [{"type": "conv"}]})", "n"),
                    Catch::Contains("/layers/0/type: unknown layer type \"conv\""));
  CHECK_THROWS_WITH(io::parse_network("{\"input_dim\": 1,\n \"layers\": [}", "n"), Catch::Contains("line 2"));
  CHECK_THROWS_AS(io::parse_network(R"({"input_dim": 1, "layers": [{"type": "leaky_relu", "alpha": 0}]})", "n"),
                  InputError);
}

TEST_CASE("unknown keys are ignored with a warning", "[io]") {
  std::vector<std::string> warnings;
  io::parse_network(R"({"input_dim": 1, "layers": [], "comment": "hi"})", "n.json", &warnings);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains("/comment"));
}
