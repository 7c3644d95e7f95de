// nninv-check's slope facts and enclosures (slopes.hpp). Written apart from
// the producer (src/analysis/jacobian_box.cpp, jacobian_norm.cpp,
// lipschitz.cpp): a bug there is not certified by the code that made it.
#include "slopes.hpp"

#include <algorithm>
#include <tuple>
#include <variant>

#include "intervals.hpp"
#include "step.hpp"

namespace nninv::check::detail {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using nlohmann::json;

namespace {

// The pre-activation of activation layer k as an affine map (A, c) of the
// output of the last layer before it that is not dense or identity.
std::pair<Matrix, Vector> pre_activation(const net::Network& net, std::size_t k) {
  std::size_t width = net.width_after(k);
  Matrix a = Matrix::identity(width);
  Vector c(width, 0);
  for (std::size_t l = k; l-- > 0;) {
    if (std::holds_alternative<net::Identity>(net.layers[l])) continue;
    const auto* d = std::get_if<net::Dense>(&net.layers[l]);
    if (!d) break;
    Vector shift = a * d->bias;
    for (std::size_t i = 0; i < width; ++i) c[i] += shift[i];
    a = a * d->weights;
  }
  return {a, c};
}

// w T (w exact).
Enclosure left_times(const Matrix& w, const Enclosure& t) {
  Enclosure out{Matrix(w.rows(), t.lo.cols()), Matrix(w.rows(), t.lo.cols())};
  for (std::size_t i = 0; i < w.rows(); ++i)
    for (std::size_t q = 0; q < w.cols(); ++q)
      for (std::size_t j = 0; j < t.lo.cols(); ++j) {
        auto [lo, hi] = product(w(i, q), w(i, q), t.lo(q, j), t.hi(q, j));
        out.lo(i, j) += lo;
        out.hi(i, j) += hi;
      }
  return out;
}

// T w (w exact).
Enclosure right_times(const Enclosure& t, const Matrix& w) {
  Enclosure out{Matrix(t.lo.rows(), w.cols()), Matrix(t.lo.rows(), w.cols())};
  for (std::size_t i = 0; i < t.lo.rows(); ++i)
    for (std::size_t q = 0; q < w.rows(); ++q)
      for (std::size_t j = 0; j < w.cols(); ++j) {
        auto [lo, hi] = product(t.lo(i, q), t.hi(i, q), w(q, j), w(q, j));
        out.lo(i, j) += lo;
        out.hi(i, j) += hi;
      }
  return out;
}

}  // namespace

Rational magnitude(const Rational& v) { return v < 0 ? Rational(-v) : v; }

Rational negative_side(const net::Network& net, std::size_t k) {
  return net::negative_slope(net.layers[k]).value_or(Rational(0));
}

// Each activation neuron's slope interval, from the checker's interval
// bounds (intervals.hpp): [1, 1] active, [a, a]
// inactive, [min(a, 1), max(a, 1)] otherwise, a the negative-side slope.
Facts facts_of(const net::Network& net) {
  Facts f;
  f.free = net.domain.free_coordinates();
  std::vector<std::vector<net::Interval>> bounds = layer_intervals(net);
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    std::vector<Slope> slopes;
    if (std::optional<Rational> negative = net::negative_slope(net.layers[k])) {
      const Rational& a = *negative;
      for (const net::Interval& in : bounds[k]) {
        if (in.lower && *in.lower >= 0) slopes.push_back({1, 1});
        else if (in.upper && *in.upper <= 0) slopes.push_back({a, a});
        else slopes.push_back({std::min(a, Rational(1)), std::max(a, Rational(1))});
      }
    }
    f.slopes.push_back(std::move(slopes));
  }
  // Live coordinates: the free inputs; a dense row is dead when the neuron it
  // feeds in the next activation (identity layers between) has slope 0 on
  // X, since that neuron's output is the constant 0; an activation keeps its
  // live inputs whose slope is not 0.
  std::vector<std::size_t> current = f.free;
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    f.cols.push_back(current);
    std::vector<std::size_t> next;
    auto dead = [&](std::size_t layer, std::size_t i) { return f.slopes[layer][i].hi == 0; };
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      std::size_t a = k + 1;
      while (a < net.layers.size() && std::holds_alternative<net::Identity>(net.layers[a])) ++a;
      for (std::size_t i = 0; i < d->weights.rows(); ++i)
        if (a == net.layers.size() || f.slopes[a].empty() || !dead(a, i)) next.push_back(i);
    } else if (!f.slopes[k].empty()) {
      for (std::size_t i : current)
        if (!dead(k, i)) next.push_back(i);
    } else {
      next = current;
    }
    f.rows.push_back(next);
    current = std::move(next);
  }
  return f;
}

// [a, b] * [c, d]: the least and greatest of the four products.
std::pair<Rational, Rational> product(const Rational& a, const Rational& b, const Rational& c, const Rational& d) {
  Rational p[] = {a * c, a * d, b * c, b * d};
  return {*std::min_element(p, p + 4), *std::max_element(p, p + 4)};
}

// An enclosure of every P M(s) (columns: the free inputs), as the
// intersection of the one built from the input (P times the enclosure of
// M(s)) and the one built from the output (P W_L D ... W_1); both contain
// every P M(s). From the output, a pair's columns T_j s_j, T_p s_p meet
// opposite rows of the affine map before the layer, so they act as the one
// column (T_j + T_p) s_j - (1 + a) T_p on row j.
Enclosure enclosure_of(const net::Network& net, const Facts& f, const Pairs& pairs, const Matrix& p) {
  Matrix start(net.input_dim, f.free.size());
  for (std::size_t j = 0; j < f.free.size(); ++j) start(f.free[j], j) = 1;
  Enclosure front{start, start};
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) front = left_times(d->weights, front);
    for (std::size_t i = 0; i < f.slopes[k].size(); ++i)
      for (std::size_t j = 0; j < front.lo.cols(); ++j)
        std::tie(front.lo(i, j), front.hi(i, j)) =
            product(front.lo(i, j), front.hi(i, j), f.slopes[k][i].lo, f.slopes[k][i].hi);
  }
  front = left_times(p, front);
  Enclosure back{p, p};
  for (std::size_t k = net.layers.size(); k-- > 0;) {
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) back = right_times(back, d->weights);
    if (f.slopes[k].empty()) continue;
    Rational a = negative_side(net, k);
    Enclosure next = back;
    std::vector<bool> second(f.slopes[k].size(), false);  // the p of a pair, set with its j
    for (const std::optional<std::size_t>& q : pairs[k])
      if (q) second[*q] = true;
    for (std::size_t j = 0; j < f.slopes[k].size(); ++j) {
      if (second[j]) continue;
      const Slope& s = f.slopes[k][j];
      std::size_t q = pairs[k].empty() || !pairs[k][j] ? j : *pairs[k][j];  // j: no partner
      for (std::size_t i = 0; i < back.lo.rows(); ++i) {
        if (q == j) {
          std::tie(next.lo(i, j), next.hi(i, j)) = product(back.lo(i, j), back.hi(i, j), s.lo, s.hi);
          continue;
        }
        auto [lo, hi] = product(back.lo(i, j) + back.lo(i, q), back.hi(i, j) + back.hi(i, q), s.lo, s.hi);
        next.lo(i, j) = lo - (1 + a) * back.hi(i, q);
        next.hi(i, j) = hi - (1 + a) * back.lo(i, q);
        next.lo(i, q) = next.hi(i, q) = 0;
      }
    }
    back = std::move(next);
  }
  back = {arith::select_columns(back.lo, f.free), arith::select_columns(back.hi, f.free)};
  for (std::size_t i = 0; i < back.lo.rows(); ++i)
    for (std::size_t j = 0; j < back.lo.cols(); ++j) {
      back.lo(i, j) = std::max(back.lo(i, j), front.lo(i, j));
      back.hi(i, j) = std::min(back.hi(i, j), front.hi(i, j));
    }
  return back;
}

Matrix magnitude_bound(const Enclosure& e, bool minus_identity) {
  Matrix r(e.lo.rows(), e.lo.cols());
  for (std::size_t i = 0; i < r.rows(); ++i)
    for (std::size_t j = 0; j < r.cols(); ++j) {
      Rational shift = minus_identity && i == j ? 1 : 0;
      r(i, j) = std::max(magnitude(e.lo(i, j) - shift), magnitude(e.hi(i, j) - shift));
    }
  return r;
}

Pairs read_pairs(const net::Network& net, const Facts& f, const json& e, const char* key, const std::string& step,
                 std::size_t* count) {
  Pairs out(net.layers.size());
  for (std::size_t k = 0; k < net.layers.size(); ++k) out[k].assign(f.slopes[k].size(), std::nullopt);
  if (!e.contains(key)) {
    if (count) *count = 0;
    return out;
  }
  const json& list = e.at(key);
  require(list.is_array(), step, "pairs is not a list");
  std::vector<std::vector<bool>> used(net.layers.size());
  for (std::size_t k = 0; k < net.layers.size(); ++k) used[k].assign(f.slopes[k].size(), false);
  std::optional<std::size_t> cached;
  std::pair<Matrix, Vector> pre;
  for (const json& p : list) {
    require(p.is_array() && p.size() == 3 && p[0].is_number_unsigned() && p[1].is_number_unsigned() &&
                p[2].is_number_unsigned(),
            step, "a pair is not [layer, j, p]");
    std::size_t k = p[0].get<std::size_t>(), j = p[1].get<std::size_t>(), q = p[2].get<std::size_t>();
    require(k < net.layers.size() && !f.slopes[k].empty(), step, "a pair's layer is not relu or leaky_relu");
    require(j < used[k].size() && q < used[k].size() && j != q && !used[k][j] && !used[k][q], step,
            "pair [" + std::to_string(k) + ", " + std::to_string(j) + ", " + std::to_string(q) +
                "] names a neuron twice or out of range");
    if (cached != k) {
      pre = pre_activation(net, k);
      cached = k;
    }
    bool opposite = pre.second[j] == -pre.second[q];
    for (std::size_t c = 0; c < pre.first.cols() && opposite; ++c) opposite = pre.first(j, c) == -pre.first(q, c);
    require(opposite, step,
            "neurons " + std::to_string(j) + " and " + std::to_string(q) + " of layer " + std::to_string(k) +
                " do not have opposite pre-activations");
    used[k][j] = used[k][q] = true;
    out[k][j] = q;
  }
  if (count) *count = list.size();
  return out;
}

}  // namespace nninv::check::detail
