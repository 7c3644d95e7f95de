#include <catch2/catch.hpp>

#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/smt/image_encoding.hpp"

using namespace nninv;
using arith::Rational;
using decide::Property;
using decide::Verdict;

namespace {
net::Network parse(const std::string& text) { return io::parse_network(text, "t"); }
decide::Outcome surjective(const net::Network& n) {
  return decide::decide(n, Property::surjective, decide::Budget(30.0));
}
// |x| on the given domain, onto the given codomain
net::Network fold(const std::string& domain, const std::string& codomain) {
  return parse(R"({"input_dim": 1, "domain": )" + domain + R"(, "codomain": )" + codomain + R"(, "layers": [
      {"type": "dense", "weights": [[1], [-1]]}, {"type": "relu"}, {"type": "dense", "weights": [[1, 1]]}]})");
}
}  // namespace

TEST_CASE("output bounds: a relu output misses negative values, with a radius", "[decide][surjective]") {
  auto o = surjective(parse(R"({"input_dim": 1, "layers": [{"type": "dense", "weights": [[2]]}, {"type": "relu"}]})"));
  REQUIRE(o.verdict == Verdict::violated);
  CHECK(o.method == "output bounds (interval propagation)");
  REQUIRE(o.unreached);
  CHECK(o.unreached->y[0] < 0);
  REQUIRE(o.unreached->radius);
  CHECK(o.unreached->y[0] + *o.unreached->radius < 0);
}

TEST_CASE("affine range: full row rank on R^n holds, deficient rank gives a separating vector", "[decide][surjective]") {
  auto onto = surjective(parse(R"({"input_dim": 3, "layers": [{"type": "dense", "weights": [[1, 2, 3], [0, 1, 1]]}]})"));
  CHECK(onto.verdict == Verdict::holds);
  auto thin = surjective(parse(R"({"input_dim": 2, "layers": [{"type": "dense", "weights": [[1, 2], [2, 4]], "bias": [1, 2]}]})"));
  REQUIRE(thin.verdict == Verdict::violated);
  CHECK(thin.method == "affine on the domain (range)");
  // y is off the line y2 = 2 y1, and so is its whole ball
  const auto& u = *thin.unreached;
  Rational off = u.y[1] - 2 * u.y[0];
  CHECK(off != 0);
  CHECK(abs(off) > 3 * *u.radius);
}

TEST_CASE("codomain boxes: onto a box inside the image, not onto one sticking out", "[decide][surjective]") {
  CHECK(surjective(fold(R"({"lower": [-1], "upper": [2]})", R"({"lower": [0], "upper": [2]})")).verdict ==
        Verdict::holds);
  auto out = surjective(fold(R"({"lower": [-1], "upper": [2]})", R"({"lower": [0], "upper": [3]})"));
  REQUIRE(out.verdict == Verdict::violated);
  CHECK(out.unreached->y[0] > 2);
  CHECK(surjective(fold(R"({"lower": [null], "upper": [null]})", R"({"lower": [0], "upper": [null]})")).verdict ==
        Verdict::holds);
}

TEST_CASE("region cover and quantified formula agree", "[smt][surjective]") {
  for (const auto& cod : {R"({"lower": [0], "upper": [2]})", R"({"lower": [0], "upper": [3]})"}) {
    net::Network n = fold(R"({"lower": [-1], "upper": [2]})", cod);
    auto a = smt::decide_surjective_region_cover(n, decide::Budget(30.0));
    auto b = smt::decide_surjective_quantified(n, decide::Budget(30.0));
    CHECK(a.decided());
    CHECK(a.verdict == b.verdict);
  }
}

TEST_CASE("preimage queries: exact point, none, and a missed ball", "[smt]") {
  net::Network n = fold(R"({"lower": [-1], "upper": [2]})", R"({"lower": [0], "upper": [3]})");
  auto found = smt::find_preimage(n, {Rational(3, 2)}, decide::Budget(30.0));
  REQUIRE(found.status == smt::Preimage::found);
  CHECK(net::evaluate(n, found.x) == arith::Vector{Rational(3, 2)});
  CHECK(smt::find_preimage(n, {Rational(5, 2)}, decide::Budget(30.0)).status == smt::Preimage::none);
  CHECK(smt::find_preimage(n, {Rational(5, 2)}, decide::Budget(30.0), Rational(1, 4)).status == smt::Preimage::none);
  CHECK(smt::find_preimage(n, {Rational(5, 2)}, decide::Budget(30.0), Rational(1, 2)).status == smt::Preimage::found);
}

TEST_CASE("invert: found with uniqueness, or none", "[decide]") {
  net::Network split = parse(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 0], [0, 1], [-1, 0], [0, -1]]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, 0, -1, 0], [0, 1, 0, -1]]}]})");
  auto o = decide::invert(split, {Rational(1, 2), Rational(-3)}, decide::Budget(30.0));
  REQUIRE(o.verdict == decide::InvertVerdict::found);
  CHECK(o.x == arith::Vector{Rational(1, 2), Rational(-3)});
  CHECK(o.unique == true);
  net::Network relu = parse(R"({"input_dim": 1, "layers": [{"type": "relu"}]})");
  CHECK(decide::invert(relu, {Rational(-1)}, decide::Budget(30.0)).verdict == decide::InvertVerdict::none);
  auto zero = decide::invert(relu, {Rational(0)}, decide::Budget(30.0));
  CHECK(zero.verdict == decide::InvertVerdict::found);
  CHECK(!zero.unique);
}

TEST_CASE("the unreached check refuses a reachable point", "[decide]") {
  net::Network n = fold(R"({"lower": [-1], "upper": [2]})", R"({"lower": [0], "upper": [3]})");
  decide::Budget budget(30.0);
  CHECK(decide::check_unreached(n, {{Rational(5, 2)}, Rational(1, 4)}, budget).empty());
  CHECK(!decide::check_unreached(n, {{Rational(1)}, std::nullopt}, budget).empty());
  CHECK(!decide::check_unreached(n, {{Rational(5, 2)}, Rational(1)}, budget).empty());
  CHECK(decide::check_unreached(n, {{Rational(4)}, std::nullopt}, budget) == "y lies outside the codomain");
}
