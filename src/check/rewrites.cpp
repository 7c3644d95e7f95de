// nninv-check's replay of the simplification rewrites (rewrites.hpp).
// Written apart from the producer (src/analysis/simplify.cpp): the producer
// searches for rewrites, this file only verifies the ones the certificate
// names. Each is an identity of functions on R^n in exact rationals:
//   drop_identity      identity, leaky_relu(alpha = 1), x -> I x + 0;
//   merge_activations  relu / leaky_relu (alpha >= 0) keep the sign of their input, so
//                      sigma_beta(sigma_alpha(t)) = sigma_{alpha beta}(t);
//   merge_dense        W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2);
//   reduce_block       in D1, act, D2: a neuron with a zero row of D1 outputs
//                      the constant act(b); act(s t) = s act(t) for s > 0
//                      merges positive multiples; and, for the dense form,
//                      C act(t) + D act(-t) = -(1 + alpha) D t when C + D = 0
//                      (from act(t) - act(-t) = (1 + alpha) t; Shang et al.,
//                      ICML 2016, for relu).
#include "rewrites.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "step.hpp"

namespace nninv::check::detail {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using net::Dense;
using net::Layer;
using nlohmann::json;

namespace {

const std::string step = "simplification";

bool computes_identity(const Layer& layer) {
  if (std::holds_alternative<net::Identity>(layer)) return true;
  if (const auto* l = std::get_if<net::LeakyRelu>(&layer)) return l->alpha == 1;
  const auto* d = std::get_if<Dense>(&layer);
  if (!d || d->weights.rows() != d->weights.cols() || d->weights != Matrix::identity(d->weights.rows())) return false;
  for (const Rational& b : d->bias)
    if (b != 0) return false;
  return true;
}

const Dense& dense_at(const std::vector<Layer>& layers, std::size_t k, const std::string& where) {
  require(k < layers.size() && std::holds_alternative<Dense>(layers[k]), step,
          where + ": layer " + std::to_string(k) + " is not dense");
  return std::get<Dense>(layers[k]);
}

// Neuron k's pre-activation (row of D1, then its bias).
Vector pre_activation(const Dense& d1, std::size_t k) {
  Vector v = d1.weights.row(k);
  v.push_back(d1.bias[k]);
  return v;
}

// s with v = s base (base not zero), or nothing.
std::optional<Rational> ratio(const Vector& v, const Vector& base) {
  std::size_t i = 0;
  while (i < base.size() && base[i] == 0) ++i;
  if (i == base.size()) return std::nullopt;
  Rational s = v[i] / base[i];
  for (std::size_t j = 0; j < v.size(); ++j)
    if (v[j] != s * base[j]) return std::nullopt;
  return s;
}

void add_scaled_column(Vector& to, const Rational& s, const Matrix& w, std::size_t k) {
  for (std::size_t i = 0; i < to.size(); ++i) to[i] += s * w(i, k);
}

std::vector<Layer> reduce_block(const std::vector<Layer>& layers, std::size_t k, const json& r,
                                const std::string& where) {
  const Dense& d1 = dense_at(layers, k, where);
  const Dense& d2 = dense_at(layers, k + 2, where);
  std::optional<Rational> alpha = net::negative_slope(layers[k + 1]);
  require(alpha.has_value(), step, where + ": layer " + std::to_string(k + 1) + " is not relu or leaky_relu");
  const std::size_t width = d1.weights.rows(), n = d1.weights.cols(), m = d2.weights.rows();
  const json& reps = r.contains("representatives") ? r.at("representatives") : json();
  require(reps.is_array() && reps.size() == width, step,
          where + ": expected one representative (or null) per neuron of the block");
  std::vector<std::optional<std::size_t>> rep(width);
  for (std::size_t j = 0; j < width; ++j) {
    if (reps[j].is_null()) continue;
    require(reps[j].is_number_unsigned() && reps[j].get<std::size_t>() < width, step,
            where + ": representative " + std::to_string(j) + " is not a neuron index");
    rep[j] = reps[j].get<std::size_t>();
  }
  // Classes: a column per representative, sum of its members' columns scaled.
  Vector bias2 = d2.bias;
  std::vector<std::optional<Vector>> column(width);
  for (std::size_t j = 0; j < width; ++j) {
    const std::string neuron = where + ": neuron " + std::to_string(j);
    if (!rep[j]) {
      require(arith::is_zero(d1.weights.row(j)), step, neuron + " has a nonzero row, so it is not constant");
      const Rational& b = d1.bias[j];
      add_scaled_column(bias2, b >= 0 ? b : *alpha * b, d2.weights, j);
      continue;
    }
    std::size_t c = *rep[j];
    require(rep[c] == c, step, neuron + "'s representative " + std::to_string(c) + " is not its own");
    std::optional<Rational> s = ratio(pre_activation(d1, j), pre_activation(d1, c));
    require(s && *s > 0, step,
            neuron + "'s pre-activation is not a positive multiple of neuron " + std::to_string(c) + "'s");
    if (!column[c]) column[c] = Vector(m, 0);
    add_scaled_column(*column[c], *s, d2.weights, j);
  }

  const json& form = r.contains("form") ? r.at("form") : json();
  if (form == "merged") {
    std::vector<std::size_t> kept;
    for (std::size_t c = 0; c < width; ++c)
      if (column[c] && !arith::is_zero(*column[c])) kept.push_back(c);
    Matrix w1(kept.size(), n), w2(m, kept.size());
    Vector b1(kept.size());
    for (std::size_t t = 0; t < kept.size(); ++t) {
      for (std::size_t j = 0; j < n; ++j) w1(t, j) = d1.weights(kept[t], j);
      b1[t] = d1.bias[kept[t]];
      for (std::size_t i = 0; i < m; ++i) w2(i, t) = (*column[kept[t]])[i];
    }
    return {Dense{std::move(w1), std::move(b1)}, layers[k + 1], Dense{std::move(w2), std::move(bias2)}};
  }
  require(form == "dense", step, where + ": the form is not \"merged\" or \"dense\"");
  // Dense form: every class with a nonzero column cancels against its
  // opposite class, C + D = 0, leaving the affine term -(1 + alpha) D t.
  const json& pairs = r.contains("opposite") ? r.at("opposite") : json();
  require(pairs.is_array(), step, where + ": the dense form needs the list \"opposite\"");
  std::vector<bool> used(width, false);
  Matrix w(m, n);
  Vector b = bias2;
  for (const json& p : pairs) {
    require(p.is_array() && p.size() == 2 && p[0].is_number_unsigned() && p[1].is_number_unsigned(), step,
            where + ": an opposite pair is not [c, o]");
    std::size_t c = p[0].get<std::size_t>(), o = p[1].get<std::size_t>();
    const std::string pair = where + ": pair [" + std::to_string(c) + ", " + std::to_string(o) + "]";
    require(c < width && o < width && c != o && column[c] && column[o] && !used[c] && !used[o], step,
            pair + " does not name two distinct classes once each");
    used[c] = used[o] = true;
    Vector tc = pre_activation(d1, c), to = pre_activation(d1, o);
    for (Rational& x : tc) x = -x;
    std::optional<Rational> t = ratio(to, tc);  // t_o = -t t_c
    require(t && *t > 0, step, pair + ": the pre-activations are not negative multiples of each other");
    Vector d(m, 0), sum = *column[c];
    for (std::size_t i = 0; i < m; ++i) {
      d[i] = *t * (*column[o])[i];
      sum[i] += d[i];
    }
    require(arith::is_zero(sum), step, pair + ": the two classes' columns do not cancel");
    for (std::size_t i = 0; i < m; ++i) {
      Rational coefficient = -(1 + *alpha) * d[i];
      if (coefficient == 0) continue;
      for (std::size_t j = 0; j < n; ++j) w(i, j) += coefficient * d1.weights(c, j);
      b[i] += coefficient * d1.bias[c];
    }
  }
  for (std::size_t c = 0; c < width; ++c)
    require(!column[c] || used[c] || arith::is_zero(*column[c]), step,
            where + ": class " + std::to_string(c) + " has a nonzero column and no opposite class");
  return {Dense{std::move(w), std::move(b)}};
}

}  // namespace

net::Network replay_rewrites(const net::Network& net, const json& rewrites) {
  require(rewrites.is_array(), step, "\"rewrites\" is not a list");
  net::Network out = net;
  std::vector<Layer>& layers = out.layers;
  for (std::size_t i = 0; i < rewrites.size(); ++i) {
    const json& r = rewrites[i];
    const std::string where = "rewrite " + std::to_string(i);
    require(r.is_object() && r.contains("rule") && r.at("rule").is_string() && r.contains("layer") &&
                r.at("layer").is_number_unsigned(),
            step, where + ": expected {\"rule\": ..., \"layer\": ...}");
    const std::string rule = r.at("rule").get<std::string>();
    const std::size_t k = r.at("layer").get<std::size_t>();
    auto at = layers.begin() + static_cast<std::ptrdiff_t>(std::min(k, layers.size()));
    if (rule == "drop_identity") {
      require(k < layers.size() && layers.size() > 1 && computes_identity(layers[k]), step,
              where + ": layer " + std::to_string(k) + " is not an identity that can go");
      layers.erase(at);
    } else if (rule == "merge_activations") {
      std::optional<Rational> a, b;
      if (k + 1 < layers.size()) a = net::negative_slope(layers[k]), b = net::negative_slope(layers[k + 1]);
      require(a && b && *a >= 0 && *b >= 0, step,
              where + ": layers " + std::to_string(k) + ", " + std::to_string(k + 1) +
                  " are not two relu / leaky_relu layers with nonnegative slopes");
      Rational alpha = *a * *b;
      layers[k] = alpha == 0 ? Layer(net::Relu{}) : Layer(net::LeakyRelu{alpha});
      layers.erase(at + 1);
    } else if (rule == "merge_dense") {
      const Dense& d1 = dense_at(layers, k, where);
      const Dense& d2 = dense_at(layers, k + 1, where);
      Vector bias = d2.weights * d1.bias;
      for (std::size_t j = 0; j < bias.size(); ++j) bias[j] += d2.bias[j];
      layers[k] = Dense{d2.weights * d1.weights, std::move(bias)};
      layers.erase(at + 1);
    } else if (rule == "reduce_block") {
      require(k + 2 < layers.size(), step, where + ": no block of three layers at layer " + std::to_string(k));
      std::vector<Layer> replacement = reduce_block(layers, k, r, where);
      layers.erase(at, at + 3);
      layers.insert(layers.begin() + static_cast<std::ptrdiff_t>(k), replacement.begin(), replacement.end());
    } else {
      fail(step, where + ": unknown rule \"" + rule + "\"");
    }
  }
  return out;
}

}  // namespace nninv::check::detail
