// Smooth activations and classifier heads (include/nninv/decide/model.hpp).
// Nothing here evaluates tanh, exp or log: a witness is checked by exact
// arithmetic on the piecewise-linear parts only, and every other step is one
// of the facts listed in docs/architecture.md ("Smooth activations and heads").
#include "nninv/decide/model.hpp"

#include <algorithm>
#include <functional>
#include <random>

#include "nninv/cert/certificate.hpp"
#include "nninv/errors.hpp"
#include "nninv/smt/image_encoding.hpp"

namespace nninv::decide {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using nlohmann::json;
using Bound = std::optional<Rational>;

namespace {

constexpr const char* method_name = "smooth activations and heads";

std::size_t first_smooth(const net::Model& m) { return m.smooth.empty() ? m.net.layers.size() : m.smooth.front().at; }

std::string show(const Vector& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i].get_str();
  return s + ")";
}

// Layers [0, k) applied exactly (none of them smooth).
Vector evaluate_prefix(const net::Network& net, std::size_t k, Vector v) {
  for (std::size_t i = 0; i < k; ++i) v = net::apply_layer(net.layers[i], v);
  return v;
}

// A point of the box: the middle of a bounded side, the bound of a
// half-bounded one, 0 on a free one.
Vector point_of(const net::Box& box) {
  Vector x(box.dim());
  for (std::size_t i = 0; i < box.dim(); ++i) {
    const net::Interval& s = box.sides[i];
    if (s.lower && s.upper)
      x[i] = (*s.lower + *s.upper) / 2;
    else if (s.lower)
      x[i] = *s.lower;
    else if (s.upper)
      x[i] = *s.upper;
  }
  return x;
}

// `count` distinct points of X on a line along its first free coordinate
// (requires one).
std::vector<Vector> line_points(const net::Box& box, std::size_t count) {
  std::size_t j = box.free_coordinates().front();
  const net::Interval& s = box.sides[j];
  std::vector<Vector> points;
  for (std::size_t t = 0; t < count; ++t) {
    Vector x = point_of(box);
    Rational step(static_cast<long>(t));
    if (s.lower && s.upper)
      x[j] = *s.lower + (*s.upper - *s.lower) * step / static_cast<long>(std::max<std::size_t>(count - 1, 1));
    else if (s.lower)
      x[j] = *s.lower + step;
    else if (s.upper)
      x[j] = *s.upper - step;
    else
      x[j] = step;
    points.push_back(std::move(x));
  }
  return points;
}

bool single_point(const net::Box& box) { return box.free_coordinates().empty(); }

Outcome single_point_outcome() {
  return Outcome::holds(Property::injective, "the domain X is a single point", method_name,
                        {{"kind", "single_point"}});
}

// The range of a smooth activation's output on [lo, hi] (bounds may be
// missing), from its monotonicity and its limits only.
std::pair<Bound, Bound> smooth_range(const net::SmoothLayer& s, const Bound& lo, const Bound& hi) {
  Rational zero(0);
  switch (s.kind) {
    case net::Smooth::tanh:  // (-1, 1), sign-preserving
      return {lo && *lo >= 0 ? Bound(zero) : Bound(Rational(-1)), hi && *hi <= 0 ? Bound(zero) : Bound(Rational(1))};
    case net::Smooth::sigmoid:  // (0, 1), sigmoid(0) = 1/2
      return {lo && *lo >= 0 ? Bound(Rational(1, 2)) : Bound(zero),
              hi && *hi <= 0 ? Bound(Rational(1, 2)) : Bound(Rational(1))};
    case net::Smooth::elu:  // elu(z) = z for z >= 0, in (-alpha, 0) below
      return {lo && *lo >= 0 ? lo : Bound(-s.alpha), hi ? Bound(std::max(*hi, zero)) : Bound()};
    case net::Smooth::softplus:  // max(z, 0) < softplus(z) <= max(z, 0) + log 2 < max(z, 0) + 7/10
      return {lo ? Bound(std::max(*lo, zero)) : Bound(zero),
              hi ? Bound(std::max(*hi, zero) + Rational(7, 10)) : Bound()};
  }
  return {Bound(), Bound()};
}

// Bounds of every output over X: interval propagation, exact on the
// piecewise-linear layers, smooth_range on the smooth ones.
std::vector<std::pair<Bound, Bound>> output_bounds(const net::Model& model) {
  std::vector<std::pair<Bound, Bound>> v;
  for (const net::Interval& s : model.net.domain.sides) v.push_back({s.lower, s.upper});
  for (std::size_t k = 0; k < model.net.layers.size(); ++k) {
    const net::Layer& layer = model.net.layers[k];
    if (const net::SmoothLayer* s = model.smooth_at(k)) {
      for (auto& [lo, hi] : v) std::tie(lo, hi) = smooth_range(*s, lo, hi);
    } else if (const auto* d = std::get_if<net::Dense>(&layer)) {
      std::vector<std::pair<Bound, Bound>> out(d->weights.rows());
      for (std::size_t r = 0; r < d->weights.rows(); ++r) {
        Bound lo = d->bias[r], hi = d->bias[r];
        for (std::size_t c = 0; c < d->weights.cols(); ++c) {
          const Rational& w = d->weights(r, c);
          if (w == 0) continue;
          const Bound& a = w > 0 ? v[c].first : v[c].second;
          const Bound& b = w > 0 ? v[c].second : v[c].first;
          if (lo && a) *lo += w * *a; else lo.reset();
          if (hi && b) *hi += w * *b; else hi.reset();
        }
        out[r] = {lo, hi};
      }
      v = std::move(out);
    } else if (auto slope = net::negative_slope(layer)) {
      // Increasing: bounds map to bounds; relu is >= 0 even without one.
      auto act = [&](const Rational& z) -> Rational { return z >= 0 ? z : Rational(*slope * z); };
      for (auto& [lo, hi] : v) {
        lo = lo ? Bound(act(*lo)) : *slope == 0 ? Bound(Rational(0)) : Bound();
        if (hi) hi = act(*hi);
      }
    }
  }
  return v;
}

// A point of Y outside the bounds, if Y reaches past them somewhere.
std::optional<Vector> outside(const net::Box& y_box, const std::vector<std::pair<Bound, Bound>>& bounds) {
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    const net::Interval& s = y_box.sides[i];
    std::optional<Rational> value;
    if (bounds[i].second && (!s.upper || *s.upper > *bounds[i].second))
      value = s.upper ? *s.upper : *bounds[i].second + 1;
    else if (bounds[i].first && (!s.lower || *s.lower < *bounds[i].first))
      value = s.lower ? *s.lower : *bounds[i].first - 1;
    if (!value) continue;
    Vector y = point_of(y_box);
    y[i] = *value;
    return y;
  }
  return std::nullopt;
}

json bounds_json(const std::vector<std::pair<Bound, Bound>>& bounds) {
  json lower = json::array(), upper = json::array();
  for (const auto& [lo, hi] : bounds) {
    lower.push_back(lo ? json(lo->get_str()) : json(nullptr));
    upper.push_back(hi ? json(hi->get_str()) : json(nullptr));
  }
  return {{"lower", lower}, {"upper", upper}};
}

Outcome collision_outcome(const net::Model& model, Collision c, std::string reason, std::string method) {
  std::string failed = check_collision(model, c);
  if (!failed.empty()) throw InternalError("a collision of the model fails its exact check: " + failed);
  Outcome o = Outcome::collision_found(c, std::move(reason), std::move(method));
  o.evidence = {{"kind", "model_collision"}, {"x1", cert::to_json(c.x1)}, {"x2", cert::to_json(c.x2)}};
  return o;
}

// ---- injective ----

// The prefix before the first smooth layer decided by the pipeline; a
// collision there is one of the model. When the prefix is injective and
// every later layer is (an increasing activation, leaky_relu, identity, a
// dense layer of full column rank), so is the model: a composition of
// injective maps.
Outcome injective_smooth(const net::Model& model, const Budget& budget, const Options& options,
                         const std::string& not_injective_anyway) {
  const net::Network& net = model.net;
  std::size_t s0 = first_smooth(model);
  net::Network p = prefix(net, s0);
  bool trivial = std::none_of(p.layers.begin(), p.layers.end(),
                              [](const net::Layer& l) { return !std::holds_alternative<net::Identity>(l); });
  Outcome inner = trivial ? Outcome::holds(Property::injective, "the identity", "") : decide(p, Property::injective, budget, options);
  if (inner.verdict == Verdict::violated) {
    const Collision& c = *inner.collision;
    return collision_outcome(model, Collision{c.x1, c.x2, {}},
                             "the layers before the first " + std::string(net::smooth_name(model.smooth.front().kind)) +
                                 " map x1 and x2 to the same value " + show(c.y) + ", so every later layer does too",
                             std::string(method_name) + ": prefix: " + inner.method);
  }
  std::string why;
  if (!not_injective_anyway.empty()) why = not_injective_anyway;
  for (std::size_t k = s0; k < net.layers.size() && why.empty(); ++k) {
    const net::Layer& layer = net.layers[k];
    if (model.smooth_at(k)) continue;
    if (std::holds_alternative<net::Relu>(layer)) why = "layer " + std::to_string(k) + " (relu) after the first smooth layer is not injective";
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      std::size_t r = arith::rank(d->weights);
      if (r < d->weights.cols())
        why = "layer " + std::to_string(k) + " (dense " + std::to_string(d->weights.rows()) + "x" +
              std::to_string(d->weights.cols()) + ") after the first smooth layer has rank " + std::to_string(r) +
              " < " + std::to_string(d->weights.cols());
    }
  }
  if (why.empty() && model.head != net::Head::none)
    why = std::string("a ") + net::head_name(model.head) + " head";
  if (why.empty() && inner.verdict == Verdict::holds) {
    json prefix_certificate = trivial ? json(nullptr) : certificate(p, inner);
    return Outcome::holds(Property::injective,
                          "a composition of injective maps: the layers before the first smooth one (" +
                              (trivial ? std::string("none") : inner.reason) +
                              "), then increasing activations and dense layers of full column rank",
                          std::string(method_name) + ": composition",
                          {{"kind", "smooth_composition"}, {"prefix_layers", s0}, {"prefix", prefix_certificate}});
  }
  if (inner.verdict == Verdict::unknown)
    return Outcome::unknown(Property::injective, "the layers before the first smooth one are undecided: " + inner.reason,
                            method_name);
  // Invariance of domain: no continuous injective map lowers the dimension.
  std::size_t free = net.domain.free_coordinates().size(), narrowest = free;
  for (std::size_t k = 1; k <= net.layers.size(); ++k) narrowest = std::min(narrowest, net.width_after(k));
  std::string note = narrowest < free ? "; f is not injective (a layer of width " + std::to_string(narrowest) +
                                            " < " + std::to_string(free) +
                                            ": a continuous map cannot be injective from an open set of R^" +
                                            std::to_string(free) + " into a lower dimension), but "
                                      : "; ";
  return Outcome::unknown(Property::injective,
                          "the layers before the first smooth one are injective and " + why + note +
                              "no collision can be computed exactly through a smooth activation",
                          method_name);
}

Outcome injective_softmax(const net::Model& model, const Budget& budget, const Options& options) {
  std::string head = net::head_name(model.head);
  if (model.net.output_dim() == 1) {
    std::vector<Vector> p = line_points(model.net.domain, 2);
    return collision_outcome(model, Collision{p[0], p[1], {}},
                             head + " of a single logit is constant", method_name);
  }
  net::Model reduced = logit_differences(model);
  Outcome inner = decide(reduced, Property::injective, budget, options);
  std::string why = head + "(z) = " + head + "(z') exactly when z - z' = c (1, ..., 1), so f is injective exactly where "
                    "the differences z_i - z_m of the logits are";
  if (inner.verdict == Verdict::violated)
    return collision_outcome(model, Collision{inner.collision->x1, inner.collision->x2, {}},
                             "the logits at x1 and x2 differ by a constant vector, which " + head +
                                 " cannot tell apart (" + why + ")",
                             std::string(method_name) + ": logit differences: " + inner.method);
  if (inner.verdict == Verdict::holds)
    return Outcome::holds(Property::injective, why + ": " + inner.reason,
                          std::string(method_name) + ": logit differences: " + inner.method,
                          {{"kind", "logit_differences"}, {"certificate", certificate(reduced, inner)}});
  return Outcome::unknown(Property::injective, why + "; for them: " + inner.reason, method_name);
}

Outcome injective_argmax(const net::Model& model, const Budget& budget, const Options& options) {
  std::size_t m = model.net.output_dim();
  std::string finite = "an argmax head has " + std::to_string(m) + " label" + (m == 1 ? "" : "s") +
                       ", so any " + std::to_string(m + 1) + " points of X share one";
  if (!model.smooth.empty()) return injective_smooth(model, budget, options, finite);
  std::vector<Vector> points = line_points(model.net.domain, m + 1);
  std::vector<std::optional<std::size_t>> seen(m);
  for (std::size_t t = 0; t < points.size(); ++t) {
    std::size_t label = net::argmax_label(net::evaluate(model.net, points[t]), model.last_index);
    if (seen[label])
      return collision_outcome(model,
                               Collision{points[*seen[label]], points[t], {Rational(static_cast<long>(label))}},
                               finite + ": x1 and x2 both get label " + std::to_string(label), method_name);
    seen[label] = t;
  }
  throw InternalError("argmax: " + std::to_string(m + 1) + " points with distinct labels among " + std::to_string(m));
}

// ---- surjective ----

Outcome surjective_softmax(const net::Model& model) {
  bool log = model.head == net::Head::log_softmax;
  std::size_t m = model.net.output_dim();
  // Outside the range: softmax's lies in {y > 0, sum y = 1}; log_softmax's in
  // {y <= 0}, and {y < 0} for m >= 2.
  auto outside_range = [&](const Vector& y) {
    if (log) {
      for (const Rational& v : y)
        if (v > 0 || (m >= 2 && v == 0)) return true;
      return false;
    }
    Rational sum = 0;
    for (const Rational& v : y) {
      if (v <= 0) return true;
      sum += v;
    }
    return sum != 1;
  };
  for (long c : {0L, 1L, 2L, -1L}) {
    Vector y(m, Rational(c));
    for (std::size_t i = 0; i < m; ++i) {
      const net::Interval& s = model.codomain.sides[i];
      if (s.lower && y[i] < *s.lower) y[i] = *s.lower;
      if (s.upper && y[i] > *s.upper) y[i] = *s.upper;
    }
    if (outside_range(y))
      return unreached_outcome(Unreached{y, std::nullopt},
                               log ? "log_softmax's values are <= 0 (< 0 with two or more logits), and y has one that is not"
                                   : "softmax's values are > 0 and sum to 1, and y's are not",
                               method_name, {{"kind", "head_range"}});
  }
  return Outcome::unknown(Property::surjective,
                          std::string("every point nninv tried in Y lies where ") + net::head_name(model.head) +
                              "'s values can lie; its image is not a polyhedron, so nninv does not decide whether it "
                              "covers Y",
                          method_name);
}

// Label k's region {x in X : argmax g(x) = k} as a preimage question: with
// a_j = g_k - g_j (j != k) and h_j = min(a_j, 1) = relu(a_j) - relu(-a_j) -
// relu(a_j - 1), some x has every a_j >= delta exactly when h(x) lies in the
// box of centre (1 + delta)/2 and radius (1 - delta)/2.
net::Network label_margins(const net::Network& g, std::size_t k) {
  std::size_t m = g.output_dim();
  net::Network n = g;
  net::Dense d{Matrix(3 * (m - 1), m), Vector(3 * (m - 1))};
  net::Dense back{Matrix(m - 1, 3 * (m - 1)), Vector(m - 1)};
  std::size_t r = 0;
  for (std::size_t j = 0; j < m; ++j) {
    if (j == k) continue;
    for (int copy = 0; copy < 3; ++copy) {
      int sign = copy == 2 ? -1 : 1;
      d.weights(3 * r + copy, k) = sign;
      d.weights(3 * r + copy, j) = -sign;
    }
    d.bias[3 * r] = -1;
    back.weights(r, 3 * r) = -1;
    back.weights(r, 3 * r + 1) = 1;
    back.weights(r, 3 * r + 2) = -1;
    ++r;
  }
  n.layers.push_back(std::move(d));
  n.layers.emplace_back(std::in_place_type<net::Relu>);
  n.layers.push_back(std::move(back));
  n.codomain = net::Box::everything(m - 1);
  return n;
}

// A point of X with label k, from samples, then from Z3 (margins 0, 2^-10,
// 2^-20); `none` is set when Z3 proved that no x in X has a_j >= 0 for all j.
std::optional<Vector> find_label(const net::Model& model, std::size_t k, const std::vector<Vector>& samples,
                                 const Budget& budget, bool& none) {
  none = false;
  for (const Vector& x : samples)
    if (net::argmax_label(net::evaluate(model.net, x), model.last_index) == k) return x;
  if (model.net.output_dim() == 1) return std::nullopt;
  net::Network margins = label_margins(model.net, k);
  for (int exponent : {0, 10, 20}) {
    Rational delta = exponent == 0 ? Rational(0) : Rational(1, 1L << exponent);
    Vector centre(model.net.output_dim() - 1, Rational((1 + delta) / 2));
    smt::PreimageResult r = smt::find_preimage(margins, centre, budget, Rational((1 - delta) / 2));
    if (r.status == smt::Preimage::none) {
      none = exponent == 0;
      return std::nullopt;
    }
    if (r.status != smt::Preimage::found) return std::nullopt;
    if (model.net.domain.contains(r.x) &&
        net::argmax_label(net::evaluate(model.net, r.x), model.last_index) == k)
      return r.x;
  }
  return std::nullopt;
}

std::vector<Vector> samples_of(const net::Box& box, std::size_t count) {
  std::vector<Vector> out;
  out.push_back(point_of(box));
  if (single_point(box)) return out;
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> pick(0, 1024);
  for (std::size_t t = 0; t < count; ++t) {
    Vector x(box.dim());
    for (std::size_t i = 0; i < box.dim(); ++i) {
      const net::Interval& s = box.sides[i];
      Rational r(pick(rng), 1024);
      if (s.lower && s.upper)
        x[i] = *s.lower + (*s.upper - *s.lower) * r;
      else if (s.lower)
        x[i] = *s.lower + 16 * r;
      else if (s.upper)
        x[i] = *s.upper - 16 * r;
      else
        x[i] = 16 * r - 8;
    }
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<std::size_t> labels_in(const net::Model& model) {
  std::vector<std::size_t> labels;
  for (std::size_t k = 0; k < model.net.output_dim(); ++k)
    if (model.codomain.sides[0].contains(Rational(static_cast<long>(k)))) labels.push_back(k);
  return labels;
}

Outcome surjective_argmax(const net::Model& model, const Budget& budget) {
  if (!model.smooth.empty())
    return Outcome::unknown(Property::surjective,
                            "which labels an argmax head gives after a smooth activation cannot be computed exactly",
                            method_name);
  std::vector<Vector> samples = samples_of(model.net.domain, 256);
  json points = json::object();
  for (std::size_t k : labels_in(model)) {
    bool none = false;
    std::optional<Vector> x = find_label(model, k, samples, budget, none);
    if (none)
      return unreached_outcome(Unreached{{Rational(static_cast<long>(k))}, std::nullopt},
                               "no x in X gets label " + std::to_string(k) + " (Z3: no x has logit " +
                                   std::to_string(k) + " >= every other)",
                               std::string(method_name) + ": label regions (Z3)",
                               {{"kind", "solver"}, {"solver", "z3"}, {"query", "label region"}});
    if (!x)
      return Outcome::unknown(Property::surjective,
                              "no point of X with label " + std::to_string(k) + " was found" +
                                  (budget.exhausted() ? " before the time ran out" : ""),
                              method_name);
    points[std::to_string(k)] = cert::to_json(*x);
  }
  return Outcome::holds(Property::surjective, "every label in Y is the argmax at a point of X (exactly evaluated)",
                        std::string(method_name) + ": label points", {{"kind", "labels_reached"}, {"points", points}});
}

Outcome surjective_smooth(const net::Model& model) {
  const net::Network& net = model.net;
  auto bounds = output_bounds(model);
  if (std::optional<Vector> y = outside(model.codomain, bounds))
    return unreached_outcome(Unreached{*y, std::nullopt},
                             "f(X) lies in the box of interval bounds (exact on the piecewise-linear layers, from the "
                             "ranges of the smooth ones), and y is outside it",
                             std::string(method_name) + ": output bounds",
                             {{"kind", "smooth_bounds"}, {"bounds", bounds_json(bounds)}});
  // The affine tail y = A u + c after the last layer that is not affine.
  std::size_t t = net.layers.size();
  while (t > 0 && (std::holds_alternative<net::Dense>(net.layers[t - 1]) ||
                   (std::holds_alternative<net::Identity>(net.layers[t - 1]) && !model.smooth_at(t - 1))))
    --t;
  if (t == 0) return Outcome::unknown(Property::surjective, "no rule applies", method_name);
  std::size_t w = net.width_after(t);
  Matrix a = Matrix::identity(w);
  Vector c(w);
  for (std::size_t k = t; k < net.layers.size(); ++k)
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      a = d->weights * a;
      c = d->weights * c;
      for (std::size_t i = 0; i < c.size(); ++i) c[i] += d->bias[i];
    }
  std::size_t r = arith::rank(a);
  auto in_y = [&](const Vector& y) { return model.codomain.contains(y); };
  if (r < a.rows()) {
    Vector z = arith::kernel(arith::transpose(a)).front();
    Vector y = c;
    for (std::size_t i = 0; i < y.size(); ++i) y[i] += z[i];
    if (in_y(y))
      return unreached_outcome(Unreached{y, std::nullopt},
                               "after layer " + std::to_string(t) + " f is affine, y = A u + c, with rank A = " +
                                   std::to_string(r) + " < " + std::to_string(a.rows()) +
                                   ", and z^T (y - c) != 0 for z with z^T A = 0",
                               std::string(method_name) + ": affine tail", {{"kind", "left_null"}, {"layer", t}, {"z", cert::to_json(z)}});
  }
  // Full column rank: y = A u + c has one u, and u outside the activation's range.
  const net::Layer& last = net.layers[t - 1];
  const net::SmoothLayer* s = model.smooth_at(t - 1);
  std::optional<Rational> u0;
  if (s) u0 = s->kind == net::Smooth::tanh ? Rational(1) : s->kind == net::Smooth::elu ? Rational(-s->alpha) : Rational(0);
  else if (std::holds_alternative<net::Relu>(last)) u0 = Rational(-1);
  if (u0 && r == w) {
    Vector u(w);
    u[0] = *u0;
    Vector y = a * u;
    for (std::size_t i = 0; i < y.size(); ++i) y[i] += c[i];
    if (in_y(y))
      return unreached_outcome(Unreached{y, std::nullopt},
                               "after layer " + std::to_string(t) + " f is affine, y = A u + c with A of full column "
                               "rank, so only u reaches y, and u_0 = " + u0->get_str() +
                                   " is outside the range of layer " + std::to_string(t - 1),
                               std::string(method_name) + ": affine tail",
                               {{"kind", "affine_tail"}, {"layer", t}, {"u", cert::to_json(u)}});
  }
  return Outcome::unknown(Property::surjective,
                          "f(X) is not bounded where Y is, and the last smooth or relu layer's range does not show a "
                          "point of Y missed; the image of a smooth map is not a polyhedron, so nninv does not decide "
                          "more",
                          method_name);
}

// ---- into ----

Outcome into_model(const net::Model& model, const Budget& budget) {
  if (model.codomain.is_everything())
    return Outcome::holds(Property::into, "Y is all of the output space", method_name, {{"kind", "codomain_everything"}});
  if (model.head == net::Head::argmax) {
    std::vector<std::size_t> in = labels_in(model);
    if (in.size() == model.net.output_dim())
      return Outcome::holds(Property::into, "every label 0.." + std::to_string(in.size() - 1) + " is in Y", method_name,
                            {{"kind", "labels_inside"}});
    if (model.smooth.empty()) {
      std::vector<Vector> samples = samples_of(model.net.domain, 256);
      for (std::size_t k = 0; k < model.net.output_dim(); ++k) {
        if (std::find(in.begin(), in.end(), k) != in.end()) continue;
        bool none = false;
        if (std::optional<Vector> x = find_label(model, k, samples, budget, none)) {
          Outcome o = Outcome::escape_found(Escape{*x, {Rational(static_cast<long>(k))}},
                                            "x in X gets label " + std::to_string(k) + ", which is not in Y",
                                            method_name);
          o.evidence = {{"kind", "model_escape"}};
          return o;
        }
      }
    }
    return Outcome::unknown(Property::into, "a label outside Y was neither found nor excluded", method_name);
  }
  std::vector<std::pair<Bound, Bound>> bounds;
  if (model.head == net::Head::softmax) bounds.assign(model.net.output_dim(), {Rational(0), Rational(1)});
  else if (model.head == net::Head::log_softmax) bounds.assign(model.net.output_dim(), {Bound(), Rational(0)});
  else bounds = output_bounds(model);
  bool inside = true;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    const net::Interval& s = model.codomain.sides[i];
    inside = inside && (!s.lower || (bounds[i].first && *bounds[i].first >= *s.lower)) &&
             (!s.upper || (bounds[i].second && *bounds[i].second <= *s.upper));
  }
  if (inside)
    return Outcome::holds(Property::into, "f(X) lies in bounds that lie inside Y", method_name,
                          {{"kind", model.head == net::Head::none ? "smooth_bounds" : "head_range"},
                           {"bounds", bounds_json(bounds)}});
  return Outcome::unknown(Property::into,
                          "the bounds nninv proves for f(X) are not inside Y, and a point outside Y cannot be computed "
                          "exactly through a smooth activation or head",
                          method_name);
}

}  // namespace

net::Network prefix(const net::Network& net, std::size_t k) {
  net::Network p;
  p.name = net.name;
  p.input_dim = net.input_dim;
  p.domain = net.domain;
  p.layers.assign(net.layers.begin(), net.layers.begin() + static_cast<std::ptrdiff_t>(k));
  p.codomain = net::Box::everything(p.output_dim());
  return p;
}

net::Model logit_differences(const net::Model& model) {
  std::size_t m = model.net.output_dim();
  if ((model.head != net::Head::softmax && model.head != net::Head::log_softmax) || m < 2)
    throw InternalError("logit_differences needs a softmax or log_softmax head and two logits");
  net::Model r = model;
  r.head = net::Head::none;
  r.head_where.clear();
  net::Dense d{Matrix(m - 1, m), Vector(m - 1)};
  for (std::size_t i = 0; i + 1 < m; ++i) {
    d.weights(i, i) = 1;
    d.weights(i, m - 1) = -1;
  }
  r.net.layers.push_back(std::move(d));
  r.net.codomain = net::Box::everything(m - 1);
  r.codomain = r.net.codomain;
  return r;
}

std::string check_collision(const net::Model& model, const Collision& c) {
  const net::Network& net = model.net;
  if (c.x1.size() != net.input_dim || c.x2.size() != net.input_dim) return "a point has the wrong dimension";
  if (c.x1 == c.x2) return "x1 = x2";
  if (!net.domain.contains(c.x1) || !net.domain.contains(c.x2)) return "a point is outside X";
  std::size_t s0 = first_smooth(model);
  Vector v1 = evaluate_prefix(net, s0, c.x1), v2 = evaluate_prefix(net, s0, c.x2);
  if (v1 == v2) return "";
  if (!model.smooth.empty()) return "the values before the first smooth layer differ";
  switch (model.head) {
    case net::Head::none: return "f(x1) != f(x2)";
    case net::Head::argmax:
      return net::argmax_label(v1, model.last_index) == net::argmax_label(v2, model.last_index) ? "" : "the labels differ";
    case net::Head::softmax:
    case net::Head::log_softmax:
      for (std::size_t i = 1; i < v1.size(); ++i)
        if (v1[i] - v2[i] != v1[0] - v2[0]) return "the logits do not differ by a constant vector";
      return "";
  }
  return "unknown head";
}

Outcome decide(const net::Model& model, Property property, const Budget& budget, const Options& options) {
  if (model.piecewise_linear()) return decide(model.net, property, budget, options);
  if (options.on_stage) options.on_stage(std::string(method_name) + " (" + to_string(property) + ")");
  if (property == Property::into) return into_model(model, budget);
  if (property == Property::injective) {
    if (single_point(model.net.domain)) return single_point_outcome();
    if (model.head == net::Head::argmax) return injective_argmax(model, budget, options);
    if (model.head != net::Head::none) return injective_softmax(model, budget, options);
    return injective_smooth(model, budget, options, "");
  }
  if (model.head == net::Head::argmax) return surjective_argmax(model, budget);
  if (model.head != net::Head::none) return surjective_softmax(model);
  return surjective_smooth(model);
}

BijectiveOutcome decide_bijective(const net::Model& model, const Budget& budget, const Options& options) {
  if (model.piecewise_linear()) return decide_bijective(model.net, budget, options);
  return decide_bijective_with(
      [&model](Property p, const Budget& b, const Options& o) { return decide(model, p, b, o); }, budget, options);
}

nlohmann::json certificate(const net::Model& model, const Outcome& o) {
  if (model.piecewise_linear()) return certificate(model.net, o);
  json c = cert::certificate_header(model, to_string(o.property));
  c["verdict"] = to_string(o.verdict);
  c["method"] = o.method;
  c["reason"] = o.reason;
  json e = o.evidence;
  if (o.unreached && e.is_object()) e["y"] = cert::to_json(o.unreached->y);
  if (o.escape && e.is_object()) {
    e["x"] = cert::to_json(o.escape->x);
    e["y"] = cert::to_json(o.escape->y);
  }
  c["evidence"] = e;
  return c;
}

nlohmann::json certificate(const net::Model& model, const BijectiveOutcome& b) {
  if (model.piecewise_linear()) return certificate(model.net, b);
  json c = certificate(model, b.injective.outcome);
  c["property"] = "bijective";
  c["verdict"] = to_string(b.verdict);
  c.erase("evidence");
  c["method"] = b.method;
  c["reason"] = b.reason;
  c["parts"] = json::object();
  for (auto [name, p] : {std::pair{"injective", Property::injective}, std::pair{"into", Property::into},
                         std::pair{"surjective", Property::surjective}})
    if (b.part(p).ran) c["parts"][name] = certificate(model, b.part(p).outcome);
  return c;
}

}  // namespace nninv::decide
