// "coherent_orientation" (docs/certificates.md; the argument in
// docs/architecture.md, "Coherent orientation"). The certificate carries
// "recession_degree" evidence, checked as such (degree_check.cpp), whose
// degree must be +1 or -1, and a tree of phase splits of f on R^n. At every
// fully fixed leaf this file recomputes the map A of f on the leaf's region
// and requires sign det A = the degree's sign, or else Farkas multipliers
// for the leaf's rows made strict (no interior point: the region is thin).
// f is then proper, of degree +-1, with every preimage of local index of
// the degree's sign and size >= 1: one preimage per point.
#include "orientation_check.hpp"

#include "degree_check.hpp"
#include "nninv/cert/path_system.hpp"
#include "read.hpp"
#include "trees.hpp"

namespace nninv::check::detail {

using arith::Constraint;
using arith::Matrix;
using arith::Rational;
using arith::Relation;
using arith::Vector;
using nlohmann::json;

namespace {

const std::string step = "coherent orientation";

}  // namespace

std::string check_coherent_orientation(const net::Network& net, const json& e, std::vector<std::string>& steps) {
  require(net.domain.is_everything() && net.output_dim() == net.input_dim && net.input_dim > 0, "square on R^n",
          "needs X = R^n and m = n");
  const std::size_t n = net.input_dim;
  const json& recession = field(e, "recession", step);
  require(recession.is_object() && recession.value("kind", "") == "recession_degree", step,
          "\"recession\" is not recession_degree evidence");
  check_recession_degree(net, recession, steps);
  const long degree = recession.at("degree").get<long>();  // equal to the recount, or the step above failed
  require(degree == 1 || degree == -1, step, "the degree is " + std::to_string(degree) + ", not +1 or -1");
  const int sign = field(e, "sign", step).is_number_integer() ? e.at("sign").get<int>() : 0;
  require(sign == degree, step, "the orientation differs from the degree's sign");

  std::size_t oriented = 0, thin = 0;
  TreeStats stats;
  auto leaf = [&](const json& node, const cert::PathSystem& ps, const std::string& where) {
    require(node.is_object(), step, where + ": leaf is not an object");
    Matrix a(n, n);
    for (std::size_t k = 0; k < n; ++k)
      for (std::size_t j = 0; j < n; ++j) a(k, j) = ps.output(0, k).coeffs[j];
    Rational det = arith::determinant(a);
    int s = det > 0 ? 1 : det < 0 ? -1 : 0;
    require(node.contains("sign") && node.at("sign") == s, step, where + ": the sign is not that of det A");
    if (s == sign) {
      ++oriented;
      return;
    }
    farkas_leaf(field(node, "thin", step), strict_system(ps.constraints()), step, where + "/thin", stats);
    ++thin;
  };
  walk(field(e, "tree", step), cert::PathSystem(net, 1, stable_phases(e)), "region tree", 0, stats, leaf);
  steps.push_back("coherent orientation: " + std::to_string(oriented) + " regions with det of sign " +
                  (sign > 0 ? "+" : "-") + ", " + std::to_string(thin) + " thin ones, " +
                  std::to_string(stats.nodes) + " nodes, " + std::to_string(stats.leaves) + " Farkas leaves");
  return "f is proper with Brouwer degree " + std::to_string(degree) +
         " and every linear region with an interior keeps its orientation, so every point has one preimage: f "
         "is a PL homeomorphism of R^n, injective";
}

}  // namespace nninv::check::detail
