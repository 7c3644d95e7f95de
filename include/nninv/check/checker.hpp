// The independent certificate checker (docs/certificates.md). It links GMP,
// the network model and the JSON reader, and no solver or search code: the
// build enforces it. Every step is exact rational arithmetic.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nninv/net/model.hpp"

namespace nninv::check {

enum class Status {
  certified,      // the certificate proves its verdict for this network
  rejected,       // a step failed (named in `message`)
  not_certified,  // well-formed, but the verdict rests on a solver's word
};

struct Report {
  Status status = Status::rejected;
  std::string message;             // the first failing step, or what was proved
  std::vector<std::string> steps;  // the steps that passed, in order
};

Report check_certificate(const net::Network& net, const nlohmann::json& certificate);
// A model with smooth activations or a head (src/check/model_check.cpp); a
// piecewise-linear model is checked as its network.
Report check_certificate(const net::Model& model, const nlohmann::json& certificate);

}  // namespace nninv::check
