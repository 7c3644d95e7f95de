// Watchdogs of a command-line run (watchdog.hpp).
#include "watchdog.hpp"

#include <unistd.h>

#include <chrono>
#include <fstream>

namespace nninv::cli {

std::atomic<bool> interrupted{false};
std::atomic<bool> memory_exceeded{false};
std::atomic<bool> answered{false};

extern "C" void on_signal(int) { interrupted.store(true); }

double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

void claim_answer() {
  if (answered.exchange(true))
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace nninv::cli
