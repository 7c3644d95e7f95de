// Fold search: square nets with regions of opposite orientation get an exactly
// checked collision; coherently oriented nets (injective by construction)
// never get one; non-square nets are left alone.
#include <catch2/catch.hpp>
#include <random>
#include <sstream>

#include "collision_checks.hpp"
#include "decide/procedures.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_loader.hpp"

using namespace nninv;
using decide::Property;
using decide::Verdict;
using test::matrix_json;
using test::require_checked_collision;

namespace {

decide::Outcome fold(const net::Network& n) {
  return decide::make_fold_search()->run(n, decide::Budget(30.0));
}

}  // namespace

TEST_CASE("fold search: the 1-D abs and zigzag nets fold", "[decide][fold]") {
  // |x| = relu(x) + relu(-x): slopes -1 and 1, fold at 0.
  auto abs = io::parse_network(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-1]]}, {"type": "relu"}, {"type": "dense", "weights": [[1, 1]]}]})", "t");
  auto o = fold(abs);
  require_checked_collision(abs, o);
  CHECK(o.method == "fold search");
  CHECK(o.collision->x1[0] == -o.collision->x2[0]);  // the only collisions of |x|

  // Slopes 1, -1, 1 with kinks at 1 and 2: two folds.
  auto zigzag = io::parse_network(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [1], [1]], "bias": [0, -1, -2]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, -2, 2]]}]})", "t");
  require_checked_collision(zigzag, fold(zigzag));
  // On a box holding only the second kink.
  auto boxed = io::parse_network(R"({"input_dim": 1, "domain": {"lower": [1.5], "upper": [2.25]}, "layers": [
      {"type": "dense", "weights": [[1], [1], [1]], "bias": [0, -1, -2]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, -2, 2]]}]})", "t");
  require_checked_collision(boxed, fold(boxed));
  // relu(x) + relu(x - 1) on [1/2, 3]: slopes 1 and 2, one orientation only.
  auto monotone = io::parse_network(R"({"input_dim": 1, "domain": {"lower": [0.5], "upper": [3]}, "layers": [
      {"type": "dense", "weights": [[1], [1]], "bias": [0, -1]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, 1]]}]})", "t");
  CHECK(fold(monotone).verdict == Verdict::unknown);
}

TEST_CASE("fold search: 2-D folds, on R^2, on a box and with a pinned coordinate", "[decide][fold]") {
  // (x, y) -> (|x|, y): folds along x = 0.
  auto plane = io::parse_network(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1]]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, 1, 0, 0], [0, 0, 1, -1]]}]})", "t");
  auto o = fold(plane);
  require_checked_collision(plane, o);
  CHECK(o.collision->x1[1] == o.collision->x2[1]);
  CHECK(o.collision->x1[0] == -o.collision->x2[0]);

  // (x, y) -> (x - 3 relu(x - 1), y + relu(x)): det 1 for x < 1, det -2 for x > 1.
  auto sheared_relu = io::parse_network(R"({"input_dim": 2, "domain": {"lower": [0, -1], "upper": [2, 1]}, "layers": [
      {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 0]], "bias": [-1, 1, 0, 0, 0]}, {"type": "relu"},
      {"type": "dense", "weights": [[-2, -1, 0, 0, 0], [0, 0, 1, -1, 1]], "bias": [1, 0]}]})", "t");
  // Check the construction: x - 3 relu(x-1) = 1 + (x-1) - 3 relu(x-1) = 1 - 2 relu(x-1) - relu(1-x).
  CHECK(net::evaluate(sheared_relu, {arith::Rational(3, 2), 0}) == arith::Vector{0, arith::Rational(3, 2)});
  require_checked_collision(sheared_relu, fold(sheared_relu));

  // Three inputs with the third pinned: a square map of the two free ones.
  auto pinned = io::parse_network(R"({"input_dim": 3, "domain": {"lower": [-4, -4, 5], "upper": [4, 4, 5]}, "layers": [
      {"type": "dense", "weights": [[1, 0, 0], [-1, 0, 0], [0, 1, 1]]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, 1, 0], [0, 0, 1]]}]})", "t");
  auto p = fold(pinned);
  require_checked_collision(pinned, p);
  CHECK(p.collision->x1[2] == 5);
}

TEST_CASE("fold search: leaky square nets that fold", "[decide][fold]") {
  // lrelu(x) + lrelu(-x) with alpha 1/2 is |x| / 2.
  auto half_abs = io::parse_network(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-1]]}, {"type": "leaky_relu", "alpha": 0.5},
      {"type": "dense", "weights": [[1, 1]]}]})", "t");
  require_checked_collision(half_abs, fold(half_abs));
  // (x, y) -> (|x| / 2, lrelu(y)) after an invertible mixing of the inputs.
  auto mixed = io::parse_network(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[2, 1], [1, 1]], "bias": [0.25, -0.5]},
      {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1]]}, {"type": "leaky_relu", "alpha": 0.5},
      {"type": "dense", "weights": [[1, 1, 0], [0, 0, 1]]}, {"type": "leaky_relu", "alpha": 0.1},
      {"type": "dense", "weights": [[1, -1], [3, 1]]}]})", "t");
  require_checked_collision(mixed, fold(mixed));
}

TEST_CASE("fold search never answers on coherently oriented leaky nets", "[decide][fold]") {
  // Leaky layers between invertible square dense layers: every region's
  // Jacobian is W_k D_k ... W_1 with positive diagonal D, so every determinant
  // has the sign of det W_k ... det W_1, and f is injective (a composition of
  // bijections). 40 random nets, n = 1..4, 1..4 layers, on R^n and on a box.
  std::mt19937_64 rng(2026);
  int checked = 0;
  for (int k = 0; k < 40; ++k) {
    std::size_t n = 1 + rng() % 4, depth = 1 + rng() % 4;
    std::ostringstream net;
    net << R"({"input_dim": )" << n;
    if (k % 2) {
      net << R"(, "domain": {"lower": [)";
      for (std::size_t i = 0; i < n; ++i) net << (i ? ", " : "") << "-1";
      net << R"(], "upper": [)";
      for (std::size_t i = 0; i < n; ++i) net << (i ? ", " : "") << "2";
      net << "]}";
    }
    net << R"(, "layers": [)";
    for (std::size_t d = 0; d <= depth; ++d) {
      std::vector<std::vector<long>> w;
      arith::Matrix m;
      do {
        w.assign(n, std::vector<long>(n));
        m = arith::Matrix(n, n);
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j < n; ++j) m(i, j) = w[i][j] = static_cast<long>(rng() % 7) - 3;
      } while (arith::determinant(m) == 0);
      std::vector<long> b(n);
      for (long& x : b) x = static_cast<long>(rng() % 5) - 2;
      net << (d ? ", " : "") << R"({"type": "dense", "weights": )" << matrix_json(w) << R"(, "bias": )"
          << matrix_json({b}).substr(1, matrix_json({b}).size() - 2) << "}";
      if (d < depth) net << R"(, {"type": "leaky_relu", "alpha": )" << (d % 2 ? "0.25" : "0.5") << "}";
    }
    net << "]}";
    auto n_net = io::parse_network(net.str(), "t");
    auto o = fold(n_net);
    INFO(net.str());
    CHECK(o.verdict == Verdict::unknown);
    CHECK_FALSE(o.collision);
    ++checked;
  }
  CHECK(checked == 40);
}

TEST_CASE("fold search leaves non-square nets alone", "[decide][fold]") {
  auto wide = io::parse_network(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-1]]}, {"type": "relu"}]})", "t");
  CHECK(fold(wide).verdict == Verdict::unknown);
}

TEST_CASE("the pipeline uses the fold search, and --no-fold-search changes only the method", "[decide][fold]") {
  // (x, y) -> (|x|, y): no rank-deficient region, no cheap criterion applies.
  auto plane = io::parse_network(R"({"input_dim": 2, "layers": [
      {"type": "dense", "weights": [[1, 0], [-1, 0], [0, 1], [0, -1]]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, 1, 0, 0], [0, 0, 1, -1]]}]})", "t");
  auto with = decide::decide(plane, Property::injective, decide::Budget(30.0));
  CHECK(with.verdict == Verdict::violated);
  CHECK(with.method == "fold search");
  decide::Options off;
  off.fold_search = false;
  auto without = decide::decide(plane, Property::injective, decide::Budget(30.0), off);
  CHECK(without.verdict == Verdict::violated);
  CHECK(without.method != "fold search");
  // A fold does not refute surjectivity: the zigzag (slopes 1, -1, 1) is onto R and not injective.
  // x - 2 relu(x - 1) + 2 relu(x - 2), with x = relu(x) - relu(-x).
  auto zigzag = io::parse_network(R"({"input_dim": 1, "layers": [
      {"type": "dense", "weights": [[1], [-1], [1], [1]], "bias": [0, 0, -1, -2]}, {"type": "relu"},
      {"type": "dense", "weights": [[1, -1, -2, 2]]}]})", "t");
  CHECK(decide::decide(zigzag, Property::injective, decide::Budget(30.0)).verdict == Verdict::violated);
  CHECK(decide::decide(zigzag, Property::surjective, decide::Budget(30.0)).verdict == Verdict::holds);
}
