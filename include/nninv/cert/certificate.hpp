// The certificate data model (docs/certificates.md): a versioned JSON object
// that binds a verdict to one exact network (by hash) and carries the data a
// reviewer needs to re-check it without trusting nninv's search or Z3.
// Shared by the producer (src/decide) and the independent checker (src/check).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "nninv/arith/matrix.hpp"
#include "nninv/net/network.hpp"

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

// Exact JSON forms: numbers as "p/q" strings.
nlohmann::json to_json(const arith::Vector& v);
nlohmann::json to_json(const arith::Matrix& m);
// Throw std::runtime_error naming `what` when the JSON is not of that form.
arith::Vector vector_from_json(const nlohmann::json& j, const std::string& what);
arith::Matrix matrix_from_json(const nlohmann::json& j, const std::string& what);

}  // namespace nninv::cert
