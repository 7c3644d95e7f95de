// Watchdogs of a command-line run: Ctrl-C / SIGTERM, --memory-limit and the
// hard stop that keeps the promise of --timeout when a solver does not look
// at its interrupt flag in time.
#pragma once

#include <atomic>
#include <chrono>
#include <iostream>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "nninv/decide/budget.hpp"
#include "nninv/errors.hpp"

namespace nninv::cli {

extern std::atomic<bool> interrupted;      // raised by SIGINT / SIGTERM and by the memory watch
extern std::atomic<bool> memory_exceeded;  // raised (with interrupted) past --memory-limit
extern std::atomic<bool> answered;         // set by whoever prints the answer first: the run or the hard stop

extern "C" void on_signal(int);

// Resident memory of this process in MiB (Linux /proc), 0 when unknown.
double resident_mib();

// --memory-limit: a watcher samples the resident size every 2 ms and, past
// the limit, raises the cancel flag, which stops Z3 (through the solver
// watchdog) and every search loop; the answer is unknown, reason "memory
// limit". (RLIMIT_AS would make GMP abort instead of answering.)
class MemoryWatch {
 public:
  explicit MemoryWatch(std::optional<double> limit_mib) {
    if (!limit_mib) return;
    thread_ = std::thread([this, limit = *limit_mib] {
      while (!done_.load()) {
        if (resident_mib() > limit) {
          memory_exceeded.store(true);
          interrupted.store(true);
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  }
  ~MemoryWatch() {
    done_.store(true);
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Z3 looks for an interrupt only at its own check points; on a very large
// query it may not look for minutes. The hard stop keeps the promise of
// --timeout, --memory-limit and Ctrl-C anyway: at 8 % + 0.1 s past the
// deadline, or 1 s after an interrupt, if the run has not answered, it prints
// the unknown answer itself and ends the process with exit 2. Output files
// are written atomically, so ending the process leaves none half-written.
class HardStop {
 public:
  using Render = std::function<void(const std::string& reason, const std::string& stage, double seconds)>;

  HardStop(const decide::Budget& budget, std::optional<double> timeout, Render render) : render_(std::move(render)) {
    thread_ = std::thread([this, &budget, timeout] {
      std::optional<double> interrupted_at;
      while (!done_.load()) {
        double now = budget.elapsed_seconds();
        std::string reason;
        if (interrupted.load() && !interrupted_at) interrupted_at = now;
        if (interrupted_at && now > *interrupted_at + 1.0)
          reason = memory_exceeded.load() ? "memory limit" : "interrupted";
        else if (timeout && now > *timeout * 1.08 + 0.1)
          reason = "timeout";
        if (!reason.empty()) {
          if (answered.exchange(true)) return;  // the run has its verdict and is writing it
          render_(reason + " (the solver did not stop in time; nninv stopped it)", stage(), now);
          std::cout.flush();
          std::_Exit(exit_code::unknown);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~HardStop() {
    done_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  void enter(const std::string& stage) {
    std::lock_guard<std::mutex> lock(mutex_);
    stage_ = stage;
  }

 private:
  std::string stage() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stage_;
  }
  Render render_;
  std::mutex mutex_;
  std::string stage_ = "loading";
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Called once the verdict is known and before any file is written: from here
// on the hard stop stays quiet, so the certificate, the report and stdout
// always tell the same verdict. If the hard stop has already begun printing,
// it ends the process; wait for that.
void claim_answer();

}  // namespace nninv::cli
