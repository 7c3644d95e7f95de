// Small networks for the differential tests: a seeded random generator that
// favours degenerate weights, a few builders for hand-made nets, and a JSON
// writer (FORMAT.md section 1) so that any failing net can be kept as a
// regression file.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv_test {

// Raw std::mt19937_64 outputs only: the standard distributions differ between
// standard libraries, the engine's sequence does not.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t below(std::uint64_t bound) { return engine_() % bound; }  // bound > 0
  bool chance(std::uint64_t percent) { return below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& options) {
    return options[below(options.size())];
  }

 private:
  std::mt19937_64 engine_;
};

// Random network with input_dim 1..3, 1..3 hidden activation layers holding
// at most 8 relu / leaky_relu neurons in total, usually a final dense layer of
// width 1..2n+1, weights like 0, +-1, +-2, +-1/2 with repeated, scaled and
// zero rows; sometimes biases, sometimes a box domain (bounded, half-bounded,
// pinned coordinates). The same seed gives the same network everywhere.
nninv::net::Network random_network(std::uint64_t seed);

// Builders for hand-written tests. Numbers are given as "p/q" strings or integers.
nninv::net::Dense dense(const std::vector<std::vector<nninv::arith::Rational>>& rows,
                        std::vector<nninv::arith::Rational> bias = {});
nninv::net::Network network(std::size_t input_dim, std::vector<nninv::net::Layer> layers);

// The network as FORMAT.md JSON (numbers as exact "p/q" strings).
std::string to_json(const nninv::net::Network& net);

}  // namespace nninv_test
