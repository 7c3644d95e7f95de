// Small MLPs trained in PyTorch and exported with torch.onnx.export
// (tests/import/trained/train.py; the .onnx files are committed). Their
// answers are not known by construction, so every verdict asserted here is
// one that carries its own proof: surjectivity by the recession degree and
// injectivity by coherent orientation, both re-derived by nninv-check, and
// injectivity refuted by an exactly checked collision.
#include <catch2/catch.hpp>

#include "nninv/check/checker.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/io/load_model.hpp"

using namespace nninv;

namespace {
net::Network trained(const std::string& name) {
  return io::load_model(std::string(NNINV_SOURCE_DIR) + "/tests/import/trained/" + name + ".onnx");
}

// `property` holds by `method`, and nninv-check certifies it.
void require_certified(const char* name, decide::Property property, const char* method) {
  INFO(name);
  net::Network net = trained(name);
  decide::Options options;
  options.want_proof = true;
  decide::Outcome o = decide::decide(net, property, decide::Budget(120.0), options);
  INFO(o.reason);
  REQUIRE(o.verdict == decide::Verdict::holds);
  CHECK(o.method == method);
  check::Report r = check::check_certificate(net, decide::certificate(net, o));
  INFO(r.message);
  CHECK(r.status == check::Status::certified);
}
}  // namespace

TEST_CASE("trained R^2 -> R^2 MLPs are onto by their recession degree, certified", "[import][trained]") {
  for (const char* name : {"relu_2_8", "relu_2_16_16", "leaky_2_16_16"})
    require_certified(name, decide::Property::surjective, "recession degree");
}

// Injectivity of square nets on R^n by coherent orientation and degree
// +-1: each certified by nninv-check (the region tree of f, every full
// region of the degree's orientation).
TEST_CASE("trained R^2 -> R^2 MLPs that are PL homeomorphisms: injective, certified", "[import][trained]") {
  for (const char* name : {"relu_2_16_16", "leaky_2_16_16"})
    require_certified(name, decide::Property::injective, "coherent orientation (degree)");
}

// relu_2_8 folds where samples see it; relu_3_16_16 has a region of the
// other orientation that 60,000 random samples miss, found by the region
// tree of the coherent-orientation stage.
TEST_CASE("trained MLPs that fold: not injective, with an exactly checked collision", "[import][trained]") {
  for (const char* name : {"relu_2_8", "relu_3_16_16"}) {
    INFO(name);
    net::Network net = trained(name);
    decide::Outcome o = decide::decide(net, decide::Property::injective, decide::Budget(300.0));
    INFO(o.reason);
    REQUIRE(o.verdict == decide::Verdict::violated);
    REQUIRE(o.collision);
    CHECK(o.collision->x1 != o.collision->x2);
    CHECK(net::evaluate(net, o.collision->x1) == net::evaluate(net, o.collision->x2));
  }
}
