// Interval propagation through dense and elementwise layers, exactly.
#include "nninv/analysis/bounds.hpp"

#include <variant>

namespace nninv::analysis {

using arith::Rational;
using net::Interval;

namespace {

Interval dense_row(const net::Dense& d, std::size_t r, const std::vector<Interval>& in) {
  std::optional<Rational> lo = d.bias[r], hi = d.bias[r];
  for (std::size_t j = 0; j < in.size(); ++j) {
    const Rational& w = d.weights(r, j);
    if (w == 0) continue;
    const auto& for_lo = w > 0 ? in[j].lower : in[j].upper;
    const auto& for_hi = w > 0 ? in[j].upper : in[j].lower;
    if (lo) lo = for_lo ? std::optional<Rational>(*lo + w * *for_lo) : std::nullopt;
    if (hi) hi = for_hi ? std::optional<Rational>(*hi + w * *for_hi) : std::nullopt;
  }
  return Interval{lo, hi};
}

// Monotone elementwise map g applied to both ends (nullopt stays unbounded).
template <class G>
Interval monotone(const Interval& in, G g) {
  return Interval{in.lower ? std::optional<Rational>(g(*in.lower)) : std::nullopt,
                  in.upper ? std::optional<Rational>(g(*in.upper)) : std::nullopt};
}

}  // namespace

Phase phase_of(const Interval& bounds) {
  if (bounds.lower && *bounds.lower >= 0) return Phase::active;
  if (bounds.upper && *bounds.upper <= 0) return Phase::inactive;
  return Phase::unstable;
}

std::vector<std::vector<Interval>> interval_bounds(const net::Network& net) {
  std::vector<std::vector<Interval>> result;
  result.push_back(net.domain.sides);
  for (const net::Layer& layer : net.layers) {
    const std::vector<Interval>& in = result.back();
    std::vector<Interval> out;
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      for (std::size_t r = 0; r < d->weights.rows(); ++r) out.push_back(dense_row(*d, r, in));
    } else if (std::holds_alternative<net::Relu>(layer)) {
      for (const Interval& i : in) {
        Interval o = monotone(i, [](const Rational& v) { return v < 0 ? Rational(0) : v; });
        if (!o.lower) o.lower = Rational(0);
        out.push_back(o);
      }
    } else if (const auto* l = std::get_if<net::LeakyRelu>(&layer)) {
      for (const Interval& i : in)
        out.push_back(monotone(i, [&](const Rational& v) { return v < 0 ? Rational(v * l->alpha) : v; }));
    } else {
      out = in;
    }
    result.push_back(std::move(out));
  }
  return result;
}

}  // namespace nninv::analysis
