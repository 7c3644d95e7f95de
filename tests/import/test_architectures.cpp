// Invertible architectures and the layers real networks use, as PyTorch
// exported them (tests/import/architectures/make.py; the .onnx files are
// committed, README.md there gives each one's truth and the reason). Every
// "holds" asserted here must be certified by nninv-check, every "violated"
// carry an exactly checked witness.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>

#include "decide/procedures.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/decide/model.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/load_model.hpp"
#include "nninv/io/onnx_loader.hpp"

using namespace nninv;

namespace {
net::Network architecture(const std::string& name, std::vector<std::string>* warnings = nullptr) {
  return io::load_model(std::string(NNINV_SOURCE_DIR) + "/tests/import/architectures/" + name + ".onnx",
                        io::Format::automatic, warnings);
}

decide::Outcome decided(const net::Network& net, decide::Property property, bool blocks = true) {
  decide::Options options;
  options.want_proof = true;
  options.blocks = blocks;
  return decide::decide(net, property, decide::Budget(60.0), options);
}

void require_certified(const net::Network& net, const decide::Outcome& o) {
  INFO(o.reason);
  REQUIRE(o.verdict == decide::Verdict::holds);
  check::Report r = check::check_certificate(net, decide::certificate(net, o));
  INFO(r.message);
  CHECK(r.status == check::Status::certified);
}

void require_collision(const net::Network& net, const decide::Outcome& o) {
  INFO(o.reason);
  REQUIRE(o.verdict == decide::Verdict::violated);
  REQUIRE(o.collision);
  CHECK(o.collision->x1 != o.collision->x2);
  CHECK(net::evaluate(net, o.collision->x1) == net::evaluate(net, o.collision->x2));
}
}  // namespace

TEST_CASE("i-ResNet blocks and stacks, NICE couplings: bijections of R^n by their blocks, certified",
          "[import][architectures]") {
  for (const char* name : {"iresnet_block_8", "iresnet_deep_8", "iresnet_stack4_8", "iresnet_leaky_stack2_8",
                           "nice_stack4_8", "nice_coupling_1_4"}) {
    INFO(name);
    net::Network net = architecture(name);
    for (decide::Property p : {decide::Property::injective, decide::Property::surjective}) {
      decide::Outcome o = decided(net, p);
      CHECK(o.method == (p == decide::Property::injective ? "blocks (coupling, residual contraction)"
                                                          : "blocks, onto (coupling, residual contraction)"));
      require_certified(net, o);
    }
  }
}

TEST_CASE("the skip connection is exact: x + g(x) evaluates as PyTorch's graph says", "[import][architectures]") {
  // residual_fold_2: g(x) = (-3 relu(x1), 0), so f(-1, 0) = f(1/2, 0) = (-1, 0).
  net::Network net = architecture("residual_fold_2");
  using arith::Rational;
  CHECK(net::evaluate(net, {Rational(-1), Rational(0)}) == arith::Vector{Rational(-1), Rational(0)});
  CHECK(net::evaluate(net, {Rational(1, 2), Rational(0)}) == arith::Vector{Rational(-1), Rational(0)});
  CHECK(net::evaluate(net, {Rational(3), Rational(5)}) == arith::Vector{Rational(-6), Rational(5)});
}

TEST_CASE("a residual block with Lip(g) > 1 that folds: violated with an exact collision, blocks step aside",
          "[import][architectures]") {
  net::Network net = architecture("residual_fold_2");
  require_collision(net, decided(net, decide::Property::injective));
  decide::Outcome blocks_only =
      decide::make_block_composition(decide::Property::injective)->run(net, decide::Budget(10.0));
  CHECK(blocks_only.verdict == decide::Verdict::unknown);
  CHECK_THAT(blocks_only.reason, Catch::Contains("neither a coupling layer nor a contraction"));
}

TEST_CASE("conv, pooling, clip and dimension: not injective with exact collisions", "[import][architectures]") {
  for (const char* name : {"conv_net", "conv_square", "avgpool_net", "maxpool_net", "relu6_mlp", "hardtanh_mlp"}) {
    INFO(name);
    net::Network net = architecture(name);
    require_collision(net, decided(net, decide::Property::injective));
  }
}

TEST_CASE("batch norm, PReLU and padded conv nets that are bijections: certified", "[import][architectures]") {
  std::vector<std::string> warnings;
  net::Network bn = architecture("batchnorm_mlp", &warnings);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains("IEEE double precision"));
  for (const char* name : {"batchnorm_mlp", "prelu_mlp", "pad_net", "convtranspose_net"}) {
    INFO(name);
    net::Network net = architecture(name);
    require_certified(net, decided(net, decide::Property::injective));
  }
  // ConvTranspose2d(1, 2, 2, stride 2): injective R^4 -> R^32, its image 4-dimensional.
  net::Network up = architecture("convtranspose_net");
  decide::Outcome onto = decided(up, decide::Property::surjective);
  CHECK(onto.verdict == decide::Verdict::violated);
}

TEST_CASE("classifier heads and smooth activations exported by PyTorch: decided and certified",
          "[import][architectures]") {
  auto model = [](const std::string& name) {
    return io::load_onnx_model(std::string(NNINV_SOURCE_DIR) + "/tests/import/architectures/" + name + ".onnx");
  };
  struct Truth {
    const char* name;
    decide::Verdict injective, surjective;
  };
  using decide::Verdict;
  // README.md of the folder: argmax / softmax classifiers are never injective, softmax never onto R^3; the
  // trained classifier's three labels are each reached (margins in the README; classifier_argmax's are found,
  // not known by construction); log_softmax of an affine map with det(D W) != 0 is injective; tanh, sigmoid,
  // elu and softplus MLPs with invertible weights are injective, and bounded (tanh, sigmoid) or bounded below
  // (elu, softplus) in a way an invertible last layer cannot undo.
  for (const Truth& t : {Truth{"classifier_argmax", Verdict::violated, Verdict::holds},
                         Truth{"trained_classifier", Verdict::violated, Verdict::holds},
                         Truth{"classifier_softmax", Verdict::violated, Verdict::violated},
                         Truth{"conv_softmax", Verdict::violated, Verdict::violated},
                         Truth{"log_softmax_linear", Verdict::holds, Verdict::violated},
                         Truth{"tanh_mlp", Verdict::holds, Verdict::violated},
                         Truth{"sigmoid_mlp", Verdict::holds, Verdict::violated},
                         Truth{"elu_mlp", Verdict::holds, Verdict::violated},
                         Truth{"softplus_mlp", Verdict::holds, Verdict::violated}}) {
    INFO(t.name);
    net::Model m = model(t.name);
    CHECK_FALSE(m.piecewise_linear());
    CHECK_THROWS_AS(architecture(t.name), InputError);  // the piecewise-linear reader refuses it
    for (auto [p, want] : {std::pair{decide::Property::injective, t.injective},
                           std::pair{decide::Property::surjective, t.surjective}}) {
      decide::Outcome o = decide::decide(m, p, decide::Budget(20.0));
      CHECK(o.verdict == want);
      check::Report r = check::check_certificate(m, decide::certificate(m, o));
      INFO(r.message);
      CHECK(r.status == check::Status::certified);
    }
  }
}

TEST_CASE("blocks certificates: nninv-check rejects a tampered constant, pair, inverse or coordinate list",
          "[import][architectures]") {
  {
    net::Network net = architecture("iresnet_block_8");
    decide::Outcome o = decided(net, decide::Property::injective);
    REQUIRE(o.verdict == decide::Verdict::holds);
    nlohmann::json c = decide::certificate(net, o);
    auto rejected = [&](nlohmann::json bad) {
      return check::check_certificate(net, bad).status == check::Status::rejected;
    };
    nlohmann::json& block = c["evidence"]["blocks"][0];
    nlohmann::json bad = c;
    bad["evidence"]["blocks"][0]["out"] = "1/10";
    CHECK(rejected(bad));
    bad = c;
    bad["evidence"]["blocks"][0]["bounds"][0]["q"] = "1/10";
    CHECK(rejected(bad));
    bad = c;
    bad["evidence"]["blocks"][0]["inverse"][0][0] = "2";
    CHECK(rejected(bad));
    bad = c;
    REQUIRE(block["pairs"].size() > 1);
    bad["evidence"]["blocks"][0]["pairs"][0][2] = block["pairs"][1][2];
    CHECK(rejected(bad));
    bad = c;
    bad["evidence"]["blocks"][0]["rule"] = "triangular";
    bad["evidence"]["blocks"][0]["reads"] = nlohmann::json::array();
    CHECK(rejected(bad));
  }
  {
    net::Network net = architecture("nice_coupling_1_4");
    decide::Outcome o = decided(net, decide::Property::injective);
    REQUIRE(o.verdict == decide::Verdict::holds);
    nlohmann::json c = decide::certificate(net, o);
    nlohmann::json bad = c;
    REQUIRE(c["evidence"]["blocks"][0]["reads"].size() == 2);
    bad["evidence"]["blocks"][0]["reads"] = {c["evidence"]["blocks"][0]["reads"][0]};
    CHECK(check::check_certificate(net, bad).status == check::Status::rejected);
    CHECK(check::check_certificate(net, c).status == check::Status::certified);
  }
}

// An independent reading of every loadable export: make.py's numpy
// interpreter of the ONNX graph (checked there against PyTorch), run in
// float64 by expected.py at inputs that are multiples of 1/8. nninv's exact
// evaluation of the network it read must agree to float64 precision: this
// holds the reader's Conv, pooling, Pad, BatchNormalization, PRelu, Clip,
// Slice, Concat and skip connections to what the graph computes.
// The model in double precision: the exact layers rounded, the smooth
// activations and the head by <cmath>. Only for comparing with expected.json.
std::vector<double> float_evaluate(const net::Model& m, const arith::Vector& x) {
  std::vector<double> v;
  for (const arith::Rational& q : x) v.push_back(q.get_d());
  for (std::size_t k = 0; k < m.net.layers.size(); ++k) {
    const net::Layer& layer = m.net.layers[k];
    if (const net::SmoothLayer* s = m.smooth_at(k)) {
      double alpha = s->alpha.get_d();
      for (double& z : v)
        z = s->kind == net::Smooth::tanh      ? std::tanh(z)
            : s->kind == net::Smooth::sigmoid ? 1 / (1 + std::exp(-z))
            : s->kind == net::Smooth::elu     ? (z > 0 ? z : alpha * std::expm1(z))
                                              : std::log1p(std::exp(z));
    } else if (const auto* d = std::get_if<net::Dense>(&layer)) {
      std::vector<double> out(d->weights.rows());
      for (std::size_t r = 0; r < out.size(); ++r) {
        out[r] = d->bias[r].get_d();
        for (std::size_t c = 0; c < v.size(); ++c) out[r] += d->weights(r, c).get_d() * v[c];
      }
      v = std::move(out);
    } else if (auto slope = net::negative_slope(layer)) {
      for (double& z : v) z = z >= 0 ? z : slope->get_d() * z;
    }
  }
  if (m.head == net::Head::argmax) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < v.size(); ++i)
      if (m.last_index ? v[i] >= v[best] : v[i] > v[best]) best = i;
    return {static_cast<double>(best)};
  }
  if (m.head == net::Head::softmax || m.head == net::Head::log_softmax) {
    double top = *std::max_element(v.begin(), v.end()), sum = 0;
    for (double z : v) sum += std::exp(z - top);
    for (double& z : v) z = m.head == net::Head::softmax ? std::exp(z - top) / sum : z - top - std::log(sum);
  }
  return v;
}

TEST_CASE("every export evaluates as an independent ONNX interpreter says", "[import][architectures]") {
  std::ifstream in(std::string(NNINV_SOURCE_DIR) + "/tests/import/architectures/expected.json");
  REQUIRE(in);
  nlohmann::json expected = nlohmann::json::parse(in);
  REQUIRE(expected.size() == 26);
  std::size_t models = 0;
  for (const auto& [file, cases] : expected.items()) {
    INFO(file);
    std::string stem = file.substr(0, file.size() - 5);
    net::Model model = io::load_onnx_model(std::string(NNINV_SOURCE_DIR) + "/tests/import/architectures/" + file);
    for (const auto& c : cases) {
      arith::Vector x;
      for (double v : c["x"]) x.push_back(io::exact_binary64(v));
      if (!model.piecewise_linear()) {
        // Smooth activations and heads in double: the model means what the graph computes.
        std::vector<double> y = float_evaluate(model, x);
        REQUIRE(y.size() == c["y"].size());
        for (std::size_t i = 0; i < y.size(); ++i) {
          double want = c["y"][i];
          CHECK(std::abs(y[i] - want) <= 1e-9 * (1 + std::abs(want)));
        }
        continue;
      }
      net::Network net = architecture(stem);
      arith::Vector y = net::evaluate(net, x);
      REQUIRE(y.size() == c["y"].size());
      for (std::size_t i = 0; i < y.size(); ++i) {
        double want = c["y"][i];
        CHECK(std::abs(y[i].get_d() - want) <= 1e-9 * (1 + std::abs(want)));
      }
    }
    models += !model.piecewise_linear();
  }
  CHECK(models == 9);  // 5 with a head and 4 smooth MLPs (README.md)
}
