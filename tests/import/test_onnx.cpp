// ONNX reader: exact floats, every supported operator on tiny models built
// with the protobuf API, every .onnx of shared/nets against independent
// evaluations, and located errors.
#include <onnx/onnx_pb.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "helpers.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/nnet_loader.hpp"
#include "nninv/io/onnx_loader.hpp"

using namespace nninv;
using arith::Rational;
using arith::Vector;
using import_test::nets_dir;

namespace {

// A small ONNX model, built node by node.
class ModelBuilder {
 public:
  explicit ModelBuilder(std::int64_t ir_version = 7, std::int64_t opset = 13) {
    model_.set_ir_version(ir_version);
    model_.add_opset_import()->set_version(opset);
    model_.set_producer_name("nninv tests");
    graph()->set_name("test");
  }
  onnx::GraphProto* graph() { return model_.mutable_graph(); }

  // dims < 0 are symbolic ("N").
  void input(const std::string& name, const std::vector<std::int64_t>& dims) {
    auto* in = graph()->add_input();
    in->set_name(name);
    auto* t = in->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = t->mutable_shape();
    for (std::int64_t d : dims) {
      if (d < 0)
        shape->add_dim()->set_dim_param("N");
      else
        shape->add_dim()->set_dim_value(d);
    }
  }
  void output(const std::string& name) { graph()->add_output()->set_name(name); }

  onnx::TensorProto* floats(const std::string& name, const std::vector<std::int64_t>& dims,
                            const std::vector<float>& values, bool raw = false) {
    auto* t = graph()->add_initializer();
    fill_floats(t, name, dims, values, raw);
    return t;
  }
  static void fill_floats(onnx::TensorProto* t, const std::string& name, const std::vector<std::int64_t>& dims,
                          const std::vector<float>& values, bool raw) {
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (std::int64_t d : dims) t->add_dims(d);
    if (raw) {
      std::string bytes;
      for (float f : values) {
        std::uint32_t bits;
        std::memcpy(&bits, &f, 4);
        for (int b = 0; b < 4; ++b) bytes += static_cast<char>((bits >> (8 * b)) & 0xff);
      }
      t->set_raw_data(bytes);
    } else {
      for (float f : values) t->add_float_data(f);
    }
  }
  onnx::TensorProto* doubles(const std::string& name, const std::vector<std::int64_t>& dims,
                             const std::vector<double>& values) {
    auto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::DOUBLE);
    for (std::int64_t d : dims) t->add_dims(d);
    for (double v : values) t->add_double_data(v);
    return t;
  }

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "") {
    auto* n = graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return n;
  }
  static void attr(onnx::NodeProto* n, const std::string& name, std::int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr_f(onnx::NodeProto* n, const std::string& name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr_ints(onnx::NodeProto* n, const std::string& name, const std::vector<std::int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (std::int64_t x : v) a->add_ints(x);
  }
  static void attr_s(onnx::NodeProto* n, const std::string& name, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  // A Constant node holding an int64 tensor (Reshape shapes).
  void constant_ints(const std::string& output, const std::vector<std::int64_t>& values) {
    auto* n = node("Constant", {}, {output});
    auto* a = n->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    auto* t = a->mutable_t();
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<std::int64_t>(values.size()));
    for (std::int64_t v : values) t->add_int64_data(v);
  }

  std::string bytes() const {
    std::string s;
    model_.SerializeToString(&s);
    return s;
  }
  net::Network load(std::vector<std::string>* warnings = nullptr) const {
    return io::parse_onnx(bytes(), "t.onnx", warnings);
  }
  net::Model load_model() const { return io::parse_onnx_model(bytes(), "t.onnx"); }

 private:
  onnx::ModelProto model_;
};

Rational pow2(long e) {
  Rational r = 1;
  if (e >= 0)
    mpq_mul_2exp(r.get_mpq_t(), r.get_mpq_t(), e);
  else
    mpq_div_2exp(r.get_mpq_t(), r.get_mpq_t(), -e);
  return r;
}

// f is a float32 and a nearest float32 to `decimal`: |f - decimal| <= ulp(f) / 2.
bool is_nearest_float32(const Rational& decimal, const Rational& f) {
  float as_float = static_cast<float>(f.get_d());
  if (io::exact_binary32(as_float) != f) return false;
  if (as_float == 0) return abs(decimal) <= pow2(-150);
  int e;
  std::frexp(as_float, &e);  // |f| in [2^(e-1), 2^e): ulp = 2^(e-24)
  return abs(decimal - f) <= pow2(e - 25);
}

// Deterministic pseudo-random rationals in [lo, hi] with denominator 2^10.
class Points {
 public:
  Rational next(const Rational& lo, const Rational& hi) {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    Rational t(static_cast<long>((state_ >> 33) % 1025), 1024);
    return Rational(lo + t * (hi - lo));
  }

 private:
  std::uint64_t state_ = 12345;
};

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Independent oracle: a float64 forward pass over a chain of Gemm / Relu /
// Flatten / Reshape / Sub / Div read directly from the protobuf, with weights
// as the floats the file holds.
std::vector<double> float64_forward(const std::filesystem::path& file, std::vector<double> x) {
  onnx::ModelProto model;
  std::ifstream in(file, std::ios::binary);
  REQUIRE(model.ParseFromIstream(&in));
  std::map<std::string, std::vector<double>> init;
  std::map<std::string, std::vector<std::int64_t>> dims;
  for (const auto& t : model.graph().initializer()) {
    std::vector<double> v;
    if (t.has_raw_data()) {
      for (std::size_t i = 0; i + 4 <= t.raw_data().size(); i += 4) {
        float f;
        std::memcpy(&f, t.raw_data().data() + i, 4);
        v.push_back(f);
      }
    } else {
      for (float f : t.float_data()) v.push_back(f);
    }
    init[t.name()] = v;
    dims[t.name()] = {t.dims().begin(), t.dims().end()};
  }
  std::map<std::string, std::vector<double>> constants;
  for (const auto& n : model.graph().node()) {
    const std::string& op = n.op_type();
    if (op == "Gemm") {
      bool trans_b = false;
      for (const auto& a : n.attribute())
        if (a.name() == "transB") trans_b = a.i() != 0;
      const auto& w = init.at(n.input(1));
      const auto& b = init.at(n.input(2));
      std::size_t rows = trans_b ? dims[n.input(1)][0] : dims[n.input(1)][1];
      std::size_t cols = trans_b ? dims[n.input(1)][1] : dims[n.input(1)][0];
      REQUIRE(cols == x.size());
      std::vector<double> y(rows);
      for (std::size_t r = 0; r < rows; ++r) {
        double s = b[r];
        for (std::size_t c = 0; c < cols; ++c) s += (trans_b ? w[r * cols + c] : w[c * rows + r]) * x[c];
        y[r] = s;
      }
      x = y;
    } else if (op == "Relu") {
      for (double& v : x) v = std::max(v, 0.0);
    } else if (op == "Constant") {
      std::vector<double> v;
      const auto& t = n.attribute(0).t();
      if (t.data_type() == onnx::TensorProto::FLOAT) {
        if (t.has_raw_data())
          for (std::size_t i = 0; i + 4 <= t.raw_data().size(); i += 4) {
            float f;
            std::memcpy(&f, t.raw_data().data() + i, 4);
            v.push_back(f);
          }
        else
          for (float f : t.float_data()) v.push_back(f);
      }
      constants[n.output(0)] = v;
    } else if (op == "Sub" || op == "Div") {
      const auto& c = constants.at(n.input(1));
      REQUIRE(c.size() == 1);
      for (double& v : x) v = op == "Sub" ? v - c[0] : v / c[0];
    } else {
      REQUIRE((op == "Flatten" || op == "Reshape" || op == "Identity"));
    }
  }
  return x;
}

}  // namespace

TEST_CASE("floats are the exact binary fractions they denote", "[import][onnx]") {
  CHECK(io::exact_binary32(0.1f) == Rational(13421773, 134217728));
  CHECK(io::exact_binary32(-2.5f) == Rational(-5, 2));
  CHECK(io::exact_binary32(0.0f) == 0);
  CHECK(io::exact_binary32(-0.0f) == 0);
  CHECK(io::exact_binary32(std::numeric_limits<float>::denorm_min()) == pow2(-149));
  CHECK(io::exact_binary32(std::numeric_limits<float>::max()) == Rational(mpz_class(16777215)) * pow2(104));
  CHECK(io::exact_binary64(0.1) == arith::parse_rational("3602879701896397/36028797018963968"));
  CHECK(io::exact_binary64(std::numeric_limits<double>::denorm_min()) == pow2(-1074));
  CHECK_THROWS_WITH(io::exact_binary32(std::numeric_limits<float>::quiet_NaN()), "is NaN");
  CHECK_THROWS_WITH(io::exact_binary64(-std::numeric_limits<double>::infinity()), "is infinite");
}

TEST_CASE("initializers in float_data, raw_data and double_data are exact", "[import][onnx]") {
  for (bool raw : {false, true}) {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.floats("W", {2, 1}, {0.1f, -3.0f}, raw);
    m.doubles("B", {1}, {0.1});
    m.node("MatMul", {"x", "W"}, {"h"});
    m.node("Add", {"h", "B"}, {"y"});
    m.output("y");
    net::Network n = m.load();
    REQUIRE(import_test::layer_summary(n) == "dense 1x2");
    const auto& d = std::get<net::Dense>(n.layers[0]);
    CHECK(d.weights(0, 0) == Rational(13421773, 134217728));
    CHECK(d.weights(0, 1) == -3);
    CHECK(d.bias[0] == arith::parse_rational("3602879701896397/36028797018963968"));
  }
}

TEST_CASE("Gemm: transA, transB, alpha, beta, and the input on either side", "[import][onnx]") {
  // y = alpha * A' B' + beta * C with A' = x (1x2), B' = W^T (2x3) stored [3,2].
  ModelBuilder m;
  m.input("x", {1, 2});
  m.floats("W", {3, 2}, {1, 2, 3, 4, 5, 6});
  m.floats("C", {3}, {1, -1, 0.5f});
  auto* g = m.node("Gemm", {"x", "W", "C"}, {"y"});
  ModelBuilder::attr(g, "transB", 1);
  ModelBuilder::attr_f(g, "alpha", 2.0f);
  ModelBuilder::attr_f(g, "beta", 0.25f);
  m.output("y");
  net::Network n = m.load();
  CHECK(net::evaluate(n, {1, -1}) ==
        Vector{2 * (1 - 2) + Rational(1, 4), 2 * (3 - 4) - Rational(1, 4), 2 * (5 - 6) + Rational(1, 8)});

  // transA: the input is stored as a column [2,1]; B is [2,3] as written.
  ModelBuilder t;
  t.input("x", {2, 1});
  t.floats("B", {2, 3}, {1, 2, 3, 4, 5, 6});
  ModelBuilder::attr(t.node("Gemm", {"x", "B"}, {"y"}), "transA", 1);
  t.output("y");
  CHECK(net::evaluate(t.load(), {1, 10}) == Vector{41, 52, 63});

  // The input as B: y = W x with x a column [2,1].
  ModelBuilder r;
  r.input("x", {2, 1});
  r.floats("A", {3, 2}, {1, 2, 3, 4, 5, 6});
  r.node("Gemm", {"A", "x"}, {"y"});
  r.output("y");
  CHECK(net::evaluate(r.load(), {1, 10}) == Vector{21, 43, 65});
}

TEST_CASE("MatMul with 1-D and batched operands, constant on either side", "[import][onnx]") {
  ModelBuilder a;  // x [2] @ W [2,3] -> [3]
  a.input("x", {2});
  a.floats("W", {2, 3}, {1, 2, 3, 4, 5, 6});
  a.node("MatMul", {"x", "W"}, {"y"});
  a.output("y");
  CHECK(net::evaluate(a.load(), {1, 10}) == Vector{41, 52, 63});

  ModelBuilder b;  // W [3,2] @ x [2] -> [3] (the vnncomp test nets)
  b.input("x", {2});
  b.floats("W", {3, 2}, {1, 2, 3, 4, 5, 6});
  b.node("MatMul", {"W", "x"}, {"y"});
  b.output("y");
  CHECK(net::evaluate(b.load(), {1, 10}) == Vector{21, 43, 65});

  ModelBuilder c;  // x [N,1,2] @ W [2,3] -> [1,1,3]
  std::vector<std::string> warnings;
  c.input("x", {-1, 1, 2});
  c.floats("W", {2, 3}, {1, 2, 3, 4, 5, 6});
  c.node("MatMul", {"x", "W"}, {"y"});
  c.output("y");
  net::Network n = c.load(&warnings);
  CHECK(net::evaluate(n, {1, 10}) == Vector{41, 52, 63});
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains("dimension 0 'N' is symbolic, taken as 1"));
}

TEST_CASE("a Sub/Div/Mul/Neg prefix folds into the first dense layer exactly", "[import][onnx]") {
  ModelBuilder m;
  m.input("x", {1, 2});
  m.floats("mean", {2}, {0.5f, -1});
  m.floats("std", {1}, {4});
  m.floats("k", {1}, {3});
  m.floats("W", {2, 2}, {1, 2, 3, 4});
  m.floats("b", {2}, {0.25f, 0});
  m.node("Sub", {"x", "mean"}, {"s"});
  m.node("Div", {"s", "std"}, {"d"});
  m.node("Mul", {"k", "d"}, {"k3"});
  m.node("Neg", {"k3"}, {"n"});
  auto* g = m.node("Gemm", {"n", "W", "b"}, {"y"});
  ModelBuilder::attr(g, "transB", 1);
  m.output("y");
  net::Network n = m.load();
  CHECK(import_test::layer_summary(n) == "dense 2x2");
  auto f = [](Rational x0, Rational x1) {
    Rational z0 = -3 * (x0 - Rational(1, 2)) / 4, z1 = -3 * (x1 + 1) / 4;
    return Vector{z0 + 2 * z1 + Rational(1, 4), 3 * z0 + 4 * z1};
  };
  for (auto [x0, x1] : std::vector<std::pair<Rational, Rational>>{{0, 0}, {1, 2}, {Rational(-7, 3), 5}})
    CHECK(net::evaluate(n, {x0, x1}) == f(x0, x1));
}

TEST_CASE("Constant+Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Identity, Dropout, activations",
          "[import][onnx]") {
  ModelBuilder m;
  m.input("x", {1, 2, 3});
  m.node("Transpose", {"x"}, {"t"});  // default perm: reverse -> [3,2,1]
  m.constant_ints("shape", {-1, 6});
  m.node("Reshape", {"t", "shape"}, {"r"});  // [1,6]: x0 x3 x1 x4 x2 x5
  m.constant_ints("axes0", {0});
  m.node("Squeeze", {"r", "axes0"}, {"s"});    // [6]
  m.node("Unsqueeze", {"s", "axes0"}, {"u"});  // [1,6]
  m.node("Flatten", {"u"}, {"f"});
  m.node("Identity", {"f"}, {"i"});
  m.node("Dropout", {"i"}, {"o", "mask"});
  m.node("Relu", {"o"}, {"a"});
  m.node("LeakyRelu", {"a"}, {"l"});  // default alpha: float32(0.01)
  auto* leaky = m.node("LeakyRelu", {"l"}, {"y"});
  ModelBuilder::attr_f(leaky, "alpha", 0.2f);
  m.output("y");
  net::Network n = m.load();
  CHECK(import_test::layer_summary(n) == "dense 6x6, relu, leaky_relu, leaky_relu");
  CHECK(std::get<net::LeakyRelu>(n.layers[2]).alpha == Rational(5368709, 536870912));
  CHECK(std::get<net::LeakyRelu>(n.layers[2]).alpha == io::exact_binary32(0.01f));
  CHECK(std::get<net::LeakyRelu>(n.layers[3]).alpha == io::exact_binary32(0.2f));
  CHECK(net::evaluate(n, {0, 1, 2, 3, 4, 5}) == Vector{0, 3, 1, 4, 2, 5});
}

TEST_CASE("old IR versions list initializers among the graph inputs", "[import][onnx]") {
  ModelBuilder m(3, 8);
  m.input("W", {2, 2});  // an initializer, also listed as an input
  m.input("x", {1, 2});
  m.floats("W", {2, 2}, {1, 0, 0, 1});
  m.node("MatMul", {"x", "W"}, {"y"});
  m.output("y");
  net::Network n = m.load();
  CHECK(n.input_dim == 2);
  CHECK(n.layers.empty());  // the identity matrix adds nothing
  CHECK(net::evaluate(n, {3, 4}) == Vector{3, 4});
}

TEST_CASE("ONNX errors name the node and the problem", "[import][onnx]") {
  CHECK_THROWS_WITH(io::parse_onnx("this is not an ONNX file at all", "g.onnx"), Catch::StartsWith("g.onnx: model: "));
  CHECK_THROWS_AS(io::parse_onnx(std::string("\x08\x07\x12\x03", 4), "g.onnx"), InputError);

  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.node("Relu", {"x"}, {"r"}, "first");
    m.node("Sigmoid", {"r"}, {"y"}, "sig1");
    m.output("y");
    // The piecewise-linear reader names the node and the commands that read it.
    CHECK_THROWS_WITH(m.load(), Catch::StartsWith("t.onnx: node 1 'sig1' (Sigmoid): sigmoid is not piecewise linear") &&
                                    Catch::Contains("nninv injective, surjective"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.node("Softmax", {"x"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::StartsWith("t.onnx: node 0 (Softmax): a softmax head is not piecewise linear") &&
                                    Catch::Contains("remove the head"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.node("Gelu", {"x"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("(Gelu): unsupported operator 'Gelu' (not monotone"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.node("Mul", {"x", "x"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("(Mul): both operands depend on the input"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.floats("one", {1}, {1});
    m.node("Div", {"one", "x"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("(Div): divides by a value that depends on the input"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.input("z", {1, 2});
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load(),
                      "t.onnx: model: the graph has 2 inputs that are not initializers ('x', 'z'), "
                      "expected one");
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.floats("W", {2, 2}, {1, std::numeric_limits<float>::quiet_NaN(), 0, 1}, true);
    m.node("MatMul", {"x", "W"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load(), "t.onnx: initializer 'W': value 1 is NaN, expected finite numbers");
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    auto* w = m.floats("W", {2, 3}, {1, 2, 3, 4}, true);
    (void)w;
    m.node("MatMul", {"x", "W"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::StartsWith("t.onnx: initializer 'W': has 16 bytes of raw_data, expected 24"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    auto* w = m.floats("W", {2, 2}, {});
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    m.node("MatMul", {"x", "W"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("initializer 'W': keeps its data in an external file"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.floats("W", {3, 2}, {1, 2, 3, 4, 5, 6});
    m.node("MatMul", {"x", "W"}, {"y"}, "mm");
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("node 0 'mm' (MatMul): operand shapes [1,2] and [3,2] do not match"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    auto* l = m.node("LeakyRelu", {"x"}, {"y"});
    ModelBuilder::attr_f(l, "alpha", -0.5f);
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("(LeakyRelu): alpha is -1/2, expected alpha >= 0"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.node("Dropout", {"x"}, {"y", "mask"});
    m.node("Add", {"y", "mask"}, {"z"});
    m.output("z");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("reads 'mask', which no earlier node"));
  }
  CHECK_THROWS_AS(io::load_onnx("/nonexistent/model.onnx"), CannotOpenInput);
}

TEST_CASE("truncated and corrupted real ONNX files give input errors", "[import][onnx]") {
  REQUIRE_SHARED_NETS();
  std::string bytes = file_bytes(nets_dir() / "marabou" / "fc1.onnx");
  for (std::size_t cut : {bytes.size() / 2, bytes.size() - 7, std::size_t{10}}) {
    INFO(cut);
    CHECK_THROWS_AS(io::parse_onnx(bytes.substr(0, cut), "fc1.onnx"), InputError);
  }
}

TEST_CASE("every .onnx in shared/nets loads with its documented shape", "[import][onnx]") {
  REQUIRE_SHARED_NETS();
  struct Case {
    const char* file;
    std::size_t in, out, relu_neurons;
    const char* summary;  // empty: not checked
  };
  const char* acas =
      "dense 50x5, relu, dense 50x50, relu, dense 50x50, relu, dense 50x50, relu, dense 50x50, relu, "
      "dense 50x50, relu, dense 5x50";
  for (const Case& c : {
           Case{"marabou/ACASXU_experimental_v2a_1_1.onnx", 5, 5, 300, acas},
           Case{"marabou/fc1.onnx", 2, 2, 75, "dense 25x2, relu, dense 25x25, relu, dense 25x25, relu, dense 2x25"},
           Case{"marabou/fc2.onnx", 784, 10, 0, "dense 10x784"},
           Case{"marabou/fc_2-2-3.onnx", 2, 3, 2, "dense 2x2, relu, dense 3x2"},
           Case{"marabou/mnist2x10.onnx", 784, 10, 20, "dense 10x784, relu, dense 10x10, relu, dense 10x10"},
           Case{"marabou/test_tiny_vnncomp.onnx", 1, 1, 1, "relu"},  // both weights 1, biases 0
           Case{"marabou/test_small_vnncomp.onnx", 1, 1, 4, "dense 2x1, relu, dense 2x2, relu, dense 1x2"},
           Case{"marabou/test_nano_vnncomp.onnx", 1, 1, 1, "dense 1x1, relu"},
           Case{"vnncomp2021/mnist-net_256x2.onnx", 784, 10, 512,
                "dense 256x784, relu, dense 256x256, relu, dense 10x256"},
           Case{"vnncomp2021/mnist-net_256x4.onnx", 784, 10, 1024, ""},
           Case{"vnncomp2021/mnist_relu_9_200.onnx", 784, 10, 1610, ""},
       }) {
    INFO(c.file);
    auto start = std::chrono::steady_clock::now();
    net::Network n = io::load_onnx(nets_dir() / c.file);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "load " << c.file << ": " << seconds << " s\n";
    CHECK(n.input_dim == c.in);
    CHECK(n.output_dim() == c.out);
    CHECK(n.nonlinear_neuron_count() == c.relu_neurons);
    CHECK(n.domain.is_everything());
    CHECK(n.codomain.is_everything());
    if (*c.summary) CHECK(import_test::layer_summary(n) == c.summary);
  }
}

TEST_CASE("small vnncomp nets compute what their weights say, exactly", "[import][onnx]") {
  REQUIRE_SHARED_NETS();
  net::Network tiny = io::load_onnx(nets_dir() / "marabou" / "test_tiny_vnncomp.onnx");
  CHECK(net::evaluate(tiny, {3}) == Vector{3});
  CHECK(net::evaluate(tiny, {-1}) == Vector{0});
  net::Network nano = io::load_onnx(nets_dir() / "marabou" / "test_nano_vnncomp.onnx");
  CHECK(net::evaluate(nano, {3}) == Vector{Rational(3, 2)});
  CHECK(net::evaluate(nano, {-3}) == Vector{0});
  // W0 = [1,1], B0 = 1.5, W1 = 2, B1 = 2.5, W2 = [3,3], B2 = 3.5.
  net::Network small = io::load_onnx(nets_dir() / "marabou" / "test_small_vnncomp.onnx");
  CHECK(net::evaluate(small, {1}) == Vector{Rational(157, 2)});
  CHECK(net::evaluate(small, {-10}) == Vector{Rational(37, 2)});
}

TEST_CASE("mnist nets agree with an independent float64 forward pass", "[import][onnx]") {
  REQUIRE_SHARED_NETS();
  for (const char* file : {"vnncomp2021/mnist_relu_9_200.onnx", "vnncomp2021/mnist-net_256x2.onnx",
                           "marabou/mnist2x10.onnx", "marabou/fc1.onnx", "marabou/fc2.onnx"}) {
    INFO(file);
    net::Network n = io::load_onnx(nets_dir() / file);
    Vector x;
    std::vector<double> xd;
    for (std::size_t i = 0; i < n.input_dim; ++i) {
      x.push_back(Rational(static_cast<long>((i * 37) % 17), 16));
      xd.push_back(x.back().get_d());
    }
    Vector exact = net::evaluate(n, x);
    std::vector<double> approx = float64_forward(nets_dir() / file, xd);
    REQUIRE(approx.size() == exact.size());
    for (std::size_t j = 0; j < exact.size(); ++j)
      CHECK(std::abs(exact[j].get_d() - approx[j]) <= 1e-9 * (1 + std::abs(approx[j])));
  }
}

TEST_CASE("mnist_relu_9_200: Sub/Div prefix folded, a relu on the outputs", "[import][onnx]") {
  REQUIRE_SHARED_NETS();
  net::Network n = io::load_onnx(nets_dir() / "vnncomp2021" / "mnist_relu_9_200.onnx");
  REQUIRE(n.layers.size() == 18);
  CHECK(std::holds_alternative<net::Relu>(n.layers.back()));
  CHECK(std::get<net::Dense>(n.layers[0]).weights.cols() == 784);
  Vector y = net::evaluate(n, Vector(784, Rational(1, 2)));
  for (const Rational& v : y) CHECK(v >= 0);
}

TEST_CASE("fc_2-2-3: the .nnet and the .onnx are the same exact network", "[import][onnx][nnet]") {
  REQUIRE_SHARED_NETS();
  net::Network a = io::load_nnet(nets_dir() / "marabou" / "fc_2-2-3.nnet");
  net::Network b = io::load_onnx(nets_dir() / "marabou" / "fc_2-2-3.onnx");
  REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t k = 0; k < a.layers.size(); ++k) CHECK(import_test::same_layer(a.layers[k], b.layers[k]));
  Points p;
  for (int i = 0; i < 20; ++i) {
    Vector x{p.next(-100, 100), p.next(-100, 100)};
    CHECK(net::evaluate(a, x) == net::evaluate(b, x));
  }
}

TEST_CASE("ACAS Xu 1_1: the .onnx is the .nnet's inner network rounded to float32", "[import][onnx][nnet]") {
  REQUIRE_SHARED_NETS();
  net::Network nnet = io::load_nnet(nets_dir() / "acasxu" / "ACASXU_experimental_v2a_1_1.nnet");
  net::Network onnx = io::load_onnx(nets_dir() / "marabou" / "ACASXU_experimental_v2a_1_1.onnx");
  // The ONNX file works in the normalised space: compare with the .nnet's
  // layers between its normalisation and de-normalisation.
  net::Network inner = nnet;
  inner.layers.assign(nnet.layers.begin() + 1, nnet.layers.end() - 1);
  REQUIRE(inner.layers.size() == onnx.layers.size());

  Rational max_weight_gap = 0;
  std::size_t weights = 0;
  for (std::size_t k = 0; k < onnx.layers.size(); ++k) {
    const auto* o = std::get_if<net::Dense>(&onnx.layers[k]);
    if (!o) continue;
    const auto& d = std::get<net::Dense>(inner.layers[k]);
    REQUIRE(o->weights.rows() == d.weights.rows());
    REQUIRE(o->weights.cols() == d.weights.cols());
    for (std::size_t r = 0; r < d.weights.rows(); ++r) {
      for (std::size_t c = 0; c < d.weights.cols(); ++c, ++weights) {
        if (!is_nearest_float32(d.weights(r, c), o->weights(r, c)))
          FAIL("layer " << k << " weight (" << r << "," << c << "): " << o->weights(r, c) << " is not float32("
                        << d.weights(r, c) << ")");
        max_weight_gap = std::max(max_weight_gap, Rational(abs(d.weights(r, c) - o->weights(r, c))));
      }
      CHECK(is_nearest_float32(d.bias[r], o->bias[r]));
    }
  }
  CHECK(weights == 13000);
  CHECK(max_weight_gap > 0);  // different exact functions
  CHECK(max_weight_gap.get_d() < 5e-7);

  // Evaluate both on points of the normalised box [(min-mean)/range, (max-mean)/range].
  const auto& norm = std::get<net::Dense>(nnet.layers.front());
  Points p;
  double max_gap = 0, max_raw_gap = 0;
  Rational out_range = std::get<net::Dense>(nnet.layers.back()).weights(0, 0);
  for (int i = 0; i < 25; ++i) {
    Vector x, z;
    for (std::size_t j = 0; j < 5; ++j) {
      x.push_back(p.next(*nnet.domain.sides[j].lower, *nnet.domain.sides[j].upper));
      z.push_back(norm.weights(j, j) * x.back() + norm.bias[j]);
    }
    Vector a = net::evaluate(inner, z), b = net::evaluate(onnx, z);
    Vector raw = net::evaluate(nnet, x);
    for (std::size_t j = 0; j < 5; ++j) {
      max_gap = std::max(max_gap, std::abs(Rational(a[j] - b[j]).get_d()));
      // The full .nnet function is the inner one, de-normalised.
      CHECK(raw[j] == a[j] * out_range + std::get<net::Dense>(nnet.layers.back()).bias[j]);
      max_raw_gap = std::max(max_raw_gap, std::abs(Rational((a[j] - b[j]) * out_range).get_d()));
    }
  }
  std::cout << "ACAS Xu 1_1 .nnet vs .onnx on 25 points: max |output difference| = " << max_gap
            << " (normalised outputs), " << max_raw_gap
            << " (raw units); max |weight difference| = " << max_weight_gap.get_d() << "\n";
  CHECK(max_gap > 0);
  CHECK(max_gap < 1e-6);
}

TEST_CASE("mutated ONNX files either load or give an input error", "[import][onnx]") {
  REQUIRE_SHARED_NETS();
  for (const char* file :
       {"marabou/fc1.onnx", "marabou/test_small_vnncomp.onnx", "marabou/ACASXU_experimental_v2a_1_1.onnx"}) {
    std::string original = file_bytes(nets_dir() / file);
    std::uint64_t state = 99;
    int loaded = 0, refused = 0;
    for (int trial = 0; trial < 200; ++trial) {
      std::string bytes = original;
      for (int flips = 0; flips < 1 + trial % 4; ++flips) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        std::size_t at = (state >> 20) % bytes.size();
        // Early trials hit the graph structure, later ones anywhere.
        if (trial < 100) at = at % std::min<std::size_t>(bytes.size(), 600);
        bytes[at] = static_cast<char>(state >> 56);
      }
      try {
        net::Network n = io::parse_onnx(bytes, file);
        CHECK(n.output_dim() >= 1);
        ++loaded;
      } catch (const InputError&) {
        ++refused;
      }
    }
    INFO(file << ": " << loaded << " loaded, " << refused << " refused");
    CHECK(loaded + refused == 200);
  }
}

// ---- Graphs and the layers of CNNs and invertible architectures (issue 15).
// Each model is evaluated exactly at seeded points and compared with the
// operator's definition written out here.

namespace {

// Seeded points with entries in [-3, 3] (multiples of 3/512).
std::vector<Vector> sample_points(std::size_t n, std::size_t count) {
  Points p;
  std::vector<Vector> out;
  for (std::size_t k = 0; k < count; ++k) {
    Vector x(n);
    for (Rational& v : x) {
      v = p.next(Rational(-3), Rational(3));
      v.canonicalize();  // Points builds t / 1024 unreduced
    }
    out.push_back(x);
  }
  return out;
}

Rational max_of(const Rational& a, const Rational& b) { return a < b ? b : a; }

}  // namespace

TEST_CASE("a skip connection y = relu(x) + x and a value read after it: one exact chain", "[import][onnx][graph]") {
  ModelBuilder m;
  m.input("x", {1, 2});
  m.node("Relu", {"x"}, {"r"});
  m.node("Add", {"r", "x"}, {"s"}, "skip");
  m.node("Relu", {"s"}, {"t"});
  m.node("Add", {"t", "r"}, {"y"});  // r (>= 0) is carried by one neuron, x by the pair relu(x), relu(-x)
  m.output("y");
  net::Network n = m.load();
  for (const Vector& x : sample_points(2, 20)) {
    Vector want(2);
    for (std::size_t i = 0; i < 2; ++i) {
      Rational r = max_of(x[i], 0);
      want[i] = max_of(r + x[i], 0) + r;
    }
    CHECK(net::evaluate(n, x) == want);
  }
  // First activation: relu(x) and x carried by the pair relu(x), relu(-x) (6 rows);
  // second: relu(s) and r, nonnegative, carried by one neuron each (4 rows).
  CHECK(import_test::layer_summary(n) == "dense 6x2, relu, dense 4x6, relu, dense 2x4");
}

TEST_CASE("Conv: strides, dilations, groups, pads and auto_pad, exactly", "[import][onnx][graph]") {
  // x: 1 x 2 x 4 x 5; W: 4 x 1 x 2 x 2 (group 2: channels 0-1 read input 0, 2-3 read input 1).
  std::vector<float> w, b = {0.5f, -1, 0.25f, 2};
  for (int k = 0; k < 16; ++k) w.push_back(static_cast<float>((k * 7) % 5 - 2) / 2);
  auto reference = [&](const Vector& x, std::size_t sh, std::size_t sw, std::size_t dh, std::size_t dw,
                       long ph, long pw, std::size_t oh, std::size_t ow) {
    Vector y;
    for (std::size_t o = 0; o < 4; ++o)
      for (std::size_t i = 0; i < oh; ++i)
        for (std::size_t j = 0; j < ow; ++j) {
          Rational sum = io::exact_binary32(b[o]);
          std::size_t c = o / 2;
          for (std::size_t u = 0; u < 2; ++u)
            for (std::size_t v = 0; v < 2; ++v) {
              long r = static_cast<long>(i * sh + u * dh) - ph, q = static_cast<long>(j * sw + v * dw) - pw;
              if (r < 0 || r >= 4 || q < 0 || q >= 5) continue;
              sum += io::exact_binary32(w[o * 4 + u * 2 + v]) * x[c * 20 + static_cast<std::size_t>(r) * 5 + q];
            }
          y.push_back(sum);
        }
    return y;
  };
  {
    ModelBuilder m;
    m.input("x", {1, 2, 4, 5});
    m.floats("W", {4, 1, 2, 2}, w);
    m.floats("B", {4}, b);
    auto* c = m.node("Conv", {"x", "W", "B"}, {"y"});
    ModelBuilder::attr(c, "group", 2);
    ModelBuilder::attr_ints(c, "strides", {2, 1});
    ModelBuilder::attr_ints(c, "dilations", {1, 2});
    ModelBuilder::attr_ints(c, "pads", {1, 0, 0, 1});
    m.output("y");
    net::Network n = m.load();
    // height: (4 + 1 - 2) / 2 + 1 = 2; width: (5 + 1 - 3) / 1 + 1 = 4
    REQUIRE(n.output_dim() == 4 * 2 * 4);
    for (const Vector& x : sample_points(40, 5)) CHECK(net::evaluate(n, x) == reference(x, 2, 1, 1, 2, 1, 0, 2, 4));
  }
  {
    ModelBuilder m;  // SAME_UPPER, stride 2: out = ceil(in / 2); total pad 0 (height), 1 (width, at the end)
    m.input("x", {1, 2, 4, 5});
    m.floats("W", {4, 1, 2, 2}, w);
    m.floats("B", {4}, b);
    auto* c = m.node("Conv", {"x", "W", "B"}, {"y"});
    ModelBuilder::attr(c, "group", 2);
    ModelBuilder::attr_ints(c, "strides", {2, 2});
    ModelBuilder::attr_s(c, "auto_pad", "SAME_UPPER");
    m.output("y");
    net::Network n = m.load();
    REQUIRE(n.output_dim() == 4 * 2 * 3);
    for (const Vector& x : sample_points(40, 5)) CHECK(net::evaluate(n, x) == reference(x, 2, 2, 1, 1, 0, 0, 2, 3));
  }
}

TEST_CASE("pools: MaxPool with ceil_mode, AveragePool counting the padding, the global pools", "[import][onnx][graph]") {
  {
    ModelBuilder m;  // 3 x 3, kernel 2, stride 2, ceil_mode: windows start at 0 and 2 (the last one clipped)
    m.input("x", {1, 1, 3, 3});
    auto* p = m.node("MaxPool", {"x"}, {"y"});
    ModelBuilder::attr_ints(p, "kernel_shape", {2, 2});
    ModelBuilder::attr_ints(p, "strides", {2, 2});
    ModelBuilder::attr(p, "ceil_mode", 1);
    m.output("y");
    net::Network n = m.load();
    REQUIRE(n.output_dim() == 4);
    for (const Vector& x : sample_points(9, 10)) {
      Vector want = {max_of(max_of(x[0], x[1]), max_of(x[3], x[4])), max_of(x[2], x[5]), max_of(x[6], x[7]), x[8]};
      CHECK(net::evaluate(n, x) == want);
    }
  }
  {
    ModelBuilder m;  // 2 x 2, pads 1, kernel 2, stride 2, count_include_pad: each window holds one value, / 4
    m.input("x", {1, 1, 2, 2});
    auto* p = m.node("AveragePool", {"x"}, {"y"});
    ModelBuilder::attr_ints(p, "kernel_shape", {2, 2});
    ModelBuilder::attr_ints(p, "strides", {2, 2});
    ModelBuilder::attr_ints(p, "pads", {1, 1, 1, 1});
    ModelBuilder::attr(p, "count_include_pad", 1);
    m.output("y");
    net::Network n = m.load();
    for (const Vector& x : sample_points(4, 5)) {
      Vector want;
      for (const Rational& v : x) want.push_back(v / 4);
      CHECK(net::evaluate(n, x) == want);
    }
  }
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool"}) {
    ModelBuilder m;
    m.input("x", {1, 2, 1, 3});
    m.node(op, {"x"}, {"y"});
    m.output("y");
    net::Network n = m.load();
    bool mean = std::string(op) == "GlobalAveragePool";
    for (const Vector& x : sample_points(6, 10)) {
      Vector want;
      for (std::size_t c = 0; c < 2; ++c)
        want.push_back(mean ? Rational((x[3 * c] + x[3 * c + 1] + x[3 * c + 2]) / 3)
                            : max_of(max_of(x[3 * c], x[3 * c + 1]), x[3 * c + 2]));
      CHECK(net::evaluate(n, x) == want);
    }
  }
}

TEST_CASE("Pad (reflect, edge, constant), Split, Gather, Slice with a negative step, Concat with a constant",
          "[import][onnx][graph]") {
  for (const char* mode : {"reflect", "edge", "constant"}) {
    ModelBuilder m;
    m.input("x", {1, 3});
    m.constant_ints("pads", {0, 2, 0, 2});
    auto* p = m.node("Pad", {"x", "pads"}, {"y"});
    ModelBuilder::attr_s(p, "mode", mode);
    m.output("y");
    net::Network n = m.load();
    for (const Vector& x : sample_points(3, 5)) {
      const Rational &a = x[0], &b = x[1], &c = x[2];
      std::string md = mode;
      Vector want = md == "reflect" ? Vector{c, b, a, b, c, b, a}
                    : md == "edge"  ? Vector{a, a, a, b, c, c, c}
                                    : Vector{0, 0, a, b, c, 0, 0};
      CHECK(net::evaluate(n, x) == want);
    }
  }
  ModelBuilder m;
  m.input("x", {1, 4});
  m.constant_ints("sizes", {1, 3});
  auto* split = m.node("Split", {"x", "sizes"}, {"head", "tail"});
  ModelBuilder::attr(split, "axis", 1);
  m.constant_ints("idx", {2, 0});
  auto* g = m.node("Gather", {"tail", "idx"}, {"picked"});  // tail[2], tail[0] = x3, x1
  ModelBuilder::attr(g, "axis", 1);
  m.constant_ints("starts", {-1});
  m.constant_ints("ends", {-100});
  m.constant_ints("axes", {1});
  m.constant_ints("steps", {-2});
  m.node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"back"});  // x3, x1
  m.floats("c", {1, 1}, {0.5f});
  auto* cat = m.node("Concat", {"picked", "head", "c", "back"}, {"y"});
  ModelBuilder::attr(cat, "axis", 1);
  m.output("y");
  net::Network n = m.load();
  for (const Vector& x : sample_points(4, 5))
    CHECK(net::evaluate(n, x) == Vector{x[3], x[1], x[0], Rational(1, 2), x[3], x[1]});
}

TEST_CASE("Clip (both bounds, min only, opset-6 max only) and per-channel PRelu, exactly", "[import][onnx][graph]") {
  {
    ModelBuilder m;
    m.input("x", {1, 3});
    m.floats("lo", {}, {-1});
    m.floats("hi", {}, {2});
    m.node("Clip", {"x", "lo", "hi"}, {"a"});
    m.node("Clip", {"x", "lo", ""}, {"b"});
    m.node("Add", {"a", "b"}, {"y"});
    m.output("y");
    net::Network n = m.load();
    for (const Vector& x : sample_points(3, 20)) {
      Vector want;
      for (const Rational& v : x) want.push_back(std::min(max_of(v, -1), Rational(2)) + max_of(v, -1));
      CHECK(net::evaluate(n, x) == want);
    }
  }
  {
    ModelBuilder m(7, 6);
    m.input("x", {1, 2});
    auto* c = m.node("Clip", {"x"}, {"y"});
    ModelBuilder::attr_f(c, "max", 0.5f);
    m.output("y");
    net::Network n = m.load();
    for (const Vector& x : sample_points(2, 10))
      CHECK(net::evaluate(n, x) == Vector{std::min(x[0], Rational(1, 2)), std::min(x[1], Rational(1, 2))});
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.floats("slope", {2}, {0.25f, -0.5f});
    m.node("PRelu", {"x", "slope"}, {"y"});
    m.output("y");
    net::Network n = m.load();
    for (const Vector& x : sample_points(2, 20)) {
      Vector want = {x[0] < 0 ? Rational(x[0] / 4) : x[0], x[1] < 0 ? Rational(-x[1] / 2) : x[1]};
      CHECK(net::evaluate(n, x) == want);
    }
  }
  {
    ModelBuilder m;  // one slope for all: a leaky_relu layer, no extra neurons
    m.input("x", {1, 2});
    m.floats("slope", {1}, {0.25f});
    m.node("PRelu", {"x", "slope"}, {"y"});
    m.output("y");
    CHECK(import_test::layer_summary(m.load()) == "leaky_relu");
  }
}

TEST_CASE("graph operators that are not affine, or not read, give located errors", "[import][onnx][graph]") {
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    auto* c = m.node("Cast", {"x"}, {"y"}, "to_int");
    ModelBuilder::attr(c, "to", onnx::TensorProto::INT64);
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("node 0 'to_int' (Cast): casts a value that depends on the input"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.floats("lo", {}, {2});
    m.floats("hi", {}, {1});
    m.node("Clip", {"x", "lo", "hi"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("(Clip): min 2 is greater than max 1"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 1, 2, 2});
    auto* p = m.node("MaxPool", {"x"}, {"y", "indices"});
    ModelBuilder::attr_ints(p, "kernel_shape", {2, 2});
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("(MaxPool): the Indices output cannot be read"));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.node("Relu", {"x"}, {"r"});
    m.node("Mul", {"r", "x"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("(Mul): both operands depend on the input: their product is not "
                                                "piecewise linear"));
  }
}

TEST_CASE("smooth activations and heads: Tanh, Elu, Softmax -> ArgMax, LogSoftmax as the model records them",
          "[import][onnx][graph]") {
  {
    ModelBuilder m;
    m.input("x", {1, 2});
    m.floats("W", {2, 3}, {1, 2, 3, 4, 5, 6}, true);
    m.node("MatMul", {"x", "W"}, {"h"});
    m.node("Tanh", {"h"}, {"t"});
    auto* elu = m.node("Elu", {"t"}, {"e"}, "act");
    ModelBuilder::attr_f(elu, "alpha", 0.5f);
    m.node("Softmax", {"e"}, {"p"});
    auto* arg = m.node("ArgMax", {"p"}, {"y"});
    ModelBuilder::attr(arg, "axis", 1);
    ModelBuilder::attr(arg, "select_last_index", 1);
    m.output("y");
    net::Model model = m.load_model();
    REQUIRE(model.smooth.size() == 2);
    CHECK(model.smooth[0].kind == net::Smooth::tanh);
    CHECK(model.smooth[1].kind == net::Smooth::elu);
    CHECK(model.smooth[1].alpha == Rational(1, 2));
    CHECK(model.smooth[1].where == "node 2 'act' (Elu)");
    CHECK(model.head == net::Head::argmax);  // argmax of softmax is argmax of the logits
    CHECK(model.last_index);
    CHECK(model.output_dim() == 1);
    CHECK(model.net.output_dim() == 3);
    // The identity layers that stand for the activations, after the dense layer.
    CHECK(std::holds_alternative<net::Identity>(model.net.layers[model.smooth[0].at]));
    CHECK(net::evaluate(model.net, {1, 1}) == Vector{5, 7, 9});  // x W, the smooth layers as identities
  }
  {
    ModelBuilder m;
    m.input("x", {1, 3});
    m.node("LogSoftmax", {"x"}, {"y"});
    m.output("y");
    net::Model model = m.load_model();
    CHECK(model.head == net::Head::log_softmax);
    CHECK(model.smooth.empty());
  }
  {  // A head in the middle of the graph.
    ModelBuilder m;
    m.input("x", {1, 2});
    m.node("Softmax", {"x"}, {"p"});
    m.node("Relu", {"p"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load_model(), Catch::Contains("node 1 (Relu): reads the output of the softmax head"));
  }
  {  // Softmax over the batch axis.
    ModelBuilder m;
    m.input("x", {1, 3});
    auto* n = m.node("Softmax", {"x"}, {"y"});
    ModelBuilder::attr(n, "axis", 0);
    m.output("y");
    CHECK_THROWS_WITH(m.load_model(), Catch::Contains("does not hold all features"));
  }
  {  // A skip connection across a Tanh cannot be carried exactly.
    ModelBuilder m;
    m.input("x", {1, 2});
    m.node("Tanh", {"x"}, {"t"});
    m.node("Add", {"t", "x"}, {"y"});
    m.output("y");
    CHECK_THROWS_WITH(m.load_model(), Catch::Contains("(Tanh): other values that later nodes read") &&
                                          Catch::Contains("only through relu and leaky_relu"));
  }
  {  // ELU must increase.
    ModelBuilder m;
    m.input("x", {1, 2});
    auto* n = m.node("Elu", {"x"}, {"y"});
    ModelBuilder::attr_f(n, "alpha", -1.0f);
    m.output("y");
    CHECK_THROWS_WITH(m.load_model(), Catch::Contains("expected alpha > 0"));
  }
}

TEST_CASE("ConvTranspose: strides, dilations, pads, output_padding, groups and output_shape, exactly",
          "[import][onnx][graph]") {
  // x: 1 x 2 x 2 x 3; W: 2 x 2 x 2 x 2 (group 2: input channel c writes output channels 2c', here c' = c).
  std::vector<float> w, b = {0.5f, -1};
  for (int k = 0; k < 8; ++k) w.push_back(static_cast<float>((k * 5) % 7 - 3) / 4);
  // The definition, scattered: every x[c, i, j] adds x * W[c, 0, u, v] to y[c, i s + u d - p, j s' + v d' - p'].
  auto reference = [&](const Vector& x, long sh, long sw, long dh, long dw, long ph, long pw, long oh, long ow) {
    Vector y(static_cast<std::size_t>(2 * oh * ow));
    for (long c = 0; c < 2; ++c) {
      for (long i = 0; i < oh * ow; ++i) y[static_cast<std::size_t>(c * oh * ow + i)] = io::exact_binary32(b[c]);
      for (long i = 0; i < 2; ++i)
        for (long j = 0; j < 3; ++j)
          for (long u = 0; u < 2; ++u)
            for (long v = 0; v < 2; ++v) {
              long r = i * sh + u * dh - ph, q = j * sw + v * dw - pw;
              if (r < 0 || r >= oh || q < 0 || q >= ow) continue;
              y[static_cast<std::size_t>(c * oh * ow + r * ow + q)] +=
                  io::exact_binary32(w[static_cast<std::size_t>(c * 4 + u * 2 + v)]) *
                  x[static_cast<std::size_t>(c * 6 + i * 3 + j)];
            }
    }
    return y;
  };
  {
    ModelBuilder m;
    m.input("x", {1, 2, 2, 3});
    m.floats("W", {2, 1, 2, 2}, w);
    m.floats("B", {2}, b);
    auto* c = m.node("ConvTranspose", {"x", "W", "B"}, {"y"});
    ModelBuilder::attr(c, "group", 2);
    ModelBuilder::attr_ints(c, "strides", {2, 1});
    ModelBuilder::attr_ints(c, "dilations", {1, 2});
    ModelBuilder::attr_ints(c, "pads", {1, 0, 0, 1});
    ModelBuilder::attr_ints(c, "output_padding", {1, 0});
    m.output("y");
    net::Network n = m.load();
    // height: 2 (2 - 1) + 1 + 1 + 1 - 1 = 4; width: 1 (3 - 1) + 0 + 2 + 1 - 1 = 4
    REQUIRE(n.output_dim() == 2 * 4 * 4);
    for (const Vector& x : sample_points(12, 6)) CHECK(net::evaluate(n, x) == reference(x, 2, 1, 1, 2, 1, 0, 4, 4));
  }
  {
    ModelBuilder m;  // output_shape 4 x 6 with stride 2: full size 4 x 6, no padding
    m.input("x", {1, 2, 2, 3});
    m.floats("W", {2, 1, 2, 2}, w);
    m.floats("B", {2}, b);
    auto* c = m.node("ConvTranspose", {"x", "W", "B"}, {"y"});
    ModelBuilder::attr(c, "group", 2);
    ModelBuilder::attr_ints(c, "strides", {2, 2});
    ModelBuilder::attr_ints(c, "output_shape", {3, 5});  // total padding 1 each way: begin 1, end 0 (NOTSET)
    m.output("y");
    net::Network n = m.load();
    REQUIRE(n.output_dim() == 2 * 3 * 5);
    for (const Vector& x : sample_points(12, 6)) CHECK(net::evaluate(n, x) == reference(x, 2, 2, 1, 1, 1, 1, 3, 5));
  }
  {
    ModelBuilder m;
    m.input("x", {1, 2, 2, 3});
    m.floats("W", {3, 1, 2, 2}, std::vector<float>(12, 1));
    auto* c = m.node("ConvTranspose", {"x", "W"}, {"y"});
    (void)c;
    m.output("y");
    CHECK_THROWS_WITH(m.load(), Catch::Contains("(ConvTranspose): weight of shape"));
  }
}
