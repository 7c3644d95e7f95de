#include "trees.hpp"

#include <stdexcept>

namespace nninv::check::detail {

using nlohmann::json;

arith::Vector read_multipliers(const json& sparse, std::size_t size, const std::string& step,
                               const std::string& where) {
  require(sparse.is_object(), step, where + ": multipliers are not an object");
  arith::Vector m(size);
  for (const auto& [index, value] : sparse.items()) {
    try {
      std::size_t k = std::stoul(index);
      require(k < size && std::to_string(k) == index, step, where + ": multiplier index " + index + " out of range");
      m[k] = arith::parse_rational(value.get<std::string>());
    } catch (const std::logic_error&) {
      fail(step, where + ": malformed multiplier " + index);
    } catch (const arith::NumberSyntaxError&) {
      fail(step, where + ": malformed multiplier " + index);
    }
  }
  return m;
}

void farkas_leaf(const json& node, const std::vector<arith::Constraint>& system, const std::string& step,
                 const std::string& where, TreeStats& stats) {
  arith::Vector m = read_multipliers(field(node, "farkas", step), system.size(), step, where);
  std::string why;
  require(cert::verify_farkas(system, m, &why), step, where + ": " + why);
  ++stats.leaves;
}

bool stable_phases(const json& e) {
  if (!e.contains("stable_phases")) return false;
  require(e.at("stable_phases") == "interval_bounds", "proof tree", "unknown stable_phases rule");
  return true;
}

}  // namespace nninv::check::detail
