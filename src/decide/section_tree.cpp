// Section trees for "f is onto Y" (docs/certificates.md, "Section trees"):
// split Y into polyhedral cells until every cell carries an affine section
// s(y) = S y + t of f (f(s(y)) = y on one activation region whose
// constraints hold at s(y) for every y of the cell, each by an exact Farkas
// certificate) or a Farkas certificate that the cell is empty.
//
// Search, per cell: a point y0 deep inside the cell (exact phase-1 LP with a
// margin), a preimage x0 of a slightly perturbed y0 from Z3, the activation
// region of x0 with an invertible map A (S = A^-1 on the free input
// coordinates, t = x0 - S y0), then the region's constraints pulled back to
// y. A constraint that fails somewhere on the cell is a hyperplane that cuts
// the cell; both halves recurse, the half where the constraint holds keeps
// the section as its first candidate. Nothing here is trusted: the checker
// re-derives every region from its pattern and re-adds every multiplier.
#include <algorithm>

#include "nninv/analysis/local_map.hpp"
#include "nninv/cert/certificate.hpp"
#include "nninv/cert/path_system.hpp"
#include "nninv/smt/image_encoding.hpp"
#include "proof_search.hpp"

namespace nninv::decide {

using arith::Constraint;
using arith::Matrix;
using arith::Rational;
using arith::Relation;
using arith::Vector;
using nlohmann::json;

namespace {

json sparse(const Vector& m) {
  json j = json::object();
  for (std::size_t k = 0; k < m.size(); ++k)
    if (m[k] != 0) j[std::to_string(k)] = m[k].get_str();
  return j;
}

struct Section {
  std::vector<std::string> pattern;
  Matrix s;
  Vector t;
  std::vector<Constraint> region;  // R_P and X, over x (cert::pattern_system)
  Vector y0;                       // a point of the cell it was made for
};

class SectionSearch {
 public:
  SectionSearch(const net::Network& net, const Budget& budget, std::size_t max_nodes)
      : net_(net), budget_(budget), max_nodes_(max_nodes), m_(net.output_dim()),
        free_(net.domain.free_coordinates()) {}

  std::optional<json> cell(const std::vector<Constraint>& c, const std::optional<Section>& hint) {
    if (++nodes_ > max_nodes_ || budget_.exhausted()) return std::nullopt;
    if (hint) return use(c, *hint);
    std::optional<Rational> margin;
    std::optional<Vector> y0 = inner_point(c, margin);
    if (!y0) {
      if (auto e = arith::find_farkas_multipliers(c, m_)) return json{{"empty", sparse(*e)}};
      return std::nullopt;  // a flat cell: not handled
    }
    std::optional<Section> first;
    for (int attempt = 0; attempt < 4 && !budget_.exhausted(); ++attempt) {
      Vector y = *y0;
      for (std::size_t i = 0; i < m_ && margin; ++i)
        if (!net_.codomain.sides[i].is_point())
        {
          Rational step(long(((i + 1) * 37 + attempt * 53) % 97) - 48, 2 * 97);
          step.canonicalize();  // the (p, q) constructor does not reduce
          y[i] += *margin * step;
        }
      smt::PreimageResult p = smt::find_preimage(net_, y, budget_);
      if (p.status != smt::Preimage::found) return std::nullopt;
      bool interior = false;
      std::optional<Section> s = section_at(p.x, y, interior);
      if (s && interior) return use(c, *s);
      if (s && !first) first = std::move(s);
    }
    if (first) return use(c, *first);
    return std::nullopt;
  }

  std::size_t nodes() const { return nodes_; }

 private:
  // A leaf when every region row holds on the cell; else a split on the
  // first row that fails somewhere, its good half keeping the section.
  std::optional<json> use(const std::vector<Constraint>& c, const Section& s) {
    json proofs = json::array();
    for (const Constraint& row : s.region) {
      std::vector<Constraint> system = c;
      system.push_back(cert::section_violation(row, s.s, s.t));
      if (auto mult = arith::find_farkas_multipliers(system, m_)) {
        proofs.push_back(sparse(*mult));
        continue;
      }
      // Split on p.y = q with p.y <= q where the row holds (violation: -p.y < -q).
      const Constraint& v = system.back();
      Vector p = v.a;
      for (Rational& x : p) x = -x;
      Rational q = -v.b;
      std::vector<Constraint> le = c, ge = c;
      le.push_back(Constraint{p, q, Relation::le});
      ge.push_back(Constraint{v.a, v.b, Relation::le});
      auto good = cell(le, s);
      if (!good) return std::nullopt;
      auto bad = cell(ge, std::nullopt);
      if (!bad) return std::nullopt;
      return json{{"split", {{"a", cert::to_json(p)}, {"b", q.get_str()}}}, {"le", *good}, {"ge", *bad}};
    }
    return json{{"section", {{"pattern", s.pattern}, {"S", cert::to_json(s.s)}, {"t", cert::to_json(s.t)},
                             {"proofs", proofs}}}};
  }

  // A point with margin r to every non-flat row (a.y + r |a|_1 <= b), for the
  // largest r in 1, 1/4, 1/16, ... that works; rows of pinned codomain
  // coordinates are kept as they are.
  std::optional<Vector> inner_point(const std::vector<Constraint>& c, std::optional<Rational>& margin) {
    Rational r = 1;
    for (int k = 0; k < 12; ++k, r /= 4) {
      std::vector<Constraint> shrunk = c;
      for (std::size_t i = 0; i < c.size(); ++i) {
        if (i < pinned_rows_end() && is_pinned_row(i)) continue;
        Rational norm = 0;
        for (const Rational& a : c[i].a) norm += abs(a);
        shrunk[i].b -= r * norm;
      }
      if (auto y = arith::find_feasible_point(shrunk, m_)) {
        margin = r;
        return y;
      }
    }
    return std::nullopt;
  }

  // Root rows (codomain box) of coordinates with lower == upper.
  std::size_t pinned_rows_end() const { return cert::codomain_constraints(net_).size(); }
  bool is_pinned_row(std::size_t row) const {
    std::size_t k = 0;
    for (const net::Interval& side : net_.codomain.sides) {
      std::size_t count = std::size_t(bool(side.lower)) + std::size_t(bool(side.upper));
      if (row < k + count) return side.is_point();
      k += count;
    }
    return false;
  }

  // The region of x0 (trying tie choices) with an invertible map on the free
  // coordinates; `interior` when x0 is strictly inside every non-constant row.
  std::optional<Section> section_at(const Vector& x0, const Vector& y0, bool& interior) {
    std::vector<analysis::NeuronAtPoint> neurons = analysis::local_map(net_, x0).neurons;
    std::size_t ties = 0;
    for (const auto& n : neurons) ties += n.value == 0;
    std::size_t choices = std::size_t(1) << std::min<std::size_t>(ties, 6);
    for (std::size_t bits = 0; bits < choices; ++bits) {
      std::vector<std::string> pattern;
      std::size_t tie = 0;
      std::optional<std::size_t> layer;
      for (const auto& n : neurons) {
        if (!layer || *layer != n.layer) pattern.emplace_back();
        layer = n.layer;
        bool active = n.value > 0 || (n.value == 0 && tie < 6 && ((bits >> tie) & 1));
        if (n.value == 0) ++tie;
        pattern.back() += active ? '1' : '0';
      }
      cert::PathSystem ps = cert::pattern_system(net_, pattern);
      Matrix a(m_, free_.size());
      for (std::size_t i = 0; i < m_; ++i)
        for (std::size_t j = 0; j < free_.size(); ++j) a(i, j) = ps.output(0, i).coeffs[free_[j]];
      std::optional<Matrix> inv = arith::inverse(a);
      if (!inv) continue;
      Section s{pattern, Matrix(net_.input_dim, m_), Vector(net_.input_dim), ps.constraints(), y0};
      for (std::size_t j = 0; j < free_.size(); ++j)
        for (std::size_t i = 0; i < m_; ++i) s.s(free_[j], i) = (*inv)(j, i);
      Vector sy = s.s * y0;
      for (std::size_t i = 0; i < net_.input_dim; ++i) s.t[i] = x0[i] - sy[i];
      interior = true;
      for (const Constraint& row : s.region) {
        Vector p = arith::transpose(s.s) * row.a;
        if (!arith::is_zero(p) && arith::dot(row.a, x0) >= row.b) interior = false;
      }
      return s;
    }
    return std::nullopt;
  }

  const net::Network& net_;
  const Budget& budget_;
  std::size_t max_nodes_, nodes_ = 0, m_;
  std::vector<std::size_t> free_;
};

}  // namespace

std::optional<json> try_section_tree(const net::Network& net, const Budget& budget, std::size_t max_nodes) {
  if (net.domain.free_coordinates().size() != net.output_dim() || net.output_dim() == 0) return std::nullopt;
  SectionSearch search(net, budget, max_nodes);
  auto tree = search.cell(cert::codomain_constraints(net), std::nullopt);
  if (!tree) return std::nullopt;
  return json{{"kind", "section_tree"}, {"nodes", search.nodes()}, {"tree", *tree}};
}

}  // namespace nninv::decide
