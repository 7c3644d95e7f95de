// The Jacobian box (analysis/jacobian_box.hpp) against the region-enumeration
// oracle on seeded random nets built from opposite pairs of neurons
// (act(z), act(-z)) combined with random signed weights, so that both
// injective nets (same-sign combinations: monotone coordinate maps) and folds
// (opposite signs) occur, square and with extra outputs. Whenever the box
// claims "injective", the oracle must agree; the test also requires that the
// box decides a fair share of the injective nets (coupled slopes and
// projections at work), so it cannot pass by never answering.
#include <catch2/catch.hpp>
#include <iostream>

#include "nets.hpp"
#include "nninv/analysis/jacobian_box.hpp"
#include "nninv/analysis/jacobian_norm.hpp"
#include "oracle.hpp"

using namespace nninv_test;
using nninv::arith::Rational;
using nninv::net::Network;

namespace {

Rational small(Rng& rng) {
  static const std::vector<Rational> values = {Rational(-2), Rational(-1), Rational(0), Rational(1),
                                               Rational(2),  Rational(1, 2), Rational(3)};
  return rng.pick(values);
}

Rational positive(Rng& rng) {
  static const std::vector<Rational> values = {Rational(1), Rational(2), Rational(1, 2), Rational(3)};
  return rng.pick(values);
}

// R^n, or with the given chance (percent) the box [lower, upper]^n.
nninv::net::Box random_box(Rng& rng, std::size_t n, std::uint64_t percent, const Rational& lower,
                           const Rational& upper) {
  nninv::net::Box box = nninv::net::Box::everything(n);
  if (rng.chance(percent))
    for (auto& side : box.sides) {
      side.lower = lower;
      side.upper = upper;
    }
  return box;
}

// One block: z = A h + b with opposite pairs (rows a, -a; biases b, -b),
// sometimes one unpaired row, an activation, then c_i act(z_i) - d_i act(-z_i)
// per pair (c, d > 0 mostly: a monotone map; sometimes d < 0: a fold).
void add_block(Rng& rng, Network& net, std::size_t width, bool extra_row) {
  const std::size_t pairs = width;
  std::vector<std::vector<Rational>> rows(2 * pairs + (extra_row ? 1 : 0), std::vector<Rational>(width));
  std::vector<Rational> bias(rows.size());
  for (std::size_t i = 0; i < pairs; ++i) {
    for (std::size_t j = 0; j < width; ++j) {
      rows[i][j] = (i == j) ? positive(rng) : (rng.chance(50) ? small(rng) : Rational(0));
      rows[pairs + i][j] = -rows[i][j];
    }
    bias[i] = rng.chance(50) ? small(rng) : Rational(0);
    bias[pairs + i] = -bias[i];
  }
  if (extra_row) {
    for (std::size_t j = 0; j < width; ++j) rows.back()[j] = small(rng);
    bias.back() = small(rng);
  }
  net.layers.push_back(dense(rows, bias));
  if (rng.chance(15)) net.layers.push_back(nninv::net::Identity{});  // slope 1: no pair, no kink
  if (rng.chance(30))
    net.layers.push_back(nninv::net::LeakyRelu{Rational(1, 4)});
  else
    net.layers.push_back(nninv::net::Relu{});
  std::vector<std::vector<Rational>> out(width, std::vector<Rational>(rows.size()));
  for (std::size_t i = 0; i < pairs; ++i) {
    out[i][i] = positive(rng);
    out[i][pairs + i] = rng.chance(80) ? -positive(rng) : positive(rng);
  }
  if (extra_row) out[rng.below(width)][rows.size() - 1] = small(rng);
  net.layers.push_back(dense(out));
}

Network paired_network(std::uint64_t seed) {
  Rng rng(seed);
  Network net;
  const std::size_t n = 1 + rng.below(3);
  net.input_dim = n;
  net.domain = random_box(rng, n, 40, Rational(-1), Rational(1));
  const std::size_t blocks = (n == 1 || rng.chance(50)) ? 2 : 1;
  for (std::size_t b = 0; b < blocks; ++b) add_block(rng, net, n, n <= 2 && rng.chance(30));
  if (rng.chance(15)) {  // an identity "block": opposite rows through identity are no relu pair
    std::vector<std::vector<Rational>> rows(2 * n, std::vector<Rational>(n)), out(n, std::vector<Rational>(2 * n));
    for (std::size_t i = 0; i < n; ++i) {
      rows[i][i] = 1;
      rows[n + i][i] = -1;
      out[i][i] = small(rng);
      out[i][n + i] = small(rng);
    }
    net.layers.push_back(dense(rows));
    net.layers.push_back(nninv::net::Identity{});
    net.layers.push_back(dense(out));
  }
  if (rng.chance(30)) {  // one extra output: a random row of the current outputs
    auto& last = std::get<nninv::net::Dense>(net.layers.back());
    std::vector<Rational> row(last.weights.cols());
    for (auto& r : row) r = small(rng);
    last.weights.append_row(row);
    last.bias.push_back(0);
  }
  net.codomain = nninv::net::Box::everything(net.output_dim());
  net.name = "paired-seed-" + std::to_string(seed);
  return net;
}

// A residual block x + c W2 act(W1 x + b), with the identity coded as
// act(x) - act(-x): contractions (small c, injective by Banach's fixed point
// argument) next to blocks that fold (large c).
Network residual_network(std::uint64_t seed) {
  Rng rng(seed);
  Network net;
  const std::size_t n = 1 + rng.below(3), h = 1 + rng.below(4);
  net.input_dim = n;
  net.domain = random_box(rng, n, 30, Rational(-1), Rational(2));
  static const std::vector<Rational> scales = {Rational(1, 8), Rational(1, 4), Rational(1, 2), Rational(1),
                                               Rational(2)};
  const Rational c = rng.pick(scales);
  std::vector<std::vector<Rational>> in(2 * n + h, std::vector<Rational>(n));
  std::vector<Rational> bias(2 * n + h);
  for (std::size_t i = 0; i < n; ++i) {
    in[i][i] = 1;
    in[n + i][i] = -1;
  }
  for (std::size_t k = 0; k < h; ++k) {
    for (std::size_t j = 0; j < n; ++j) in[2 * n + k][j] = small(rng);
    bias[2 * n + k] = small(rng);
  }
  net.layers.push_back(dense(in, bias));
  if (rng.chance(30))
    net.layers.push_back(nninv::net::LeakyRelu{Rational(1, 2)});
  else
    net.layers.push_back(nninv::net::Relu{});
  std::vector<std::vector<Rational>> out(n, std::vector<Rational>(2 * n + h));
  for (std::size_t i = 0; i < n; ++i) {
    out[i][i] = 1;
    out[i][n + i] = -1;
    for (std::size_t k = 0; k < h; ++k) out[i][2 * n + k] = c * small(rng);
  }
  net.layers.push_back(dense(out));
  net.codomain = nninv::net::Box::everything(n);
  net.name = "residual-seed-" + std::to_string(seed);
  return net;
}

}  // namespace

TEST_CASE("differential: Jacobian box with opposite pairs and projections against the oracle",
          "[differential][jacobian_box]") {
  const std::uint64_t seeds = 1000;
  std::size_t injective = 0, claimed = 0, projected = 0, coupled = 0;
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    Network net = paired_network(seed);
    OracleAnswer oracle = oracle_injective(net);
    injective += oracle.injective;
    INFO("seed " << seed << "\n" << to_json(net));
    // The interval norm, on the same nets: any claim must hold as well.
    if (nninv::analysis::jacobian_norm(net).holds()) REQUIRE(oracle.injective);
    nninv::analysis::JacobianBox box = nninv::analysis::jacobian_box(net);
    if (!box.applicable || box.sign == 0) continue;
    REQUIRE(oracle.injective);  // a claim of injectivity on a net with a collision is a soundness bug
    ++claimed;
    projected += box.projected;
    coupled += box.pairs > 0;
  }
  std::cout << "Jacobian box on paired nets: " << seeds << " nets, " << injective << " injective (oracle), " << claimed
            << " claimed, " << projected << " through a projection, " << coupled << " with coupled pairs"
            << std::endl;
  CHECK(injective < seeds);  // folds occur
  CHECK(claimed * 2 >= injective);
  CHECK(projected >= 20);
  CHECK(coupled >= 100);
}

TEST_CASE("differential: Jacobian norm on residual blocks against the oracle", "[differential][jacobian_norm]") {
  const std::uint64_t seeds = 300;
  std::size_t injective = 0, claimed = 0;
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    Network net = residual_network(seed);
    OracleAnswer oracle = oracle_injective(net);
    injective += oracle.injective;
    nninv::analysis::JacobianNorm norm = nninv::analysis::jacobian_norm(net);
    if (!norm.holds()) continue;
    INFO("seed " << seed << "\n" << to_json(net));
    REQUIRE(oracle.injective);  // a claim of injectivity on a net with a collision is a soundness bug
    REQUIRE(norm.exact);
    ++claimed;
    // The checker's computation with the same K and u gives the same bound.
    std::string why;
    auto again = nninv::analysis::jacobian_norm_bound(net, *norm.k, norm.u, &why);
    REQUIRE(again);
    CHECK(*again == norm.bound);
  }
  std::cout << "Jacobian norm on residual blocks: " << seeds << " nets, " << injective << " injective (oracle), "
            << claimed << " claimed" << std::endl;
  CHECK(injective < seeds);  // folds occur
  CHECK(claimed * 3 >= injective);
}
