// Symbolic forward pass along a branch of phase splits: every value is an
// affine function of the inputs once the phases before it are fixed.
#include "nninv/cert/path_system.hpp"

#include <stdexcept>

#include "nninv/cert/intervals.hpp"

namespace nninv::cert {

using arith::Constraint;
using arith::Rational;
using arith::Relation;
using arith::Vector;

PathSystem::PathSystem(const net::Network& net, std::size_t copies, bool stable_phases)
    : net_(net), num_vars_(copies * net.input_dim), copies_(copies) {
  if (stable_phases) bounds_ = layer_intervals(net);
  for (std::size_t c = 0; c < copies; ++c) {
    Copy& copy = copies_[c];
    for (std::size_t i = 0; i < net.input_dim; ++i) {
      Affine x{Vector(num_vars_), 0};
      x.coeffs[c * net.input_dim + i] = 1;
      copy.values.push_back(x);
      const net::Interval& side = net.domain.sides[i];
      if (side.lower) {  // encodes: x_i >= lower   as: -x_i <= -lower
        Vector minus(num_vars_);
        minus[c * net.input_dim + i] = -1;
        constraints_.push_back(Constraint{minus, -*side.lower, Relation::le});
      }
      if (side.upper) constraints_.push_back(Constraint{x.coeffs, *side.upper, Relation::le});
    }
    advance(copy);
  }
}

Constraint PathSystem::from_affine(const Affine& f, Relation rel) { return Constraint{f.coeffs, -f.constant, rel}; }

// Applies dense and identity layers until the next relu / leaky_relu layer.
void PathSystem::advance(Copy& copy) {
  while (copy.layer < net_.layers.size()) {
    const net::Layer& layer = net_.layers[copy.layer];
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      std::vector<Affine> out;
      for (std::size_t r = 0; r < d->weights.rows(); ++r) {
        Affine a{Vector(num_vars_), d->bias[r]};
        for (std::size_t j = 0; j < d->weights.cols(); ++j) {
          const Rational& w = d->weights(r, j);
          if (w == 0) continue;
          for (std::size_t v = 0; v < num_vars_; ++v)
            if (copy.values[j].coeffs[v] != 0) a.coeffs[v] += w * copy.values[j].coeffs[v];
          a.constant += w * copy.values[j].constant;
        }
        out.push_back(std::move(a));
      }
      copy.values = std::move(out);
    } else if (!std::holds_alternative<net::Identity>(layer)) {
      copy.phases.assign(copy.values.size(), std::nullopt);
      if (!bounds_.empty()) {
        for (std::size_t i = 0; i < copy.phases.size(); ++i) {
          const net::Interval& in = bounds_[copy.layer][i];
          if (in.lower && *in.lower >= 0) copy.phases[i] = true;
          else if (in.upper && *in.upper <= 0) copy.phases[i] = false;
        }
        finish_layer_if_fixed(copy);
      }
      return;
    }
    ++copy.layer;
  }
  copy.phases.clear();
}

void PathSystem::finish_layer_if_fixed(Copy& copy) {
  for (const auto& p : copy.phases)
    if (!p) return;
  // Every neuron fixed: apply the activation's chosen pieces and move on.
  const auto* leaky = std::get_if<net::LeakyRelu>(&net_.layers[copy.layer]);
  Rational slope = leaky ? leaky->alpha : Rational(0);
  for (std::size_t i = 0; i < copy.values.size(); ++i)
    if (!*copy.phases[i]) {
      for (Rational& q : copy.values[i].coeffs) q *= slope;
      copy.values[i].constant *= slope;
    }
  ++copy.layer;
  advance(copy);
}

std::optional<std::pair<std::size_t, std::size_t>> PathSystem::next_neuron(std::size_t c) const {
  const Copy& copy = copies_.at(c);
  for (std::size_t i = 0; i < copy.phases.size(); ++i)
    if (!copy.phases[i]) return std::make_pair(copy.layer, i);
  return std::nullopt;
}

void PathSystem::fix(std::size_t c, std::size_t layer, std::size_t index, bool active) {
  Copy& copy = copies_.at(c);
  if (layer != copy.layer || index >= copy.phases.size() || copy.phases[index])
    throw std::invalid_argument("neuron " + std::to_string(layer) + "/" + std::to_string(index) + " of copy " +
                                std::to_string(c) + " cannot be split on here");
  copy.phases[index] = active;
  const Affine& z = copy.values[index];
  if (active) {  // encodes: z >= 0   as: -z <= 0
    Affine minus{z.coeffs, -z.constant};
    for (Rational& q : minus.coeffs) q = -q;
    constraints_.push_back(from_affine(minus, Relation::le));
  } else {  // encodes: z <= 0
    constraints_.push_back(from_affine(z, Relation::le));
  }
  finish_layer_if_fixed(copy);
}

bool PathSystem::fully_fixed() const {
  for (const Copy& c : copies_)
    if (c.layer < net_.layers.size()) return false;
  return true;
}

const Affine& PathSystem::output(std::size_t c, std::size_t i) const {
  const Copy& copy = copies_.at(c);
  if (copy.layer < net_.layers.size()) throw std::logic_error("output of a copy that is not fully fixed");
  return copy.values.at(i);
}

void PathSystem::tie_outputs() {
  for (std::size_t i = 0; i < net_.output_dim(); ++i) {  // encodes: f(x1)_i - f(x2)_i = 0
    Affine d = output(0, i);
    const Affine& b = output(1, i);
    for (std::size_t v = 0; v < num_vars_; ++v) d.coeffs[v] -= b.coeffs[v];
    d.constant -= b.constant;
    add(from_affine(d, Relation::eq));
  }
}

Affine PathSystem::input_difference(std::size_t i) const {
  Affine d{Vector(num_vars_), 0};
  d.coeffs[i] = 1;
  d.coeffs[net_.input_dim + i] = -1;
  return d;
}

void PathSystem::add_preimage_outputs(const Vector& y, const Rational& radius) {
  for (std::size_t i = 0; i < y.size(); ++i) {
    Affine f = output(0, i);
    if (radius == 0) {  // encodes: f_i - y_i = 0
      f.constant -= y[i];
      add(from_affine(f, Relation::eq));
      continue;
    }
    Affine above = f, below = f;  // encodes: f_i - (y_i + r) <= 0 and (y_i - r) - f_i <= 0
    above.constant -= y[i] + radius;
    for (Rational& q : below.coeffs) q = -q;
    below.constant = y[i] - radius - f.constant;
    add(from_affine(above, Relation::le));
    add(from_affine(below, Relation::le));
  }
}

void PathSystem::add_output_beyond(std::size_t i, const Rational& bound, bool upper) {
  Affine f = output(0, i);
  if (upper) {  // encodes: bound - f_i < 0
    for (Rational& q : f.coeffs) q = -q;
    f.constant = bound - f.constant;
  } else {  // encodes: f_i - bound < 0
    f.constant -= bound;
  }
  add(from_affine(f, Relation::lt));
}

PathSystem pattern_system(const net::Network& net, const std::vector<std::string>& pattern) {
  PathSystem ps(net, 1);
  std::vector<std::size_t> used(pattern.size(), 0);
  std::size_t act = 0;
  std::optional<std::size_t> current;
  while (auto next = ps.next_neuron(0)) {
    if (current && *current != next->first) ++act;
    current = next->first;
    if (act >= pattern.size() || next->second >= pattern[act].size())
      throw std::invalid_argument("the pattern has too few layers or neurons");
    char phase = pattern[act][next->second];
    if (phase != '0' && phase != '1') throw std::invalid_argument("a pattern entry is not '0' or '1'");
    ps.fix(0, next->first, next->second, phase == '1');
    ++used[act];
  }
  if (pattern.size() != (current ? act + 1 : 0)) throw std::invalid_argument("the pattern has too many layers");
  for (std::size_t k = 0; k < pattern.size(); ++k)
    if (used[k] != pattern[k].size()) throw std::invalid_argument("the pattern has too many neurons");
  return ps;
}

std::vector<Constraint> codomain_constraints(const net::Network& net) {
  std::vector<Constraint> rows;
  std::size_t m = net.output_dim();
  for (std::size_t i = 0; i < m; ++i) {
    const net::Interval& side = net.codomain.sides[i];
    Vector e(m);
    e[i] = 1;
    if (side.lower) {  // encodes: -y_i <= -lower
      Vector minus(m);
      minus[i] = -1;
      rows.push_back(Constraint{minus, -*side.lower, Relation::le});
    }
    if (side.upper) rows.push_back(Constraint{e, *side.upper, Relation::le});
  }
  return rows;
}

Constraint section_violation(const Constraint& row, const arith::Matrix& s, const Vector& t) {
  // a.(S y + t) > b   encodes as   -(S^T a).y < a.t - b
  Vector p = arith::transpose(s) * row.a;
  for (Rational& q : p) q = -q;
  return Constraint{p, arith::dot(row.a, t) - row.b, Relation::lt};
}

std::optional<FirstReluLayer> first_relu_layer(const net::Network& net) {
  if (net.layers.size() < 2 || !std::holds_alternative<net::Dense>(net.layers[0]) ||
      !std::holds_alternative<net::Relu>(net.layers[1]))
    return std::nullopt;
  FirstReluLayer layer;
  layer.free = net.domain.free_coordinates();
  if (layer.free.empty()) return std::nullopt;
  const auto& dense = std::get<net::Dense>(net.layers[0]);
  layer.w = arith::select_columns(dense.weights, layer.free);
  layer.b = dense.bias;
  for (std::size_t j = 0; j < net.input_dim; ++j)
    if (net.domain.sides[j].is_point())
      for (std::size_t i = 0; i < layer.b.size(); ++i) layer.b[i] += dense.weights(i, j) * *net.domain.sides[j].lower;
  for (std::size_t j : layer.free) layer.box.push_back(net.domain.sides[j]);
  return layer;
}

std::vector<Constraint> inactive_rows_system(const FirstReluLayer& layer, const std::vector<std::size_t>& inactive) {
  const std::size_t n = layer.w.cols();
  std::vector<Constraint> system;
  for (std::size_t j = 0; j < n; ++j)
    if (layer.box[j].lower) {
      Vector a(n);
      a[j] = -1;
      system.push_back({a, -*layer.box[j].lower, Relation::lt});  // -x_j < -lower
    }
  for (std::size_t j = 0; j < n; ++j)
    if (layer.box[j].upper) {
      Vector a(n);
      a[j] = 1;
      system.push_back({a, *layer.box[j].upper, Relation::lt});
    }
  for (std::size_t i : inactive) {
    Vector a(n);
    for (std::size_t j = 0; j < n; ++j) a[j] = layer.w(i, j);
    system.push_back({a, -layer.b[i], Relation::lt});  // w_i.x < -b_i
  }
  return system;
}

bool verify_farkas(const std::vector<Constraint>& system, const Vector& m, std::string* why) {
  auto fail = [&](const std::string& w) {
    if (why) *why = w;
    return false;
  };
  if (m.size() != system.size())
    return fail("expected " + std::to_string(system.size()) + " multipliers, got " + std::to_string(m.size()));
  std::size_t n = system.empty() ? 0 : system[0].a.size();
  Vector sum(n);
  Rational rhs = 0;
  bool strict = false;
  for (std::size_t k = 0; k < system.size(); ++k) {
    if (m[k] == 0) continue;
    if (system[k].rel != Relation::eq && m[k] < 0) return fail("multiplier " + std::to_string(k) + " is negative");
    for (std::size_t i = 0; i < n; ++i) sum[i] += m[k] * system[k].a[i];
    rhs += m[k] * system[k].b;
    strict = strict || system[k].rel == Relation::lt;
  }
  if (!arith::is_zero(sum)) return fail("the combination of the constraints does not cancel the variables");
  if (rhs < 0 || (rhs == 0 && strict)) return true;
  return fail("the combination gives 0 <= " + rhs.get_str() + ", which is no contradiction");
}

}  // namespace nninv::cert
