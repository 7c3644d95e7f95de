// Results for people (text) and for scripts (--json, FORMAT.md sections 3-4).
// Every number of a witness is printed as an exact rational.
#pragma once

#include <filesystem>
#include <string>

#include "nninv/decide/bijective.hpp"
#include "nninv/decide/outcome.hpp"
#include "nninv/net/model.hpp"

namespace nninv::report {

// "(1/2, -3)"
std::string format_vector(const arith::Vector& v);
// "(0.0637207, -1.5e+20)": each entry rounded to `digits` significant
// decimal digits, for reading; the exact value stays in format_vector.
std::string decimal_vector(const arith::Vector& v, int digits = 6);
// True when some entry's exact text is longer than `width` characters, so
// text output adds the decimal view next to it.
bool needs_decimal_view(const arith::Vector& v, std::size_t width = 24);

// One property: verdict, witness, reason, method, time (several lines).
std::string to_text(const net::Network& net, const decide::Outcome& outcome, double time_seconds);
// The same for a model (smooth activations, a head: Y named as labels for argmax).
std::string to_text(const net::Model& model, const decide::Outcome& outcome, double time_seconds);
// One JSON object on one line (FORMAT.md section 3).
std::string to_json(const decide::Outcome& outcome, double time_seconds);

using decide::Part;
// Bijective (or "invertible", the same question in the user's words): the
// three parts with their own evidence, and the combined verdict. For
// "invertible" the text starts with a line "invertible: yes|no|unknown: why".
std::string bijective_text(const net::Network& net, const decide::BijectiveOutcome& outcome, double time_seconds,
                           const std::string& property = "bijective");
std::string bijective_text(const net::Model& model, const decide::BijectiveOutcome& outcome, double time_seconds,
                           const std::string& property = "bijective");
std::string bijective_json(const decide::BijectiveOutcome& outcome, double time_seconds,
                           const std::string& property = "bijective");

// `nninv invert` (FORMAT.md section 4).
std::string invert_text(const decide::InvertOutcome& outcome, double time_seconds);
std::string invert_json(const decide::InvertOutcome& outcome, double time_seconds);

// Writes `content` to a temporary file in the target's folder and renames it
// over `path`, so a failure or a kill never leaves a partial file under that
// name. Throws CannotWriteOutput naming the path.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace nninv::report
