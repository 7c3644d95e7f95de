// The recession-degree stage (docs/architecture.md, "Recession degree") on
// square nets whose answer is known by construction: PL maps of degree 2, 1
// (with a rank-1 cone) and 0, and a fold whose image is a half-plane. Every
// "holds" goes through nninv-check's own recount, and tampered evidence is
// rejected at the recession-degree step.
#include <catch2/catch.hpp>
#include <functional>

#include "decide/procedures.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_loader.hpp"

using namespace nninv;
using arith::Rational;
using decide::Property;
using decide::Verdict;
using nlohmann::json;

namespace {

net::Network parse(const std::string& text) { return io::parse_network(text, "t"); }

// (|x1| - |x2|, |x1 + x2| - |x1 - x2|) + b, |t| = relu(t) + relu(-t): a
// piecewise-linear z -> z^2 (the angle doubles), degree 2, onto R^2.
const char* angle_doubling = R"({"input_dim": 2, "layers": [
    {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [1, -1], [-1, 1]],
     "bias": [1, 0, 0, "-1/2", 0, 2, 0, 1]},
    {"type": "relu"},
    {"type": "dense", "weights": [[1, 1, -1, -1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, -1, -1]], "bias": [3, -5]}]})";

// With every bias 0: x on x2 <= 0, (x1 + x2, 0) on the quadrant x >= 0 (a
// rank-1 cone onto the ray of e1), then two pieces of determinant 1 over
// the second quadrant: f_inf = (x1 + relu(x2), x2 - relu(min(x2, x1 + x2))),
// degree 1. The biases only shift it by a bounded amount: onto R^2.
const char* rank_one_cone = R"({"input_dim": 2, "layers": [
    {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1]], "bias": ["1/3", 0, -1, 0]},
    {"type": "relu"},
    {"type": "dense", "weights": [[1, -1, 0, 0], [-1, 1, 0, 0], [0, 0, 1, -1], [0, 0, -1, 1], [0, -1, 1, -1]],
     "bias": [0, 0, 0, 0, "1/2"]},
    {"type": "relu"},
    {"type": "dense", "weights": [[1, -1, 1, 0, 0], [0, 0, 1, -1, -1]], "bias": [2, -1]}]})";

// The angle-doubling map after the fold (x1, x2) -> (x1, |x2|): z^2 on the
// closed upper half-plane covers C (onto R^2), but the fold reverses
// orientation on the lower half: degree 0.
const char* folded_doubling = R"({"input_dim": 2, "layers": [
    {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1]], "bias": [0, 0, 1, -1]},
    {"type": "relu"},
    {"type": "dense", "weights": [[1, -1, 0, 0], [-1, 1, 0, 0], [0, 0, 1, 1], [1, -1, 1, 1], [-1, 1, -1, -1],
     [1, -1, -1, -1], [-1, 1, 1, 1]]},
    {"type": "relu"},
    {"type": "dense", "weights": [[1, 1, -1, 0, 0, 0, 0], [0, 0, 0, 1, 1, -1, -1]], "bias": [1, 1]}]})";

// (3u + 4v + 1, -4u + 3v + 2) with u = |x1 + 1| >= 0, v = x2: the image is the
// half-plane 3 (y1 - 1) - 4 (y2 - 2) >= 0 (= 25 u).
const char* rotated_fold = R"({"input_dim": 2, "layers": [
    {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1]], "bias": [1, -1, 0, 0]},
    {"type": "relu"},
    {"type": "dense", "weights": [[3, 3, 4, -4], [-4, -4, 3, -3]], "bias": [1, 2]}]})";

decide::Outcome run_stage(const net::Network& net) {
  decide::Options options;
  options.region_node_limit = 20000;
  return decide::make_recession_degree(options)->run(net, decide::Budget(60.0));
}

json certificate_of(const net::Network& net) {
  decide::Options options;
  options.want_proof = true;
  options.simplify = false;  // the evidence on the network as written, for the tampering below
  return decide::certificate(net, decide::decide(net, Property::surjective, decide::Budget(60.0), options));
}

// Applies `edit` to the first fully fixed leaf (depth first, active first)
// for which `pick` is true; false when there is none.
bool edit_leaf(json& evidence, const std::function<bool(const json&)>& pick, const std::function<void(json&)>& edit) {
  std::function<bool(json&)> visit = [&](json& node) {
    if (node.contains("split")) return visit(node["active"]) || visit(node["inactive"]);
    if (node.contains("map") && pick(node)) {
      edit(node);
      return true;
    }
    return false;
  };
  for (json& facet : evidence["facets"])
    if (visit(facet["tree"])) return true;
  return false;
}

check::Report verify(const net::Network& net, const json& c) { return check::check_certificate(net, c); }

}  // namespace

TEST_CASE("recession degree: a degree-2 map is onto, certified, and tampering is caught",
          "[decide][surjective][degree]") {
  net::Network net = parse(angle_doubling);
  decide::Outcome o = run_stage(net);
  REQUIRE(o.verdict == Verdict::holds);
  CHECK(o.evidence["kind"] == "recession_degree");
  CHECK(o.evidence["degree"] == 2);
  json c = certificate_of(net);
  REQUIRE(c["verdict"] == "holds");
  REQUIRE(c["method"] == "recession degree");
  check::Report ok = verify(net, c);
  INFO(ok.message);
  REQUIRE(ok.status == check::Status::certified);

  auto rejected = [&](const json& bad, const std::string& why) {
    check::Report r = verify(net, bad);
    INFO(r.message);
    CHECK(r.status == check::Status::rejected);
    CHECK_THAT(r.message, Catch::Contains(why));
  };
  json& e = c["evidence"];
  json bad = c;
  bad["evidence"]["degree"] = 3;
  rejected(bad, "differs from the count");
  bad = c;
  REQUIRE(edit_leaf(bad["evidence"], [](const json& n) { return n["ray"] == "hit"; },
                    [](json& n) { n["sign"] = -n["sign"].get<int>(); }));
  rejected(bad, "the sign is not that of det A");
  bad = c;  // hiding a preimage ray
  REQUIRE(edit_leaf(bad["evidence"], [](const json& n) { return n["ray"] == "hit"; },
                    [](json& n) { n = json{{"map", "nonsingular"}, {"ray", "miss"}}; }));
  rejected(bad, "meets the region");
  bad = c;  // inventing one
  REQUIRE(edit_leaf(bad["evidence"], [](const json& n) { return n["ray"] == "miss"; },
                    [](json& n) { n = json{{"map", "nonsingular"}, {"ray", "hit"}, {"x", {"1", "0"}}, {"sign", 1}}; }));
  rejected(bad, "does not meet the region");
  bad = c;
  bad["evidence"]["facets"].erase(3);
  rejected(bad, "one tree per facet");
  bad = c;
  std::swap(bad["evidence"]["facets"][0], bad["evidence"]["facets"][1]);
  rejected(bad, "facets out of order");
  bad = c;
  bad["evidence"]["d"] = e["d"];
  bad["evidence"]["d"][0] = "0";
  bad["evidence"]["d"][1] = "0";
  rejected(bad, "zero vector");
}

TEST_CASE("recession degree: a rank-1 cone needs both Farkas proofs", "[decide][surjective][degree]") {
  net::Network net = parse(rank_one_cone);
  json c = certificate_of(net);
  REQUIRE(c["verdict"] == "holds");
  REQUIRE(c["evidence"]["kind"] == "recession_degree");
  CHECK(c["evidence"]["degree"] == 1);
  REQUIRE(verify(net, c).status == check::Status::certified);
  auto singular = [](const json& n) { return n["map"] == "singular"; };
  json bad = c;
  REQUIRE(edit_leaf(bad["evidence"], singular, [](json& n) { n["zero"] = nullptr; }));
  check::Report r = verify(net, bad);
  CHECK(r.status == check::Status::rejected);
  CHECK_THAT(r.message, Catch::Contains("vanishes nowhere"));
  bad = c;
  REQUIRE(edit_leaf(bad["evidence"], singular, [](json& n) { n["ray"] = n["zero"]; }));
  CHECK(verify(net, bad).status == check::Status::rejected);
  bad = c;
  REQUIRE(edit_leaf(bad["evidence"], singular, [](json& n) { n = json{{"map", "nonsingular"}, {"ray", "miss"}}; }));
  CHECK(verify(net, bad).status == check::Status::rejected);
}

TEST_CASE("recession degree: degree 0 decides nothing, and the later stages still answer",
          "[decide][surjective][degree]") {
  net::Network net = parse(folded_doubling);
  decide::Outcome o = run_stage(net);
  CHECK(o.verdict == Verdict::unknown);
  CHECK_THAT(o.reason, Catch::Contains("degree 0"));
  decide::Outcome full = decide::decide(net, Property::surjective, decide::Budget(60.0));
  CHECK(full.verdict == Verdict::holds);
  CHECK(full.method != "recession degree");
}

TEST_CASE("recession degree: a missed direction gives an unreachable point and ball, proved by a tree",
          "[decide][surjective][degree]") {
  net::Network net = parse(rotated_fold);
  decide::Outcome o = run_stage(net);
  REQUIRE(o.verdict == Verdict::violated);
  REQUIRE(o.unreached);
  // Independently of nninv: the ball around y lies outside the half-plane.
  const arith::Vector& y = o.unreached->y;
  Rational r = o.unreached->radius.value_or(Rational(0));
  CHECK(3 * (y[0] - 1) - 4 * (y[1] - 2) + 7 * r < 0);
  json c = certificate_of(net);
  REQUIRE(c["verdict"] == "violated");
  CHECK(c["method"] == "recession degree");
  check::Report ok = verify(net, c);
  INFO(ok.message);
  CHECK(ok.status == check::Status::certified);
}

TEST_CASE("recession degree: only square nets on R^n, and bijective's proved injectivity goes first",
          "[decide][surjective][degree]") {
  CHECK(run_stage(parse(R"({"input_dim": 2, "domain": {"lower": [0, 0], "upper": [1, 1]}, "layers": [
      {"type": "dense", "weights": [[1, 0], [0, 1]]}]})")).verdict == Verdict::unknown);
  CHECK(run_stage(parse(R"({"input_dim": 2, "layers": [{"type": "dense", "weights": [[1, 0]]}]})")).verdict ==
        Verdict::unknown);
  net::Network net = parse(angle_doubling);
  decide::Outcome injective = decide::Outcome::holds(Property::injective, "given", "test", json(nullptr));
  decide::Options options;
  options.known_injective = &injective;
  decide::Outcome o = decide::make_recession_degree(options)->run(net, decide::Budget(10.0));
  CHECK(o.verdict == Verdict::unknown);
}
