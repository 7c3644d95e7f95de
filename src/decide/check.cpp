// The mandatory exact re-check of every witness before it leaves the pipeline.
#include "nninv/analysis/bounds.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/errors.hpp"
#include "nninv/smt/image_encoding.hpp"
#include "procedures.hpp"

namespace nninv::decide {

const char* to_string(Property p) {
  switch (p) {
    case Property::injective: return "injective";
    case Property::surjective: return "surjective";
    default: return "into";
  }
}

const char* to_string(InvertVerdict v) {
  switch (v) {
    case InvertVerdict::found: return "found";
    case InvertVerdict::none: return "none";
    default: return "unknown";
  }
}

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

namespace {

// Every point within inf-distance r of y lies outside the interval bounds of
// the outputs on X: an exact proof that the box around y is not reached.
bool outside_output_bounds(const net::Network& net, const Unreached& u) {
  arith::Rational r = u.radius.value_or(arith::Rational(0));
  std::vector<net::Interval> out = analysis::interval_bounds(net).back();
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i].upper && u.y[i] - r > *out[i].upper) return true;
    if (out[i].lower && u.y[i] + r < *out[i].lower) return true;
  }
  return false;
}

}  // namespace

std::string check_unreached(const net::Network& net, const Unreached& u, const Budget& budget) {
  if (u.y.size() != net.output_dim()) return "y has the wrong dimension";
  if (!net.codomain.contains(u.y)) return "y lies outside the codomain";
  if (u.radius && *u.radius <= 0) return "the radius is not positive";
  if (outside_output_bounds(net, u)) return "";
  smt::PreimageResult r = smt::find_preimage(net, u.y, budget, u.radius);
  if (r.status == smt::Preimage::none) return "";
  if (r.status == smt::Preimage::unknown) return "unconfirmed: " + r.reason;
  return "a preimage query found x in X with f(x) within the claimed distance of y";
}

Outcome checker_accepted(const net::Network& net, Outcome o) {
  check::Report r = check::check_certificate(net, certificate(net, o));
  if (r.status != check::Status::certified)
    throw InternalError(o.method + ": nninv-check rejects the stage's own evidence: " + r.message);
  return o;
}

}  // namespace nninv::decide
