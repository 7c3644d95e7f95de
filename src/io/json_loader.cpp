// JSON network loader: nlohmann's SAX parser builds a document in which every
// number keeps its original text, then a validator walks it with JSON pointers
// so that each error names the file and the offending place.
#include "nninv/io/json_loader.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "nninv/errors.hpp"

namespace nninv::io {
namespace {

using nlohmann::json;
using arith::Rational;

// A JSON number is stored as a binary value holding its exact lexeme, so it
// can never be confused with a string and never passes through a double.
json number_node(const std::string& lexeme) {
  return json::binary(json::binary_t::container_type(lexeme.begin(), lexeme.end()));
}

class LexemePreservingBuilder : public nlohmann::json_sax<json> {
 public:
  explicit LexemePreservingBuilder(json& root) : root_(root) {}

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(number_node(std::to_string(v))); }
  bool number_unsigned(number_unsigned_t v) override { return put(number_node(std::to_string(v))); }
  bool number_float(number_float_t, const string_t& s) override { return put(number_node(s)); }
  bool string(string_t& v) override { return put(json(v)); }
  bool binary(binary_t& v) override { return put(json::binary(v)); }
  bool start_object(std::size_t) override { return open(json::object()); }
  bool key(string_t& k) override {
    key_ = k;
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    std::string what = ex.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    error_ = what;
    return false;
  }

  const std::optional<std::string>& error() const { return error_; }

 private:
  // Stores a value at the current place of the document; returns where it went.
  json* place(json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    json& slot = parent[key_];
    slot = std::move(value);
    return &slot;
  }
  bool put(json value) {
    place(std::move(value));
    return true;
  }

  bool open(json container) {
    if (stack_.size() >= max_nesting_depth) {
      error_ = "nesting deeper than " + std::to_string(max_nesting_depth) + " levels";
      return false;
    }
    stack_.push_back(place(std::move(container)));
    return true;
  }

  json& root_;
  std::vector<json*> stack_;
  std::string key_;
  std::optional<std::string> error_;
};

std::string type_name(const json& j) {
  if (j.is_binary()) return "number";
  return j.type_name();
}

// Walks the document; every failure names the file and the JSON pointer.
class Validator {
 public:
  Validator(std::string source, std::vector<std::string>* warnings) : source_(std::move(source)), warnings_(warnings) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& what) const {
    throw InputError(source_ + ": " + (pointer.empty() ? "/" : pointer) + ": " + what);
  }
  void warn(const std::string& pointer, const std::string& what) const {
    if (warnings_) warnings_->push_back(source_ + ": " + pointer + ": " + what);
  }

  Rational number(const json& j, const std::string& pointer) const {
    std::string text;
    if (j.is_binary()) {
      text.assign(j.get_binary().begin(), j.get_binary().end());
    } else if (j.is_string()) {
      text = j.get<std::string>();
    } else {
      fail(pointer, "is " + type_name(j) + ", expected a number or a string \"p/q\"");
    }
    try {
      return arith::parse_rational(text);
    } catch (const arith::NumberSyntaxError& e) {
      fail(pointer, e.what());
    }
  }

  std::size_t positive_integer(const json& j, const std::string& pointer, std::size_t limit) const {
    Rational v = number(j, pointer);
    if (v.get_den() != 1 || v <= 0) fail(pointer, "is " + v.get_str() + ", expected a positive integer");
    if (v > Rational(static_cast<unsigned long>(limit)))
      fail(pointer, "is " + v.get_str() + ", more than the limit of " + std::to_string(limit));
    return v.get_num().get_ui();
  }

  const json& array(const json& parent, const std::string& key, const std::string& pointer) const {
    if (!parent.contains(key)) fail(pointer, "missing field \"" + key + "\"");
    const json& j = parent.at(key);
    if (!j.is_array()) fail(pointer + "/" + key, "is " + type_name(j) + ", expected an array");
    return j;
  }

  arith::Vector number_row(const json& row, const std::string& pointer, std::size_t expected_len,
                           const std::string& what) const {
    if (!row.is_array()) fail(pointer, "is " + type_name(row) + ", expected an array of numbers");
    if (row.size() != expected_len)
      fail(pointer, what + " has " + std::to_string(row.size()) + " entries, expected " + std::to_string(expected_len));
    arith::Vector values;
    values.reserve(row.size());
    for (std::size_t i = 0; i < row.size(); ++i) values.push_back(number(row[i], pointer + "/" + std::to_string(i)));
    return values;
  }

  net::Box box(const json& j, const std::string& pointer, std::size_t dim) const {
    if (!j.is_object()) fail(pointer, "is " + type_name(j) + ", expected an object with \"lower\" and \"upper\"");
    net::Box b = net::Box::everything(dim);
    for (const char* side : {"lower", "upper"}) {
      if (!j.contains(side)) continue;
      const json& bounds = j.at(side);
      std::string p = pointer + "/" + side;
      if (!bounds.is_array()) fail(p, "is " + type_name(bounds) + ", expected an array of numbers or nulls");
      if (bounds.size() != dim)
        fail(p, "has " + std::to_string(bounds.size()) + " entries, expected " + std::to_string(dim));
      for (std::size_t i = 0; i < dim; ++i) {
        if (bounds[i].is_null()) continue;
        Rational v = number(bounds[i], p + "/" + std::to_string(i));
        (std::string(side) == "lower" ? b.sides[i].lower : b.sides[i].upper) = v;
      }
    }
    for (const auto& [key, value] : j.items())
      if (key != "lower" && key != "upper") warn(pointer + "/" + key, "unknown key ignored");
    for (std::size_t i = 0; i < dim; ++i) {
      const net::Interval& s = b.sides[i];
      if (s.lower && s.upper && *s.lower > *s.upper)
        fail(pointer + "/lower/" + std::to_string(i),
             "lower bound " + s.lower->get_str() + " exceeds upper bound " + s.upper->get_str());
    }
    return b;
  }

  net::Layer layer(const json& j, const std::string& pointer, std::size_t width) const {
    if (!j.is_object()) fail(pointer, "is " + type_name(j) + ", expected a layer object with a \"type\"");
    if (!j.contains("type")) fail(pointer, "missing field \"type\"");
    if (!j.at("type").is_string()) fail(pointer + "/type", "is " + type_name(j.at("type")) + ", expected a string");
    std::string type = j.at("type").get<std::string>();
    auto allow_keys = [&](std::initializer_list<const char*> keys) {
      for (const auto& [key, value] : j.items()) {
        bool known = key == "type";
        for (const char* k : keys) known = known || key == k;
        if (!known) warn(pointer + "/" + key, "unknown key ignored in a " + type + " layer");
      }
    };
    if (type == "dense") {
      allow_keys({"weights", "bias"});
      const json& weights = array(j, "weights", pointer);
      if (weights.empty()) fail(pointer + "/weights", "has no rows, expected at least one");
      if (weights.size() > max_width) fail(pointer + "/weights", "has more than " + std::to_string(max_width) + " rows");
      net::Dense d{arith::Matrix(0, width), arith::Vector(weights.size())};
      for (std::size_t r = 0; r < weights.size(); ++r)
        d.weights.append_row(number_row(weights[r], pointer + "/weights/" + std::to_string(r), width, "row"));
      if (j.contains("bias"))
        d.bias = number_row(j.at("bias"), pointer + "/bias", weights.size(), "bias");
      return d;
    }
    if (type == "relu") {
      allow_keys({});
      return net::Relu{};
    }
    if (type == "identity") {
      allow_keys({});
      return net::Identity{};
    }
    if (type == "leaky_relu") {
      allow_keys({"alpha"});
      if (!j.contains("alpha")) fail(pointer, "missing field \"alpha\" of a leaky_relu layer");
      Rational alpha = number(j.at("alpha"), pointer + "/alpha");
      if (alpha <= 0) fail(pointer + "/alpha", "is " + alpha.get_str() + ", expected a number > 0");
      return net::LeakyRelu{alpha};
    }
    fail(pointer + "/type", "unknown layer type \"" + type + "\", expected one of dense, relu, leaky_relu, identity");
  }

  net::Network network(const json& root) const {
    if (!root.is_object()) fail("", "the document is " + type_name(root) + ", expected an object");
    net::Network net;
    if (root.contains("name")) {
      if (!root.at("name").is_string()) fail("/name", "is " + type_name(root.at("name")) + ", expected a string");
      net.name = root.at("name").get<std::string>();
    }
    if (!root.contains("input_dim")) fail("", "missing field \"input_dim\"");
    net.input_dim = positive_integer(root.at("input_dim"), "/input_dim", max_width);
    net.domain = root.contains("domain") ? box(root.at("domain"), "/domain", net.input_dim)
                                         : net::Box::everything(net.input_dim);
    const json& layers = array(root, "layers", "");
    std::size_t width = net.input_dim;
    for (std::size_t k = 0; k < layers.size(); ++k) {
      net.layers.push_back(layer(layers[k], "/layers/" + std::to_string(k), width));
      if (const auto* d = std::get_if<net::Dense>(&net.layers.back())) width = d->weights.rows();
    }
    net.codomain = root.contains("codomain") ? box(root.at("codomain"), "/codomain", width)
                                             : net::Box::everything(width);
    for (const auto& [key, value] : root.items())
      if (key != "name" && key != "input_dim" && key != "domain" && key != "codomain" && key != "layers")
        warn("/" + key, "unknown top-level key ignored");
    return net;
  }

  static constexpr std::size_t max_width = 1u << 20;

 private:
  std::string source_;
  std::vector<std::string>* warnings_;
};

}  // namespace

net::Network parse_network(std::string_view text, const std::string& source, std::vector<std::string>* warnings) {
  json root;
  LexemePreservingBuilder builder(root);
  bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, true, false);
  if (!ok) throw InputError(source + ": " + builder.error().value_or("malformed JSON"));
  return Validator(source, warnings).network(root);
}

net::Network load_network(const std::filesystem::path& path, std::vector<std::string>* warnings) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw CannotOpenInput(path.string() + ": no such file");
  if (std::filesystem::is_directory(status)) throw CannotOpenInput(path.string() + ": is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CannotOpenInput(path.string() + ": cannot be opened for reading");
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_file_bytes)
    throw InputError(path.string() + ": file has " + std::to_string(size) + " bytes, more than the limit of " +
                     std::to_string(max_file_bytes >> 20) + " MiB");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_network(buffer.str(), path.string(), warnings);
}

}  // namespace nninv::io
