// Budgeted Z3 checks: timeout parameter plus an interrupting watchdog thread
// (Z3_interrupt is meant to be called from another thread).
#include "solve.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace nninv::smt {
namespace {

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

SolveResult check_within(z3::solver& solver, const decide::Budget& budget, std::optional<double> cap_seconds) {
  if (budget.exhausted()) return {z3::unknown, budget.exhaustion_reason()};
  std::optional<double> limit = budget.remaining_seconds();
  if (cap_seconds) limit = limit ? std::min(*limit, *cap_seconds) : *cap_seconds;
  z3::params p(solver.ctx());
  // Z3 would otherwise install its own SIGINT handler during check() and
  // swallow Ctrl-C; nninv's handler raises the budget's flag and the
  // watchdog interrupts Z3.
  p.set("ctrl_c", false);
  if (limit) p.set("timeout", static_cast<unsigned>(std::max(1.0, *limit * 1000)));
  solver.set(p);
  try {
    z3::check_result status;
    {
      Watchdog watchdog(solver.ctx(), budget);
      status = solver.check();
    }
    if (status != z3::unknown) return {status, ""};
    if (budget.exhausted()) return {z3::unknown, budget.exhaustion_reason()};
    std::string why = solver.reason_unknown();
    if (why == "timeout" || why == "canceled") why = "timeout";
    return {z3::unknown, why};
  } catch (const z3::exception& e) {
    if (budget.exhausted()) return {z3::unknown, budget.exhaustion_reason()};
    return {z3::unknown, std::string("Z3 error: ") + e.msg()};
  }
}

}  // namespace nninv::smt
