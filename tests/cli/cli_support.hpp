// Shared by the cli tier's test files: the real nninv binary in a child
// process (exit code, stdout, stderr, wall time), scratch folders, and the
// exact checks of a --json result.
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "nninv/arith/rational.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/net/network.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const fs::path source_dir = NNINV_SOURCE_DIR;
const fs::path bad_input_dir = source_dir / "tests" / "bad_input";
const fs::path examples_dir = source_dir / "examples";
// Random-weight ReLU net R^8 -> R^32 -> R^32 -> R^16 (seed 2, integer weights
// in [-9, 9]) on all of R^8, whose first 16 rows are +-e_j with bias 0 (so
// its first layer is injective and the one-copy query of that layer, which
// found a collision of the all-random version, cannot end the run): no cheap
// criterion applies, the local-rank search finds nothing, and Z3 does not
// settle the twin encoding within minutes.
const fs::path hard_network = source_dir / "tests" / "cli" / "data" / "hard_relu.json";

// A scratch folder, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "nninv-cli-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& content) const {
    fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A running nninv (or another binary, such as NNINV_CHECK_BINARY); stdout
// and stderr go to files in its own temp dir.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args, std::string binary = NNINV_BINARY) {
    out_path_ = dir_.path() / "stdout";
    err_path_ = dir_.path() / "stderr";
    start_ = Clock::now();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int in = open("/dev/null", O_RDONLY);
      if (out < 0 || err < 0 || in < 0) _exit(127);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      std::vector<char*> argv;
      argv.push_back(binary.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  void signal(int sig) const { kill(pid_, sig); }

  // Waits at most `limit` seconds; a child still running then is killed and
  // reported with exit code -1.
  void wait(double limit = 120) {
    auto deadline = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit));
    int status = 0;
    while (true) {
      struct rusage usage {};
      pid_t r = wait4(pid_, &status, WNOHANG, &usage);
      if (r == pid_) {
        peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
        break;
      }
      if (Clock::now() >= deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        status = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    end_ = Clock::now();
    reaped_ = true;
    if (status == -1)
      exit_code = -1;
    else if (WIFEXITED(status))
      exit_code = WEXITSTATUS(status);
    else
      exit_code = 128 + WTERMSIG(status);
    out = read_file(out_path_);
    err = read_file(err_path_);
  }
  double seconds_since(Clock::time_point t) const { return std::chrono::duration<double>(end_ - t).count(); }
  double seconds() const { return seconds_since(start_); }

  int exit_code = -1;
  std::string out, err;
  double peak_mib = 0;  // the child's peak resident size (wait4), 0 if it was killed

 private:
  TempDir dir_;
  fs::path out_path_, err_path_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  Clock::time_point start_, end_;
};

struct Result {
  int exit_code;
  std::string out, err;
  double seconds;
  double peak_mib;
};

Result run(const std::vector<std::string>& args, double limit = 120) {
  Child c(args);
  c.wait(limit);
  return {c.exit_code, c.out, c.err, c.seconds(), c.peak_mib};
}

// nninv-check NETWORK CERTIFICATE.
[[maybe_unused]] Result run_check(const fs::path& network, const fs::path& certificate) {
  Child c({network.string(), certificate.string()}, NNINV_CHECK_BINARY);
  c.wait(120);
  return {c.exit_code, c.out, c.err, c.seconds(), c.peak_mib};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// "3", "-7/2": canonical exact rationals as FORMAT.md section 3 writes them.
bool is_exact_rational(const json& j) {
  static const std::regex exact("-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?");
  if (!j.is_string() || !std::regex_match(j.get<std::string>(), exact)) return false;
  nninv::arith::Rational q = nninv::arith::parse_rational(j.get<std::string>());
  return nninv::arith::to_string(q) == j.get<std::string>();  // canonical: no "2/4", no "-0"
}

nninv::arith::Vector exact_vector(const json& j) {
  nninv::arith::Vector v;
  for (const auto& e : j) v.push_back(nninv::arith::parse_rational(e.get<std::string>()));
  return v;
}

// The --json object of FORMAT.md section 3 for the injectivity question, and
// its agreement with the exit code; a violated verdict's witness is
// re-evaluated here in exact arithmetic.
[[maybe_unused]] void check_injective_json(const fs::path& network, const Result& r) {
  INFO("stdout: " << r.out);
  REQUIRE(count_lines(r.out) == 1);
  json j = json::parse(r.out);  // throws (and fails the test) if not JSON
  REQUIRE(j.is_object());
  CHECK(j.value("property", "") == "injective");
  REQUIRE(j.contains("verdict"));
  std::string verdict = j.at("verdict").get<std::string>();
  CHECK((verdict == "holds" || verdict == "violated" || verdict == "unknown"));
  CHECK(r.exit_code == (verdict == "holds" ? 0 : verdict == "violated" ? 1 : 2));
  REQUIRE(j.contains("reason"));
  CHECK(j.at("reason").is_string());
  CHECK(!j.at("reason").get<std::string>().empty());
  REQUIRE(j.contains("method"));
  CHECK(j.at("method").is_string());
  REQUIRE(j.contains("time_seconds"));
  CHECK(j.at("time_seconds").is_number());
  CHECK(j.at("time_seconds").get<double>() >= 0);
  if (verdict != "violated") {
    CHECK(!j.contains("witness"));
    return;
  }
  REQUIRE(j.contains("witness"));
  const json& w = j.at("witness");
  nninv::net::Network net = nninv::io::load_network(network);
  for (const char* key : {"x1", "x2", "y"}) {
    INFO("witness." << key);
    REQUIRE(w.contains(key));
    REQUIRE(w.at(key).is_array());
    CHECK(w.at(key).size() == (std::string(key) == "y" ? net.output_dim() : net.input_dim));
    for (const auto& e : w.at(key)) CHECK(is_exact_rational(e));
  }
  nninv::arith::Vector x1 = exact_vector(w.at("x1")), x2 = exact_vector(w.at("x2")), y = exact_vector(w.at("y"));
  REQUIRE(x1.size() == net.input_dim);
  REQUIRE(x2.size() == net.input_dim);
  CHECK(x1 != x2);
  CHECK(net.domain.contains(x1));
  CHECK(net.domain.contains(x2));
  CHECK(nninv::net::evaluate(net, x1) == y);
  CHECK(nninv::net::evaluate(net, x2) == y);
}

}  // namespace
