// Smooth activations and classifier heads at the command line: the property
// commands decide them and write certificates nninv-check certifies; the
// commands that need a piecewise-linear network refuse them with the reason;
// convert keeps them. Every test runs the real binaries.
#include "cli_support.hpp"

namespace {

// Logits (x1, x2, 0) of a 2-input classifier.
std::string classifier(const std::string& head) {
  return R"({"name": "reference", "input_dim": 2, "layers": [
    {"type": "dense", "weights": [[1, 0], [0, 1], [0, 0]]}, {"type": ")" + head + R"("}]})";
}

const char* tanh_mlp = R"({"input_dim": 2, "layers": [{"type": "dense", "weights": [[1, 2], [3, 1]]},
  {"type": "tanh"}, {"type": "dense", "weights": [[1, 1], [0, 1]]}]})";

}  // namespace

TEST_CASE("models: argmax and softmax verdicts, exit codes and certificates", "[models][cert]") {
  TempDir dir;
  fs::path arg = dir.write("argmax.json", classifier("argmax"));
  fs::path soft = dir.write("softmax.json", classifier("softmax"));
  fs::path cert = dir.path() / "c.json";

  Result r = run({"injective", arg.string(), "--json", "--certificate", cert.string(), "--check"});
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 1);
  json j = json::parse(r.out);
  CHECK(j.at("verdict") == "violated");
  CHECK(j.at("witness").at("y").size() == 1);  // the shared label
  Result check = run_check(arg, cert);
  CHECK(check.exit_code == 0);
  CHECK(contains(check.out, "certified: not injective: two points with one label"));
  // The certificate is bound to the head: the softmax model is another network.
  Result other = run_check(soft, cert);
  CHECK(other.exit_code == 1);
  CHECK(contains(other.out, "rejected: "));

  // Softmax with a reference class is injective, and never onto R^3: the invertible answer is no.
  r = run({"invertible", soft.string(), "--certificate", cert.string()});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "invertible: no"));
  CHECK(contains(r.out, "holds: the network is injective on R^2"));
  check = run_check(soft, cert);
  CHECK(check.exit_code == 0);
  CHECK(contains(check.out, "outside the head's range"));

  // Argmax: Y is the labels, and text says so.
  r = run({"surjective", arg.string()});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "onto its labels {0, ..., 2}"));
}

TEST_CASE("models: a softmax collision has no rational common image, so the JSON witness has no y", "[models]") {
  TempDir dir;
  fs::path net = dir.write("constant_differences.json", R"({"input_dim": 2, "layers": [
    {"type": "dense", "weights": [[1, 1], [1, 1]], "bias": [0, 1]}, {"type": "softmax"}]})");
  Result r = run({"injective", net.string(), "--json"});
  CHECK(r.exit_code == 1);
  json w = json::parse(r.out).at("witness");
  CHECK(w.contains("x1"));
  CHECK(w.contains("x2"));
  CHECK(!w.contains("y"));
  Result text = run({"injective", net.string()});
  CHECK(contains(text.out, "which is not a rational vector"));
}

TEST_CASE("models: commands that need a piecewise-linear network refuse smooth layers and heads", "[models][bad_input]") {
  TempDir dir;
  fs::path net = dir.write("tanh.json", tanh_mlp);
  fs::path arg = dir.write("argmax.json", classifier("argmax"));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"lipschitz", net.string()},
        std::vector<std::string>{"invert", net.string(), "--output", "0,0"},
        std::vector<std::string>{"plot", net.string(), "--out", (dir.path() / "p.svg").string()},
        std::vector<std::string>{"injective", net.string(), "--report", (dir.path() / "r.md").string()},
        std::vector<std::string>{"injective", arg.string(), "--smt2", (dir.path() / "q.smt2").string()}}) {
    Result r = run(args);
    INFO(args[0] << " stderr: " << r.err);
    CHECK(r.exit_code == 65);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "is not piecewise linear"));
    CHECK(contains(r.err, "nninv injective, surjective"));
  }
  CHECK(!fs::exists(dir.path() / "r.md"));
  CHECK(!fs::exists(dir.path() / "q.smt2"));
  // The property commands decide it.
  Result ok = run({"injective", net.string()});
  CHECK(ok.exit_code == 0);
}

TEST_CASE("models: convert keeps smooth layers and the head, and the copy gets the same answers", "[models]") {
  TempDir dir;
  fs::path onnx = source_dir / "tests" / "import" / "architectures" / "trained_classifier.onnx";
  fs::path out = dir.path() / "classifier.json";
  Result c = run({"convert", onnx.string(), out.string()});
  INFO(c.err);
  REQUIRE(c.exit_code == 0);
  CHECK(contains(c.out, "head argmax"));
  CHECK(contains(read_file(out), R"("type": "argmax")"));
  for (const char* property : {"injective", "surjective"}) {
    json a = json::parse(run({property, onnx.string(), "--json"}).out);
    json b = json::parse(run({property, out.string(), "--json"}).out);
    CHECK(a.at("verdict") == b.at("verdict"));
  }
  fs::path elu = source_dir / "tests" / "import" / "architectures" / "elu_mlp.onnx";
  REQUIRE(run({"convert", elu.string(), out.string()}).exit_code == 0);
  CHECK(contains(read_file(out), R"({"type": "elu", "alpha": 1})"));
}
