// Exact interval bounds over X (intervals.hpp).
#include "nninv/cert/intervals.hpp"

#include <optional>
#include <variant>

namespace nninv::cert {

using arith::Rational;

std::vector<std::vector<net::Interval>> layer_intervals(const net::Network& net) {
  std::vector<std::vector<net::Interval>> all{net.domain.sides};
  for (const net::Layer& layer : net.layers) {
    std::vector<net::Interval> v = all.back();
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      std::vector<net::Interval> next(d->weights.rows());
      for (std::size_t i = 0; i < d->weights.rows(); ++i) {
        std::optional<Rational> lo = d->bias[i], hi = d->bias[i];
        for (std::size_t j = 0; j < d->weights.cols(); ++j) {
          const Rational& w = d->weights(i, j);
          if (w == 0) continue;
          const std::optional<Rational>& for_lo = w > 0 ? v[j].lower : v[j].upper;
          const std::optional<Rational>& for_hi = w > 0 ? v[j].upper : v[j].lower;
          lo = lo && for_lo ? std::optional<Rational>(*lo + w * *for_lo) : std::nullopt;
          hi = hi && for_hi ? std::optional<Rational>(*hi + w * *for_hi) : std::nullopt;
        }
        next[i] = {lo, hi};
      }
      v = std::move(next);
    } else if (std::optional<Rational> alpha = net::negative_slope(layer)) {
      // sigma(a) = a for a >= 0, alpha a below: monotone, so the ends map to the ends.
      auto sigma = [&](const Rational& a) { return a >= 0 ? a : Rational(*alpha * a); };
      for (net::Interval& in : v) {
        if (in.lower) in.lower = sigma(*in.lower);
        else if (*alpha == 0) in.lower = Rational(0);
        if (in.upper) in.upper = sigma(*in.upper);
      }
    }
    all.push_back(std::move(v));
  }
  return all;
}

}  // namespace nninv::cert
