// nninv-check for Lipschitz certificates (docs/certificates.md, "Lipschitz
// bounds"). Written apart from the producer (src/analysis/lipschitz.cpp): its
// own interval bounds, slopes, live coordinates, interval enclosures and
// LDL^T, so a bug there is not certified by the code that made it. What
// travels in the certificate (factors, left inverses, K, q, ||K||, the 2-norm
// constants c, attaining pairs) is data to verify, never recomputed.
//
// The argument (docs/architecture.md, "Lipschitz bounds"): for x1, x2 in X,
// f(x1) - f(x2) = M(s) (x1 - x2) where M(s) = W_L D_{L-1}(s) ... W_1 and each
// slope s_i is neuron i's difference quotient, inside its interval [lo, hi];
// coordinates where the two values cannot differ (pinned inputs, neurons
// inactive on X) carry a zero difference.
#include "lipschitz_check.hpp"

#include <algorithm>
#include <tuple>
#include <variant>

#include "intervals.hpp"
#include "nninv/cert/certificate.hpp"

namespace nninv::check::detail {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using nlohmann::json;

namespace {

enum class Norm { one, two, inf };

struct Slope {
  Rational lo, hi;
};

Rational magnitude(const Rational& v) { return v < 0 ? Rational(-v) : v; }

// The network's facts the bounds rest on, recomputed here.
struct Facts {
  std::vector<std::size_t> free;              // free input coordinates
  std::vector<std::vector<Slope>> slopes;     // per layer; empty unless relu / leaky_relu
  std::vector<std::vector<std::size_t>> cols, rows;  // live coordinates of each layer's input, output
};

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

Matrix block(const Matrix& w, const std::vector<std::size_t>& rows, const std::vector<std::size_t>& cols) {
  Matrix b(rows.size(), cols.size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < cols.size(); ++c) b(r, c) = w(rows[r], cols[c]);
  return b;
}

// ||w||_1 (largest absolute column sum) or ||w||_inf (largest absolute row sum).
Rational exact_norm(const Matrix& w, Norm norm) {
  Rational best = 0;
  if (norm == Norm::inf) {
    for (std::size_t r = 0; r < w.rows(); ++r) {
      Rational sum = 0;
      for (std::size_t c = 0; c < w.cols(); ++c) sum += magnitude(w(r, c));
      best = std::max(best, sum);
    }
  } else {
    for (std::size_t c = 0; c < w.cols(); ++c) {
      Rational sum = 0;
      for (std::size_t r = 0; r < w.rows(); ++r) sum += magnitude(w(r, c));
      best = std::max(best, sum);
    }
  }
  return best;
}

// Is the symmetric s positive semidefinite? LDL^T without pivoting: every
// pivot >= 0, and a zero pivot's remaining row is zero (a PSD matrix with a
// zero diagonal entry has that row zero).
bool semidefinite(Matrix s) {
  for (std::size_t k = 0; k < s.rows(); ++k) {
    const Rational pivot = s(k, k);
    if (pivot < 0) return false;
    for (std::size_t i = k + 1; i < s.rows(); ++i) {
      if (s(i, k) == 0) continue;
      if (pivot == 0) return false;
      Rational factor = s(i, k) / pivot;
      for (std::size_t j = k + 1; j < s.rows(); ++j) s(i, j) -= factor * s(k, j);
    }
  }
  return true;
}

// s = W^T W + shift I.
Matrix gram_plus(const Matrix& w, const Rational& shift) {
  Matrix s = arith::transpose(w) * w;
  for (std::size_t i = 0; i < s.rows(); ++i) s(i, i) += shift;
  return s;
}

// ||w d|| <= bound ||d|| for every d: exact for 1 and inf; for 2 by
// bound^2 I - W^T W positive semidefinite.
bool norm_at_most(const Matrix& w, const Rational& bound, Norm norm) {
  if (bound < 0) return false;
  if (norm != Norm::two) return exact_norm(w, norm) <= bound;
  Matrix s = gram_plus(w, -bound * bound);
  for (std::size_t r = 0; r < s.rows(); ++r)
    for (std::size_t c = 0; c < s.cols(); ++c) s(r, c) = -s(r, c);
  return semidefinite(s);
}

// Interval matrices [lo, hi], entrywise.
struct Enclosure {
  Matrix lo, hi;
};

// [a, b] * [c, d]: the least and greatest of the four products.
std::pair<Rational, Rational> product(const Rational& a, const Rational& b, const Rational& c, const Rational& d) {
  Rational p[] = {a * c, a * d, b * c, b * d};
  return {*std::min_element(p, p + 4), *std::max_element(p, p + 4)};
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

// Opposite pairs {layer, j, p}: neuron p's pre-activation is exactly minus
// neuron j's, so sigma(z_j) - sigma(z_p) = (1 + a) z_j and their difference
// quotients add up to 1 + a (a: the negative-side slope).
using Pairs = std::vector<std::vector<std::optional<std::size_t>>>;

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
    Rational a = 0;
    if (const auto* l = std::get_if<net::LeakyRelu>(&net.layers[k])) a = l->alpha;
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

// R >= |E - shift I| entrywise for every E in e.
Matrix magnitude_bound(const Enclosure& e, bool minus_identity) {
  Matrix r(e.lo.rows(), e.lo.cols());
  for (std::size_t i = 0; i < r.rows(); ++i)
    for (std::size_t j = 0; j < r.cols(); ++j) {
      Rational shift = minus_identity && i == j ? 1 : 0;
      r(i, j) = std::max(magnitude(e.lo(i, j) - shift), magnitude(e.hi(i, j) - shift));
    }
  return r;
}

class LipschitzChecker {
 public:
  LipschitzChecker(const net::Network& net, std::vector<std::string>& steps) : net_(net), steps_(steps) {}

  std::string run(const json& c) {
    std::string name = c.value("norm", "");
    if (name == "1") norm_ = Norm::one;
    else if (name == "2") norm_ = Norm::two;
    else if (name == "inf") norm_ = Norm::inf;
    else fail("norm", "the norm must be \"1\", \"2\" or \"inf\"");
    Rational upper = rational(c, "upper", "claimed bounds"), lower = rational(c, "inverse_lower", "claimed bounds");
    require(lower >= 0, "claimed bounds", "inverse_lower is negative");
    facts_ = facts_of(net_);
    const json& e = field(c, "evidence", "evidence");
    std::string up = check_upper(field(e, "upper", "upper"), upper);
    std::string low = check_lower(field(e, "inverse_lower", "inverse_lower"), lower);
    std::string n = "||.||_" + name;
    return "for all x1, x2 in X, " + n + ": ||f(x1) - f(x2)|| <= " + arith::to_string(upper) + " ||x1 - x2|| (" +
           up + ") and >= " + arith::to_string(lower) + " ||x1 - x2|| (" + low + ")";
  }

 private:
  void pass(const std::string& step) { steps_.push_back(step); }

  static const json& field(const json& j, const char* key, const std::string& step) {
    if (!j.is_object() || !j.contains(key)) fail(step, std::string("missing field \"") + key + "\"");
    return j.at(key);
  }
  static Rational rational(const json& j, const char* key, const std::string& step) {
    const json& v = field(j, key, step);
    if (!v.is_string()) fail(step, std::string(key) + " is not an exact number string");
    try {
      return arith::parse_rational(v.get<std::string>());
    } catch (const std::exception&) {
      fail(step, std::string(key) + " is not an exact number: \"" + v.get<std::string>() + "\"");
    }
  }
  static Matrix matrix(const json& j, const char* key, const std::string& step) {
    try {
      return cert::matrix_from_json(field(j, key, step), key);
    } catch (const std::runtime_error& e) {
      fail(step, e.what());
    }
  }
  // The evidence's opposite pairs, each verified: an activation layer, two
  // distinct neurons used once, pre-activations exactly opposite.
  Pairs pairs(const json& e, const std::string& step) {
    Pairs out(net_.layers.size());
    for (std::size_t k = 0; k < net_.layers.size(); ++k) out[k].assign(facts_.slopes[k].size(), std::nullopt);
    if (!e.contains("pairs")) return out;
    const json& list = e.at("pairs");
    require(list.is_array(), step, "pairs is not a list");
    std::vector<std::vector<bool>> used(net_.layers.size());
    for (std::size_t k = 0; k < net_.layers.size(); ++k) used[k].assign(facts_.slopes[k].size(), false);
    std::optional<std::size_t> cached;
    std::pair<Matrix, Vector> pre;
    for (const json& p : list) {
      require(p.is_array() && p.size() == 3 && p[0].is_number_unsigned() && p[1].is_number_unsigned() &&
                  p[2].is_number_unsigned(),
              step, "a pair is not [layer, j, p]");
      std::size_t k = p[0].get<std::size_t>(), j = p[1].get<std::size_t>(), q = p[2].get<std::size_t>();
      require(k < net_.layers.size() && !facts_.slopes[k].empty(), step, "a pair's layer is not relu or leaky_relu");
      require(j < used[k].size() && q < used[k].size() && j != q && !used[k][j] && !used[k][q], step,
              "pair [" + std::to_string(k) + ", " + std::to_string(j) + ", " + std::to_string(q) +
                  "] names a neuron twice or out of range");
      if (cached != k) {
        pre = pre_activation(net_, k);
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
    pass(step + ": " + std::to_string(list.size()) + " opposite pairs");
    return out;
  }

  static void require_kind(bool no_pair, const std::string& step) {
    require(no_pair, step, "X has two distinct points, so \"no_pair\" proves nothing");
  }

  std::string check_upper(const json& e, const Rational& upper) {
    std::string kind = field(e, "kind", "upper").is_string() ? e.at("kind").get<std::string>() : "";
    std::string what;
    if (kind == "no_pair") {
      require_kind(facts_.free.empty(), "upper");
      what = "X is a single point";
    } else if (kind == "layer_product") {
      Rational p = factors(field(e, "factors", "upper"), "upper", true);
      require(p <= upper, "upper", "the product of the factors, " + arith::to_string(p) + ", exceeds the claim");
      what = "product of layer bounds";
    } else if (kind == "enclosure") {
      Matrix r =
          magnitude_bound(enclosure_of(net_, facts_, pairs(e, "upper"), Matrix::identity(net_.output_dim())), false);
      Rational bound = norm_ == Norm::two ? rational(e, "c", "upper") : exact_norm(r, norm_);
      require(norm_at_most(r, bound, norm_), "upper",
              "the enclosure R of the difference quotients has ||R|| above " + arith::to_string(bound));
      require(bound <= upper, "upper", "||R|| <= " + arith::to_string(bound) + " exceeds the claim");
      what = "interval enclosure of the difference quotients";
    } else {
      fail("upper", "unknown evidence kind \"" + kind + "\"");
    }
    pass("upper bound (" + what + ")");
    if (e.contains("attained")) {
      attained(e.at("attained"), upper, "upper attained");
      what += "; attained, so exact";
    }
    return what;
  }

  std::string check_lower(const json& e, const Rational& lower) {
    std::string kind = field(e, "kind", "inverse_lower").is_string() ? e.at("kind").get<std::string>() : "";
    std::string what;
    if (kind == "no_pair") {
      require_kind(facts_.free.empty(), "inverse_lower");
      what = "X is a single point";
    } else if (kind == "none") {
      require(lower == 0, "inverse_lower", "evidence \"none\" proves only 0");
      what = "nothing claimed";
    } else if (kind == "layer_composition") {
      Rational p = factors(field(e, "factors", "inverse_lower"), "inverse_lower", false);
      require(lower <= p, "inverse_lower",
              "the product of the moduli, " + arith::to_string(p) + ", is below the claim");
      what = "composition of layer moduli";
    } else if (kind == "jacobian_k") {
      what = jacobian_k(e, lower);
    } else {
      fail("inverse_lower", "unknown evidence kind \"" + kind + "\"");
    }
    pass("inverse_lower bound (" + what + ")");
    if (e.contains("attained")) {
      attained(e.at("attained"), lower, "inverse_lower attained");
      what += "; attained, so exact";
    }
    return what;
  }

  // One factor per layer, in order; upper: a Lipschitz constant of the
  // layer on its live coordinates, lower: a modulus there. Returns the product.
  Rational factors(const json& list, const std::string& side, bool upper) {
    require(list.is_array() && list.size() == net_.layers.size(), side,
            "expected one factor per layer (" + std::to_string(net_.layers.size()) + ")");
    Rational total = 1;
    for (std::size_t k = 0; k < net_.layers.size(); ++k) {
      const std::string step = side + ": layer " + std::to_string(k);
      const json& f = list[k];
      require(f.is_object() && f.value("layer", std::size_t(-1)) == k, step, "factors out of order");
      Rational b = rational(f, "bound", step);
      require(b >= 0, step, "a negative bound");
      const std::vector<std::size_t>&cols = facts_.cols[k], &rows = facts_.rows[k];
      if (const auto* d = std::get_if<net::Dense>(&net_.layers[k])) {
        Matrix w = block(d->weights, rows, cols);
        if (upper) {
          require(norm_at_most(w, b, norm_), step, "the layer's norm exceeds " + arith::to_string(b));
        } else if (!cols.empty() && b > 0) {
          if (norm_ == Norm::two) {
            require(semidefinite(gram_plus(w, -b * b)), step,
                    "W^T W - b^2 I is not positive semidefinite for b = " + arith::to_string(b));
          } else {
            // L W = I gives ||d|| = ||L W d|| <= ||L|| ||W d||.
            Matrix l = matrix(f, "left_inverse", step);
            require(l.cols() == w.rows() && l.rows() == w.cols() && l * w == Matrix::identity(w.cols()), step,
                    "left_inverse is not a left inverse of the layer's live block");
            require(b * exact_norm(l, norm_) <= 1, step, "the bound exceeds 1 / ||left_inverse||");
          }
        }
      } else if (!facts_.slopes[k].empty()) {
        for (std::size_t i : cols)
          require(upper ? facts_.slopes[k][i].hi <= b : b <= facts_.slopes[k][i].lo, step,
                  "neuron " + std::to_string(i) + "'s slope interval does not respect the bound");
      } else if (!cols.empty()) {
        require(upper ? b >= 1 : b <= 1, step, "an identity layer has the factor 1");
      }
      total *= b;
    }
    pass(side + ": " + std::to_string(net_.layers.size()) + " layer factors");
    return total;
  }

  // ||K M(s) - I|| <= q < 1 for every s gives ||K M d|| >= (1 - q) ||d||
  // and ||K M d|| <= ||K|| ||M d||: so m = (1 - q) / ||K||.
  std::string jacobian_k(const json& e, const Rational& lower) {
    const std::string step = "inverse_lower: K";
    Matrix k = matrix(e, "k", step);
    require(k.rows() == facts_.free.size() && k.cols() == net_.output_dim(), step,
            "K must be (free inputs) x (outputs)");
    Rational q = rational(e, "q", step), k_norm = rational(e, "k_norm", step);
    require(q < 1, step, "q is not below 1");
    require(norm_at_most(k, k_norm, norm_), step, "||K|| exceeds k_norm");
    require(k_norm > 0, step, "k_norm is not positive");
    Matrix r = magnitude_bound(enclosure_of(net_, facts_, pairs(e, step), k), true);
    require(norm_at_most(r, q, norm_), step, "the enclosure of K M(s) - I has a norm above q");
    require(lower * k_norm <= 1 - q, step, "the claim exceeds (1 - q) / k_norm");
    return "||K M(s) - I|| <= q < 1 over every slope vector";
  }

  // ||v||_p, or ||v||_2^2 for p = 2.
  Rational norm_power(const Vector& v) const {
    Rational s = 0;
    for (const Rational& x : v) {
      if (norm_ == Norm::one) s += magnitude(x);
      else if (norm_ == Norm::two) s += x * x;
      else s = std::max(s, magnitude(x));
    }
    return s;
  }

  void attained(const json& pair, const Rational& value, const std::string& step) {
    require(pair.is_array() && pair.size() == 2, step, "expected [x1, x2]");
    Vector x[2];
    for (int i = 0; i < 2; ++i) {
      try {
        x[i] = cert::vector_from_json(pair[i], "x");
      } catch (const std::runtime_error& e) {
        fail(step, e.what());
      }
      require(x[i].size() == net_.input_dim && net_.domain.contains(x[i]), step, "a point is not in X");
    }
    require(x[0] != x[1], step, "x1 = x2");
    Vector y1 = net::evaluate(net_, x[0]), y2 = net::evaluate(net_, x[1]), dx = x[0], dy = y1;
    for (std::size_t i = 0; i < dx.size(); ++i) dx[i] -= x[1][i];
    for (std::size_t i = 0; i < dy.size(); ++i) dy[i] -= y2[i];
    Rational factor = norm_ == Norm::two ? Rational(value * value) : value;
    require(norm_power(dy) == factor * norm_power(dx), step,
            "||f(x1) - f(x2)|| differs from the bound times ||x1 - x2|| (exact evaluation)");
    pass(step);
  }

  const net::Network& net_;
  std::vector<std::string>& steps_;
  Norm norm_ = Norm::inf;
  Facts facts_;
};

}  // namespace

std::string check_lipschitz(const net::Network& net, const json& certificate, std::vector<std::string>& steps) {
  return LipschitzChecker(net, steps).run(certificate);
}

}  // namespace nninv::check::detail
