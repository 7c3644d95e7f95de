// Certificates of models with smooth activations or a classifier head
// (docs/certificates.md, "Smooth activations and heads"). Each step is exact
// arithmetic on the piecewise-linear layers or one of the listed facts about
// tanh, sigmoid, elu, softplus, softmax, log_softmax and argmax; the
// piecewise-linear questions inside (a prefix, the logits' differences) are
// certificates of their own, checked by check_certificate.
#include <algorithm>

#include "nninv/cert/certificate.hpp"
#include "nninv/check/checker.hpp"
#include "read.hpp"
#include "step.hpp"

namespace nninv::check {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using nlohmann::json;

namespace {

using detail::fail;
using detail::field;
using detail::read_vector;
using detail::require;
using detail::StepFailed;
using Bound = std::optional<Rational>;

struct NotCertified {
  std::string what;
};

class ModelChecker {
 public:
  explicit ModelChecker(const net::Model& model) : m_(model), net_(model.net) {}

  std::vector<std::string> steps;

  std::string evidence(const std::string& property, const std::string& verdict, const json& e) {
    std::string kind = field(e, "kind", "evidence").is_string() ? e.at("kind").get<std::string>() : "";
    if (kind == "solver") throw NotCertified{"the verdict rests on a solver's answer (" + e.value("query", "") + ")"};
    if (property == "injective" && verdict == "violated" && kind == "model_collision") return collision(e);
    if (property == "injective" && verdict == "holds" && kind == "single_point") {
      require(net_.domain.free_coordinates().empty(), "single point", "X is not a single point");
      return "X is a single point";
    }
    if (property == "injective" && verdict == "holds" && kind == "logit_differences") return differences(e);
    if (property == "injective" && verdict == "holds" && kind == "smooth_composition") return composition(e);
    if (property == "surjective" && verdict == "violated" && kind == "head_range") return head_range(e);
    if (property == "surjective" && verdict == "violated" && kind == "smooth_bounds") return bounds_missed(e);
    if (property == "surjective" && verdict == "violated" && kind == "left_null") return left_null(e);
    if (property == "surjective" && verdict == "violated" && kind == "affine_tail") return affine_tail(e);
    if (property == "surjective" && verdict == "holds" && kind == "labels_reached") return labels_reached(e);
    if (property == "into" && verdict == "holds" && kind == "codomain_everything") {
      require(m_.codomain.is_everything(), "codomain", "Y is a box");
      return "Y is all of the output space";
    }
    if (property == "into" && verdict == "holds" && kind == "labels_inside") {
      require(m_.head == net::Head::argmax, "labels", "the model has no argmax head");
      for (std::size_t k = 0; k < net_.output_dim(); ++k)
        require(m_.codomain.sides[0].contains(Rational(static_cast<long>(k))), "labels",
                "label " + std::to_string(k) + " is not in Y");
      pass("labels: all " + std::to_string(net_.output_dim()) + " labels lie in Y");
      return "f maps X into Y: every label is in Y";
    }
    if (property == "into" && verdict == "holds" && kind == "head_range") return head_inside();
    if (property == "into" && verdict == "holds" && kind == "smooth_bounds") return bounds_inside();
    if (property == "into" && verdict == "violated" && kind == "model_escape") return escape(e);
    fail("evidence", "evidence of kind \"" + kind + "\" does not prove \"" + property + " " + verdict +
                         "\" for a model with smooth activations or a head");
  }

 private:
  void pass(const std::string& step) { steps.push_back(step); }

  std::size_t first_smooth() const { return m_.smooth.empty() ? net_.layers.size() : m_.smooth.front().at; }

  Vector run(std::size_t k, Vector v) const {
    for (std::size_t i = 0; i < k; ++i) v = net::apply_layer(net_.layers[i], v);
    return v;
  }

  std::size_t label(const Vector& z) const {
    std::size_t best = 0;
    for (std::size_t i = 1; i < z.size(); ++i)
      if (m_.last_index ? !(z[i] < z[best]) : z[best] < z[i]) best = i;
    return best;
  }

  Vector point(const json& e, const char* key, std::size_t dim, const std::string& step) {
    return read_vector(e, key, dim, step);
  }

  // An inner certificate for a network or model this checker built itself.
  template <class Net>
  void inner(const Net& n, const json& c, const std::string& name) {
    require(c.value("property", "") == "injective" && c.value("verdict", "") == "holds", name,
            "the inner certificate does not claim injectivity");
    Report r = check_certificate(n, c);
    for (const std::string& s : r.steps) pass(name + ": " + s);
    if (r.status == Status::not_certified) throw NotCertified{name + ": " + r.message};
    require(r.status == Status::certified, name, r.message);
  }

  std::string collision(const json& e) {
    Vector x1 = point(e, "x1", net_.input_dim, "collision"), x2 = point(e, "x2", net_.input_dim, "collision");
    require(x1 != x2, "collision", "x1 = x2");
    require(net_.domain.contains(x1) && net_.domain.contains(x2), "collision", "a point is outside X");
    std::size_t s0 = first_smooth();
    Vector v1 = run(s0, x1), v2 = run(s0, x2);
    if (v1 == v2) {
      pass("collision: x1 != x2 in X reach the same value after layer " + std::to_string(s0));
      return m_.smooth.empty() ? "not injective: x1 and x2 have the same logits"
                               : "not injective: x1 and x2 meet before the first smooth layer";
    }
    require(m_.smooth.empty(), "collision", "the values before the first smooth layer differ");
    if (m_.head == net::Head::argmax) {
      require(label(v1) == label(v2), "collision", "the labels differ");
      pass("collision: x1 != x2 in X get the same label " + std::to_string(label(v1)));
      return "not injective: two points with one label";
    }
    require(m_.head == net::Head::softmax || m_.head == net::Head::log_softmax, "collision", "f(x1) != f(x2)");
    for (std::size_t i = 1; i < v1.size(); ++i)
      require(v1[i] - v2[i] == v1[0] - v2[0], "collision", "the logits do not differ by a constant vector");
    pass("collision: the logits at x1 != x2 differ by c (1, ..., 1), c = " + Rational(v1[0] - v2[0]).get_str());
    return std::string("not injective: ") + net::head_name(m_.head) + "(z + c 1) = " + net::head_name(m_.head) + "(z)";
  }

  std::string differences(const json& e) {
    require(m_.head == net::Head::softmax || m_.head == net::Head::log_softmax, "logit differences",
            "the model has no softmax or log_softmax head");
    std::size_t m = net_.output_dim();
    require(m >= 2, "logit differences", "a single logit");
    net::Model d = m_;
    d.head = net::Head::none;
    net::Dense diff{Matrix(m - 1, m), Vector(m - 1)};
    for (std::size_t i = 0; i + 1 < m; ++i) {
      diff.weights(i, i) = 1;
      diff.weights(i, m - 1) = -1;
    }
    d.net.layers.push_back(std::move(diff));
    d.net.codomain = net::Box::everything(m - 1);
    d.codomain = d.net.codomain;
    inner(d, field(e, "certificate", "logit differences"), "logit differences");
    pass("logit differences: softmax(z) = softmax(z') iff z - z' = c 1 iff the differences z_i - z_m agree");
    return std::string("injective: the logits' differences are injective, and ") + net::head_name(m_.head) +
           " tells apart logits that differ by more than c 1";
  }

  std::string composition(const json& e) {
    std::size_t s0 = first_smooth();
    require(field(e, "prefix_layers", "composition") == json(s0), "composition",
            "the prefix does not end at the first smooth layer (" + std::to_string(s0) + ")");
    net::Network p;
    p.name = net_.name;
    p.input_dim = net_.input_dim;
    p.domain = net_.domain;
    p.layers.assign(net_.layers.begin(), net_.layers.begin() + static_cast<std::ptrdiff_t>(s0));
    p.codomain = net::Box::everything(p.output_dim());
    bool trivial = std::all_of(p.layers.begin(), p.layers.end(),
                               [](const net::Layer& l) { return std::holds_alternative<net::Identity>(l); });
    if (trivial)
      pass("prefix: identity layers only");
    else
      inner(p, field(e, "prefix", "composition"), "prefix");
    require(m_.head == net::Head::none, "composition", "a head is not injective as a layer");
    for (std::size_t k = s0; k < net_.layers.size(); ++k) {
      if (m_.smooth_at(k)) continue;
      const net::Layer& layer = net_.layers[k];
      require(!std::holds_alternative<net::Relu>(layer), "composition", "layer " + std::to_string(k) + " is relu");
      if (const auto* d = std::get_if<net::Dense>(&layer))
        require(arith::rank(d->weights) == d->weights.cols(), "composition",
                "layer " + std::to_string(k) + " has rank below its column count");
    }
    pass("composition: every layer from " + std::to_string(s0) +
         " on is increasing elementwise or dense of full column rank");
    return "injective: a composition of injective maps";
  }

  Vector y_in_codomain(const json& e) {
    Vector y = point(e, "y", m_.output_dim(), "point y");
    require(m_.codomain.contains(y), "point y", "y is not in Y");
    return y;
  }

  std::string head_range(const json& e) {
    Vector y = y_in_codomain(e);
    std::size_t m = y.size();
    if (m_.head == net::Head::softmax) {
      bool out = std::any_of(y.begin(), y.end(), [](const Rational& v) { return v <= 0; });
      Rational sum = 0;
      for (const Rational& v : y) sum += v;
      require(out || sum != 1, "softmax range", "y has positive entries summing to 1");
      pass("softmax range: y has an entry <= 0 or a sum != 1, and softmax's entries are > 0 with sum 1");
    } else {
      require(m_.head == net::Head::log_softmax, "head range", "the model has no softmax or log_softmax head");
      bool out = std::any_of(y.begin(), y.end(), [m](const Rational& v) { return v > 0 || (m >= 2 && v == 0); });
      require(out, "log_softmax range", "every entry of y is below 0");
      pass("log_softmax range: log_softmax is <= 0, and < 0 with two or more logits; y is not");
    }
    return "not surjective: y in Y is outside the head's range";
  }

  std::string head_inside() {
    for (const net::Interval& s : m_.codomain.sides) {
      if (m_.head == net::Head::softmax)
        require((!s.lower || *s.lower <= 0) && (!s.upper || *s.upper >= 1), "head range", "Y does not contain [0, 1]^m");
      else
        require(m_.head == net::Head::log_softmax && !s.lower && (!s.upper || *s.upper >= 0), "head range",
                "Y does not contain (-inf, 0]^m");
    }
    pass(std::string("head range: Y contains the range of ") + net::head_name(m_.head));
    return "f maps X into Y";
  }

  // Interval bounds of every output over X; the smooth layers by their
  // ranges only (increasing; tanh in (-1, 1), sigmoid in (0, 1) with value
  // 1/2 at 0, elu(z) = z for z >= 0 and in (-alpha, 0) below, softplus
  // between max(z, 0) and max(z, 0) + log 2 < max(z, 0) + 7/10).
  std::vector<std::pair<Bound, Bound>> bounds() const {
    std::vector<std::pair<Bound, Bound>> v;
    for (const net::Interval& s : net_.domain.sides) v.emplace_back(s.lower, s.upper);
    for (std::size_t k = 0; k < net_.layers.size(); ++k) {
      const net::Layer& layer = net_.layers[k];
      if (const net::SmoothLayer* s = m_.smooth_at(k)) {
        for (auto& [lo, hi] : v) {
          bool nonneg = lo && *lo >= 0, nonpos = hi && *hi <= 0;
          Bound l, h;
          switch (s->kind) {
            case net::Smooth::tanh: l = Rational(nonneg ? 0 : -1); h = Rational(nonpos ? 0 : 1); break;
            case net::Smooth::sigmoid: l = nonneg ? Rational(1, 2) : Rational(0); h = nonpos ? Rational(1, 2) : Rational(1); break;
            case net::Smooth::elu:
              l = nonneg ? *lo : Rational(-s->alpha);
              if (hi) h = *hi < 0 ? Rational(0) : *hi;
              break;
            case net::Smooth::softplus:
              l = lo && *lo > 0 ? *lo : Rational(0);
              if (hi) h = (*hi < 0 ? Rational(0) : *hi) + Rational(7, 10);
              break;
          }
          lo = l;
          hi = h;
        }
      } else if (const auto* d = std::get_if<net::Dense>(&layer)) {
        std::vector<std::pair<Bound, Bound>> out;
        for (std::size_t r = 0; r < d->weights.rows(); ++r) {
          Bound lo = d->bias[r], hi = d->bias[r];
          for (std::size_t c = 0; c < d->weights.cols(); ++c) {
            const Rational& w = d->weights(r, c);
            if (w > 0) {
              lo = lo && v[c].first ? Bound(*lo + w * *v[c].first) : Bound();
              hi = hi && v[c].second ? Bound(*hi + w * *v[c].second) : Bound();
            } else if (w < 0) {
              lo = lo && v[c].second ? Bound(*lo + w * *v[c].second) : Bound();
              hi = hi && v[c].first ? Bound(*hi + w * *v[c].first) : Bound();
            }
          }
          out.emplace_back(lo, hi);
        }
        v = std::move(out);
      } else if (std::optional<Rational> a = net::negative_slope(layer)) {
        for (auto& [lo, hi] : v) {
          if (lo) lo = *lo < 0 ? Rational(*a * *lo) : *lo;
          else if (*a == 0) lo = Rational(0);
          if (hi) hi = *hi < 0 ? Rational(*a * *hi) : *hi;
        }
      }
    }
    return v;
  }

  std::string bounds_missed(const json& e) {
    require(m_.head == net::Head::none, "output bounds", "the model has a head");
    Vector y = y_in_codomain(e);
    auto b = bounds();
    for (std::size_t i = 0; i < y.size(); ++i)
      if ((b[i].first && y[i] < *b[i].first) || (b[i].second && y[i] > *b[i].second)) {
        pass("output bounds: y_" + std::to_string(i) + " = " + y[i].get_str() + " is outside the bounds of f_" +
             std::to_string(i) + " over X");
        return "not surjective: y in Y is outside f's interval bounds";
      }
    fail("output bounds", "y lies within the output bounds");
  }

  std::string bounds_inside() {
    require(m_.head == net::Head::none, "output bounds", "the model has a head");
    auto b = bounds();
    for (std::size_t i = 0; i < b.size(); ++i) {
      const net::Interval& s = m_.codomain.sides[i];
      require(!s.lower || (b[i].first && *b[i].first >= *s.lower), "output bounds",
              "the lower bound of f_" + std::to_string(i) + " is below Y");
      require(!s.upper || (b[i].second && *b[i].second <= *s.upper), "output bounds",
              "the upper bound of f_" + std::to_string(i) + " is above Y");
    }
    pass("output bounds: f's interval bounds over X lie inside Y");
    return "f maps X into Y";
  }

  // The layers from t on as one affine map A u + c (all dense or identity).
  std::pair<Matrix, Vector> tail(std::size_t t) const {
    require(t >= 1 && t <= net_.layers.size(), "affine tail", "layer index out of range");
    std::size_t w = net_.width_after(t);
    Matrix a = Matrix::identity(w);
    Vector c(w);
    for (std::size_t k = t; k < net_.layers.size(); ++k) {
      require(!m_.smooth_at(k), "affine tail", "layer " + std::to_string(k) + " is smooth");
      const net::Layer& layer = net_.layers[k];
      if (const auto* d = std::get_if<net::Dense>(&layer)) {
        a = d->weights * a;
        Vector next = d->weights * c;
        for (std::size_t i = 0; i < next.size(); ++i) next[i] += d->bias[i];
        c = std::move(next);
      } else {
        require(std::holds_alternative<net::Identity>(layer), "affine tail",
                "layer " + std::to_string(k) + " is not affine");
      }
    }
    return {a, c};
  }

  std::string left_null(const json& e) {
    require(m_.head == net::Head::none, "affine tail", "the model has a head");
    Vector y = y_in_codomain(e);
    std::size_t t = field(e, "layer", "affine tail").get<std::size_t>();
    auto [a, c] = tail(t);
    Vector z = point(e, "z", a.rows(), "affine tail");
    require(arith::is_zero(arith::transpose(a) * z), "affine tail", "z^T A != 0");
    Vector d = y;
    for (std::size_t i = 0; i < d.size(); ++i) d[i] -= c[i];
    require(arith::dot(z, d) != 0, "affine tail", "z^T (y - c) = 0");
    pass("affine tail: f = A u + c after layer " + std::to_string(t) + ", z^T A = 0 and z^T (y - c) != 0");
    return "not surjective: y is off the affine image";
  }

  std::string affine_tail(const json& e) {
    require(m_.head == net::Head::none, "affine tail", "the model has a head");
    Vector y = y_in_codomain(e);
    std::size_t t = field(e, "layer", "affine tail").get<std::size_t>();
    auto [a, c] = tail(t);
    Vector u = point(e, "u", a.cols(), "affine tail");
    require(arith::rank(a) == a.cols(), "affine tail", "A does not have full column rank");
    Vector au = a * u;
    for (std::size_t i = 0; i < au.size(); ++i) au[i] += c[i];
    require(au == y, "affine tail", "A u + c != y");
    // u outside the range of layer t - 1, coordinate by coordinate.
    const net::SmoothLayer* s = m_.smooth_at(t - 1);
    bool relu = !s && std::holds_alternative<net::Relu>(net_.layers[t - 1]);
    require(s || relu, "affine tail", "layer " + std::to_string(t - 1) + " is neither smooth nor relu");
    bool out = std::any_of(u.begin(), u.end(), [&](const Rational& v) {
      if (relu) return v < 0;
      switch (s->kind) {
        case net::Smooth::tanh: return v <= -1 || v >= 1;
        case net::Smooth::sigmoid: return v <= 0 || v >= 1;
        case net::Smooth::elu: return v <= -s->alpha;
        case net::Smooth::softplus: return v <= 0;
      }
      return false;
    });
    require(out, "affine tail", "u lies in the range of layer " + std::to_string(t - 1));
    pass("affine tail: y = A u + c with A of full column rank, and u is outside the range of layer " +
         std::to_string(t - 1));
    return "not surjective: the only u with A u + c = y is never an activation";
  }

  std::string labels_reached(const json& e) {
    require(m_.head == net::Head::argmax && m_.smooth.empty(), "labels", "not an argmax head on a piecewise-linear net");
    const json& points = field(e, "points", "labels");
    std::size_t count = 0;
    for (std::size_t k = 0; k < net_.output_dim(); ++k) {
      if (!m_.codomain.sides[0].contains(Rational(static_cast<long>(k)))) continue;
      std::string key = std::to_string(k);
      Vector x = point(points, key.c_str(), net_.input_dim, "labels");
      require(net_.domain.contains(x), "labels", "the point of label " + std::to_string(k) + " is outside X");
      require(label(net::evaluate(net_, x)) == k, "labels", "the point given for label " + std::to_string(k) +
                                                                 " gets another label");
      ++count;
    }
    pass("labels: each of the " + std::to_string(count) + " labels in Y is the argmax at its point of X");
    return "surjective onto the labels in Y";
  }

  std::string escape(const json& e) {
    require(m_.head == net::Head::argmax && m_.smooth.empty(), "escape", "not an argmax head on a piecewise-linear net");
    Vector x = point(e, "x", net_.input_dim, "escape");
    require(net_.domain.contains(x), "escape", "x is outside X");
    Rational l(static_cast<long>(label(net::evaluate(net_, x))));
    require(!m_.codomain.sides[0].contains(l), "escape", "the label of x is in Y");
    pass("escape: x in X gets label " + l.get_str() + ", outside Y");
    return "not into Y";
  }

  const net::Model& m_;
  const net::Network& net_;
};

}  // namespace

Report check_certificate(const net::Model& model, const json& certificate) {
  if (model.piecewise_linear()) return check_certificate(model.net, certificate);
  ModelChecker checker(model);
  Report report;
  try {
    require(certificate.is_object(), "format", "the certificate is not a JSON object");
    require(certificate.value("format", "") == cert::format_name && certificate.value("version", 0) == cert::format_version,
            "format", "not an nninv certificate of this version");
    checker.steps.push_back("format");
    std::string hash = cert::model_sha256(model);
    require(field(certificate, "network", "network hash").value("sha256", "") == hash, "network hash",
            "the certificate is for another network (this one has sha256 " + hash + ")");
    checker.steps.push_back("network hash (with its smooth layers and head)");
    std::string property = certificate.value("property", ""), verdict = certificate.value("verdict", "");
    if (verdict == "unknown") throw NotCertified{"the verdict is unknown: there is nothing to certify"};
    if (property == "bijective") {
      const json& parts = field(certificate, "parts", "parts");
      for (const char* part : {"injective", "into", "surjective"}) {
        if (verdict == "violated" && (!parts.is_object() || !parts.contains(part))) continue;
        const json& p = field(parts, part, "parts");
        std::string v = p.value("verdict", "");
        if (verdict == "violated" && v != "violated") continue;
        require(p.value("property", "") == part && v == verdict, "parts",
                std::string("the ") + part + " part does not support the bijective verdict");
        report.message += (report.message.empty() ? "" : "; ") + checker.evidence(part, v, field(p, "evidence", "evidence"));
        if (verdict == "violated") break;
      }
      require(!report.message.empty(), "parts", "no part is violated");
    } else {
      report.message = checker.evidence(property, verdict, field(certificate, "evidence", "evidence"));
    }
    report.status = Status::certified;
  } catch (const StepFailed& f) {
    report.status = Status::rejected;
    report.message = "step \"" + f.step + "\" failed: " + f.what;
  } catch (const NotCertified& n) {
    report.status = Status::not_certified;
    report.message = n.what;
  } catch (const json::exception& e) {
    report.status = Status::rejected;
    report.message = std::string("malformed certificate: ") + e.what();
  } catch (const std::runtime_error& e) {
    report.status = Status::rejected;
    report.message = std::string("malformed certificate: ") + e.what();
  }
  report.steps = checker.steps;
  return report;
}

}  // namespace nninv::check
