// "recession_degree" (docs/certificates.md; the argument in
// docs/architecture.md, "Recession degree"). f_inf is f with every bias 0:
// positively homogeneous, and f - f_inf is bounded. The certificate gives a
// direction d and, for each facet x_i = s of the cube [-1, 1]^n, a tree of
// phase splits of f_inf on that facet. This file rebuilds f_inf and the
// facets itself and checks at every fully fixed leaf, with linear map A:
//   nonsingular, "miss": the ray of A^-1 d does not meet the leaf's region
//     on the facet (recomputed);
//   nonsingular, "hit": it meets it at x', strictly inside the region (in
//     the facet's plane) and strictly inside the facet; counted with the
//     sign of det A;
//   singular: Farkas multipliers show that no v of the region has A v on the
//     open ray of d, and that no v of the region has A v = 0.
// Every ray from 0 crosses the cube's surface once, so the hits are all the
// preimage rays of d, each in the interior of a linear piece: their signed
// count is the degree of f_inf, which must be the certificate's and nonzero.
#include "degree_check.hpp"

#include "nninv/arith/farkas.hpp"
#include "nninv/cert/path_system.hpp"
#include "read.hpp"
#include "trees.hpp"

namespace nninv::check::detail {

using arith::Constraint;
using arith::Matrix;
using arith::Rational;
using arith::Relation;
using arith::Vector;
using nlohmann::json;

namespace {

const std::string step = "recession degree";

// A row that involves no coordinate but x_i is constant on the plane x_i = s.
bool only_coordinate(const Constraint& c, std::size_t i) {
  for (std::size_t j = 0; j < c.a.size(); ++j)
    if (j != i && c.a[j] != 0) return false;
  return true;
}

class DegreeCheck {
 public:
  DegreeCheck(const net::Network& net, const json& e) : e_(e), n_(net.input_dim), recession_(net) {
    for (net::Layer& layer : recession_.layers)
      if (auto* dense = std::get_if<net::Dense>(&layer)) dense->bias.assign(dense->bias.size(), Rational(0));
    recession_.codomain = net::Box::everything(n_);
    d_ = read_vector(e, "d", n_, step);
    require(!arith::is_zero(d_), step, "d is the zero vector");
  }

  long run(TreeStats& stats) {
    const json& facets = field(e_, "facets", step);
    require(facets.is_array() && facets.size() == 2 * n_, step,
            "expected one tree per facet of the cube (" + std::to_string(2 * n_) + ")");
    bool phases = stable_phases(e_);
    std::size_t k = 0;
    for (std::size_t i = 0; i < n_; ++i)
      for (int s : {1, -1}) {
        const json& facet = facets[k++];
        std::string where = "facet x" + std::to_string(i) + " = " + std::to_string(s);
        require(facet.is_object() && facet.value("coordinate", std::size_t{0} - 1) == i && facet.value("sign", 0) == s,
                step, where + ": facets out of order");
        net::Network on_facet = recession_;
        for (std::size_t j = 0; j < n_; ++j) on_facet.domain.sides[j] = net::Interval{Rational(-1), Rational(1)};
        on_facet.domain.sides[i] = net::Interval{Rational(s), Rational(s)};
        i_ = i;
        s_ = s;
        walk(field(facet, "tree", step), cert::PathSystem(on_facet, 1, phases), where, 0, stats,
             [&](const json& node, const cert::PathSystem& ps, const std::string& at) { leaf(node, ps, at, stats); });
      }
    return degree_;
  }

  std::size_t hits() const { return hits_; }

 private:
  void leaf(const json& node, const cert::PathSystem& ps, const std::string& where, TreeStats& stats) {
    require(node.is_object(), step, where + ": leaf is not an object");
    Matrix a(n_, n_);
    for (std::size_t k = 0; k < n_; ++k) {
      const cert::Affine& out = ps.output(0, k);
      require(out.constant == 0, step, where + ": the recession map has a constant term");
      for (std::size_t j = 0; j < n_; ++j) a(k, j) = out.coeffs[j];
    }
    const std::string map = node.value("map", "");
    Rational det = arith::determinant(a);
    if (map == "singular") {
      require(det == 0, step, where + ": the map is not singular");
      require(node.contains("zero") && !node.at("zero").is_null(), step,
              where + ": no proof that the recession map vanishes nowhere on this region");
      farkas_leaf(field(node, "ray", step), with_rows(ps, on_ray_rows(a)), step, where + "/ray", stats);
      std::vector<Constraint> zero;
      for (std::size_t k = 0; k < n_; ++k) zero.push_back(Constraint{a.row(k), 0, Relation::eq});
      farkas_leaf(node.at("zero"), with_rows(ps, zero), step, where + "/zero", stats);
      return;
    }
    require(map == "nonsingular" && det != 0, step, where + ": expected a nonsingular map");
    std::optional<Vector> xs = arith::solve(a, d_);
    require(xs && a * *xs == d_, step, where + ": A x = d has no solution");
    std::optional<Vector> hit;
    if (s_ * (*xs)[i_] > 0) {
      Vector x = *xs;
      Rational scale = Rational(s_) / x[i_];
      for (Rational& v : x) v *= scale;
      if (arith::satisfies(ps.constraints(), x)) hit = x;
    }
    const std::string ray = node.value("ray", "");
    if (ray == "miss") {
      require(!hit, step, where + ": the ray through A^-1 d meets the region");
      return;
    }
    require(ray == "hit" && hit, step, where + ": the ray through A^-1 d does not meet the region");
    require(read_vector(node, "x", n_, step) == *hit, step, where + ": x is not where the ray meets the facet");
    for (std::size_t j = 0; j < n_; ++j)
      require(j == i_ || ((*hit)[j] > -1 && (*hit)[j] < 1), step, where + ": x lies on an edge of the cube");
    for (const Constraint& c : ps.constraints())
      if (!only_coordinate(c, i_))
        require(arith::dot(c.a, *hit) < c.b, step,
                where + ": x lies on the boundary of the region, so d is not generic");
    int sign = det > 0 ? 1 : -1;
    require(node.value("sign", 0) == sign, step, where + ": the sign is not that of det A");
    degree_ += sign;
    ++hits_;
  }

  // "A v on the open ray of d": d_p (A v)_k = d_k (A v)_p for k != p (p the
  // first nonzero coordinate of d), and d.(A v) > 0.
  std::vector<Constraint> on_ray_rows(const Matrix& a) const {
    std::size_t p = 0;
    while (d_[p] == 0) ++p;
    std::vector<Constraint> rows;
    for (std::size_t k = 0; k < n_; ++k) {
      if (k == p) continue;
      Vector c(n_);
      for (std::size_t j = 0; j < n_; ++j) c[j] = d_[p] * a(k, j) - d_[k] * a(p, j);
      rows.push_back(Constraint{c, 0, Relation::eq});
    }
    Vector c(n_);
    for (std::size_t j = 0; j < n_; ++j)
      for (std::size_t k = 0; k < n_; ++k) c[j] -= d_[k] * a(k, j);
    rows.push_back(Constraint{c, 0, Relation::lt});
    return rows;
  }

  static std::vector<Constraint> with_rows(const cert::PathSystem& ps, std::vector<Constraint> extra) {
    std::vector<Constraint> system = ps.constraints();
    for (Constraint& c : extra) system.push_back(std::move(c));
    return system;
  }

  const json& e_;
  std::size_t n_;
  net::Network recession_;
  Vector d_;
  std::size_t i_ = 0;
  int s_ = 1;
  long degree_ = 0;
  std::size_t hits_ = 0;
};

}  // namespace

std::string check_recession_degree(const net::Network& net, const json& e, std::vector<std::string>& steps) {
  require(net.domain.is_everything() && net.output_dim() == net.input_dim && net.input_dim > 0, "square on R^n",
          "needs X = R^n and m = n");
  steps.push_back("square on R^n");
  DegreeCheck check(net, e);
  TreeStats stats;
  long degree = check.run(stats);
  require(degree != 0, step, "the preimage rays of d count to degree 0");
  require(field(e, "degree", step) == degree, step,
          "the certificate's degree differs from the count, " + std::to_string(degree));
  steps.push_back("recession degree: " + std::to_string(check.hits()) + (check.hits() == 1 ? " preimage ray" : " preimage rays") + " of d, degree " +
                  std::to_string(degree) + ", " + std::to_string(stats.nodes) + " nodes, " +
                  std::to_string(stats.leaves) + " Farkas leaves");
  return "f with every bias 0 vanishes only at 0 and has Brouwer degree " + std::to_string(degree) +
         " != 0, and f differs from it by a bounded map, so f is onto R^n and hence onto Y (Gowda 1996)";
}

}  // namespace nninv::check::detail
