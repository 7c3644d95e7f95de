// Time and cancellation shared by every decision procedure: a deadline from
// --timeout and a flag raised by SIGINT / SIGTERM.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>

namespace nninv::decide {

class Budget {
 public:
  using Clock = std::chrono::steady_clock;

  Budget() : start_(Clock::now()) {}
  // timeout_seconds <= 0 or nullopt: no deadline.
  // cancel: raised on SIGINT / SIGTERM; memory: raised (together with cancel)
  // when the process exceeds --memory-limit.
  explicit Budget(std::optional<double> timeout_seconds, const std::atomic<bool>* cancel = nullptr,
                  const std::atomic<bool>* memory = nullptr)
      : start_(Clock::now()), cancel_(cancel), memory_(memory) {
    if (timeout_seconds && *timeout_seconds > 0)
      deadline_ = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*timeout_seconds));
  }

  bool cancelled() const { return cancel_ && cancel_->load(); }
  bool timed_out() const { return deadline_ && Clock::now() >= *deadline_; }
  bool exhausted() const { return cancelled() || timed_out(); }
  // "memory limit", "interrupted" or "timeout": the reason an exhausted budget gives.
  const char* exhaustion_reason() const {
    if (memory_ && memory_->load()) return "memory limit";
    return cancelled() ? "interrupted" : "timeout";
  }
  std::optional<double> remaining_seconds() const {
    if (!deadline_) return std::nullopt;
    double left = std::chrono::duration<double>(*deadline_ - Clock::now()).count();
    return left > 0 ? left : 0;
  }
  double elapsed_seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  const std::atomic<bool>* cancel_flag() const { return cancel_; }
  const std::atomic<bool>* memory_flag() const { return memory_; }

 private:
  Clock::time_point start_;
  std::optional<Clock::time_point> deadline_;
  const std::atomic<bool>* cancel_ = nullptr;
  const std::atomic<bool>* memory_ = nullptr;
};

}  // namespace nninv::decide
