// Random and hand-made small networks, and their JSON form.
#include "nets.hpp"

#include <algorithm>
#include <sstream>

namespace nninv_test {

using nninv::arith::Matrix;
using nninv::arith::Rational;
using nninv::arith::Vector;
using nninv::net::Box;
using nninv::net::Dense;
using nninv::net::Identity;
using nninv::net::Interval;
using nninv::net::Layer;
using nninv::net::LeakyRelu;
using nninv::net::Network;
using nninv::net::Relu;

namespace {

Rational q(long p, long d = 1) {
  Rational r(p, d);
  r.canonicalize();
  return r;
}

// Zero and +-1 dominate, so that ties, parallel rows and cancellations are common.
const std::vector<Rational> weight_values = {0, 0, 0, 1, 1, -1, -1, 2, -2, q(1, 2), q(-1, 2), q(3, 2), 3};
const std::vector<Rational> bias_values = {0, 0, 1, -1, 2, -2, q(1, 2), q(-1, 2), q(1, 3)};
const std::vector<Rational> alpha_values = {q(1, 2), q(1, 2), q(1, 3), q(1, 10), 2, 1};
const std::vector<Rational> bound_values = {0, 0, 1, -1, 2, -2, q(1, 2), q(-1, 2), q(3, 2)};

Dense random_dense(Rng& rng, std::size_t rows, std::size_t cols) {
  Dense d{Matrix(rows, cols), Vector(rows)};
  for (std::size_t r = 0; r < rows; ++r) {
    std::uint64_t shape = rng.below(100);
    if (shape < 6) continue;  // a zero row
    if (r > 0 && shape < 22) {
      // A copy of an earlier row, scaled by 1, -1, 2 or 1/2: parallel rows.
      std::size_t from = rng.below(r);
      Rational factor = rng.pick(std::vector<Rational>{1, -1, 2, q(1, 2)});
      for (std::size_t c = 0; c < cols; ++c) d.weights(r, c) = factor * d.weights(from, c);
      continue;
    }
    for (std::size_t c = 0; c < cols; ++c) d.weights(r, c) = rng.pick(weight_values);
  }
  if (rng.chance(55))
    for (std::size_t r = 0; r < rows; ++r) d.bias[r] = rng.pick(bias_values);
  return d;
}

Box random_domain(Rng& rng, std::size_t n) {
  if (rng.chance(35)) return Box::everything(n);
  Box box = Box::everything(n);
  for (Interval& side : box.sides) {
    Rational a = rng.pick(bound_values), b = rng.pick(bound_values);
    if (a > b) std::swap(a, b);
    std::uint64_t kind = rng.below(100);
    if (kind < 25) {
      // unbounded on both sides
    } else if (kind < 55) {
      side.lower = a;
      side.upper = a == b ? b + 1 : b;
    } else if (kind < 70) {
      side.lower = a;
    } else if (kind < 85) {
      side.upper = b;
    } else {
      side.lower = a;
      side.upper = a;  // pinned
    }
  }
  return box;
}

}  // namespace

namespace {

Network random_candidate(Rng& rng) {
  Network net;
  const std::size_t n = 1 + rng.below(3);
  net.input_dim = n;
  net.domain = random_domain(rng, n);

  std::size_t hidden_layers = 1 + rng.below(3);
  std::size_t budget = 2 + rng.below(7);  // nonlinear neurons: 2..8
  std::size_t width = n;
  for (std::size_t layer = 0; layer < hidden_layers && budget > 0; ++layer) {
    // Keep a neuron for each later layer when the budget allows; allow widths
    // up to 2n + 2, so that relu layers are wide enough to be injective sometimes.
    std::size_t reserve = std::min(hidden_layers - layer - 1, budget - 1);
    std::size_t most = std::min(budget - reserve, 2 * n + 2);
    // Mostly at least n wide: narrower layers are settled by invariance of
    // domain alone, and the interesting cases are the wide ones.
    std::size_t neurons = 1 + rng.below(most);
    if (most >= n && rng.chance(70)) neurons = n + rng.below(most - n + 1);
    if (layer == 0 && n <= budget && rng.chance(10)) {
      neurons = n;  // the activation acts on the input directly
    } else {
      net.layers.push_back(random_dense(rng, neurons, width));
    }
    if (rng.chance(40))
      net.layers.push_back(LeakyRelu{rng.pick(alpha_values)});
    else
      net.layers.push_back(Relu{});
    if (rng.chance(8)) net.layers.push_back(Identity{});
    width = neurons;
    budget -= neurons;
  }
  if (rng.chance(85)) {
    std::size_t outputs = rng.chance(70) ? n + rng.below(n + 2) : 1 + rng.below(2 * n + 1);  // 1..2n+1
    net.layers.push_back(random_dense(rng, outputs, width));
  }
  net.codomain = Box::everything(net.output_dim());
  return net;
}

std::size_t narrowest_width(const Network& net) {
  std::size_t narrowest = net.input_dim;
  for (std::size_t k = 1; k <= net.layers.size(); ++k) narrowest = std::min(narrowest, net.width_after(k));
  return narrowest;
}

}  // namespace

Network random_network(std::uint64_t seed) {
  Rng rng(seed);
  // Nets with a layer narrower than the input are settled by invariance of
  // domain alone; keep only a quarter of them, drawing again from the same
  // stream otherwise (deterministic for the seed).
  Network net = random_candidate(rng);
  while (narrowest_width(net) < net.input_dim && !rng.chance(25)) net = random_candidate(rng);
  net.name = "differential-seed-" + std::to_string(seed);
  return net;
}

Dense dense(const std::vector<std::vector<Rational>>& rows, std::vector<Rational> bias) {
  std::size_t cols = rows.empty() ? 0 : rows[0].size();
  Dense d{Matrix::from_rows(rows, cols), std::move(bias)};
  if (d.bias.empty()) d.bias = Vector(rows.size());
  return d;
}

Network network(std::size_t input_dim, std::vector<Layer> layers) {
  Network net;
  net.name = "hand-made";
  net.input_dim = input_dim;
  net.domain = Box::everything(input_dim);
  net.layers = std::move(layers);
  net.codomain = Box::everything(net.output_dim());
  return net;
}

namespace {

std::string number(const Rational& v) {
  std::string s(1, '"');
  s += v.get_str();
  s += '"';
  return s;
}

std::string numbers(const Vector& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += number(v[i]);
  }
  return s + "]";
}

std::string bound(const std::optional<Rational>& b) { return b ? number(*b) : std::string("null"); }

std::string box_json(const Box& box) {
  std::string lower = "[", upper = "[";
  for (std::size_t i = 0; i < box.dim(); ++i) {
    if (i) {
      lower += ", ";
      upper += ", ";
    }
    lower += bound(box.sides[i].lower);
    upper += bound(box.sides[i].upper);
  }
  return "{\"lower\": " + lower + "], \"upper\": " + upper + "]}";
}

}  // namespace

std::string to_json(const Network& net) {
  std::ostringstream out;
  out << "{\n  \"name\": \"" << net.name << "\",\n  \"input_dim\": " << net.input_dim << ",\n";
  if (!net.domain.is_everything()) out << "  \"domain\": " << box_json(net.domain) << ",\n";
  if (!net.codomain.is_everything()) out << "  \"codomain\": " << box_json(net.codomain) << ",\n";
  out << "  \"layers\": [";
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    out << (k ? ",\n    " : "\n    ");
    const Layer& layer = net.layers[k];
    if (const auto* d = std::get_if<Dense>(&layer)) {
      out << "{\"type\": \"dense\", \"weights\": [";
      for (std::size_t r = 0; r < d->weights.rows(); ++r) out << (r ? ", " : "") << numbers(d->weights.row(r));
      out << "], \"bias\": " << numbers(d->bias) << "}";
    } else if (const auto* l = std::get_if<LeakyRelu>(&layer)) {
      out << "{\"type\": \"leaky_relu\", \"alpha\": " << number(l->alpha) << "}";
    } else if (std::holds_alternative<Relu>(layer)) {
      out << "{\"type\": \"relu\"}";
    } else {
      out << "{\"type\": \"identity\"}";
    }
  }
  out << "\n  ]\n}\n";
  return out.str();
}

}  // namespace nninv_test
