// The proof report for papers, written from the certificate so that what the
// report says is exactly what nninv-check checks.
#include "nninv/report/paper.hpp"

#include <functional>
#include <sstream>

namespace nninv::report {

using nlohmann::json;

namespace {

struct TreeSummary {
  std::size_t nodes = 0, leaves = 0, depth = 0;
};

void summarise(const json& node, std::size_t depth, TreeSummary& s) {
  if (!node.is_object()) return;
  ++s.nodes;
  s.depth = std::max(s.depth, depth);
  // Counted as nninv-check counts: final leaves (cases, outputs) are leaves, not nodes.
  if (node.contains("farkas") || node.contains("outputs")) ++s.leaves;
  if (node.contains("cases")) s.leaves += node.at("cases").size();
  for (const char* child : {"active", "inactive", "orthogonal"})  // proof trees; relu-layer trees
    if (node.contains(child)) summarise(node.at(child), depth + 1, s);
}

std::string shape(const net::Network& net) {
  std::ostringstream out;
  out << net.input_dim;
  for (std::size_t k = 0; k < net.layers.size(); ++k)
    if (std::holds_alternative<net::Dense>(net.layers[k])) out << " -> " << net.width_after(k + 1);
  return out.str();
}

std::string box_text(const net::Box& box, const std::string& space) {
  if (box.is_everything()) return space;
  std::ostringstream out;
  for (std::size_t i = 0; i < box.dim(); ++i) {
    const net::Interval& s = box.sides[i];
    out << (i ? " x " : "");
    if (s.lower)
      out << "[" << s.lower->get_str();
    else
      out << "(-inf";
    out << ", ";
    if (s.upper)
      out << s.upper->get_str() << "]";
    else
      out << "inf)";
  }
  return out.str();
}

std::string vector_text(const json& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i].get<std::string>();
  return s + ")";
}

// One paragraph on the evidence, in words a reviewer can follow.
std::string evidence_text(const json& e) {
  std::string kind = e.value("kind", "");
  if (kind == "collision")
    return "Witness: x1 = " + vector_text(e["x1"]) + " and x2 = " + vector_text(e["x2"]) +
           " are distinct points of X with f(x1) = f(x2) (checked by exact rational evaluation).";
  if (kind == "unreachable") {
    std::string s = "Witness: y = " + vector_text(e["y"]) + " lies in Y and has no preimage in X";
    if (e.contains("radius")) s += "; neither has any point within max-distance " + e["radius"].get<std::string>();
    return s + ". " + evidence_text(e["proof"]);
  }
  if (kind == "preimage") return "Preimage: x = " + vector_text(e["x"]) + " (f(x) = y checked exactly).";
  if (kind == "twin_proof_tree" || kind == "preimage_proof_tree") {
    TreeSummary s;
    summarise(e["tree"], 0, s);
    return "Proof: a case split on neuron phases " + std::string(kind == "twin_proof_tree" ? "of two copies of the network " : "") +
           "with " + std::to_string(s.nodes) + " nodes, " + std::to_string(s.leaves) +
           " leaves and depth " + std::to_string(s.depth) +
           "; every leaf's linear system is infeasible by exact Farkas/Motzkin multipliers.";
  }
  if (kind == "output_bounds")
    return "Proof: interval propagation over X bounds output " + std::to_string(e.value("coordinate", 0)) +
           " away from y.";
  if (kind == "separating_vector")
    return "Proof: f is affine on X and a vector orthogonal to its range separates y from f(X).";
  if (kind == "layer_left_inverses")
    return "Proof: every layer is injective on the values reaching it (exact left inverses L W = I for dense layers; "
           "leaky ReLU is a bijection; ReLU layers are active on X by interval bounds).";
  if (kind == "affine_left_inverse") return "Proof: f is affine on X and has an exact left inverse.";
  if (kind == "layer_right_inverses")
    return "Proof: X = R^n and every layer is onto (exact right inverses W R = I; leaky ReLU is a bijection).";
  if (kind == "affine_right_inverse") return "Proof: f is affine on R^n and has an exact right inverse.";
  if (kind == "injective_square")
    return "Proof: f is a piecewise-affine map of R^n into R^n and injective; by Scholtes (2012, Sec. 2.3) and "
           "Radons (2017) it is then onto. " + evidence_text(e["injective"]);
  if (kind == "section_tree") {
    std::size_t cells = 0, sections = 0;
    std::function<void(const json&)> walk = [&](const json& n) {
      if (n.contains("split")) {
        walk(n["le"]);
        walk(n["ge"]);
        return;
      }
      ++cells;
      sections += n.contains("section");
    };
    walk(e["tree"]);
    return "Proof: Y is split by linear inequalities into " + std::to_string(cells) + " polyhedral cells; " +
           std::to_string(sections) + " of them carry an affine section s(y) = S y + t with f(s(y)) = y on one "
           "activation region and s(y) in that region and in X for every y of the cell (exact Farkas "
           "multipliers), the others are empty (Farkas). So every y in Y has a preimage in X.";
  }
  if (kind == "single_point") return "Proof: X is a single point.";
  if (kind == "jacobian_box") {
    bool projected = e.contains("projection");
    return "Proof: f(x1) - f(x2) = M(s) (x1 - x2) with M(s) = W_k D_k ... D_1 W_1 and each slope s between its "
           "activation's two slopes (" +
           std::to_string(e.value("unstable", 0)) + " neurons of unknown phase on X, " +
           std::to_string(e.value("pairs", 0)) +
           " pairs of them with opposite pre-activations sharing one slope parameter). det " +
           std::string(projected ? "P M(s), for the fixed matrix P in the certificate," : "M(s)") +
           " is affine in each parameter and has one strict sign at every vertex of the box of parameters, so "
           "every M(s) has full column rank and f is injective (vertex determinants recomputed exactly).";
  }
  if (kind == "jacobian_norm")
    return "Proof: f(x1) - f(x2) = M(s) (x1 - x2) with each slope s between its activation's two slopes (" +
           std::to_string(e.value("unstable", 0)) +
           " neurons of unknown phase on X). For the fixed matrix K and weights u in the certificate, an exact "
           "interval enclosure of K M(s) - I over all s has weighted max-norm at most " +
           e.value("bound", std::string("?")) +
           " < 1, so every K M(s) is nonsingular (Neumann series) and f is injective.";
  if (kind == "relu_layer_tree") {
    TreeSummary s;
    summarise(e["tree"], 0, s);
    return "Proof: the first layer relu(W x + b) is injective on X: a case split over its rows (orthogonal to a "
           "direction v, or strictly inactive at x) with " +
           std::to_string(s.nodes) + " nodes and depth " + std::to_string(s.depth) +
           " rules out every pair (x, v != 0) by rank or exact Farkas multipliers; the later layers, if any, are "
           "injective on the values reaching them (exact left inverses, leaky ReLU, ReLU active by bounds).";
  }
  if (kind == "simplified")
    return "The proof is for an exactly equivalent simplified network (affine layers merged, pairs relu(a), "
           "relu(-a) folded, dead and duplicate neurons removed; SHA-256 " + e.value("sha256", "?") +
           "), which the checker derives again. " + evidence_text(e["evidence"]);
  if (kind == "solver")
    return "Proof: the query is unsatisfiable according to " + e.value("solver", "the solver") +
           "; this verdict is not independently certified (re-run the exported SMT-LIB query on another solver).";
  return "";
}

std::string latex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '_': out += "\\_"; break;
      case '%': out += "\\%"; break;
      case '&': out += "\\&"; break;
      case '#': out += "\\#"; break;
      case '$': out += "\\$"; break;
      case '{': out += "\\{"; break;
      case '}': out += "\\}"; break;
      case '^': out += "\\^{}"; break;
      case '~': out += "\\~{}"; break;
      case '\\': out += "\\textbackslash{}"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string paper_report(const net::Network& net, const json& c, const PaperContext& ctx, PaperFormat format) {
  std::string property = c.value("property", ""), verdict = c.value("verdict", "");
  std::string name = net.name.empty() ? ctx.network_path : net.name;
  std::string n = std::to_string(net.input_dim), m = std::to_string(net.output_dim());
  std::string x = box_text(net.domain, "R^" + n), y = box_text(net.codomain, "R^" + m);
  std::string statement;
  bool negated = verdict == "violated";
  if (property == "injective")
    statement = "The network " + name + ": R^" + n + " -> R^" + m + " is " + (negated ? "not " : "") +
                "injective on X = " + x + ".";
  else if (property == "surjective" || property == "bijective")
    statement = "The network " + name + " is " + (negated ? "not " : "") + property + " from X = " + x +
                " onto Y = " + y + ".";
  else
    statement = "Inverting the network " + name + " at y = " + vector_text(c["y"]) + ": " +
                (verdict == "found" ? "a preimage exists" : verdict == "none" ? "no x in X has f(x) = y" : "unknown") +
                ".";
  if (verdict == "unknown") statement = "Whether the network " + name + " is " + property + " is undecided.";

  std::vector<std::string> evidence;
  if (c.contains("parts"))
    for (const char* part : {"injective", "surjective"}) evidence.push_back(std::string(part) + ": " + evidence_text(c["parts"][part]["evidence"]));
  else if (c.contains("evidence"))
    evidence.push_back(evidence_text(c["evidence"]));

  std::vector<std::pair<std::string, std::string>> facts = {
      {"Network", ctx.network_path + " (" + shape(net) + ", " + std::to_string(net.nonlinear_neuron_count()) +
                      " ReLU neurons)"},
      {"SHA-256 of the exact network", c["network"].value("sha256", "")},
      {"Method", c.value("method", "")},
      {"Reason", c.value("reason", "")},
      {"Tools", c.value("tool", "nninv") + ", " + ctx.solver_version + ", GMP exact rationals"},
  };
  if (!ctx.check_status.empty()) facts.push_back({"Independent check", ctx.check_status + " (nninv-check)"});
  std::vector<std::string> commands = {ctx.command_line};
  if (!ctx.certificate_path.empty()) commands.push_back("nninv-check " + ctx.network_path + " " + ctx.certificate_path);

  std::ostringstream out;
  if (format == PaperFormat::markdown) {
    out << "# " << statement << "\n\n";
    for (const auto& [k, v] : facts) out << "- **" << k << ":** " << v << "\n";
    out << "\n";
    for (const auto& e : evidence) out << e << "\n\n";
    out << "Reproduce and check:\n\n```\n";
    for (const auto& cmd : commands) out << cmd << "\n";
    out << "```\n";
  } else {
    out << "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[margin=2.5cm]{geometry}\n"
        << "\\begin{document}\n\\section*{" << latex_escape(statement) << "}\n\\begin{description}\n";
    for (const auto& [k, v] : facts) out << "\\item[" << latex_escape(k) << "] " << latex_escape(v) << "\n";
    out << "\\end{description}\n";
    for (const auto& e : evidence) out << "\\noindent " << latex_escape(e) << "\n\n";
    out << "\\noindent Reproduce and check:\n\\begin{verbatim}\n";
    for (const auto& cmd : commands) out << cmd << "\n";
    out << "\\end{verbatim}\n\\end{document}\n";
  }
  return out.str();
}

}  // namespace nninv::report
