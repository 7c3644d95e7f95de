// Twin encoding of injectivity in Z3 over the reals (never floats).
// Numerals are built from exact rational strings; models are read back as
// exact rationals. Z3 exceptions stop here.
#include "nninv/smt/twin_encoding.hpp"

#include <z3++.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "nninv/analysis/bounds.hpp"

namespace nninv::smt {

using arith::Rational;
using decide::Outcome;
using decide::Property;
using decide::Verdict;

namespace {

z3::expr numeral(z3::context& ctx, const Rational& q) { return ctx.real_val(q.get_str().c_str()); }

Rational read_rational(const z3::expr& e) {
  return arith::parse_rational(Z3_get_numeral_string(e.ctx(), e));
}

// Builds one copy of the network over the given input terms.
class CopyEncoder {
 public:
  CopyEncoder(z3::context& ctx, z3::solver& solver, const std::vector<std::vector<net::Interval>>* bounds)
      : ctx_(ctx), solver_(solver), bounds_(bounds) {}

  std::vector<z3::expr> encode(const net::Network& net, std::vector<z3::expr> value, const std::string& tag) {
    for (std::size_t k = 0; k < net.layers.size(); ++k) {
      const net::Layer& layer = net.layers[k];
      if (const auto* d = std::get_if<net::Dense>(&layer)) {
        value = dense(*d, value, tag + "_z" + std::to_string(k));
      } else if (std::holds_alternative<net::Relu>(layer)) {
        value = piecewise(k, value, std::nullopt, tag + "_h" + std::to_string(k));
      } else if (const auto* l = std::get_if<net::LeakyRelu>(&layer)) {
        value = piecewise(k, value, l->alpha, tag + "_h" + std::to_string(k));
      }
    }
    return value;
  }

 private:
  // encodes: z = W v + b   as: one fresh real per neuron, z_i == sum_j w_ij v_j + b_i
  std::vector<z3::expr> dense(const net::Dense& d, const std::vector<z3::expr>& in, const std::string& name) {
    std::vector<z3::expr> out;
    for (std::size_t r = 0; r < d.weights.rows(); ++r) {
      z3::expr_vector terms(ctx_);
      for (std::size_t j = 0; j < in.size(); ++j)
        if (d.weights(r, j) != 0) terms.push_back(numeral(ctx_, d.weights(r, j)) * in[j]);
      if (d.bias[r] != 0 || terms.empty()) terms.push_back(numeral(ctx_, d.bias[r]));
      z3::expr z = ctx_.real_const((name + "_" + std::to_string(r)).c_str());
      solver_.add(z == z3::sum(terms));
      out.push_back(z);
    }
    return out;
  }

  // encodes: h = max(0, z) (alpha empty) or h = (z >= 0 ? z : alpha z)
  // as:      a phase literal p with  p -> (z >= 0 and h = z),  !p -> (z <= 0 and h = slope z);
  //          a neuron whose phase interval bounds fix is replaced by its linear piece.
  std::vector<z3::expr> piecewise(std::size_t k, const std::vector<z3::expr>& in, const std::optional<Rational>& alpha,
                                  const std::string& name) {
    Rational slope = alpha.value_or(Rational(0));
    std::vector<z3::expr> out;
    for (std::size_t i = 0; i < in.size(); ++i) {
      analysis::Phase phase = bounds_ ? analysis::phase_of((*bounds_)[k][i]) : analysis::Phase::unstable;
      if (phase == analysis::Phase::active) {
        out.push_back(in[i]);
        continue;
      }
      if (phase == analysis::Phase::inactive) {
        out.push_back(slope == 0 ? ctx_.real_val(0) : numeral(ctx_, slope) * in[i]);
        continue;
      }
      std::string id = name + "_" + std::to_string(i);
      z3::expr h = ctx_.real_const(id.c_str());
      z3::expr p = ctx_.bool_const(("p_" + id).c_str());
      z3::expr below = slope == 0 ? ctx_.real_val(0) : numeral(ctx_, slope) * in[i];
      solver_.add(z3::implies(p, in[i] >= 0 && h == in[i]));
      solver_.add(z3::implies(!p, in[i] <= 0 && h == below));
      out.push_back(h);
    }
    return out;
  }

  z3::context& ctx_;
  z3::solver& solver_;
  const std::vector<std::vector<net::Interval>>* bounds_;
};

void add_domain(z3::solver& s, const net::Box& box, const std::vector<z3::expr>& x) {
  z3::context& ctx = s.ctx();
  for (std::size_t i = 0; i < box.dim(); ++i) {
    if (box.sides[i].lower) s.add(x[i] >= numeral(ctx, *box.sides[i].lower));
    if (box.sides[i].upper) s.add(x[i] <= numeral(ctx, *box.sides[i].upper));
  }
}

// Interrupts Z3 when the budget runs out (deadline or Ctrl-C), from a thread
// of its own, as Z3_interrupt is meant to be used.
class Watchdog {
 public:
  Watchdog(z3::context& ctx, const decide::Budget& budget)
      : thread_([this, &ctx, &budget] {
          std::unique_lock lock(mutex_);
          while (!done_) {
            if (budget.exhausted()) {
              ctx.interrupt();
              return;
            }
            wake_.wait_for(lock, std::chrono::milliseconds(10));
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

Outcome decide_injective_twin(const net::Network& net, const decide::Budget& budget, const TwinOptions& options) {
  const std::string method = "twin encoding (Z3, linear real arithmetic)";
  try {
    z3::context ctx;
    z3::solver solver(ctx);
    if (auto left = budget.remaining_seconds()) {
      z3::params p(ctx);
      p.set("timeout", static_cast<unsigned>(std::max(1.0, *left * 1000)));
      solver.set(p);
    }
    std::vector<std::vector<net::Interval>> bounds;
    if (options.use_interval_bounds) bounds = analysis::interval_bounds(net);
    CopyEncoder encoder(ctx, solver, options.use_interval_bounds ? &bounds : nullptr);

    std::vector<z3::expr> x1, x2;
    for (std::size_t i = 0; i < net.input_dim; ++i) {
      x1.push_back(ctx.real_const(("x1_" + std::to_string(i)).c_str()));
      x2.push_back(ctx.real_const(("x2_" + std::to_string(i)).c_str()));
    }
    add_domain(solver, net.domain, x1);
    add_domain(solver, net.domain, x2);
    // encodes: x1 != x2 up to swapping the copies   as: x1 <lex x2 over the free coordinates
    z3::expr_vector cases(ctx);
    z3::expr equal_prefix = ctx.bool_val(true);
    for (std::size_t i : net.domain.free_coordinates()) {
      cases.push_back(equal_prefix && x1[i] < x2[i]);
      equal_prefix = equal_prefix && x1[i] == x2[i];
    }
    if (cases.empty())
      return Outcome{Property::injective, Verdict::holds, std::nullopt, "the domain X is a single point", method};
    solver.add(z3::mk_or(cases));
    std::vector<z3::expr> y1 = encoder.encode(net, x1, "a");
    std::vector<z3::expr> y2 = encoder.encode(net, x2, "b");
    for (std::size_t i = 0; i < y1.size(); ++i) solver.add(y1[i] == y2[i]);

    z3::check_result result;
    {
      Watchdog watchdog(ctx, budget);
      result = solver.check();
    }
    if (result == z3::unsat)
      return Outcome{Property::injective, Verdict::holds, std::nullopt,
                     "no x1 != x2 in X with f(x1) = f(x2): the twin encoding (two copies with shared weights, "
                     "outputs equal, x1 <lex x2) is unsatisfiable",
                     method};
    if (result == z3::unknown) {
      if (budget.exhausted()) return Outcome::unknown(Property::injective, budget.exhaustion_reason(), method);
      return Outcome::unknown(Property::injective, "Z3 gave up: " + solver.reason_unknown(), method);
    }
    z3::model model = solver.get_model();
    decide::Collision c;
    for (std::size_t i = 0; i < net.input_dim; ++i) {
      c.x1.push_back(read_rational(model.eval(x1[i], true)));
      c.x2.push_back(read_rational(model.eval(x2[i], true)));
    }
    c.y = net::evaluate(net, c.x1);
    return Outcome{Property::injective, Verdict::violated, std::move(c),
                   "Z3 found two distinct inputs with the same output (re-checked exactly)", method};
  } catch (const z3::exception& e) {
    if (budget.exhausted()) return Outcome::unknown(Property::injective, budget.exhaustion_reason(), method);
    return Outcome::unknown(Property::injective, std::string("Z3 error: ") + e.msg(), method);
  }
}

}  // namespace nninv::smt
