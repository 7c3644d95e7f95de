// Shared by the decision-procedure unit tests: an exact check of a claimed
// collision, and JSON text for small integer weight matrices.
#pragma once

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "nninv/decide/pipeline.hpp"

namespace nninv::test {

// The procedure found a collision, and it passes an exact check made here.
inline void require_checked_collision(const net::Network& n, const decide::Outcome& o) {
  REQUIRE(o.verdict == decide::Verdict::violated);
  REQUIRE(o.collision);
  const decide::Collision& c = *o.collision;
  CHECK(c.x1 != c.x2);
  CHECK(n.domain.contains(c.x1));
  CHECK(n.domain.contains(c.x2));
  CHECK(net::evaluate(n, c.x1) == c.y);
  CHECK(net::evaluate(n, c.x2) == c.y);
  CHECK(decide::check_collision(n, c).empty());
}

inline std::string vector_json(const std::vector<long>& v) {
  std::ostringstream out;
  out << "[";
  for (std::size_t i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v[i];
  out << "]";
  return out.str();
}

inline std::string matrix_json(const std::vector<std::vector<long>>& m) {
  std::string out = "[";
  for (std::size_t i = 0; i < m.size(); ++i) out += (i ? ", " : "") + vector_json(m[i]);
  return out + "]";
}

}  // namespace nninv::test
