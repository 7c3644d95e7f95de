// libFuzzer target for whole injectivity decisions (docs/testing.md): the
// bytes decode to a tiny network (input_dim <= 2, at most 6 relu / leaky_relu
// neurons, optional box domain); decide(net, injective, Budget(5.0)) must not
// crash or throw, a violated verdict's collision must check exactly with
// net::evaluate, and a decided verdict must agree with the region-enumeration
// oracle of tests/differential/ (oracle.hpp), which shares no pipeline code.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "network_checks.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_writer.hpp"
#include "oracle.hpp"

namespace {

using nninv::arith::Matrix;
using nninv::arith::Rational;
using nninv::arith::Vector;
using nninv::net::Box;
using nninv::net::Dense;
using nninv::net::Identity;
using nninv::net::LeakyRelu;
using nninv::net::Network;
using nninv::net::Relu;

constexpr std::size_t max_input_dim = 2;
constexpr std::size_t max_nonlinear_neurons = 6;

Rational q(long p, long d = 1) {
  Rational r(p, d);
  r.canonicalize();
  return r;
}

// Small values, zero and +-1 most often, so that ties, parallel rows and
// cancellations (the hard cases for injectivity) are common.
const std::vector<Rational> weight_values = {0, 0, 0, 1, 1, -1, -1, 2, -2, q(1, 2), q(-1, 2), 3, -3, q(3, 2), q(1, 3), q(-5, 2)};
const std::vector<Rational> bias_values = {0, 0, 1, -1, 2, -2, q(1, 2), q(-1, 3)};
const std::vector<Rational> alpha_values = {q(1, 2), q(1, 3), q(1, 10), 2, 1, q(3, 2)};
const std::vector<Rational> bound_values = {0, 1, -1, 2, -2, q(1, 2), q(-1, 2), 3};

// The fuzz bytes as a stream of choices; past the end every choice is 0.
class Choices {
 public:
  Choices(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::size_t below(std::size_t bound) { return next() % bound; }  // bound > 0
  const Rational& pick(const std::vector<Rational>& values) { return values[below(values.size())]; }

 private:
  const std::uint8_t* data_;
  std::size_t size_, pos_ = 0;
};

Box decode_domain(Choices& c, std::size_t n) {
  Box box = Box::everything(n);
  if (c.below(3) == 0) return box;
  for (auto& side : box.sides) {
    std::size_t kind = c.below(5);
    Rational a = c.pick(bound_values), b = c.pick(bound_values);
    if (a > b) std::swap(a, b);
    if (kind == 1) {
      side.lower = a;
      side.upper = a == b ? b + 1 : b;
    } else if (kind == 2) {
      side.lower = a;
    } else if (kind == 3) {
      side.upper = b;
    } else if (kind == 4) {
      side.lower = side.upper = a;  // pinned
    }
  }
  return box;
}

Dense decode_dense(Choices& c, std::size_t rows, std::size_t cols) {
  Dense d{Matrix(rows, cols), Vector(rows)};
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < cols; ++k) d.weights(r, k) = c.pick(weight_values);
  if (c.next() & 1)
    for (std::size_t r = 0; r < rows; ++r) d.bias[r] = c.pick(bias_values);
  return d;
}

Network decode_network(Choices& c) {
  Network net;
  net.name = "fuzz-decide";
  net.input_dim = 1 + c.below(max_input_dim);
  const std::size_t n = net.input_dim;
  net.domain = decode_domain(c, n);
  std::size_t budget = max_nonlinear_neurons, width = n;
  const std::size_t blocks = 1 + c.below(3);
  for (std::size_t block = 0; block < blocks && budget > 0; ++block) {
    const std::uint8_t shape = c.next();
    std::size_t neurons = 1 + c.below(std::min(budget, 2 * n + 2));
    if ((shape & 0x80) && width <= budget) {
      neurons = width;  // the activation acts on the previous values directly
    } else {
      net.layers.push_back(decode_dense(c, neurons, width));
    }
    switch ((shape >> 4) & 3) {
      case 2:
        net.layers.push_back(LeakyRelu{c.pick(alpha_values)});
        break;
      case 3:
        net.layers.push_back(Relu{});
        net.layers.push_back(Identity{});
        break;
      default:
        net.layers.push_back(Relu{});
    }
    budget -= neurons;
    width = neurons;
  }
  if (c.below(8) != 0) net.layers.push_back(decode_dense(c, 1 + c.below(2 * n + 1), width));
  net.codomain = Box::everything(net.output_dim());
  return net;
}

std::string text(const Vector& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i].get_str();
  return s + ")";
}

[[noreturn]] void fail(const Network& net, const std::string& what) {
  nninv_fuzz::fail(what + "\nnetwork:\n" + nninv::io::to_json_text(net));
}

// Empty when (x1, x2) is an exact collision in the domain with image y (when
// y is given), else what fails. Uses only net::evaluate and Box::contains.
std::string collision_failure(const Network& net, const Vector& x1, const Vector& x2, const Vector* y) {
  if (x1.size() != net.input_dim || x2.size() != net.input_dim) return "a point of the wrong dimension";
  if (x1 == x2) return "x1 == x2";
  if (!net.domain.contains(x1)) return "x1 outside the domain";
  if (!net.domain.contains(x2)) return "x2 outside the domain";
  Vector f1 = nninv::net::evaluate(net, x1), f2 = nninv::net::evaluate(net, x2);
  if (f1 != f2) return "f(x1) = " + text(f1) + " != f(x2) = " + text(f2);
  if (y && *y != f1) return "y = " + text(*y) + " is not f(x1) = " + text(f1);
  return "";
}

// Verdicts and deciding procedures, printed at exit when NNINV_FUZZ_STATS is set.
struct Tally {
  long holds = 0, violated = 0, unknown = 0;
  std::map<std::string, long> methods;
  ~Tally() {
    if (!std::getenv("NNINV_FUZZ_STATS")) return;
    std::cerr << "fuzz_decide: holds " << holds << ", violated " << violated << ", unknown " << unknown << "\n";
    for (const auto& [method, count] : methods) std::cerr << "  " << count << "  " << method << "\n";
  }
} tally;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Choices choices(data, size);
  const Network net = decode_network(choices);
  if (std::string f = nninv_fuzz::invariant_failure(net); !f.empty()) fail(net, "decoder built a malformed net: " + f);

  nninv::decide::Outcome outcome;
  try {
    outcome = nninv::decide::decide(net, nninv::decide::Property::injective, nninv::decide::Budget(5.0));
  } catch (const std::exception& e) {
    fail(net, std::string("decide threw: ") + e.what());
  }

  using nninv::decide::Verdict;
  ++tally.methods[outcome.method];
  if (outcome.verdict == Verdict::unknown) {
    ++tally.unknown;
    return 0;
  }
  if (outcome.verdict == Verdict::violated) {
    ++tally.violated;
    if (!outcome.collision) fail(net, "violated without a collision (" + outcome.method + ")");
    const auto& c = *outcome.collision;
    if (std::string f = collision_failure(net, c.x1, c.x2, &c.y); !f.empty())
      fail(net, "collision from " + outcome.method + " fails the exact check: " + f);
  } else {
    ++tally.holds;
    if (outcome.collision) fail(net, "holds with a collision attached (" + outcome.method + ")");
  }

  nninv_test::OracleAnswer oracle;
  try {
    oracle = nninv_test::oracle_injective(net);
  } catch (const std::exception& e) {
    fail(net, std::string("the oracle threw (an oracle bug): ") + e.what());
  }
  if (outcome.verdict == Verdict::holds && !oracle.injective)
    fail(net, "nninv says injective (" + outcome.method + "), the oracle has the collision x1 = " +
                  text(*oracle.x1) + ", x2 = " + text(*oracle.x2));
  if (outcome.verdict == Verdict::violated && oracle.injective)
    fail(net, "nninv has an exactly checked collision (" + outcome.method +
                  ") but the oracle says injective (an oracle bug)");
  return 0;
}
