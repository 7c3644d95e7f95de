// Shared helpers of the import tests: where the real networks are, exact
// network comparison, layer shapes.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "nninv/net/network.hpp"

namespace import_test {

inline std::filesystem::path nets_dir() { return NNINV_SHARED_NETS; }

// Real-network tests return early (CTest reports them skipped) when the
// shared networks are not beside the repository.
#define REQUIRE_SHARED_NETS()                                                           \
  do {                                                                                  \
    if (!std::filesystem::is_directory(import_test::nets_dir())) {                      \
      WARN("SKIPPED: shared nets folder absent: " << import_test::nets_dir().string()); \
      return;                                                                           \
    }                                                                                   \
  } while (false)

inline bool same_box(const nninv::net::Box& a, const nninv::net::Box& b) {
  if (a.dim() != b.dim()) return false;
  for (std::size_t i = 0; i < a.dim(); ++i)
    if (a.sides[i].lower != b.sides[i].lower || a.sides[i].upper != b.sides[i].upper) return false;
  return true;
}

inline bool same_layer(const nninv::net::Layer& a, const nninv::net::Layer& b) {
  using namespace nninv::net;
  if (a.index() != b.index()) return false;
  if (const auto* d = std::get_if<Dense>(&a)) {
    const auto& e = std::get<Dense>(b);
    return d->weights == e.weights && d->bias == e.bias;
  }
  if (const auto* l = std::get_if<LeakyRelu>(&a)) return l->alpha == std::get<LeakyRelu>(b).alpha;
  return true;
}

// Exact equality of everything a network file states.
inline bool same_network(const nninv::net::Network& a, const nninv::net::Network& b) {
  if (a.name != b.name || a.input_dim != b.input_dim || a.layers.size() != b.layers.size()) return false;
  if (!same_box(a.domain, b.domain) || !same_box(a.codomain, b.codomain)) return false;
  for (std::size_t k = 0; k < a.layers.size(); ++k)
    if (!same_layer(a.layers[k], b.layers[k])) return false;
  return true;
}

// "dense 50x5, relu, dense 5x50" style summary, for readable failures.
inline std::string layer_summary(const nninv::net::Network& n) {
  std::string s;
  for (const auto& layer : n.layers) {
    if (!s.empty()) s += ", ";
    s += nninv::net::layer_type_name(layer);
    if (const auto* d = std::get_if<nninv::net::Dense>(&layer)) {
      s += ' ';
      s += std::to_string(d->weights.rows());
      s += 'x';
      s += std::to_string(d->weights.cols());
    }
  }
  return s;
}

}  // namespace import_test
