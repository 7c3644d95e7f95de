// Vertex determinants of the Jacobian box (jacobian_box.hpp).
#include "nninv/analysis/jacobian_box.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "nninv/analysis/bounds.hpp"

namespace nninv::analysis {

using arith::Matrix;
using arith::Rational;
using arith::Vector;

namespace {

// The pre-activation of each activation layer as an affine map A h + c of
// that layer's input h (the network input, or the previous activation's
// output): the dense and identity layers in between, composed (identity
// layers change nothing). A is absent
// when no dense layer is in between (A = identity), and when composing
// would cost more than `max_work` multiplications (no pairs are sought then).
struct PreActivation {
  std::optional<Matrix> a;
  Vector c;
};

std::vector<std::optional<PreActivation>> pre_activations(const net::Network& net, std::size_t max_work) {
  std::vector<std::optional<PreActivation>> out(net.layers.size());
  PreActivation current{std::nullopt, Vector(net.input_dim)};
  bool too_large = false;
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    const net::Layer& layer = net.layers[k];
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      if (current.a && d->weights.rows() * d->weights.cols() * current.a->cols() > max_work) too_large = true;
      if (!too_large) current.a = current.a ? d->weights * *current.a : d->weights;
      Vector c = d->weights * current.c;
      for (std::size_t i = 0; i < c.size(); ++i) c[i] += d->bias[i];
      current.c = std::move(c);
    } else if (net::negative_slope(layer)) {
      if (!too_large) out[k] = current;
      current = PreActivation{std::nullopt, Vector(current.c.size())};
      too_large = false;
    }
  }
  return out;
}

// The row of A and the entry of c of one neuron, negated or not.
Vector key(const PreActivation& p, std::size_t i, bool negate) {
  Vector v = p.a->row(i);
  v.push_back(p.c[i]);
  if (negate)
    for (Rational& x : v) x = -x;
  return v;
}

}  // namespace

std::vector<std::vector<std::optional<std::size_t>>> opposite_pairs(const net::Network& net,
                                                                     const std::vector<std::vector<bool>>& candidates) {
  std::vector<std::vector<std::optional<std::size_t>>> partner(net.layers.size());
  for (std::size_t k = 0; k < net.layers.size(); ++k)
    if (k < candidates.size()) partner[k].assign(candidates[k].size(), std::nullopt);
  std::size_t wanted = 0;
  for (const auto& layer : candidates) wanted += static_cast<std::size_t>(std::count(layer.begin(), layer.end(), true));
  if (wanted < 2) return partner;  // no pair possible: skip composing the layers
  std::vector<std::optional<PreActivation>> pre = pre_activations(net, 4'000'000);
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    if (k >= candidates.size() || candidates[k].empty()) continue;
    if (!pre[k] || !pre[k]->a) continue;  // z = h: coordinates are never opposite
    // Candidates by their exact (row, bias), waiting for an opposite partner.
    std::map<Vector, std::vector<std::size_t>> waiting;
    for (std::size_t i = 0; i < candidates[k].size(); ++i) {
      if (!candidates[k][i]) continue;
      auto hit = waiting.find(key(*pre[k], i, true));
      if (hit != waiting.end() && !hit->second.empty()) {
        partner[k][hit->second.front()] = i;
        hit->second.erase(hit->second.begin());
      } else {
        waiting[key(*pre[k], i, false)].push_back(i);
      }
    }
  }
  return partner;
}

SlopeRanges slope_ranges(const net::Network& net) {
  SlopeRanges s;
  std::vector<std::vector<net::Interval>> bounds = interval_bounds(net);
  s.range.resize(net.layers.size());
  s.unstable.resize(net.layers.size());
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    std::optional<Rational> off = net::negative_slope(net.layers[k]);
    if (!off) continue;
    Rational lo = std::min(*off, Rational(1)), hi = std::max(*off, Rational(1));
    for (std::size_t i = 0; i < bounds[k].size(); ++i) {
      Phase phase = phase_of(bounds[k][i]);
      bool unstable = phase == Phase::unstable;
      if (phase == Phase::active)
        s.range[k].emplace_back(1, 1);
      else if (phase == Phase::inactive)
        s.range[k].emplace_back(*off, *off);
      else
        s.range[k].emplace_back(lo, hi);
      s.unstable[k].push_back(unstable);
      s.unstable_count += unstable;
    }
  }
  return s;
}

std::optional<std::string> jacobian_shape_problem(const net::Network& net) {
  std::size_t free = net.domain.free_coordinates().size();
  if (free == 0) return "X is a single point";
  if (net.output_dim() < free)
    return "fewer outputs (" + std::to_string(net.output_dim()) + ") than free input coordinates (" +
           std::to_string(free) + ")";
  return std::nullopt;
}

JacobianBox jacobian_box(const net::Network& net, std::size_t max_parameters, bool pair_neurons,
                         const std::optional<Matrix>& projection) {
  JacobianBox box;
  std::vector<std::size_t> free = net.domain.free_coordinates();
  if (auto problem = jacobian_shape_problem(net)) {
    box.why_not = *problem;
    return box;
  }
  box.projected = net.output_dim() > free.size();
  // Per activation layer and neuron: the two ends of its slope interval
  // (equal when interval bounds fix its phase on X).
  SlopeRanges ranges = slope_ranges(net);
  struct Slope {
    std::size_t layer, neuron;
    Rational low, high;
    std::optional<std::size_t> partner;  // a neuron of the same layer with the opposite pre-activation
  };
  std::vector<Slope> varying;
  std::vector<std::vector<Rational>> fixed(net.layers.size());
  for (std::size_t k = 0; k < net.layers.size(); ++k)
    for (std::size_t i = 0; i < ranges.range[k].size(); ++i) {
      const auto& [low, high] = ranges.range[k][i];
      fixed[k].push_back(low);
      if (ranges.unstable[k][i]) varying.push_back({k, i, low, high, std::nullopt});
    }
  box.unstable = varying.size();
  // Each pair removes one parameter, so more than twice the limit cannot fit.
  if (varying.size() > 2 * max_parameters || (!pair_neurons && varying.size() > max_parameters)) {
    box.why_not = std::to_string(varying.size()) + " neurons change phase on X (more than " +
                  std::to_string(pair_neurons ? 2 * max_parameters : max_parameters) + ")";
    return box;
  }
  // Parameters: an unpaired neuron, or the first neuron of a pair (the second
  // takes the slope low + high - s).
  std::vector<std::size_t> parameters;
  std::vector<bool> paired(varying.size(), false);
  std::vector<std::vector<std::optional<std::size_t>>> partner;
  if (pair_neurons) partner = opposite_pairs(net, ranges.unstable);
  for (std::size_t t = 0; t < varying.size(); ++t) {
    if (paired[t]) continue;
    parameters.push_back(t);
    if (partner.empty()) continue;
    const auto& p = partner[varying[t].layer][varying[t].neuron];
    if (!p) continue;
    for (std::size_t u = t + 1; u < varying.size() && varying[u].layer == varying[t].layer; ++u)
      if (varying[u].neuron == *p) {
        paired[u] = true;
        varying[t].partner = u;
        ++box.pairs;
        box.pair_list.push_back({varying[t].layer, varying[t].neuron, *p});
        break;
      }
  }
  box.parameters = parameters.size();
  if (parameters.size() > max_parameters) {
    box.why_not = std::to_string(varying.size()) + " neurons change phase on X, " + std::to_string(box.pairs) +
                  " opposite pairs among them: " + std::to_string(parameters.size()) + " slope parameters (more than " +
                  std::to_string(max_parameters) + ")";
    return box;
  }
  box.applicable = true;
  // M(s): the product of the layers' linear parts, applied to the identity on the free inputs.
  auto jacobian = [&](const std::vector<std::vector<Rational>>& slopes) {
    Matrix m(net.input_dim, free.size());
    for (std::size_t j = 0; j < free.size(); ++j) m(free[j], j) = 1;
    for (std::size_t k = 0; k < net.layers.size(); ++k) {
      const net::Layer& layer = net.layers[k];
      if (const auto* d = std::get_if<net::Dense>(&layer)) {
        m = d->weights * m;
      } else if (net::negative_slope(layer)) {
        for (std::size_t r = 0; r < m.rows(); ++r)
          if (slopes[k][r] != 1)
            for (std::size_t c = 0; c < m.cols(); ++c) m(r, c) *= slopes[k][r];
      }
    }
    return m;
  };
  // The slopes at vertex v (bit p: parameter p at its upper end), or at the center.
  auto slopes_at = [&](std::size_t v, bool center) {
    std::vector<std::vector<Rational>> slopes = fixed;
    for (std::size_t p = 0; p < parameters.size(); ++p) {
      const Slope& s = varying[parameters[p]];
      Rational value = center ? (s.low + s.high) / 2 : (v >> p & 1) ? s.high : s.low;
      slopes[s.layer][s.neuron] = value;
      if (s.partner) slopes[s.layer][varying[*s.partner].neuron] = s.low + s.high - value;
    }
    return slopes;
  };
  const std::size_t vertices = std::size_t{1} << parameters.size();
  // One strict sign of det(P M(v)) at every vertex (no P: det M(v)); else
  // the first vertex that breaks it.
  auto vertex_signs = [&](const Matrix* p) {
    int sign = 0;
    for (std::size_t v = 0; v < vertices; ++v) {
      Matrix m = jacobian(slopes_at(v, false));
      Rational det = arith::determinant(p ? *p * m : m);
      int s = det > 0 ? 1 : det < 0 ? -1 : 0;
      if (v == 0) sign = s;
      if (s == 0 || s != sign) return std::make_pair(0, v);
    }
    return std::make_pair(sign, std::size_t{0});
  };
  if (!box.projected) {
    std::tie(box.sign, box.vertex) = vertex_signs(nullptr);
    return box;
  }
  if (projection) {
    if (projection->rows() != free.size() || projection->cols() != net.output_dim()) {
      box.applicable = false;
      box.why_not = "the projection is not " + std::to_string(free.size()) + " x " + std::to_string(net.output_dim());
      return box;
    }
    box.projection = *projection;
    std::tie(box.sign, box.vertex) = vertex_signs(&*projection);
    return box;
  }
  // Candidate projections, tried in order: (1) n outputs whose rows of M do
  // not depend on the slopes (equal at every vertex, so equal everywhere: M
  // is affine in each parameter), completed by further outputs, chosen to be
  // independent at the center; (2) P = M(center)^T.
  const Matrix center = jacobian(slopes_at(0, true));
  std::vector<bool> constant(center.rows(), true);
  const Matrix first = jacobian(slopes_at(0, false));
  for (std::size_t v = 1; v < vertices; ++v) {
    Matrix m = jacobian(slopes_at(v, false));
    for (std::size_t r = 0; r < m.rows(); ++r)
      if (constant[r] && m.row(r) != first.row(r)) constant[r] = false;
  }
  std::vector<Matrix> candidates;
  Matrix chosen(0, center.cols());
  std::vector<std::size_t> rows;
  for (bool want_constant : {true, false})
    for (std::size_t r = 0; r < center.rows() && rows.size() < free.size(); ++r) {
      if (constant[r] != want_constant) continue;
      Matrix trial = chosen;
      trial.append_row(center.row(r));
      if (arith::rank(trial) == trial.rows()) {
        chosen = std::move(trial);
        rows.push_back(r);
      }
    }
  if (rows.size() == free.size()) {
    Matrix select(free.size(), center.rows());
    for (std::size_t i = 0; i < rows.size(); ++i) select(i, rows[i]) = 1;
    candidates.push_back(std::move(select));
  }
  candidates.push_back(arith::transpose(center));
  for (const Matrix& p : candidates) {
    std::tie(box.sign, box.vertex) = vertex_signs(&p);
    if (box.sign != 0) {
      box.projection = p;
      return box;
    }
  }
  return box;
}

}  // namespace nninv::analysis
