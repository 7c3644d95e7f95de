// The block-composition stage against the rest of the pipeline on seeded
// random residual blocks x + W2 relu(W1 x + b) on R^2, written as chains
// with the skip carried by relu(x), relu(-x) (as the ONNX reader writes
// them), and on random coupling layers (the nonlinear part reads x1 and
// changes x2). A "holds" must be certified by nninv-check, and the
// pipeline without the block stages (coherent orientation proves PL
// homeomorphisms, the fold search and region tree find exact collisions)
// must never find that net not injective; weights are scaled so that both
// sides of Lip(g) = 1 occur.
#include <catch2/catch.hpp>
#include <iostream>

#include "decide/procedures.hpp"
#include "nets.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/decide/pipeline.hpp"

using namespace nninv_test;
using nninv::arith::Matrix;
using nninv::arith::Rational;
using nninv::arith::Vector;

namespace {

std::uint64_t next(std::uint64_t& s) {
  s = s * 6364136223846793005ull + 1442695040888963407ull;
  return s >> 33;
}

Rational frac(long n, long d) {
  Rational r(n, d);
  r.canonicalize();  // gmpxx's two-argument constructor does not
  return r;
}

// x + W2 relu(W1 x + b1) (coupling: W1 reads only x_0, W2 writes only x_1).
nninv::net::Network block(std::uint64_t seed, bool coupling, const Rational& scale) {
  std::uint64_t s = seed * 7919 + 17;
  const std::size_t n = 2, h = 3;
  Matrix a(2 * n + h, n), b(n, 2 * n + h);
  Vector bias(2 * n + h);
  for (std::size_t i = 0; i < n; ++i) {
    a(i, i) = 1, a(n + i, i) = -1;
    b(i, i) = 1, b(i, n + i) = -1;
  }
  // The return type is spelt out: gmpxx's `a * b` is an expression template
  // that would outlive the temporary it refers to.
  auto entry = [&]() -> Rational { return frac(static_cast<long>(next(s) % 9) - 4, 4) * scale; };
  for (std::size_t k = 0; k < h; ++k) {
    for (std::size_t c = 0; c < n; ++c) a(2 * n + k, c) = coupling && c == 1 ? Rational(0) : entry();
    bias[2 * n + k] = frac(static_cast<long>(next(s) % 5) - 2, 2);
    for (std::size_t r = 0; r < n; ++r) b(r, 2 * n + k) = coupling && r == 0 ? Rational(0) : entry();
  }
  return network(n, {nninv::net::Dense{a, bias}, nninv::net::Relu{}, nninv::net::Dense{b, Vector(n)}});
}

}  // namespace

TEST_CASE("differential: block composition on random residual blocks and couplings of R^2", "[differential][blocks]") {
  int holds = 0, injective = 0, violated = 0, failures = 0, total = 0;
  nninv::decide::Options without;
  without.blocks = false;
  // The rest of the pipeline, Z3 stages included: it decides every one of these nets.
  auto stage = nninv::decide::make_block_composition(nninv::decide::Property::injective);
  for (std::uint64_t seed = 0; seed < 90; ++seed) {
    bool coupling = seed % 3 == 0;
    nninv::net::Network net = block(seed, coupling, frac(1, 1 + static_cast<long>(seed % 4)));
    ++total;
    auto rest = nninv::decide::decide(net, nninv::decide::Property::injective, nninv::decide::Budget(20.0), without);
    injective += rest.verdict == nninv::decide::Verdict::holds;
    violated += rest.verdict == nninv::decide::Verdict::violated;
    auto o = stage->run(net, nninv::decide::Budget(30.0));
    if (coupling) CHECK(o.verdict == nninv::decide::Verdict::holds);  // every coupling layer is a bijection
    if (o.verdict != nninv::decide::Verdict::holds) continue;
    ++holds;
    auto report = nninv::check::check_certificate(net, nninv::decide::certificate(net, o));
    if (rest.verdict == nninv::decide::Verdict::violated || report.status != nninv::check::Status::certified) {
      ++failures;
      std::cout << "BLOCKS DISAGREE, seed " << seed << ": " << o.reason << " / " << report.message << "\n"
                << to_json(net) << std::endl;
    }
  }
  std::cout << "blocks: " << total << " random blocks, " << injective << " injective and " << violated
            << " not (the other stages), " << holds << " proved bijective by their blocks, " << failures
            << " failures" << std::endl;
  CHECK(failures == 0);
  CHECK(holds >= 30);    // every coupling (30 of them), and any contraction among the residual blocks
  CHECK(violated > 0);   // the family has folding blocks too, which the block stage must not claim
  CHECK(injective + violated == total);  // so every claim above was compared with an answer
}
