// Results for people (text) and for scripts (--json, FORMAT.md sections 3-4).
// Every number of a witness is printed as an exact rational.
#pragma once

#include <filesystem>
#include <string>

#include "nninv/decide/outcome.hpp"
#include "nninv/net/network.hpp"

namespace nninv::report {

// "(1/2, -3)"
std::string format_vector(const arith::Vector& v);

// One property: verdict, witness, reason, method, time (several lines).
std::string to_text(const net::Network& net, const decide::Outcome& outcome, double time_seconds);
// One JSON object on one line (FORMAT.md section 3).
std::string to_json(const decide::Outcome& outcome, double time_seconds);

struct Part {
  decide::Outcome outcome;
  double time_seconds = 0;
};
// Bijective: both parts with their own evidence, and the combined verdict.
std::string bijective_text(const net::Network& net, const Part& injective, const Part& surjective);
std::string bijective_json(const Part& injective, const Part& surjective);

// `nninv invert` (FORMAT.md section 4).
std::string invert_text(const decide::InvertOutcome& outcome, double time_seconds);
std::string invert_json(const decide::InvertOutcome& outcome, double time_seconds);

// Writes `content` to a temporary file in the target's folder and renames it
// over `path`, so a failure or a kill never leaves a partial file under that
// name. Throws CannotWriteOutput naming the path.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace nninv::report
