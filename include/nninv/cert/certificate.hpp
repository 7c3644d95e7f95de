// The certificate data model (docs/certificates.md): a versioned JSON object
// that binds a verdict to one exact network (by hash) and carries the data a
// reviewer needs to re-check it without trusting nninv's search or Z3.
// Shared by the producer (src/decide) and the independent checker (src/check).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "nninv/arith/matrix.hpp"
#include "nninv/net/model.hpp"

namespace nninv::cert {

inline constexpr const char* format_name = "nninv-certificate";
inline constexpr int format_version = 1;

// A canonical text of the exact network (layers, weights, boxes; numbers as
// reduced p/q), independent of the file's formatting, and its SHA-256.
std::string canonical_text(const net::Network& net);
std::string network_sha256(const net::Network& net);

// The fields every certificate starts with: format, version, tool, the
// network (name, sha256, dimensions) and the property it is about.
nlohmann::json certificate_header(const net::Network& net, const std::string& property);

// A model's canonical text: its network's, then one line per smooth layer
// ("smooth <layer> <kind> <alpha>"), the head ("head <kind> <first|last>")
// and the model's codomain. A piecewise-linear model's text and hash are its
// network's, so certificates of such networks do not change.
std::string canonical_text(const net::Model& model);
std::string model_sha256(const net::Model& model);
// The header for a model: network hash and shape as for a network, plus
// "head" and "smooth" (the kinds, in layer order) when present.
nlohmann::json certificate_header(const net::Model& model, const std::string& property);

// Exact JSON forms: numbers as "p/q" strings.
nlohmann::json to_json(const arith::Vector& v);
nlohmann::json to_json(const arith::Matrix& m);
// Throw std::runtime_error naming `what` when the JSON is not of that form.
arith::Vector vector_from_json(const nlohmann::json& j, const std::string& what);
arith::Matrix matrix_from_json(const nlohmann::json& j, const std::string& what);

}  // namespace nninv::cert
