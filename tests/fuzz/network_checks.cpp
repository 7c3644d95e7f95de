// Network invariants and structural equality for the fuzz targets.
#include "network_checks.hpp"

#include <cstdlib>
#include <iostream>
#include <variant>

namespace nninv_fuzz {

using nninv::arith::Rational;
using nninv::arith::Vector;
using nninv::net::Box;
using nninv::net::Dense;
using nninv::net::LeakyRelu;
using nninv::net::Network;

namespace {

std::string box_failure(const Box& box, std::size_t dim, const std::string& what) {
  if (box.dim() != dim)
    return what + " has dimension " + std::to_string(box.dim()) + ", expected " + std::to_string(dim);
  for (std::size_t i = 0; i < dim; ++i) {
    const auto& s = box.sides[i];
    if (s.lower && s.upper && *s.lower > *s.upper) return what + " side " + std::to_string(i) + " has lower > upper";
  }
  return "";
}

// A point of the box: each coordinate at its lower bound, else its upper
// bound, else 0.
Vector corner(const Box& box) {
  Vector x(box.dim());
  for (std::size_t i = 0; i < box.dim(); ++i) {
    if (box.sides[i].lower)
      x[i] = *box.sides[i].lower;
    else if (box.sides[i].upper)
      x[i] = *box.sides[i].upper;
  }
  return x;
}

std::string box_difference(const Box& a, const Box& b, const std::string& what) {
  if (a.dim() != b.dim()) return what + " dimensions differ";
  for (std::size_t i = 0; i < a.dim(); ++i) {
    if (a.sides[i].lower != b.sides[i].lower) return what + " lower bound " + std::to_string(i) + " differs";
    if (a.sides[i].upper != b.sides[i].upper) return what + " upper bound " + std::to_string(i) + " differs";
  }
  return "";
}

}  // namespace

std::string invariant_failure(const Network& net) {
  if (net.input_dim == 0) return "input_dim is 0";
  std::size_t width = net.input_dim;
  std::size_t entries = 0;
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    std::string where = "layer " + std::to_string(k) + ": ";
    if (const auto* d = std::get_if<Dense>(&net.layers[k])) {
      if (d->weights.rows() == 0) return where + "dense layer without rows";
      if (d->weights.cols() != width)
        return where + "weights have " + std::to_string(d->weights.cols()) + " columns, expected " +
               std::to_string(width);
      if (d->bias.size() != d->weights.rows()) return where + "bias length differs from the number of rows";
      width = d->weights.rows();
      entries += d->weights.rows() * d->weights.cols();
    } else if (const auto* l = std::get_if<LeakyRelu>(&net.layers[k])) {
      if (l->alpha <= 0) return where + "leaky_relu alpha <= 0";
    }
  }
  if (width != net.output_dim()) return "output_dim() disagrees with the layer widths";
  if (std::string f = box_failure(net.domain, net.input_dim, "domain"); !f.empty()) return f;
  if (std::string f = box_failure(net.codomain, width, "codomain"); !f.empty()) return f;
  // Evaluation is linear in the size of the network; skip only absurdly wide
  // inputs (input_dim up to 2^20 loads from a few bytes of JSON).
  if (net.input_dim <= 4096 && entries <= 1000000) {
    Vector x = corner(net.domain);
    if (!net.domain.contains(x)) return "the corner point is outside the domain";
    if (nninv::net::evaluate(net, x).size() != width) return "evaluate() gives the wrong number of outputs";
  }
  return "";
}

std::string difference(const Network& a, const Network& b) {
  if (a.name != b.name) return "names differ";
  if (a.input_dim != b.input_dim) return "input_dim differs";
  if (std::string d = box_difference(a.domain, b.domain, "domain"); !d.empty()) return d;
  if (std::string d = box_difference(a.codomain, b.codomain, "codomain"); !d.empty()) return d;
  if (a.layers.size() != b.layers.size()) return "number of layers differs";
  for (std::size_t k = 0; k < a.layers.size(); ++k) {
    std::string where = "layer " + std::to_string(k) + ": ";
    const auto &la = a.layers[k], &lb = b.layers[k];
    if (la.index() != lb.index()) return where + "types differ";
    if (const auto* da = std::get_if<Dense>(&la)) {
      const auto& db = std::get<Dense>(lb);
      if (!(da->weights == db.weights)) return where + "weights differ";
      if (da->bias != db.bias) return where + "biases differ";
    } else if (const auto* ra = std::get_if<LeakyRelu>(&la)) {
      if (ra->alpha != std::get<LeakyRelu>(lb).alpha) return where + "alphas differ";
    }
  }
  return "";
}

void fail(const std::string& what) {
  std::cerr << "FUZZ PROPERTY FAILURE: " << what << std::endl;
  std::abort();
}

}  // namespace nninv_fuzz
