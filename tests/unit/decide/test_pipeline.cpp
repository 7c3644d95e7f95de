#include <catch2/catch.hpp>

#include "decide/procedures.hpp"
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
  CHECK(o.reason == "interrupted");
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
  auto box = decide::make_jacobian_box_criterion()->run(residual, Property::injective, decide::Budget(30.0));
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
  CHECK(decide::make_jacobian_box_criterion()->run(angle, Property::injective, decide::Budget(30.0)).verdict ==
        Verdict::unknown);
  auto abs = io::parse_network(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-1]]}, {"type": "relu"}, {"type": "dense", "weights": [[1, 1]]}]})", "t");
  CHECK(decide::make_jacobian_box_criterion()->run(abs, Property::injective, decide::Budget(30.0)).verdict ==
        Verdict::unknown);
  // Not square: not applicable.
  auto wide = io::parse_network(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-1]]}, {"type": "relu"}]})", "t");
  CHECK(decide::make_jacobian_box_criterion()->run(wide, Property::injective, decide::Budget(30.0)).verdict ==
        Verdict::unknown);
}
