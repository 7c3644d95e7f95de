// ONNX reader: walks the graph's nodes in order, keeping every tensor either
// as a constant or as affine forms over the input of the current dense layer.
// Affine operations (Gemm, MatMul, Add, Sub, Mul, Div, reshapes) compose
// exactly on those forms; an activation turns the forms into a dense layer
// and starts a new one. Floats become the exact binary fractions they denote
// (IEEE 754: a finite float is m * 2^e with integers m, e).
#include "nninv/io/onnx_loader.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
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
// Only the newest input-dependent tensor (its generation) may be read: the
// graph is a chain.
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

// The input-dependent operand is consumed (its forms are moved) when
// broadcasting keeps its shape: the node's output replaces it in the chain.
Value elementwise(Arith op, Value& a, Value& b) {
  if (a.variable && b.variable)
    throw Problem(
        "both operands depend on the input, expected one constant operand (sums of two branches, skip connections "
        "and products are not supported)");
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
    "Gemm, MatMul, Add, Sub, Mul, Div, Neg, Relu, LeakyRelu, Flatten, Reshape, Squeeze, Unsqueeze, Transpose, "
    "Identity, Dropout, Constant";

// Why a common operator is not read, and what works instead (empty for
// operators nninv has nothing to say about).
std::string unsupported_reason(const std::string& op) {
  static const std::vector<std::pair<std::string, std::string>> reasons = {
      {"Softmax", "the chain model has no softmax: it is not piecewise linear. A softmax head never makes a "
                  "classifier injective (softmax(z + c 1) = softmax(z)); export the logits (drop the Softmax) to "
                  "ask about the network before it"},
      {"LogSoftmax", "not piecewise linear; export the logits (drop the LogSoftmax)"},
      {"ArgMax", "an ArgMax head has finitely many outputs, so the network is not injective on any X with more "
                 "points than labels; export the logits to ask about the network before it"},
      {"Sigmoid", "not piecewise linear: nninv decides exactly only networks of dense, relu, leaky_relu and "
                  "identity layers"},
      {"Tanh", "not piecewise linear: nninv decides exactly only networks of dense, relu, leaky_relu and identity "
               "layers"},
      {"Elu", "not piecewise linear; LeakyRelu is read"},
      {"Softplus", "not piecewise linear; Relu is read"},
      {"PRelu", "a learned slope is not read yet; a LeakyRelu with the same constant slope is"},
      {"Clip", "ReLU6 / Hardtanh are not read yet; min(max(x, a), b) = a + relu(x - a) - relu(x - b) written as "
               "Gemm and Relu nodes is"},
      {"Conv", "convolutions are not read yet; a Conv is a linear map, exported as Gemm / MatMul on the "
               "flattened input it is read"},
      {"ConvTranspose", "not read yet; the same map as a Gemm / MatMul on the flattened input is"},
      {"BatchNormalization", "not read yet (its gamma / sqrt(var + eps) is irrational in general); fold it into "
                             "the previous Gemm before export (in eval mode) and the folded weights are read "
                             "exactly"},
      {"MaxPool", "not read yet; max(a, b) = a + relu(b - a) as Gemm and Relu nodes is"},
      {"AveragePool", "not read yet; an average pool is linear: as a Gemm / MatMul it is read"},
      {"Pad", "not read yet; zero padding is a linear map: as a Gemm / MatMul it is read"},
      {"Concat", "branches and skip connections are not read yet (the network must be a chain)"},
      {"Split", "branches are not read yet (the network must be a chain)"},
      {"Slice", "slices of the features (coupling layers) are not read yet (the network must be a chain)"},
      {"Gather", "not read yet (the network must be a chain)"},
  };
  for (const auto& [name, why] : reasons)
    if (name == op) return " (" + why + ")";
  return "";
}

class GraphReader {
 public:
  GraphReader(std::string source, std::vector<std::string>* warnings)
      : source_(std::move(source)), warnings_(warnings) {}

  net::Network read(const onnx::ModelProto& model) {
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
    for (int k = 0; k < graph.node_size(); ++k) {
      const onnx::NodeProto& node = graph.node(k);
      try {
        apply(node);
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
    if (!it->second.variable)
      fail("output '" + name + "'", "does not depend on the input, expected the network's output");
    if (it->second.generation != generation_)
      fail("output '" + name + "'",
           "is not the last value of the chain: later nodes read it (branches are not supported)");
    write_dense(it->second);
    net.layers = std::move(layers_);
    net.domain = net::Box::everything(net.input_dim);
    net.codomain = net::Box::everything(it->second.size());
    return net;
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
  // identity); afterwards v is the identity over that layer's output.
  void write_dense(Value& v) {
    if (is_identity(v)) return;
    net::Dense d{arith::Matrix(v.affine.size(), segment_width_), Vector(v.affine.size())};
    for (std::size_t r = 0; r < v.affine.size(); ++r) {
      for (Term& t : v.affine[r].terms) d.weights(r, t.index) = std::move(t.coeff);
      d.bias[r] = std::move(v.affine[r].constant);
    }
    layers_.push_back(std::move(d));
    segment_width_ = v.affine.size();
    v.affine = identity(segment_width_);
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
      throw Problem("reads '" + name +
                    "', an earlier value of the chain: the graph is not a chain (branches and skip connections are "
                    "not supported)");
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
    if (v.variable) v.generation = ++generation_;
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
      if (cost > max_fold_operations) write_dense(a.variable ? a : b);
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
      y = elementwise(Arith::mul, y, c);
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
      y = elementwise(Arith::add, y, c);
      if (y.shape != before)
        throw Problem("bias C of shape " + shape_text(c.shape) + " does not broadcast to the product's shape " +
                      shape_text(before));
    }
    return y;
  }

  Value activation(Value& in, const std::optional<Rational>& alpha) {
    Value out = in.variable ? std::move(in) : in;
    if (!out.variable) {
      for (Rational& v : out.constant)
        if (v < 0) v = alpha ? Rational(*alpha * v) : Rational(0);
      return out;
    }
    write_dense(out);
    if (alpha)
      layers_.push_back(net::LeakyRelu{*alpha});
    else
      layers_.push_back(net::Relu{});
    return out;
  }

  std::vector<std::int64_t> axes(const onnx::NodeProto& node) {
    if (const auto* a = attribute(node, "axes")) return {a->ints().begin(), a->ints().end()};
    if (has_input(node, 1)) return integers(constant_input(node, 1, "axes"), "axes");
    return {};
  }

  void apply(const onnx::NodeProto& node) {
    const std::string& op = node.op_type();
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      throw Problem("operator domain '" + node.domain() + "' is not supported, expected the standard ONNX operators (" +
                    supported_operators + ")");
    if (op == "Constant") return set_output(node, constant_node(node));
    if (op == "Identity" || op == "Dropout") {
      // Dropout at inference passes its input through; its mask output is
      // left undefined so that reading it is an error.
      Value& in = input(node, 0);
      return set_output(node, in.variable ? std::move(in) : in);
    }
    if (op == "Relu") return set_output(node, activation(input(node, 0), std::nullopt));
    if (op == "LeakyRelu") {
      Rational alpha = float_attribute(node, "alpha", 0.01f);
      if (alpha < 0) throw Problem("alpha is " + alpha.get_str() + ", expected alpha >= 0");
      return set_output(node, activation(input(node, 0), alpha == 0 ? std::nullopt : std::optional(alpha)));
    }
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
      Arith kind = op == "Add" ? Arith::add : op == "Sub" ? Arith::sub : op == "Mul" ? Arith::mul : Arith::div;
      return set_output(node, elementwise(kind, input(node, 0), input(node, 1)));
    }
    if (op == "Neg") {
      Value minus_one;
      minus_one.constant = {Rational(-1)};
      return set_output(node, elementwise(Arith::mul, input(node, 0), minus_one));
    }
    if (op == "MatMul") return set_output(node, matmul(input(node, 0), input(node, 1)));
    if (op == "Gemm") return set_output(node, gemm(node));
    if (op == "Flatten") {
      Value& in = input(node, 0);
      std::size_t rank = in.shape.size();
      std::int64_t axis = int_attribute(node, "axis", 1);
      std::size_t at =
          axis == static_cast<std::int64_t>(rank) ? rank : axis_index(axis, std::max<std::size_t>(rank, 1), "axis");
      std::size_t outer = 1, inner = 1;
      for (std::size_t i = 0; i < rank; ++i) (i < at ? outer : inner) *= in.shape[i];
      return set_output(node, reshaped(in.variable ? std::move(in) : in, {outer, inner}));
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
      return set_output(node, reshaped(in.variable ? std::move(in) : in, shape));
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
      return set_output(node, reshaped(in.variable ? std::move(in) : in, shape));
    }
    if (op == "Unsqueeze") {
      Value& in = input(node, 0);
      std::vector<std::int64_t> list = axes(node);
      std::size_t rank = in.shape.size() + list.size();
      std::vector<bool> added(rank, false);
      for (std::int64_t a : list) added[axis_index(a, rank, "axis")] = true;
      Shape shape;
      for (std::size_t i = 0, from = 0; i < rank; ++i) shape.push_back(added[i] ? 1 : in.shape.at(from++));
      return set_output(node, reshaped(in.variable ? std::move(in) : in, shape));
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
  std::vector<net::Layer> layers_;
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
  onnx::ModelProto model;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw InputError(source + ": model: is not a valid ONNX protobuf message (is this an ONNX file?)");
  return GraphReader(source, warnings).read(model);
}

net::Network load_onnx(const std::filesystem::path& path, std::vector<std::string>* warnings) {
  return parse_onnx(read_input_file(path), path.string(), warnings);
}

}  // namespace nninv::io
