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

TEST_CASE("bijective: parts, combined verdict and the violated part's witness", "[report]") {
  report::Part inj{Outcome::holds(Property::injective, "a", "m1"), 0.25};
  report::Part surj{decide::unreached_outcome({{Rational(-1)}, Rational(1, 2)}, "b", "m2"), 0.25};
  auto j = nlohmann::json::parse(report::bijective_json(inj, surj));
  CHECK(j["property"] == "bijective");
  CHECK(j["verdict"] == "violated");
  CHECK(j["witness"]["y"][0] == "-1");
  CHECK(j["witness"]["radius"] == "1/2");
  CHECK(j["parts"]["injective"]["verdict"] == "holds");
  CHECK(j["parts"]["surjective"]["verdict"] == "violated");
  CHECK(j["time_seconds"] == 0.5);
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
