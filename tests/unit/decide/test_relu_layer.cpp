// The one-copy query of a first layer relu(W x + b): injective layers by
// construction (rows +-e_j) get "holds" only when the later layers are
// injective; layers with a cell where every row is inactive, or whose active
// rows miss a direction, get an exactly checked collision; boxes and pinned
// coordinates are respected.
#include <catch2/catch.hpp>
#include <random>
#include <sstream>

#include "collision_checks.hpp"
#include "decide/procedures.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/smt/relu_layer.hpp"

using namespace nninv;
using decide::Property;
using decide::Verdict;
using test::matrix_json;
using test::require_checked_collision;
using test::vector_json;

namespace {

decide::Outcome first_layer(const net::Network& n) {
  return decide::make_first_relu_layer()->run(n, decide::Budget(30.0));
}

net::Network one_layer(std::size_t n, const std::vector<std::vector<long>>& w, const std::vector<long>& b,
                       const std::string& tail = "") {
  return io::parse_network("{\"input_dim\": " + std::to_string(n) + ", \"layers\": [{\"type\": \"dense\", \"weights\": " +
                               matrix_json(w) + ", \"bias\": " + vector_json(b) + "}, {\"type\": \"relu\"}" + tail + "]}",
                           "t");
}

}  // namespace

TEST_CASE("first relu layer: rows +-e_j plus random rows are injective on R^n (theorem)", "[decide][relu_layer]") {
  // With bias 0 on the rows +-e_j, at every x off the hyperplanes e_j or -e_j
  // is active for each j: the active rows have rank n in every open cell.
  // (Biases b, c on e_j, -e_j with b + c < 0 would leave -b > x_j > c where
  // both are inactive.)
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<long> entry(-5, 5);
  for (std::size_t n = 1; n <= 5; ++n) {
    std::vector<std::vector<long>> w;
    std::vector<long> b;
    for (std::size_t j = 0; j < n; ++j)
      for (long sign : {1L, -1L}) {
        std::vector<long> row(n, 0);
        row[j] = sign;
        w.push_back(row);
        b.push_back(0);
      }
    for (std::size_t extra = 0; extra < 2 * n; ++extra) {
      std::vector<long> row(n);
      for (long& x : row) x = entry(rng);
      w.push_back(row);
      b.push_back(entry(rng));
    }
    INFO("n = " << n);
    auto net = one_layer(n, w, b);
    auto o = first_layer(net);
    CHECK(o.verdict == Verdict::holds);
    CHECK(o.method == "first relu layer (one-copy encoding, Z3)");
    // A full-column-rank readout keeps it injective; a 1-wide readout may not.
    std::vector<std::vector<long>> readout(w.size(), std::vector<long>(w.size(), 0));
    for (std::size_t i = 0; i < w.size(); ++i) readout[i][i] = 2;
    auto tall = one_layer(n, w, b, ", {\"type\": \"dense\", \"weights\": " + matrix_json(readout) + "}");
    CHECK(first_layer(tall).verdict == Verdict::holds);
    auto narrow = one_layer(n, w, b, ", {\"type\": \"dense\", \"weights\": [" + vector_json(std::vector<long>(w.size(), 1)) + "]}");
    CHECK(first_layer(narrow).verdict == Verdict::unknown);
  }
}

TEST_CASE("first relu layer: a cell with too few active rows gives an exact collision", "[decide][relu_layer]") {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<long> entry(-6, 6);
  for (std::size_t n = 2; n <= 5; ++n) {
    // Every row has w_i.u < 0 for u = (1, ..., 1): far along u, all rows are
    // inactive, so f is constant there.
    std::vector<std::vector<long>> w;
    std::vector<long> b;
    for (std::size_t i = 0; i < 4 * n; ++i) {
      std::vector<long> row(n);
      long sum = 0;
      for (long& x : row) sum += (x = entry(rng));
      if (sum >= 0) row[0] -= sum + 1;
      w.push_back(row);
      b.push_back(entry(rng));
    }
    INFO("n = " << n);
    auto net = one_layer(n, w, b, ", {\"type\": \"dense\", \"weights\": [" + vector_json(std::vector<long>(w.size(), 1)) + "]}");
    require_checked_collision(net, first_layer(net));
  }
  // Active rows that miss a direction: relu(x1), relu(-x1), relu(x1 + x2) is
  // not injective where x1 + x2 < 0 (x2 is lost there).
  auto missing = one_layer(2, {{1, 0}, {-1, 0}, {1, 1}}, {0, 0, 0});
  require_checked_collision(missing, first_layer(missing));
}

TEST_CASE("first relu layer: boxes and pinned coordinates", "[decide][relu_layer]") {
  // relu on [1, 2]^2 is the identity; on [-1, 1]^2 it is not injective.
  auto inside = io::parse_network(R"({"input_dim": 2, "domain": {"lower": [1, 1], "upper": [2, 2]},
      "layers": [{"type": "dense", "weights": [[1, 0], [0, 1]]}, {"type": "relu"}]})", "t");
  CHECK(first_layer(inside).verdict == Verdict::holds);
  auto across = io::parse_network(R"({"input_dim": 2, "domain": {"lower": [-1, -1], "upper": [1, 1]},
      "layers": [{"type": "dense", "weights": [[1, 0], [0, 1]]}, {"type": "relu"}]})", "t");
  require_checked_collision(across, first_layer(across));
  // x2 pinned to 5: relu(x1 + x2) = relu(x1 + 5) is injective for x1 in [0, 10]
  // and not for x1 in [-10, 10].
  auto pinned_onto = io::parse_network(R"({"input_dim": 2, "domain": {"lower": [0, 5], "upper": [10, 5]},
      "layers": [{"type": "dense", "weights": [[1, 1]]}, {"type": "relu"}]})", "t");
  CHECK(first_layer(pinned_onto).verdict == Verdict::holds);
  auto pinned_flat = io::parse_network(R"({"input_dim": 2, "domain": {"lower": [-10, 5], "upper": [10, 5]},
      "layers": [{"type": "dense", "weights": [[1, 1]]}, {"type": "relu"}]})", "t");
  auto o = first_layer(pinned_flat);
  require_checked_collision(pinned_flat, o);
  CHECK(o.collision->x1[1] == 5);
  CHECK(o.collision->x2[1] == 5);
  // Not applicable: no dense, relu start.
  auto leaky = io::parse_network(R"({"input_dim": 1, "layers": [{"type": "dense", "weights": [[1]]},
      {"type": "leaky_relu", "alpha": 0.5}]})", "t");
  CHECK(first_layer(leaky).verdict == Verdict::unknown);
}

TEST_CASE("first relu layer: the kernel condition is checked exactly", "[decide][relu_layer]") {
  arith::Matrix w(2, 1);
  w(0, 0) = 1;
  w(1, 0) = -1;
  arith::Vector b = {0, 0};
  std::vector<net::Interval> box(1);
  // relu(x), relu(-x) is injective: every x has a row that is not strictly
  // negative and not orthogonal to v = 1.
  CHECK(!smt::is_relu_layer_kernel(w, b, box, {arith::Rational(-1)}, {arith::Rational(1)}));
  CHECK(!smt::is_relu_layer_kernel(w, b, box, {arith::Rational(0)}, {arith::Rational(1)}));
  arith::Vector shifted = {-1, -1};  // relu(x - 1), relu(-x - 1): both rows negative at 0
  CHECK(smt::is_relu_layer_kernel(w, shifted, box, {arith::Rational(0)}, {arith::Rational(1)}));
  CHECK(!smt::is_relu_layer_kernel(w, shifted, box, {arith::Rational(0)}, {arith::Rational(0)}));  // v = 0
  std::vector<net::Interval> closed(1);
  closed[0].lower = arith::Rational(0);
  CHECK(!smt::is_relu_layer_kernel(w, shifted, closed, {arith::Rational(0)}, {arith::Rational(1)}));  // on the boundary
  auto r = smt::find_relu_layer_kernel(w, b, box, decide::Budget(30.0));
  CHECK(r.status == smt::ReluLayerStatus::injective);
}

TEST_CASE("the pipeline uses the first relu layer, and --no-relu-layer changes only the method", "[decide][relu_layer]") {
  // relu(x1), relu(-x1), relu(x1 + x2), relu(-x1 - x2) plus rows the local
  // rank search does not see: injective, decided by the one-copy query once
  // the criteria are off (the Jacobian box, projected on the opposite pairs,
  // decides it first otherwise).
  auto net = one_layer(2, {{1, 0}, {-1, 0}, {1, 1}, {-1, -1}, {2, -1}}, {0, 0, 1, -1, 3});
  decide::Options on;
  on.criteria = false;
  auto with = decide::decide(net, Property::injective, decide::Budget(30.0), on);
  CHECK(with.verdict == Verdict::holds);
  CHECK(with.method == "first relu layer (one-copy encoding, Z3)");
  CHECK(decide::decide(net, Property::injective, decide::Budget(30.0)).method == "Jacobian box (vertex determinants)");
  decide::Options off = on;
  off.relu_layer = false;
  auto without = decide::decide(net, Property::injective, decide::Budget(30.0), off);
  CHECK(without.verdict == Verdict::holds);
  CHECK(without.method != "first relu layer (one-copy encoding, Z3)");
}
