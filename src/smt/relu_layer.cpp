// The one-copy encoding of a ReLU layer's non-injectivity (relu_layer.hpp).
#include "nninv/smt/relu_layer.hpp"

#include "network_encoder.hpp"
#include "solve.hpp"

namespace nninv::smt {

bool is_relu_layer_kernel(const arith::Matrix& w, const arith::Vector& b, const std::vector<net::Interval>& box,
                          const arith::Vector& x, const arith::Vector& v) {
  if (x.size() != w.cols() || v.size() != w.cols() || box.size() != w.cols()) return false;
  bool nonzero = false;
  for (std::size_t j = 0; j < v.size(); ++j) {
    const net::Interval& side = box[j];
    if ((side.lower && !(*side.lower < x[j])) || (side.upper && !(x[j] < *side.upper))) return false;
    nonzero = nonzero || v[j] != 0;
  }
  if (!nonzero) return false;
  for (std::size_t i = 0; i < w.rows(); ++i) {
    arith::Rational a = b[i], wv = 0;
    for (std::size_t j = 0; j < w.cols(); ++j) {
      a += w(i, j) * x[j];
      wv += w(i, j) * v[j];
    }
    if (!(a < 0) && wv != 0) return false;
  }
  return true;
}

ReluLayerResult find_relu_layer_kernel(const arith::Matrix& w, const arith::Vector& b,
                                       const std::vector<net::Interval>& box, const decide::Budget& budget,
                                       std::optional<double> cap_seconds) {
  ReluLayerResult result;
  const std::size_t n = w.cols();
  try {
    z3::context ctx;
    z3::solver solver(ctx, "QF_LRA");
    std::vector<z3::expr> x = real_vector(ctx, "x", n), v = real_vector(ctx, "v", n);
    // encodes: x strictly inside X
    for (std::size_t j = 0; j < n; ++j) {
      if (box[j].lower) solver.add(numeral(ctx, *box[j].lower) < x[j]);
      if (box[j].upper) solver.add(x[j] < numeral(ctx, *box[j].upper));
    }
    // encodes: v != 0, up to scaling   as: the first nonzero coordinate of v is 1
    // (v and c v, c != 0, satisfy the same homogeneous row conditions; fixing
    // the first nonzero coordinate also breaks the symmetry v <-> -v)
    z3::expr_vector first_nonzero(ctx);
    z3::expr zero_prefix = ctx.bool_val(true);
    for (std::size_t j = 0; j < n; ++j) {
      first_nonzero.push_back(zero_prefix && v[j] == 1);
      zero_prefix = zero_prefix && v[j] == 0;
    }
    solver.add(z3::mk_or(first_nonzero));
    // encodes: every row is strictly inactive at x, or orthogonal to v
    for (std::size_t i = 0; i < w.rows(); ++i) {
      if (budget.exhausted()) return {ReluLayerStatus::unknown, {}, {}, budget.exhaustion_reason()};
      z3::expr_vector pre(ctx), along(ctx);
      pre.push_back(numeral(ctx, b[i]));
      for (std::size_t j = 0; j < n; ++j) {
        if (w(i, j) == 0) continue;
        z3::expr c = numeral(ctx, w(i, j));
        pre.push_back(c * x[j]);
        along.push_back(c * v[j]);
      }
      if (along.empty()) continue;  // a constant row: the same value at every x
      solver.add(z3::sum(pre) < 0 || z3::sum(along) == 0);
    }
    SolveResult r = check_within(solver, budget, cap_seconds);
    if (r.status == z3::unsat) {
      result.status = ReluLayerStatus::injective;
      return result;
    }
    if (r.status == z3::unknown) {
      result.reason = r.unknown_reason;
      return result;
    }
    z3::model model = solver.get_model();
    for (std::size_t j = 0; j < n; ++j) {
      result.x.push_back(read_rational(model.eval(x[j], true)));
      result.v.push_back(read_rational(model.eval(v[j], true)));
    }
    if (!is_relu_layer_kernel(w, b, box, result.x, result.v)) {
      result.reason = "Z3's model does not satisfy the kernel condition exactly";
      result.x.clear();
      result.v.clear();
      return result;
    }
    result.status = ReluLayerStatus::kernel;
    return result;
  } catch (const z3::exception& e) {
    result.reason = budget.exhausted() ? std::string(budget.exhaustion_reason()) : std::string("Z3 error: ") + e.msg();
    return result;
  }
}

}  // namespace nninv::smt
