// Section trees for "f is onto Y" (docs/certificates.md, "Section trees"):
// split Y into polyhedral cells until every cell carries an affine section
// s(y) = S y + t of f (f(s(y)) = y on one activation region whose
// constraints hold at s(y) for every y of the cell, each by an exact Farkas
// certificate) or a Farkas certificate that the cell is empty.
//
// Search, per cell: a point y0 deep inside the cell (exact phase-1 LP with a
// margin), a preimage x0 of a slightly perturbed y0 from Z3, the activation
// region of x0 with an invertible map A (S = A^-1 on the free input
// coordinates, t = x0 - S y0; for more free inputs than outputs, A^-1 on m
// basis columns with the other inputs fixed at x0), then the region's
// constraints pulled back to y. A constraint that fails somewhere on the cell is a hyperplane that cuts
// the cell; both halves recurse, the half where the constraint holds keeps
// the section as its first candidate. Nothing here is trusted: the checker
// re-derives every region from its pattern and re-adds every multiplier.
#include <algorithm>
#include <functional>

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
  bool interior = false;           // s(y0) strictly inside every non-constant row
};

constexpr std::size_t max_bases = 16;  // basis sections tried per region (wide maps)

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
        if (!net_.codomain.sides[i].is_point()) {
          Rational step(long(((i + 1) * 37 + attempt * 53) % 97) - 48, 2 * 97);
          step.canonicalize();  // the (p, q) constructor does not reduce
          y[i] += *margin * step;
        }
      smt::PreimageResult p = smt::find_preimage(net_, y, budget_);
      if (p.status != smt::Preimage::found) return std::nullopt;
      std::vector<Section> candidates = section_at(p.x, y);
      // Several sections (wide maps): the interior one with the fewest rows failing on the cell.
      const Section* best = nullptr;
      std::size_t best_failures = 0;
      for (const Section& s : candidates) {
        if (!s.interior) continue;
        std::size_t f = candidates.size() == 1 ? 0 : failures(c, s, best ? best_failures : s.region.size() + 1);
        if (!best || f < best_failures) {
          best = &s;
          best_failures = f;
        }
        if (best_failures == 0) break;
      }
      if (best) return use(c, *best);
      if (!candidates.empty() && !first) first = candidates.front();
    }
    if (first) return use(c, *first);
    return std::nullopt;
  }

  std::size_t nodes() const { return nodes_; }

 private:
  // Rows of the section's region that fail somewhere on the cell, counted up to `cap`.
  std::size_t failures(const std::vector<Constraint>& c, const Section& s, std::size_t cap) const {
    std::size_t count = 0;
    for (const Constraint& row : s.region) {
      if (count >= cap) break;
      std::vector<Constraint> system = c;
      system.push_back(cert::section_violation(row, s.s, s.t));
      count += !arith::find_farkas_multipliers(system, m_);
    }
    return count;
  }

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

  // Sections through the region of x0 (trying tie choices) whose map reaches
  // every free direction of Y. S = A^T (A A^T)^-1 on the free directions of Y
  // (the inverse for square invertible A, the least-norm right inverse for
  // wide A); for wide A also A_B^-1 on the pivot columns B of A with the other
  // inputs fixed. Pinned codomain coordinates get a zero column. The point
  // s(y0) is x0, or for wide A a point of the fibre away from the region's faces.
  std::vector<Section> section_at(const Vector& x0, const Vector& y0) {
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
      Matrix aat = a * arith::transpose(a);
      Matrix least(net_.input_dim, m_);
      bool reaches = true;
      for (std::size_t j = 0; j < m_ && reaches; ++j) {
        if (net_.codomain.sides[j].is_point()) continue;
        Vector e(m_);
        e[j] = 1;
        std::optional<Vector> w = arith::solve(aat, e);
        if (!w) {
          reaches = false;
          break;
        }
        Vector col = arith::transpose(a) * *w;
        for (std::size_t k = 0; k < free_.size(); ++k) least(free_[k], j) = col[k];
      }
      if (!reaches) continue;
      std::vector<Section> out;
      auto add = [&](const Matrix& s, const Vector& x) {
        Section sec{pattern, s, Vector(net_.input_dim), ps.constraints(), y0};
        Vector sy = s * y0;
        for (std::size_t i = 0; i < net_.input_dim; ++i) sec.t[i] = x[i] - sy[i];
        sec.interior = true;
        for (const Constraint& row : sec.region)
          if (!arith::is_zero(arith::transpose(s) * row.a) && arith::dot(row.a, x) >= row.b) sec.interior = false;
        out.push_back(std::move(sec));
      };
      if (arith::rank(a) == free_.size()) {
        add(least, x0);
        return out;
      }
      Vector centre = centred(ps, x0, y0);
      add(least, centre);
      // Basis sections: A_JB^-1 on |J| free columns B (J: the free directions
      // of Y), the other inputs fixed; at most max_bases of them.
      std::vector<std::size_t> dirs;
      for (std::size_t j = 0; j < m_; ++j)
        if (!net_.codomain.sides[j].is_point()) dirs.push_back(j);
      std::vector<std::size_t> pick(dirs.size());
      std::size_t tried = 0;
      std::function<void(std::size_t, std::size_t)> choose = [&](std::size_t from, std::size_t depth) {
        if (tried >= max_bases) return;
        if (depth == dirs.size()) {
          ++tried;
          Matrix ab(dirs.size(), dirs.size());
          for (std::size_t r = 0; r < dirs.size(); ++r)
            for (std::size_t k = 0; k < dirs.size(); ++k) ab(r, k) = a(dirs[r], pick[k]);
          std::optional<Matrix> inv = arith::inverse(ab);
          if (!inv) return;
          Matrix s(net_.input_dim, m_);
          for (std::size_t k = 0; k < dirs.size(); ++k)
            for (std::size_t r = 0; r < dirs.size(); ++r) s(free_[pick[k]], dirs[r]) = (*inv)(k, r);
          Matrix sf(free_.size(), m_);
          for (std::size_t k = 0; k < free_.size(); ++k)
            for (std::size_t j = 0; j < m_; ++j) sf(k, j) = s(free_[k], j);
          Matrix as = a * sf;  // the pinned rows of A must not move either
          for (std::size_t j : dirs)
            for (std::size_t i = 0; i < m_; ++i)
              if (as(i, j) != (i == j ? 1 : 0)) return;
          add(s, centre);
          add(s, x0);
          return;
        }
        for (std::size_t c = from; c < free_.size(); ++c) {
          pick[depth] = c;
          choose(c + 1, depth + 1);
        }
      };
      if (!dirs.empty()) choose(0, 0);
      return out;
    }
    return {};
  }

  // A point of the fibre {x in R_P and X : f(x) = y0} with a margin to the
  // region's rows (as in inner_point), so that the section through it does
  // not hug a face of the region; x0 itself when there is none.
  Vector centred(const cert::PathSystem& ps, const Vector& x0, const Vector& y0) const {
    std::size_t n = net_.input_dim;
    std::vector<Constraint> fibre = ps.constraints();
    std::vector<Rational> norms;
    for (const Constraint& row : fibre) {
      Rational norm = 0;
      for (std::size_t i = 0; i < n; ++i)
        if (row.a[i] != 0 && !net_.domain.sides[i].is_point()) norm += abs(row.a[i]);
      norms.push_back(norm);
    }
    for (std::size_t i = 0; i < m_; ++i) {
      const cert::Affine& out = ps.output(0, i);
      fibre.push_back(Constraint{out.coeffs, y0[i] - out.constant, Relation::eq});
    }
    Rational r = 1;
    for (int k = 0; k < 8; ++k, r /= 4) {
      std::vector<Constraint> shrunk = fibre;
      for (std::size_t i = 0; i < norms.size(); ++i) shrunk[i].b -= r * norms[i];
      if (auto x = arith::find_feasible_point(shrunk, n)) return *x;
    }
    return x0;
  }

  const net::Network& net_;
  const Budget& budget_;
  std::size_t max_nodes_, nodes_ = 0, m_;
  std::vector<std::size_t> free_;
};

}  // namespace

std::optional<json> try_section_tree(const net::Network& net, const Budget& budget, std::size_t max_nodes) {
  if (net.domain.free_coordinates().size() < net.output_dim() || net.output_dim() == 0) return std::nullopt;
  SectionSearch search(net, budget, max_nodes);
  auto tree = search.cell(cert::codomain_constraints(net), std::nullopt);
  if (!tree) return std::nullopt;
  return json{{"kind", "section_tree"}, {"nodes", search.nodes()}, {"tree", *tree}};
}

}  // namespace nninv::decide
