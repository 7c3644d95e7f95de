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

#include "blocks_check.hpp"
#include "read.hpp"
#include "trees.hpp"
#include "nninv/cert/path_system.hpp"
#include "slopes.hpp"
#include "nninv/cert/certificate.hpp"

namespace nninv::check::detail {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using nlohmann::json;

namespace {

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

}  // namespace

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

namespace {


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

  static Rational rational(const json& j, const char* key, const std::string& step) {
    return read_rational(j, key, step);
  }
  static Matrix matrix(const json& j, const char* key, const std::string& step) {
    return read_matrix(field(j, key, step), key, step);
  }

  Pairs checked_pairs(const json& e, const std::string& step) {
    std::size_t count = 0;
    Pairs out = read_pairs(net_, facts_, e, "pairs", step, &count);
    if (e.contains("pairs")) pass(step + ": " + std::to_string(count) + " opposite pairs");
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
    } else if (kind == "region_tree") {
      // X is convex and covered by the tree's closed regions with an interior
      // (thin ones, proved so, lie in their union), on each of which f is the
      // region's affine map A x + c: a segment from x1 to x2 splits into pieces
      // inside such regions, so ||f(x1) - f(x2)|| <= max ||A|| ||x1 - x2||.
      std::size_t regions = 0, thin = 0;
      TreeStats stats;
      auto leaf = [&](const json& node, const cert::PathSystem& ps, const std::string& where) {
        require(node.is_object(), "upper", where + ": leaf is not an object");
        if (node.contains("thin")) {  // no interior point: covered by the full regions around it
          farkas_leaf(node.at("thin"), strict_system(ps.constraints()), "upper", where + "/thin", stats);
          ++thin;
          return;
        }
        Matrix a(net_.output_dim(), facts_.free.size());
        for (std::size_t k = 0; k < a.rows(); ++k)
          for (std::size_t j = 0; j < a.cols(); ++j) a(k, j) = ps.output(0, k).coeffs[facts_.free[j]];
        require(norm_at_most(a, upper, norm_), "upper", where + ": the region's map has norm above the claim");
        ++regions;
      };
      walk(field(e, "tree", "upper"), cert::PathSystem(net_, 1, stable_phases(e)), "region tree", 0, stats, leaf);
      pass("upper: region tree: " + std::to_string(regions) + " regions, each map of norm <= the claim, " +
           std::to_string(thin) + " thin ones, " + std::to_string(stats.leaves) + " Farkas leaves");
      what = "the largest norm of a linear region's map (region tree)";
    } else if (kind == "layer_product") {
      Rational p = factors(field(e, "factors", "upper"), "upper", true);
      require(p <= upper, "upper", "the product of the factors, " + arith::to_string(p) + ", exceeds the claim");
      what = "product of layer bounds";
    } else if (kind == "enclosure") {
      Matrix r =
          magnitude_bound(enclosure_of(net_, facts_, checked_pairs(e, "upper"), Matrix::identity(net_.output_dim())), false);
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
    } else if (kind == "blocks") {
      Rational m = check_blocks_modulus(net_, e, norm_, steps_);
      require(lower <= m, "inverse_lower",
              "the product of the blocks' moduli, " + arith::to_string(m) + ", is below the claim");
      what = "composition of bijective blocks (coupling, residual contraction)";
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
    Matrix r = magnitude_bound(enclosure_of(net_, facts_, checked_pairs(e, step), k), true);
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
