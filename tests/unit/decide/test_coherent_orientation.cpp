// The coherent-orientation stage (docs/architecture.md, "Coherent
// orientation") on square nets whose answer is known by theorem: a residual
// block x + g(x) with Lip_2(g) < 1 (a bijection, Banach), angle doubling
// (coherently oriented of degree 2: 2-to-1) and a folded map of degree 0.
// Every "holds" goes through nninv-check, every collision is evaluated
// exactly, and tampered evidence is rejected.
#include <catch2/catch.hpp>
#include <functional>

#include "decide/procedures.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_loader.hpp"

using namespace nninv;
using decide::Verdict;
using nlohmann::json;

namespace {

net::Network parse(const std::string& text) { return io::parse_network(text, "t"); }

// f(x) = x + V relu(W x + b), the skip written as relu(x) - relu(-x).
// |W|_2 = sqrt 7 (W^T W = [[6, -1], [-1, 6]]) and |V|_2 <= |V|_F = sqrt
// 0.12, so Lip_2(g) <= 0.92 < 1 and f is a bijection of R^2 (Behrmann et
// al. 2019). The pairs relu(x_i), relu(-x_i) make thin regions (x_i = 0,
// both phases equal), which must be proved thin.
const char* residual = R"({"input_dim": 2, "layers": [
    {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 2], [-1, 1], [2, -1]],
     "bias": [0, 0, 0, 0, 1, -1, "1/2"]},
    {"type": "relu"},
    {"type": "dense", "weights": [[1, -1, 0, 0, "1/10", "-1/5", "1/10"], [0, 0, 1, -1, "1/5", "1/10", "-1/10"]],
     "bias": [3, -2]}]})";

// (|x1| - |x2|, |x1 + x2| - |x1 - x2|): z -> z^2 / |z| in polar form, every
// full region of determinant > 0, degree 2 (the output bias only shifts it).
const char* angle_doubling = R"({"input_dim": 2, "layers": [
    {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [1, -1], [-1, 1]]},
    {"type": "relu"},
    {"type": "dense", "weights": [[1, 1, -1, -1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, -1, -1]], "bias": [3, -5]}]})";

// Angle doubling after the fold (x1, x2) -> (x1, |x2|): onto R^2, degree 0.
const char* folded_doubling = R"({"input_dim": 2, "layers": [
    {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1]], "bias": [0, 0, 1, -1]},
    {"type": "relu"},
    {"type": "dense", "weights": [[1, -1, 0, 0], [-1, 1, 0, 0], [0, 0, 1, 1], [1, -1, 1, 1], [-1, 1, -1, -1],
     [1, -1, -1, -1], [-1, 1, 1, 1]]},
    {"type": "relu"},
    {"type": "dense", "weights": [[1, 1, -1, 0, 0, 0, 0], [0, 0, 0, 1, 1, -1, -1]], "bias": [1, 1]}]})";

decide::Outcome run_stage(const net::Network& net) {
  decide::Options options;
  options.region_node_limit = 20000;
  return decide::make_coherent_orientation(options)->run(net, decide::Budget(60.0));
}

void check_collision(const net::Network& net, const decide::Outcome& o) {
  REQUIRE(o.verdict == Verdict::violated);
  REQUIRE(o.collision);
  CHECK(o.collision->x1 != o.collision->x2);
  CHECK(net::evaluate(net, o.collision->x1) == net::evaluate(net, o.collision->x2));
}

check::Report recheck(const net::Network& net, const decide::Outcome& o, const std::function<void(json&)>& edit) {
  json c = decide::certificate(net, o);
  edit(c["evidence"]);
  return check::check_certificate(net, c);
}

// The first fully fixed leaf of the region tree for which `pick` holds.
json* find_leaf(json& node, const std::function<bool(const json&)>& pick) {
  if (node.contains("split")) {
    for (const char* side : {"active", "inactive"})
      if (json* hit = find_leaf(node[side], pick)) return hit;
    return nullptr;
  }
  if (node.contains("farkas")) return nullptr;
  return pick(node) ? &node : nullptr;
}

}  // namespace

TEST_CASE("coherent orientation: a contractive residual block is a bijection, certified", "[decide][orientation]") {
  net::Network net = parse(residual);
  decide::Outcome o = run_stage(net);
  INFO(o.reason);
  REQUIRE(o.verdict == Verdict::holds);
  CHECK(o.evidence["kind"] == "coherent_orientation");
  CHECK(o.evidence["sign"] == 1);
  CHECK(o.evidence["recession"]["degree"] == 1);
  json tree = o.evidence["tree"];
  CHECK(find_leaf(tree, [](const json& leaf) { return leaf.contains("thin"); }) != nullptr);
  check::Report r = check::check_certificate(net, decide::certificate(net, o));
  INFO(r.message);
  CHECK(r.status == check::Status::certified);

  // Tampering: a thin leaf without its multipliers, an oriented leaf with
  // the wrong sign, the other orientation, a degree that is not +-1.
  auto drop_thin = recheck(net, o, [](json& e) {
    find_leaf(e["tree"], [](const json& leaf) { return leaf.contains("thin"); })->erase("thin");
  });
  CHECK(drop_thin.status == check::Status::rejected);
  CHECK_THAT(drop_thin.message, Catch::Contains("coherent orientation"));
  auto flip = recheck(net, o, [](json& e) {
    (*find_leaf(e["tree"], [](const json& leaf) { return !leaf.contains("thin"); }))["sign"] = -1;
  });
  CHECK(flip.status == check::Status::rejected);
  auto other = recheck(net, o, [](json& e) { e["sign"] = -1; });
  CHECK(other.status == check::Status::rejected);
  auto degree = recheck(net, o, [](json& e) { e["recession"]["degree"] = 3; });
  CHECK(degree.status == check::Status::rejected);
}

TEST_CASE("coherent orientation: angle doubling is oriented but 2-to-1, a second preimage is the collision",
          "[decide][orientation]") {
  net::Network net = parse(angle_doubling);
  decide::Outcome o = run_stage(net);
  INFO(o.reason);
  check_collision(net, o);
  CHECK_THAT(o.reason, Catch::Contains("degree of absolute value >= 2"));
}

TEST_CASE("coherent orientation: a map of degree 0 has a region of the other orientation and folds",
          "[decide][orientation]") {
  net::Network net = parse(folded_doubling);
  decide::Outcome o = run_stage(net);
  INFO(o.reason);
  check_collision(net, o);
}

TEST_CASE("coherent orientation steps aside off R^n, for non-square nets and past its input limit",
          "[decide][orientation]") {
  net::Network box = parse(residual);
  box.domain.sides[0] = net::Interval{arith::Rational(-1), arith::Rational(1)};
  CHECK_THAT(run_stage(box).reason, Catch::Contains("X = R^n"));
  net::Network narrow = parse(R"({"input_dim": 2, "layers": [{"type": "dense", "weights": [[1, 1]]}]})");
  CHECK(run_stage(narrow).verdict == Verdict::unknown);
  net::Network wide = parse(R"({"input_dim": 17, "layers": [{"type": "relu"}]})");
  decide::Outcome o = run_stage(wide);
  CHECK(o.verdict == Verdict::unknown);
  CHECK_THAT(o.reason, Catch::Contains("more than 16 inputs"));
}

TEST_CASE("coherent orientation: a region tree past its node limit answers unknown with the count reached",
          "[decide][orientation]") {
  net::Network net = parse(residual);
  decide::Options options;
  options.region_node_limit = 40;
  decide::Outcome o = decide::make_coherent_orientation(options)->run(net, decide::Budget(60.0));
  CHECK(o.verdict == Verdict::unknown);
  CHECK_THAT(o.reason, Catch::Contains("exceed") && Catch::Contains("nodes)"));
}
