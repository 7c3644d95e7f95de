// Certified Lipschitz bounds (lipschitz.hpp; docs/architecture.md, "Lipschitz
// bounds"). Upper: min of the product of layer norms and the norm of an
// interval enclosure of every difference-quotient matrix M(s). Lower: max of
// the composition of layer moduli and (1 - q) / ||K|| for ||K M(s) - I|| <= q.
#include "nninv/analysis/lipschitz.hpp"

#include <gmp.h>

#include <algorithm>
#include <cmath>
#include <variant>

#include "nninv/analysis/bounds.hpp"
#include "nninv/analysis/jacobian_box.hpp"

namespace nninv::analysis {

using arith::Matrix;
using arith::Rational;
using arith::Vector;

const char* to_string(Norm norm) {
  switch (norm) {
    case Norm::one: return "1";
    case Norm::two: return "2";
    default: return "inf";
  }
}

std::optional<Norm> parse_norm(std::string_view text) {
  if (text == "1") return Norm::one;
  if (text == "2") return Norm::two;
  if (text == "inf") return Norm::inf;
  return std::nullopt;
}

namespace {

Rational magnitude(const Rational& v) { return v < 0 ? Rational(-v) : v; }

// ||w||_1 (largest absolute column sum) or ||w||_inf (largest absolute row sum).
Rational operator_norm(const Matrix& w, Norm norm) {
  Rational best = 0;
  bool rows = norm == Norm::inf;
  std::size_t outer = rows ? w.rows() : w.cols(), inner = rows ? w.cols() : w.rows();
  for (std::size_t a = 0; a < outer; ++a) {
    Rational sum = 0;
    for (std::size_t b = 0; b < inner; ++b) sum += magnitude(rows ? w(a, b) : w(b, a));
    best = std::max(best, sum);
  }
  return best;
}

bool is_zero_matrix(const Matrix& w) {
  for (std::size_t r = 0; r < w.rows(); ++r)
    if (!arith::is_zero(w.row(r))) return false;
  return true;
}

// The smaller of W^T W and W W^T (same nonzero eigenvalues).
Matrix small_gram(const Matrix& w) {
  Matrix t = arith::transpose(w);
  return w.rows() < w.cols() ? w * t : t * w;
}

std::vector<std::vector<double>> to_double(const Matrix& a) {
  std::vector<std::vector<double>> d(a.rows(), std::vector<double>(a.cols()));
  for (std::size_t r = 0; r < a.rows(); ++r)
    for (std::size_t c = 0; c < a.cols(); ++c) d[r][c] = a(r, c).get_d();
  return d;
}

// Eigenvalues of a symmetric matrix (cyclic Jacobi rotations), floating point:
// they only choose the 2-norm constants, which exact tests then decide.
std::vector<double> symmetric_eigenvalues(std::vector<std::vector<double>> a) {
  const std::size_t n = a.size();
  for (int sweep = 0; sweep < 60; ++sweep) {
    double off = 0, total = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) (i == j ? total : off) += a[i][j] * a[i][j];
    if (!(off > 1e-30 * (total + off))) break;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) {
        if (a[p][q] == 0) continue;
        double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (std::size_t k = 0; k < n; ++k) {  // columns p, q
          double akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < n; ++k) {  // rows p, q
          double apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
  }
  std::vector<double> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = a[i][i];
  return values;
}

// A dyadic with 30 significant bits next to v > 0 (up: >= v, down: <= v).
Rational dyadic(double v, bool up) {
  int exponent = 0;
  std::frexp(v, &exponent);
  double scaled = std::ldexp(v, 30 - exponent);
  Rational r(static_cast<long>(up ? std::ceil(scaled) : std::floor(scaled)));
  int shift = 30 - exponent;
  if (shift >= 0) mpq_div_2exp(r.get_mpq_t(), r.get_mpq_t(), static_cast<mp_bitcnt_t>(shift));
  else mpq_mul_2exp(r.get_mpq_t(), r.get_mpq_t(), static_cast<mp_bitcnt_t>(-shift));
  return r;
}

const double slack[] = {0x1p-20, 0x1p-12, 0x1p-6, 0x1p-2};

// b > 0 with W^T W - b^2 I positive definite (||W d||_2 >= b ||d||_2), just
// below sigma_min(W); 0 when none is found. Requires w.cols() > 0.
Rational spectral_modulus(const Matrix& w) {
  if (w.rows() < w.cols()) return 0;
  Matrix gram = arith::transpose(w) * w;
  std::vector<double> values = symmetric_eigenvalues(to_double(gram));
  double smallest = *std::min_element(values.begin(), values.end());
  if (!(smallest > 0) || !std::isfinite(smallest)) return 0;
  for (double e : slack) {
    double b = std::sqrt(smallest) * (1 - e);
    if (!(b > 0)) continue;
    Rational exact = dyadic(b, false);
    if (exact <= 0) continue;
    Matrix s = gram;
    for (std::size_t i = 0; i < s.rows(); ++i) s(i, i) -= exact * exact;
    if (positive_definite(s)) return exact;
  }
  return 0;
}

// ---- slopes and live coordinates -------------------------------------------

// [lo, hi] holds every difference quotient (sigma(a) - sigma(b)) / (a - b)
// of one neuron on X; lo >= 0 always.
struct Slope {
  Rational lo, hi;
  bool dead() const { return hi == 0; }
  bool fixed() const { return lo == hi; }
};
// Per layer (empty for dense and identity layers), per neuron.
using SlopeTable = std::vector<std::vector<Slope>>;

SlopeTable slope_table(const net::Network& net) {
  std::vector<std::vector<net::Interval>> bounds = interval_bounds(net);
  SlopeTable table(net.layers.size());
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    std::optional<Rational> negative = net::negative_slope(net.layers[k]);
    if (!negative) continue;
    Rational lo = std::min(*negative, Rational(1)), hi = std::max(*negative, Rational(1));
    for (const net::Interval& in : bounds[k]) {
      switch (phase_of(in)) {
        case Phase::active: table[k].push_back({1, 1}); break;
        case Phase::inactive: table[k].push_back({*negative, *negative}); break;
        default: table[k].push_back({lo, hi});
      }
    }
  }
  return table;
}

// Coordinates of each layer's input (cols) and output (rows) where
// f(x1) - f(x2) may be nonzero: the free inputs, then the rows of a dense
// layer whose neuron in the next activation (identity layers skipped) is not
// dead (relu inactive on X: output constant 0), then an activation's live
// inputs that are not dead.
struct LiveCoordinates {
  std::vector<std::vector<std::size_t>> cols, rows;
};

LiveCoordinates live_coordinates(const net::Network& net, const SlopeTable& slopes) {
  LiveCoordinates live;
  std::vector<std::size_t> current = net.domain.free_coordinates();
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    live.cols.push_back(current);
    std::vector<std::size_t> next;
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      std::size_t a = k + 1;
      while (a < net.layers.size() && std::holds_alternative<net::Identity>(net.layers[a])) ++a;
      bool activation = a < net.layers.size() && !slopes[a].empty();
      for (std::size_t i = 0; i < d->weights.rows(); ++i)
        if (!activation || !slopes[a][i].dead()) next.push_back(i);
    } else if (!slopes[k].empty()) {
      for (std::size_t i : current)
        if (!slopes[k][i].dead()) next.push_back(i);
    } else {
      next = current;
    }
    live.rows.push_back(next);
    current = std::move(next);
  }
  return live;
}

Matrix block(const Matrix& w, const std::vector<std::size_t>& rows, const std::vector<std::size_t>& cols) {
  Matrix b(rows.size(), cols.size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < cols.size(); ++c) b(r, c) = w(rows[r], cols[c]);
  return b;
}

// ---- source 1 and 3a: products over the layers ------------------------------

struct Product {
  Rational value = 1;
  std::vector<LayerFactor> factors;
};

Product layer_product(const net::Network& net, Norm norm, const SlopeTable& slopes, const LiveCoordinates& live) {
  Product p;
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    LayerFactor f{k, 1, std::nullopt};
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      Matrix w = block(d->weights, live.rows[k], live.cols[k]);
      f.bound = norm_upper(w, norm);
    } else if (!slopes[k].empty()) {
      f.bound = 0;
      for (std::size_t i : live.cols[k]) f.bound = std::max(f.bound, slopes[k][i].hi);
    }
    p.value *= f.bound;
    p.factors.push_back(std::move(f));
  }
  return p;
}

Product layer_composition(const net::Network& net, Norm norm, const SlopeTable& slopes, const LiveCoordinates& live) {
  Product p;
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    LayerFactor f{k, 1, std::nullopt};
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      Matrix w = block(d->weights, live.rows[k], live.cols[k]);
      if (w.cols() == 0) {
        f.bound = 1;  // no coordinate can differ here: any modulus holds
      } else if (norm == Norm::two) {
        f.bound = spectral_modulus(w);
      } else if (std::optional<Matrix> l = arith::left_inverse(w)) {
        f.bound = 1 / operator_norm(*l, norm);
        f.left_inverse = std::move(*l);
      } else {
        f.bound = 0;
      }
    } else if (!slopes[k].empty() && !live.cols[k].empty()) {
      f.bound = slopes[k][live.cols[k][0]].lo;
      for (std::size_t i : live.cols[k]) f.bound = std::min(f.bound, slopes[k][i].lo);
    }
    p.value *= f.bound;
    p.factors.push_back(std::move(f));
  }
  return p;
}

// ---- source 2 and 3b: interval enclosures of P M(s) ---------------------------

struct Enclosure {
  Matrix lo, hi;
};

// [lo, hi] * [s.lo, s.hi] with s.lo >= 0.
void scale(Rational& lo, Rational& hi, const Slope& s) {
  if (s.fixed()) {
    lo *= s.lo;
    hi *= s.lo;
  } else if (lo >= 0) {
    lo *= s.lo;
    hi *= s.hi;
  } else if (hi <= 0) {
    lo *= s.hi;
    hi *= s.lo;
  } else {
    lo *= s.hi;
    hi *= s.hi;
  }
}

// w T for an exact w.
Enclosure times_left(const Matrix& w, const Enclosure& t) {
  Enclosure out{Matrix(w.rows(), t.lo.cols()), Matrix(w.rows(), t.lo.cols())};
  for (std::size_t i = 0; i < w.rows(); ++i)
    for (std::size_t q = 0; q < w.cols(); ++q) {
      const Rational& v = w(i, q);
      if (v == 0) continue;
      for (std::size_t j = 0; j < t.lo.cols(); ++j) {
        out.lo(i, j) += v * (v > 0 ? t.lo(q, j) : t.hi(q, j));
        out.hi(i, j) += v * (v > 0 ? t.hi(q, j) : t.lo(q, j));
      }
    }
  return out;
}

// T w for an exact w.
Enclosure times_right(const Enclosure& t, const Matrix& w) {
  Enclosure out{Matrix(t.lo.rows(), w.cols()), Matrix(t.lo.rows(), w.cols())};
  for (std::size_t i = 0; i < t.lo.rows(); ++i)
    for (std::size_t q = 0; q < w.rows(); ++q) {
      const Rational &a = t.lo(i, q), &b = t.hi(i, q);
      if (a == 0 && b == 0) continue;
      for (std::size_t j = 0; j < w.cols(); ++j) {
        const Rational& v = w(q, j);
        if (v == 0) continue;
        out.lo(i, j) += v * (v > 0 ? a : b);
        out.hi(i, j) += v * (v > 0 ? b : a);
      }
    }
  return out;
}

// Every M(s) (m x free), propagated from the input: T <- W T, T <- D(s) T.
Enclosure forward_enclosure(const net::Network& net, const SlopeTable& slopes) {
  std::vector<std::size_t> free = net.domain.free_coordinates();
  Matrix start(net.input_dim, free.size());
  for (std::size_t j = 0; j < free.size(); ++j) start(free[j], j) = 1;
  Enclosure t{start, start};
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      t = times_left(d->weights, t);
    } else {
      for (std::size_t i = 0; i < slopes[k].size(); ++i)
        for (std::size_t j = 0; j < t.lo.cols(); ++j) scale(t.lo(i, j), t.hi(i, j), slopes[k][i]);
    }
  }
  return t;
}

// Per activation layer, per neuron: the partner of an opposite pair (z_p =
// -z_j exactly, jacobian_box.hpp's opposite_pairs), among neurons whose
// slope is not fixed.
using Partners = std::vector<std::vector<std::optional<std::size_t>>>;

Partners partners_of(const net::Network& net, const SlopeTable& slopes) {
  std::vector<std::vector<bool>> candidates(net.layers.size());
  for (std::size_t k = 0; k < net.layers.size(); ++k)
    for (const Slope& s : slopes[k]) candidates[k].push_back(!s.fixed());
  return opposite_pairs(net, candidates);
}

// Every P M(s), propagated from the output: T <- T W, T <- T D(s). An
// opposite pair (j, p) has slopes with s_j + s_p = 1 + a (a the negative
// slope: sigma(z) - sigma(-z) = (1 + a) z), and the rows of the affine map
// before the layer are opposite, so its two columns act as the one column
// (T_j + T_p) s_j - (1 + a) T_p on row j (column p becomes 0): the skip
// x = relu(x) - relu(-x) of a residual block stays exactly the identity.
Enclosure backward_enclosure(const net::Network& net, const SlopeTable& slopes, const Partners& partners,
                             const Matrix& p) {
  Enclosure t{p, p};
  for (std::size_t k = net.layers.size(); k-- > 0;) {
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      t = times_right(t, d->weights);
      continue;
    }
    if (slopes[k].empty()) continue;
    Rational sum = 1 + *net::negative_slope(net.layers[k]);
    std::vector<bool> merged(slopes[k].size(), false);
    for (std::size_t j = 0; j < slopes[k].size(); ++j) {
      if (merged[j]) continue;
      // The partner, or j itself when there is none (a plain column).
      std::size_t q = j;
      if (k < partners.size() && j < partners[k].size() && partners[k][j]) q = *partners[k][j];
      for (std::size_t i = 0; i < t.lo.rows(); ++i) {
        if (q == j) {
          scale(t.lo(i, j), t.hi(i, j), slopes[k][j]);
          continue;
        }
        Rational lo = t.lo(i, j) + t.lo(i, q), hi = t.hi(i, j) + t.hi(i, q);
        scale(lo, hi, slopes[k][j]);
        t.lo(i, j) = lo - sum * t.hi(i, q);
        t.hi(i, j) = hi - sum * t.lo(i, q);
        t.lo(i, q) = t.hi(i, q) = 0;
      }
      merged[q] = true;
    }
  }
  std::vector<std::size_t> free = net.domain.free_coordinates();
  return {arith::select_columns(t.lo, free), arith::select_columns(t.hi, free)};
}

// The intersection of the two enclosures of {P M(s)}: both hold every P M(s).
Enclosure enclosure(const net::Network& net, const SlopeTable& slopes, const Partners& partners,
                    const Enclosure& forward, const Matrix& p) {
  Enclosure back = backward_enclosure(net, slopes, partners, p);
  Enclosure front = times_left(p, forward);
  for (std::size_t i = 0; i < back.lo.rows(); ++i)
    for (std::size_t j = 0; j < back.lo.cols(); ++j) {
      back.lo(i, j) = std::max(back.lo(i, j), front.lo(i, j));
      back.hi(i, j) = std::min(back.hi(i, j), front.hi(i, j));
    }
  return back;
}

// R with |E - shift I| <= R entrywise for every E in the enclosure.
Matrix magnitude_bound(const Enclosure& e, bool minus_identity) {
  Matrix r(e.lo.rows(), e.lo.cols());
  for (std::size_t i = 0; i < r.rows(); ++i)
    for (std::size_t j = 0; j < r.cols(); ++j) {
      Rational delta = minus_identity && i == j ? 1 : 0;
      r(i, j) = std::max(magnitude(e.lo(i, j) - delta), magnitude(e.hi(i, j) - delta));
    }
  return r;
}

// Multiply-adds of the forward pass and of one backward pass with `rows` rows.
double enclosure_work(const net::Network& net, std::size_t rows) {
  double n = static_cast<double>(net.domain.free_coordinates().size()), dense = 0, m = double(net.output_dim());
  for (const net::Layer& l : net.layers)
    if (const auto* d = std::get_if<net::Dense>(&l)) dense += double(d->weights.rows()) * double(d->weights.cols());
  return (n + double(rows)) * dense + double(rows) * m * n;
}

// M at the centre slopes, floating point; then (M^T M)^-1 M^T rounded to
// multiples of 2^-24 (any K is sound; floating point only chooses it).
std::optional<Matrix> float_left_inverse_at_centre(const net::Network& net, const SlopeTable& slopes) {
  std::vector<std::size_t> free = net.domain.free_coordinates();
  const std::size_t n = free.size();
  std::vector<std::vector<double>> m(net.input_dim, std::vector<double>(n, 0.0));
  for (std::size_t j = 0; j < n; ++j) m[free[j]][j] = 1;
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      std::vector<std::vector<double>> next(d->weights.rows(), std::vector<double>(n, 0.0));
      for (std::size_t r = 0; r < d->weights.rows(); ++r)
        for (std::size_t q = 0; q < d->weights.cols(); ++q) {
          double w = d->weights(r, q).get_d();
          if (w != 0)
            for (std::size_t j = 0; j < n; ++j) next[r][j] += w * m[q][j];
        }
      m = std::move(next);
    } else {
      for (std::size_t i = 0; i < slopes[k].size(); ++i) {
        double s = Rational((slopes[k][i].lo + slopes[k][i].hi) / 2).get_d();
        for (double& v : m[i]) v *= s;
      }
    }
  }
  const std::size_t rows = m.size();
  std::vector<std::vector<double>> g(n, std::vector<double>(n + rows, 0.0));  // [M^T M | M^T]
  double scale_of = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t r = 0; r < rows; ++r) g[i][j] += m[r][i] * m[r][j];
      scale_of = std::max(scale_of, std::fabs(g[i][j]));
    }
    for (std::size_t r = 0; r < rows; ++r) g[i][n + r] = m[r][i];
  }
  if (!(scale_of > 0) || !std::isfinite(scale_of)) return std::nullopt;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::fabs(g[r][c]) > std::fabs(g[pivot][c])) pivot = r;
    if (std::fabs(g[pivot][c]) <= 1e-12 * scale_of) return std::nullopt;
    std::swap(g[c], g[pivot]);
    double inv = 1 / g[c][c];
    for (double& v : g[c]) v *= inv;
    for (std::size_t r = 0; r < n; ++r) {
      if (r == c || g[r][c] == 0) continue;
      double f = g[r][c];
      for (std::size_t j = 0; j < n + rows; ++j) g[r][j] -= f * g[c][j];
    }
  }
  Matrix k(n, rows);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t r = 0; r < rows; ++r) {
      double v = std::ldexp(g[i][n + r], 24);
      if (!std::isfinite(v) || std::fabs(v) > 9.0e15) return std::nullopt;
      k(i, r) = Rational(static_cast<long>(std::llround(v)));
      mpq_div_2exp(k(i, r).get_mpq_t(), k(i, r).get_mpq_t(), 24);
    }
  return k;
}


// ---- exactness: checked pairs --------------------------------------------------

// ||v||_p^2 for p = 2, else ||v||_p (kept rational).
Rational norm_power(const Vector& v, Norm norm) {
  Rational s = 0;
  for (const Rational& x : v) {
    if (norm == Norm::one) s += magnitude(x);
    else if (norm == Norm::two) s += x * x;
    else s = std::max(s, magnitude(x));
  }
  return s;
}

// x1 != x2 in X with ||f(x1) - f(x2)|| = value ||x1 - x2||, exactly.
bool attains(const net::Network& net, Norm norm, const Vector& x1, const Vector& x2, const Rational& value) {
  if (x1 == x2 || !net.domain.contains(x1) || !net.domain.contains(x2)) return false;
  Vector y1 = net::evaluate(net, x1), y2 = net::evaluate(net, x2), dy(y1.size()), dx(x1.size());
  for (std::size_t i = 0; i < y1.size(); ++i) dy[i] = y1[i] - y2[i];
  for (std::size_t i = 0; i < x1.size(); ++i) dx[i] = x1[i] - x2[i];
  Rational factor = norm == Norm::two ? Rational(value * value) : value;
  return norm_power(dy, norm) == factor * norm_power(dx, norm);
}

// An interior point c of X and r > 0 with c +- r e_i in X for every free i.
std::pair<Vector, Rational> interior_point(const net::Box& box) {
  Vector c(box.dim());
  std::optional<Rational> r;
  for (std::size_t i = 0; i < box.dim(); ++i) {
    const net::Interval& s = box.sides[i];
    Rational room = 1;
    if (s.lower && s.upper) {
      c[i] = (*s.lower + *s.upper) / 2;
      room = (*s.upper - *s.lower) / 2;
    } else if (s.lower) {
      c[i] = *s.lower + 1;
    } else if (s.upper) {
      c[i] = *s.upper - 1;
    }
    if (s.is_point()) continue;
    if (!r || room < *r) r = room;
  }
  return {c, r.value_or(Rational(1))};
}

// The pair c, c + t d (d over the free coordinates, t so that the step stays in X).
std::pair<Vector, Vector> pair_along(const net::Network& net, const Vector& d) {
  auto [c, room] = interior_point(net.domain);
  Rational top = norm_power(d, Norm::inf);
  Vector x2 = c;
  std::vector<std::size_t> free = net.domain.free_coordinates();
  for (std::size_t j = 0; j < free.size(); ++j) x2[free[j]] += room * d[j] / top;
  return {c, x2};
}

// Candidate directions for ||a d|| / ||d|| = ||a||_p (p = 1, inf; for p = 2
// the unit vectors, which attain it when a column has the largest norm).
std::vector<Vector> norm_directions(const Matrix& a, Norm norm) {
  std::vector<Vector> out;
  if (norm == Norm::inf) {
    std::size_t best = 0;
    Rational best_sum = -1;
    for (std::size_t i = 0; i < a.rows(); ++i) {
      Rational sum = 0;
      for (std::size_t j = 0; j < a.cols(); ++j) sum += magnitude(a(i, j));
      if (sum > best_sum) {
        best = i;
        best_sum = sum;
      }
    }
    Vector d(a.cols(), 0);
    for (std::size_t j = 0; j < a.cols() && a.rows() > 0; ++j) d[j] = sgn(a(best, j));
    if (arith::is_zero(d) && !d.empty()) d[0] = 1;
    out.push_back(d);
  } else {
    for (std::size_t j = 0; j < a.cols(); ++j) {
      Vector d(a.cols(), 0);
      d[j] = 1;
      out.push_back(d);
    }
  }
  return out;
}

}  // namespace

Rational norm_upper(const Matrix& w, Norm norm) {
  return norm == Norm::two ? spectral_norm_upper(w) : operator_norm(w, norm);
}

bool positive_definite(Matrix s) {
  const std::size_t n = s.rows();
  for (std::size_t k = 0; k < n; ++k) {
    const Rational pivot = s(k, k);
    if (pivot <= 0) return false;
    for (std::size_t i = k + 1; i < n; ++i) {
      if (s(i, k) == 0) continue;
      Rational f = s(i, k) / pivot;
      for (std::size_t j = k + 1; j < n; ++j)
        if (s(k, j) != 0) s(i, j) -= f * s(k, j);
    }
  }
  return true;
}

bool positive_semidefinite(Matrix s) {
  const std::size_t n = s.rows();
  for (std::size_t k = 0; k < n; ++k) {
    const Rational pivot = s(k, k);
    if (pivot < 0) return false;
    if (pivot == 0) {
      // A PSD matrix with a zero diagonal entry has that row and column zero.
      for (std::size_t j = k + 1; j < n; ++j)
        if (s(k, j) != 0) return false;
      continue;
    }
    for (std::size_t i = k + 1; i < n; ++i) {
      if (s(i, k) == 0) continue;
      Rational f = s(i, k) / pivot;
      for (std::size_t j = k + 1; j < n; ++j)
        if (s(k, j) != 0) s(i, j) -= f * s(k, j);
    }
  }
  return true;
}

bool spectral_norm_at_most(const Matrix& w, const Rational& c) {
  if (c < 0) return false;
  if (is_zero_matrix(w)) return true;
  if (c == 0) return false;
  Matrix s = small_gram(w);
  for (std::size_t i = 0; i < s.rows(); ++i)
    for (std::size_t j = 0; j < s.cols(); ++j) s(i, j) = (i == j ? Rational(c * c) : Rational(0)) - s(i, j);
  return positive_semidefinite(s);
}

Rational spectral_norm_upper(const Matrix& w) {
  if (is_zero_matrix(w)) return 0;
  std::vector<double> values = symmetric_eigenvalues(to_double(small_gram(w)));
  double largest = *std::max_element(values.begin(), values.end());
  if (largest > 0 && std::isfinite(largest))
    for (double e : slack) {
      Rational c = dyadic(std::sqrt(largest) * (1 + e), true);
      if (spectral_norm_at_most(w, c)) return c;
    }
  // Fallback: c^2 > ||W||_F^2 >= sigma_max^2, strictly, so the exact test passes.
  Rational frobenius = 0;
  for (std::size_t r = 0; r < w.rows(); ++r)
    for (std::size_t j = 0; j < w.cols(); ++j) frobenius += w(r, j) * w(r, j);
  double f = std::sqrt(frobenius.get_d());
  Rational c = f > 0 && std::isfinite(f) ? dyadic(f, true) : Rational(1);
  while (c * c <= frobenius) c *= 2;
  return c;
}

LipschitzResult lipschitz_bounds(const net::Network& net, Norm norm, const std::function<bool()>& stop,
                                 std::size_t max_work) {
  LipschitzResult result;
  result.norm = norm;
  auto stopped = [&] {
    if (stop && stop()) result.complete = false;
    return !result.complete;
  };
  LipschitzEvidence& ev = result.evidence;
  std::vector<std::size_t> free = net.domain.free_coordinates();
  if (free.empty()) {
    ev.upper_source = ev.lower_source = "no_pair";
    result.upper_method = result.lower_method = "X is a single point: there is no pair x1 != x2, any bound holds";
    return result;
  }
  const SlopeTable slopes = slope_table(net);
  const LiveCoordinates live = live_coordinates(net, slopes);

  // Upper, source 1: the product of the layers' norms.
  Product product = layer_product(net, norm, slopes, live);
  result.sources.layer_product = product.value;
  result.upper = product.value;
  ev.upper_source = "layer_product";
  ev.upper_factors = product.factors;
  result.upper_method = norm == Norm::two
                            ? "product of the layers' 2-norm bounds c (c^2 I - W^T W positive semidefinite, exact LDL^T) "
                              "and activation slopes, on the coordinates that can differ"
                            : "product of the layers' exact operator norms and activation slopes, on the coordinates "
                              "that can differ";

  // Lower, source 3a: the composition of the layers' moduli.
  Product composition = layer_composition(net, norm, slopes, live);
  result.sources.layer_composition = composition.value;
  ev.lower_source = "none";
  result.lower_method = "no source proves a positive modulus";
  if (composition.value > 0) {
    result.inverse_lower = composition.value;
    ev.lower_source = "layer_composition";
    ev.lower_factors = composition.factors;
    result.lower_method = "composition of the layers' moduli: exact left inverses L of the dense layers "
                          "(||W d|| >= ||d|| / ||L||) and the smallest activation slopes";
  }
  if (stopped()) return result;

  // Upper, source 2: the enclosure of every M(s).
  bool affine = true;
  for (const auto& layer : slopes)
    for (const Slope& s : layer) affine = affine && s.fixed();
  const std::size_t m = net.output_dim(), n = free.size();
  std::optional<Enclosure> forward;
  Partners partners;
  if (enclosure_work(net, m + n) <= double(max_work)) {
    partners = partners_of(net, slopes);
    for (std::size_t k = 0; k < partners.size(); ++k)
      for (std::size_t j = 0; j < partners[k].size(); ++j)
        if (partners[k][j]) ev.pairs.push_back({k, j, *partners[k][j]});
    forward = forward_enclosure(net, slopes);
    Matrix r = magnitude_bound(enclosure(net, slopes, partners, *forward, Matrix::identity(m)), false);
    Rational bound = norm_upper(r, norm);
    result.sources.enclosure = bound;
    if (bound < result.upper) {
      result.upper = bound;
      ev.upper_source = "enclosure";
      ev.upper_factors.clear();
      if (norm == Norm::two) ev.upper_c = bound;
      result.upper_method = "difference quotients: f(x1) - f(x2) = M(s) (x1 - x2) with every slope in its "
                            "interval; an exact interval enclosure R >= |M(s)| bounds ||M(s)||";
    }
  }
  if (stopped()) return result;

  // Lower, source 3b: ||K M(s) - I|| <= q < 1 for a fixed K.
  std::optional<Matrix> k;
  if (forward && m >= n) {
    if (affine) k = arith::left_inverse(forward->lo);
    else k = float_left_inverse_at_centre(net, slopes);
  }
  // K = I as well for square nets: for x + g(x) it proves 1 - ||g's
  // enclosure||, which a K chosen at the centre slopes may miss.
  std::vector<Matrix> candidates;
  if (k) candidates.push_back(std::move(*k));
  if (forward && m == n && !affine) candidates.push_back(Matrix::identity(n));
  for (const Matrix& kk : candidates) {
    if (stopped()) return result;
    Matrix r = magnitude_bound(enclosure(net, slopes, partners, *forward, kk), true);
    Rational q = norm_upper(r, norm), k_norm = norm_upper(kk, norm);
    if (q < 1 && k_norm > 0) {
      Rational bound = (1 - q) / k_norm;
      if (!result.sources.jacobian_k || bound > *result.sources.jacobian_k) result.sources.jacobian_k = bound;
      if (bound > result.inverse_lower) {
        result.inverse_lower = bound;
        ev.lower_source = "jacobian_k";
        ev.lower_factors.clear();
        ev.k = kk;
        ev.q = q;
        ev.k_norm = k_norm;
        result.lower_method = "||K M(s) - I|| <= q < 1 for every slope vector s (exact interval enclosure), so "
                              "||f(x1) - f(x2)|| >= (1 - q) / ||K|| ||x1 - x2||";
      }
    }
  }
  if (stopped()) return result;

  // Exactness: a pair x1 != x2 that attains a proved bound, checked exactly.
  // Here f is affine on X with matrix A (every slope fixed); exact values of
  // nonaffine nets (region enumeration) would plug in at this point, with
  // the same `attains` check deciding.
  if (affine && forward) {
    const Matrix& a = forward->lo;
    for (const Vector& d : norm_directions(a, norm)) {
      auto [x1, x2] = pair_along(net, d);
      if (attains(net, norm, x1, x2, result.upper)) {
        result.upper_exact = true;
        result.upper_attained = {x1, x2};
        result.upper_method += "; exact: attained by a pair of points (checked exactly)";
        break;
      }
    }
    std::optional<Matrix> inverse = a.rows() == a.cols() ? arith::inverse(a) : std::nullopt;
    if (inverse && result.inverse_lower > 0) {
      for (const Vector& v : norm_directions(*inverse, norm)) {
        auto [x1, x2] = pair_along(net, *inverse * v);
        if (attains(net, norm, x1, x2, result.inverse_lower)) {
          result.inverse_lower_exact = true;
          result.lower_attained = {x1, x2};
          result.lower_method += "; exact: attained by a pair of points (checked exactly)";
          break;
        }
      }
    }
  }
  return result;
}

}  // namespace nninv::analysis
