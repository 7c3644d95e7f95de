// Lipschitz certificates (docs/certificates.md, "Lipschitz bounds"): the
// producer (src/analysis/lipschitz.cpp) and nninv-check's own implementation
// (src/check/lipschitz_check.cpp) must agree on random nets and residual
// blocks in every norm; the bounds hold on random exact pairs; a residual
// block x + g(x) gets m >= 1 - ||g||_p (the theorem: ||g(a) - g(b)|| <=
// ||g||_p ||a - b||); tampering is rejected at the step that fails.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>

#include "nninv/analysis/lipschitz.hpp"
#include "../support/norms.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_loader.hpp"

using namespace nninv;
using analysis::Norm;
using arith::Matrix;
using arith::Rational;
using arith::Vector;
using nlohmann::json;

namespace {

using test::magnitude;
using test::norm_power;
using test::operator_norm;

Vector minus(const Vector& a, const Vector& b) {
  Vector d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  return d;
}

struct Gen {
  std::mt19937_64 rng;
  explicit Gen(std::uint64_t seed) : rng(seed) {}
  long integer(long lo, long hi) { return lo + static_cast<long>(rng() % static_cast<std::uint64_t>(hi - lo + 1)); }
  Rational small() { return Rational(integer(-4, 4), integer(1, 2)); }
  Rational in(const Rational& lo, const Rational& hi) {
    long den = integer(1, 16);
    return Rational(lo + Rational(integer(0, den), den) * (hi - lo));
  }
};

net::Network make_net(std::size_t n, std::vector<net::Layer> layers, net::Box domain) {
  net::Network net;
  net.name = "lipschitz_test";
  net.input_dim = n;
  net.domain = std::move(domain);
  net.layers = std::move(layers);
  net.codomain = net::Box::everything(net.output_dim());
  return net;
}

// x + c W2 relu(W1 x + b1) + b2 written as a chain: the skip is relu(x) -
// relu(-x), so the first layer's rows [I; -I; W1] hold opposite pairs.
struct Residual {
  net::Network net;
  Matrix w1, w2;  // g = c w2 relu(w1 x + b1) (c folded into w2)
};

Residual residual_block(Gen& g, std::size_t n, std::size_t hidden, const Rational& c, net::Box domain) {
  Residual r{{}, Matrix(hidden, n), Matrix(n, hidden)};
  Matrix first(2 * n + hidden, n), second(n, 2 * n + hidden);
  Vector b1(2 * n + hidden, 0), b2(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    first(i, i) = 1;
    first(n + i, i) = -1;
    second(i, i) = 1;
    second(i, n + i) = -1;
    b2[i] = g.small();
  }
  for (std::size_t h = 0; h < hidden; ++h) {
    for (std::size_t j = 0; j < n; ++j) first(2 * n + h, j) = r.w1(h, j) = g.small();
    b1[2 * n + h] = g.small();
    for (std::size_t i = 0; i < n; ++i) second(i, 2 * n + h) = r.w2(i, h) = c * g.small();
  }
  r.net = make_net(n, {net::Dense{first, b1}, net::Relu{}, net::Dense{second, b2}}, std::move(domain));
  return r;
}

net::Network random_net(Gen& g, std::size_t n, bool leaky, net::Box domain) {
  std::vector<net::Layer> layers;
  std::size_t width = n;
  for (int h = 0; h < 2; ++h) {
    std::size_t next = static_cast<std::size_t>(g.integer(static_cast<long>(n), 5));
    Matrix w(next, width);
    Vector b(next);
    for (std::size_t i = 0; i < next; ++i) {
      for (std::size_t j = 0; j < width; ++j) w(i, j) = g.small();
      b[i] = g.small();
    }
    layers.push_back(net::Dense{w, b});
    if (leaky) layers.push_back(net::LeakyRelu{Rational(1, 4)});
    else layers.push_back(net::Relu{});
    width = next;
  }
  Matrix w(n, width);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < width; ++j) w(i, j) = g.small();
  layers.push_back(net::Dense{w, Vector(n, 0)});
  return make_net(n, std::move(layers), std::move(domain));
}

net::Box random_box(Gen& g, std::size_t n, bool bounded) {
  net::Box box = net::Box::everything(n);
  if (bounded)
    for (auto& side : box.sides) {
      Rational lo = g.small();
      side = net::Interval{lo, Rational(lo + Rational(g.integer(1, 6), 2))};
    }
  return box;
}

// Both bounds hold on random exact pairs of X.
void check_pairs(Gen& g, const net::Network& net, const analysis::LipschitzResult& r) {
  for (int p = 0; p < 60; ++p) {
    Vector a(net.input_dim), b(net.input_dim);
    for (std::size_t i = 0; i < net.input_dim; ++i) {
      const net::Interval& s = net.domain.sides[i];
      Rational lo = s.lower ? *s.lower : Rational(-4), hi = s.upper ? *s.upper : Rational(4);
      a[i] = g.in(lo, hi);
      b[i] = p % 3 == 0 ? Rational(a[i] + (g.in(lo, hi) - a[i]) / 256) : g.in(lo, hi);
    }
    if (a == b) continue;
    Rational dx = norm_power(minus(a, b), r.norm), dy = norm_power(minus(net::evaluate(net, a), net::evaluate(net, b)), r.norm);
    bool two = r.norm == Norm::two;
    CHECK(dy <= (two ? Rational(r.upper * r.upper) : r.upper) * dx);
    CHECK(dy >= (two ? Rational(r.inverse_lower * r.inverse_lower) : r.inverse_lower) * dx);
  }
}

check::Report verify(const net::Network& net, const json& c) { return check::check_certificate(net, c); }

// The rejection names `step`.
void rejected_at(const net::Network& net, const json& c, const std::string& step) {
  check::Report r = verify(net, c);
  INFO(r.message);
  CHECK(r.status == check::Status::rejected);
  CHECK(r.message.find("step \"" + step) != std::string::npos);
}

}  // namespace

TEST_CASE("lipschitz certificates: producer and checker agree on random nets and residual blocks",
          "[cert][lipschitz]") {
  Gen g(20261203);
  int certified = 0, blocks_with_margin = 0, paired = 0;
  for (int trial = 0; trial < 48; ++trial) {
    std::size_t n = static_cast<std::size_t>(g.integer(2, 3));
    net::Box box = random_box(g, n, trial % 2 == 0);
    bool block = trial % 3 != 2;
    Residual r = block ? residual_block(g, n, static_cast<std::size_t>(g.integer(2, 5)), Rational(1, g.integer(16, 48)), box)
                       : Residual{random_net(g, n, trial % 4 == 0, box), {}, {}};
    for (Norm norm : {Norm::inf, Norm::one, Norm::two}) {
      INFO("trial " << trial << " norm " << analysis::to_string(norm));
      analysis::LipschitzResult bounds = analysis::lipschitz_bounds(r.net, norm);
      json c = decide::certificate(r.net, bounds);
      check::Report report = verify(r.net, c);
      INFO(report.message << "\n" << c.dump().substr(0, 2000));
      REQUIRE(report.status == check::Status::certified);
      ++certified;
      check_pairs(g, r.net, bounds);
      paired += bounds.evidence.pairs.empty() ? 0 : 1;
      if (block && norm != Norm::two) {
        // ||g(a) - g(b)|| <= ||W2|| ||W1|| ||a - b|| (relu is 1-Lipschitz), so
        // m >= 1 - ||W2|| ||W1|| and L <= 1 + ||W2|| ||W1||.
        Rational lg = operator_norm(r.w2, norm) * operator_norm(r.w1, norm);
        if (lg < 1) {
          CHECK(bounds.inverse_lower >= 1 - lg);
          CHECK(bounds.upper <= 1 + lg);
          ++blocks_with_margin;
        }
      }
    }
  }
  CHECK(certified == 48 * 3);
  CHECK(blocks_with_margin > 20);
  CHECK(paired > 40);
}

TEST_CASE("lipschitz certificates: exact values carry their attaining pairs", "[cert][lipschitz]") {
  Matrix a(2, 2);
  a(0, 0) = 1, a(0, 1) = -1, a(1, 0) = 2, a(1, 1) = Rational(7, 2);
  net::Network net = make_net(2, {net::Dense{a, Vector{1, 0}}}, net::Box::everything(2));
  analysis::LipschitzResult bounds = analysis::lipschitz_bounds(net, Norm::inf);
  REQUIRE(bounds.upper == Rational(11, 2));
  REQUIRE(bounds.inverse_lower == Rational(11, 9));
  json c = decide::certificate(net, bounds);
  check::Report r = verify(net, c);
  INFO(r.message);
  REQUIRE(r.status == check::Status::certified);
  CHECK(r.message.find("attained, so exact") != std::string::npos);
  json moved = c;
  moved["evidence"]["upper"]["attained"][1][0] = "1/3";
  rejected_at(net, moved, "upper attained");
  json outside = c;
  net.domain.sides[0] = net::Interval{Rational(-10), Rational(10)};
  // another X: the hash no longer matches
  rejected_at(net, outside, "network hash");
}

TEST_CASE("lipschitz certificates: tampering is rejected at the failing step", "[cert][lipschitz][tamper]") {
  Gen g(7);
  Residual r = residual_block(g, 3, 4, Rational(1, 32), net::Box::everything(3));
  for (Norm norm : {Norm::inf, Norm::one, Norm::two}) {
    INFO("norm " << analysis::to_string(norm));
    analysis::LipschitzResult bounds = analysis::lipschitz_bounds(r.net, norm);
    json c = decide::certificate(r.net, bounds);
    REQUIRE(verify(r.net, c).status == check::Status::certified);
    REQUIRE(c["evidence"]["upper"]["kind"] == "enclosure");
    REQUIRE(c["evidence"]["inverse_lower"]["kind"] == "jacobian_k");
    REQUIRE(!c["evidence"]["upper"]["pairs"].empty());

    json sharper = c;  // a smaller upper bound than the enclosure proves
    sharper["upper"] = arith::to_string(bounds.upper / 2);
    rejected_at(r.net, sharper, "upper");
    json greedy = c;  // a larger modulus than (1 - q) / ||K||
    greedy["inverse_lower"] = arith::to_string(bounds.inverse_lower * 2);
    rejected_at(r.net, greedy, "inverse_lower: K");
    json q = c;
    q["evidence"]["inverse_lower"]["q"] = "1/1000000";
    rejected_at(r.net, q, "inverse_lower: K");
    json k = c;
    k["evidence"]["inverse_lower"]["k_norm"] = "1/1000";
    rejected_at(r.net, k, "inverse_lower: K");
    json forged = c;  // neurons 0 and 1 are x_0 and x_1, not opposite
    forged["evidence"]["upper"]["pairs"] = json::array({json::array({1, 0, 1})});
    rejected_at(r.net, forged, "upper");
    json twice = c;
    twice["evidence"]["upper"]["pairs"].push_back(c["evidence"]["upper"]["pairs"][0]);
    rejected_at(r.net, twice, "upper");
    json none = c;
    none["evidence"]["inverse_lower"] = {{"kind", "none"}};
    rejected_at(r.net, none, "inverse_lower");
    json point = c;
    point["evidence"]["upper"] = {{"kind", "no_pair"}};
    rejected_at(r.net, point, "upper");
    json bad_norm = c;
    bad_norm["norm"] = "3";
    rejected_at(r.net, bad_norm, "norm");
  }
  // The layer product (no work allowed for the enclosure, so it is the
  // upper source): each factor is checked against its layer.
  analysis::LipschitzResult bounds = analysis::lipschitz_bounds(r.net, Norm::inf, {}, 0);
  REQUIRE(bounds.evidence.upper_source == "layer_product");
  json c = decide::certificate(r.net, bounds);
  REQUIRE(verify(r.net, c).status == check::Status::certified);
  json low = c;
  low["evidence"]["upper"]["factors"][0]["bound"] = "1/2";
  low["upper"] = arith::to_string(bounds.upper / 4);
  rejected_at(r.net, low, "upper: layer 0");
  json short_list = c;
  short_list["evidence"]["upper"]["factors"].erase(0);
  rejected_at(r.net, short_list, "upper");
}

TEST_CASE("lipschitz certificates: left inverses of the layer composition are verified", "[cert][lipschitz]") {
  // Dense, leaky_relu, dense, ... with invertible layers: the modulus is the
  // product of 1 / ||L_k|| (L_k W_k = I) and the smallest slopes.
  net::Network net = io::load_network(std::string(NNINV_SOURCE_DIR) + "/examples/leaky_square.json");
  for (Norm norm : {Norm::inf, Norm::one, Norm::two}) {
    INFO("norm " << analysis::to_string(norm));
    analysis::LipschitzResult bounds = analysis::lipschitz_bounds(net, norm);
    REQUIRE(bounds.evidence.lower_source == "layer_composition");
    REQUIRE(bounds.inverse_lower > 0);
    json c = decide::certificate(net, bounds);
    REQUIRE(verify(net, c).status == check::Status::certified);
    json& factors = c["evidence"]["inverse_lower"]["factors"];
    std::size_t dense = 0;
    while (!factors[dense].contains("left_inverse") && norm != Norm::two) ++dense;
    json wrong = c;
    if (norm == Norm::two) {
      wrong["evidence"]["inverse_lower"]["factors"][0]["bound"] = "1000";
      wrong["inverse_lower"] = "1000";
    } else {
      json& l = wrong["evidence"]["inverse_lower"]["factors"][dense]["left_inverse"];
      l[0][0] = arith::to_string(arith::parse_rational(l[0][0].get<std::string>()) + 1);
    }
    rejected_at(net, wrong, "inverse_lower: layer " + std::to_string(norm == Norm::two ? 0 : dense));
    json slope = c;  // an activation's factor above its smallest slope
    std::size_t act = 1;
    slope["evidence"]["inverse_lower"]["factors"][act]["bound"] = "2";
    rejected_at(net, slope, "inverse_lower: layer 1");
  }
}
