// NNet reader: a line-by-line walk through the records of the format (header
// comments, sizes, normalisation, then one line per neuron's weights and one
// per bias), each number parsed exactly from its decimal text. Every error
// names the file and the line. Format: Kyle Julian, "NNet" (Stanford, 2016),
// as used by Reluplex/Marabou for ACAS Xu (Katz et al., CAV 2017).
#include "nninv/io/nnet_loader.hpp"

#include <algorithm>

#include "nninv/errors.hpp"
#include "nninv/io/load_model.hpp"

namespace nninv::io {
namespace {

using arith::Rational;
using arith::Vector;

// Layer widths and counts beyond these are refused before anything is built.
constexpr std::size_t max_width = 1u << 20;
constexpr std::size_t max_layers = 1u << 16;

struct Line {
  std::size_t number;  // 1-based, as editors show it
  std::string_view text;
};

std::string_view trim(std::string_view s) {
  const char* spaces = " \t\r\f\v";
  std::size_t first = s.find_first_not_of(spaces);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(spaces) - first + 1);
}

class Reader {
 public:
  Reader(std::string_view text, std::string source, std::vector<std::string>* warnings)
      : source_(std::move(source)), warnings_(warnings) {
    std::size_t number = 0, start = 0;
    bool in_header = true;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = trim(text.substr(start, end - start));
      ++number;
      // Comments are the header; blank lines carry nothing anywhere.
      bool comment = in_header && line.substr(0, 2) == "//";
      if (!line.empty() && !comment) {
        lines_.push_back({number, line});
        in_header = false;
      }
      last_line_ = number;
      start = end + 1;
    }
  }

  [[noreturn]] void fail(std::size_t line, const std::string& what) const {
    throw InputError(source_ + ": line " + std::to_string(line) + ": " + what);
  }
  void warn(std::size_t line, const std::string& what) const {
    if (warnings_) warnings_->push_back(source_ + ": line " + std::to_string(line) + ": " + what);
  }

  // The next record's values; `what` says which record, for messages.
  // Accepts `count` values or, when `alternative` is nonzero, that many.
  std::pair<std::size_t, Vector> record(std::size_t count, const std::string& what, std::size_t alternative = 0) {
    if (next_ >= lines_.size())
      fail(last_line_, "the file ends early, expected " + std::to_string(count) + " value" + (count == 1 ? "" : "s") +
                           " (" + what + ")");
    const Line& line = lines_[next_++];
    std::vector<std::string_view> items;
    std::size_t start = 0;
    while (true) {
      std::size_t comma = line.text.find(',', start);
      items.push_back(trim(line.text.substr(start, comma == std::string_view::npos ? comma : comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    // Trailing commas are the format's habit, not missing values.
    while (!items.empty() && items.back().empty()) items.pop_back();
    for (std::size_t i = 0; i < items.size(); ++i)
      if (items[i].empty())
        fail(line.number, "value " + std::to_string(i + 1) + " is empty (two commas in a row), expected a number");
    if (items.size() != count && (alternative == 0 || items.size() != alternative)) {
      std::string expected = std::to_string(count);
      if (alternative != 0) expected += " or " + std::to_string(alternative);
      fail(line.number, "expected " + expected + " value" + (count == 1 && alternative == 0 ? "" : "s") + " (" + what +
                            "), got " + std::to_string(items.size()));
    }
    Vector values;
    values.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      try {
        values.push_back(arith::parse_rational(items[i]));
      } catch (const arith::NumberSyntaxError& e) {
        fail(line.number, "value " + std::to_string(i + 1) + ": " + e.what() + ", expected a decimal number");
      }
    }
    return {line.number, std::move(values)};
  }

  std::size_t size_value(const Rational& v, std::size_t line, const std::string& what, std::size_t limit) const {
    if (v.get_den() != 1 || v < 1 || v > Rational(static_cast<unsigned long>(limit)))
      fail(line, what + " is " + v.get_str() + ", expected a positive integer at most " + std::to_string(limit));
    return v.get_num().get_ui();
  }

  // Non-blank lines after the last record mean the header sizes and the
  // content disagree; refuse rather than guess which one is right.
  void expect_end() const {
    if (next_ < lines_.size())
      fail(lines_[next_].number,
           "unexpected content after the last layer's biases, expected the end of the file (do the layer sizes in "
           "the header match the weights?)");
  }

 private:
  std::string source_;
  std::vector<std::string>* warnings_;
  std::vector<Line> lines_;
  std::size_t next_ = 0, last_line_ = 1;
};

net::Dense diagonal(const Vector& scale, const Vector& shift) {
  net::Dense d{arith::Matrix(scale.size(), scale.size()), shift};
  for (std::size_t i = 0; i < scale.size(); ++i) d.weights(i, i) = scale[i];
  return d;
}

}  // namespace

net::Network parse_nnet(std::string_view text, const std::string& source, std::vector<std::string>* warnings) {
  Reader in(text, source, warnings);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    in.fail(1, "the file is empty, expected an NNet network");

  auto [header_line, header] = in.record(4, "number of layers, inputs, outputs, largest layer size");
  std::size_t layer_count = in.size_value(header[0], header_line, "the number of layers", max_layers);
  std::size_t n_in = in.size_value(header[1], header_line, "the number of inputs", max_width);
  std::size_t n_out = in.size_value(header[2], header_line, "the number of outputs", max_width);
  std::size_t declared_max = in.size_value(header[3], header_line, "the largest layer size", max_width);

  auto [sizes_line, size_values] = in.record(layer_count + 1, "layer sizes, inputs first");
  std::vector<std::size_t> sizes;
  for (std::size_t k = 0; k < size_values.size(); ++k)
    sizes.push_back(in.size_value(size_values[k], sizes_line, "layer size " + std::to_string(k + 1), max_width));
  if (sizes.front() != n_in)
    in.fail(sizes_line, "the first layer size is " + std::to_string(sizes.front()) + ", expected " +
                            std::to_string(n_in) + " (the number of inputs)");
  if (sizes.back() != n_out)
    in.fail(sizes_line, "the last layer size is " + std::to_string(sizes.back()) + ", expected " +
                            std::to_string(n_out) + " (the number of outputs)");
  if (std::size_t largest = *std::max_element(sizes.begin(), sizes.end()); largest != declared_max)
    in.warn(header_line, "the largest layer size is given as " + std::to_string(declared_max) + " but is " +
                             std::to_string(largest) + "; ignored");

  // The legacy "symmetric" flag: present in every file, meaningless.
  (void)in.record(1, "the legacy flag, usually 0");

  auto [mins_line, mins] = in.record(n_in, "input minimums");
  auto [maxs_line, maxs] = in.record(n_in, "input maximums");
  for (std::size_t i = 0; i < n_in; ++i)
    if (mins[i] > maxs[i])
      in.fail(maxs_line, "input " + std::to_string(i + 1) + " has maximum " + maxs[i].get_str() +
                             " below its minimum " + mins[i].get_str() + " (line " + std::to_string(mins_line) +
                             "), expected min <= max");
  // The format gives one shared output mean and range; some writers give one
  // per output, which means the same when they agree and is accepted anyway.
  std::size_t per_output = n_out == 1 ? 0 : n_in + n_out;
  auto [means_line, means] = in.record(n_in + 1, "input means, then the output mean", per_output);
  auto [ranges_line, ranges] = in.record(n_in + 1, "input ranges, then the output range", per_output);
  for (std::size_t i = 0; i < n_in; ++i)
    if (ranges[i] == 0)
      in.fail(ranges_line,
              "input " + std::to_string(i + 1) + " has range 0, expected a nonzero range (inputs are divided by it)");

  net::Network net;
  net.name = std::filesystem::path(source).stem().string();
  net.input_dim = n_in;
  net.domain = net::Box::everything(n_in);
  for (std::size_t i = 0; i < n_in; ++i) net.domain.sides[i] = {mins[i], maxs[i]};

  // (x - mean) / range = x / range - mean / range.
  Vector scale(n_in), shift(n_in);
  bool normalises = false;
  for (std::size_t i = 0; i < n_in; ++i) {
    scale[i] = 1 / ranges[i];
    shift[i] = -means[i] / ranges[i];
    normalises = normalises || scale[i] != 1 || shift[i] != 0;
  }
  if (normalises) net.layers.push_back(diagonal(scale, shift));

  for (std::size_t k = 0; k < layer_count; ++k) {
    std::size_t in_width = sizes[k], out_width = sizes[k + 1];
    std::string layer = "layer " + std::to_string(k + 1) + " of " + std::to_string(layer_count);
    net::Dense d{arith::Matrix(0, in_width), Vector(out_width)};
    for (std::size_t r = 0; r < out_width; ++r)
      d.weights.append_row(in.record(in_width, "weights of neuron " + std::to_string(r + 1) + " of " +
                                                   std::to_string(out_width) + " in " + layer)
                               .second);
    for (std::size_t r = 0; r < out_width; ++r)
      d.bias[r] =
          in.record(1, "bias of neuron " + std::to_string(r + 1) + " of " + std::to_string(out_width) + " in " + layer)
              .second[0];
    net.layers.push_back(std::move(d));
    if (k + 1 < layer_count) net.layers.push_back(net::Relu{});
  }
  in.expect_end();

  // y * range_out + mean_out, with one shared or per-output range and mean.
  Vector out_scale(n_out), out_shift(n_out);
  bool denormalises = false;
  for (std::size_t j = 0; j < n_out; ++j) {
    std::size_t at = means.size() == n_in + 1 ? n_in : n_in + j;
    out_scale[j] = ranges[at];
    out_shift[j] = means[at];
    denormalises = denormalises || out_scale[j] != 1 || out_shift[j] != 0;
  }
  if (std::find(ranges.begin() + n_in, ranges.end(), Rational(0)) != ranges.end())
    in.warn(ranges_line, "an output range is 0: that output is the constant output mean");
  if (denormalises) net.layers.push_back(diagonal(out_scale, out_shift));
  net.codomain = net::Box::everything(n_out);
  return net;
}

net::Network load_nnet(const std::filesystem::path& path, std::vector<std::string>* warnings) {
  return parse_nnet(read_input_file(path), path.string(), warnings);
}

}  // namespace nninv::io
