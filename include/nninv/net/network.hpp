// The exact network model: layers, box domains, exact evaluation.
// Everything downstream (analysis, encodings, checks) reads a Network.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "nninv/arith/matrix.hpp"

namespace nninv::net {

using arith::Matrix;
using arith::Rational;
using arith::Vector;

// x -> weights x + bias; weights is out x in (PyTorch Linear layout).
struct Dense {
  Matrix weights;
  Vector bias;
};
struct Relu {};
// a if a >= 0, else alpha a; alpha > 0 (validated by the loader).
struct LeakyRelu {
  Rational alpha;
};
struct Identity {};

using Layer = std::variant<Dense, Relu, LeakyRelu, Identity>;

std::string layer_type_name(const Layer& layer);
// Elementwise activations keep the width; Dense changes it.
bool is_activation(const Layer& layer);
// The slope on the negative side of a kinked activation: 0 for relu, alpha
// for leaky_relu; nothing for dense and identity layers (identity has slope 1
// everywhere and is no kink).
std::optional<Rational> negative_slope(const Layer& layer);

// One coordinate's range; nullopt means unbounded on that side.
struct Interval {
  std::optional<Rational> lower, upper;
  bool contains(const Rational& v) const {
    return (!lower || *lower <= v) && (!upper || v <= *upper);
  }
  bool is_point() const { return lower && upper && *lower == *upper; }
};

// A product of intervals; all sides unbounded means all of R^n.
struct Box {
  std::vector<Interval> sides;

  static Box everything(std::size_t dim) { return Box{std::vector<Interval>(dim)}; }
  std::size_t dim() const { return sides.size(); }
  bool contains(const Vector& x) const;
  bool is_everything() const;
  bool is_bounded() const;
  // Coordinates that are not pinned to a single value: X is a full-dimensional
  // box in the subspace they span.
  std::vector<std::size_t> free_coordinates() const;
};

struct Network {
  std::string name;
  std::size_t input_dim = 0;
  Box domain;    // X; Box::everything(input_dim) when the file gives none
  Box codomain;  // Y; Box::everything(output_dim()) when the file gives none
  std::vector<Layer> layers;

  std::size_t output_dim() const;
  // Width of the values after layers [0, k); width_after(0) == input_dim.
  std::size_t width_after(std::size_t k) const;
  // Number of relu / leaky_relu neurons.
  std::size_t nonlinear_neuron_count() const;
};

// f(x) in exact arithmetic. Requires x.size() == net.input_dim.
Vector evaluate(const Network& net, const Vector& x);
// One layer applied to one value vector.
Vector apply_layer(const Layer& layer, const Vector& value);

}  // namespace nninv::net
