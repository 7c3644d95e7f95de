// Exact JSON writer: the inverse of the JSON loader, number by number.
// Written by hand (not nlohmann's dump) to keep one weight row per line.
#include "nninv/io/json_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

namespace nninv::io {
namespace {

using arith::Rational;

// Integers up to 15 digits are exact in every JSON reader (doubles hold
// 2^53 ~ 9.007e15); anything else is a string so that no reader rounds it.
void put_number(std::string& out, const Rational& v) {
  std::string text = v.get_str();
  std::size_t digits = text.size() - (text[0] == '-' ? 1 : 0);
  if (v.get_den() == 1 && digits <= 15) {
    out += text;
  } else {
    out += '"';
    out += text;
    out += '"';
  }
}

void put_vector(std::string& out, const arith::Vector& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    put_number(out, values[i]);
  }
  out += ']';
}

void put_bound(std::string& out, const std::optional<Rational>& v) {
  if (v)
    put_number(out, *v);
  else
    out += "null";
}

void put_box(std::string& out, const char* key, const net::Box& box) {
  out += "  \"";
  out += key;
  out += "\": {\"lower\": [";
  for (std::size_t i = 0; i < box.dim(); ++i) {
    if (i) out += ", ";
    put_bound(out, box.sides[i].lower);
  }
  out += "], \"upper\": [";
  for (std::size_t i = 0; i < box.dim(); ++i) {
    if (i) out += ", ";
    put_bound(out, box.sides[i].upper);
  }
  out += "]},\n";
}

void put_layer(std::string& out, const net::Layer& layer) {
  if (const auto* d = std::get_if<net::Dense>(&layer)) {
    out += "    {\"type\": \"dense\",\n     \"weights\": [";
    for (std::size_t r = 0; r < d->weights.rows(); ++r) {
      out += r ? ",\n       " : "\n       ";
      put_vector(out, d->weights.row(r));
    }
    out += "],\n     \"bias\": ";
    put_vector(out, d->bias);
    out += '}';
  } else if (const auto* l = std::get_if<net::LeakyRelu>(&layer)) {
    out += "    {\"type\": \"leaky_relu\", \"alpha\": ";
    put_number(out, l->alpha);
    out += '}';
  } else {
    out += "    {\"type\": \"" + net::layer_type_name(layer) + "\"}";
  }
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw WriteError(path.string() + ": " + what);
}

}  // namespace

std::string to_json_text(const net::Network& network) {
  net::Model model;
  model.net = network;
  model.codomain = network.codomain;
  return to_json_text(model);
}

std::string to_json_text(const net::Model& model) {
  const net::Network& network = model.net;
  std::string out = "{\n";
  if (!network.name.empty()) {
    using json = nlohmann::json;
    out += "  \"name\": " + json(network.name).dump(-1, ' ', false, json::error_handler_t::replace) + ",\n";
  }
  out += "  \"input_dim\": " + std::to_string(network.input_dim) + ",\n";
  if (!network.domain.is_everything()) put_box(out, "domain", network.domain);
  if (!model.codomain.is_everything()) put_box(out, "codomain", model.codomain);
  out += "  \"layers\": [";
  for (std::size_t k = 0; k < network.layers.size(); ++k) {
    out += k ? ",\n" : "\n";
    if (const net::SmoothLayer* s = model.smooth_at(k)) {
      out += std::string("    {\"type\": \"") + net::smooth_name(s->kind) + "\"";
      if (s->kind == net::Smooth::elu) {
        out += ", \"alpha\": ";
        put_number(out, s->alpha);
      }
      out += '}';
    } else {
      put_layer(out, network.layers[k]);
    }
  }
  if (model.head != net::Head::none) {
    out += network.layers.empty() ? "\n" : ",\n";
    out += std::string("    {\"type\": \"") + net::head_name(model.head) + "\"";
    if (model.head == net::Head::argmax && model.last_index) out += ", \"last_index\": true";
    out += '}';
  }
  out += network.layers.empty() && model.head == net::Head::none ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

void check_writable(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a folder, not a file");
  std::filesystem::path folder = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  if (!std::filesystem::is_directory(folder, ec)) fail(path, "the folder " + folder.string() + " does not exist");
  // The atomic writer needs a temporary file in that folder: make one and
  // remove it (access() would say yes to root on a read-only file system).
  std::string probe = (folder / ".nninv-probe-XXXXXX").string();
  int fd = ::mkstemp(probe.data());
  if (fd < 0) fail(path, std::string("cannot create a file in ") + folder.string() + ": " + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path folder = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::string temp_name = ".";  // hidden, beside the destination so that rename stays in one file system
  temp_name += path.filename().string();
  temp_name += ".tmp-XXXXXX";
  std::string temp = (folder / temp_name).string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0)
    fail(path, std::string("cannot create a temporary file in ") + folder.string() + ": " + std::strerror(errno));
  std::string error;
  for (std::size_t done = 0; done < text.size() && error.empty();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      error = std::string("write failed: ") + std::strerror(errno);
    else
      done += static_cast<std::size_t>(n);
  }
  // On disk before the rename: the destination shows the old file or the
  // complete new one, even after a crash or SIGKILL.
  if (error.empty() && ::fsync(fd) != 0) error = std::string("fsync failed: ") + std::strerror(errno);
  // mkstemp creates 0600; give the result the permissions of an ordinary new file.
  if (error.empty()) {
    mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
  }
  if (::close(fd) != 0 && error.empty()) error = std::string("close failed: ") + std::strerror(errno);
  if (error.empty() && std::rename(temp.c_str(), path.c_str()) != 0)
    error = std::string("cannot rename the temporary file into place: ") + std::strerror(errno);
  if (!error.empty()) {
    std::remove(temp.c_str());
    fail(path, error);
  }
}

void write_network(const net::Network& network, const std::filesystem::path& path) {
  write_text_atomically(path, to_json_text(network));
}

void write_network(const net::Model& model, const std::filesystem::path& path) {
  write_text_atomically(path, to_json_text(model));
}

}  // namespace nninv::io
