#include <catch2/catch.hpp>

#include "decide/procedures.hpp"
#include "nninv/analysis/jacobian_box.hpp"
#include "nninv/analysis/jacobian_norm.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/smt/twin_encoding.hpp"

using namespace nninv;
using decide::Property;
using decide::Verdict;

namespace {
decide::Outcome injective(const std::string& text) {
  return decide::decide(io::parse_network(text, "t"), Property::injective, decide::Budget(30.0));
}
}  // namespace

TEST_CASE("dimension criterion refutes with a checked collision", "[decide]") {
  auto o = injective(R"({"input_dim": 3, "layers": [{"type": "dense", "weights": [[1, 2, 3], [0, 1, 1]]}]})");
  CHECK(o.verdict == Verdict::violated);
  CHECK(o.method == "dimension (invariance of domain)");
  REQUIRE(o.collision);
}

TEST_CASE("layer composition proves injectivity", "[decide]") {
  auto o = injective(R"({"input_dim": 2, "layers": [{"type": "dense", "weights": [[1, 2], [3, 4], [5, 6]]},
                         {"type": "leaky_relu", "alpha": 0.5}, {"type": "identity"}]})");
  CHECK(o.verdict == Verdict::holds);
  CHECK(o.method == "layer composition");
}

TEST_CASE("affine on the domain: rank decides both ways", "[decide]") {
  // The relu is always inactive on the box, so f is constant in x1: not injective.
  auto o = injective(R"({"input_dim": 2, "domain": {"lower": [0, 0], "upper": [1, 1]}, "layers": [
      {"type": "dense", "weights": [[1, 0], [0, -1]], "bias": [0, -1]}, {"type": "relu"}]})");
  CHECK(o.verdict == Verdict::violated);
  CHECK(o.method == "affine on the domain (rank)");
}

TEST_CASE("the twin encoding decides what criteria cannot", "[decide][smt]") {
  const char* split = R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 1], [1, -1], [-1, -1], [-1, 1]]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, 0, -1, 0], [0, 1, 0, -1]]}]})";
  auto o = injective(split);
  CHECK(o.verdict == Verdict::holds);
  // The encoder alone, with and without interval bounds, agrees.
  net::Network n = io::parse_network(split, "t");
  CHECK(smt::decide_injective_twin(n, decide::Budget(30.0), {.interval_bounds = false}).verdict == Verdict::holds);
  CHECK(smt::decide_injective_twin(n, decide::Budget(30.0), smt::EncodingOptions::naive()).verdict == Verdict::holds);
  auto fold = io::parse_network(R"({"input_dim": 1, "domain": {"lower": [-1], "upper": [2]}, "layers": [
      {"type": "dense", "weights": [[1], [-1]]}, {"type": "relu"}, {"type": "dense", "weights": [[1, 1]]}]})", "t");
  auto v = smt::decide_injective_twin(fold, decide::Budget(30.0));
  REQUIRE(v.verdict == Verdict::violated);
  CHECK(decide::check_collision(fold, *v.collision).empty());
  auto naive = smt::decide_injective_twin(fold, decide::Budget(30.0), smt::EncodingOptions::naive());
  REQUIRE(naive.verdict == Verdict::violated);
  CHECK(decide::check_collision(fold, *naive.collision).empty());
}

TEST_CASE("the exact check rejects a wrong collision", "[decide]") {
  net::Network n = io::parse_network(R"({"input_dim": 1, "layers": [{"type": "relu"}]})", "t");
  CHECK(decide::check_collision(n, {{-1}, {-2}, {0}}).empty());
  CHECK(decide::check_collision(n, {{1}, {1}, {1}}) == "x1 equals x2");
  CHECK(decide::check_collision(n, {{-1}, {1}, {0}}) == "f(x2) differs from y");
}

TEST_CASE("an exhausted budget answers unknown with the reason", "[decide]") {
  std::atomic<bool> cancel{true};
  auto o = decide::decide(io::parse_network(R"({"input_dim": 1, "layers": []})", "t"), Property::injective,
                          decide::Budget(std::nullopt, &cancel));
  CHECK(o.verdict == Verdict::unknown);
  CHECK(o.reason.rfind("interrupted before any stage ran", 0) == 0);
}

TEST_CASE("a stage whose exact matrices are too large answers unknown, and the next stages go on", "[decide]") {
  // relu on R^8193: the 8193 x 8193 Jacobian is past arith::Matrix::max_entries.
  net::Network n = io::parse_network(R"({"input_dim": 8193, "layers": [{"type": "relu"}]})", "t");
  std::vector<decide::Options::StageRecord> trace;
  decide::Options options;
  options.trace = &trace;
  auto o = decide::decide(n, Property::injective, decide::Budget(3.0), options);
  CHECK(o.verdict != Verdict::holds);  // relu is not injective on R^8193
  if (o.verdict == Verdict::violated) CHECK(decide::check_collision(n, *o.collision).empty());
  bool reported = false;
  for (const auto& r : trace) reported = reported || r.result.find("ran out of memory: a 8193 x 8193") != std::string::npos;
  CHECK(reported);
  CHECK(trace.size() >= 2);
}

TEST_CASE("Jacobian box: W^T leaky(W x) is injective, angle doubling and folds are not claimed", "[decide][jacobian_box]") {
  // W^T leaky(W x + b), W = [[1, 0], [0, 1], [1, 1]], alpha 1/10: by
  // Cauchy-Binet det(W^T D W) = sum over row pairs S of det(W_S)^2 times the
  // two slopes, positive for all slopes in [1/10, 1]. No layer-by-layer
  // argument applies (W^T is 2 x 3).
  auto residual = io::parse_network(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 0], [0, 1], [1, 1]], "bias": [0, 1, -1]},
      {"type": "leaky_relu", "alpha": 0.1},
      {"type": "dense", "weights": [[1, 0, 1], [0, 1, 1]]}]})", "t");
  auto box = decide::make_jacobian_box_criterion()->run(residual, decide::Budget(30.0));
  CHECK(box.verdict == Verdict::holds);
  CHECK(box.evidence["kind"] == "jacobian_box");
  CHECK(box.evidence["sign"] == 1);
  auto whole = decide::decide(residual, Property::injective, decide::Budget(30.0));
  CHECK(whole.verdict == Verdict::holds);
  CHECK(whole.method == "Jacobian box (vertex determinants)");
  // Angle doubling (z -> z^2 / |z| in polar form) is coherently oriented and
  // 2-to-1; |x| folds. Neither may be claimed.
  auto angle = io::parse_network(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [1, -1], [-1, 1]]},
      {"type": "relu"},
      {"type": "dense", "weights": [[1, 1, -1, -1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, -1, -1]]}]})", "t");
  CHECK(decide::make_jacobian_box_criterion()->run(angle, decide::Budget(30.0)).verdict ==
        Verdict::unknown);
  auto abs = io::parse_network(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-1]]}, {"type": "relu"}, {"type": "dense", "weights": [[1, 1]]}]})", "t");
  CHECK(decide::make_jacobian_box_criterion()->run(abs, decide::Budget(30.0)).verdict ==
        Verdict::unknown);
  // Fewer outputs than inputs: not applicable.
  auto narrow = io::parse_network(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 1]]}, {"type": "leaky_relu", "alpha": 0.5}]})", "t");
  auto none = decide::make_jacobian_box_criterion()->run(narrow, decide::Budget(30.0));
  CHECK(none.verdict == Verdict::unknown);
  CHECK_THAT(none.reason, Catch::Contains("fewer outputs"));
}

TEST_CASE("Jacobian box: opposite neurons share a slope parameter", "[decide][jacobian_box]") {
  auto run = [](const std::string& text) {
    return decide::make_jacobian_box_criterion()->run(io::parse_network(text, "t"),
                                                      decide::Budget(30.0));
  };
  // relu(x) - 2 relu(-x) is strictly increasing (slope 1, then 2). Coupled
  // slopes s, 1 - s give M = s + 2 (1 - s) in [1, 2]; uncoupled, the vertex
  // with both slopes 0 gives M = 0 and proves nothing.
  const std::string increasing = R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-1]]}, {"type": "relu"}, {"type": "dense", "weights": [[1, -2]]}]})";
  auto holds = run(increasing);
  CHECK(holds.verdict == Verdict::holds);
  CHECK(holds.evidence["pairs"] == 1);
  CHECK(holds.evidence["unstable"] == 2);
  auto uncoupled = analysis::jacobian_box(io::parse_network(increasing, "t"), 10, /*pair_neurons=*/false);
  CHECK(uncoupled.applicable);
  CHECK(uncoupled.sign == 0);
  // relu(x) + relu(1 - x) is constant (1) on [0, 1]: the rows are opposite
  // but the biases are not, so the neurons must not be paired (paired, the
  // slopes s and 1 - s would give M = 1 and a false "holds").
  auto flat = run(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-1]], "bias": [0, 1]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, 1]]}]})");
  CHECK(flat.verdict == Verdict::unknown);
  // A pair through two stacked dense layers: pre-activations x + y and
  // -(x + y) after [[1, 1], [-1, -1]] . I. With alpha = 1/2,
  // leaky(z) - leaky(-z) = 3/2 z, so f = (3/2 (x + y), leaky(y)): injective.
  auto stacked = run(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 0], [0, 1]]},
      {"type": "dense", "weights": [[1, 1], [-1, -1], [0, 1]]}, {"type": "leaky_relu", "alpha": 0.5},
      {"type": "dense", "weights": [[1, -1, 0], [0, 0, 1]]}]})");
  CHECK(stacked.verdict == Verdict::holds);
  CHECK(stacked.evidence["pairs"] == 1);
}

TEST_CASE("Jacobian box: more outputs than inputs through a projection", "[decide][jacobian_box]") {
  auto run = [](const std::string& text) {
    return decide::make_jacobian_box_criterion()->run(io::parse_network(text, "t"),
                                                      decide::Budget(30.0));
  };
  // (relu(x), relu(-x)) is injective (x = first - second): no output alone
  // is, but P = M(center)^T = (1/2, -1/2) gives P M = 1/2 at every vertex.
  auto split = run(R"({"input_dim": 1, "layers": [{"type": "dense", "weights": [[1], [-1]]}, {"type": "relu"}]})");
  CHECK(split.verdict == Verdict::holds);
  REQUIRE(split.evidence.contains("projection"));
  CHECK(split.evidence["projection"] == nlohmann::json::parse(R"([["1/2", "-1/2"]])"));
  // Outputs 1 and 2 are relu(W x) - relu(-W x) = W x (rows independent of
  // the slopes): that selection is the projection.
  auto extra = run(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 2], [3, 4], [-1, -2], [-3, -4], [1, 1], [-1, 3]], "bias": [0, 0, 0, 0, -1, 2]},
      {"type": "relu"},
      {"type": "dense", "weights": [[1, 0, -1, 0, 0, 0], [0, 1, 0, -1, 0, 0], [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 1]]}]})");
  CHECK(extra.verdict == Verdict::holds);
  CHECK(extra.evidence["projection"] ==
        nlohmann::json::parse(R"([["1", "0", "0", "0", "0"], ["0", "1", "0", "0", "0"]])"));
  // (relu(x), 2 relu(x)) and (|x|, 2 |x|) are not injective: never claimed.
  CHECK(run(R"({"input_dim": 1, "layers": [{"type": "dense", "weights": [[1], [2]]}, {"type": "relu"}]})").verdict ==
        Verdict::unknown);
  CHECK(run(R"({"input_dim": 1, "layers": [{"type": "dense", "weights": [[1], [-1]]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, 1], [2, 2]]}]})").verdict == Verdict::unknown);
}

TEST_CASE("Jacobian norm: a contracting residual block is injective, a folding one is not claimed", "[decide][jacobian_norm]") {
  // x + W2 relu(W1 x + b) on R^3 with the identity coded as relu(x) - relu(-x),
  // 12 hidden neurons (no two of them parallel): |W1|_inf <= 3 and
  // |W2|_inf = 12/64, so the residual is a contraction (Lipschitz <= 9/16 in
  // the max-norm) and f is injective by Banach's fixed point argument. 15
  // slope parameters: past the Jacobian box's 10, decided by the interval norm.
  auto block = io::parse_network(R"({"input_dim": 3, "layers": [
      {"type": "dense", "weights": [[1, 0, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0], [0, -1, 0], [0, 0, -1], [0, 1, -1], [1, -1, -1], [1, 1, 1], [1, 1, -1], [0, 1, 1], [1, -1, 0], [-1, 1, -1], [-1, 0, 1], [1, 0, 0], [0, 1, 0], [-1, -1, 0], [1, 0, 1]],
       "bias": [0, 0, 0, 0, 0, 0, -1, -1, 0, 0, -1, 2, 1, 2, 0, 0, 1, 2]},
      {"type": "relu"},
      {"type": "dense", "weights": [[1, 0, 0, -1, 0, 0, "1/64", "1/64", "-1/64", "-1/64", "-1/64", "1/64", "-1/64", "-1/64", "1/64", "-1/64", "1/64", "1/64"], [0, 1, 0, 0, -1, 0, "1/64", "-1/64", "1/64", "-1/64", "-1/64", "1/64", "1/64", "1/64", "1/64", "1/64", "1/64", "-1/64"], [0, 0, 1, 0, 0, -1, "-1/64", "-1/64", "-1/64", "1/64", "1/64", "-1/64", "-1/64", "1/64", "-1/64", "-1/64", "1/64", "-1/64"]]}]})", "t");
  decide::Options no_blocks;
  no_blocks.blocks = false;  // the block composition proves it too; this test is about the interval norm
  auto whole = decide::decide(block, Property::injective, decide::Budget(30.0), no_blocks);
  CHECK(whole.verdict == Verdict::holds);
  CHECK(whole.method == "Jacobian norm (interval enclosure)");
  // --no-criteria (ablation) skips it with the other criteria.
  std::vector<decide::Options::StageRecord> trace;
  decide::Options no_criteria;
  no_criteria.criteria = false;
  no_criteria.trace = &trace;
  decide::decide(block, Property::injective, decide::Budget(1.0), no_criteria);
  REQUIRE(!trace.empty());
  for (const auto& r : trace) CHECK(r.stage.find("Jacobian") == std::string::npos);
  auto norm = decide::make_jacobian_norm_criterion()->run(block, decide::Budget(30.0));
  REQUIRE(norm.verdict == Verdict::holds);
  CHECK(norm.evidence["kind"] == "jacobian_norm");
  CHECK(norm.evidence["k"].size() == 3);
  CHECK(norm.evidence["u"].size() == 3);
  // x - 3 relu(x) folds (x for x < 0, -2 x for x > 0): never claimed.
  auto fold = io::parse_network(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-1], [1]]}, {"type": "relu"}, {"type": "dense", "weights": [[1, -1, -3]]}]})", "t");
  auto none = decide::make_jacobian_norm_criterion()->run(fold, decide::Budget(30.0));
  CHECK(none.verdict == Verdict::unknown);
  CHECK_THAT(none.reason, Catch::Contains("not below 1"));
  CHECK(decide::decide(fold, Property::injective, decide::Budget(30.0)).verdict == Verdict::violated);
}

TEST_CASE("Jacobian box and norm: identity layers have slope 1, never relu slopes", "[decide][jacobian_box][jacobian_norm]") {
  // f = -5/2 on [0, 1]: (x - 5) - x through an identity layer (whose neuron
  // x - 5 is negative on X: a relu slope 0 there would make M = -1), then a
  // leaky neuron of the constant -1/2. Not injective.
  auto constant = io::parse_network(R"({"input_dim": 1, "domain": {"lower": [0], "upper": [1]}, "layers": [
      {"type": "dense", "weights": [[1], [1], [1]], "bias": [-5, 0, "-1/2"]},
      {"type": "identity"},
      {"type": "dense", "weights": [[1, -1, 0], [0, 0, 1]]},
      {"type": "leaky_relu", "alpha": "1/2"},
      {"type": "dense", "weights": [[1, 0]]}]})", "t");
  CHECK(analysis::jacobian_box(constant).sign == 0);
  CHECK(!analysis::jacobian_norm(constant).holds());
  // f = -x - (-x) + 2 (x + 5) - 2 x... = 10 on [-1, 1]: x and -x through an
  // identity layer are no relu pair (their slopes add up to 2, not 1).
  auto ten = io::parse_network(R"({"input_dim": 1, "domain": {"lower": [-1], "upper": [1]}, "layers": [
      {"type": "dense", "weights": [[1], [-1], [1]], "bias": [0, 0, 5]},
      {"type": "identity"},
      {"type": "dense", "weights": [[-1, 1, 2]]}]})", "t");
  CHECK(analysis::jacobian_box(ten).sign == 0);
  CHECK(!analysis::jacobian_norm(ten).holds());
  decide::Options as_given;
  as_given.simplify = false;
  CHECK(decide::decide(constant, Property::injective, decide::Budget(30.0), as_given).verdict == Verdict::violated);
  CHECK(decide::decide(ten, Property::injective, decide::Budget(30.0), as_given).verdict == Verdict::violated);
}
