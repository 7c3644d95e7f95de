// The mandatory exact re-check of every witness before it leaves the pipeline.
#include "nninv/decide/pipeline.hpp"

namespace nninv::decide {

const char* to_string(Property p) { return p == Property::injective ? "injective" : "surjective"; }

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::holds: return "holds";
    case Verdict::violated: return "violated";
    default: return "unknown";
  }
}

std::string check_collision(const net::Network& net, const Collision& c) {
  if (c.x1.size() != net.input_dim || c.x2.size() != net.input_dim) return "a point has the wrong dimension";
  if (c.x1 == c.x2) return "x1 equals x2";
  if (!net.domain.contains(c.x1)) return "x1 lies outside the domain";
  if (!net.domain.contains(c.x2)) return "x2 lies outside the domain";
  if (net::evaluate(net, c.x1) != c.y) return "f(x1) differs from y";
  if (net::evaluate(net, c.x2) != c.y) return "f(x2) differs from y";
  return "";
}

}  // namespace nninv::decide
