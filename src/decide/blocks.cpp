// Block composition (docs/architecture.md, "Blocks: residual and coupling
// layers"). A square chain is cut where two dense layers meet at width n
// (the ONNX reader leaves such a boundary after every skip connection and
// coupling join); each block is written as f(x) = L x + c + P h(x), where
// h collects the kinked neurons and the opposite pairs act(z), act(-z) of
// a pre-activation z that is affine in x carry z linearly (act(z) - act(-z)
// = (1 + alpha) z). With T = L^-1, a block is a bijection of R^n when
//   - (triangular, NICE / RealNVP additive coupling) h reads only the
//     coordinates S of x and the rows S of T P are zero: T f(x) = x + T c +
//     T P h(x_S) changes no coordinate of S, so x_S and then x are solved
//     for in turn; or
//   - (contraction, i-ResNet) Lip(T P h) < 1 in the 2-, inf- or 1-norm,
//     bounded by the product of exact matrix norms and activation slopes:
//     x -> T y - T c - T P h(x) is then a contraction, whose unique fixed
//     point is the one preimage of y (Banach; Behrmann et al., ICML 2019).
// A composition of bijections of R^n is one, so f is injective on any X and
// onto any Y. The evidence lists the cuts, the pairs, T and the norm
// constants; nninv-check (src/check/blocks_check.cpp) redoes the split with
// its own code.
#include <map>

#include "nninv/analysis/lipschitz.hpp"
#include "nninv/cert/certificate.hpp"
#include "procedures.hpp"

namespace nninv::decide {

using arith::Matrix;
using arith::Rational;
using arith::Vector;

namespace {

constexpr const char* injective_name = "blocks (coupling, residual contraction)";
constexpr const char* surjective_name = "blocks, onto (coupling, residual contraction)";

// A block with identity layers dropped and consecutive dense layers merged:
// dense[0], act[0], dense[1], ..., act[d-2], dense[d-1].
struct Segment {
  std::vector<net::Dense> dense;
  std::vector<Rational> alpha;  // negative-side slope of each activation (0 for relu)
};

std::optional<Segment> normalize(const net::Network& net, std::size_t from, std::size_t to) {
  Segment s;
  bool after_dense = false;
  for (std::size_t k = from; k < to; ++k) {
    const net::Layer& layer = net.layers[k];
    if (std::holds_alternative<net::Identity>(layer)) continue;
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      if (after_dense) {
        net::Dense& last = s.dense.back();
        last = net::Dense{d->weights * last.weights, d->weights * last.bias};
        for (std::size_t i = 0; i < last.bias.size(); ++i) last.bias[i] += d->bias[i];
      } else {
        s.dense.push_back(*d);
      }
      after_dense = true;
      continue;
    }
    std::optional<Rational> slope = net::negative_slope(layer);
    if (!slope || !after_dense) return std::nullopt;  // not relu / leaky_relu, or two activations in a row
    s.alpha.push_back(*slope);
    after_dense = false;
  }
  if (s.dense.empty() || !after_dense) return std::nullopt;
  return s;
}

// f(x) = linear x + constant + out h(x) on one block, where the kinked
// neurons of activation l have pre-activations p[l] h_{l-1} + q[l] x + c.
struct Split {
  Matrix linear, out;
  Vector constant;
  std::vector<Matrix> p, q;
  std::vector<std::array<std::size_t, 3>> pairs;  // {activation, neuron, partner}
};

bool zero_row(const Matrix& m, std::size_t r) {
  for (std::size_t c = 0; c < m.cols(); ++c)
    if (m(r, c) != 0) return false;
  return true;
}

Split split(const Segment& s, std::size_t n) {
  Split out;
  Matrix pz(s.dense[0].weights.rows(), 0), qz = s.dense[0].weights;
  Vector cz = s.dense[0].bias;
  for (std::size_t l = 0; l < s.alpha.size(); ++l) {
    std::size_t k = qz.rows();
    // Opposite pairs among the neurons whose pre-activation is affine in x.
    std::map<std::vector<Rational>, std::size_t> open;
    std::vector<std::optional<std::size_t>> partner_of(k);  // for a pair's second neuron: the first
    for (std::size_t i = 0; i < k; ++i) {
      if (!zero_row(pz, i) || zero_row(qz, i)) continue;
      std::vector<Rational> key(n + 1), minus(n + 1);
      for (std::size_t c = 0; c < n; ++c) {
        key[c] = qz(i, c);
        minus[c] = -qz(i, c);
      }
      key[n] = cz[i];
      minus[n] = -cz[i];
      auto it = open.find(minus);
      if (it != open.end()) {
        partner_of[i] = it->second;
        out.pairs.push_back({l, it->second, i});
        open.erase(it);
      } else {
        open.emplace(std::move(key), i);
      }
    }
    // h_l: one entry per neuron that is not a pair's second; its output o is
    // E h + F x + e0.
    std::vector<std::size_t> kinked, index(k);
    for (std::size_t i = 0; i < k; ++i)
      if (!partner_of[i]) {
        index[i] = kinked.size();
        kinked.push_back(i);
      }
    // The next pre-activations W o + b, with o = E h + F x + e0 as above:
    // E only gathers columns, F and e0 are nonzero on a pair's second neuron.
    const net::Dense& next = s.dense[l + 1];
    const Matrix& w = next.weights;
    Rational widen = 1 + s.alpha[l];
    Matrix pn(w.rows(), kinked.size()), qn(w.rows(), n);
    Vector cn = next.bias;
    for (std::size_t i = 0; i < k; ++i) {
      std::size_t column = partner_of[i] ? index[*partner_of[i]] : index[i];
      for (std::size_t r = 0; r < w.rows(); ++r) {
        if (w(r, i) == 0) continue;
        pn(r, column) += w(r, i);
        if (!partner_of[i]) continue;
        std::size_t j = *partner_of[i];  // act(-z) = act(z) - (1 + alpha) z
        Rational t = widen * w(r, i);
        for (std::size_t c = 0; c < n; ++c) qn(r, c) -= t * qz(j, c);
        cn[r] -= t * cz[j];
      }
    }
    // Drop the entries of h_l nothing reads (a pair that only carries z).
    std::vector<std::size_t> used, used_rows;
    for (std::size_t c = 0; c < pn.cols(); ++c) {
      bool read = false;
      for (std::size_t r = 0; r < pn.rows() && !read; ++r) read = pn(r, c) != 0;
      if (read) {
        used.push_back(c);
        used_rows.push_back(kinked[c]);
      }
    }
    out.p.push_back(arith::select_rows(pz, used_rows));
    out.q.push_back(arith::select_rows(qz, used_rows));
    pz = arith::select_columns(pn, used);
    qz = std::move(qn);
    cz = std::move(cn);
  }
  out.linear = std::move(qz);
  out.out = std::move(pz);
  out.constant = std::move(cz);
  return out;
}

// The exact LDL^T behind a 2-norm constant costs about d^3 / 3 rational
// operations for d the smaller side; above this d the 2-norm is not tried.
constexpr std::size_t max_two_norm_side = 400;
// Blocks whose dense layers hold more weights than this are left to the
// other stages (the split multiplies each by the input width).
constexpr std::size_t max_weights = 4'000'000;

// A bound of ||m|| in `norm` (analysis::norm_upper), or nothing when m is
// too large for the 2-norm's exact test.
std::optional<Rational> norm_bound(const Matrix& m, analysis::Norm norm) {
  if (m.rows() == 0 || m.cols() == 0) return Rational(0);
  if (norm == analysis::Norm::two && std::min(m.rows(), m.cols()) > max_two_norm_side) return std::nullopt;
  return analysis::norm_upper(m, norm);
}

struct BlockProof {
  std::string rule;  // "affine", "triangular", "contraction"
  nlohmann::json evidence;
  std::string summary;
};

std::optional<BlockProof> prove_block(const net::Network& net, std::size_t from, std::size_t to, std::string& why) {
  std::size_t n = net.input_dim;
  std::optional<Segment> seg = normalize(net, from, to);
  if (!seg) {
    why = "layers " + std::to_string(from) + ".." + std::to_string(to - 1) +
          " are not dense (activation dense)* with relu / leaky_relu activations";
    return std::nullopt;
  }
  Split s = split(*seg, n);
  std::optional<Matrix> t = s.linear.rows() == n && s.linear.cols() == n ? arith::inverse(s.linear) : std::nullopt;
  if (!t) {
    why = "the linear part L of layers " + std::to_string(from) + ".." + std::to_string(to - 1) + " is singular";
    return std::nullopt;
  }
  Matrix tp = *t * s.out;
  nlohmann::json e = {{"layers", {from, to}}, {"pairs", s.pairs}, {"inverse", cert::to_json(*t)}};
  if (s.p.empty()) {
    e["rule"] = "affine";
    return BlockProof{"affine", e, "an invertible affine map"};
  }
  // Triangular: the coordinates h reads, and T P zero on them.
  std::vector<bool> read(n, false);
  for (const Matrix& q : s.q)
    for (std::size_t r = 0; r < q.rows(); ++r)
      for (std::size_t c = 0; c < n; ++c)
        if (q(r, c) != 0) read[c] = true;
  bool triangular = true;
  std::vector<std::size_t> reads;
  for (std::size_t c = 0; c < n && triangular; ++c) {
    if (!read[c]) continue;
    reads.push_back(c);
    triangular = zero_row(tp, c);
  }
  if (triangular) {
    e["rule"] = "triangular";
    e["reads"] = reads;
    return BlockProof{"triangular", e,
                      "a coupling layer: its nonlinear part reads " + std::to_string(reads.size()) + " of " +
                          std::to_string(n) + " coordinates and changes none of them"};
  }
  // Contraction: lambda_l bounds Lip(h_l); Lip(T P h) <= ||T P|| lambda.
  Rational best = -1;
  for (analysis::Norm norm : {analysis::Norm::two, analysis::Norm::inf, analysis::Norm::one}) {
    nlohmann::json bounds = nlohmann::json::array();
    Rational lambda = 0;
    bool sized = true;
    for (std::size_t l = 0; l < s.p.size() && sized; ++l) {
      Rational slope = std::max(Rational(1), Rational(abs(seg->alpha[l])));
      std::optional<Rational> cp = l ? norm_bound(s.p[l], norm) : Rational(0), cq = norm_bound(s.q[l], norm);
      sized = cp && cq;
      if (!sized) break;
      bounds.push_back({{"p", arith::to_string(*cp)}, {"q", arith::to_string(*cq)}, {"slope", arith::to_string(slope)}});
      lambda = slope * (*cp * lambda + *cq);
    }
    std::optional<Rational> cout = sized ? norm_bound(tp, norm) : std::nullopt;
    if (!cout) continue;
    Rational q = *cout * lambda;
    if (best < 0 || q < best) best = q;
    if (q < 1) {
      e["rule"] = "contraction";
      e["norm"] = analysis::to_string(norm);
      e["bounds"] = bounds;
      e["out"] = arith::to_string(*cout);
      e["q"] = arith::to_string(q);
      return BlockProof{"contraction", e,
                        "x + g(x) with Lip(g) <= " + arith::to_string(q.get_d()) + " < 1 in the " +
                            analysis::to_string(norm) + "-norm"};
    }
  }
  why = "layers " + std::to_string(from) + ".." + std::to_string(to - 1) +
        " are neither a coupling layer nor a contraction (" +
        (best < 0 ? std::string("too large for the norm bounds")
                  : "best bound of Lip(T g): " + std::to_string(best.get_d()) + " >= 1") +
        ")";
  return std::nullopt;
}

// The cuts of a square chain: where two dense layers meet at width n.
std::vector<std::size_t> block_cuts(const net::Network& net) {
  std::vector<std::size_t> cuts = {0};
  for (std::size_t k = 1; k < net.layers.size(); ++k)
    if (std::holds_alternative<net::Dense>(net.layers[k - 1]) && std::holds_alternative<net::Dense>(net.layers[k]) &&
        net.width_after(k) == net.input_dim)
      cuts.push_back(k);
  cuts.push_back(net.layers.size());
  return cuts;
}

class BlockComposition : public Procedure {
 public:
  explicit BlockComposition(Property p) : property_(p) {}
  std::string_view name() const override {
    return property_ == Property::injective ? injective_name : surjective_name;
  }
  Outcome run(const net::Network& net, const Budget& budget) override {
    std::size_t n = net.input_dim;
    if (net.output_dim() != n)
      return Outcome::unknown(property_, "not a square net (dim X != dim Y)", std::string(name()));
    if (property_ == Property::surjective && !net.domain.is_everything())
      return Outcome::unknown(property_, "X is not all of R^n", std::string(name()));
    std::vector<std::size_t> cuts = block_cuts(net);
    std::size_t weights = 0;
    for (const net::Layer& layer : net.layers)
      if (const auto* d = std::get_if<net::Dense>(&layer)) weights += d->weights.rows() * d->weights.cols();
    if (weights > max_weights)
      return Outcome::unknown(property_, std::to_string(weights) + " weights, more than the block stage's " +
                                             std::to_string(max_weights),
                              std::string(name()));
    nlohmann::json blocks = nlohmann::json::array();
    std::map<std::string, std::size_t> rules;
    std::string per_block;  // each block's verdict, for the reason
    for (std::size_t b = 0; b + 1 < cuts.size(); ++b) {
      if (budget.exhausted()) return Outcome::unknown(property_, budget.exhaustion_reason(), std::string(name()));
      std::string why;
      std::optional<BlockProof> proof = prove_block(net, cuts[b], cuts[b + 1], why);
      if (!proof) return Outcome::unknown(property_, "block " + std::to_string(b + 1) + " of " +
                                                         std::to_string(cuts.size() - 1) + ": " + why,
                                          std::string(name()));
      ++rules[proof->rule];
      if (b < 12)
        per_block += (b ? "; " : "") + std::to_string(b + 1) + " (layers " + std::to_string(cuts[b]) + ".." +
                     std::to_string(cuts[b + 1] - 1) + "): " + proof->summary;
      else if (b == 12)
        per_block += "; ...";
      blocks.push_back(std::move(proof->evidence));
    }
    std::string count;
    for (const auto& [rule, k] : rules) count += (count.empty() ? "" : ", ") + std::to_string(k) + " " + rule;
    std::string reason = "f is a composition of " + std::to_string(cuts.size() - 1) +
                         " bijections of R^" + std::to_string(n) + " (" + count +
                         "; a coupling layer is solved coordinate group by group, a contraction x + g(x) by "
                         "Banach's fixed point theorem), so f is a bijection of R^" + std::to_string(n);
    reason += property_ == Property::injective ? ": injective on X" : ": onto every Y";
    reason += ". Blocks: " + per_block;
    return checker_accepted(
        net, Outcome::holds(property_, reason, std::string(name()), {{"kind", "blocks"}, {"blocks", blocks}}));
  }

 private:
  Property property_;
};


// A block's modulus in `norm` (include/nninv/decide/lipschitz.hpp), with its
// constants; nothing for a contraction whose bound in this norm is >= 1.
std::optional<Rational> block_modulus(const net::Network& net, std::size_t from, std::size_t to, const BlockProof& proof,
                                      analysis::Norm norm, nlohmann::json& modulus) {
  std::optional<Segment> seg = normalize(net, from, to);
  Split s = split(*seg, net.input_dim);
  std::optional<Matrix> t = arith::inverse(s.linear);
  std::optional<Rational> ct = norm_bound(*t, norm);
  if (!ct || *ct <= 0) return std::nullopt;
  modulus = {{"t", arith::to_string(*ct)}};
  if (proof.rule == "affine") return 1 / *ct;
  nlohmann::json bounds = nlohmann::json::array();
  Rational lambda = 0;
  for (std::size_t l = 0; l < s.p.size(); ++l) {
    Rational slope = std::max(Rational(1), Rational(abs(seg->alpha[l])));
    std::optional<Rational> cp = l ? norm_bound(s.p[l], norm) : Rational(0), cq = norm_bound(s.q[l], norm);
    if (!cp || !cq) return std::nullopt;
    bounds.push_back({{"p", arith::to_string(*cp)}, {"q", arith::to_string(*cq)}, {"slope", arith::to_string(slope)}});
    lambda = slope * (*cp * lambda + *cq);
  }
  std::optional<Rational> cout = norm_bound(*t * s.out, norm);
  if (!cout) return std::nullopt;
  Rational q = *cout * lambda;
  modulus["bounds"] = bounds;
  modulus["out"] = arith::to_string(*cout);
  modulus["q"] = arith::to_string(q);
  if (proof.rule == "triangular") return 1 / (*ct * (1 + q));
  if (q >= 1) return std::nullopt;
  return (1 - q) / *ct;
}

}  // namespace

std::unique_ptr<Procedure> make_block_composition(Property p) { return std::make_unique<BlockComposition>(p); }

std::optional<BlocksModulus> blocks_modulus(const net::Network& net, analysis::Norm norm,
                                            const std::function<bool()>& stop) {
  std::size_t n = net.input_dim, weights = 0;
  for (const net::Layer& layer : net.layers)
    if (const auto* d = std::get_if<net::Dense>(&layer)) weights += d->weights.rows() * d->weights.cols();
  if (net.output_dim() != n || weights > max_weights) return std::nullopt;
  std::vector<std::size_t> cuts = block_cuts(net);
  BlocksModulus result{Rational(1), nlohmann::json::array(), cuts.size() - 1};
  for (std::size_t b = 0; b + 1 < cuts.size(); ++b) {
    if (stop && stop()) return std::nullopt;
    std::string why;
    std::optional<BlockProof> proof = prove_block(net, cuts[b], cuts[b + 1], why);
    if (!proof) return std::nullopt;
    nlohmann::json modulus;
    std::optional<Rational> mb = block_modulus(net, cuts[b], cuts[b + 1], *proof, norm, modulus);
    if (!mb) return std::nullopt;
    result.m *= *mb;
    proof->evidence["modulus"] = modulus;
    result.blocks.push_back(std::move(proof->evidence));
  }
  return result;
}

}  // namespace nninv::decide
