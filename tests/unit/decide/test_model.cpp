// Smooth activations and classifier heads (src/decide/model.cpp and
// src/check/model_check.cpp): networks whose truth is known by theorem,
// every decided verdict certified by the checker, tampered certificates
// rejected, located input errors.
#include <catch2/catch.hpp>

#include "nninv/cert/certificate.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/decide/model.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/io/json_writer.hpp"

using namespace nninv;
using arith::Rational;
using arith::Vector;
using decide::Property;
using decide::Verdict;

namespace {

net::Model parse(const std::string& text) { return io::parse_model(text, "t.json"); }

decide::Outcome decided(const net::Model& m, Property p) { return decide::decide(m, p, decide::Budget(30.0)); }

check::Status status(const net::Model& m, const nlohmann::json& c) { return check::check_certificate(m, c).status; }

// The outcome, with its certificate required to be certified.
decide::Outcome certified(const net::Model& m, Property p) {
  decide::Outcome o = decided(m, p);
  if (o.decided()) {
    check::Report r = check::check_certificate(m, decide::certificate(m, o));
    INFO(r.message);
    CHECK(r.status == check::Status::certified);
  }
  return o;
}

// 2 -> 3 logits, then `head`: the logits are W x (+ a relu or leaky layer
// between two dense layers when `hidden` is set).
std::string logits(const std::string& w, const std::string& head, const std::string& domain = "") {
  return R"({"input_dim": 2, )" + domain + R"("layers": [{"type": "dense", "weights": )" + w +
         R"(}, {"type": "leaky_relu", "alpha": 0.5}, {"type": "dense", "weights": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]},
          {"type": ")" + head + R"("}]})";
}

std::string smooth(const std::string& w1, const std::string& act, const std::string& w2,
                   const std::string& codomain = "") {
  return R"({"input_dim": 2, )" + codomain + R"("layers": [{"type": "dense", "weights": )" + w1 +
         R"(, "bias": [1, -1]}, )" + act + R"(, {"type": "dense", "weights": )" + w2 + R"(}]})";
}

}  // namespace

TEST_CASE("softmax: injective exactly where the logit differences are", "[decide][model]") {
  // (x1, x2, 0): softmax with a reference class, injective (the differences are x itself).
  net::Model reference = parse(logits("[[1, 0], [0, 1], [0, 0]]", "softmax"));
  decide::Outcome o = certified(reference, Property::injective);
  CHECK(o.verdict == Verdict::holds);
  REQUIRE(o.evidence.value("kind", "") == "logit_differences");
  // The inner certificate is for the differences network the checker builds itself.
  nlohmann::json bad = decide::certificate(reference, o);
  bad["evidence"]["certificate"]["network"]["sha256"] = std::string(64, '0');
  CHECK(status(reference, bad) == check::Status::rejected);

  // (x1 + x2, x1 + x2 + 1, x1 + x2 - 2) after an injective layer: the
  // differences are constant, so x and x + t (1, -1) collide.
  net::Model shifted = parse(R"({"input_dim": 2, "layers": [{"type": "dense", "weights": [[1, 1], [1, 1], [1, 1]],
      "bias": [0, 1, -2]}, {"type": "log_softmax"}]})");
  o = certified(shifted, Property::injective);
  REQUIRE(o.verdict == Verdict::violated);
  CHECK(decide::check_collision(shifted, *o.collision).empty());
  CHECK(o.collision->y.empty());  // the common image is irrational

  // Logits that differ by a non-constant vector are not a collision.
  decide::Collision fake = *o.collision;
  net::Model reference_copy = reference;
  CHECK_FALSE(decide::check_collision(reference_copy, decide::Collision{{0, 0}, {1, 0}, {}}).empty());
  nlohmann::json c = decide::certificate(shifted, o);
  c["evidence"]["x2"] = c["evidence"]["x1"];
  CHECK(status(shifted, c) == check::Status::rejected);
  // The same two points are no collision of the reference-class softmax.
  c = decide::certificate(shifted, o);
  c["network"]["sha256"] = cert::model_sha256(reference);
  CHECK(status(reference, c) == check::Status::rejected);
}

TEST_CASE("softmax and log_softmax are never onto R^m; a point outside the range is certified", "[decide][model]") {
  for (const char* head : {"softmax", "log_softmax"}) {
    net::Model m = parse(logits("[[1, 0], [0, 1], [0, 0]]", head));
    decide::Outcome o = certified(m, Property::surjective);
    REQUIRE(o.verdict == Verdict::violated);
    nlohmann::json c = decide::certificate(m, o);
    // A point of the range instead: softmax (1/2, 1/4, 1/4); log_softmax -log 3 is not rational, so (-1, -1, -1)
    // (also inside log_softmax's bounding set: the checker must not accept it either).
    c["evidence"]["y"] = std::string(head) == "softmax" ? nlohmann::json::array({"1/2", "1/4", "1/4"})
                                                        : nlohmann::json::array({"-1", "-1", "-1"});
    CHECK(status(m, c) == check::Status::rejected);
    CHECK(certified(m, Property::into).verdict == Verdict::holds);  // Y = R^3
  }
  // Y a point of the range: reached (at x = 0), but nninv does not evaluate exp, and says unknown.
  net::Model tight = parse(R"({"input_dim": 1, "codomain": {"lower": ["1/2", "1/2"], "upper": ["1/2", "1/2"]},
      "layers": [{"type": "dense", "weights": [[1], [0]]}, {"type": "softmax"}]})");
  CHECK(decided(tight, Property::surjective).verdict == Verdict::unknown);
  CHECK(decided(tight, Property::into).verdict == Verdict::unknown);
}

TEST_CASE("argmax: never injective on an infinite X, onto the labels it reaches", "[decide][model]") {
  net::Model m = parse(logits("[[1, 0], [0, 1], [-1, -1]]", "argmax"));
  decide::Outcome o = certified(m, Property::injective);
  REQUIRE(o.verdict == Verdict::violated);
  REQUIRE(o.collision->y.size() == 1);
  CHECK(net::argmax_label(net::evaluate(m.net, o.collision->x1), false) ==
        static_cast<std::size_t>(o.collision->y[0].get_num().get_si()));
  // Each of the three labels wins somewhere (along e1, e2, -e1 - e2).
  o = certified(m, Property::surjective);
  CHECK(o.verdict == Verdict::holds);
  nlohmann::json c = decide::certificate(m, o);
  c["evidence"]["points"]["1"] = c["evidence"]["points"]["0"];
  CHECK(status(m, c) == check::Status::rejected);

  // A single point: injective.
  net::Model point = parse(R"({"input_dim": 1, "domain": {"lower": [2], "upper": [2]},
      "layers": [{"type": "dense", "weights": [[1], [-1]]}, {"type": "argmax"}]})");
  CHECK(certified(point, Property::injective).verdict == Verdict::holds);

  // Logits (x, x + 1): label 1 always (first index on ties would need x = x + 1), so label 0 is
  // never reached; Z3 proves it, and the checker says the proof is the solver's.
  net::Model never = parse(R"({"input_dim": 1, "layers": [{"type": "dense", "weights": [[1], [1]], "bias": [0, 1]},
      {"type": "argmax"}]})");
  o = decided(never, Property::surjective);
  REQUIRE(o.verdict == Verdict::violated);
  CHECK(o.unreached->y == Vector{0});
  CHECK(status(never, decide::certificate(never, o)) == check::Status::not_certified);
  // Ties: logits (x, x) give label 1 under the last-index rule, never 0. Label 0's region is
  // empty only because the tie goes to 1 (its closure is all of R): nninv does not claim more
  // than it proves, and answers unknown.
  net::Model tie = parse(R"({"input_dim": 1, "layers": [{"type": "dense", "weights": [[1], [1]]},
      {"type": "argmax", "last_index": true}]})");
  CHECK(decided(tie, Property::surjective).verdict == Verdict::unknown);
  CHECK(decided(tie, Property::injective).verdict == Verdict::violated);

  // Into: Y = {0} but label 1 is reached, with an exact escape.
  net::Model into = parse(R"({"input_dim": 1, "codomain": {"lower": [0], "upper": [0]},
      "layers": [{"type": "dense", "weights": [[1], [-1]]}, {"type": "argmax"}]})");
  o = certified(into, Property::into);
  REQUIRE(o.verdict == Verdict::violated);
  CHECK(o.escape->y == Vector{1});
  net::Model labels = parse(R"({"input_dim": 1, "codomain": {"lower": [0], "upper": [1]},
      "layers": [{"type": "dense", "weights": [[1], [-1]]}, {"type": "argmax"}]})");
  CHECK(certified(labels, Property::into).verdict == Verdict::holds);
  decide::BijectiveOutcome b = decide::decide_bijective(labels, decide::Budget(30.0));
  CHECK(b.verdict == Verdict::violated);
  CHECK(check::check_certificate(labels, decide::certificate(labels, b)).status == check::Status::certified);
}

TEST_CASE("tanh, sigmoid, elu, softplus: injective by composition, collisions before them", "[decide][model]") {
  for (const char* act : {R"({"type": "tanh"})", R"({"type": "sigmoid"})", R"({"type": "elu", "alpha": 2})",
                          R"({"type": "softplus"})"}) {
    INFO(act);
    // Invertible W1, W2 around an increasing activation: injective.
    net::Model inj = parse(smooth("[[1, 2], [3, 1]]", act, "[[1, 1], [0, 1]]"));
    CHECK(certified(inj, Property::injective).verdict == Verdict::holds);
    // W1 of rank 1: x and x + (2, -1) collide before the activation.
    net::Model fold = parse(smooth("[[1, 2], [2, 4]]", act, "[[1, 1], [0, 1]]"));
    decide::Outcome o = certified(fold, Property::injective);
    REQUIRE(o.verdict == Verdict::violated);
    CHECK(decide::check_collision(fold, *o.collision).empty());
    // W2 of rank 1 after the activation: not injective, but no exact collision can be computed.
    net::Model late = parse(smooth("[[1, 2], [3, 1]]", act, "[[1, 1], [2, 2]]"));
    o = decided(late, Property::injective);
    CHECK(o.verdict == Verdict::unknown);
    CHECK_THAT(o.reason, Catch::Contains("rank 1 < 2"));
  }
  // A certificate of composition does not hold for a relu after the smooth layer.
  net::Model inj = parse(smooth("[[1, 2], [3, 1]]", R"({"type": "tanh"})", "[[1, 1], [0, 1]]"));
  decide::Outcome o = decided(inj, Property::injective);
  nlohmann::json c = decide::certificate(inj, o);
  net::Model relu = inj;
  relu.net.layers.emplace_back(std::in_place_type<net::Relu>);
  c["network"]["sha256"] = cert::model_sha256(relu);
  CHECK(status(relu, c) == check::Status::rejected);
}

TEST_CASE("smooth surjectivity: bounded activations, affine tails, left null vectors", "[decide][model]") {
  // tanh and sigmoid are bounded: so is f, and a point beyond the bounds is certified.
  for (const char* act : {R"({"type": "tanh"})", R"({"type": "sigmoid"})"}) {
    net::Model m = parse(smooth("[[1, 2], [3, 1]]", act, "[[1, -1], [1, 1]]"));
    decide::Outcome o = certified(m, Property::surjective);
    REQUIRE(o.verdict == Verdict::violated);
    CHECK(o.evidence.value("kind", "") == "smooth_bounds");
    nlohmann::json c = decide::certificate(m, o);
    c["evidence"]["y"] = nlohmann::json::array({"0", "1"});  // inside the bounds
    CHECK(status(m, c) == check::Status::rejected);
  }
  // elu > -alpha and softplus > 0 elementwise, then an invertible map with mixed signs: f is unbounded both
  // ways, but y = W2 u + b has only u = W2^-1 (y - b), which is never an activation.
  for (const char* act : {R"({"type": "elu", "alpha": 0.5})", R"({"type": "softplus"})"}) {
    INFO(act);
    net::Model m = parse(smooth("[[1, 2], [3, 1]]", act, "[[1, -1], [-1, 2]]"));
    decide::Outcome o = certified(m, Property::surjective);
    REQUIRE(o.verdict == Verdict::violated);
    CHECK(o.evidence.value("kind", "") == "affine_tail");
    nlohmann::json c = decide::certificate(m, o);
    c["evidence"]["u"] = nlohmann::json::array({"1", "0"});  // in the range: rejected (and A u + c != y)
    CHECK(status(m, c) == check::Status::rejected);
  }
  // Three outputs from two elu units: the image lies in a plane.
  net::Model thin = parse(R"({"input_dim": 2, "layers": [{"type": "dense", "weights": [[1, 0], [0, 1]]}, {"type": "elu"},
      {"type": "dense", "weights": [[1, -1], [-1, 1], [1, -2]]}]})");
  decide::Outcome o = certified(thin, Property::surjective);
  REQUIRE(o.verdict == Verdict::violated);
  CHECK(o.evidence.value("kind", "") == "left_null");
  // Into: tanh's bounds inside Y prove it; Y = R^m trivially.
  net::Model boxed = parse(smooth("[[1, 2], [3, 1]]", R"({"type": "tanh"})", "[[1, -1], [1, 1]]",
                                  R"("codomain": {"lower": [-2, -2], "upper": [2, 2]}, )"));
  CHECK(certified(boxed, Property::into).verdict == Verdict::holds);
  // A smooth bijection R -> R composed of tanh and its rescaling is not provable: unknown, never a guess.
  net::Model small = parse(smooth("[[1, 2], [3, 1]]", R"({"type": "tanh"})", "[[1, 0], [0, 1]]",
                                  R"("codomain": {"lower": ["-1/2", "-1/2"], "upper": ["1/2", "1/2"]}, )"));
  CHECK(decided(small, Property::surjective).verdict == Verdict::unknown);
}

TEST_CASE("models: the hash covers smooth layers and the head; JSON round trip", "[decide][model]") {
  net::Model soft = parse(logits("[[1, 0], [0, 1], [0, 0]]", "softmax"));
  net::Model arg = parse(logits("[[1, 0], [0, 1], [0, 0]]", "argmax"));
  CHECK(cert::model_sha256(soft) != cert::model_sha256(arg));
  CHECK(cert::model_sha256(soft) != cert::network_sha256(soft.net));
  decide::Outcome o = decided(soft, Property::surjective);
  CHECK(status(arg, decide::certificate(soft, o)) == check::Status::rejected);
  net::Model tanh = parse(smooth("[[1, 2], [3, 1]]", R"({"type": "elu", "alpha": 0.25})", "[[1, 1], [0, 1]]"));
  for (const net::Model* m : {&soft, &arg, &tanh})
    CHECK(cert::model_sha256(io::parse_model(io::to_json_text(*m), "again")) == cert::model_sha256(*m));
  // A piecewise-linear model hashes as its network (old certificates stay valid).
  net::Model plain = parse(R"({"input_dim": 1, "layers": [{"type": "dense", "weights": [[2]]}]})");
  CHECK(cert::model_sha256(plain) == cert::network_sha256(plain.net));
}

TEST_CASE("models: located input errors", "[decide][model][io]") {
  CHECK_THROWS_WITH(parse(R"({"input_dim": 1, "layers": [{"type": "softmax"}, {"type": "dense", "weights": [[1]]}]})"),
                    Catch::StartsWith("t.json: /layers/0/type: a softmax layer is a classifier head: it must be the last"));
  CHECK_THROWS_WITH(parse(R"({"input_dim": 1, "layers": [{"type": "elu", "alpha": 0}]})"),
                    Catch::StartsWith("t.json: /layers/0/alpha: is 0, expected a number > 0"));
  CHECK_THROWS_WITH(parse(R"({"input_dim": 1, "layers": [{"type": "argmax", "last_index": 1}]})"),
                    Catch::StartsWith("t.json: /layers/0/last_index: is"));
  CHECK_THROWS_WITH(parse(R"({"input_dim": 1, "codomain": {"lower": [0, 0]}, "layers": [{"type": "dense",
      "weights": [[1], [2]]}, {"type": "argmax"}]})"), Catch::Contains("/codomain"));
  // The piecewise-linear reader refuses them, naming the layer and the commands that read them.
  CHECK_THROWS_WITH(io::parse_network(R"({"input_dim": 1, "layers": [{"type": "tanh"}]})", "t.json"),
                    Catch::StartsWith("t.json: /layers/0: tanh is not piecewise linear") &&
                        Catch::Contains("nninv injective, surjective"));
  CHECK_THROWS_AS(io::parse_network(R"({"input_dim": 1, "layers": [{"type": "dense", "weights": [[1], [2]]},
      {"type": "argmax"}]})", "t.json"), InputError);
}
