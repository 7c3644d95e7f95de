// The interval Jacobian norm (jacobian_norm.hpp).
#include "nninv/analysis/jacobian_norm.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "nninv/analysis/bounds.hpp"
#include "nninv/analysis/jacobian_box.hpp"

namespace nninv::analysis {

using arith::Matrix;
using arith::Rational;

namespace {

// Per activation layer and neuron: the slope interval (a point when interval
// bounds fix the phase on X), and the opposite pairs among the unstable ones.
struct Slopes {
  std::vector<std::vector<std::pair<Rational, Rational>>> range;
  std::vector<std::vector<std::optional<std::size_t>>> partner;  // first of a pair -> second
  std::vector<std::vector<bool>> second;                         // the second of a pair
  std::size_t unstable = 0, pairs = 0;
};

Slopes slopes_of(const net::Network& net) {
  Slopes s;
  SlopeRanges ranges = slope_ranges(net);
  s.range = std::move(ranges.range);
  s.unstable = ranges.unstable_count;
  std::vector<std::vector<bool>>& candidates = ranges.unstable;
  s.partner = opposite_pairs(net, candidates);
  s.second.resize(net.layers.size());
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    s.second[k].assign(s.partner[k].size(), false);
    for (const auto& p : s.partner[k])
      if (p) {
        s.second[k][*p] = true;
        ++s.pairs;
      }
  }
  return s;
}

template <class Num>
Num convert(const Rational& q) {
  if constexpr (std::is_same_v<Num, double>) return q.get_d();
  else return q;
}

template <class Num>
Num absolute(const Num& v) {
  return v < 0 ? Num(-v) : v;
}

// An interval matrix, row-major.
template <class Num>
struct Enclosure {
  std::size_t rows = 0, cols = 0;
  std::vector<Num> lo, hi;
  Enclosure(std::size_t r, std::size_t c) : rows(r), cols(c), lo(r * c), hi(r * c) {}
};

// [a, b] * w for a scalar w.
template <class Num>
void add_scaled(Num& lo, Num& hi, const Num& a, const Num& b, const Num& w) {
  if (w >= 0) {
    lo += w * a;
    hi += w * b;
  } else {
    lo += w * b;
    hi += w * a;
  }
}

// [a, b] * [c, d].
template <class Num>
std::pair<Num, Num> product(const Num& a, const Num& b, const Num& c, const Num& d) {
  Num p[4] = {a * c, a * d, b * c, b * d};
  return {*std::min_element(p, p + 4), *std::max_element(p, p + 4)};
}

// Multiply-adds of the interval products (n rows of K through every layer)
// and of the floating-point left inverse (n x n normal equations from m
// outputs): the stage is skipped past a limit, whatever the layer types.
// Saturating: a crafted network cannot wrap the estimate around to a small number.
std::size_t times(std::size_t a, std::size_t b) {
  std::size_t product;
  return __builtin_mul_overflow(a, b, &product) ? SIZE_MAX : product;
}
std::size_t plus(std::size_t a, std::size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

std::size_t work_of(const net::Network& net, std::size_t n) {
  std::size_t work = times(times(n, n), plus(net.output_dim(), n));
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k]))
      work = plus(work, times(n, times(d->weights.rows(), d->weights.cols())));
    else
      work = plus(work, times(n, net.width_after(k + 1)));
  }
  return work;
}

// R: the entrywise bound max(|lo|, |hi|) of the enclosure of K M(s) - I over
// all slopes s (exact for Rational; an estimate for double, used only to
// choose the weights and whether to compute it exactly).
template <class Num>
std::vector<std::vector<Num>> radius_matrix(const net::Network& net, const Slopes& s, const Matrix& k, const std::vector<std::size_t>& free) {
  const std::size_t n = k.rows();
  Enclosure<Num> t(n, k.cols());
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < k.cols(); ++j) t.lo[i * t.cols + j] = t.hi[i * t.cols + j] = convert<Num>(k(i, j));
  for (std::size_t layer = net.layers.size(); layer-- > 0;) {
    const net::Layer& l = net.layers[layer];
    if (const auto* d = std::get_if<net::Dense>(&l)) {  // T <- T W
      const Matrix& w = d->weights;
      Enclosure<Num> next(n, w.cols());
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t q = 0; q < w.rows(); ++q) {
          const Num& a = t.lo[i * t.cols + q];
          const Num& b = t.hi[i * t.cols + q];
          if (a == 0 && b == 0) continue;
          for (std::size_t j = 0; j < w.cols(); ++j) {
            if (w(q, j) == 0) continue;
            add_scaled(next.lo[i * next.cols + j], next.hi[i * next.cols + j], a, b, convert<Num>(w(q, j)));
          }
        }
      t = std::move(next);
    } else if (net::negative_slope(l)) {  // T <- T D(s), opposite pairs folded into one column
      for (std::size_t q = 0; q < t.cols; ++q) {
        if (s.second[layer][q]) continue;
        const Num lo = convert<Num>(s.range[layer][q].first), hi = convert<Num>(s.range[layer][q].second);
        const auto& p = s.partner[layer][q];
        for (std::size_t i = 0; i < n; ++i) {
          Num& a = t.lo[i * t.cols + q];
          Num& b = t.hi[i * t.cols + q];
          if (p) {  // t (T_q + T_p) - (lo + hi) T_p
            const Num pa = t.lo[i * t.cols + *p], pb = t.hi[i * t.cols + *p];
            auto [ma, mb] = product<Num>(lo, hi, a + pa, b + pb);
            Num sum = lo + hi, ra = 0, rb = 0;
            add_scaled(ra, rb, pa, pb, Num(-sum));
            a = ma + ra;
            b = mb + rb;
          } else {
            auto [ma, mb] = product<Num>(a, b, lo, hi);
            a = ma;
            b = mb;
          }
        }
        if (p)
          for (std::size_t i = 0; i < n; ++i) t.lo[i * t.cols + *p] = t.hi[i * t.cols + *p] = 0;
      }
    }
  }
  std::vector<std::vector<Num>> r(n, std::vector<Num>(free.size()));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < free.size(); ++j) {
      Num delta = (i == j) ? Num(1) : Num(0);
      Num a = t.lo[i * t.cols + free[j]] - delta, b = t.hi[i * t.cols + free[j]] - delta;
      r[i][j] = std::max(absolute(a), absolute(b));
    }
  return r;
}

// max_i (sum_j R_ij u_j) / u_i: the norm of every matrix |E| <= R induced by
// the weighted max-norm |x|_u = max_i |x_i| / u_i.
template <class Num>
Num weighted_bound(const std::vector<std::vector<Num>>& r, const std::vector<Num>& u) {
  Num bound = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    Num row = 0;
    for (std::size_t j = 0; j < u.size(); ++j) row += r[i][j] * u[j];
    bound = std::max(bound, Num(row / u[i]));
  }
  return bound;
}

// Weights for the bound: a positive approximation of the Perron vector of R
// (power iteration), which makes the weighted norm close to the spectral
// radius of R, the best any weights can do; all ones when R is near zero.
std::vector<double> perron_weights(const std::vector<std::vector<double>>& r) {
  const std::size_t n = r.size();
  std::vector<double> u(n, 1.0);
  for (int iteration = 0; iteration < 200; ++iteration) {
    std::vector<double> next(n, 0.0);
    double top = 0;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) next[i] += r[i][j] * u[j];
      next[i] += 1e-6 * u[i];  // keeps every weight positive
      top = std::max(top, next[i]);
    }
    if (!(top > 0) || !std::isfinite(top)) return std::vector<double>(n, 1.0);
    for (double& v : next) v /= top;
    u = std::move(next);
  }
  return u;
}

// M at the center slopes, in floating point (m x n, free columns).
std::vector<std::vector<double>> center_jacobian(const net::Network& net, const Slopes& s,
                                                 const std::vector<std::size_t>& free) {
  std::vector<std::vector<double>> m(net.input_dim, std::vector<double>(free.size(), 0.0));
  for (std::size_t j = 0; j < free.size(); ++j) m[free[j]][j] = 1.0;
  for (std::size_t layer = 0; layer < net.layers.size(); ++layer) {
    const net::Layer& l = net.layers[layer];
    if (const auto* d = std::get_if<net::Dense>(&l)) {
      std::vector<std::vector<double>> next(d->weights.rows(), std::vector<double>(free.size(), 0.0));
      for (std::size_t r = 0; r < d->weights.rows(); ++r)
        for (std::size_t q = 0; q < d->weights.cols(); ++q) {
          double w = d->weights(r, q).get_d();
          if (w == 0) continue;
          for (std::size_t j = 0; j < free.size(); ++j) next[r][j] += w * m[q][j];
        }
      m = std::move(next);
    } else if (net::negative_slope(l)) {
      for (std::size_t r = 0; r < m.size(); ++r) {
        double slope = Rational((s.range[layer][r].first + s.range[layer][r].second) / 2).get_d();
        for (double& v : m[r]) v *= slope;
      }
    }
  }
  return m;
}

// A left inverse of the m x n matrix a (m >= n) in floating point:
// (a^T a)^-1 a^T, by Gauss-Jordan elimination with partial pivoting; nothing
// when a^T a is numerically singular.
std::optional<std::vector<std::vector<double>>> float_left_inverse(const std::vector<std::vector<double>>& a) {
  const std::size_t m = a.size(), n = a.empty() ? 0 : a[0].size();
  std::vector<std::vector<double>> g(n, std::vector<double>(n + m, 0.0));  // [a^T a | a^T]
  double scale = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t r = 0; r < m; ++r) g[i][j] += a[r][i] * a[r][j];
      scale = std::max(scale, std::fabs(g[i][j]));
    }
    for (std::size_t r = 0; r < m; ++r) g[i][n + r] = a[r][i];
  }
  if (scale == 0) return std::nullopt;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::fabs(g[r][c]) > std::fabs(g[pivot][c])) pivot = r;
    if (std::fabs(g[pivot][c]) <= 1e-12 * scale) return std::nullopt;
    std::swap(g[c], g[pivot]);
    double inv = 1.0 / g[c][c];
    for (double& v : g[c]) v *= inv;
    for (std::size_t r = 0; r < n; ++r) {
      if (r == c || g[r][c] == 0) continue;
      double f = g[r][c];
      for (std::size_t j = 0; j < n + m; ++j) g[r][j] -= f * g[c][j];
    }
  }
  std::vector<std::vector<double>> k(n, std::vector<double>(m));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t r = 0; r < m; ++r) k[i][r] = g[i][n + r];
  return k;
}

// Why the stage does not apply (shape, or the work past the limit); nothing when it does.
std::optional<std::string> applicability(const net::Network& net, std::size_t max_work) {
  if (auto problem = jacobian_shape_problem(net)) return problem;
  std::size_t work = work_of(net, net.domain.free_coordinates().size());
  if (work > max_work)
    return "the interval products take " + std::to_string(work) + " multiply-adds (more than " +
           std::to_string(max_work) + ")";
  return std::nullopt;
}

}  // namespace

std::optional<Rational> jacobian_norm_bound(const net::Network& net, const Matrix& k, const arith::Vector& u,
                                            std::string* why, std::size_t max_work, JacobianNorm* stats) {
  auto fail = [&](const std::string& w) {
    if (why) *why = w;
    return std::nullopt;
  };
  if (auto problem = applicability(net, max_work)) return fail(*problem);
  std::vector<std::size_t> free = net.domain.free_coordinates();
  if (k.rows() != free.size() || k.cols() != net.output_dim())
    return fail("K is not " + std::to_string(free.size()) + " x " + std::to_string(net.output_dim()));
  if (u.size() != free.size()) return fail("the weights u are not " + std::to_string(free.size()) + " numbers");
  for (const Rational& w : u)
    if (w <= 0) return fail("a weight of u is not positive");
  Slopes s = slopes_of(net);
  if (stats) {
    stats->unstable = s.unstable;
    stats->pairs = s.pairs;
  }
  return weighted_bound(radius_matrix<Rational>(net, s, k, free), u);
}

JacobianNorm jacobian_norm(const net::Network& net, std::size_t max_work) {
  JacobianNorm result;
  if (auto problem = applicability(net, max_work)) {
    result.why_not = *problem;
    return result;
  }
  std::vector<std::size_t> free = net.domain.free_coordinates();
  Slopes s = slopes_of(net);
  result.unstable = s.unstable;
  result.pairs = s.pairs;
  for (std::size_t k = 0; k < s.partner.size(); ++k)
    for (std::size_t j = 0; j < s.partner[k].size(); ++j)
      if (s.partner[k][j]) result.pair_list.push_back({k, j, *s.partner[k][j]});
  auto inverse = float_left_inverse(center_jacobian(net, s, free));
  if (!inverse) {
    result.why_not = "the Jacobian at the center slopes is (numerically) singular";
    return result;
  }
  // K rounded to multiples of 2^-24: any K is sound, small denominators keep the exact products cheap.
  const double unit = 16777216.0;
  Matrix k(free.size(), net.output_dim());
  for (std::size_t i = 0; i < k.rows(); ++i)
    for (std::size_t j = 0; j < k.cols(); ++j) {
      double v = (*inverse)[i][j] * unit;
      if (!std::isfinite(v) || std::fabs(v) > 9.0e15) {
        result.why_not = "the center Jacobian is too ill-conditioned for a left inverse of moderate size";
        return result;
      }
      k(i, j) = Rational(static_cast<long>(std::llround(v)), 16777216L);
      k(i, j).canonicalize();
    }
  result.applicable = true;
  result.k = k;
  // The floating-point enclosure first (it chooses the weights); the exact
  // one only when it promises a bound below 1.
  std::vector<std::vector<double>> r = radius_matrix<double>(net, s, k, free);
  std::vector<double> weights = perron_weights(r);
  arith::Vector u(weights.size());
  std::vector<double> rounded(weights.size());
  for (std::size_t i = 0; i < u.size(); ++i) {
    u[i] = Rational(std::max(1L, static_cast<long>(std::llround(weights[i] * unit))), 16777216L);
    u[i].canonicalize();
    rounded[i] = u[i].get_d();
  }
  result.u = u;
  double estimate = weighted_bound(r, rounded);
  if (!(estimate < 0.999)) {
    if (!std::isfinite(estimate)) estimate = 1e9;
    result.bound = Rational(static_cast<long>(std::ceil(std::min(estimate, 1e9) * 1000)), 1000L);
    result.bound.canonicalize();
    if (result.bound < 1) result.bound = 1;
    return result;
  }
  result.bound = weighted_bound(radius_matrix<Rational>(net, s, k, free), u);
  result.exact = true;
  return result;
}

}  // namespace nninv::analysis
