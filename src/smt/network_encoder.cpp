// Encoding of dense, relu, leaky_relu and identity layers in linear real
// arithmetic. Numerals are built from exact rational strings.
#include "network_encoder.hpp"

#include "nninv/analysis/bounds.hpp"

namespace nninv::smt {

using arith::Rational;

z3::expr numeral(z3::context& ctx, const Rational& q) { return ctx.real_val(q.get_str().c_str()); }

Rational read_rational(const z3::expr& value) { return arith::parse_rational(Z3_get_numeral_string(value.ctx(), value)); }

std::vector<z3::expr> real_vector(z3::context& ctx, const std::string& name, std::size_t size) {
  std::vector<z3::expr> v;
  for (std::size_t i = 0; i < size; ++i) v.push_back(ctx.real_const((name + "_" + std::to_string(i)).c_str()));
  return v;
}

z3::expr in_box(z3::context& ctx, const net::Box& box, const std::vector<z3::expr>& x) {
  z3::expr_vector parts(ctx);
  for (std::size_t i = 0; i < box.dim(); ++i) {
    if (box.sides[i].lower) parts.push_back(x[i] >= numeral(ctx, *box.sides[i].lower));
    if (box.sides[i].upper) parts.push_back(x[i] <= numeral(ctx, *box.sides[i].upper));
  }
  return parts.empty() ? ctx.bool_val(true) : z3::mk_and(parts);
}

namespace {

class CopyEncoder {
 public:
  CopyEncoder(z3::context& ctx, EncodedCopy& copy, const std::vector<std::vector<net::Interval>>* bounds,
              bool ite_activations, const decide::Budget* budget)
      : ctx_(ctx), copy_(copy), bounds_(bounds), ite_(ite_activations), budget_(budget) {}

  std::vector<z3::expr> encode(const net::Network& net, std::vector<z3::expr> value, const std::string& tag) {
    for (std::size_t k = 0; k < net.layers.size(); ++k) {
      const net::Layer& layer = net.layers[k];
      if (const auto* d = std::get_if<net::Dense>(&layer))
        value = dense(*d, value, tag + "_z" + std::to_string(k));
      else if (std::holds_alternative<net::Relu>(layer))
        value = piecewise(k, value, Rational(0), tag + "_h" + std::to_string(k));
      else if (const auto* l = std::get_if<net::LeakyRelu>(&layer))
        value = piecewise(k, value, l->alpha, tag + "_h" + std::to_string(k));
    }
    return value;
  }

 private:
  // Encoding a very large network takes long by itself: the budget is
  // honoured here too, not only in the solver.
  void poll() {
    if (budget_ && (++polls_ & 63) == 0 && budget_->exhausted()) throw z3::exception("encoding stopped: budget exhausted");
  }

  z3::expr fresh_real(const std::string& name) {
    z3::expr v = ctx_.real_const(name.c_str());
    copy_.variables.push_back(v);
    return v;
  }

  // encodes: z = W v + b   as: one fresh real per neuron, z_i == sum_j w_ij v_j + b_i
  std::vector<z3::expr> dense(const net::Dense& d, const std::vector<z3::expr>& in, const std::string& name) {
    std::vector<z3::expr> out;
    for (std::size_t r = 0; r < d.weights.rows(); ++r) {
      poll();
      z3::expr_vector terms(ctx_);
      for (std::size_t j = 0; j < in.size(); ++j)
        if (d.weights(r, j) != 0) terms.push_back(numeral(ctx_, d.weights(r, j)) * in[j]);
      if (d.bias[r] != 0 || terms.empty()) terms.push_back(numeral(ctx_, d.bias[r]));
      z3::expr z = fresh_real(name + "_" + std::to_string(r));
      copy_.constraints.push_back(z == (terms.size() == 1 ? terms[0] : z3::sum(terms)));  // no unary + in SMT-LIB
      out.push_back(z);
    }
    return out;
  }

  // encodes: h = (z >= 0 ? z : slope z), slope 0 for relu, alpha for leaky_relu
  // as:      a phase literal p with  p -> (z >= 0 and h = z),  !p -> (z <= 0 and h = slope z);
  //          a neuron whose phase the interval bounds fix is replaced by its linear piece.
  std::vector<z3::expr> piecewise(std::size_t k, const std::vector<z3::expr>& in, const Rational& slope,
                                  const std::string& name) {
    std::vector<z3::expr> out;
    for (std::size_t i = 0; i < in.size(); ++i) {
      poll();
      z3::expr below = slope == 0 ? ctx_.real_val(0) : numeral(ctx_, slope) * in[i];
      analysis::Phase phase = bounds_ ? analysis::phase_of((*bounds_)[k][i]) : analysis::Phase::unstable;
      if (phase == analysis::Phase::active) {
        out.push_back(in[i]);
        continue;
      }
      if (phase == analysis::Phase::inactive) {
        out.push_back(below);
        continue;
      }
      if (ite_) {  // encodes: h = ite(z >= 0, z, slope z)
        out.push_back(z3::ite(in[i] >= 0, in[i], below));
        continue;
      }
      std::string id = name + "_" + std::to_string(i);
      z3::expr h = fresh_real(id);
      z3::expr p = ctx_.bool_const(("p_" + id).c_str());
      copy_.variables.push_back(p);
      copy_.constraints.push_back(z3::implies(p, in[i] >= 0 && h == in[i]));
      copy_.constraints.push_back(z3::implies(!p, in[i] <= 0 && h == below));
      out.push_back(h);
    }
    return out;
  }

  z3::context& ctx_;
  EncodedCopy& copy_;
  const std::vector<std::vector<net::Interval>>* bounds_;
  bool ite_;
  const decide::Budget* budget_;
  std::size_t polls_ = 0;
};

}  // namespace

EncodedCopy encode_copy(z3::context& ctx, const net::Network& net, const std::vector<z3::expr>& inputs,
                        const std::string& tag, const std::vector<std::vector<net::Interval>>* bounds,
                        bool ite_activations, const decide::Budget* budget) {
  EncodedCopy copy(ctx);
  copy.outputs = CopyEncoder(ctx, copy, bounds, ite_activations, budget).encode(net, inputs, tag);
  return copy;
}

}  // namespace nninv::smt
