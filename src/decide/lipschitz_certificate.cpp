// The certificate of `nninv lipschitz` (docs/certificates.md, "Lipschitz
// bounds"): the two claimed bounds, the data behind each (layer factors with
// their left inverses, or K with q and ||K||) and the attaining pairs.
#include "nninv/cert/certificate.hpp"
#include "nninv/decide/pipeline.hpp"

namespace nninv::decide {

namespace {

nlohmann::json factors_json(const std::vector<analysis::LayerFactor>& factors) {
  nlohmann::json list = nlohmann::json::array();
  for (const analysis::LayerFactor& f : factors) {
    nlohmann::json j{{"layer", f.layer}, {"bound", arith::to_string(f.bound)}};
    if (f.left_inverse) j["left_inverse"] = cert::to_json(*f.left_inverse);
    list.push_back(std::move(j));
  }
  return list;
}

nlohmann::json pair_json(const std::optional<std::pair<arith::Vector, arith::Vector>>& p) {
  return nlohmann::json::array({cert::to_json(p->first), cert::to_json(p->second)});
}

}  // namespace

nlohmann::json certificate(const net::Network& net, const analysis::LipschitzResult& r) {
  const analysis::LipschitzEvidence& ev = r.evidence;
  nlohmann::json upper{{"kind", ev.upper_source}};
  if (ev.upper_source == "region_tree") upper = ev.region_tree;
  if (ev.upper_source == "layer_product") upper["factors"] = factors_json(ev.upper_factors);
  if (ev.upper_c) upper["c"] = arith::to_string(*ev.upper_c);
  nlohmann::json lower{{"kind", ev.lower_source}};
  if (ev.lower_source == "layer_composition") lower["factors"] = factors_json(ev.lower_factors);
  if (ev.lower_source == "blocks") lower["blocks"] = ev.blocks;
  if (ev.lower_source == "jacobian_k") {
    lower["k"] = cert::to_json(*ev.k);
    lower["q"] = arith::to_string(ev.q);
    lower["k_norm"] = arith::to_string(ev.k_norm);
  }
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& pair : ev.pairs) pairs.push_back({pair[0], pair[1], pair[2]});
  if (ev.upper_source == "enclosure") upper["pairs"] = pairs;
  if (ev.lower_source == "jacobian_k") lower["pairs"] = pairs;
  nlohmann::json c = cert::certificate_header(net, "lipschitz");
  c["norm"] = analysis::to_string(r.norm);
  c["upper"] = arith::to_string(r.upper);
  c["inverse_lower"] = arith::to_string(r.inverse_lower);
  c["method"] = std::string("upper: ").append(r.upper_method).append(". inverse_lower: ").append(r.lower_method);
  c["evidence"] = {{"upper", upper}, {"inverse_lower", lower}};
  if (r.upper_exact) c["evidence"]["upper"]["attained"] = pair_json(r.upper_attained);
  if (r.inverse_lower_exact) c["evidence"]["inverse_lower"]["attained"] = pair_json(r.lower_attained);
  return c;
}

}  // namespace nninv::decide
