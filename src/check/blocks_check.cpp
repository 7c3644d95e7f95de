// "blocks" (docs/certificates.md; the argument in docs/architecture.md,
// "Blocks: residual and coupling layers"). For each block of layers
// [from, to) this file drops identity layers, multiplies consecutive dense
// layers, and writes the block as y = L x + c + P h(x) by walking its
// activations: a neuron listed in a pair {activation, j, p} must have the
// pre-activation of j negated and affine in x, and then carries it
// linearly (act(-z) = act(z) - (1 + alpha) z); every other neuron is a
// kinked one. Then: T L = I exactly, and either the block is affine, or h
// reads only the listed coordinates S and rows S of T P vanish, or the
// listed norm constants bound every factor (exact sums, or exact LDL^T for
// the 2-norm) and give Lip(T P h) <= q < 1.
#include "blocks_check.hpp"

#include "lipschitz_check.hpp"
#include "read.hpp"
#include "step.hpp"

namespace nninv::check::detail {

using arith::Matrix;
using arith::Rational;
using arith::Vector;
using nlohmann::json;

namespace {

const std::string step = "blocks";

struct Affine {
  Matrix w;
  Vector b;
};

// The block's dense layers (merged) and the activations' negative slopes.
void flatten(const net::Network& net, std::size_t from, std::size_t to, std::vector<Affine>& dense,
             std::vector<Rational>& alpha) {
  bool open = false;
  for (std::size_t k = from; k < to; ++k) {
    const net::Layer& layer = net.layers[k];
    if (const auto* d = std::get_if<net::Dense>(&layer)) {
      if (!open) {
        dense.push_back({d->weights, d->bias});
      } else {
        Affine& a = dense.back();
        Vector b = d->weights * a.b;
        for (std::size_t i = 0; i < b.size(); ++i) b[i] += d->bias[i];
        a = {d->weights * a.w, b};
      }
      open = true;
    } else if (std::holds_alternative<net::Relu>(layer)) {
      require(open, step, "layer " + std::to_string(k) + ": an activation that does not follow a dense layer");
      alpha.push_back(0);
      open = false;
    } else if (const auto* l = std::get_if<net::LeakyRelu>(&layer)) {
      require(open, step, "layer " + std::to_string(k) + ": an activation that does not follow a dense layer");
      alpha.push_back(l->alpha);
      open = false;
    } else {
      require(std::holds_alternative<net::Identity>(layer), step,
              "layer " + std::to_string(k) + " is not dense, relu, leaky_relu or identity");
    }
  }
  require(open, step, "the block does not end with a dense layer");
}

bool row_is_zero(const Matrix& m, std::size_t r) {
  for (std::size_t c = 0; c < m.cols(); ++c)
    if (m(r, c) != 0) return false;
  return true;
}

// A block as the checker rewrote it: y = L x + c + P h(x), T = L^-1, the
// kinked neurons' pre-activations p[l] h_{l-1} + q[l] x + c_l.
struct Parts {
  std::string rule;
  Matrix t, tp;
  std::vector<Matrix> ps, qs;
  std::vector<Rational> alpha;
};

// Lip(h) <= lambda from the listed constants {p, q, slope} per activation,
// each verified in `norm`.
Rational lambda_of(const Parts& parts, const json& bounds, Norm norm, const std::string& where) {
  require(bounds.is_array() && bounds.size() == parts.alpha.size(), step, where + ": one bound per activation expected");
  Rational lambda = 0;
  for (std::size_t l = 0; l < parts.alpha.size(); ++l) {
    Rational cp = read_rational(bounds[l], "p", step), cq = read_rational(bounds[l], "q", step);
    Rational slope = read_rational(bounds[l], "slope", step);
    const Rational& a = parts.alpha[l];
    require(slope >= 1 && slope >= a && slope >= -a, step, where + ": a slope bound is too small");
    require(norm_at_most(parts.ps[l], cp, norm) && norm_at_most(parts.qs[l], cq, norm), step,
            where + ": a norm constant of activation " + std::to_string(l) + " does not hold");
    lambda = slope * (cp * lambda + cq);
  }
  return lambda;
}

Norm norm_named(const std::string& name, const std::string& where) {
  require(name == "2" || name == "1" || name == "inf", step, where + ": norm is not 1, 2 or inf");
  return name == "2" ? Norm::two : name == "1" ? Norm::one : Norm::inf;
}

Parts check_block(const net::Network& net, const json& b, std::size_t index) {
  const std::size_t n = net.input_dim;
  const std::string where = "block " + std::to_string(index);
  const json& layers = field(b, "layers", step);
  require(layers.is_array() && layers.size() == 2 && layers[0].is_number_unsigned() && layers[1].is_number_unsigned(),
          step, where + ": layers is not [from, to]");
  std::size_t from = layers[0].get<std::size_t>(), to = layers[1].get<std::size_t>();
  std::vector<Affine> dense;
  std::vector<Rational> alpha;
  flatten(net, from, to, dense, alpha);
  // Listed pairs, per activation: partner[l][p] = j.
  std::vector<std::vector<std::optional<std::size_t>>> partner(alpha.size());
  for (std::size_t l = 0; l < alpha.size(); ++l) partner[l].resize(dense[l].w.rows());
  for (const json& p : field(b, "pairs", step)) {
    require(p.is_array() && p.size() == 3 && p[0].is_number_unsigned() && p[1].is_number_unsigned() &&
                p[2].is_number_unsigned(),
            step, where + ": a pair is not [activation, neuron, partner]");
    std::size_t l = p[0].get<std::size_t>(), j = p[1].get<std::size_t>(), q = p[2].get<std::size_t>();
    require(l < alpha.size() && j < partner[l].size() && q < partner[l].size() && j != q, step,
            where + ": a pair is out of range");
    require(!partner[l][q] && !partner[l][j], step, where + ": a neuron is listed in two pairs");
    for (const auto& other : partner[l]) require(other != j && other != q, step, where + ": a neuron is listed twice");
    partner[l][q] = j;
  }
  // z = pz h + qz x + cz for the activation being walked.
  Matrix pz(dense[0].w.rows(), 0), qz = dense[0].w;
  Vector cz = dense[0].b;
  std::vector<Matrix> ps, qs;
  for (std::size_t l = 0; l < alpha.size(); ++l) {
    std::size_t k = qz.rows();
    std::vector<std::size_t> column(k), own;
    for (std::size_t i = 0; i < k; ++i) {
      if (partner[l][i]) continue;
      column[i] = own.size();
      own.push_back(i);
    }
    for (std::size_t i = 0; i < k; ++i) {
      if (!partner[l][i]) continue;
      std::size_t j = *partner[l][i];
      require(row_is_zero(pz, i) && row_is_zero(pz, j), step,
              where + ": a paired neuron's pre-activation is not affine in x");
      for (std::size_t c = 0; c < n; ++c)
        require(qz(i, c) == -qz(j, c), step, where + ": a pair's pre-activations are not opposite");
      require(cz[i] == -cz[j], step, where + ": a pair's pre-activations are not opposite");
    }
    // Next pre-activations W o + b: an own neuron's output is its entry of h;
    // a paired one's is act(-z_j) = h_j - (1 + alpha) z_j.
    const Affine& next = dense[l + 1];
    Matrix pn(next.w.rows(), own.size()), qn(next.w.rows(), n);
    Vector cn = next.b;
    for (std::size_t r = 0; r < next.w.rows(); ++r)
      for (std::size_t i = 0; i < k; ++i) {
        const Rational& w = next.w(r, i);
        if (w == 0) continue;
        if (!partner[l][i]) {
          pn(r, column[i]) += w;
          continue;
        }
        std::size_t j = *partner[l][i];
        pn(r, column[j]) += w;
        Rational t = (1 + alpha[l]) * w;
        for (std::size_t c = 0; c < n; ++c) qn(r, c) -= t * qz(j, c);
        cn[r] -= t * cz[j];
      }
    std::vector<std::size_t> keep, keep_rows;
    for (std::size_t c = 0; c < pn.cols(); ++c) {
      bool nonzero = false;
      for (std::size_t r = 0; r < pn.rows(); ++r) nonzero = nonzero || pn(r, c) != 0;
      if (nonzero) {
        keep.push_back(c);
        keep_rows.push_back(own[c]);
      }
    }
    ps.push_back(arith::select_rows(pz, keep_rows));
    qs.push_back(arith::select_rows(qz, keep_rows));
    pz = arith::select_columns(pn, keep);
    qz = qn;
    cz = cn;
  }
  require(qz.rows() == n && qz.cols() == n, step, where + ": the block is not square");
  Matrix t = read_matrix(field(b, "inverse", step), "inverse", step);
  require(t.rows() == n && t.cols() == n && t * qz == Matrix::identity(n), step,
          where + ": inverse is not the inverse of the linear part L");
  Matrix tp = t * pz;
  std::string rule = b.value("rule", "");
  Parts parts{rule, t, tp, ps, qs, alpha};
  if (alpha.empty() || rule == "affine") {
    require(alpha.empty(), step, where + ": the block has activations, not an affine map");
    parts.rule = "affine";
    return parts;
  }
  if (rule == "triangular") {
    std::vector<bool> listed(n, false);
    for (const json& c : field(b, "reads", step)) {
      require(c.is_number_unsigned() && c.get<std::size_t>() < n, step, where + ": reads lists a bad coordinate");
      listed[c.get<std::size_t>()] = true;
    }
    for (const Matrix& q : qs)
      for (std::size_t r = 0; r < q.rows(); ++r)
        for (std::size_t c = 0; c < n; ++c)
          require(q(r, c) == 0 || listed[c], step,
                  where + ": the nonlinear part reads coordinate " + std::to_string(c) + ", not listed");
    for (std::size_t c = 0; c < n; ++c)
      require(!listed[c] || row_is_zero(tp, c), step,
              where + ": the nonlinear part changes coordinate " + std::to_string(c) + ", which it reads");
    return parts;
  }
  require(rule == "contraction", step, where + ": unknown rule '" + rule + "'");
  Norm norm = norm_named(b.value("norm", ""), where);
  Rational lambda = lambda_of(parts, field(b, "bounds", step), norm, where);
  Rational out = read_rational(b, "out", step);
  require(norm_at_most(tp, out, norm), step, where + ": the constant for T P does not hold");
  Rational q = out * lambda;
  require(q < 1, step, where + ": Lip(T P h) <= " + arith::to_string(q) + ", not < 1");
  return parts;
}

// The block's modulus in `norm` from its "modulus" constants: with t >= ||T||
// and q >= Lip(T P h), ||x1 - x2|| <= t ||y1 - y2|| (affine),
// (1 + q) t ||y1 - y2|| (triangular: x_S is read off T y, and the rest moves
// by at most q ||x1_S - x2_S||) or t / (1 - q) ||y1 - y2|| (contraction, q < 1).
Rational block_modulus(const Parts& parts, const json& m, Norm norm, const std::string& where) {
  Rational t = read_rational(m, "t", step);
  require(t > 0 && norm_at_most(parts.t, t, norm), step, where + ": the constant for T = L^-1 does not hold");
  if (parts.rule == "affine") return 1 / t;
  Rational lambda = lambda_of(parts, field(m, "bounds", step), norm, where);
  Rational out = read_rational(m, "out", step);
  require(norm_at_most(parts.tp, out, norm), step, where + ": the constant for T P does not hold");
  Rational q = out * lambda;
  if (parts.rule == "triangular") return 1 / (t * (1 + q));
  require(q < 1, step, where + ": Lip(T P h) <= " + arith::to_string(q) + " in this norm, not < 1");
  return (1 - q) / t;
}

// Walks the listed blocks (tiling the layers, each ending at width n); calls
// `each` with every block's parts.
template <class Each>
void walk_blocks(const net::Network& net, const json& e, std::vector<std::string>& steps, Each each) {
  const std::size_t n = net.input_dim;
  require(net.output_dim() == n, step, "the network is not square");
  const json& blocks = field(e, "blocks", step);
  require(blocks.is_array() && !blocks.empty(), step, "no blocks");
  std::size_t at = 0, index = 0;
  for (const json& b : blocks) {
    const json& layers = field(b, "layers", step);
    require(layers.is_array() && layers.size() == 2 && layers[0].is_number_unsigned() && layers[0].get<std::size_t>() == at &&
                layers[1].is_number_unsigned() && layers[1].get<std::size_t>() > at &&
                layers[1].get<std::size_t>() <= net.layers.size(),
            step, "block " + std::to_string(index) + " does not start where the previous one ends");
    at = layers[1].get<std::size_t>();
    require(net.width_after(at) == n, step, "block " + std::to_string(index) + " does not end at width n");
    Parts parts = check_block(net, b, index++);
    steps.push_back("block " + std::to_string(index) + " (" + parts.rule + ")");
    each(parts, b, index);
  }
  require(at == net.layers.size(), step, "the blocks do not cover every layer");
}

}  // namespace

std::string check_blocks(const net::Network& net, const json& e, std::vector<std::string>& steps) {
  walk_blocks(net, e, steps, [](const Parts&, const json&, std::size_t) {});
  return "f is a composition of " + std::to_string(e.at("blocks").size()) + " bijections of R^" +
         std::to_string(net.input_dim);
}

Rational check_blocks_modulus(const net::Network& net, const json& e, Norm norm, std::vector<std::string>& steps) {
  Rational m = 1;
  walk_blocks(net, e, steps, [&](const Parts& parts, const json& b, std::size_t index) {
    std::string where = "block " + std::to_string(index);
    Rational mb = block_modulus(parts, field(b, "modulus", step), norm, where);
    steps.push_back(where + ": modulus >= " + arith::to_string(mb));
    m *= mb;
  });
  return m;
}

}  // namespace nninv::check::detail
