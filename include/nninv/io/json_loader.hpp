// Network files in nninv's JSON format (FORMAT.md section 1) -> net::Network.
// Numbers are read from their original text, so 0.1 is exactly 1/10.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nninv/net/model.hpp"

namespace nninv::io {

// Files larger than this are refused before parsing.
inline constexpr std::size_t max_file_bytes = 256u << 20;
// Arrays and objects nested deeper than this are refused (the format needs 4).
inline constexpr std::size_t max_nesting_depth = 32;

// Reads and validates `path`. Throws CannotOpenInput (missing, directory,
// unreadable) or InputError ("<file>: <pointer>: <problem>"). Harmless
// oddities (unknown keys) are appended to *warnings when it is given.
net::Network load_network(const std::filesystem::path& path, std::vector<std::string>* warnings = nullptr);

// Same, from text already in memory; `source` names it in messages.
net::Network parse_network(std::string_view text, const std::string& source,
                           std::vector<std::string>* warnings = nullptr);

// The same, keeping smooth activations (tanh, sigmoid, elu, softplus) and a
// classifier head (softmax, log_softmax, argmax), which the two above refuse.
net::Model load_json_model(const std::filesystem::path& path, std::vector<std::string>* warnings = nullptr);
net::Model parse_model(std::string_view text, const std::string& source, std::vector<std::string>* warnings = nullptr);

}  // namespace nninv::io
