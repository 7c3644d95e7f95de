// nninv-check's Jacobian steps (jacobian_check.hpp), written apart from the
// producer's src/analysis/jacobian_box.cpp and jacobian_norm.cpp.
#include "jacobian_check.hpp"

#include <algorithm>
#include <variant>

#include "read.hpp"
#include "slopes.hpp"

namespace nninv::check::detail {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using nlohmann::json;

namespace {

// The box step enumerates at most 2^16 vertices (the producer's stage stops
// at 10 parameters, so its certificates stay well inside).
constexpr std::size_t max_box_parameters = 16;

}  // namespace

// Jacobian box (docs/architecture.md): f(x1) - f(x2) = M(s) (x1 - x2), and
// det P M(s) is affine in each slope parameter (a neuron of unknown phase,
// or an opposite pair from the evidence, verified), so one strict sign at
// every vertex of the box of slopes means no M(s) is singular. Every
// vertex determinant is recomputed here with exact products.
std::string check_jacobian_box(const net::Network& net, const json& e, std::vector<std::string>& steps) {
  const std::string step = "Jacobian box";
  const json& claimed = field(e, "sign", step);
  require(claimed == 1 || claimed == -1, step, "the sign is not 1 or -1");
  const int sign = claimed.get<int>();
  Facts f = facts_of(net);
  const std::size_t n = f.free.size(), m = net.output_dim();
  std::optional<Matrix> p;
  if (e.contains("projection")) {
    p = read_matrix(e.at("projection"), "projection", step);
    require(p->rows() == n && p->cols() == m, step,
            "the projection is not " + std::to_string(n) + " x " + std::to_string(m) + " (free inputs x outputs)");
  }
  require(m == n || p, step, "the outputs are not as many as the free inputs, and no projection P is given");
  std::size_t pair_count = 0;
  Pairs pairs = read_pairs(net, f, e, "opposite_pairs", step, &pair_count);
  // The parameters: neurons of unknown phase, less the second of each pair.
  std::vector<std::pair<std::size_t, std::size_t>> parameters;
  std::size_t unstable = 0;
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    std::vector<bool> second(f.slopes[k].size(), false);
    for (const std::optional<std::size_t>& q : pairs[k])
      if (q) second[*q] = true;
    for (std::size_t j = 0; j < f.slopes[k].size(); ++j) {
      if (f.slopes[k][j].lo == f.slopes[k][j].hi) continue;
      ++unstable;
      if (!second[j]) parameters.emplace_back(k, j);
    }
  }
  require(parameters.size() <= max_box_parameters, step,
          std::to_string(parameters.size()) + " slope parameters; nninv-check enumerates at most 2^" +
              std::to_string(max_box_parameters) + " vertices");
  Matrix start(net.input_dim, n);
  for (std::size_t j = 0; j < n; ++j) start(f.free[j], j) = 1;
  const std::size_t vertices = std::size_t{1} << parameters.size();
  for (std::size_t v = 0; v < vertices; ++v) {
    std::vector<std::vector<Rational>> slope(net.layers.size());
    for (std::size_t k = 0; k < net.layers.size(); ++k)
      for (const Slope& s : f.slopes[k]) slope[k].push_back(s.lo);
    for (std::size_t b = 0; b < parameters.size(); ++b) {
      auto [k, j] = parameters[b];
      if (v >> b & 1) slope[k][j] = f.slopes[k][j].hi;
    }
    for (std::size_t k = 0; k < net.layers.size(); ++k)
      for (std::size_t j = 0; j < pairs[k].size(); ++j)
        if (pairs[k][j]) slope[k][*pairs[k][j]] = 1 + negative_side(net, k) - slope[k][j];
    Matrix t = start;
    for (std::size_t k = 0; k < net.layers.size(); ++k) {
      if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) t = d->weights * t;
      for (std::size_t i = 0; i < slope[k].size(); ++i)
        for (std::size_t j = 0; j < n; ++j) t(i, j) *= slope[k][i];
    }
    Rational det = arith::determinant(p ? *p * t : t);
    require(sign > 0 ? det > 0 : det < 0, step,
            "vertex " + std::to_string(v) + " has the determinant " + arith::to_string(det) +
                ", of the other sign or 0");
  }
  steps.push_back("Jacobian box: " + std::to_string(unstable) + " neurons of unknown phase (opposite pairs: " +
       std::to_string(pair_count) + "), " + std::to_string(vertices) + " vertex determinants" +
       (p ? " of P M (P from the certificate)" : "") + ", all " + (sign > 0 ? "positive" : "negative"));
  return "f(x1) - f(x2) = M (x1 - x2) for a matrix M of the Jacobian box, each of full column rank, so f is "
         "injective on X";
}

// Jacobian norm: with the certificate's K, weights u and opposite pairs
// (verified), the checker's own interval enclosure of K M(s) - I over all
// slopes (slopes.hpp) must have weighted max-norm max_i (R u)_i / u_i below 1.
std::string check_jacobian_norm(const net::Network& net, const json& e, std::vector<std::string>& steps) {
  const std::string step = "Jacobian norm";
  Facts f = facts_of(net);
  Matrix k = read_matrix(field(e, "k", step), "K", step);
  require(k.rows() == f.free.size() && k.cols() == net.output_dim(), step, "K is not (free inputs) x (outputs)");
  Vector u = read_vector(e, "u", k.rows(), "Jacobian norm weights");
  require(std::all_of(u.begin(), u.end(), [](const Rational& w) { return w > 0; }), step,
          "a weight u_i is not positive");
  std::size_t pair_count = 0;
  Pairs pairs = read_pairs(net, f, e, "opposite_pairs", step, &pair_count);
  Matrix r = magnitude_bound(enclosure_of(net, f, pairs, k), true);
  Rational bound = 0;
  for (std::size_t i = 0; i < r.rows(); ++i) {
    Rational row = 0;
    for (std::size_t j = 0; j < r.cols(); ++j) row += r(i, j) * u[j];
    bound = std::max(bound, Rational(row / u[i]));
  }
  require(bound < 1, step, "the enclosure of K M(s) - I has norm " + arith::to_string(bound) + ", not below 1");
  steps.push_back("Jacobian norm: opposite pairs " + std::to_string(pair_count) + ", ||K M(s) - I||_u <= " +
       arith::to_string(bound) + " < 1 for every s");
  return "f(x1) - f(x2) = M (x1 - x2) for a matrix M whose product with K is within distance < 1 of the "
         "identity, so M has full column rank and f is injective on X";
}

}  // namespace nninv::check::detail
