// Picks the reader for a network file: nninv JSON, ONNX or NNet, by the
// option, the extension or the first bytes. Every reader returns the same
// exact net::Network, so the decision pipeline never knows the file format.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nninv/net/model.hpp"

namespace nninv::io {

enum class Format { json, onnx, nnet, automatic };

// "json", "onnx", "nnet", "auto"; throws UsageError for anything else.
Format parse_format(std::string_view name);
std::string format_name(Format format);

// The format `automatic` would choose for `path`: the extension (.json, .onnx,
// .nnet, any case) if it is one of those, else the content: '{' after spaces
// is JSON, "//" or a line of numbers and commas is NNet, anything else ONNX.
// Throws CannotOpenInput when the content has to be read and cannot be.
Format detect_format(const std::filesystem::path& path);

// Size limits of the networks nninv analyses (docs/user-guide.md, "Limits"):
// exact analysis builds dense rational matrices as wide as the layers, so
// larger networks are refused when they are read, not attempted.
inline constexpr std::size_t max_neurons = std::size_t{1} << 20;  // input_dim + all layer output widths
inline constexpr std::size_t max_weights = std::size_t{1} << 26;  // entries of all dense weight matrices

// InputError naming the first layer at which `net` exceeds max_neurons or
// max_weights.
void check_size_limits(const net::Network& net, const std::filesystem::path& path);

// Reads `path` in `format` (automatic: detect_format), then checks the size
// limits. Throws CannotOpenInput
// (missing, directory, unreadable) or InputError ("<file>: <where>: <what>").
// Harmless oddities are appended to *warnings when it is given.
net::Network load_model(const std::filesystem::path& path, Format format = Format::automatic,
                        std::vector<std::string>* warnings = nullptr);

// The same, keeping what is not piecewise linear (net/model.hpp): smooth
// activations and a classifier head, which the property commands decide by
// src/decide/model.cpp. NNet files are always piecewise linear.
net::Model load_full_model(const std::filesystem::path& path, Format format = Format::automatic,
                           std::vector<std::string>* warnings = nullptr);

// model.net when the model is piecewise linear; otherwise InputError
// "<source>: <where>: ..." naming the first smooth activation or the head and
// the commands that read it.
net::Network require_piecewise_linear(net::Model model, const std::string& source);

// The whole content of an input file, for the readers. Throws CannotOpenInput
// (missing, directory, unreadable) or InputError when it is larger than
// max_file_bytes.
std::string read_input_file(const std::filesystem::path& path);

}  // namespace nninv::io
