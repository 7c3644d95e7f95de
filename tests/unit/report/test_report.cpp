#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "nninv/report/report.hpp"

using namespace nninv;
using arith::Rational;
using decide::Outcome;
using decide::Property;
using decide::Verdict;

TEST_CASE("json output: witness numbers are exact rational strings", "[report]") {
  Outcome o = Outcome::collision_found(decide::Collision{{Rational(1, 2)}, {Rational(-7, 2)}, {Rational(3)}}, "why",
                                      "how");
  auto j = nlohmann::json::parse(report::to_json(o, 0.5));
  CHECK(j["property"] == "injective");
  CHECK(j["verdict"] == "violated");
  CHECK(j["witness"]["x1"][0] == "1/2");
  CHECK(j["witness"]["x2"][0] == "-7/2");
  CHECK(j["witness"]["y"][0] == "3");
  CHECK(j["reason"] == "why");
  CHECK(j["method"] == "how");
  CHECK(j["time_seconds"] == 0.5);
}

TEST_CASE("bijective: three parts, combined verdict and the violated part's witness", "[report]") {
  decide::BijectiveOutcome b;
  b.injective = {Outcome::holds(Property::injective, "a", "m1"), 0.25, true};
  b.into = {Outcome::holds(Property::into, "c", "m3"), 0.0, true};
  b.surjective = {decide::unreached_outcome({{Rational(-1)}, Rational(1, 2)}, "b", "m2"), 0.25, true};
  b.verdict = decide::bijective_verdict(b.injective.outcome, b.into.outcome, b.surjective.outcome);
  REQUIRE(b.verdict == Verdict::violated);
  REQUIRE(b.decisive() == &b.surjective);
  auto j = nlohmann::json::parse(report::bijective_json(b, 0.5));
  CHECK(j["property"] == "bijective");
  CHECK(j["verdict"] == "violated");
  CHECK(j["witness"]["y"][0] == "-1");
  CHECK(j["witness"]["radius"] == "1/2");
  CHECK(j["parts"]["injective"]["verdict"] == "holds");
  CHECK(j["parts"]["into"]["verdict"] == "holds");
  CHECK(j["parts"]["surjective"]["verdict"] == "violated");
  CHECK(j["time_seconds"] == 0.5);
  auto inv = nlohmann::json::parse(report::bijective_json(b, 0.5, "invertible"));
  CHECK(inv["property"] == "invertible");
  CHECK(inv["invertible"] == "no");
}

TEST_CASE("bijective verdict: violated if any part is, holds only if all three hold", "[report]") {
  Outcome h = Outcome::holds(Property::injective, "", ""), u = Outcome::unknown(Property::into, "");
  Outcome v = Outcome::escape_found({{Rational(1)}, {Rational(2)}}, "", "");
  CHECK(decide::bijective_verdict(h, h, h) == Verdict::holds);
  CHECK(decide::bijective_verdict(h, u, h) == Verdict::unknown);
  CHECK(decide::bijective_verdict(u, v, u) == Verdict::violated);
  CHECK(decide::bijective_verdict(h, h, v) == Verdict::violated);
}

TEST_CASE("text output adds a rounded decimal view of long exact witnesses", "[report]") {
  Rational big("123456789012345678901234567890/7"), small(1, 3);
  big.canonicalize();
  CHECK(report::needs_decimal_view({big}));
  CHECK_FALSE(report::needs_decimal_view({small}));
  CHECK(report::decimal_vector({small, Rational(-5, 2)}) == "(0.333333, -2.5)");
  CHECK(report::decimal_vector({big}) == "(1.76367e+28)");
  net::Network net;
  net.input_dim = 1;
  net.domain = net::Box::everything(1);
  net.codomain = net::Box::everything(1);
  Outcome o = Outcome::collision_found(decide::Collision{{big}, {small}, {Rational(0)}}, "why", "how");
  std::string text = report::to_text(net, o, 0.1);
  CHECK(text.find("x1 = " + report::format_vector({big})) != std::string::npos);
  CHECK(text.find("~ (1.76367e+28) (rounded)") != std::string::npos);
  CHECK(text.find("~ (0.333333)") == std::string::npos);  // short values have no second line
}

TEST_CASE("invert --json follows FORMAT.md section 4", "[report]") {
  decide::InvertOutcome o{decide::InvertVerdict::found, {Rational(1), Rational(-1, 4)}, {Rational(1, 2)}, true, "r", "m", nullptr};
  auto j = nlohmann::json::parse(report::invert_json(o, 0.003));
  CHECK(j["property"] == "invert");
  CHECK(j["verdict"] == "found");
  CHECK(j["x"] == nlohmann::json({"1", "-1/4"}));
  CHECK(j["y"] == nlohmann::json({"1/2"}));
  CHECK(j["unique"] == true);
}
