#include <catch2/catch.hpp>

#include "nninv/net/network.hpp"

using namespace nninv;
using arith::Rational;
using arith::Vector;

TEST_CASE("exact evaluation of dense, relu, leaky_relu and identity", "[net]") {
  net::Network n;
  n.input_dim = 2;
  n.layers.push_back(net::Dense{arith::Matrix::from_rows({{1, -1}, {Rational(1, 2), 2}, {-1, 0}}, 2),
                                {0, Rational(1, 3), 0}});
  n.layers.push_back(net::Relu{});
  n.layers.push_back(net::Dense{arith::Matrix::from_rows({{1, 1, 1}, {0, 1, -2}}, 3), {0, 0}});
  n.layers.push_back(net::LeakyRelu{Rational(1, 10)});
  n.layers.push_back(net::Identity{});
  n.domain = net::Box::everything(2);
  CHECK(n.output_dim() == 2);
  CHECK(n.width_after(1) == 3);
  CHECK(n.nonlinear_neuron_count() == 5);
  // x = (1, -1): pre = (2, -3/2 + 1/3 = -7/6, -1) -> relu (2, 0, 0) -> (2, 0) -> leaky (2, 0)
  CHECK(net::evaluate(n, {1, -1}) == Vector{2, 0});
  // x = (-1, 1): pre = (-2, 3/2 + 1/3 = 11/6, 1) -> relu (0, 11/6, 1) -> (17/6, -1/6) -> leaky (17/6, -1/60)
  CHECK(net::evaluate(n, {-1, 1}) == Vector{Rational(17, 6), Rational(-1, 60)});
}

TEST_CASE("boxes: containment and free coordinates", "[net]") {
  net::Box b{{net::Interval{Rational(0), Rational(1)}, net::Interval{Rational(2), Rational(2)}, net::Interval{}}};
  CHECK(b.contains({Rational(1, 2), 2, -100}));
  CHECK(!b.contains({Rational(1, 2), 3, 0}));
  CHECK(b.free_coordinates() == std::vector<std::size_t>{0, 2});
  CHECK(!b.is_bounded());
  CHECK(!b.is_everything());
  CHECK(net::Box::everything(3).is_everything());
}
