#include <catch2/catch.hpp>
#include <random>

#include "check/rewrites.hpp"
#include "nninv/analysis/simplify.hpp"
#include "nninv/cert/certificate.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_loader.hpp"

using namespace nninv;
using arith::Matrix;
using arith::Rational;
using arith::Vector;

namespace {

net::Network parse(const std::string& text) { return io::parse_network(text, "t"); }

Vector random_point(std::mt19937& rng, std::size_t n) {
  std::uniform_int_distribution<int> num(-40, 40), den(1, 7);
  Vector x(n);
  for (Rational& v : x) {
    v = Rational(num(rng), den(rng));
    v.canonicalize();
  }
  return x;
}

// The simplified network computes the same function on all of R^n (points far
// outside any domain included) and is a fixpoint; nninv-check's own replay of
// the recorded rewrites (src/check/rewrites.cpp) arrives at the same network.
void require_same_function(const net::Network& net, const analysis::Simplified& s, std::mt19937& rng) {
  REQUIRE(s.network.input_dim == net.input_dim);
  REQUIRE(s.rewrites.empty() == !s.changed);
  net::Network replayed = check::detail::replay_rewrites(net, decide::rewrites_json(s.rewrites));
  REQUIRE(cert::canonical_text(replayed) == cert::canonical_text(s.network));
  REQUIRE(s.network.output_dim() == net.output_dim());
  REQUIRE(cert::canonical_text(analysis::simplify(s.network).network) == cert::canonical_text(s.network));
  REQUIRE(!analysis::simplify(s.network).changed);
  for (int t = 0; t < 40; ++t) {
    Vector x = random_point(rng, net.input_dim);
    INFO("point " << t);
    REQUIRE(net::evaluate(s.network, x) == net::evaluate(net, x));
  }
}

const net::Dense& dense(const net::Network& n, std::size_t k) { return std::get<net::Dense>(n.layers.at(k)); }

}  // namespace

TEST_CASE("simplify: consecutive dense layers merge, identity layers go", "[analysis][simplify]") {
  std::mt19937 rng(1);
  net::Network n = parse(R"({"input_dim": 2, "layers": [
      {"type": "identity"},
      {"type": "dense", "weights": [[1, 2], [3, 4], [0, 1]], "bias": [1, 0, -1]},
      {"type": "dense", "weights": [[1, 0, 1], [0, 1, 0]], "bias": [0, "1/2"]},
      {"type": "leaky_relu", "alpha": 1},
      {"type": "relu"},
      {"type": "dense", "weights": [[1, 0], [0, 1]]}]})");
  analysis::Simplified s = analysis::simplify(n);
  CHECK(s.changed);
  REQUIRE(s.network.layers.size() == 2);
  CHECK(dense(s.network, 0).weights == Matrix::from_rows({{1, 3}, {3, 4}}, 2));
  CHECK(dense(s.network, 0).bias == Vector{0, Rational(1, 2)});
  CHECK(std::holds_alternative<net::Relu>(s.network.layers[1]));
  CHECK(s.layers_before == 6);
  CHECK(s.layers_after == 2);
  require_same_function(n, s, rng);
}

TEST_CASE("simplify: a bottleneck between dense layers is kept", "[analysis][simplify]") {
  net::Network n = parse(R"({"input_dim": 3, "layers": [
      {"type": "dense", "weights": [[1, 2, 3]]}, {"type": "dense", "weights": [[1], [2], [3]]}]})");
  CHECK(!analysis::simplify(n).changed);
}

TEST_CASE("simplify: activations in a row combine", "[analysis][simplify]") {
  std::mt19937 rng(2);
  net::Network n = parse(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, -1], [2, 1]]},
      {"type": "leaky_relu", "alpha": "1/2"}, {"type": "leaky_relu", "alpha": "1/3"},
      {"type": "dense", "weights": [[1, 1], [1, -1]]},
      {"type": "leaky_relu", "alpha": "1/2"}, {"type": "relu"}, {"type": "leaky_relu", "alpha": 3}]})");
  analysis::Simplified s = analysis::simplify(n);
  REQUIRE(s.network.layers.size() == 4);
  CHECK(std::get<net::LeakyRelu>(s.network.layers[1]).alpha == Rational(1, 6));
  CHECK(std::holds_alternative<net::Relu>(s.network.layers[3]));
  require_same_function(n, s, rng);
}

TEST_CASE("simplify: CReLU pairs whose relu parts cancel fold into one dense layer", "[analysis][simplify]") {
  std::mt19937 rng(3);
  // relu(a) - relu(-a) = a: f(x) = W x with W the first three rows.
  net::Network n = parse(R"({"input_dim": 3, "layers": [
      {"type": "dense", "weights": [[2, 0, 1], [1, 1, 0], [0, -1, 3], [-2, 0, -1], [-1, -1, 0], [0, 1, -3]]},
      {"type": "relu"},
      {"type": "dense", "weights": [[1, 0, 0, -1, 0, 0], [0, 1, 0, 0, -1, 0], [0, 0, 1, 0, 0, -1]]}]})");
  analysis::Simplified s = analysis::simplify(n);
  REQUIRE(s.network.layers.size() == 1);
  CHECK(dense(s.network, 0).weights == Matrix::from_rows({{2, 0, 1}, {1, 1, 0}, {0, -1, 3}}, 3));
  CHECK(s.nonlinear_before == 6);
  CHECK(s.nonlinear_after == 0);
  require_same_function(n, s, rng);
}

TEST_CASE("simplify: scaled leaky CReLU pairs fold with the factor 1 + alpha", "[analysis][simplify]") {
  std::mt19937 rng(4);
  // leaky(a) - leaky(-a) = (1 + alpha) a; the second neuron is -2 a + ... scaled by 2:
  // leaky(-2(x0 + 1)) = 2 leaky(-(x0 + 1)), so column -1/2 cancels column 1.
  net::Network n = parse(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-2]], "bias": [1, -2]},
      {"type": "leaky_relu", "alpha": "1/4"},
      {"type": "dense", "weights": [[1, "-1/2"]], "bias": [3]}]})");
  analysis::Simplified s = analysis::simplify(n);
  REQUIRE(s.network.layers.size() == 1);
  CHECK(dense(s.network, 0).weights == Matrix::from_rows({{Rational(5, 4)}}, 1));
  CHECK(dense(s.network, 0).bias == Vector{Rational(17, 4)});
  require_same_function(n, s, rng);
}

TEST_CASE("simplify: a pair that does not cancel, or a partial fold, keeps its neurons", "[analysis][simplify]") {
  // |a| = relu(a) + relu(-a) is not affine.
  net::Network abs_net = parse(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-1]]}, {"type": "relu"}, {"type": "dense", "weights": [[1, 1]]}]})");
  CHECK(!analysis::simplify(abs_net).changed);
  // The first pair is affine but the third neuron is not: no skip path, so nothing changes.
  net::Network partial = parse(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1]]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, -1, 0], [0, 0, 1]]}]})");
  CHECK(!analysis::simplify(partial).changed);
}

TEST_CASE("simplify: dead neurons go and duplicates merge", "[analysis][simplify]") {
  std::mt19937 rng(5);
  // Neuron 1 has a zero outgoing column, neuron 2 is 3 x neuron 0, neuron 3 has a zero row and bias,
  // neuron 4 is the constant relu(5) = 5.
  net::Network n = parse(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, -1], [5, 7], [3, -3], [0, 0], [0, 0]], "bias": [1, 2, 3, 0, 5]},
      {"type": "relu"},
      {"type": "dense", "weights": [[1, 0, 2, 9, 1], [2, 0, -1, 4, -1]], "bias": [0, 1]}]})");
  analysis::Simplified s = analysis::simplify(n);
  REQUIRE(s.network.layers.size() == 3);
  CHECK(dense(s.network, 0).weights == Matrix::from_rows({{1, -1}}, 2));
  CHECK(dense(s.network, 2).weights == Matrix::from_rows({{7}, {-1}}, 1));
  CHECK(dense(s.network, 2).bias == Vector{5, -4});
  CHECK(s.nonlinear_after == 1);
  require_same_function(n, s, rng);
}

TEST_CASE("simplify: random networks with planted pairs, duplicates and dead neurons keep their function",
          "[analysis][simplify]") {
  std::mt19937 rng(20261130);
  std::uniform_int_distribution<int> small(-3, 3), coin(0, 5);
  std::size_t reduced = 0;
  std::size_t folded = 0;
  for (int trial = 0; trial < 150; ++trial) {
    std::size_t n = 1 + rng() % 3, width = n;
    net::Network net;
    net.input_dim = n;
    net.domain = net::Box::everything(n);
    std::size_t blocks = 1 + rng() % 3;
    bool cancel = coin(rng) < 2;  // the last block is CReLU pairs whose columns cancel
    Vector pair_scale;
    for (std::size_t b = 0; b < blocks; ++b) {
      bool pairs = cancel && b + 1 == blocks;
      // Rows are random, positive multiples or negated multiples of earlier rows.
      std::size_t h = pairs ? 2 * (1 + rng() % 2) : 1 + rng() % 5;
      Matrix w(h, width);
      Vector bias(h);
      pair_scale.assign(h, 0);
      for (std::size_t r = 0; r < h; ++r) {
        int kind = r == 0 ? 0 : coin(rng);
        if (pairs) kind = r % 2 == 0 ? 0 : 4 + rng() % 2;
        std::size_t src = pairs ? r - r % 2 : r == 0 ? 0 : rng() % r;
        if (kind <= 2) {
          for (std::size_t c = 0; c < width; ++c) w(r, c) = small(rng);
          bias[r] = small(rng);
        } else {
          Rational f = kind == 3 ? Rational(1 + rng() % 2) : kind == 4 ? Rational(-1) : Rational(-1, 2);
          for (std::size_t c = 0; c < width; ++c) w(r, c) = f * w(src, c);
          bias[r] = f * bias[src];
          pair_scale[r] = -f;
        }
      }
      net.layers.push_back(net::Dense{w, bias});
      if (coin(rng) == 0) net.layers.emplace_back(std::in_place_type<net::Identity>);
      Rational alpha(1 + rng() % 3, 4);
      alpha.canonicalize();
      net.layers.push_back(coin(rng) < 4 ? net::Layer(net::Relu{}) : net::Layer(net::LeakyRelu{alpha}));
      width = h;
    }
    std::size_t m = 1 + rng() % 3;
    Matrix w(m, width);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t c = 0; c < width; ++c)
        // act(-s t) = s act(-t): the column -C/s cancels C in the relu part.
        w(i, c) = cancel && c % 2 == 1 ? -w(i, c - 1) / pair_scale[c]
                  : coin(rng) == 0     ? Rational(0)
                                       : Rational(small(rng));
    net.layers.push_back(net::Dense{w, Vector(m)});
    net.codomain = net::Box::everything(m);
    analysis::Simplified s = analysis::simplify(net);
    INFO("trial " << trial << "\n" << cert::canonical_text(net));
    require_same_function(net, s, rng);
    CHECK(s.nonlinear_after <= s.nonlinear_before);
    if (s.changed) ++reduced;
    // The last block of pairs always folds into the final dense layer.
    if (cancel) CHECK(s.network.layers.size() < net.layers.size());
    if (s.nonlinear_after == 0) ++folded;
  }
  CHECK(folded > 10);
  CHECK(reduced > 50);  // the planted structure is found, not just left alone
}

TEST_CASE("simplify: stacked CReLU blocks become one dense layer", "[analysis][simplify]") {
  std::mt19937 rng(6);
  net::Network n = parse(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 1], [0, 1], [-1, -1], [0, -1]], "bias": [1, 0, -1, 0]},
      {"type": "relu"},
      {"type": "dense", "weights": [[1, 0, -1, 0], [0, 1, 0, -1]]},
      {"type": "dense", "weights": [[2, 1], [1, 1], [-2, -1], [-1, -1]], "bias": [0, 3, 0, -3]},
      {"type": "relu"},
      {"type": "dense", "weights": [[1, 0, -1, 0], [0, 1, 0, -1]]}]})");
  analysis::Simplified s = analysis::simplify(n);
  CHECK(s.network.layers.size() == 1);
  CHECK(s.nonlinear_after == 0);
  require_same_function(n, s, rng);
}
