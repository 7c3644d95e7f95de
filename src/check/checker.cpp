// The certificate checker, step by step (docs/certificates.md). Reads the
// claim, binds it to the network by hash, and re-derives the verdict from the
// evidence with exact rational arithmetic only. Nothing here searches.
#include "nninv/check/checker.hpp"

#include <pthread.h>

#include <algorithm>
#include <exception>
#include <stdexcept>

#include "nninv/cert/certificate.hpp"
#include "nninv/cert/path_system.hpp"
#include "degree_check.hpp"
#include "blocks_check.hpp"
#include "orientation_check.hpp"
#include "intervals.hpp"
#include "lipschitz_check.hpp"
#include "rewrites.hpp"
#include "jacobian_check.hpp"
#include "read.hpp"
#include "step.hpp"
#include "trees.hpp"

namespace nninv::check {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using nlohmann::json;

namespace {

using detail::field;
using detail::read_matrix;
using detail::read_vector;
using detail::StepFailed;
using detail::stable_phases;
using detail::TreeStats;
using detail::walk;

struct SolverOnly {
  std::string what;
};

class Checker {
 public:
  explicit Checker(const net::Network& net) : net_(net) {}

  std::vector<std::string> steps;

  void pass(const std::string& step) { steps.push_back(step); }
  [[noreturn]] static void fail(const std::string& step, const std::string& what) { throw StepFailed{step, what}; }
  static void require(bool ok, const std::string& step, const std::string& what) {
    if (!ok) fail(step, what);
  }

  static bool is_identity(const Matrix& m) { return m == Matrix::identity(m.rows()) && m.rows() == m.cols(); }

  void header(const json& c) {
    require(c.is_object(), "format", "the certificate is not a JSON object");
    require(c.value("format", "") == cert::format_name && c.value("version", 0) == cert::format_version, "format",
            std::string("expected format \"") + cert::format_name + "\" version " +
                std::to_string(cert::format_version));
    pass("format");
    std::string hash = cert::network_sha256(net_);
    const json& network = field(c, "network", "network hash");
    require(network.value("sha256", "") == hash, "network hash",
            "the certificate is for another network (sha256 " + network.value("sha256", "?") + ", this network " +
                hash + ")");
    pass("network hash");
  }

  // Returns a one-line statement of what was proved.
  std::string evidence(const std::string& property, const std::string& verdict, const json& e, const json& c) {
    std::string kind = field(e, "kind", "evidence").is_string() ? e.at("kind").get<std::string>() : "";
    if (kind == "solver")
      throw SolverOnly{"the " + verdict + " verdict rests on " + e.value("solver", "a solver") + " (" +
                       e.value("query", "") + "), not on checkable data; re-run the --smt2 query on another solver"};
    if (kind == "simplified") return simplified(property, verdict, e, c);
    if (property == "injective" && verdict == "violated" && kind == "collision") return collision(e);
    if (property == "injective" && verdict == "holds" && kind == "single_point") return single_point();
    if (property == "injective" && verdict == "holds" && kind == "layer_left_inverses") return left_inverses(e);
    if (property == "injective" && verdict == "holds" && kind == "affine_left_inverse") return affine_left(e);
    if (property == "injective" && verdict == "holds" && kind == "twin_proof_tree") return twin_tree(e);
    if (property == "injective" && verdict == "holds" && kind == "relu_layer_tree") return relu_layer_tree(e);
    if (property == "injective" && verdict == "holds" && kind == "jacobian_box") return jacobian_box(e);
    if (property == "injective" && verdict == "holds" && kind == "jacobian_norm") return jacobian_norm(e);
    if (property == "injective" && verdict == "holds" && kind == "blocks")
      return detail::check_blocks(net_, e, steps) + ", so f is injective on X";
    if (property == "surjective" && verdict == "holds" && kind == "blocks") {
      require(net_.domain.is_everything(), "blocks", "X is not all of R^n, so a bijection of R^n says nothing of f(X)");
      return detail::check_blocks(net_, e, steps) + ", so onto every Y";
    }
    if (property == "injective" && verdict == "holds" && kind == "coherent_orientation")
      return detail::check_coherent_orientation(net_, e, steps);
    if (property == "invert" && verdict == "none" && kind == "preimage_proof_tree") {
      Vector y = read_vector(c, "y", net_.output_dim(), "claimed y");
      return preimage_tree(e, y, 0);
    }
    if (property == "surjective" && verdict == "violated" && kind == "unreachable") return unreachable(e);
    if (property == "surjective" && verdict == "holds" && kind == "layer_right_inverses") return right_inverses(e);
    if (property == "surjective" && verdict == "holds" && kind == "affine_right_inverse") return affine_right(e);
    if (property == "surjective" && verdict == "holds" && kind == "injective_square") return injective_square(e, c);
    if (property == "surjective" && verdict == "holds" && kind == "section_tree") return section_tree(e);
    if (property == "surjective" && verdict == "holds" && kind == "recession_degree")
      return detail::check_recession_degree(net_, e, steps);
    if (property == "invert" && verdict == "found" && kind == "preimage") return preimage(e, c);
    if (property == "into" && verdict == "violated" && kind == "escape") return escape(e);
    if (property == "into" && verdict == "holds" && kind == "codomain_everything") return codomain_everything();
    if (property == "into" && verdict == "holds" && kind == "output_bounds_inside") return output_bounds_inside();
    if (property == "into" && verdict == "holds" && kind == "into_proof_trees") return into_trees(e);
    fail("evidence", "evidence of kind \"" + kind + "\" does not prove \"" + property + " " + verdict + "\"");
  }

 private:
  // Evidence for the simplified network: replay the certificate's rewrites
  // with the checker's own code (rewrites.hpp; each verified, each an
  // identity of functions on R^n), bind the result by hash, and check the
  // inner evidence against it.
  std::string simplified(const std::string& property, const std::string& verdict, const json& e, const json& c) {
    net::Network s = detail::replay_rewrites(net_, field(e, "rewrites", "simplification"));
    std::string hash = cert::network_sha256(s);
    require(field(e, "sha256", "simplified network hash") == hash, "simplified network hash",
            "the rewrites give another network than the evidence is for (sha256 " + hash + ")");
    pass("simplification: " + std::to_string(e.at("rewrites").size()) + " rewrites replayed, " +
         std::to_string(net_.nonlinear_neuron_count()) + " -> " + std::to_string(s.nonlinear_neuron_count()) +
         " relu/leaky neurons, " + std::to_string(net_.layers.size()) + " -> " + std::to_string(s.layers.size()) +
         " layers");
    Checker inner(s);
    try {
      std::string what = inner.evidence(property, verdict, field(e, "evidence", "simplified"), c);
      for (const std::string& step : inner.steps) pass("simplified: " + step);
      return what + " (shown for the simplified network, which computes the same function)";
    } catch (const StepFailed&) {
      for (const std::string& step : inner.steps) pass("simplified: " + step);
      throw;
    }
  }

  std::string collision(const json& e) {
    Vector x1 = read_vector(e, "x1", net_.input_dim, "collision"), x2 = read_vector(e, "x2", net_.input_dim, "collision");
    require(net_.domain.contains(x1) && net_.domain.contains(x2), "witness in X", "x1 or x2 lies outside the domain");
    pass("witness in X");
    require(x1 != x2, "x1 != x2", "x1 and x2 are equal");
    pass("x1 != x2");
    require(net::evaluate(net_, x1) == net::evaluate(net_, x2), "f(x1) = f(x2)",
            "f(x1) and f(x2) differ (exact evaluation)");
    pass("f(x1) = f(x2)");
    return "f is not injective on X: two distinct inputs have the same output";
  }

  std::string single_point() {
    require(net_.domain.free_coordinates().empty(), "single point", "the domain is not a single point");
    pass("single point");
    return "X is a single point, so f is injective on X";
  }

  // Composition: each layer injective on what reaches it (L W = I for dense,
  // relu active on X by interval bounds, leaky_relu and identity bijective).
  std::string left_inverses(const json& e) {
    layers_injective(field(e, "left_inverses", "left inverses"), 0, "left inverses");
    return "every layer is injective on the values reaching it, so f is injective on X";
  }

  // Layers [from, end) injective on what reaches them: L W = I for each dense
  // layer (the first dense layer of the network restricted to the free input
  // coordinates), each relu active on X by interval bounds (recomputed),
  // leaky_relu and identity bijective. `list` has one entry per layer.
  void layers_injective(const json& list, std::size_t from, const std::string& list_step) {
    require(list.is_array() && list.size() == net_.layers.size(), list_step, "expected one entry per layer");
    auto bounds = detail::layer_intervals(net_);
    std::vector<std::size_t> free = net_.domain.free_coordinates();
    bool before_first_dense = true;
    for (std::size_t k = 0; k < from; ++k)
      if (std::holds_alternative<net::Dense>(net_.layers[k])) before_first_dense = false;
    for (std::size_t k = from; k < net_.layers.size(); ++k) {
      std::string step = "layer " + std::to_string(k);
      const net::Layer& layer = net_.layers[k];
      if (const auto* d = std::get_if<net::Dense>(&layer)) {
        Matrix w = before_first_dense ? select_columns(d->weights, free) : d->weights;
        Matrix l = read_matrix(list[k], "left inverse of layer " + std::to_string(k), step);
        require(l.cols() == w.rows() && is_identity(l * w), step, "L W is not the identity");
        before_first_dense = false;
      } else if (std::holds_alternative<net::Relu>(layer)) {
        for (const net::Interval& in : bounds[k])
          require(in.lower && *in.lower >= 0, step,
                  "a relu input is not >= 0 on X by interval bounds");
      }
      pass(step + " injective");
    }
  }

  Matrix affine_on_domain(const std::string& step) const {
    std::optional<Matrix> a = detail::affine_matrix_on_domain(net_);
    require(a.has_value(), step, "interval bounds do not fix every activation, so f is not shown affine on X");
    return *a;
  }

  std::string affine_left(const json& e) {
    Matrix a = select_columns(affine_on_domain("affine on X"), net_.domain.free_coordinates());
    pass("affine on X");
    Matrix l = read_matrix(field(e, "L", "left inverse"), "L", "left inverse");
    require(l.cols() == a.rows() && is_identity(l * a), "left inverse", "L A is not the identity");
    pass("left inverse");
    return "f is affine on X with a left inverse, so injective on X";
  }

  std::string unreachable(const json& e) {
    Vector y = read_vector(e, "y", net_.output_dim(), "unreachable point");
    require(net_.codomain.contains(y), "y in Y", "y lies outside the codomain");
    pass("y in Y");
    Rational r = 0;
    if (e.contains("radius")) {
      try {
        r = arith::parse_rational(e.at("radius").get<std::string>());
      } catch (const std::exception&) {
        fail("radius", "the radius is not an exact number");
      }
      require(r > 0, "radius", "the radius is not positive");
    }
    const json& proof = field(e, "proof", "proof");
    std::string kind = proof.value("kind", "");
    if (kind == "solver")
      throw SolverOnly{"y is in Y, but its unreachability rests on " + proof.value("solver", "a solver") +
                       "; re-run the --smt2 query on another solver"};
    if (kind == "output_bounds") {
      std::size_t i = proof.value("coordinate", std::size_t(-1));
      require(i < y.size(), "output bounds", "no such output coordinate");
      net::Interval reach = detail::layer_intervals(net_).back()[i];
      require((reach.upper && y[i] - r > *reach.upper) || (reach.lower && y[i] + r < *reach.lower), "output bounds",
              "y_" + std::to_string(i) + " (+/- radius) is within the interval bounds of f_" + std::to_string(i));
      pass("output bounds");
      return "interval bounds keep f_" + std::to_string(i) + " away from the box of radius " + r.get_str() +
             " around y";
    }
    if (kind == "preimage_proof_tree") return preimage_tree(proof, y, r);
    if (kind == "separating_vector") {
      Matrix a = select_columns(affine_on_domain("affine on X"), net_.domain.free_coordinates());
      pass("affine on X");
      Vector u = read_vector(proof, "u", net_.output_dim(), "separating vector");
      Vector x0 = read_vector(proof, "x0", net_.input_dim, "separating vector");
      require(net_.domain.contains(x0), "separating vector", "x0 lies outside the domain");
      require(arith::is_zero(arith::transpose(a) * u), "separating vector", "u^T A is not zero");
      Vector fx0 = net::evaluate(net_, x0), diff = y;
      for (std::size_t i = 0; i < diff.size(); ++i) diff[i] -= fx0[i];
      Rational level = arith::dot(u, diff), norm1 = 0;
      for (const Rational& ui : u) norm1 += abs(ui);
      require(abs(level) > r * norm1, "separating vector", "u does not separate the box around y from f(X)");
      pass("separating vector");
      return "f(X) lies in the hyperplane u.(z - f(x0)) = 0, which the box of radius " + r.get_str() +
             " around y misses";
    }
    fail("proof", "unknown proof of unreachability \"" + kind + "\"");
  }

  // A Farkas leaf of a phase tree: refutes the branch's constraints.
  static void proof_leaf(const json& node, const cert::PathSystem& ps, const std::string& where, TreeStats& stats) {
    detail::farkas_leaf(node, ps.constraints(), "proof tree", where, stats);
  }

  // Relu-layer trees: f starts with g(x) = relu(W x + b). g is not injective
  // on X iff some x strictly inside X and v != 0 have, for every row,
  // w_i.x + b_i < 0 or w_i.v = 0 (docs/architecture.md, "One ReLU layer").
  // Each split puts row i in one of the two cases; each leaf refutes its
  // branch: n "orthogonal" rows of rank n force v = 0, or Farkas multipliers
  // show that no x strictly inside X has its "inactive" rows < 0. The later
  // layers are injective as in layer_left_inverses.
  std::string relu_layer_tree(const json& e) {
    std::optional<cert::FirstReluLayer> layer = cert::first_relu_layer(net_);
    require(layer.has_value(), "first relu layer",
            "the network does not start with dense, relu on a domain with a free coordinate");
    pass("first relu layer");
    layers_injective(field(e, "left_inverses", "later layers"), 2, "later layers");
    TreeStats stats;
    std::vector<std::size_t> orthogonal, inactive;
    relu_layer_node(field(e, "tree", "relu layer tree"), *layer, orthogonal, inactive, "tree", stats);
    pass("relu layer tree (" + std::to_string(stats.nodes) + " nodes, " + std::to_string(stats.leaves) +
         " leaves, depth " + std::to_string(stats.depth) + ")");
    return "no x inside X and v != 0 have every row of the first layer strictly negative at x or orthogonal to v "
           "(every branch refuted), so the first layer is injective on X, and so are the later layers: f is "
           "injective on X";
  }

  void relu_layer_node(const json& node, const cert::FirstReluLayer& layer, std::vector<std::size_t>& orthogonal,
                       std::vector<std::size_t>& inactive, const std::string& where, TreeStats& stats) {
    const std::string step = "relu layer tree";
    stats.enter(orthogonal.size() + inactive.size(), step, where);
    require(node.is_object(), step, where + ": node is not an object");
    const std::size_t n = layer.w.cols(), m = layer.w.rows();
    if (node.contains("split")) {
      const json& s = node.at("split");
      require(s.is_number_unsigned() && s.get<std::size_t>() < m, step, where + ": split is not a row index");
      std::size_t i = s.get<std::size_t>();
      require(std::find(orthogonal.begin(), orthogonal.end(), i) == orthogonal.end() &&
                  std::find(inactive.begin(), inactive.end(), i) == inactive.end(),
              step, where + ": row " + std::to_string(i) + " is split twice on one branch");
      orthogonal.push_back(i);
      relu_layer_node(field(node, "orthogonal", step), layer, orthogonal, inactive, where + "/orthogonal", stats);
      orthogonal.pop_back();
      inactive.push_back(i);
      relu_layer_node(field(node, "inactive", step), layer, orthogonal, inactive, where + "/inactive", stats);
      inactive.pop_back();
      return;
    }
    ++stats.leaves;
    if (node.contains("rank")) {
      const json& rows = node.at("rank");
      require(rows.is_array() && rows.size() == n, step, where + ": expected " + std::to_string(n) + " rows");
      Matrix a(n, n);
      for (std::size_t r = 0; r < n; ++r) {
        require(rows[r].is_number_unsigned(), step, where + ": a rank row is not a row index");
        std::size_t i = rows[r].get<std::size_t>();
        require(std::find(orthogonal.begin(), orthogonal.end(), i) != orthogonal.end(), step,
                where + ": row " + std::to_string(i) + " is not orthogonal to v on this branch");
        for (std::size_t j = 0; j < n; ++j) a(r, j) = layer.w(i, j);
      }
      require(arith::determinant(a) != 0, step, where + ": the rows are linearly dependent");
      return;
    }
    std::vector<arith::Constraint> system = cert::inactive_rows_system(layer, inactive);
    Vector mult = detail::read_multipliers(field(node, "farkas", step), system.size(), step, where);
    std::string why;
    require(cert::verify_farkas(system, mult, &why), step, where + ": " + why);
  }

  std::string jacobian_box(const json& e) { return detail::check_jacobian_box(net_, e, steps); }
  std::string jacobian_norm(const json& e) { return detail::check_jacobian_norm(net_, e, steps); }

  std::string twin_tree(const json& e) {
    require(!net_.domain.free_coordinates().empty(), "proof tree", "the domain is a single point");
    TreeStats stats;
    walk(field(e, "tree", "proof tree"), cert::PathSystem(net_, 2, stable_phases(e)), "tree", 0, stats,
         [&](const json& node, const cert::PathSystem& ps, const std::string& where) {
           const json& cases = field(node, "cases", "proof tree");
           std::vector<std::size_t> free = net_.domain.free_coordinates();
           require(cases.is_array() && cases.size() == free.size(), "proof tree",
                   where + ": expected one case per free input coordinate");
           cert::PathSystem prefix = ps;
           prefix.tie_outputs();
           for (std::size_t t = 0; t < free.size(); ++t) {
             cert::PathSystem lexcase = prefix;  // x1_j = x2_j for earlier j, x1_i < x2_i
             lexcase.add(cert::PathSystem::from_affine(ps.input_difference(free[t]), arith::Relation::lt));
             proof_leaf(cases[t], lexcase, where + "/case " + std::to_string(t), stats);
             prefix.add(cert::PathSystem::from_affine(ps.input_difference(free[t]), arith::Relation::eq));
           }
         });
    pass("proof tree: " + std::to_string(stats.nodes) + " nodes, " + std::to_string(stats.leaves) +
         " Farkas leaves, depth " + std::to_string(stats.depth));
    return "no x1 <lex x2 in X has f(x1) = f(x2) on any branch of phases of the two copies (every branch "
           "infeasible by exact Farkas multipliers), so f is injective on X";
  }

  std::string preimage_tree(const json& e, const Vector& y, const Rational& r) {
    TreeStats stats;
    walk(field(e, "tree", "proof tree"), cert::PathSystem(net_, 1, stable_phases(e)), "tree", 0, stats,
         [&](const json& node, const cert::PathSystem& ps, const std::string& where) {
           cert::PathSystem hit = ps;
           hit.add_preimage_outputs(y, r);
           proof_leaf(field(node, "outputs", "proof tree"), hit, where + "/outputs", stats);
         });
    pass("proof tree: " + std::to_string(stats.nodes) + " nodes, " + std::to_string(stats.leaves) +
         " Farkas leaves, depth " + std::to_string(stats.depth));
    return "no x in X has f(x) within " + r.get_str() + " of y on any branch of phases (exact Farkas multipliers)";
  }

  std::string escape(const json& e) {
    Vector x = read_vector(e, "x", net_.input_dim, "escape");
    require(net_.domain.contains(x), "x in X", "x lies outside the domain");
    pass("x in X");
    require(!net_.codomain.contains(net::evaluate(net_, x)), "f(x) outside Y",
            "f(x) lies inside the codomain (exact evaluation)");
    pass("f(x) outside Y");
    return "f does not map X into Y: f(x) lies outside Y for a point x of X";
  }

  // The outputs' intervals over X, by the checker's own propagation.
  std::vector<net::Interval> output_intervals() const { return detail::layer_intervals(net_).back(); }

  std::string codomain_everything() {
    require(net_.codomain.is_everything(), "Y = R^m", "the codomain is a box, not all of R^m");
    pass("Y = R^m");
    return "Y is all of R^m, so f maps X into Y";
  }

  std::string output_bounds_inside() {
    std::vector<net::Interval> out = output_intervals();
    for (std::size_t i = 0; i < out.size(); ++i) {
      const net::Interval& want = net_.codomain.sides[i];
      bool ok = (!want.lower || (out[i].lower && *out[i].lower >= *want.lower)) &&
                (!want.upper || (out[i].upper && *out[i].upper <= *want.upper));
      require(ok, "output bounds", "the interval bound of output " + std::to_string(i) + " is not inside Y");
    }
    pass("output bounds inside Y");
    return "interval bounds over X put every output inside Y, so f maps X into Y";
  }

  // One entry per bounded side of Y, in order (output, lower before upper):
  // interval bounds (recomputed) or a tree of phase splits whose leaves add
  // "f_i(x) beyond the side" and are infeasible by exact multipliers.
  std::string into_trees(const json& e) {
    const json& sides = field(e, "sides", "into trees");
    require(sides.is_array(), "into trees", "sides is not an array");
    std::vector<net::Interval> out = output_intervals();
    std::size_t k = 0;
    TreeStats stats;
    for (std::size_t i = 0; i < net_.output_dim(); ++i)
      for (bool upper : {false, true}) {
        const std::optional<Rational>& bound = upper ? net_.codomain.sides[i].upper : net_.codomain.sides[i].lower;
        if (!bound) continue;
        std::string where = "side " + std::to_string(i) + (upper ? " upper" : " lower");
        require(k < sides.size(), "into trees", where + ": missing");
        const json& side = sides[k++];
        // The proof is against Y's own bound; a different bound written in
        // the certificate would mislead its reader.
        require(!side.contains("bound") || (side["bound"].is_string() &&
                                            side["bound"].get<std::string>() == bound->get_str()),
                "into trees", where + ": the bound written in the certificate is not Y's");
        require(side.is_object() && side.value("output", std::size_t{0} - 1) == i &&
                    side.value("side", "") == (upper ? "upper" : "lower"),
                "into trees", where + ": entries out of order");
        if (side.value("by", "") == "interval_bounds") {
          const std::optional<Rational>& reach = upper ? out[i].upper : out[i].lower;
          require(reach && (upper ? *reach <= *bound : *reach >= *bound), "into trees",
                  where + ": the interval bound does not stay inside Y");
          continue;
        }
        walk(field(side, "tree", "into trees"), cert::PathSystem(net_, 1, stable_phases(e)), where, 0, stats,
             [&](const json& node, const cert::PathSystem& ps, const std::string& at) {
               cert::PathSystem beyond = ps;
               beyond.add_output_beyond(i, *bound, upper);
               proof_leaf(field(node, "outputs", "proof tree"), beyond, at + "/outputs", stats);
             });
      }
    require(k == sides.size(), "into trees", "more entries than bounded sides of Y");
    pass("into trees: " + std::to_string(k) + " sides, " + std::to_string(stats.nodes) + " nodes, " +
         std::to_string(stats.leaves) + " Farkas leaves");
    return "no x in X has an output beyond a side of Y (interval bounds or exact Farkas multipliers on every "
           "branch of phases), so f maps X into Y";
  }

  std::string right_inverses(const json& e) {
    require(net_.domain.is_everything(), "X = R^n", "the domain is not all of R^n");
    pass("X = R^n");
    const json& list = field(e, "right_inverses", "right inverses");
    require(list.is_array() && list.size() == net_.layers.size(), "right inverses", "expected one entry per layer");
    for (std::size_t k = 0; k < net_.layers.size(); ++k) {
      std::string step = "layer " + std::to_string(k);
      const net::Layer& layer = net_.layers[k];
      require(!std::holds_alternative<net::Relu>(layer), step, "a relu layer is not onto");
      if (const auto* d = std::get_if<net::Dense>(&layer)) {
        Matrix r = read_matrix(list[k], "right inverse of layer " + std::to_string(k), step);
        require(r.rows() == d->weights.cols() && is_identity(d->weights * r), step, "W R is not the identity");
      }
      pass(step + " onto");
    }
    return "X = R^n and every layer is onto, so f is onto R^m and hence onto Y";
  }

  std::string affine_right(const json& e) {
    require(net_.domain.is_everything(), "X = R^n", "the domain is not all of R^n");
    pass("X = R^n");
    Matrix a = affine_on_domain("affine on X");
    pass("affine on X");
    Matrix r = read_matrix(field(e, "R", "right inverse"), "R", "right inverse");
    require(r.rows() == a.cols() && is_identity(a * r), "right inverse", "A R is not the identity");
    pass("right inverse");
    return "f is affine on R^n with a right inverse, so onto R^m and hence onto Y";
  }

  std::string injective_square(const json& e, const json& c) {
    require(net_.domain.is_everything() && net_.output_dim() == net_.input_dim, "square on R^n",
            "needs X = R^n and m = n");
    pass("square on R^n");
    evidence("injective", "holds", field(e, "injective", "injectivity"), c);
    pass("injective (Scholtes 2012, Sec. 2.3: an injective PA map of R^n is onto)");
    return "f: R^n -> R^n is piecewise affine and injective, hence onto R^n (Scholtes 2012; Radons 2017)";
  }

  // Section trees: cells of Y split by a.y <= b / a.y >= b; each leaf cell is
  // empty (Farkas) or has a section x = S y + t with A S = I, A t + c = 0 for
  // the affine map (A, c) of f on the pattern's region, and every row of that
  // region and of X holding at S y + t for all y of the cell (Farkas).
  void section_leaf(const json& leaf, const std::vector<arith::Constraint>& cell, const std::string& where) {
    std::size_t n = net_.input_dim, m = net_.output_dim();
    std::vector<std::string> pattern;
    try {
      pattern = field(leaf, "pattern", "section").get<std::vector<std::string>>();
    } catch (const json::exception&) {
      fail("section", where + ": the pattern is not a list of strings");
    }
    std::optional<cert::PathSystem> ps;
    try {
      ps.emplace(cert::pattern_system(net_, pattern));
    } catch (const std::invalid_argument& e) {
      fail("section", where + ": " + e.what());
    }
    require(ps->fully_fixed(), "section", where + ": the pattern leaves a neuron's phase open");
    Matrix s = read_matrix(field(leaf, "S", "section"), "S", "section");
    require(s.rows() == n && s.cols() == m, "section", where + ": S is not input_dim x output_dim");
    Vector t = read_vector(leaf, "t", n, "section");
    Matrix a(m, n);
    Vector c(m);
    for (std::size_t i = 0; i < m; ++i) {
      const cert::Affine& out = ps->output(0, i);
      for (std::size_t j = 0; j < n; ++j) a(i, j) = out.coeffs[j];
      c[i] = out.constant;
    }
    // f(s(y)) = y for every y with the pinned coordinates of Y at their values
    // (y_hat; 0 elsewhere): A S e_j = e_j for every other j, A (S y_hat + t) + c = y_hat.
    Matrix as = a * s;
    Vector y_hat(m);
    for (std::size_t j = 0; j < m; ++j) {
      if (net_.codomain.sides[j].is_point()) {
        y_hat[j] = *net_.codomain.sides[j].lower;
        continue;
      }
      for (std::size_t i = 0; i < m; ++i)
        require(as(i, j) == (i == j ? 1 : 0), "section inverse", where + ": A S is not the identity");
    }
    Vector point = s * y_hat;
    for (std::size_t i = 0; i < n; ++i) point[i] += t[i];
    Vector image = a * point;
    for (std::size_t i = 0; i < m; ++i)
      require(image[i] + c[i] == y_hat[i], "section inverse",
              where + ": A t + c is not zero" + std::string(arith::is_zero(y_hat) ? "" : " (on the pinned coordinates of Y)"));
    const json& proofs = field(leaf, "proofs", "section");
    const auto& rows = ps->constraints();
    require(proofs.is_array() && proofs.size() == rows.size(), "section in region",
            where + ": expected one proof per row of the region and of X (" + std::to_string(rows.size()) + ")");
    for (std::size_t k = 0; k < rows.size(); ++k) {
      std::vector<arith::Constraint> system = cell;
      system.push_back(cert::section_violation(rows[k], s, t));
      std::string row = where + ", row " + std::to_string(k), why;
      Vector mult = detail::read_multipliers(proofs[k], system.size(), "section in region", row);
      require(cert::verify_farkas(system, mult, &why), "section in region", row + ": " + why);
    }
  }

  void section_node(const json& node, const std::vector<arith::Constraint>& cell, const std::string& where,
                    std::size_t depth, TreeStats& stats) {
    stats.enter(depth, "section tree", where);
    require(node.is_object(), "section tree", where + ": node is not an object");
    std::size_t m = net_.output_dim();
    if (node.contains("empty")) {
      std::string why;
      Vector mult = detail::read_multipliers(node.at("empty"), cell.size(), "section tree", where);
      require(cert::verify_farkas(cell, mult, &why), "section tree", where + ": the cell is not empty: " + why);
      ++stats.leaves;
      return;
    }
    if (node.contains("section")) {
      section_leaf(node.at("section"), cell, where);
      ++stats.leaves;
      return;
    }
    const json& split = field(node, "split", "section tree");
    Vector a = read_vector(split, "a", m, "section tree");
    Rational b;
    try {
      b = arith::parse_rational(field(split, "b", "section tree").get<std::string>());
    } catch (const std::exception&) {
      fail("section tree", where + ": b is not an exact number");
    }
    Vector minus = a;
    for (Rational& q : minus) q = -q;
    std::vector<arith::Constraint> le = cell, ge = cell;  // a.y <= b  and  -a.y <= -b
    le.push_back(arith::Constraint{a, b, arith::Relation::le});
    ge.push_back(arith::Constraint{minus, -b, arith::Relation::le});
    section_node(field(node, "le", "section tree"), le, where + "/le", depth + 1, stats);
    section_node(field(node, "ge", "section tree"), ge, where + "/ge", depth + 1, stats);
  }

  std::string section_tree(const json& e) {
    TreeStats stats;
    section_node(field(e, "tree", "section tree"), cert::codomain_constraints(net_), "tree", 0, stats);
    pass("section tree: " + std::to_string(stats.nodes) + " nodes, " + std::to_string(stats.leaves) +
         " leaves, depth " + std::to_string(stats.depth));
    return "the cells of the tree cover Y, and each nonempty cell has an affine section s with s(y) in X and "
           "f(s(y)) = y (exact Farkas certificates), so f maps X onto Y";
  }

  std::string preimage(const json& e, const json& c) {
    Vector y = read_vector(c, "y", net_.output_dim(), "claimed y");
    Vector x = read_vector(e, "x", net_.input_dim, "preimage");
    require(net_.domain.contains(x), "x in X", "x lies outside the domain");
    pass("x in X");
    require(net::evaluate(net_, x) == y, "f(x) = y", "f(x) differs from y (exact evaluation)");
    pass("f(x) = y");
    return "f(x) = y for the given x in X";
  }

  const net::Network& net_;
};

}  // namespace

namespace {

Report check_on_this_thread(const net::Network& net, const json& certificate) {
  Checker checker(net);
  Report report;
  try {
    checker.header(certificate);
    std::string property = certificate.value("property", ""), verdict = certificate.value("verdict", "");
    if (verdict == "unknown")
      throw SolverOnly{"the verdict is unknown: there is nothing to certify"};
    if (property == "lipschitz") {
      // Bounds, not a verdict: both are re-derived (lipschitz_check.cpp).
      report.message = detail::check_lipschitz(net, certificate, checker.steps);
    } else if (property == "bijective") {
      // holds: both parts must be certified; violated: the violated part.
      // A bijection from X to Y is injective, into Y and onto Y; certificates
      // written before the "into" part have none, which only stands for Y = R^m.
      const json& parts = field(certificate, "parts", "parts");
      for (const char* part : {"injective", "into", "surjective"}) {
        if (std::string(part) == "into" && parts.is_object() && !parts.contains("into") && net.codomain.is_everything())
          continue;
        if (verdict == "violated" && (!parts.is_object() || !parts.contains(part))) continue;
        const json& p = field(parts, part, "parts");
        std::string v = p.value("verdict", "");
        if (verdict == "violated" && v != "violated") continue;
        Checker::require(p.value("property", "") == part && (v == verdict || verdict == "violated"), "parts",
                         std::string("the ") + part + " part does not support the bijective verdict");
        report.message += (report.message.empty() ? "" : "; ") +
                          checker.evidence(part, v, field(p, "evidence", "evidence"), p);
        if (verdict == "violated") break;
      }
      Checker::require(!report.message.empty(), "parts", "no part is violated");
    } else {
      report.message = checker.evidence(property, verdict, field(certificate, "evidence", "evidence"),
                                        certificate);
    }
    report.status = Status::certified;
  } catch (const StepFailed& f) {
    report.status = Status::rejected;
    report.message = "step \"" + f.step + "\" failed: " + f.what;
  } catch (const SolverOnly& s) {
    report.status = Status::not_certified;
    report.message = s.what;
  } catch (const json::exception& e) {
    report.status = Status::rejected;
    report.message = std::string("malformed certificate: ") + e.what();
  }
  report.steps = checker.steps;
  return report;
}

}  // namespace

// Trees are walked recursively, up to TreeStats::max_depth levels: the walk
// gets a thread of its own with a stack large enough for that depth in any
// build (sanitizer builds have far larger frames than the 8 MiB default
// allows). Only the pages the walk touches are ever allocated.
Report check_certificate(const net::Network& net, const json& certificate) {
  struct Job {
    const net::Network& net;
    const json& certificate;
    Report report;
    std::exception_ptr error;
  } job{net, certificate, {}, nullptr};
  auto run = [](void* arg) -> void* {
    auto* j = static_cast<Job*>(arg);
    try {
      j->report = check_on_this_thread(j->net, j->certificate);
    } catch (...) {
      j->error = std::current_exception();
    }
    return nullptr;
  };
  constexpr std::size_t stack_bytes = std::size_t{512} << 20;
  pthread_attr_t attr;
  pthread_t thread;
  bool started = false;
  if (pthread_attr_init(&attr) == 0) {
    started = pthread_attr_setstacksize(&attr, stack_bytes) == 0 && pthread_create(&thread, &attr, run, &job) == 0;
    pthread_attr_destroy(&attr);
  }
  if (!started) return check_on_this_thread(net, certificate);  // no thread to be had: the usual stack
  pthread_join(thread, nullptr);
  if (job.error) std::rethrow_exception(job.error);
  return job.report;
}

}  // namespace nninv::check
