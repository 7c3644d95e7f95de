// Reading certificate fields inside a checker step: a missing or malformed
// field fails that step (StepFailed) with the field named.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "nninv/cert/certificate.hpp"
#include "step.hpp"

namespace nninv::check::detail {

inline const nlohmann::json& field(const nlohmann::json& j, const char* key, const std::string& step) {
  if (!j.is_object() || !j.contains(key)) fail(step, std::string("missing field \"") + key + "\"");
  return j.at(key);
}

inline arith::Rational read_rational(const nlohmann::json& j, const char* key, const std::string& step) {
  const nlohmann::json& v = field(j, key, step);
  if (!v.is_string()) fail(step, std::string(key) + " is not an exact number string");
  try {
    return arith::parse_rational(v.get<std::string>());
  } catch (const std::exception&) {
    fail(step, std::string(key) + " is not an exact number: \"" + v.get<std::string>() + "\"");
  }
}

// j[key] as a vector of `size` exact numbers.
inline arith::Vector read_vector(const nlohmann::json& j, const char* key, std::size_t size, const std::string& step) {
  arith::Vector v;
  try {
    v = cert::vector_from_json(field(j, key, step), key);
  } catch (const std::runtime_error& e) {
    fail(step, e.what());
  }
  require(v.size() == size, step,
          std::string(key) + " has " + std::to_string(v.size()) + " entries, expected " + std::to_string(size));
  return v;
}

// The value m as a matrix of exact numbers (`what` names it in errors).
inline arith::Matrix read_matrix(const nlohmann::json& m, const std::string& what, const std::string& step) {
  try {
    return cert::matrix_from_json(m, what);
  } catch (const std::runtime_error& e) {
    fail(step, e.what());
  }
}

}  // namespace nninv::check::detail
