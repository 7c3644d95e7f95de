// Chooses the reader of a network file (option, extension, then first bytes)
// and reads files for all readers with the same CannotOpenInput rules.
#include "nninv/io/load_model.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "nninv/errors.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/io/nnet_loader.hpp"
#include "nninv/io/onnx_loader.hpp"

namespace nninv::io {
namespace {

void require_readable_file(const std::filesystem::path& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw CannotOpenInput(path.string() + ": no such file");
  if (std::filesystem::is_directory(status)) throw CannotOpenInput(path.string() + ": is a directory, expected a file");
}

// The first bytes decide: JSON objects open with '{'; NNet files open with a
// "//" comment or a line of integers and commas; ONNX is binary protobuf.
Format sniff(const std::filesystem::path& path) {
  require_readable_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CannotOpenInput(path.string() + ": cannot be opened for reading");
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  std::size_t first = head.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return Format::json;  // empty: the JSON reader says so clearly
  if (head[first] == '{') return Format::json;
  if (head.compare(first, 2, "//") == 0) return Format::nnet;
  std::size_t end = head.find('\n', first);
  std::string line = head.substr(first, end == std::string::npos ? std::string::npos : end - first);
  bool numbers = std::isdigit(static_cast<unsigned char>(line[0])) && std::all_of(line.begin(), line.end(), [](char c) {
                   return std::isdigit(static_cast<unsigned char>(c)) || c == ',' || c == ' ' || c == '\t' || c == '\r';
                 });
  return numbers ? Format::nnet : Format::onnx;
}

}  // namespace

Format parse_format(std::string_view name) {
  if (name == "json") return Format::json;
  if (name == "onnx") return Format::onnx;
  if (name == "nnet") return Format::nnet;
  if (name == "auto" || name == "automatic") return Format::automatic;
  throw UsageError("unknown format '" + std::string(name) + "', expected one of json, onnx, nnet, auto");
}

std::string format_name(Format format) {
  switch (format) {
    case Format::json:
      return "json";
    case Format::onnx:
      return "onnx";
    case Format::nnet:
      return "nnet";
    case Format::automatic:
      return "auto";
  }
  return "auto";
}

Format detect_format(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".json") return Format::json;
  if (ext == ".onnx") return Format::onnx;
  if (ext == ".nnet") return Format::nnet;
  return sniff(path);
}

void check_size_limits(const net::Network& net, const std::filesystem::path& path) {
  std::size_t neurons = net.input_dim, weights = 0, width = net.input_dim;
  for (std::size_t k = 0; k < net.layers.size(); ++k) {
    if (const auto* d = std::get_if<net::Dense>(&net.layers[k])) {
      width = d->weights.rows();
      weights += d->weights.rows() * d->weights.cols();
    }
    neurons += width;
    std::string where = path.string() + ": layer " + std::to_string(k) + ": ";
    if (neurons > max_neurons)
      throw InputError(where + "the network has more than " + std::to_string(max_neurons) +
                       " neurons (input_dim plus every layer's output width), the limit nninv analyses");
    if (weights > max_weights)
      throw InputError(where + "the network has more than " + std::to_string(max_weights) +
                       " weights in its dense layers, the limit nninv analyses");
  }
}

net::Model load_full_model(const std::filesystem::path& path, Format format, std::vector<std::string>* warnings) {
  if (format == Format::automatic) format = detect_format(path);
  net::Model model;
  switch (format) {
    case Format::json:
      model = load_json_model(path, warnings);
      break;
    case Format::onnx:
      model = load_onnx_model(path, warnings);
      break;
    case Format::nnet:
      model.net = load_nnet(path, warnings);
      model.codomain = model.net.codomain;
      break;
    case Format::automatic:
      throw InternalError("load_model: no reader for the format");
  }
  check_size_limits(model.net, path);
  return model;
}

net::Network load_model(const std::filesystem::path& path, Format format, std::vector<std::string>* warnings) {
  return require_piecewise_linear(load_full_model(path, format, warnings), path.string());
}

net::Network require_piecewise_linear(net::Model model, const std::string& source) {
  const char* commands =
      "; nninv injective, surjective, into, bijective and invertible read such networks, the other commands "
      "(lipschitz, invert, plot, --smt2, --report) only piecewise-linear ones";
  if (!model.smooth.empty()) {
    const net::SmoothLayer& s = model.smooth.front();
    throw InputError(source + ": " + s.where + ": " + net::smooth_name(s.kind) + " is not piecewise linear" +
                     commands);
  }
  if (model.head != net::Head::none)
    throw InputError(source + ": " + model.head_where + ": a " + net::head_name(model.head) +
                     " head is not piecewise linear" + commands + " (for those, remove the head: the logits are)");
  return std::move(model.net);
}

std::string read_input_file(const std::filesystem::path& path) {
  require_readable_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CannotOpenInput(path.string() + ": cannot be opened for reading");
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_file_bytes)
    throw InputError(path.string() + ": the file has " + std::to_string(size) + " bytes, expected at most " +
                     std::to_string(max_file_bytes) + " (" + std::to_string(max_file_bytes >> 20) + " MiB)");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw CannotOpenInput(path.string() + ": read error");
  return buffer.str();
}

}  // namespace nninv::io
