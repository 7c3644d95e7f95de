// net::Network -> nninv's JSON format (FORMAT.md section 1), exactly: every
// number is an integer or an exact "p/q" string, so reading the text back
// with parse_network gives the same network. Used by `nninv convert`.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "nninv/net/model.hpp"

namespace nninv::io {

// An output file could not be written (disk full, no permission, missing
// folder). Nothing is left behind at the destination when it is thrown.
class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The network as JSON text: name (when not empty), input_dim, domain and
// codomain (when not all of R^n / R^m), layers; one weight row per line.
// Integers of at most 15 digits are JSON numbers; every other value is a
// string "p/q" or "-p" (exact, and safe from readers that use doubles).
std::string to_json_text(const net::Network& network);
// With smooth activations and a head as the layer types of the same names.
std::string to_json_text(const net::Model& model);

// Writes `text` to a hidden temporary file in the folder of `path`, flushes
// it to disk and renames it over `path`: the name shows either the old file
// or the complete new one, never a partial file (a SIGKILL can leave only
// the hidden ".NAME.tmp-XXXXXX"). Throws WriteError ("<path>: <why>").
void write_text_atomically(const std::filesystem::path& path, const std::string& text);
// Throws WriteError, naming the path, when write_text_atomically could not
// write there (a folder, a missing folder, no permission): checked before a
// long run rather than after it. Leaves nothing behind.
void check_writable(const std::filesystem::path& path);

// Writes to_json_text(network) to a temporary file in the folder of `path`
// and renames it over `path`, so that a failure never leaves a partial file.
// Throws WriteError ("<path>: <why>").
void write_network(const net::Network& network, const std::filesystem::path& path);
void write_network(const net::Model& model, const std::filesystem::path& path);

}  // namespace nninv::io
