// The proof report for papers, written from the certificate so that what the
// report says is exactly what nninv-check checks.
#include "nninv/report/paper.hpp"

#include "nninv/report/report.hpp"

#include <cctype>
#include <cstdio>
#include <functional>
#include <map>
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

// How numbers and points are written. Markdown keeps every exact value in
// the text (and adds a rounded view of long ones); LaTeX writes points in
// math mode, long ones rounded, with the exact values in an appendix.
struct Style {
  bool tex = false;
  std::vector<std::pair<std::string, std::string>>* appendix = nullptr;  // name, exact value
  bool injective_part_shown = false;  // a bijective report: do not repeat the injective proof
  // The simplified network an earlier part of the report described (its
  // SHA-256), so that later parts name it instead of describing it again.
  mutable std::string simplified_sha;

  std::string point(const std::string& name, const json& v) const {
    if (!v.is_array()) return name + " = ?";
    arith::Vector q;
    std::string exact = "(";
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::string t = v[i].is_string() ? v[i].get<std::string>() : "?";
      exact += (i ? ", " : "") + t;
      try {
        q.push_back(arith::parse_rational(t));
      } catch (const std::exception&) {
        q.push_back(0);
      }
    }
    exact += ")";
    bool long_value = needs_decimal_view(q);
    if (!tex) return name + " = " + exact + (long_value ? " (about " + decimal_vector(q) + ")" : "");
    std::string shown = long_value ? decimal_vector(q) : exact;
    std::string math = "$" + math_name(name) + " = " + shown + "$";
    if (!long_value || !appendix) return math;
    appendix->push_back({name, exact});
    return math + " (rounded; exact value in the appendix, item " + std::to_string(appendix->size()) + ")";
  }
  // x1 -> x_1, y -> y
  static std::string math_name(const std::string& name) {
    if (name.size() == 2 && std::isdigit(static_cast<unsigned char>(name[1]))) return name.substr(0, 1) + "_" + name.substr(1);
    return name;
  }
};

// One paragraph on the evidence, in words a reviewer can follow. Points are
// written by `style` (in LaTeX already in math mode, marked by '$').
std::string evidence_text(const json& e, const Style& style) {
  if (!e.is_object()) return "";
  std::string kind = e.value("kind", "");
  if (kind == "collision")
    return "Witness: " + style.point("x1", e["x1"]) + " and " + style.point("x2", e["x2"]) +
           " are distinct points of X with f(x1) = f(x2) (checked by exact rational evaluation).";
  if (kind == "unreachable") {
    std::string s = "Witness: " + style.point("y", e["y"]) + " lies in Y and has no preimage in X";
    if (e.contains("radius")) s += "; neither has any point within max-distance " + e["radius"].get<std::string>();
    return s + ". " + evidence_text(e["proof"], style);
  }
  if (kind == "escape")
    return "Witness: " + style.point("x", e["x"]) + " lies in X and f(x) lies outside Y (checked by exact rational "
           "evaluation).";
  if (kind == "codomain_everything") return "Proof: Y is all of R^m.";
  if (kind == "output_bounds_inside")
    return "Proof: interval propagation over X bounds every output within the sides of Y (exact rationals).";
  if (kind == "into_proof_trees") {
    std::size_t trees = 0;
    if (e.contains("sides"))
      for (const json& side : e["sides"]) trees += side.contains("tree");
    return "Proof: for each bounded side of Y, either interval propagation over X stays within it, or a case split "
           "on neuron phases (" + std::to_string(trees) + " trees, " + std::to_string(e.value("nodes", 0)) +
           " nodes in all) shows by exact Farkas/Motzkin multipliers that no x in X has an output beyond it.";
  }
  if (kind == "preimage") return "Preimage: " + style.point("x", e["x"]) + " (f(x) = y checked exactly).";
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
           "Radons (2017) it is then onto. " +
           (style.injective_part_shown ? std::string("Its injectivity is the injective part above.")
                                       : evidence_text(e["injective"], style));
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
  if (kind == "recession_degree") {
    std::string degree = std::to_string(e.value("degree", 0L));
    std::string s = "Proof: let f_inf be f with every bias 0; it is positively homogeneous and f - f_inf is "
                    "bounded. A case split on neuron phases of f_inf on each of the 2n facets of the cube [-1, 1]^n (";
    s.append(std::to_string(e.value("nodes", 0))).append(" nodes) finds every ray that f_inf maps onto the ray of ");
    s.append(style.point("d", e["d"])).append(", each inside a linear piece with nonsingular matrix, with signed count ");
    s.append(degree).append(", and shows by exact Farkas multipliers that the singular pieces reach neither that ray nor 0. ");
    s.append("So f_inf vanishes only at 0 and has Brouwer degree ").append(degree);
    s.append(" != 0, and f, homotopic to it on every large sphere, is onto R^n (Gowda 1996; Deimling 1985).");
    return s;
  }
  if (kind == "coherent_orientation") {
    const nlohmann::json& r = e["recession"];
    std::string degree = std::to_string(r.value("degree", 0L));
    std::string s = "Proof: f with every bias 0 vanishes only at 0 and has Brouwer degree ";
    s.append(degree).append(" (counted on the facets of the cube, ").append(std::to_string(r.value("nodes", 0)));
    s.append(" nodes), so f is proper with that degree on every large ball (Gowda 1996). A case split on neuron "
             "phases of f on R^n (");
    s.append(std::to_string(e.value("nodes", 0))).append(" nodes, exact Farkas multipliers for the empty branches) "
             "shows that every linear region with an interior has a map whose determinant has the degree's sign, "
             "the other regions having no interior. Every preimage of a point then has a local index of that sign "
             "and size at least 1, and the indices add up to the degree ");
    s.append(degree).append(": each point has exactly one preimage, and f is a piecewise-linear homeomorphism "
                            "of R^n (Deimling 1985).");
    return s;
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
  if (kind == "blocks") {
    std::size_t coupling = 0, contraction = 0, affine = 0;
    for (const auto& b : e["blocks"]) {
      std::string rule = b.value("rule", "");
      (rule == "triangular" ? coupling : rule == "contraction" ? contraction : affine) += 1;
    }
    return "Proof: f is a composition of " + std::to_string(e["blocks"].size()) + " blocks, each a bijection of R^n: " +
           std::to_string(coupling) + " coupling layers (the nonlinear part reads only coordinates it leaves "
           "unchanged, so they are solved for first), " +
           std::to_string(contraction) + " residual blocks T f(x) = x + g(x) with Lip(g) < 1 by exact norm products "
           "(Banach's fixed point theorem) and " + std::to_string(affine) +
           " invertible affine maps; the split of each block and every norm are recomputed exactly.";
  }
  if (kind == "simplified") {
    std::string sha = e.value("sha256", "?");
    if (!style.simplified_sha.empty() && style.simplified_sha == sha)
      return "On the same simplified network. " + evidence_text(e["evidence"], style);
    style.simplified_sha = sha;
    return "The proof is for an exactly equivalent simplified network (affine layers merged, pairs relu(a), "
           "relu(-a) folded, dead and duplicate neurons removed; SHA-256 " + sha +
           "), which the checker derives again. " + evidence_text(e["evidence"], style);
  }
  if (kind == "solver")
    return "Proof: the query is unsatisfiable according to " + e.value("solver", "the solver") +
           "; this verdict is not independently certified (re-run the exported SMT-LIB query on another solver).";
  return "";
}

std::string latex_escape(const std::string& s);

// Prose with ASCII mathematics ("f: R^2 -> R^2", "x1 != x2", "<=") as LaTeX:
// text is escaped, '$...$' segments (points written by Style) are kept, and
// the notation becomes math mode.
std::string latex_prose(const std::string& s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t dollar = s.find('$', i);
    std::string text = s.substr(i, dollar == std::string::npos ? std::string::npos : dollar - i);
    std::string t = latex_escape(text);
    auto replace_all = [&t](const std::string& from, const std::string& to) {
      for (std::size_t at = t.find(from); at != std::string::npos; at = t.find(from, at + to.size()))
        t.replace(at, from.size(), to);
    };
    // R\^{}n (escaped R^n) -> $\mathbb{R}^{n}$
    for (std::size_t at = t.find("R\\^{}"); at != std::string::npos; at = t.find("R\\^{}", at + 1)) {
      std::size_t end = at + 5;
      while (end < t.size() && (std::isalnum(static_cast<unsigned char>(t[end])))) ++end;
      std::string power = t.substr(at + 5, end - at - 5);
      t.replace(at, end - at, "$\\mathbb{R}^{" + power + "}$");
    }
    // other powers, such as A2^-1: a superscript
    for (std::size_t at = t.find("\\^{}"); at != std::string::npos; at = t.find("\\^{}", at + 1)) {
      std::size_t end = at + 4;
      if (end < t.size() && t[end] == '-') ++end;
      while (end < t.size() && std::isalnum(static_cast<unsigned char>(t[end]))) ++end;
      if (end == at + 4) continue;
      t.replace(at, end - at, "$^{" + t.substr(at + 4, end - at - 4) + "}$");
    }
    replace_all("--", "-{}-");  // an option name, not an en dash
    replace_all(" -> ", " $\\to$ ");
    replace_all("!=", "$\\neq$");
    replace_all("<=", "$\\leq$");
    replace_all(">=", "$\\geq$");
    for (const char* name : {"x1", "x2"}) {
      std::string from = name;
      std::string to = std::string("$") + name[0] + "_" + name[1] + "$";
      for (std::size_t at = t.find(from); at != std::string::npos; at = t.find(from, at + to.size())) {
        bool word_start = at == 0 || !std::isalnum(static_cast<unsigned char>(t[at - 1]));
        bool word_end = at + 2 >= t.size() || !std::isalnum(static_cast<unsigned char>(t[at + 2]));
        if (word_start && word_end) t.replace(at, 2, to);
      }
    }
    out += t;
    if (dollar == std::string::npos) break;
    std::size_t close = s.find('$', dollar + 1);
    if (close == std::string::npos) close = s.size() - 1;
    out += s.substr(dollar, close - dollar + 1);
    i = close + 1;
  }
  return out;
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
  bool tex = format == PaperFormat::latex;
  std::vector<std::pair<std::string, std::string>> appendix;
  Style style;
  style.tex = tex;
  style.appendix = &appendix;
  std::string property = c.value("property", ""), verdict = c.value("verdict", "");
  if (c.value("question", "") == "invertible") property = "invertible";
  std::string name = net.name.empty() ? ctx.network_path : net.name;
  std::string n = std::to_string(net.input_dim), m = std::to_string(net.output_dim());
  std::string x = box_text(net.domain, "R^" + n), y = box_text(net.codomain, "R^" + m);
  std::string statement;
  bool negated = verdict == "violated";
  std::string f = "The network " + name + ": R^" + n + " -> R^" + m;
  if (property == "injective")
    statement = f + " is " + (negated ? "not " : "") + "injective on X = " + x + ".";
  else if (property == "surjective")
    statement = f + " is " + (negated ? "not " : "") + "surjective from X = " + x + " onto Y = " + y + ".";
  else if (property == "into")
    statement = f + (negated ? " does not map" : " maps") + " X = " + x + " into Y = " + y + ".";
  else if (property == "bijective" || property == "invertible")
    statement = f + " is " + (negated ? "not " : "") + "a bijection from X = " + x + " to Y = " + y +
                (property == "invertible" ? (negated ? ": it is not invertible." : ": it is invertible.") : ".");
  else
    statement = "Inverting the network " + name + " at " + style.point("y", c["y"]) + ": " +
                (verdict == "found" ? "a preimage exists" : verdict == "none" ? "no x in X has f(x) = y" : "unknown") +
                ".";
  if (verdict == "unknown")
    statement = "Whether the network " + name + " is " + (property == "into" ? "into Y" : property) + " is undecided.";

  std::vector<std::pair<std::string, std::string>> evidence;  // an optional title, the text
  if (verdict == "unknown") {
    std::string tried = "nninv did not decide the question";
    if (ctx.time_seconds > 0) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.1f", ctx.time_seconds);
      tried += " within " + std::string(seconds) + " s";
    }
    tried += ": " + c.value("reason", std::string("no reason given")) + ".";
    if (!c.value("method", std::string()).empty() && !c.contains("parts"))
      tried += " The last method tried: " + c.value("method", std::string()) + ".";
    evidence.push_back({"", tried + " Nothing is claimed about the network; a longer --timeout may decide it."});
  }
  if (c.contains("parts")) {
    const std::map<std::string, const char*> part_titles = {
        {"injective", "Injective on X"}, {"into", "Into Y"}, {"surjective", "Onto Y"}};
    style.injective_part_shown = c["parts"].contains("injective");
    for (const char* part : {"injective", "into", "surjective"}) {
      if (!c["parts"].contains(part)) {
        evidence.push_back({part_titles.at(part), "not run (another part is violated)."});
        continue;
      }
      const json& p = c["parts"][part];
      std::string v = p.value("verdict", "unknown");
      std::string text = evidence_text(p.value("evidence", json()), style);
      if (text.empty()) text = p.value("reason", std::string());
      evidence.push_back({std::string(part_titles.at(part)) + " (" + v + ").", text});
    }
  } else if (c.contains("evidence") && verdict != "unknown") {
    evidence.push_back({"", evidence_text(c["evidence"], style)});
  }

  std::string check_line = ctx.check_status.empty()
                               ? "not run (write a certificate with --certificate and run nninv-check on it)"
                               : ctx.check_status + " (nninv-check's checker on the written certificate " +
                                     ctx.certificate_path + ")";
  std::vector<std::pair<std::string, std::string>> facts = {
      {"Network", ctx.network_path + " (" + shape(net) + ", " + std::to_string(net.nonlinear_neuron_count()) +
                      " ReLU neurons)"},
      {"SHA-256 of the exact network", c["network"].value("sha256", "")},
      {"Method", c.value("method", "")},
      {"Reason", c.value("reason", "")},
      {"Tools", c.value("tool", "nninv") + ", " + ctx.solver_version + ", GMP exact rationals"},
      {"Independent check", check_line},
  };
  std::vector<std::string> commands = {ctx.command_line};
  if (!ctx.certificate_path.empty()) commands.push_back("nninv-check " + ctx.network_path + " " + ctx.certificate_path);

  std::ostringstream out;
  if (!tex) {
    out << "# " << statement << "\n\n";
    for (const auto& [k, v] : facts) out << "- **" << k << ":** " << v << "\n";
    out << "\n";
    for (const auto& [title, text] : evidence) out << (title.empty() ? "" : "**" + title + "** ") << text << "\n\n";
    out << "Reproduce and check:\n\n```\n";
    for (const auto& cmd : commands) out << cmd << "\n";
    out << "```\n";
    return out.str();
  }
  // LaTeX: \sloppy lets long reasons break between words, the hash breaks in
  // its middle, and commands stay verbatim.
  out << "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{amssymb}\n"
      << "\\usepackage[margin=2.5cm]{geometry}\n\\sloppy\n\\setlength{\\parskip}{0.5em}\n"
      << "\\begin{document}\n\\section*{" << latex_prose(statement) << "}\n\\begin{description}\n";
  for (const auto& [k, v] : facts) {
    std::string value = k == "SHA-256 of the exact network" ? "\\texttt{" + latex_escape(v.substr(0, 32)) + "\\allowbreak " +
                                                                  latex_escape(v.size() > 32 ? v.substr(32) : "") + "}"
                                                            : latex_prose(v);
    out << "\\item[" << latex_escape(k) << "] " << value << "\n";
  }
  out << "\\end{description}\n";
  for (const auto& [title, text] : evidence)
    out << (title.empty() ? "\\noindent " : "\\paragraph{" + latex_prose(title) + "}") << latex_prose(text) << "\n\n";
  out << "\\noindent Reproduce and check:\n\\begin{verbatim}\n";
  for (const auto& cmd : commands) out << cmd << "\n";
  out << "\\end{verbatim}\n";
  if (!appendix.empty()) {
    out << "\\appendix\n\\section*{Exact values}\nThe points above, rounded there, exactly as in the certificate:\n"
        << "\\begin{enumerate}\n";
    for (const auto& [label, value] : appendix) {
      // Long fractions: allow a line break after every digit group of 8.
      std::string broken;
      for (std::size_t k = 0; k < value.size(); ++k) {
        broken += latex_escape(std::string(1, value[k]));
        if (k % 8 == 7) broken += "\\allowbreak{}";
      }
      out << "\\item $" << Style::math_name(label) << "$ = \\texttt{" << broken << "}\n";
    }
    out << "\\end{enumerate}\n";
  }
  out << "\\end{document}\n";
  return out.str();
}

}  // namespace nninv::report
