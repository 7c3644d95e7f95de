#include <catch2/catch.hpp>

#include "nninv/analysis/bounds.hpp"
#include "nninv/analysis/local_map.hpp"
#include "nninv/io/json_loader.hpp"

using namespace nninv;
using arith::Rational;
using arith::Vector;

TEST_CASE("local map: Jacobian of the region around a point", "[analysis]") {
  // f(x) = relu(x0 + x1) - 2 relu(x0 - x1)
  net::Network n = io::parse_network(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 1], [1, -1]]}, {"type": "relu"}, {"type": "dense", "weights": [[1, -2]]}]})",
                                     "t");
  analysis::LocalMap at = analysis::local_map(n, {1, 2});  // (3, -1): first active, second inactive
  CHECK(at.output == Vector{3});
  CHECK(at.jacobian.row(0) == Vector{1, 1});
  REQUIRE(at.neurons.size() == 2);
  CHECK(at.neurons[1].value == -1);
  CHECK(at.neurons[1].gradient == Vector{1, -1});
  // Moving along v = (1, 0) the second neuron reaches 0 after t = 1.
  CHECK(analysis::pattern_step_limit(at, {1, 0}) == Rational(1));
  CHECK(!analysis::pattern_step_limit(at, {-1, 1}));
}

TEST_CASE("interval bounds are sound and fix stable phases", "[analysis]") {
  net::Network n = io::parse_network(R"({"input_dim": 1, "domain": {"lower": [1], "upper": [2]}, "layers": [
      {"type": "dense", "weights": [[1], [-1], [1]], "bias": [0, 0, "-3/2"]}, {"type": "relu"}]})",
                                     "t");
  auto b = analysis::interval_bounds(n);
  REQUIRE(b.size() == 3);
  CHECK(analysis::phase_of(b[1][0]) == analysis::Phase::active);
  CHECK(analysis::phase_of(b[1][1]) == analysis::Phase::inactive);
  CHECK(analysis::phase_of(b[1][2]) == analysis::Phase::unstable);
  CHECK(*b[2][2].lower == 0);
  CHECK(*b[2][2].upper == Rational(1, 2));
}
