// JSON residual and coupling layers (docs/format.md): expanded into the exact
// chain that carries x through g's activations; checked against x + g(x)
// and (x_A, x_B + g(x_A)) evaluated with g as a network of its own, exactly,
// and decided bijective by the block stage.
#include <catch2/catch.hpp>

#include <random>

#include "nninv/decide/pipeline.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/json_loader.hpp"

using namespace nninv;
using arith::Rational;
using arith::Vector;

namespace {

const char* g_layers = R"([{"type": "dense", "weights": [["1/4", "-1/8"], ["1/8", "1/4"], ["1/2", 0]], "bias": ["1/2", -1, 0]},
   {"type": "relu"}, {"type": "dense", "weights": [["1/2", "-1/4", 0], ["1/4", "1/2", "1/8"]]},
   {"type": "leaky_relu", "alpha": 0.5}, {"type": "leaky_relu", "alpha": 2},
   {"type": "dense", "weights": [["1/2", 0], [0, "1/4"]]}])";
const char* m_layers = R"([{"type": "dense", "weights": [[2], [-3]], "bias": [1, 0]}, {"type": "relu"},
   {"type": "dense", "weights": [[5, 7]]}])";

net::Network parse(const std::string& text) { return io::parse_network(text, "t.json"); }

Vector point(std::mt19937& rng, std::size_t n) {
  Vector x(n);
  for (Rational& v : x) {
    v = Rational(static_cast<long>(rng() % 81) - 40, 8);
    v.canonicalize();  // gmpxx does not
  }
  return x;
}

}  // namespace

TEST_CASE("JSON residual and coupling layers compute x + g(x) and (x_A, x_B + m(x_A)) exactly", "[io][json][blocks]") {
  net::Network g = parse(std::string(R"({"input_dim": 2, "layers": )") + g_layers + "}");
  net::Network m = parse(std::string(R"({"input_dim": 1, "layers": )") + m_layers + "}");
  net::Network res = parse(std::string(R"({"input_dim": 2, "layers": [{"type": "residual", "layers": )") + g_layers +
                           "}]}");
  net::Network cpl = parse(std::string(R"({"input_dim": 2, "layers": [{"type": "coupling", "mask": [0, 1], "layers": )") +
                           m_layers + "}]}");
  net::Network split = parse(std::string(R"({"input_dim": 2, "layers": [{"type": "coupling", "split": 1, "layers": )") +
                             m_layers + "}]}");
  // A coupling whose g is itself a residual block of R^1 then a dense map.
  net::Network nested = parse(std::string(R"({"input_dim": 2, "layers": [{"type": "coupling", "split": 1, "layers": [
      {"type": "residual", "layers": [{"type": "dense", "weights": [["1/2"]]}, {"type": "relu"},
                                      {"type": "dense", "weights": [[-1]]}]}, {"type": "dense", "weights": [[3]]}]}]})"));
  std::mt19937 rng(7);
  for (int t = 0; t < 100; ++t) {
    Vector x = point(rng, 2);
    Vector gx = net::evaluate(g, x);
    CHECK(net::evaluate(res, x) == Vector{x[0] + gx[0], x[1] + gx[1]});
    CHECK(net::evaluate(cpl, x) == Vector{x[0] + net::evaluate(m, {x[1]})[0], x[1]});
    CHECK(net::evaluate(split, x) == Vector{x[0], x[1] + net::evaluate(m, {x[0]})[0]});
    Rational inner = x[0] - (x[0] > 0 ? Rational(x[0] / 2) : Rational(0));  // x0 + (-relu(x0 / 2))
    CHECK(net::evaluate(nested, x) == Vector{x[0], x[1] + 3 * inner});
  }
  // Both are bijections of R^2, by the block stage.
  for (const net::Network* n : {&res, &cpl, &nested}) {
    decide::Outcome o = decide::decide(*n, decide::Property::injective, decide::Budget(20.0));
    CHECK(o.verdict == decide::Verdict::holds);
    CHECK(o.method == "blocks (coupling, residual contraction)");
  }
}

TEST_CASE("JSON residual and coupling layers: located errors", "[io][json][blocks]") {
  auto with = [](const std::string& layer) { return R"({"input_dim": 2, "layers": [)" + layer + "]}"; };
  CHECK_THROWS_WITH(parse(with(R"({"type": "coupling", "split": 2, "layers": []})")),
                    Catch::StartsWith("t.json: /layers/0/split: is 2, expected 1..1"));
  CHECK_THROWS_WITH(parse(with(R"({"type": "coupling", "mask": [1], "layers": []})")),
                    Catch::StartsWith("t.json: /layers/0/mask: is not an array of 2 entries"));
  CHECK_THROWS_WITH(parse(with(R"({"type": "coupling", "mask": [1, 1], "layers": []})")),
                    Catch::Contains("passes every coordinate through"));
  CHECK_THROWS_WITH(parse(with(R"({"type": "coupling", "split": 1, "mask": [1, 0], "layers": []})")),
                    Catch::Contains("exactly one of \"split\""));
  CHECK_THROWS_WITH(parse(with(R"({"type": "residual", "layers": [{"type": "dense", "weights": [[1, 2]]}]})")),
                    Catch::StartsWith("t.json: /layers/0/layers: g ends at width 1, expected 2"));
  CHECK_THROWS_WITH(parse(with(R"({"type": "residual", "layers": [{"type": "dense", "weights": [[1]]}]})")),
                    Catch::StartsWith("t.json: /layers/0/layers/0/weights/0: "));
  CHECK_THROWS_WITH(parse(with(R"({"type": "residual", "layers": [{"type": "tanh"}]})")),
                    Catch::Contains("/layers/0/layers/0"));
  CHECK_THROWS_AS(parse(with(R"({"type": "residual"})")), InputError);
}
