// The inverse modulus from block composition (decide::lipschitz_bounds,
// checked by src/check/blocks_check.cpp): exact on a coupling layer whose
// modulus is known, sound on random pairs of random residual blocks and
// couplings of R^2, certified, and tampered constants rejected.
#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "nninv/check/checker.hpp"
#include "nninv/decide/lipschitz.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_loader.hpp"
#include "../../support/norms.hpp"

using namespace nninv;
using analysis::Norm;
using arith::Rational;
using arith::Vector;

namespace {

check::Status status(const net::Network& n, const nlohmann::json& c) { return check::check_certificate(n, c).status; }

Vector diff(const Vector& a, const Vector& b) {
  Vector d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  return d;
}

// On R^2: relu(x1), relu(-x1), relu(x2), relu(-x2) carry x, and two hidden
// units z = W x + b feed back through c: y = x + c relu(W x + b) (residual),
// or with W's second column and c's first row zero, a coupling.
net::Network block(const Rational w[2][2], const Rational b[2], const Rational c[2][2]) {
  auto q = [](const Rational& v) {
    std::string r(1, '"');
    r += v.get_str();
    r += '"';
    return r;
  };
  std::ostringstream t;  // (one stream: GCC 12 warns falsely on long string + chains)
  t << R"({"input_dim": 2, "layers": [{"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1], [)" << q(w[0][0])
    << ", " << q(w[0][1]) << "], [" << q(w[1][0]) << ", " << q(w[1][1]) << R"(]], "bias": [0, 0, 0, 0, )" << q(b[0])
    << ", " << q(b[1]) << R"(]}, {"type": "relu"}, {"type": "dense", "weights": [[1, -1, 0, 0, )" << q(c[0][0])
    << ", " << q(c[0][1]) << "], [0, 0, 1, -1, " << q(c[1][0]) << ", " << q(c[1][1]) << "]]}]}";
  return io::parse_network(t.str(), "block");
}

}  // namespace

TEST_CASE("block modulus: a coupling y = (x1, x2 + 3 relu(x1)) has modulus exactly 1/4 in the inf-norm",
          "[decide][lipschitz][blocks]") {
  net::Network n = io::parse_network(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1]]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, -1, 0, 0], [3, 0, 1, -1]]}]})", "coupling");
  // x = (y1, y2 - 3 relu(y1)): |dx|_inf <= 4 |dy|_inf, with equality at dy = (1, -1) for y1 > 0.
  analysis::LipschitzResult r = decide::lipschitz_bounds(n, Norm::inf);
  CHECK(r.evidence.lower_source == "blocks");
  CHECK(r.inverse_lower == Rational(1, 4));
  // The pair x = (1, 0), x' = (2, -4): y = (1, 3), y' = (2, 2), |dy| = 1, |dx| = 4: the bound is attained.
  Vector p{1, 0}, q{2, -4};
  CHECK(test::norm_power(diff(net::evaluate(n, p), net::evaluate(n, q)), Norm::inf) ==
        r.inverse_lower * test::norm_power(diff(p, q), Norm::inf));
  nlohmann::json c = decide::certificate(n, r);
  CHECK(status(n, c) == check::Status::certified);
  nlohmann::json bad = c;
  bad["evidence"]["inverse_lower"]["blocks"][0]["modulus"]["out"] = "2";  // ||T P|| is 3
  CHECK(status(n, bad) == check::Status::rejected);
  bad = c;
  bad["inverse_lower"] = "1/3";  // more than the blocks give
  CHECK(status(n, bad) == check::Status::rejected);
}

TEST_CASE("block modulus: random residual blocks and couplings of R^2, sound on random pairs and certified",
          "[decide][lipschitz][blocks]") {
  std::mt19937 rng(20261204);
  auto small = [&](int scale) { return Rational(static_cast<long>(rng() % 9) - 4, scale); };
  int blocks_won = 0;
  for (int trial = 0; trial < 40; ++trial) {
    bool coupling = trial % 2 == 1;
    Rational w[2][2], b[2] = {small(2), small(2)}, c[2][2];
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        w[i][j] = coupling && j == 1 ? Rational(0) : small(coupling ? 1 : 16);
        c[i][j] = coupling && i == 0 ? Rational(0) : small(coupling ? 1 : 16);
      }
    net::Network n = block(w, b, c);
    for (Norm norm : {Norm::inf, Norm::one, Norm::two}) {
      INFO("trial " << trial << " norm " << analysis::to_string(norm));
      analysis::LipschitzResult r = decide::lipschitz_bounds(n, norm);
      REQUIRE(r.sources.blocks);  // a coupling, or a contraction in every norm (entries <= 1/4)
      if (r.evidence.lower_source == "blocks") ++blocks_won;
      CHECK(r.inverse_lower > 0);
      CHECK(check::check_certificate(n, decide::certificate(n, r)).status == check::Status::certified);
      Rational lo = norm == Norm::two ? Rational(*r.sources.blocks * *r.sources.blocks) : *r.sources.blocks;
      for (int pair = 0; pair < 60; ++pair) {
        Vector x1{small(1), small(1)}, x2{small(1), small(1)};
        if (pair % 3 == 0) x2 = Vector{x1[0] + small(64), x1[1] + small(64)};
        Rational dx = test::norm_power(diff(x1, x2), norm);
        Rational dy = test::norm_power(diff(net::evaluate(n, x1), net::evaluate(n, x2)), norm);
        CHECK(dy >= lo * dx);
      }
    }
  }
  CHECK(blocks_won > 0);
}
