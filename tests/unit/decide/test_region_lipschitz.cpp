// The region-tree upper bound of Lip(f) (decide::lipschitz_bounds) against
// brute force: every activation pattern of a small net whose region has an
// interior point in X (exact strict feasibility), the largest inf- or 1-norm
// of the pattern's map. On nets this small the bound must be that value and
// attained by an exactly checked pair; every certificate is certified.
#include <catch2/catch.hpp>

#include <random>

#include "nninv/arith/farkas.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/decide/lipschitz.hpp"
#include "nninv/decide/pipeline.hpp"
#include "../../support/norms.hpp"

using namespace nninv;
using analysis::Norm;
using arith::Matrix;
using arith::Rational;
using arith::Vector;

namespace {

Rational exact_norm(const Matrix& a, Norm norm) {
  Rational best = 0;
  std::size_t outer = norm == Norm::inf ? a.rows() : a.cols(), inner = norm == Norm::inf ? a.cols() : a.rows();
  for (std::size_t i = 0; i < outer; ++i) {
    Rational sum = 0;
    for (std::size_t j = 0; j < inner; ++j) sum += abs(norm == Norm::inf ? a(i, j) : a(j, i));
    best = std::max(best, sum);
  }
  return best;
}

// Brute force over all 2^k patterns of the net's k activation neurons: the
// map of each pattern (x -> A x + c), and its region's strict rows.
Rational brute_lipschitz(const net::Network& net, Norm norm) {
  std::size_t n = net.input_dim, k = net.nonlinear_neuron_count();
  Rational best = 0;
  for (std::size_t pattern = 0; pattern < (std::size_t{1} << k); ++pattern) {
    Matrix a = Matrix::identity(n);
    Vector c(n);
    std::vector<arith::Constraint> rows;
    for (std::size_t i = 0; i < n; ++i) {
      Vector e(n);
      e[i] = 1;
      const net::Interval& s = net.domain.sides[i];
      if (s.upper) rows.push_back({e, *s.upper, arith::Relation::lt});
      for (Rational& v : e) v = -v;
      if (s.lower) rows.push_back({e, -*s.lower, arith::Relation::lt});
    }
    std::size_t bit = 0;
    for (const net::Layer& layer : net.layers) {
      if (const auto* d = std::get_if<net::Dense>(&layer)) {
        a = d->weights * a;
        Vector nc = d->weights * c;
        for (std::size_t i = 0; i < nc.size(); ++i) nc[i] += d->bias[i];
        c = nc;
        continue;
      }
      std::optional<Rational> slope = net::negative_slope(layer);
      if (!slope) continue;
      for (std::size_t r = 0; r < a.rows(); ++r, ++bit) {
        bool active = (pattern >> bit) & 1;
        Vector row = a.row(r);
        if (active) {  // a_r x + c_r > 0: -a_r x < c_r
          for (Rational& v : row) v = -v;
          rows.push_back({row, c[r], arith::Relation::lt});
        } else {  // a_r x + c_r < 0
          rows.push_back({row, -c[r], arith::Relation::lt});
          for (std::size_t j = 0; j < n; ++j) a(r, j) *= *slope;
          c[r] *= *slope;
        }
      }
    }
    if (!arith::decide_feasibility(rows, n).point) continue;
    best = std::max(best, exact_norm(a, norm));
  }
  return best;
}

}  // namespace

TEST_CASE("region tree: Lip(f) in the inf- and 1-norm is the brute-force value, attained and certified",
          "[decide][lipschitz][regions]") {
  std::mt19937 rng(161);
  auto w = [&] { return Rational(static_cast<long>(rng() % 9) - 4, static_cast<long>(1 + rng() % 2)); };
  int trials = 0;
  for (int t = 0; t < 30; ++t) {
    std::size_t n = 1 + t % 3, hidden = 2 + t % 4, out = 1 + t % 2;
    bool deep = t % 5 == 4;
    Rational alpha = t % 2 ? Rational(1, 4) : Rational(0);
    net::Network net;
    net.input_dim = n;
    net.domain = net::Box::everything(n);
    if (t % 3 == 1)
      for (auto& s : net.domain.sides) s = net::Interval{Rational(-1), Rational(2)};
    std::size_t width = n;
    for (int layer = 0; layer < (deep ? 2 : 1); ++layer) {
      net::Dense d{Matrix(hidden, width), Vector(hidden)};
      for (std::size_t r = 0; r < hidden; ++r) {
        for (std::size_t c = 0; c < width; ++c) d.weights(r, c) = w();
        d.bias[r] = w();
      }
      for (std::size_t r = 0; r < hidden; ++r)
        for (std::size_t c = 0; c < width; ++c) d.weights(r, c).canonicalize();
      net.layers.push_back(std::move(d));
      if (alpha == 0)
        net.layers.emplace_back(std::in_place_type<net::Relu>);
      else
        net.layers.push_back(net::LeakyRelu{alpha});
      width = hidden;
    }
    net::Dense last{Matrix(out, width), Vector(out)};
    for (std::size_t r = 0; r < out; ++r)
      for (std::size_t c = 0; c < width; ++c) {
        last.weights(r, c) = w();
        last.weights(r, c).canonicalize();
      }
    net.layers.push_back(std::move(last));
    net.codomain = net::Box::everything(out);
    for (auto& l : net.layers)
      if (auto* d = std::get_if<net::Dense>(&l))
        for (auto& b : d->bias) b.canonicalize();
    ++trials;
    for (Norm norm : {Norm::inf, Norm::one}) {
      INFO("trial " << t << " norm " << analysis::to_string(norm));
      analysis::LipschitzResult r = decide::lipschitz_bounds(net, norm, {}, 30.0);
      CHECK(r.upper == brute_lipschitz(net, norm));
      CHECK(r.upper_exact);
      if (r.upper_attained) {
        const auto& [x1, x2] = *r.upper_attained;
        Vector dy = net::evaluate(net, x1), dx = x1;
        Vector y2 = net::evaluate(net, x2);
        for (std::size_t i = 0; i < dy.size(); ++i) dy[i] -= y2[i];
        for (std::size_t i = 0; i < dx.size(); ++i) dx[i] -= x2[i];
        CHECK(test::norm_power(dy, norm) == r.upper * test::norm_power(dx, norm));
      }
      CHECK(check::check_certificate(net, decide::certificate(net, r)).status == check::Status::certified);
    }
  }
  CHECK(trials == 30);
}

TEST_CASE("region tree: a tampered bound or a thin leaf that is not thin is rejected", "[decide][lipschitz][regions]") {
  net::Network net;
  net.input_dim = 1;
  net.domain = net::Box::everything(1);
  // zigzag: slopes 1, -1, 1; the thin region {x = 0} of the pair relu(x), relu(-x) would give 2.
  net.layers.push_back(net::Dense{Matrix::from_rows({{1}, {1}, {1}, {-1}}, 1), Vector{0, -1, -2, 0}});
  net.layers.emplace_back(std::in_place_type<net::Relu>);
  net.layers.push_back(net::Dense{Matrix::from_rows({{1, -2, 2, -1}}, 4), Vector{0}});
  net.codomain = net::Box::everything(1);
  analysis::LipschitzResult r = decide::lipschitz_bounds(net, Norm::inf);
  REQUIRE(r.evidence.upper_source == "region_tree");
  CHECK(r.upper == 1);
  nlohmann::json c = decide::certificate(net, r);
  CHECK(check::check_certificate(net, c).status == check::Status::certified);
  nlohmann::json bad = c;
  bad["upper"] = "1/2";
  bad["evidence"]["upper"].erase("attained");
  CHECK(check::check_certificate(net, bad).status == check::Status::rejected);
  // A full region passed off as thin: its multipliers do not add up.
  std::string text = c["evidence"]["upper"]["tree"].dump();
  std::size_t at = text.find("{\"thin\"");
  REQUIRE(at != std::string::npos);
  nlohmann::json tree = c["evidence"]["upper"]["tree"];
  std::function<bool(nlohmann::json&)> swap_first_full = [&](nlohmann::json& node) {
    if (node.contains("split")) return swap_first_full(node["active"]) || swap_first_full(node["inactive"]);
    if (node.is_object() && node.empty()) {
      node = nlohmann::json{{"thin", nlohmann::json::object()}};
      return true;
    }
    return false;
  };
  REQUIRE(swap_first_full(tree));
  bad = c;
  bad["evidence"]["upper"]["tree"] = tree;
  CHECK(check::check_certificate(net, bad).status == check::Status::rejected);
}
