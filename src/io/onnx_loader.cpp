// ONNX reader: walks the graph's nodes in order, keeping every tensor either
// as a constant or as affine forms over the input of the current dense layer.
// Affine operations (Gemm, MatMul, Conv, pooling averages, Add, Sub, Mul,
// Div, reshapes, slices, concatenations) compose exactly on those forms; an
// activation turns the forms into a dense layer and starts a new one. A graph
// need not be a chain: every value a later node still reads is carried
// through the activation (one neuron for a value known to be nonnegative, the
// pair act(a), act(-a) otherwise, since act(a) - act(-a) = (1 + alpha) a), so
// skip connections and coupling layers become one exact chain of layers.
// Floats become the exact binary fractions they denote (IEEE 754: a finite
// float is m * 2^e with integers m, e).
#include "nninv/io/onnx_loader.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <cmath>
#include <map>
#include <optional>

#include "nninv/errors.hpp"
#include "nninv/io/load_model.hpp"

namespace nninv::io {
namespace {

using arith::Rational;
using arith::Vector;
using Shape = std::vector<std::size_t>;

// Tensors with more elements are refused (a model that size is beyond exact
// reasoning anyway, and the check keeps allocations bounded).
constexpr std::size_t max_elements = std::size_t{1} << 27;
// Composing affine forms costs about this many rational operations at most
// before the forms are written out as a dense layer first.
constexpr std::size_t max_fold_operations = std::size_t{50} << 20;

// At most this many values may depend on the input at any point (the widest
// layer nninv accepts, as in the JSON reader).
constexpr std::size_t max_width = std::size_t{1} << 20;

// A problem without its place; the caller prefixes the file and the node.
class Problem : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// IEEE 754 binary interchange formats: sign, biased exponent, fraction.
Rational ieee_value(std::uint64_t bits, int exponent_bits, int fraction_bits) {
  std::uint64_t fraction = bits & ((std::uint64_t{1} << fraction_bits) - 1);
  std::uint64_t biased = (bits >> fraction_bits) & ((std::uint64_t{1} << exponent_bits) - 1);
  bool negative = (bits >> (fraction_bits + exponent_bits)) & 1;
  long bias = (1L << (exponent_bits - 1)) - 1;
  if (biased == (std::uint64_t{1} << exponent_bits) - 1) throw Problem(fraction ? "is NaN" : "is infinite");
  std::uint64_t mantissa = biased == 0 ? fraction : fraction | (std::uint64_t{1} << fraction_bits);
  long exponent = (biased == 0 ? 1 : static_cast<long>(biased)) - bias - fraction_bits;
  static_assert(sizeof(unsigned long) >= sizeof(std::uint64_t));
  Rational value{mpz_class(static_cast<unsigned long>(mantissa))};
  if (exponent > 0) mpq_mul_2exp(value.get_mpq_t(), value.get_mpq_t(), static_cast<mp_bitcnt_t>(exponent));
  if (exponent < 0) mpq_div_2exp(value.get_mpq_t(), value.get_mpq_t(), static_cast<mp_bitcnt_t>(-exponent));
  return negative ? Rational(-value) : value;
}

Rational float32_value(std::uint32_t bits) { return ieee_value(bits, 8, 23); }
Rational float64_value(std::uint64_t bits) { return ieee_value(bits, 11, 52); }
Rational float16_value(std::uint32_t bits) { return ieee_value(bits & 0xffffu, 5, 10); }
Rational bfloat16_value(std::uint32_t bits) { return ieee_value((bits & 0xffffu) << 16, 8, 23); }

Rational double_value(double d) {
  std::uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return float64_value(bits);
}

Rational float_value(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return float32_value(bits);
}

std::string shape_text(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::size_t element_count(const Shape& shape) {
  std::size_t n = 1;
  for (std::size_t d : shape) {
    if (d != 0 && n > max_elements / d)
      throw Problem("has shape " + shape_text(shape) + ", more than " + std::to_string(max_elements) + " elements");
    n *= d;
  }
  return n;
}

std::uint64_t little_endian(const std::string& bytes, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t b = 0; b < width; ++b) v |= std::uint64_t{static_cast<unsigned char>(bytes[at + b])} << (8 * b);
  return v;
}

Rational signed_value(std::uint64_t bits, std::size_t width) {
  if (width < 8 && (bits >> (8 * width - 1)) & 1) bits |= ~std::uint64_t{0} << (8 * width);
  return Rational(mpz_class(std::to_string(static_cast<std::int64_t>(bits))));
}

// The values of a TensorProto, row-major, exactly.
struct Tensor {
  Shape shape;
  Vector values;
};

template <std::size_t width>
Rational from_signed(std::uint64_t bits) {
  return signed_value(bits, width);
}
Rational from_unsigned(std::uint64_t bits) { return Rational(mpz_class(std::to_string(bits))); }
Rational from_float32(std::uint64_t bits) { return float32_value(static_cast<std::uint32_t>(bits)); }
Rational from_float16(std::uint64_t bits) { return float16_value(static_cast<std::uint32_t>(bits)); }
Rational from_bfloat16(std::uint64_t bits) { return bfloat16_value(static_cast<std::uint32_t>(bits)); }

// Bytes per element in raw_data, and the value of an element's bits.
struct Encoding {
  std::size_t width;
  Rational (*decode)(std::uint64_t bits);
};

Encoding encoding_of(int data_type) {
  using T = onnx::TensorProto;
  switch (data_type) {
    case T::FLOAT:
      return {4, from_float32};
    case T::DOUBLE:
      return {8, float64_value};
    case T::FLOAT16:
      return {2, from_float16};
    case T::BFLOAT16:
      return {2, from_bfloat16};
    case T::INT8:
      return {1, from_signed<1>};
    case T::INT16:
      return {2, from_signed<2>};
    case T::INT32:
      return {4, from_signed<4>};
    case T::INT64:
      return {8, from_signed<8>};
    case T::UINT8:
    case T::BOOL:
      return {1, from_unsigned};
    case T::UINT16:
      return {2, from_unsigned};
    case T::UINT32:
      return {4, from_unsigned};
    case T::UINT64:
      return {8, from_unsigned};
  }
  std::string name = T::DataType_IsValid(data_type) ? T::DataType_Name(static_cast<T::DataType>(data_type)) : "";
  throw Problem("has element type " + (name.empty() ? std::to_string(data_type) : name) +
                ", expected a float or integer type");
}

// decode(raw), with the element's index in the message of a NaN or infinity.
template <class Decode, class Raw>
Rational element(std::size_t index, const Decode& decode, Raw raw) {
  try {
    return decode(raw);
  } catch (const Problem& p) {
    throw Problem("value " + std::to_string(index) + " " + p.what() + ", expected finite numbers");
  }
}

Tensor read_tensor(const onnx::TensorProto& t) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw Problem("keeps its data in an external file, expected the data inside the model");
  Tensor out;
  for (std::int64_t d : t.dims()) {
    if (d < 0) throw Problem("has a negative dimension " + std::to_string(d));
    out.shape.push_back(static_cast<std::size_t>(d));
  }
  std::size_t count = element_count(out.shape);
  using T = onnx::TensorProto;
  Encoding encoding = encoding_of(t.data_type());
  std::size_t width = encoding.width;
  auto decode = encoding.decode;
  auto check_count = [&](std::size_t have, const char* field) {
    if (have != count)
      throw Problem("has " + std::to_string(have) + " values in " + field + ", expected " + std::to_string(count) +
                    " for shape " + shape_text(out.shape));
  };
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (raw.size() != count * width)
      throw Problem("has " + std::to_string(raw.size()) + " bytes of raw_data, expected " +
                    std::to_string(count * width) + " (" + std::to_string(count) + " values of " +
                    std::to_string(width) + " bytes for shape " + shape_text(out.shape) + ")");
    out.values.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
      out.values.push_back(element(i, decode, little_endian(raw, i * width, width)));
    return out;
  }
  out.values.reserve(std::min<std::size_t>(count, static_cast<std::size_t>(t.ByteSizeLong())));
  switch (t.data_type()) {
    case T::FLOAT:
      check_count(t.float_data_size(), "float_data");
      for (float f : t.float_data()) out.values.push_back(element(out.values.size(), float_value, f));
      break;
    case T::DOUBLE:
      check_count(t.double_data_size(), "double_data");
      for (double d : t.double_data()) out.values.push_back(element(out.values.size(), double_value, d));
      break;
    case T::INT64:
      check_count(t.int64_data_size(), "int64_data");
      for (std::int64_t v : t.int64_data()) out.values.push_back(Rational(mpz_class(std::to_string(v))));
      break;
    case T::UINT32:
    case T::UINT64:
      check_count(t.uint64_data_size(), "uint64_data");
      for (std::uint64_t v : t.uint64_data()) out.values.push_back(Rational(mpz_class(std::to_string(v))));
      break;
    case T::FLOAT16:
    case T::BFLOAT16:
      // The 16 bits of each value sit in the low half of an int32_data entry.
      check_count(t.int32_data_size(), "int32_data");
      for (std::int32_t v : t.int32_data())
        out.values.push_back(element(out.values.size(), decode, static_cast<std::uint32_t>(v)));
      break;
    default:
      check_count(t.int32_data_size(), "int32_data");
      for (std::int32_t v : t.int32_data()) out.values.push_back(Rational(v));
  }
  return out;
}

// One coordinate of a tensor that depends on the input: sum of coeff * z[index]
// + constant, where z is the input of the dense layer being built.
struct Term {
  std::uint32_t index;
  Rational coeff;
};
struct Affine {
  std::vector<Term> terms;  // sorted by index, no zero coefficients
  Rational constant;
};

// A tensor: constant values, or affine forms when it depends on the input.
// Forms are over the input of the dense layer being built; `generation`
// numbers that layer, so a value left behind by a new layer is caught.
struct Value {
  Shape shape;
  bool variable = false;
  Vector constant;
  std::vector<Affine> affine;
  std::size_t generation = 0;

  std::size_t size() const { return variable ? affine.size() : constant.size(); }
};

void scale(Affine& a, const Rational& c) {
  if (c == 0) {
    a.terms.clear();
    a.constant = 0;
    return;
  }
  for (Term& t : a.terms) t.coeff *= c;
  a.constant *= c;
}

// A copy of `v` whose element k is v's element map[k].
Value gather(const Value& v, const std::vector<std::size_t>& map, Shape shape) {
  Value out;
  out.shape = std::move(shape);
  out.variable = v.variable;
  out.generation = v.generation;
  if (v.variable) {
    out.affine.reserve(map.size());
    for (std::size_t k : map) out.affine.push_back(v.affine[k]);
  } else {
    out.constant.reserve(map.size());
    for (std::size_t k : map) out.constant.push_back(v.constant[k]);
  }
  return out;
}

Value reshaped(Value v, Shape shape) {
  if (element_count(shape) != v.size())
    throw Problem("cannot reshape " + shape_text(v.shape) + " (" + std::to_string(v.size()) + " elements) to " +
                  shape_text(shape));
  v.shape = std::move(shape);
  return v;
}

// Numpy broadcasting of two shapes, aligned on the right.
Shape broadcast_shape(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::size_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    std::size_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1)
      throw Problem("shapes " + shape_text(a) + " and " + shape_text(b) + " cannot be broadcast together");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// For each element of a tensor of shape `to`, the element of a tensor of
// shape `from` that broadcasting puts there.
std::vector<std::size_t> broadcast_map(const Shape& from, const Shape& to) {
  std::size_t offset = to.size() - from.size();
  std::vector<std::size_t> stride(to.size(), 0);
  std::size_t s = 1;
  for (std::size_t i = from.size(); i-- > 0;) {
    stride[i + offset] = from[i] == 1 ? 0 : s;
    s *= from[i];
  }
  std::size_t count = element_count(to);
  std::vector<std::size_t> map(count);
  for (std::size_t flat = 0; flat < count; ++flat) {
    std::size_t rest = flat, at = 0;
    for (std::size_t i = to.size(); i-- > 0;) {
      at += (rest % to[i]) * stride[i];
      rest /= to[i];
    }
    map[flat] = at;
  }
  return map;
}

Value transposed(const Value& v, const std::vector<std::size_t>& perm) {
  std::size_t rank = v.shape.size();
  Shape shape(rank);
  std::vector<std::size_t> in_stride(rank), out_stride(rank);
  for (std::size_t i = rank, s = 1; i-- > 0;) {
    in_stride[i] = s;
    s *= v.shape[i];
  }
  for (std::size_t i = 0; i < rank; ++i) shape[i] = v.shape[perm[i]];
  std::vector<std::size_t> map(v.size());
  for (std::size_t flat = 0; flat < map.size(); ++flat) {
    std::size_t rest = flat, at = 0;
    for (std::size_t i = rank; i-- > 0;) {
      at += (rest % shape[i]) * in_stride[perm[i]];
      rest /= shape[i];
    }
    map[flat] = at;
  }
  return gather(v, map, shape);
}

enum class Arith { add, sub, mul, div };

// a + sign * b on sorted terms.
Affine combined(const Affine& a, const Affine& b, int sign) {
  Affine out;
  out.terms.reserve(a.terms.size() + b.terms.size());
  std::size_t i = 0, j = 0;
  while (i < a.terms.size() || j < b.terms.size()) {
    if (j == b.terms.size() || (i < a.terms.size() && a.terms[i].index < b.terms[j].index)) {
      out.terms.push_back(a.terms[i++]);
    } else if (i == a.terms.size() || b.terms[j].index < a.terms[i].index) {
      out.terms.push_back({b.terms[j].index, sign * b.terms[j].coeff});
      ++j;
    } else {
      Rational c = a.terms[i].coeff + sign * b.terms[j].coeff;
      if (c != 0) out.terms.push_back({a.terms[i].index, std::move(c)});
      ++i, ++j;
    }
  }
  out.constant = a.constant + sign * b.constant;
  return out;
}

// The input-dependent operand's forms are moved when `consume` is set and
// broadcasting keeps its shape (the caller knows no later node reads it).
// Two input-dependent operands: sums and differences only (skip connections).
Value elementwise(Arith op, Value& a, Value& b, bool consume = false) {
  if (a.variable && b.variable) {
    if (op == Arith::mul || op == Arith::div)
      throw Problem(std::string("both operands depend on the input: their ") +
                    (op == Arith::mul ? "product" : "quotient") +
                    " is not piecewise linear, expected one constant operand");
    if (a.generation != b.generation)
      throw Problem("internal error: the operands are forms over different layers");
    Value out;
    out.shape = broadcast_shape(a.shape, b.shape);
    std::vector<std::size_t> ia = broadcast_map(a.shape, out.shape), ib = broadcast_map(b.shape, out.shape);
    if (ia.size() > max_width)
      throw Problem("broadcasting gives " + std::to_string(ia.size()) +
                    " values that depend on the input, expected at most " + std::to_string(max_width));
    out.variable = true;
    out.generation = a.generation;
    out.affine.reserve(ia.size());
    for (std::size_t k = 0; k < ia.size(); ++k)
      out.affine.push_back(combined(a.affine[ia[k]], b.affine[ib[k]], op == Arith::add ? 1 : -1));
    return out;
  }
  Value out;
  out.shape = broadcast_shape(a.shape, b.shape);
  std::vector<std::size_t> ia = broadcast_map(a.shape, out.shape), ib = broadcast_map(b.shape, out.shape);
  std::size_t n = ia.size();
  if (!a.variable && !b.variable) {
    out.constant.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      const Rational &x = a.constant[ia[k]], &y = b.constant[ib[k]];
      switch (op) {
        case Arith::add:
          out.constant[k] = x + y;
          break;
        case Arith::sub:
          out.constant[k] = x - y;
          break;
        case Arith::mul:
          out.constant[k] = x * y;
          break;
        case Arith::div:
          if (y == 0) throw Problem("divides by zero");
          out.constant[k] = x / y;
      }
    }
    return out;
  }
  out.variable = true;
  out.generation = a.variable ? a.generation : b.generation;
  if (n > max_width)
    throw Problem("broadcasting gives " + std::to_string(n) + " values that depend on the input, expected at most " +
                  std::to_string(max_width));
  out.affine.resize(n);
  Value& v = a.variable ? a : b;
  const std::vector<std::size_t>& iv = a.variable ? ia : ib;
  bool same_shape = v.affine.size() == n;
  same_shape = same_shape && consume;
  for (std::size_t k = 0; same_shape && k < n; ++k) same_shape = iv[k] == k;
  for (std::size_t k = 0; k < n; ++k) {
    Affine& e = out.affine[k];
    if (same_shape)
      e = std::move(v.affine[k]);
    else
      e = v.affine[iv[k]];
    if (a.variable) {
      const Rational& c = b.constant[ib[k]];
      switch (op) {
        case Arith::add:
          e.constant += c;
          break;
        case Arith::sub:
          e.constant -= c;
          break;
        case Arith::mul:
          scale(e, c);
          break;
        case Arith::div:
          if (c == 0) throw Problem("divides by zero");
          scale(e, 1 / c);
      }
    } else {
      const Rational& c = a.constant[ia[k]];
      switch (op) {
        case Arith::add:
          e.constant += c;
          break;
        case Arith::sub:
          scale(e, -1);
          e.constant += c;
          break;
        case Arith::mul:
          scale(e, c);
          break;
        case Arith::div:
          throw Problem("divides by a value that depends on the input (not affine)");
      }
    }
  }
  return out;
}

// The node's attribute `name`, or nullptr.
const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::int64_t int_attribute(const onnx::NodeProto& node, const std::string& name, std::int64_t fallback) {
  const auto* a = attribute(node, name);
  return a ? a->i() : fallback;
}

Rational float_attribute(const onnx::NodeProto& node, const std::string& name, float fallback) {
  const auto* a = attribute(node, name);
  try {
    return float_value(a ? a->f() : fallback);
  } catch (const Problem& p) {
    throw Problem("attribute " + name + " " + p.what() + ", expected a finite number");
  }
}

// An axis in [-rank, rank) as an index in [0, rank).
std::size_t axis_index(std::int64_t axis, std::size_t rank, const std::string& what) {
  std::int64_t r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r)
    throw Problem(what + " " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

const char* const supported_operators =
    "Gemm, MatMul, Conv, ConvTranspose, Add, Sub, Mul, Div, Neg, Relu, LeakyRelu, PRelu, Clip, MaxPool, AveragePool, "
    "GlobalMaxPool, GlobalAveragePool, BatchNormalization, Pad, Concat, Split, Slice, Gather, Shape, Cast, "
    "ConstantOfShape, Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Identity, Dropout, Constant; Tanh, Sigmoid, "
    "Elu, Softplus; Softmax, LogSoftmax, ArgMax as the last step";

// Why a common operator is not read, and what works instead (empty for
// operators nninv has nothing to say about).
std::string unsupported_reason(const std::string& op) {
  static const std::vector<std::pair<std::string, std::string>> reasons = {
      {"Gelu", "not monotone: nninv reads the increasing smooth activations Tanh, Sigmoid, Elu and Softplus"},
      {"Mish", "not monotone: nninv reads the increasing smooth activations Tanh, Sigmoid, Elu and Softplus"},
      {"HardSigmoid", "not read yet; the same function as Clip(alpha x + beta, 0, 1) is"},
      {"Selu", "not read yet; Elu followed by a Mul by the constant gamma is the same function"},
  };
  for (const auto& [name, why] : reasons)
    if (name == op) return " (" + why + ")";
  return "";
}

class GraphReader {
 public:
  GraphReader(std::string source, std::vector<std::string>* warnings)
      : source_(std::move(source)), warnings_(warnings) {}

  net::Model read(const onnx::ModelProto& model) {
    if (!model.has_graph()) fail("model", "has no graph, expected an ONNX model (is this an ONNX file?)");
    const onnx::GraphProto& graph = model.graph();
    if (graph.sparse_initializer_size() > 0) fail("model", "has sparse initializers, expected dense ones");
    for (const auto& t : graph.initializer()) {
      try {
        Tensor tensor = read_tensor(t);
        Value v;
        v.shape = std::move(tensor.shape);
        v.constant = std::move(tensor.values);
        values_[t.name()] = std::move(v);
      } catch (const Problem& p) {
        fail("initializer '" + t.name() + "'", p.what());
      }
    }
    net::Network net;
    net.name = std::filesystem::path(source_).stem().string();
    net.input_dim = read_input(graph);
    // The last node that reads each value (the graph's output: past the end).
    for (int k = 0; k < graph.node_size(); ++k)
      for (const std::string& name : graph.node(k).input())
        if (!name.empty()) last_use_[name] = static_cast<std::size_t>(k);
    if (graph.output_size() == 1) last_use_[graph.output(0).name()] = std::numeric_limits<std::size_t>::max();
    for (int k = 0; k < graph.node_size(); ++k) {
      const onnx::NodeProto& node = graph.node(k);
      node_index_ = static_cast<std::size_t>(k);
      try {
        apply(node);
        release_inputs(node);
      } catch (const Problem& p) {
        std::string where = "node " + std::to_string(k);
        if (!node.name().empty()) where += " '" + node.name() + "'";
        fail(where + " (" + node.op_type() + ")", p.what());
      }
    }
    if (graph.output_size() != 1)
      fail("model", "the graph has " + std::to_string(graph.output_size()) + " outputs, expected one");
    const std::string& name = graph.output(0).name();
    auto it = values_.find(name);
    if (it == values_.end()) fail("output '" + name + "'", "is produced by no node");
    if (head_ != net::Head::none && name != head_output_)
      fail("output '" + name + "'", std::string("is not the output of the ") + net::head_name(head_) + " head (" +
                                        head_where_ + "), which nninv reads only as the graph's last step");
    if (!it->second.variable)
      fail("output '" + name + "'", "does not depend on the input, expected the network's output");
    if (it->second.generation != generation_)
      fail("output '" + name + "'", "internal error: the output was not carried to the last layer");
    write_dense(it->second);
    net.layers = std::move(layers_);
    net.domain = net::Box::everything(net.input_dim);
    net.codomain = net::Box::everything(it->second.size());
    net::Model result;
    result.codomain = net::Box::everything(head_ == net::Head::argmax ? 1 : it->second.size());
    result.net = std::move(net);
    result.smooth = std::move(smooth_);
    result.head = head_;
    result.last_index = last_index_;
    result.head_where = head_where_;
    return result;
  }

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw InputError(source_ + ": " + where + ": " + what);
  }
  void warn(const std::string& where, const std::string& what) const {
    if (warnings_) warnings_->push_back(source_ + ": " + where + ": " + what);
  }

  // The graph input that is not an initializer (old models list initializers
  // among the inputs too) becomes the identity forms over itself.
  std::size_t read_input(const onnx::GraphProto& graph) {
    std::vector<const onnx::ValueInfoProto*> inputs;
    for (const auto& in : graph.input())
      if (!values_.count(in.name())) inputs.push_back(&in);
    if (inputs.size() != 1) {
      std::string names;
      for (const auto* in : inputs) names += (names.empty() ? "" : ", ") + ("'" + in->name() + "'");
      fail("model", "the graph has " + std::to_string(inputs.size()) + " inputs that are not initializers" +
                        (names.empty() ? "" : " (" + names + ")") + ", expected one");
    }
    const onnx::ValueInfoProto& in = *inputs[0];
    std::string where = "input '" + in.name() + "'";
    if (!in.type().has_tensor_type() || !in.type().tensor_type().has_shape())
      fail(where, "has no tensor shape, expected a tensor of known shape");
    Value v;
    v.variable = true;
    const auto& dims = in.type().tensor_type().shape().dim();
    for (int i = 0; i < dims.size(); ++i) {
      if (dims[i].has_dim_value()) {
        if (dims[i].dim_value() <= 0)
          fail(where, "dimension " + std::to_string(i) + " is " + std::to_string(dims[i].dim_value()) +
                          ", expected a positive size");
        v.shape.push_back(static_cast<std::size_t>(dims[i].dim_value()));
      } else {
        v.shape.push_back(1);
        warn(where, "dimension " + std::to_string(i) +
                        (dims[i].has_dim_param() ? " '" + dims[i].dim_param() + "'" : std::string()) +
                        " is symbolic, taken as 1 (one input vector)");
      }
    }
    std::size_t n;
    try {
      n = element_count(v.shape);
    } catch (const Problem& p) {
      fail(where, p.what());
    }
    if (n > max_width)
      fail(where, "has " + std::to_string(n) + " elements, expected at most " + std::to_string(max_width));
    v.affine = identity(n);
    v.generation = generation_ = 1;
    segment_width_ = n;
    nonnegative_.assign(n, 0);
    values_[in.name()] = std::move(v);
    return n;
  }

  static std::vector<Affine> identity(std::size_t n) {
    std::vector<Affine> forms(n);
    for (std::size_t i = 0; i < n; ++i) forms[i].terms.push_back({static_cast<std::uint32_t>(i), Rational(1)});
    return forms;
  }

  bool is_identity(const Value& v) const {
    if (v.affine.size() != segment_width_) return false;
    for (std::size_t i = 0; i < v.affine.size(); ++i) {
      const Affine& a = v.affine[i];
      if (a.constant != 0 || a.terms.size() != 1 || a.terms[0].index != i || a.terms[0].coeff != 1) return false;
    }
    return true;
  }

  // Writes the forms of `v` out as a dense layer (unless they are the
  // identity); afterwards v is the identity over that layer's output. Only
  // when no other value a later node reads depends on the input: theirs
  // would be left over the old layer.
  void write_dense(Value& v) {
    if (is_identity(v)) return;
    for (const Value* other : live_values())
      if (other != &v) throw Problem("internal error: a dense layer written while other values are live");
    net::Dense d{arith::Matrix(v.affine.size(), segment_width_), Vector(v.affine.size())};
    for (std::size_t r = 0; r < v.affine.size(); ++r) {
      for (Term& t : v.affine[r].terms) d.weights(r, t.index) = std::move(t.coeff);
      d.bias[r] = std::move(v.affine[r].constant);
    }
    layers_.push_back(std::move(d));
    segment_width_ = v.affine.size();
    nonnegative_.assign(segment_width_, 0);
    v.affine = identity(segment_width_);
    v.generation = ++generation_;
  }

  // The input-dependent values that a node after this one reads, in name order.
  std::vector<Value*> live_values() {
    std::vector<Value*> live;
    for (auto& [name, v] : values_) {
      if (!v.variable) continue;
      auto it = last_use_.find(name);
      if (it != last_use_.end() && it->second > node_index_) live.push_back(&v);
    }
    return live;
  }

  // Values whose last reader was this node are dropped (their forms can be large).
  void release_inputs(const onnx::NodeProto& node) {
    for (const std::string& name : node.input()) {
      auto it = last_use_.find(name);
      if (it != last_use_.end() && it->second == node_index_) {
        auto v = values_.find(name);
        if (v != values_.end() && v->second.variable) values_.erase(v);
      }
    }
  }

  // Input i of the node as a value of its own: moved out when no later node
  // reads it, copied otherwise.
  Value take(const onnx::NodeProto& node, int i) {
    Value& v = input(node, i);
    if (!v.variable || last_use_[node.input(i)] > node_index_) return v;
    for (int j = 0; j < node.input_size(); ++j)
      if (j != i && node.input(j) == node.input(i)) return v;  // read twice by this node
    return std::move(v);
  }
  bool consumable(const onnx::NodeProto& node, int i) {
    if (last_use_[node.input(i)] > node_index_) return false;
    for (int j = 0; j < node.input_size(); ++j)
      if (j != i && node.input(j) == node.input(i)) return false;
    return true;
  }

  bool known_nonnegative(const Affine& a) const {
    if (a.constant < 0) return false;
    for (const Term& t : a.terms)
      if (t.coeff < 0 || !nonnegative_[t.index]) return false;
    return true;
  }

  // act(in) as a dense layer and an activation layer (relu, or leaky_relu
  // with slope alpha). Every live value and each of `carry` is carried
  // through, so that afterwards all of them (and `in`, now act(in)) are forms
  // over the activation's output: a form known to be nonnegative by one
  // neuron (act(a) = a), any other by the pair act(a), act(-a), whose
  // difference is (1 + alpha) a; constant forms need no neuron.
  void activate(Value& in, const std::optional<Rational>& alpha, const std::vector<Value*>& carry = {}) {
    std::vector<Value*> through = live_values();
    for (Value* c : carry) through.push_back(c);
    if (through.empty()) {
      write_dense(in);
      layers_.push_back(alpha ? net::Layer(net::LeakyRelu{*alpha}) : net::Layer(net::Relu{}));
      nonnegative_.assign(segment_width_, alpha ? 0 : 1);
      in.generation = ++generation_;  // forms over the activation's output now
      return;
    }
    std::size_t rows = in.affine.size();
    for (const Value* v : through)
      for (const Affine& a : v->affine) rows += a.terms.empty() ? 0 : known_nonnegative(a) ? 1 : 2;
    if (rows > max_width)
      throw Problem("carrying the values later nodes read through this activation needs " + std::to_string(rows) +
                    " neurons, more than " + std::to_string(max_width));
    net::Dense d{arith::Matrix(rows, segment_width_), Vector(rows)};
    std::vector<char> nonnegative(rows, alpha ? 0 : 1);
    std::size_t r = 0;
    auto put = [&](const Affine& a, int sign) {
      for (const Term& t : a.terms) d.weights(r, t.index) = sign * t.coeff;
      d.bias[r] = sign * a.constant;
      ++r;
    };
    for (const Affine& a : in.affine) put(a, 1);
    Rational inverse = 1 / (1 + (alpha ? *alpha : Rational(0)));
    std::vector<std::vector<Affine>> carried(through.size());
    for (std::size_t k = 0; k < through.size(); ++k) {
      for (Affine& a : through[k]->affine) {
        Affine next;
        next.constant = a.constant;
        if (!a.terms.empty()) {
          next.constant = 0;
          if (known_nonnegative(a)) {
            nonnegative[r] = 1;
            next.terms.push_back({static_cast<std::uint32_t>(r), Rational(1)});
            put(a, 1);
          } else {
            next.terms.push_back({static_cast<std::uint32_t>(r), inverse});
            next.terms.push_back({static_cast<std::uint32_t>(r + 1), -inverse});
            put(a, 1);
            put(a, -1);
          }
        }
        carried[k].push_back(std::move(next));
      }
    }
    layers_.push_back(std::move(d));
    layers_.push_back(alpha ? net::Layer(net::LeakyRelu{*alpha}) : net::Layer(net::Relu{}));
    segment_width_ = rows;
    nonnegative_ = std::move(nonnegative);
    ++generation_;
    in.affine = identity(in.affine.size());
    in.generation = generation_;
    for (std::size_t k = 0; k < through.size(); ++k) {
      through[k]->affine = std::move(carried[k]);
      through[k]->generation = generation_;
    }
  }

  std::string node_where(const onnx::NodeProto& node) const {
    std::string where = "node " + std::to_string(node_index_);
    if (!node.name().empty()) where += " '" + node.name() + "'";
    return where + " (" + node.op_type() + ")";
  }

  // A smooth activation: a dense layer, then an identity layer that the
  // model records as the activation (net/model.hpp). Unlike relu, nothing
  // else can be carried through it exactly, so it must be the only live value.
  Value smooth_activation(const onnx::NodeProto& node, Value in, net::Smooth kind, const Rational& alpha) {
    const char* name = net::smooth_name(kind);
    if (!in.variable)
      throw Problem(std::string("applies ") + name + " to a constant, whose value is not a rational number; "
                    "fold it in the exported model");
    if (!live_values().empty())
      throw Problem(std::string("other values that later nodes read (a skip connection or a coupling's other "
                                "half) would have to pass through this ") +
                    name + ", which nninv can do exactly only through relu and leaky_relu");
    write_dense(in);
    layers_.emplace_back(std::in_place_type<net::Identity>);
    smooth_.push_back({layers_.size() - 1, kind, alpha, node_where(node)});
    nonnegative_.assign(segment_width_, 0);
    in.generation = ++generation_;
    return in;
  }

  // Softmax, LogSoftmax or ArgMax over all features, as the model's head:
  // the value passes through as the logits the head reads.
  Value head(const onnx::NodeProto& node) {
    const std::string& op = node.op_type();
    Value v = take(node, 0);
    if (!v.variable) throw Problem("reads a constant, expected the logits of the network");
    std::int64_t fallback = op == "ArgMax" ? 0 : -1;
    std::int64_t axis = int_attribute(node, "axis", fallback);
    std::size_t a = axis_index(axis, v.shape.size(), "axis");
    // Over all features: every other dimension is 1 (then the opset-11 and
    // opset-13 meanings of Softmax's axis agree).
    if (v.shape[a] != v.size())
      throw Problem("axis " + std::to_string(axis) + " of the shape " + shape_text(v.shape) +
                    " does not hold all features, expected the head to act on the whole logit vector");
    if (op == "ArgMax") {
      head_ = net::Head::argmax;
      last_index_ = int_attribute(node, "select_last_index", 0) != 0;
      v.shape = {1};
    } else {
      head_ = op == "Softmax" ? net::Head::softmax : net::Head::log_softmax;
    }
    head_output_ = node.output(0);
    if (head_where_.empty() || op != "ArgMax") head_where_ = node_where(node);
    return v;
  }

  bool has_input(const onnx::NodeProto& node, int i) const { return i < node.input_size() && !node.input(i).empty(); }

  Value& input(const onnx::NodeProto& node, int i) {
    if (!has_input(node, i))
      throw Problem("has no input " + std::to_string(i) + ", expected " + std::to_string(i + 1) + " inputs");
    const std::string& name = node.input(i);
    auto it = values_.find(name);
    if (it == values_.end())
      throw Problem("reads '" + name + "', which no earlier node, initializer or graph input provides");
    if (it->second.variable && it->second.generation != generation_)
      throw Problem("reads '" + name + "', internal error: a value was not carried through a layer");
    return it->second;
  }

  const Value& constant_input(const onnx::NodeProto& node, int i, const std::string& what) {
    const Value& v = input(node, i);
    if (v.variable) throw Problem(what + " '" + node.input(i) + "' depends on the input, expected a constant");
    return v;
  }

  std::vector<std::int64_t> integers(const Value& v, const std::string& what) {
    std::vector<std::int64_t> out;
    for (const Rational& r : v.constant) {
      if (r.get_den() != 1 || !r.get_num().fits_slong_p())
        throw Problem(what + " holds " + r.get_str() + ", expected integers");
      out.push_back(r.get_num().get_si());
    }
    return out;
  }

  void set_output(const onnx::NodeProto& node, Value v) {
    if (node.output_size() < 1 || node.output(0).empty()) throw Problem("has no output");
    values_[node.output(0)] = std::move(v);
  }

  // Affine forms: sum of coeff * form, with a dense scratch row over the layer input.
  void start_sum() { sum_constant_ = 0; }
  void add_to_sum(const Rational& coeff, const Affine& form) {
    if (coeff == 0) return;
    if (scratch_.size() < segment_width_) {
      scratch_.resize(segment_width_);
      seen_.resize(segment_width_, 0);
    }
    for (const Term& t : form.terms) {
      if (!seen_[t.index]) {
        seen_[t.index] = 1;
        touched_.push_back(t.index);
        if (t.coeff == 1)  // the common case: forms fresh from an activation
          scratch_[t.index] = coeff;
        else
          scratch_[t.index] = coeff * t.coeff;
      } else {
        scratch_[t.index] += coeff * t.coeff;
      }
    }
    if (form.constant != 0) sum_constant_ += coeff * form.constant;
  }
  Affine finish_sum() {
    Affine out;
    std::sort(touched_.begin(), touched_.end());
    out.terms.reserve(touched_.size());
    for (std::uint32_t i : touched_) {
      if (scratch_[i] != 0) out.terms.push_back({i, std::move(scratch_[i])});
      seen_[i] = 0;
    }
    touched_.clear();
    out.constant = sum_constant_;
    return out;
  }

  // Numpy matmul with one constant operand (or two). trans_a / trans_b
  // (Gemm, rank 2 only) read that operand transposed.
  Value matmul(Value& a, Value& b, bool trans_a = false, bool trans_b = false) {
    if (a.variable && b.variable)
      throw Problem("both operands depend on the input, expected a constant matrix on one side");
    if (a.shape.empty() || b.shape.empty()) throw Problem("has a scalar operand, expected tensors of rank >= 1");
    Shape sa = a.shape, sb = b.shape;
    if (trans_a) std::swap(sa[0], sa[1]);
    if (trans_b) std::swap(sb[0], sb[1]);
    bool drop_row = sa.size() == 1, drop_col = sb.size() == 1;
    if (drop_row) sa.insert(sa.begin(), 1);
    if (drop_col) sb.push_back(1);
    std::size_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
    if (sb[sb.size() - 2] != k)
      throw Problem("operand shapes " + shape_text(sa) + " and " + shape_text(sb) +
                    " do not match for a matrix product");
    Shape batch_a(sa.begin(), sa.end() - 2), batch_b(sb.begin(), sb.end() - 2);
    Shape batch = broadcast_shape(batch_a, batch_b);
    std::vector<std::size_t> ba = broadcast_map(batch_a, batch), bb = broadcast_map(batch_b, batch);
    Shape shape = batch;
    if (!drop_row) shape.push_back(m);
    if (!drop_col) shape.push_back(n);
    if ((a.variable || b.variable) && element_count(shape) > max_width)
      throw Problem("the product has " + std::to_string(element_count(shape)) +
                    " values that depend on the input, expected at most " + std::to_string(max_width));
    // Element (i, l) of a's matrix number bi is a[ba[bi] * m * k + i * a_row + l * a_col]; same for b.
    std::size_t a_row = trans_a ? 1 : k, a_col = trans_a ? m : 1;
    std::size_t b_row = trans_b ? 1 : n, b_col = trans_b ? k : 1;

    if (a.variable || b.variable) {
      // Composing dense forms with a large matrix is slow: write them out first.
      std::size_t cost = 0;
      for (std::size_t bi = 0; bi < ba.size(); ++bi)
        for (std::size_t r = 0; r < (a.variable ? m : n); ++r)
          for (std::size_t l = 0; l < k; ++l)
            cost += a.variable ? a.affine[ba[bi] * m * k + r * a_row + l * a_col].terms.size() * n
                               : b.affine[bb[bi] * k * n + l * b_row + r * b_col].terms.size() * m;
      Value& v = a.variable ? a : b;
      std::vector<Value*> live = live_values();
      if (cost > max_fold_operations && std::all_of(live.begin(), live.end(), [&](Value* l) { return l == &v; }))
        write_dense(v);
    }

    Value out;
    out.shape = shape;
    out.variable = a.variable || b.variable;
    out.generation = generation_;
    for (std::size_t bi = 0; bi < ba.size(); ++bi)
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
          std::size_t a0 = ba[bi] * m * k + i * a_row, b0 = bb[bi] * k * n + j * b_col;
          if (!out.variable) {
            Rational s = 0;
            for (std::size_t l = 0; l < k; ++l) s += a.constant[a0 + l * a_col] * b.constant[b0 + l * b_row];
            out.constant.push_back(std::move(s));
            continue;
          }
          start_sum();
          for (std::size_t l = 0; l < k; ++l) {
            if (a.variable)
              add_to_sum(b.constant[b0 + l * b_row], a.affine[a0 + l * a_col]);
            else
              add_to_sum(a.constant[a0 + l * a_col], b.affine[b0 + l * b_row]);
          }
          out.affine.push_back(finish_sum());
        }
    return out;
  }

  Value gemm(const onnx::NodeProto& node) {
    Value& a = input(node, 0);
    Value& b = input(node, 1);
    for (const Value* v : {&a, &b})
      if (v->shape.size() != 2)
        throw Problem(std::string("input ") + (v == &a ? "A" : "B") + " has shape " + shape_text(v->shape) +
                      ", expected a matrix (rank 2)");
    Value y = matmul(a, b, int_attribute(node, "transA", 0) != 0, int_attribute(node, "transB", 0) != 0);
    Rational alpha = float_attribute(node, "alpha", 1.0f);
    if (alpha != 1) {
      Value c;
      c.constant = {alpha};
      y = elementwise(Arith::mul, y, c, true);
    }
    if (has_input(node, 2)) {
      Value c = input(node, 2);
      Rational beta = float_attribute(node, "beta", 1.0f);
      if (beta != 1) {
        Value s;
        s.constant = {beta};
        c = elementwise(Arith::mul, c, s);
      }
      Shape before = y.shape;
      y = elementwise(Arith::add, y, c, true);
      if (y.shape != before)
        throw Problem("bias C of shape " + shape_text(c.shape) + " does not broadcast to the product's shape " +
                      shape_text(before));
    }
    return y;
  }

  Value activation(Value out, const std::optional<Rational>& alpha) {
    if (!out.variable) {
      for (Rational& v : out.constant)
        if (v < 0) v = alpha ? Rational(*alpha * v) : Rational(0);
      return out;
    }
    activate(out, alpha);
    return out;
  }

  std::vector<std::int64_t> axes(const onnx::NodeProto& node) {
    if (const auto* a = attribute(node, "axes")) return {a->ints().begin(), a->ints().end()};
    if (has_input(node, 1)) return integers(constant_input(node, 1, "axes"), "axes");
    return {};
  }

  // After a join of two input-dependent values (a skip connection's Add, a
  // coupling layer's Concat): when the join is the only value later nodes
  // read, it is written out as a dense layer, so the chain keeps a layer
  // boundary there (a block boundary for the composition stage, docs/import.md).
  void cut_at(const std::string& name) {
    auto it = values_.find(name);
    if (it == values_.end() || !it->second.variable) return;
    std::vector<Value*> live = live_values();
    if (live.size() == 1 && live[0] == &it->second) write_dense(it->second);
  }

  std::vector<std::int64_t> int_list(const onnx::NodeProto& node, const std::string& name,
                                     std::vector<std::int64_t> fallback) {
    if (const auto* a = attribute(node, name)) return {a->ints().begin(), a->ints().end()};
    return fallback;
  }

  // Forms of a constant tensor (no terms), so that constants can join
  // input-dependent values in a concatenation or a pad.
  static std::vector<Affine> constant_forms(const Value& v) {
    std::vector<Affine> forms(v.constant.size());
    for (std::size_t k = 0; k < forms.size(); ++k) forms[k].constant = v.constant[k];
    return forms;
  }

  static std::vector<std::size_t> strides_of(const Shape& shape) {
    std::vector<std::size_t> stride(shape.size());
    for (std::size_t i = shape.size(), s = 1; i-- > 0;) {
      stride[i] = s;
      s *= shape[i];
    }
    return stride;
  }

  Value concat(const onnx::NodeProto& node) {
    if (!attribute(node, "axis")) throw Problem("has no axis attribute");
    if (node.input_size() < 1) throw Problem("has no inputs");
    std::vector<const Value*> parts;
    for (int i = 0; i < node.input_size(); ++i) parts.push_back(&input(node, i));
    std::size_t rank = parts[0]->shape.size();
    if (rank == 0) throw Problem("concatenates scalars, expected tensors of rank >= 1");
    std::size_t axis = axis_index(int_attribute(node, "axis", 0), rank, "axis");
    Shape shape = parts[0]->shape;
    shape[axis] = 0;
    bool variable = false;
    std::size_t generation = 0;
    for (const Value* p : parts) {
      if (p->shape.size() != rank)
        throw Problem("inputs have ranks " + std::to_string(rank) + " and " + std::to_string(p->shape.size()));
      for (std::size_t d = 0; d < rank; ++d)
        if (d != axis && p->shape[d] != parts[0]->shape[d])
          throw Problem("inputs of shapes " + shape_text(parts[0]->shape) + " and " + shape_text(p->shape) +
                        " differ off the axis " + std::to_string(axis));
      shape[axis] += p->shape[axis];
      if (p->variable) {
        variable = true;
        generation = p->generation;
      }
    }
    Value out;
    out.shape = shape;
    out.variable = variable;
    out.generation = generation;
    std::size_t outer = 1, inner = 1;
    for (std::size_t d = 0; d < axis; ++d) outer *= shape[d];
    for (std::size_t d = axis + 1; d < rank; ++d) inner *= shape[d];
    std::vector<std::vector<Affine>> forms;
    for (const Value* p : parts) forms.push_back(p->variable ? std::vector<Affine>() : constant_forms(*p));
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t j = 0; j < parts.size(); ++j) {
        const Value& p = *parts[j];
        std::size_t block = p.shape[axis] * inner;
        for (std::size_t k = 0; k < block; ++k) {
          std::size_t at = o * block + k;
          if (!variable)
            out.constant.push_back(p.constant[at]);
          else
            out.affine.push_back(p.variable ? p.affine[at] : forms[j][at]);
        }
      }
    if (variable && out.affine.size() > max_width)
      throw Problem("gives " + std::to_string(out.affine.size()) + " values that depend on the input, expected at most " +
                    std::to_string(max_width));
    return out;
  }

  // Elements of v whose index along `axis` is in `picks`, in that order.
  static Value pick(const Value& v, std::size_t axis, const std::vector<std::size_t>& picks) {
    Shape shape = v.shape;
    shape[axis] = picks.size();
    std::size_t outer = 1, inner = 1;
    for (std::size_t d = 0; d < axis; ++d) outer *= v.shape[d];
    for (std::size_t d = axis + 1; d < v.shape.size(); ++d) inner *= v.shape[d];
    std::vector<std::size_t> map;
    map.reserve(outer * picks.size() * inner);
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t p : picks)
        for (std::size_t i = 0; i < inner; ++i) map.push_back(o * v.shape[axis] * inner + p * inner + i);
    return gather(v, map, shape);
  }

  Value slice(const onnx::NodeProto& node) {
    const Value& data = input(node, 0);
    std::vector<std::int64_t> starts, ends, axes_list, steps;
    if (has_input(node, 1)) {
      starts = integers(constant_input(node, 1, "starts"), "starts");
      ends = integers(constant_input(node, 2, "ends"), "ends");
      if (has_input(node, 3)) axes_list = integers(constant_input(node, 3, "axes"), "axes");
      if (has_input(node, 4)) steps = integers(constant_input(node, 4, "steps"), "steps");
    } else {  // opset 1-9: attributes
      starts = int_list(node, "starts", {});
      ends = int_list(node, "ends", {});
      axes_list = int_list(node, "axes", {});
    }
    if (starts.size() != ends.size()) throw Problem("starts and ends have different lengths");
    if (axes_list.empty())
      for (std::size_t i = 0; i < starts.size(); ++i) axes_list.push_back(static_cast<std::int64_t>(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (axes_list.size() != starts.size() || steps.size() != starts.size())
      throw Problem("starts, ends, axes and steps have different lengths");
    Value out = data;
    for (std::size_t i = 0; i < starts.size(); ++i) {
      std::size_t axis = axis_index(axes_list[i], out.shape.size(), "axis");
      std::int64_t dim = static_cast<std::int64_t>(out.shape[axis]), step = steps[i];
      if (step == 0) throw Problem("step 0, expected a nonzero step");
      std::int64_t start = starts[i], end = ends[i];
      if (start < 0) start += dim;
      if (end < 0 && end > std::numeric_limits<std::int64_t>::min() / 2) end += dim;
      std::vector<std::size_t> picks;
      if (step > 0) {
        start = std::clamp<std::int64_t>(start, 0, dim);
        end = std::clamp<std::int64_t>(end, 0, dim);
        for (std::int64_t k = start; k < end; k += step) picks.push_back(static_cast<std::size_t>(k));
      } else {
        start = std::clamp<std::int64_t>(start, 0, dim - 1);
        end = std::clamp<std::int64_t>(end, -1, dim - 1);
        for (std::int64_t k = start; k > end; k += step) picks.push_back(static_cast<std::size_t>(k));
      }
      out = pick(out, axis, picks);
    }
    return out;
  }

  void split(const onnx::NodeProto& node) {
    const Value& data = input(node, 0);
    if (data.shape.empty()) throw Problem("splits a scalar");
    std::size_t axis = axis_index(int_attribute(node, "axis", 0), data.shape.size(), "axis");
    std::vector<std::int64_t> sizes;
    if (has_input(node, 1))
      sizes = integers(constant_input(node, 1, "split"), "split");
    else
      sizes = int_list(node, "split", {});
    std::size_t dim = data.shape[axis], parts = static_cast<std::size_t>(node.output_size());
    if (sizes.empty()) {
      if (parts == 0) throw Problem("has no outputs");
      std::size_t each = (dim + parts - 1) / parts;  // the last part may be smaller (opset 18)
      for (std::size_t k = 0, left = dim; k < parts; ++k, left -= std::min(left, each))
        sizes.push_back(static_cast<std::int64_t>(std::min(left, each)));
    }
    if (sizes.size() != parts) throw Problem("split has " + std::to_string(sizes.size()) + " sizes for " +
                                             std::to_string(parts) + " outputs");
    std::size_t at = 0;
    for (std::size_t k = 0; k < parts; ++k) {
      if (sizes[k] < 0) throw Problem("split sizes must be nonnegative");
      std::vector<std::size_t> picks;
      for (std::int64_t i = 0; i < sizes[k]; ++i) picks.push_back(at++);
      if (at > dim) throw Problem("split sizes add up to more than the axis length " + std::to_string(dim));
      if (!node.output(static_cast<int>(k)).empty()) values_[node.output(static_cast<int>(k))] = pick(data, axis, picks);
    }
    if (at != dim) throw Problem("split sizes add up to " + std::to_string(at) + ", the axis has " + std::to_string(dim));
  }

  Value gather_node(const onnx::NodeProto& node) {
    const Value& data = input(node, 0);
    const Value& idx = constant_input(node, 1, "indices");
    if (data.shape.empty()) throw Problem("gathers from a scalar");
    std::size_t axis = axis_index(int_attribute(node, "axis", 0), data.shape.size(), "axis");
    std::vector<std::size_t> picks;
    for (std::int64_t i : integers(idx, "indices")) {
      std::int64_t dim = static_cast<std::int64_t>(data.shape[axis]);
      if (i < -dim || i >= dim) throw Problem("index " + std::to_string(i) + " is out of range for " + std::to_string(dim));
      picks.push_back(static_cast<std::size_t>(i < 0 ? i + dim : i));
    }
    Value out = pick(data, axis, picks);
    Shape shape(data.shape.begin(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis));
    shape.insert(shape.end(), idx.shape.begin(), idx.shape.end());
    shape.insert(shape.end(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis) + 1, data.shape.end());
    out.shape = shape;
    return out;
  }

  // Windows of a convolution or pool over the spatial axes (2.. of an N C
  // D1 D2 ... tensor): output size, and for each output position and kernel
  // offset, the input position (nothing in the padding).
  struct Windows {
    Shape in, kernel, out;
    std::vector<std::size_t> stride, dilation;
    std::vector<std::int64_t> pad_begin;
    std::size_t padded_count = 0;  // kernel elements
  };

  Windows windows(const onnx::NodeProto& node, const Shape& x, const Shape& kernel, bool ceil_mode) {
    Windows w;
    std::size_t r = kernel.size();
    w.in.assign(x.begin() + 2, x.end());
    if (w.in.size() != r)
      throw Problem("the kernel has " + std::to_string(r) + " spatial axes, the input " + std::to_string(w.in.size()));
    w.kernel = kernel;
    auto positive = [&](const std::string& name) {
      std::vector<std::int64_t> v = int_list(node, name, std::vector<std::int64_t>(r, 1));
      if (v.size() != r) throw Problem(name + " has " + std::to_string(v.size()) + " entries, expected " + std::to_string(r));
      std::vector<std::size_t> out;
      for (std::int64_t e : v) {
        if (e <= 0) throw Problem(name + " entry " + std::to_string(e) + ", expected positive entries");
        out.push_back(static_cast<std::size_t>(e));
      }
      return out;
    };
    w.stride = positive("strides");
    w.dilation = positive("dilations");
    std::vector<std::int64_t> pads = int_list(node, "pads", std::vector<std::int64_t>(2 * r, 0));
    if (pads.size() != 2 * r) throw Problem("pads has " + std::to_string(pads.size()) + " entries, expected " + std::to_string(2 * r));
    std::string auto_pad;
    if (const auto* a = attribute(node, "auto_pad")) auto_pad = a->s();
    for (std::size_t i = 0; i < r; ++i) {
      std::int64_t in = static_cast<std::int64_t>(w.in[i]), s = static_cast<std::int64_t>(w.stride[i]);
      std::int64_t span = (static_cast<std::int64_t>(kernel[i]) - 1) * static_cast<std::int64_t>(w.dilation[i]) + 1;
      std::int64_t b = pads[i], e = pads[i + r];
      if (auto_pad == "VALID") {
        b = e = 0;
      } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        std::int64_t total = std::max<std::int64_t>(0, ((in + s - 1) / s - 1) * s + span - in);
        b = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        e = total - b;
      } else if (!auto_pad.empty() && auto_pad != "NOTSET") {
        throw Problem("auto_pad '" + auto_pad + "' is not an ONNX value");
      }
      if (b < 0 || e < 0) throw Problem("negative pads are not supported");
      std::int64_t room = in + b + e - span;
      if (room < 0) throw Problem("the kernel is larger than the padded input along spatial axis " + std::to_string(i));
      std::int64_t n = (ceil_mode ? (room + s - 1) / s : room / s) + 1;
      if (ceil_mode && (n - 1) * s >= in + b) --n;  // a last window that starts in the end padding is dropped
      w.out.push_back(static_cast<std::size_t>(n));
      w.pad_begin.push_back(b);
    }
    w.padded_count = element_count(kernel);
    return w;
  }

  // For output position `o` (flat over w.out) the flat input positions of
  // the window (spatial only) paired with the flat kernel offset.
  static std::vector<std::pair<std::size_t, std::size_t>> window_at(const Windows& w, std::size_t o) {
    std::size_t r = w.kernel.size();
    std::vector<std::size_t> pos(r);
    for (std::size_t i = r, rest = o; i-- > 0;) {
      pos[i] = rest % w.out[i];
      rest /= w.out[i];
    }
    std::vector<std::pair<std::size_t, std::size_t>> out;
    std::size_t kc = w.padded_count;
    for (std::size_t k = 0; k < kc; ++k) {
      std::size_t rest = k, flat = 0;
      bool inside = true;
      std::vector<std::size_t> off(r);
      for (std::size_t i = r; i-- > 0;) {
        off[i] = rest % w.kernel[i];
        rest /= w.kernel[i];
      }
      for (std::size_t i = 0; i < r; ++i) {
        std::int64_t p = static_cast<std::int64_t>(pos[i] * w.stride[i] + off[i] * w.dilation[i]) - w.pad_begin[i];
        if (p < 0 || p >= static_cast<std::int64_t>(w.in[i])) {
          inside = false;
          break;
        }
        flat = flat * w.in[i] + static_cast<std::size_t>(p);
      }
      if (inside) out.push_back({flat, k});
    }
    return out;
  }

  static void batch_of_one(const Value& x) {
    if (x.shape.size() < 3) throw Problem("input has shape " + shape_text(x.shape) + ", expected N x C x D1 x ...");
    if (x.shape[0] != 1) throw Problem("input has batch size " + std::to_string(x.shape[0]) + ", expected 1");
  }

  Value conv(const onnx::NodeProto& node) {
    const Value& x = input(node, 0);
    const Value& w = constant_input(node, 1, "weight W");
    if (!x.variable) throw Problem("input X is a constant, expected a value that depends on the input");
    batch_of_one(x);
    if (w.shape.size() != x.shape.size())
      throw Problem("weight of shape " + shape_text(w.shape) + " does not fit input " + shape_text(x.shape));
    std::size_t group = static_cast<std::size_t>(int_attribute(node, "group", 1));
    std::size_t c_in = x.shape[1], m = w.shape[0], cg = w.shape[1];
    if (group == 0 || cg * group != c_in || m % group != 0)
      throw Problem("weight of shape " + shape_text(w.shape) + " and group " + std::to_string(group) +
                    " do not fit " + std::to_string(c_in) + " input channels");
    Shape kernel(w.shape.begin() + 2, w.shape.end());
    if (const auto* a = attribute(node, "kernel_shape"))
      if (Shape(a->ints().begin(), a->ints().end()) != kernel) throw Problem("kernel_shape differs from the weight's shape");
    Windows win = windows(node, x.shape, kernel, false);
    Vector bias(m);
    if (has_input(node, 2)) {
      const Value& b = constant_input(node, 2, "bias B");
      if (b.constant.size() != m) throw Problem("bias B has " + std::to_string(b.constant.size()) + " entries, expected " + std::to_string(m));
      bias = b.constant;
    }
    std::size_t in_area = element_count(win.in), out_area = element_count(win.out), kc = win.padded_count;
    if (m * out_area > max_width) throw Problem("gives more than " + std::to_string(max_width) + " values");
    Value out;
    out.shape = {1, m};
    out.shape.insert(out.shape.end(), win.out.begin(), win.out.end());
    out.variable = true;
    out.generation = x.generation;
    out.affine.reserve(m * out_area);
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> at(out_area);
    for (std::size_t o = 0; o < out_area; ++o) at[o] = window_at(win, o);
    for (std::size_t oc = 0; oc < m; ++oc) {
      std::size_t g = oc / (m / group);
      for (std::size_t o = 0; o < out_area; ++o) {
        start_sum();
        for (std::size_t c = 0; c < cg; ++c)
          for (const auto& [p, k] : at[o])
            add_to_sum(w.constant[(oc * cg + c) * kc + k], x.affine[(g * cg + c) * in_area + p]);
        Affine a = finish_sum();
        a.constant += bias[oc];
        out.affine.push_back(std::move(a));
      }
    }
    return out;
  }

  // ConvTranspose (N = 1): y[oc, o] = b[oc] + sum of x[c, i] W[c, oc', k] over
  // the input positions i and kernel offsets k with o = i s + k d - pad_begin,
  // c in oc's group; the output size is s (in - 1) + output_padding +
  // (k - 1) d + 1 - pad_begin - pad_end, or `output_shape` with the padding
  // that gives it (the ONNX operator's definition).
  Value conv_transpose(const onnx::NodeProto& node) {
    const Value& x = input(node, 0);
    const Value& w = constant_input(node, 1, "weight W");
    if (!x.variable) throw Problem("input X is a constant, expected a value that depends on the input");
    batch_of_one(x);
    std::size_t rank = x.shape.size();
    if (w.shape.size() != rank || rank < 3)
      throw Problem("weight of shape " + shape_text(w.shape) + " does not fit input " + shape_text(x.shape));
    std::size_t dims = rank - 2, group = static_cast<std::size_t>(int_attribute(node, "group", 1));
    std::size_t c_in = x.shape[1];
    if (group == 0 || w.shape[0] != c_in || c_in % group != 0)
      throw Problem("weight of shape " + shape_text(w.shape) + " and group " + std::to_string(group) +
                    " do not fit " + std::to_string(c_in) + " input channels");
    std::size_t per_group_out = w.shape[1], m = per_group_out * group, per_group_in = c_in / group;
    Shape kernel(w.shape.begin() + 2, w.shape.end()), in(x.shape.begin() + 2, x.shape.end());
    auto list = [&](const char* name, std::int64_t fallback) {
      std::vector<std::int64_t> v = int_list(node, name, std::vector<std::int64_t>(dims, fallback));
      if (v.size() != dims) throw Problem(std::string(name) + " has " + std::to_string(v.size()) + " entries, expected " +
                                          std::to_string(dims));
      return v;
    };
    std::vector<std::int64_t> strides = list("strides", 1), dilations = list("dilations", 1),
                              out_pad = list("output_padding", 0);
    std::vector<std::int64_t> pads = int_list(node, "pads", std::vector<std::int64_t>(2 * dims, 0));
    if (pads.size() != 2 * dims) throw Problem("pads does not have 2 entries per spatial axis");
    for (std::size_t a = 0; a < dims; ++a)
      if (strides[a] <= 0 || dilations[a] <= 0 || out_pad[a] < 0 || pads[a] < 0 || pads[dims + a] < 0)
        throw Problem("strides and dilations must be positive, pads and output_padding nonnegative");
    std::string auto_pad;
    if (const auto* a = attribute(node, "auto_pad")) auto_pad = a->s();
    if (!auto_pad.empty() && auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" &&
        auto_pad != "SAME_LOWER")
      throw Problem("auto_pad '" + auto_pad + "' is not an ONNX value");
    std::vector<std::int64_t> wanted = int_list(node, "output_shape", {});
    if (!wanted.empty() && wanted.size() != dims) {
      if (wanted.size() == rank) wanted.erase(wanted.begin(), wanted.begin() + 2);
      else throw Problem("output_shape does not have one entry per spatial axis");
    }
    if (wanted.empty() && (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER"))
      for (std::size_t a = 0; a < dims; ++a) wanted.push_back(static_cast<std::int64_t>(in[a]) * strides[a]);
    Shape out(dims);
    for (std::size_t a = 0; a < dims; ++a) {
      std::int64_t full = strides[a] * (static_cast<std::int64_t>(in[a]) - 1) + out_pad[a] +
                          (static_cast<std::int64_t>(kernel[a]) - 1) * dilations[a] + 1;
      if (auto_pad == "VALID") pads[a] = pads[dims + a] = 0;
      if (!wanted.empty()) {
        std::int64_t total = full - wanted[a];
        if (total < 0) throw Problem("output_shape is larger than the transposed convolution gives");
        bool upper = auto_pad == "SAME_UPPER";
        pads[a] = upper ? total / 2 : total - total / 2;
        pads[dims + a] = total - pads[a];
      }
      std::int64_t size = full - pads[a] - pads[dims + a];
      if (size <= 0) throw Problem("the padding leaves no output");
      out[a] = static_cast<std::size_t>(size);
    }
    Vector bias(m);
    if (has_input(node, 2)) {
      const Value& b = constant_input(node, 2, "bias B");
      if (b.constant.size() != m) throw Problem("bias B has " + std::to_string(b.constant.size()) + " entries, expected " + std::to_string(m));
      bias = b.constant;
    }
    std::size_t in_area = element_count(in), out_area = element_count(out), k_area = element_count(kernel);
    if (m * out_area > max_width) throw Problem("gives more than " + std::to_string(max_width) + " values");
    // For each output element, its (input element, kernel element) pairs, per channel pair.
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> at(out_area);
    std::vector<std::size_t> i_idx(dims), k_idx(dims);
    for (std::size_t i = 0; i < in_area; ++i) {
      for (std::size_t a = dims, rest = i; a-- > 0;) i_idx[a] = rest % in[a], rest /= in[a];
      for (std::size_t k = 0; k < k_area; ++k) {
        for (std::size_t a = dims, rest = k; a-- > 0;) k_idx[a] = rest % kernel[a], rest /= kernel[a];
        std::size_t o = 0;
        bool inside = true;
        for (std::size_t a = 0; a < dims && inside; ++a) {
          std::int64_t p = static_cast<std::int64_t>(i_idx[a]) * strides[a] +
                           static_cast<std::int64_t>(k_idx[a]) * dilations[a] - pads[a];
          inside = p >= 0 && p < static_cast<std::int64_t>(out[a]);
          o = o * out[a] + static_cast<std::size_t>(inside ? p : 0);
        }
        if (inside) at[o].push_back({i, k});
      }
    }
    Value y;
    y.shape = {1, m};
    y.shape.insert(y.shape.end(), out.begin(), out.end());
    y.variable = true;
    y.generation = x.generation;
    y.affine.reserve(m * out_area);
    for (std::size_t oc = 0; oc < m; ++oc) {
      std::size_t g = oc / per_group_out, local = oc % per_group_out;
      for (std::size_t o = 0; o < out_area; ++o) {
        start_sum();
        for (std::size_t c = 0; c < per_group_in; ++c) {
          std::size_t channel = g * per_group_in + c;
          for (const auto& [i, k] : at[o])
            add_to_sum(w.constant[(channel * per_group_out + local) * k_area + k], x.affine[channel * in_area + i]);
        }
        Affine a = finish_sum();
        a.constant += bias[oc];
        y.affine.push_back(std::move(a));
      }
    }
    return y;
  }

  // The elements of each pooling window, per output element (N = 1).
  std::vector<std::vector<std::size_t>> pool_windows(const onnx::NodeProto& node, const Value& x, bool global,
                                                     Shape& out_shape, std::vector<std::size_t>& divisor) {
    batch_of_one(x);
    Shape kernel;
    if (global) {
      kernel.assign(x.shape.begin() + 2, x.shape.end());
    } else {
      std::vector<std::int64_t> k = int_list(node, "kernel_shape", {});
      if (k.size() != x.shape.size() - 2) throw Problem("kernel_shape does not fit the input " + shape_text(x.shape));
      for (std::int64_t e : k) {
        if (e <= 0) throw Problem("kernel_shape entries must be positive");
        kernel.push_back(static_cast<std::size_t>(e));
      }
    }
    Windows win = global ? windows(onnx::NodeProto(), x.shape, kernel, false)
                         : windows(node, x.shape, kernel, int_attribute(node, "ceil_mode", 0) != 0);
    bool include_pad = int_attribute(node, "count_include_pad", 0) != 0;
    std::size_t channels = x.shape[1], in_area = element_count(win.in), out_area = element_count(win.out);
    out_shape = {1, channels};
    out_shape.insert(out_shape.end(), win.out.begin(), win.out.end());
    std::vector<std::vector<std::size_t>> out;
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t o = 0; o < out_area; ++o) {
        std::vector<std::size_t> members;
        for (const auto& [p, k] : window_at(win, o)) members.push_back(c * in_area + p);
        if (members.empty()) throw Problem("a pooling window lies entirely in the padding");
        divisor.push_back(include_pad ? win.padded_count : members.size());
        out.push_back(std::move(members));
      }
    return out;
  }

  Value average_pool(const onnx::NodeProto& node, bool global) {
    const Value& x = input(node, 0);
    if (!x.variable) throw Problem("input X is a constant, expected a value that depends on the input");
    Value out;
    std::vector<std::size_t> divisor;
    std::vector<std::vector<std::size_t>> win = pool_windows(node, x, global, out.shape, divisor);
    out.variable = true;
    out.generation = x.generation;
    for (std::size_t o = 0; o < win.size(); ++o) {
      start_sum();
      Rational weight(1, static_cast<unsigned long>(divisor[o]));
      for (std::size_t p : win[o]) add_to_sum(weight, x.affine[p]);
      out.affine.push_back(finish_sum());
    }
    return out;
  }

  // max over each window: a tournament of max(a, b) = a + relu(b - a), one
  // relu layer per round, every other value carried through.
  Value max_pool(const onnx::NodeProto& node, bool global) {
    if (!global && int_attribute(node, "storage_order", 0) != 0) throw Problem("storage_order 1 is not supported");
    if (node.output_size() > 1 && !node.output(1).empty()) throw Problem("the Indices output cannot be read");
    const Value& x = input(node, 0);
    if (!x.variable) throw Problem("input X is a constant, expected a value that depends on the input");
    Value out;
    std::vector<std::size_t> divisor;
    std::vector<std::vector<std::size_t>> win = pool_windows(node, x, global, out.shape, divisor);
    std::vector<std::vector<Affine>> candidates(win.size());
    for (std::size_t o = 0; o < win.size(); ++o)
      for (std::size_t p : win[o]) candidates[o].push_back(x.affine[p]);
    return tournament(std::move(candidates), std::move(out.shape), x.generation);
  }

  Value tournament(std::vector<std::vector<Affine>> candidates, Shape shape, std::size_t generation) {
    for (;;) {
      Value diff, left;
      diff.variable = left.variable = true;
      diff.generation = left.generation = generation;
      std::vector<std::pair<std::size_t, std::size_t>> where;  // (output, pair) of each difference
      for (std::size_t o = 0; o < candidates.size(); ++o) {
        std::vector<Affine>& c = candidates[o];
        for (std::size_t i = 0; i + 1 < c.size(); i += 2) {
          diff.affine.push_back(combined(c[i + 1], c[i], -1));
          left.affine.push_back(c[i]);
          where.push_back({o, i});
        }
      }
      if (diff.affine.empty()) break;
      // The odd ones out wait as their own value.
      Value rest;
      rest.variable = true;
      rest.generation = generation;
      std::vector<std::size_t> rest_of;
      for (std::size_t o = 0; o < candidates.size(); ++o)
        if (candidates[o].size() % 2) {
          rest.affine.push_back(candidates[o].back());
          rest_of.push_back(o);
        }
      activate(diff, std::nullopt, {&left, &rest});
      generation = generation_;
      std::vector<std::vector<Affine>> next(candidates.size());
      for (std::size_t k = 0; k < where.size(); ++k)
        next[where[k].first].push_back(combined(left.affine[k], diff.affine[k], 1));
      for (std::size_t k = 0; k < rest_of.size(); ++k) next[rest_of[k]].push_back(rest.affine[k]);
      candidates = std::move(next);
    }
    Value out;
    out.shape = std::move(shape);
    out.variable = true;
    out.generation = generation;
    for (auto& c : candidates) out.affine.push_back(std::move(c[0]));
    return out;
  }

  Value pad(const onnx::NodeProto& node) {
    const Value& x = input(node, 0);
    std::vector<std::int64_t> pads;
    Rational fill = 0;
    if (has_input(node, 1)) {
      pads = integers(constant_input(node, 1, "pads"), "pads");
      if (has_input(node, 2)) {
        const Value& c = constant_input(node, 2, "constant_value");
        if (c.constant.size() != 1) throw Problem("constant_value is not a scalar");
        fill = c.constant[0];
      }
      if (has_input(node, 3)) throw Problem("the axes input is not supported");
    } else {
      pads = int_list(node, "pads", {});
      fill = float_attribute(node, "value", 0.0f);
    }
    std::string mode = "constant";
    if (const auto* a = attribute(node, "mode")) mode = a->s();
    std::size_t r = x.shape.size();
    if (pads.size() != 2 * r) throw Problem("pads has " + std::to_string(pads.size()) + " entries, expected " + std::to_string(2 * r));
    if (mode != "constant" && mode != "edge" && mode != "reflect")
      throw Problem("mode '" + mode + "' is not supported, expected constant, edge or reflect");
    Shape shape(r);
    for (std::size_t i = 0; i < r; ++i) {
      std::int64_t d = static_cast<std::int64_t>(x.shape[i]) + pads[i] + pads[i + r];
      if (d <= 0) throw Problem("padding leaves no elements along axis " + std::to_string(i));
      if (mode == "reflect" && (pads[i] >= static_cast<std::int64_t>(x.shape[i]) || pads[i + r] >= static_cast<std::int64_t>(x.shape[i])))
        throw Problem("reflect padding wider than the axis");
      shape[i] = static_cast<std::size_t>(d);
    }
    std::vector<std::size_t> in_stride = strides_of(x.shape);
    std::size_t count = element_count(shape);
    Value out;
    out.shape = shape;
    out.variable = x.variable;
    out.generation = x.generation;
    std::vector<Affine> fallback = x.variable ? std::vector<Affine>() : constant_forms(x);
    for (std::size_t flat = 0; flat < count; ++flat) {
      std::size_t rest = flat, at = 0;
      bool inside = true;
      for (std::size_t i = r; i-- > 0;) {
        std::int64_t p = static_cast<std::int64_t>(rest % shape[i]) - pads[i];
        rest /= shape[i];
        std::int64_t d = static_cast<std::int64_t>(x.shape[i]);
        if (p < 0 || p >= d) {
          if (mode == "constant") {
            inside = false;
            continue;
          }
          if (mode == "edge") p = p < 0 ? 0 : d - 1;
          else p = p < 0 ? -p : 2 * (d - 1) - p;
        }
        at += static_cast<std::size_t>(p) * in_stride[i];
      }
      if (x.variable) {
        if (inside) {
          out.affine.push_back(x.affine[at]);
        } else {
          Affine a;
          a.constant = fill;
          out.affine.push_back(std::move(a));
        }
      } else {
        out.constant.push_back(inside ? x.constant[at] : fill);
      }
    }
    return out;
  }

  // Inference batch normalization along axis 1: y = s (x - mean) + beta with
  // s = gamma / sqrt(var + eps). The square root is irrational in general;
  // nninv's network uses s computed in IEEE double precision (every
  // operation correctly rounded) from the exact float parameters, and says
  // so in a warning (docs/import.md, "Where reals cannot be exact").
  Value batch_norm(const onnx::NodeProto& node) {
    if (int_attribute(node, "training_mode", 0) != 0) throw Problem("training_mode is set, expected inference");
    for (int i = 1; i < node.output_size(); ++i)
      if (!node.output(i).empty()) throw Problem("reads the training outputs (running mean / variance)");
    const Value& x = input(node, 0);
    if (x.shape.size() < 2 || x.shape[0] != 1) throw Problem("input has shape " + shape_text(x.shape) + ", expected N x C x ... with N = 1");
    std::size_t c = x.shape[1];
    const Value* p[4];
    const char* names[4] = {"scale", "B", "mean", "var"};
    for (int i = 0; i < 4; ++i) {
      p[i] = &constant_input(node, i + 1, names[i]);
      if (p[i]->constant.size() != c)
        throw Problem(std::string(names[i]) + " has " + std::to_string(p[i]->constant.size()) + " entries, expected " + std::to_string(c));
    }
    Rational eps = float_attribute(node, "epsilon", 1e-5f);
    Value scale, shift;
    scale.shape = shift.shape = Shape{c};
    for (std::size_t k = 0; k < c; ++k) {
      Rational v = p[3]->constant[k] + eps;
      if (v <= 0) throw Problem("var + epsilon is not positive in channel " + std::to_string(k));
      Rational s = double_value(p[0]->constant[k].get_d() / std::sqrt(v.get_d()));
      if (p[0]->constant[k] != 0 && s == 0) throw Problem("the scale of channel " + std::to_string(k) + " underflows");
      scale.constant.push_back(s);
      shift.constant.push_back(p[1]->constant[k] - s * p[2]->constant[k]);
    }
    for (std::size_t d = 2; d < x.shape.size(); ++d) scale.shape.push_back(1), shift.shape.push_back(1);
    warn("node '" + node.name() + "' (BatchNormalization)",
         "gamma / sqrt(var + epsilon) is irrational in general; nninv uses its value computed in IEEE double "
         "precision, so the network decided is that folding of the batch norm (docs/import.md)");
    Value& in = input(node, 0);
    Value y = elementwise(Arith::mul, in, scale, false);
    return elementwise(Arith::add, y, shift, true);
  }

  Value prelu(const onnx::NodeProto& node) {
    Value z = take(node, 0);
    const Value& slope = constant_input(node, 1, "slope");
    Shape shape = broadcast_shape(z.shape, slope.shape);
    if (shape != z.shape) throw Problem("slope of shape " + shape_text(slope.shape) + " does not broadcast to the input's");
    std::vector<std::size_t> at = broadcast_map(slope.shape, shape);
    bool uniform = std::all_of(slope.constant.begin(), slope.constant.end(), [&](const Rational& a) { return a == slope.constant[0]; });
    if (!z.variable) {
      for (std::size_t k = 0; k < z.constant.size(); ++k)
        if (z.constant[k] < 0) z.constant[k] *= slope.constant[at[k]];
      return z;
    }
    if (uniform && slope.constant[0] >= 0) {
      const Rational& a = slope.constant[0];
      if (a == 1) return z;
      return activation(std::move(z), a == 0 ? std::nullopt : std::optional(a));
    }
    // prelu(z) = relu(z) - a relu(-z), per element.
    Value both = z;
    std::size_t n = z.affine.size();
    for (std::size_t k = 0; k < n; ++k) {
      Affine minus = z.affine[k];
      scale(minus, -1);
      both.affine.push_back(std::move(minus));
    }
    activate(both, std::nullopt);
    z.generation = generation_;
    for (std::size_t k = 0; k < n; ++k) {
      Affine neg = both.affine[n + k];
      scale(neg, -slope.constant[at[k]]);
      z.affine[k] = combined(both.affine[k], neg, 1);
    }
    return z;
  }

  // min(max(z, lo), hi) = lo + relu(z - lo) - relu(z - hi) (lo <= hi).
  Value clip(const onnx::NodeProto& node) {
    Value z = take(node, 0);
    std::optional<Rational> lo, hi;
    auto scalar = [&](int i, const char* what) -> std::optional<Rational> {
      if (!has_input(node, i)) return std::nullopt;
      const Value& v = constant_input(node, i, what);
      if (v.constant.size() != 1) throw Problem(std::string(what) + " is not a scalar");
      return v.constant[0];
    };
    if (attribute(node, "min") || attribute(node, "max")) {  // opset 6
      if (attribute(node, "min")) lo = float_attribute(node, "min", 0.0f);
      if (attribute(node, "max")) hi = float_attribute(node, "max", 0.0f);
    } else {
      lo = scalar(1, "min");
      hi = scalar(2, "max");
    }
    if (lo && hi && *lo > *hi) throw Problem("min " + lo->get_str() + " is greater than max " + hi->get_str());
    if (!z.variable) {
      for (Rational& v : z.constant) {
        if (lo && v < *lo) v = *lo;
        if (hi && v > *hi) v = *hi;
      }
      return z;
    }
    if (!lo && !hi) return z;
    std::size_t n = z.affine.size();
    Value parts = z;
    parts.affine.clear();
    for (std::size_t k = 0; k < n; ++k) {
      Affine a = z.affine[k];
      if (lo) {
        Affine b = a;
        b.constant -= *lo;
        parts.affine.push_back(std::move(b));
      }
      if (hi) {
        Affine b = a;
        b.constant -= *hi;
        if (!lo) scale(b, -1);  // hi - relu(hi - z)
        parts.affine.push_back(std::move(b));
      }
    }
    activate(parts, std::nullopt);
    z.generation = generation_;
    std::size_t per = (lo ? 1 : 0) + (hi ? 1 : 0);
    for (std::size_t k = 0; k < n; ++k) {
      if (lo && hi) {
        z.affine[k] = combined(parts.affine[2 * k], parts.affine[2 * k + 1], -1);
        z.affine[k].constant += *lo;
      } else if (lo) {
        z.affine[k] = parts.affine[k * per];
        z.affine[k].constant += *lo;
      } else {
        z.affine[k] = parts.affine[k * per];
        scale(z.affine[k], -1);
        z.affine[k].constant += *hi;
      }
    }
    return z;
  }

  Value shape_node(const onnx::NodeProto& node) {
    const Value& x = input(node, 0);
    std::int64_t r = static_cast<std::int64_t>(x.shape.size());
    std::int64_t start = int_attribute(node, "start", 0), end = int_attribute(node, "end", r);
    if (start < 0) start += r;
    if (end < 0) end += r;
    start = std::clamp<std::int64_t>(start, 0, r);
    end = std::clamp<std::int64_t>(end, 0, r);
    Value out;
    for (std::int64_t i = start; i < end; ++i)
      out.constant.push_back(Rational(static_cast<long>(x.shape[static_cast<std::size_t>(i)])));
    out.shape = {out.constant.size()};
    return out;
  }

  void apply(const onnx::NodeProto& node) {
    const std::string& op = node.op_type();
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      throw Problem("operator domain '" + node.domain() + "' is not supported, expected the standard ONNX operators (" +
                    supported_operators + ")");
    if (head_ != net::Head::none)
      for (const std::string& name : node.input())
        if (name == head_output_ && !(op == "ArgMax" && head_ != net::Head::argmax))
          throw Problem(std::string("reads the output of the ") + net::head_name(head_) + " head (" + head_where_ +
                        "): nninv reads Softmax, LogSoftmax and ArgMax only as the graph's last step (an ArgMax "
                        "may follow a Softmax or LogSoftmax)");
    if (op == "Constant") return set_output(node, constant_node(node));
    if (op == "Tanh" || op == "Sigmoid" || op == "Elu" || op == "Softplus") {
      net::Smooth kind = op == "Tanh" ? net::Smooth::tanh : op == "Sigmoid" ? net::Smooth::sigmoid
                         : op == "Elu" ? net::Smooth::elu : net::Smooth::softplus;
      Rational alpha = 1;
      if (kind == net::Smooth::elu) {
        alpha = float_attribute(node, "alpha", 1.0f);
        if (alpha <= 0) throw Problem("alpha is " + alpha.get_str() + ", expected alpha > 0 (an increasing ELU)");
      }
      return set_output(node, smooth_activation(node, take(node, 0), kind, alpha));
    }
    if (op == "Softmax" || op == "LogSoftmax" || op == "ArgMax") return set_output(node, head(node));
    if (op == "Identity" || op == "Dropout") {
      // Dropout at inference passes its input through; its mask output is
      // left undefined so that reading it is an error.
      return set_output(node, take(node, 0));
    }
    if (op == "Relu") return set_output(node, activation(take(node, 0), std::nullopt));
    if (op == "LeakyRelu") {
      Rational alpha = float_attribute(node, "alpha", 0.01f);
      if (alpha < 0) throw Problem("alpha is " + alpha.get_str() + ", expected alpha >= 0");
      return set_output(node, activation(take(node, 0), alpha == 0 ? std::nullopt : std::optional(alpha)));
    }
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
      Arith kind = op == "Add" ? Arith::add : op == "Sub" ? Arith::sub : op == "Mul" ? Arith::mul : Arith::div;
      Value& a = input(node, 0);
      Value& b = input(node, 1);
      bool consume = a.variable ? consumable(node, 0) : b.variable && consumable(node, 1);
      Value out = elementwise(kind, a, b, consume);
      bool join = a.variable && b.variable;
      set_output(node, std::move(out));
      if (join) cut_at(node.output(0));
      return;
    }
    if (op == "Neg") {
      Value minus_one;
      minus_one.constant = {Rational(-1)};
      return set_output(node, elementwise(Arith::mul, input(node, 0), minus_one, consumable(node, 0)));
    }
    if (op == "MatMul") return set_output(node, matmul(input(node, 0), input(node, 1)));
    if (op == "Concat") {
      int variables = 0;
      for (int i = 0; i < node.input_size(); ++i) variables += input(node, i).variable ? 1 : 0;
      set_output(node, concat(node));
      if (variables >= 2) cut_at(node.output(0));
      return;
    }
    if (op == "Slice") return set_output(node, slice(node));
    if (op == "Split") return split(node);
    if (op == "Gather") return set_output(node, gather_node(node));
    if (op == "Shape") return set_output(node, shape_node(node));
    if (op == "Cast") {
      // To a float type: the same exact values. To an integer type: only
      // constants (truncated toward zero, as ONNX does).
      std::int64_t to = int_attribute(node, "to", 0);
      bool to_float = to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE ||
                      to == onnx::TensorProto::FLOAT16 || to == onnx::TensorProto::BFLOAT16;
      Value v = take(node, 0);
      if (!to_float) {
        if (v.variable) throw Problem("casts a value that depends on the input to an integer type (not affine)");
        for (Rational& r : v.constant) r = Rational(mpz_class(r.get_num() / r.get_den()));
      } else if (!v.variable && to != onnx::TensorProto::DOUBLE) {
        for (const Rational& r : v.constant)
          if (r.get_den() != 1 || abs(r.get_num()) > (mpz_class(1) << 24))
            throw Problem("casts constant " + r.get_str() + " to a narrower float type, expected small integers");
      }
      return set_output(node, std::move(v));
    }
    if (op == "ConstantOfShape") {
      std::vector<std::int64_t> dims = integers(constant_input(node, 0, "shape"), "shape");
      Value v;
      Rational fill = 0;
      if (const auto* a = attribute(node, "value")) {
        Tensor t = read_tensor(a->t());
        if (t.values.size() != 1) throw Problem("value is not a one-element tensor");
        fill = t.values[0];
      }
      for (std::int64_t d : dims) {
        if (d < 0) throw Problem("shape has a negative entry");
        v.shape.push_back(static_cast<std::size_t>(d));
      }
      v.constant.assign(element_count(v.shape), fill);
      return set_output(node, std::move(v));
    }
    if (op == "Conv") return set_output(node, conv(node));
    if (op == "ConvTranspose") return set_output(node, conv_transpose(node));
    if (op == "AveragePool" || op == "GlobalAveragePool")
      return set_output(node, average_pool(node, op == "GlobalAveragePool"));
    if (op == "MaxPool" || op == "GlobalMaxPool") return set_output(node, max_pool(node, op == "GlobalMaxPool"));
    if (op == "Pad") return set_output(node, pad(node));
    if (op == "BatchNormalization") return set_output(node, batch_norm(node));
    if (op == "PRelu") return set_output(node, prelu(node));
    if (op == "Clip") return set_output(node, clip(node));
    if (op == "Gemm") return set_output(node, gemm(node));
    if (op == "Flatten") {
      Value& in = input(node, 0);
      std::size_t rank = in.shape.size();
      std::int64_t axis = int_attribute(node, "axis", 1);
      std::size_t at =
          axis == static_cast<std::int64_t>(rank) ? rank : axis_index(axis, std::max<std::size_t>(rank, 1), "axis");
      std::size_t outer = 1, inner = 1;
      for (std::size_t i = 0; i < rank; ++i) (i < at ? outer : inner) *= in.shape[i];
      return set_output(node, reshaped(take(node, 0), {outer, inner}));
    }
    if (op == "Reshape") {
      Value& in = input(node, 0);
      std::vector<std::int64_t> target;
      if (has_input(node, 1))
        target = integers(constant_input(node, 1, "shape"), "shape");
      else if (const auto* a = attribute(node, "shape"))  // opset 1-4
        target.assign(a->ints().begin(), a->ints().end());
      else
        throw Problem("has no shape, expected a constant shape input");
      bool allow_zero = int_attribute(node, "allowzero", 0) != 0;
      Shape shape;
      std::optional<std::size_t> inferred;
      std::size_t known = 1;
      for (std::size_t i = 0; i < target.size(); ++i) {
        std::int64_t d = target[i];
        if (d == -1 && !inferred) {
          inferred = i;
          shape.push_back(1);
          continue;
        }
        if (d == 0 && !allow_zero) {
          if (i >= in.shape.size())
            throw Problem("shape entry " + std::to_string(i) + " is 0 but the input has rank " +
                          std::to_string(in.shape.size()));
          d = static_cast<std::int64_t>(in.shape[i]);
        }
        if (d <= 0)
          throw Problem("shape " + std::to_string(d) + " at position " + std::to_string(i) +
                        " is not supported, expected a positive size, 0 or one -1");
        shape.push_back(static_cast<std::size_t>(d));
        known *= static_cast<std::size_t>(d);
      }
      if (inferred) {
        if (known == 0 || in.size() % known != 0)
          throw Problem("cannot reshape " + shape_text(in.shape) + " to a shape with known part " +
                        std::to_string(known));
        shape[*inferred] = in.size() / known;
      }
      return set_output(node, reshaped(take(node, 0), shape));
    }
    if (op == "Squeeze") {
      Value& in = input(node, 0);
      std::vector<std::int64_t> list = axes(node);
      std::vector<bool> drop(in.shape.size(), list.empty());
      if (list.empty())
        for (std::size_t i = 0; i < in.shape.size(); ++i) drop[i] = in.shape[i] == 1;
      for (std::int64_t a : list) {
        std::size_t i = axis_index(a, in.shape.size(), "axis");
        if (in.shape[i] != 1)
          throw Problem("axis " + std::to_string(a) + " has size " + std::to_string(in.shape[i]) + ", expected 1");
        drop[i] = true;
      }
      Shape shape;
      for (std::size_t i = 0; i < in.shape.size(); ++i)
        if (!drop[i]) shape.push_back(in.shape[i]);
      return set_output(node, reshaped(take(node, 0), shape));
    }
    if (op == "Unsqueeze") {
      Value& in = input(node, 0);
      std::vector<std::int64_t> list = axes(node);
      std::size_t rank = in.shape.size() + list.size();
      std::vector<bool> added(rank, false);
      for (std::int64_t a : list) added[axis_index(a, rank, "axis")] = true;
      Shape shape;
      for (std::size_t i = 0, from = 0; i < rank; ++i) shape.push_back(added[i] ? 1 : in.shape.at(from++));
      return set_output(node, reshaped(take(node, 0), shape));
    }
    if (op == "Transpose") {
      Value& in = input(node, 0);
      std::vector<std::size_t> perm;
      if (const auto* a = attribute(node, "perm")) {
        for (std::int64_t p : a->ints()) perm.push_back(axis_index(p, in.shape.size(), "perm entry"));
      } else {
        for (std::size_t i = in.shape.size(); i-- > 0;) perm.push_back(i);
      }
      std::vector<std::size_t> sorted = perm;
      std::sort(sorted.begin(), sorted.end());
      for (std::size_t i = 0; i < sorted.size(); ++i)
        if (sorted[i] != i || sorted.size() != in.shape.size())
          throw Problem("perm is not a permutation of the " + std::to_string(in.shape.size()) + " axes");
      return set_output(node, transposed(in, perm));
    }
    throw Problem(std::string("unsupported operator '") + op + "'" + unsupported_reason(op) + ", expected one of " +
                  supported_operators);
  }

  Value constant_node(const onnx::NodeProto& node) {
    Value v;
    if (const auto* a = attribute(node, "value")) {
      Tensor t = read_tensor(a->t());
      v.shape = std::move(t.shape);
      v.constant = std::move(t.values);
    } else if (const auto* a = attribute(node, "value_float")) {
      v.constant = {float_value(a->f())};
    } else if (const auto* a = attribute(node, "value_floats")) {
      for (float f : a->floats()) v.constant.push_back(float_value(f));
      v.shape = {v.constant.size()};
    } else if (const auto* a = attribute(node, "value_int")) {
      v.constant = {Rational(mpz_class(std::to_string(a->i())))};
    } else if (const auto* a = attribute(node, "value_ints")) {
      for (std::int64_t i : a->ints()) v.constant.push_back(Rational(mpz_class(std::to_string(i))));
      v.shape = {v.constant.size()};
    } else {
      throw Problem("has no numeric value attribute, expected value, value_float(s) or value_int(s)");
    }
    return v;
  }

  std::string source_;
  std::vector<std::string>* warnings_;
  std::map<std::string, Value> values_;
  std::size_t generation_ = 0;     // of the newest input-dependent value
  std::size_t segment_width_ = 0;  // width of the input of the dense layer being built
  std::vector<char> nonnegative_;  // per neuron of that input: known to be >= 0 (a relu output)
  std::map<std::string, std::size_t> last_use_;  // the last node reading each value
  std::size_t node_index_ = 0;                    // of the node being applied
  std::vector<net::Layer> layers_;
  std::vector<net::SmoothLayer> smooth_;  // the identity layers of layers_ that stand for smooth activations
  net::Head head_ = net::Head::none;
  std::string head_output_, head_where_;  // the head's output value, and the node
  bool last_index_ = false;
  Vector scratch_;
  std::vector<char> seen_;
  std::vector<std::uint32_t> touched_;
  Rational sum_constant_;
};

}  // namespace

Rational exact_binary32(float value) {
  try {
    return float_value(value);
  } catch (const Problem& p) {
    throw InputError(p.what());
  }
}

Rational exact_binary64(double value) {
  try {
    return double_value(value);
  } catch (const Problem& p) {
    throw InputError(p.what());
  }
}

net::Network parse_onnx(std::string_view bytes, const std::string& source, std::vector<std::string>* warnings) {
  return require_piecewise_linear(parse_onnx_model(bytes, source, warnings), source);
}

net::Model parse_onnx_model(std::string_view bytes, const std::string& source, std::vector<std::string>* warnings) {
  onnx::ModelProto model;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw InputError(source + ": model: is not a valid ONNX protobuf message (is this an ONNX file?)");
  return GraphReader(source, warnings).read(model);
}

net::Network load_onnx(const std::filesystem::path& path, std::vector<std::string>* warnings) {
  return parse_onnx(read_input_file(path), path.string(), warnings);
}

net::Model load_onnx_model(const std::filesystem::path& path, std::vector<std::string>* warnings) {
  return parse_onnx_model(read_input_file(path), path.string(), warnings);
}

}  // namespace nninv::io
