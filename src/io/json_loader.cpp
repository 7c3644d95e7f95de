// JSON network loader: nlohmann's SAX parser builds a document in which every
// number keeps its original text (duplicate keys and deep nesting are refused),
// then a validator walks it with JSON pointers so that each error names the
// file and the offending place (STYLE.md, "Errors").
#include "nninv/io/json_loader.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include "nninv/errors.hpp"
#include "nninv/io/load_model.hpp"

namespace nninv::io {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and
// swaps of neighbours, each 1 ("domian" is 1 from "domain"). Case counts.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}


// Floats are lexed as long double only so that nlohmann's overflow check lets
// exact numbers such as 1e400 through; the value itself is never used, the
// lexeme is (see number_float).
using json = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, long double>;
using arith::Rational;

// RFC 6901: "~" and "/" inside a key are written "~0" and "~1".
std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

// "<file>: <pointer>: <what>"; the pointer is left out for the whole document.
std::string located(const std::string& source, const std::string& pointer, const std::string& what) {
  return source + ": " + (pointer.empty() ? "" : pointer + ": ") + what;
}

// A JSON number is stored as a binary value holding its exact lexeme, so it
// can never be confused with a string and never passes through a double.
json number_node(const std::string& lexeme) {
  return json::binary(json::binary_t::container_type(lexeme.begin(), lexeme.end()));
}

// Builds the document and remembers the JSON pointer of the place being
// parsed, so that syntax errors, duplicate keys and too deep nesting are
// reported where they happen.
class LexemePreservingBuilder : public nlohmann::json_sax<json> {
 public:
  LexemePreservingBuilder(json& root, std::string_view text) : root_(root), text_(text) {}

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
    has_key_ = true;
    if (stack_.back().node->contains(k)) {
      error_ = located_here("duplicate key \"" + k + "\", expected each key at most once per object");
      return false;
    }
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string& last_token, const nlohmann::detail::exception& ex) override {
    error_ = located_here(syntax_error_text(position, last_token, ex));
    return false;
  }

  const std::optional<std::string>& error() const { return error_; }

 private:
  struct Open {
    json* node;
    std::string pointer;
  };

  // Pointer of the value about to be read (or of the open container when an
  // object is between a value and the next key).
  std::string current_pointer() const {
    if (stack_.empty()) return "";
    const Open& top = stack_.back();
    if (top.node->is_array()) return top.pointer + "/" + std::to_string(top.node->size());
    return has_key_ ? top.pointer + "/" + pointer_token(key_) : top.pointer;
  }
  std::string located_here(const std::string& what) const {
    std::string p = current_pointer();
    return p.empty() ? what : p + ": " + what;
  }

  // nlohmann says "[json.exception.parse_error.101] parse error at line 3,
  // column 7: syntax error while parsing value - invalid literal; ...";
  // keep the position and the detail.
  std::string syntax_error_text(std::size_t position, const std::string& last_token,
                                const nlohmann::detail::exception& ex) const {
    std::string where = "line " + std::to_string(line_of(position)) + ", column " + std::to_string(column_of(position));
    if (ex.id == 406) {
      // A number beyond even long double's range; say where it starts and
      // what the exact reader thinks of it (usually: exponent out of range).
      std::size_t start = position >= last_token.size() ? position - last_token.size() + 1 : position;
      where = "line " + std::to_string(line_of(start)) + ", column " + std::to_string(column_of(start));
      try {
        (void)arith::parse_rational(last_token);
      } catch (const arith::NumberSyntaxError& e) {
        return where + ": " + e.what();
      }
      return where + ": number '" + last_token.substr(0, 40) + "...' is too long (" +
             std::to_string(last_token.size()) + " characters), expected at most 4900 digits; write it as a string";
    }
    std::string detail = ex.what();
    if (auto pos = detail.find("] "); pos != std::string::npos) detail = detail.substr(pos + 2);
    if (auto pos = detail.find(": "); detail.rfind("parse error", 0) == 0 && pos != std::string::npos)
      detail = detail.substr(pos + 2);
    if (detail.rfind("syntax error while parsing ", 0) == 0)
      if (auto dash = detail.find(" - "); dash != std::string::npos) detail = detail.substr(dash + 3);
    return "JSON syntax error at " + where + ": " + detail;
  }
  std::size_t line_of(std::size_t position) const {
    position = std::min(position, text_.size());
    return 1 + static_cast<std::size_t>(std::count(text_.begin(), text_.begin() + position, '\n'));
  }
  std::size_t column_of(std::size_t position) const {
    position = std::min(position, text_.size());
    std::size_t line_start = text_.rfind('\n', position == 0 ? 0 : position - 1);
    line_start = (line_start == std::string_view::npos || line_start >= position) ? 0 : line_start + 1;
    return std::max<std::size_t>(1, position - line_start);
  }

  // Stores a value at the current place of the document; returns where it went.
  json* place(json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *stack_.back().node;
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    has_key_ = false;
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
      error_ = located_here("arrays and objects nested more than " + std::to_string(max_nesting_depth) +
                            " levels deep, expected at most " + std::to_string(max_nesting_depth));
      return false;
    }
    std::string pointer = current_pointer();
    stack_.push_back({place(std::move(container)), std::move(pointer)});
    return true;
  }
  bool close() {
    stack_.pop_back();
    has_key_ = false;
    return true;
  }

  json& root_;
  std::string_view text_;
  std::vector<Open> stack_;
  std::string key_;
  bool has_key_ = false;
  std::optional<std::string> error_;
};

// "an array", "a number", ... for messages.
std::string type_name(const json& j) {
  if (j.is_binary()) return "a number";
  if (j.is_null()) return "null";
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  if (j.is_string()) return "a string";
  return j.type_name();
}

// Long exact values (1e400) are shortened in messages.
std::string show(const Rational& v) {
  std::string s = v.get_str();
  if (s.size() <= 40) return s;
  return s.substr(0, 20) + "... (" + std::to_string(s.size()) + " characters)";
}

// Walks the document; every failure names the file and the JSON pointer.
class Validator {
 public:
  Validator(std::string source, std::vector<std::string>* warnings) : source_(std::move(source)), warnings_(warnings) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& what) const {
    throw InputError(located(source_, pointer, what));
  }
  void warn(const std::string& pointer, const std::string& what) const {
    if (warnings_) warnings_->push_back(located(source_, pointer, what));
  }

  static constexpr const char* any_number = "a number or an exact string such as \"-7/2\"";

  Rational number(const json& j, const std::string& pointer, const std::string& expected = any_number) const {
    std::string text;
    if (j.is_binary()) {
      text.assign(j.get_binary().begin(), j.get_binary().end());
    } else if (j.is_string()) {
      text = j.get<std::string>();
    } else {
      fail(pointer, "is " + type_name(j) + ", expected " + expected);
    }
    try {
      return arith::parse_rational(text);
    } catch (const arith::NumberSyntaxError& e) {
      fail(pointer, std::string(e.what()) + ", expected " + expected);
    }
  }

  std::size_t positive_integer(const json& j, const std::string& pointer, std::size_t limit) const {
    std::string expected = "a positive integer at most " + std::to_string(limit);
    Rational v = number(j, pointer, expected);
    if (v.get_den() != 1 || v <= 0 || v > Rational(static_cast<unsigned long>(limit)))
      fail(pointer, "is " + show(v) + ", expected " + expected);
    return v.get_num().get_ui();
  }

  const json& required(const json& parent, const std::string& key, const std::string& pointer,
                       const std::string& expected) const {
    if (!parent.contains(key)) fail(pointer + "/" + key, "missing field \"" + key + "\", expected " + expected);
    return parent.at(key);
  }

  const json& array(const json& parent, const std::string& key, const std::string& pointer,
                    const std::string& expected) const {
    const json& j = required(parent, key, pointer, expected);
    if (!j.is_array()) fail(pointer + "/" + key, "is " + type_name(j) + ", expected " + expected);
    return j;
  }

  // `what` names the list ("row", "bias"); `why` says where its length comes from.
  arith::Vector number_row(const json& row, const std::string& pointer, std::size_t expected_len,
                           const std::string& what, const std::string& why) const {
    if (!row.is_array()) fail(pointer, "is " + type_name(row) + ", expected an array of numbers");
    if (row.size() != expected_len)
      fail(pointer, what + " has " + std::to_string(row.size()) + " entries, expected " +
                        std::to_string(expected_len) + " (" + why + ")");
    arith::Vector values;
    values.reserve(row.size());
    for (std::size_t i = 0; i < row.size(); ++i) values.push_back(number(row[i], pointer + "/" + std::to_string(i)));
    return values;
  }

  // `why` says where dim comes from (input_dim, output width).
  net::Box box(const json& j, const std::string& pointer, std::size_t dim, const std::string& why) const {
    if (!j.is_object()) fail(pointer, "is " + type_name(j) + ", expected an object with \"lower\" and \"upper\"");
    net::Box b = net::Box::everything(dim);
    for (const char* side : {"lower", "upper"}) {
      if (!j.contains(side)) continue;
      const json& bounds = j.at(side);
      std::string p = pointer + "/" + side;
      if (!bounds.is_array()) fail(p, "is " + type_name(bounds) + ", expected an array of numbers or nulls");
      if (bounds.size() != dim)
        fail(p, "has " + std::to_string(bounds.size()) + " entries, expected " + std::to_string(dim) + " (" + why +
                    ")");
      for (std::size_t i = 0; i < dim; ++i) {
        if (bounds[i].is_null()) continue;
        Rational v = number(bounds[i], p + "/" + std::to_string(i), std::string(any_number) + " or null");
        (std::string(side) == "lower" ? b.sides[i].lower : b.sides[i].upper) = v;
      }
    }
    for (const auto& [key, value] : j.items())
      if (key != "lower" && key != "upper") warn(pointer + "/" + pointer_token(key), "unknown key ignored");
    for (std::size_t i = 0; i < dim; ++i) {
      const net::Interval& s = b.sides[i];
      if (s.lower && s.upper && *s.lower > *s.upper)
        fail(pointer + "/lower/" + std::to_string(i), "lower bound " + show(*s.lower) + " exceeds upper bound " +
                                                          show(*s.upper) + ", expected lower <= upper");
    }
    return b;
  }

  static constexpr const char* layer_types =
      "one of dense, relu, leaky_relu, identity, residual, coupling, tanh, sigmoid, elu, softplus, softmax, "
      "log_softmax, argmax";

  net::Layer layer(const json& j, const std::string& pointer, std::size_t width, const std::string& input_why) const {
    if (!j.is_object()) fail(pointer, "is " + type_name(j) + ", expected a layer object with a \"type\"");
    const json& type_node = required(j, "type", pointer, std::string("a string, ") + layer_types);
    if (!type_node.is_string())
      fail(pointer + "/type", "is " + type_name(type_node) + ", expected a string, " + layer_types);
    std::string type = type_node.get<std::string>();
    auto allow_keys = [&](std::initializer_list<const char*> keys) {
      for (const auto& [key, value] : j.items()) {
        bool known = key == "type";
        for (const char* k : keys) known = known || key == k;
        if (!known) warn(pointer + "/" + pointer_token(key), "unknown key ignored in a " + type + " layer");
      }
    };
    if (type == "dense") {
      allow_keys({"weights", "bias"});
      const json& weights = array(j, "weights", pointer, "an array of rows, one per output neuron");
      if (weights.empty()) fail(pointer + "/weights", "has no rows, expected at least one");
      if (weights.size() > max_width)
        fail(pointer + "/weights", "has " + std::to_string(weights.size()) + " rows, expected at most " +
                                       std::to_string(max_width));
      net::Dense d{arith::Matrix(0, width), arith::Vector(weights.size())};
      for (std::size_t r = 0; r < weights.size(); ++r)
        d.weights.append_row(number_row(weights[r], pointer + "/weights/" + std::to_string(r), width, "row", input_why));
      if (j.contains("bias"))
        d.bias = number_row(j.at("bias"), pointer + "/bias", weights.size(), "bias", "one per row of weights");
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
      std::string expected = "a number > 0, the slope for negative inputs";
      Rational alpha = number(required(j, "alpha", pointer, expected), pointer + "/alpha", expected);
      if (alpha <= 0) fail(pointer + "/alpha", "is " + show(alpha) + ", expected " + expected);
      return net::LeakyRelu{alpha};
    }
    fail(pointer + "/type", "unknown layer type \"" + type + "\", expected " + layer_types);
  }

  // A smooth activation (tanh, sigmoid, elu, softplus) or a head (softmax,
  // log_softmax, argmax) at layers[k], recorded in `model`; false for the
  // piecewise-linear types.
  bool smooth_or_head(const json& j, const std::string& pointer, std::size_t k, std::size_t count,
                      net::Model& model) const {
    if (!j.is_object() || !j.contains("type") || !j.at("type").is_string()) return false;
    std::string type = j.at("type").get<std::string>();
    static const std::pair<const char*, net::Smooth> smooth[] = {{"tanh", net::Smooth::tanh},
                                                                 {"sigmoid", net::Smooth::sigmoid},
                                                                 {"elu", net::Smooth::elu},
                                                                 {"softplus", net::Smooth::softplus}};
    static const std::pair<const char*, net::Head> heads[] = {
        {"softmax", net::Head::softmax}, {"log_softmax", net::Head::log_softmax}, {"argmax", net::Head::argmax}};
    for (const auto& [name, kind] : smooth) {
      if (type != name) continue;
      net::SmoothLayer s{model.net.layers.size(), kind, Rational(1), pointer};
      for (const auto& [key, value] : j.items())
        if (key != "type" && !(kind == net::Smooth::elu && key == "alpha"))
          warn(pointer + "/" + pointer_token(key), "unknown key ignored in a " + type + " layer");
      if (kind == net::Smooth::elu && j.contains("alpha")) {
        std::string expected = "a number > 0, elu(z) = alpha (exp(z) - 1) for z < 0";
        s.alpha = number(j.at("alpha"), pointer + "/alpha", expected);
        if (s.alpha <= 0) fail(pointer + "/alpha", "is " + show(s.alpha) + ", expected " + expected);
      }
      model.smooth.push_back(s);
      model.net.layers.emplace_back(std::in_place_type<net::Identity>);
      return true;
    }
    for (const auto& [name, kind] : heads) {
      if (type != name) continue;
      if (k + 1 != count)
        fail(pointer + "/type", std::string("a ") + name + " layer is a classifier head: it must be the last layer, "
                                "and this one is followed by " + std::to_string(count - k - 1) + " more");
      for (const auto& [key, value] : j.items())
        if (key != "type" && !(kind == net::Head::argmax && key == "last_index"))
          warn(pointer + "/" + pointer_token(key), "unknown key ignored in a " + type + " layer");
      if (kind == net::Head::argmax && j.contains("last_index")) {
        if (!j.at("last_index").is_boolean())
          fail(pointer + "/last_index", "is " + type_name(j.at("last_index")) +
                                            ", expected true (ties go to the last index) or false (the first)");
        model.last_index = j.at("last_index").get<bool>();
      }
      model.head = kind;
      model.head_where = pointer;
      return true;
    }
    return false;
  }

  // A residual block {"type": "residual", "layers": [...]}, y = x + g(x), or
  // an additive coupling {"type": "coupling", "split": k | "mask": [0/1...],
  // "layers": [...]}, y_A = x_A, y_B = x_B + g(x_A) (A: the first k
  // coordinates, or those with mask 1), written as the exact chain the ONNX
  // reader would make (docs/format.md): g's layers (dense, relu, leaky_relu,
  // identity, residual, coupling) with x carried through each activation by
  // the pair act(x), act(-x).
  std::vector<net::Layer> block(const json& j, const std::string& pointer, std::size_t width) const {
    std::string type = j.at("type").get<std::string>();
    std::vector<std::size_t> in, out;  // the coordinates g reads and adds to
    if (type == "residual") {
      for (const auto& [key, value] : j.items())
        if (key != "type" && key != "layers") warn(pointer + "/" + pointer_token(key), "unknown key ignored in a residual layer");
      for (std::size_t i = 0; i < width; ++i) in.push_back(i), out.push_back(i);
    } else {
      for (const auto& [key, value] : j.items())
        if (key != "type" && key != "layers" && key != "split" && key != "mask")
          warn(pointer + "/" + pointer_token(key), "unknown key ignored in a coupling layer");
      std::vector<bool> passed(width, false);
      if (j.contains("split") == j.contains("mask"))
        fail(pointer, "a coupling layer needs exactly one of \"split\" (the number of leading coordinates passed "
                      "through) and \"mask\" (1 for each coordinate passed through)");
      if (j.contains("split")) {
        std::size_t k = positive_integer(j.at("split"), pointer + "/split", width);
        if (k >= width) fail(pointer + "/split", "is " + std::to_string(k) + ", expected 1.." + std::to_string(width - 1));
        for (std::size_t i = 0; i < k; ++i) passed[i] = true;
      } else {
        const json& mask = j.at("mask");
        if (!mask.is_array() || mask.size() != width)
          fail(pointer + "/mask", "is not an array of " + std::to_string(width) + " entries 0 or 1 (the current width)");
        for (std::size_t i = 0; i < width; ++i) {
          std::string at = pointer + "/mask/" + std::to_string(i);
          Rational v = number(mask[i], at, "0 or 1");
          if (v != 0 && v != 1) fail(at, "is " + show(v) + ", expected 0 or 1");
          passed[i] = v == 1;
        }
      }
      for (std::size_t i = 0; i < width; ++i) (passed[i] ? in : out).push_back(i);
      if (in.empty() || out.empty())
        fail(pointer + "/mask", "passes " + std::string(in.empty() ? "no" : "every") +
                                    " coordinate through, expected some of each");
    }
    // g's layers, normalised to dense (act dense)*.
    const json& sub = array(j, "layers", pointer, "an array of the layers of g");
    std::vector<net::Dense> dense;
    std::vector<Rational> alpha;
    std::size_t w = in.size();
    auto identity_dense = [](std::size_t n) { return net::Dense{arith::Matrix::identity(n), arith::Vector(n)}; };
    bool open = false;  // the last item is a dense layer
    for (std::size_t k = 0; k < sub.size(); ++k) {
      std::string p = pointer + "/layers/" + std::to_string(k);
      std::vector<net::Layer> items;
      if (sub[k].is_object() && sub[k].contains("type") &&
          (sub[k].at("type") == "residual" || sub[k].at("type") == "coupling"))
        items = block(sub[k], p, w);
      else
        items.push_back(layer(sub[k], p, w, k ? "the output width of g's layer " + std::to_string(k - 1)
                                               : "the number of coordinates g reads (" + std::to_string(w) + ")"));
      for (net::Layer& item : items) {
        if (auto* d = std::get_if<net::Dense>(&item)) {
          if (open) {
            net::Dense& last = dense.back();
            arith::Vector b = d->weights * last.bias;
            for (std::size_t i = 0; i < b.size(); ++i) b[i] += d->bias[i];
            last = net::Dense{d->weights * last.weights, b};
          } else {
            dense.push_back(std::move(*d));
          }
          w = dense.back().weights.rows();
          open = true;
        } else if (auto slope = net::negative_slope(item)) {
          if (!open) dense.push_back(identity_dense(w));
          alpha.push_back(*slope);
          open = false;
        } else if (!std::holds_alternative<net::Identity>(item)) {
          fail(p, "is not a layer g may hold (dense, relu, leaky_relu, identity, residual, coupling)");
        }
      }
    }
    if (!open) dense.push_back(identity_dense(w));
    if (w != out.size())
      fail(pointer + "/layers", "g ends at width " + std::to_string(w) + ", expected " + std::to_string(out.size()) +
                                    (type == "residual" ? " (the block's width)" : " (the coordinates it adds to)"));
    std::size_t n = width;
    std::vector<net::Layer> chain;
    if (alpha.empty()) {  // x + E (W S x + b): one dense layer
      net::Dense d{arith::Matrix::identity(n), arith::Vector(n)};
      for (std::size_t r = 0; r < out.size(); ++r) {
        for (std::size_t c = 0; c < in.size(); ++c) d.weights(out[r], in[c]) += dense[0].weights(r, c);
        d.bias[out[r]] += dense[0].bias[r];
      }
      chain.push_back(std::move(d));
      return chain;
    }
    for (std::size_t l = 0; l < dense.size(); ++l) {
      const net::Dense& g = dense[l];
      std::size_t h = g.weights.rows(), prev = g.weights.cols();
      bool first = l == 0, last = l + 1 == dense.size();
      // Columns: the previous h (prev of them), then act(x), act(-x) (n each); the first reads x itself.
      std::size_t cols = first ? n : prev + 2 * n;
      std::size_t rows = last ? n : h + 2 * n;
      net::Dense d{arith::Matrix(rows, cols), arith::Vector(rows)};
      Rational inv = first ? Rational(1) : Rational(1 / (1 + alpha[l - 1]));
      for (std::size_t r = 0; r < h; ++r) {
        std::size_t row = last ? out[r] : r;
        for (std::size_t c = 0; c < prev; ++c) d.weights(row, first ? in[c] : c) += g.weights(r, c);
        d.bias[row] += g.bias[r];
      }
      for (std::size_t i = 0; i < n; ++i) {
        std::size_t base = last ? 0 : h;
        if (first) {
          d.weights(base + i, i) = 1;
          d.weights(base + n + i, i) = -1;
          continue;
        }
        // x_i = (act(x_i) - act(-x_i)) / (1 + alpha): into x (and -x for the next activation).
        d.weights(base + i, prev + i) += inv;
        d.weights(base + i, prev + n + i) -= inv;
        if (!last) {
          d.weights(base + n + i, prev + i) -= inv;
          d.weights(base + n + i, prev + n + i) += inv;
        }
      }
      chain.push_back(std::move(d));
      if (!last) {
        if (alpha[l] == 0)
          chain.emplace_back(std::in_place_type<net::Relu>);
        else
          chain.push_back(net::LeakyRelu{alpha[l]});
      }
    }
    return chain;
  }

  net::Model model(const json& root) const {
    if (!root.is_object()) fail("", "the document is " + type_name(root) + ", expected an object");
    net::Model model;
    net::Network& net = model.net;
    if (root.contains("name")) {
      if (!root.at("name").is_string()) fail("/name", "is " + type_name(root.at("name")) + ", expected a string");
      net.name = root.at("name").get<std::string>();
    }
    net.input_dim = positive_integer(required(root, "input_dim", "", "a positive integer"), "/input_dim", max_width);
    net.domain = root.contains("domain") ? box(root.at("domain"), "/domain", net.input_dim, "input_dim")
                                         : net::Box::everything(net.input_dim);
    const json& layers = array(root, "layers", "", "an array of layer objects");
    std::size_t width = net.input_dim;
    std::string why = "input_dim";
    for (std::size_t k = 0; k < layers.size(); ++k) {
      if (smooth_or_head(layers[k], "/layers/" + std::to_string(k), k, layers.size(), model)) continue;
      if (layers[k].is_object() && layers[k].contains("type") &&
          (layers[k].at("type") == "residual" || layers[k].at("type") == "coupling")) {
        for (net::Layer& l : block(layers[k], "/layers/" + std::to_string(k), width)) net.layers.push_back(std::move(l));
        continue;  // the width is unchanged
      }
      net.layers.push_back(layer(layers[k], "/layers/" + std::to_string(k), width, why));
      if (const auto* d = std::get_if<net::Dense>(&net.layers.back())) {
        width = d->weights.rows();
        why = "the output width of layer " + std::to_string(k);
      }
    }
    // With an argmax head Y is a set of labels: a box of one coordinate.
    std::size_t out = model.head == net::Head::argmax ? 1 : width;
    model.codomain = root.contains("codomain")
                         ? box(root.at("codomain"), "/codomain", out,
                               model.head == net::Head::argmax ? "1 (an argmax head's output is one label)"
                                                               : "the output width of the network")
                         : net::Box::everything(out);
    net.codomain = model.head == net::Head::none ? model.codomain : net::Box::everything(width);
    // A key one or two edits away from a known one is almost surely that key
    // misspelt ("domian"): ignoring it would answer another question (a
    // property on all of R^n), so it is an error; other keys are comments.
    for (const auto& [key, value] : root.items()) {
      if (key == "name" || key == "input_dim" || key == "domain" || key == "codomain" || key == "layers") continue;
      for (const char* known : {"name", "input_dim", "domain", "codomain", "layers"}) {
        std::size_t limit = std::string_view(known).size() <= 5 ? 1 : 2;
        if (edit_distance(key, known) <= limit)
          fail("/" + pointer_token(key), std::string("unknown top-level key; did you mean \"") + known +
                                             "\"? (a misspelt key would silently change the question)");
      }
      warn("/" + pointer_token(key), "unknown top-level key ignored");
    }
    return model;
  }

  static constexpr std::size_t max_width = 1u << 20;

 private:
  std::string source_;
  std::vector<std::string>* warnings_;
};

}  // namespace

net::Model parse_model(std::string_view text, const std::string& source, std::vector<std::string>* warnings) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw InputError(located(source, "", "the file is empty, expected a JSON object"));
  json root;
  LexemePreservingBuilder builder(root, text);
  bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, true, false);
  if (!ok) throw InputError(located(source, "", builder.error().value_or("malformed JSON")));
  return Validator(source, warnings).model(root);
}

net::Network parse_network(std::string_view text, const std::string& source, std::vector<std::string>* warnings) {
  return require_piecewise_linear(parse_model(text, source, warnings), source);
}

net::Network load_network(const std::filesystem::path& path, std::vector<std::string>* warnings) {
  return require_piecewise_linear(load_json_model(path, warnings), path.string());
}

net::Model load_json_model(const std::filesystem::path& path, std::vector<std::string>* warnings) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw CannotOpenInput(path.string() + ": no such file");
  if (std::filesystem::is_directory(status)) throw CannotOpenInput(path.string() + ": is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CannotOpenInput(path.string() + ": cannot be opened for reading");
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_file_bytes)
    throw InputError(located(path.string(), "",
                             "the file has " + std::to_string(size) + " bytes, expected at most " +
                                 std::to_string(max_file_bytes) + " (" + std::to_string(max_file_bytes >> 20) + " MiB)"));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_model(buffer.str(), path.string(), warnings);
}

}  // namespace nninv::io
