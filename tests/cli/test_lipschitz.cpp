// nninv lipschitz (FORMAT.md section 5) at the command line: exact values of
// an affine net, usage and input errors. Every test runs the real binary.
#include "cli_support.hpp"

namespace {

// f(x) = A x + b with A = [[1, -1], [2, 7/2]] on R^2: ||A||_inf = 11/2,
// ||A^-1||_inf = 9/11; ||A||_1 = 9/2, ||A^-1||_1 = 1. All attained.
const char* affine = R"({"name": "affine", "input_dim": 2,
  "layers": [{"type": "dense", "weights": [[1, -1], [2, "7/2"]], "bias": [1, 0]}]})";

}  // namespace

TEST_CASE("lipschitz: an affine net gets its exact operator norms", "[cli][lipschitz]") {
  TempDir dir;
  fs::path net = dir.write("affine.json", affine);
  Result r = run({"lipschitz", net.string(), "--json"});
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  json j = json::parse(r.out);
  CHECK(j["property"] == "lipschitz");
  CHECK(j["norm"] == "inf");
  CHECK(j["upper"] == "11/2");
  CHECK(j["upper_exact"] == true);
  CHECK(j["inverse_lower"] == "11/9");
  CHECK(j["inverse_lower_exact"] == true);
  CHECK(j["attained"]["upper"].size() == 2);
  CHECK(j["method"].is_string());
  CHECK(j["time_seconds"].is_number());
  Result one = run({"lipschitz", net.string(), "--norm", "1", "--json"});
  REQUIRE(one.exit_code == 0);
  json k = json::parse(one.out);
  CHECK(k["upper"] == "9/2");
  CHECK(k["inverse_lower"] == "1");
  Result text = run({"lipschitz", net.string()});
  CHECK(text.exit_code == 0);
  CHECK(contains(text.out, "11/2"));
  CHECK(contains(text.out, "injective"));
}

TEST_CASE("lipschitz: bad --norm is a usage error, a missing file exit 66", "[cli][lipschitz]") {
  TempDir dir;
  fs::path net = dir.write("affine.json", affine);
  CHECK(run({"lipschitz", net.string(), "--norm", "3"}).exit_code == 64);
  CHECK(run({"lipschitz"}).exit_code == 64);
  CHECK(run({"lipschitz", (dir.path() / "missing.json").string()}).exit_code == 66);
  fs::path bad = dir.write("bad.json", "{");
  CHECK(run({"lipschitz", bad.string(), "--json"}).exit_code == 65);
}

TEST_CASE("lipschitz: --certificate writes evidence that nninv-check re-derives", "[cli][lipschitz][cert]") {
  TempDir dir;
  fs::path net = fs::path(NNINV_SOURCE_DIR) / "examples" / "residual_block.json";
  for (const char* norm : {"inf", "1", "2"}) {
    INFO("norm " << norm);
    fs::path cert = dir.path() / (std::string("lip_") + norm + ".cert");
    Result r = run({"lipschitz", net.string(), "--norm", norm, "--certificate", cert.string(), "--check", "--json"});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    json j = json::parse(r.out);
    CHECK(j["certificate"] == cert.string());
    CHECK(j["sources"].contains("layer_product"));
    CHECK(contains(r.err, "certificate checked"));
    // An i-ResNet block x + g(x) with a small g: a positive modulus.
    CHECK(nninv::arith::parse_rational(j["inverse_lower"].get<std::string>()) > 0);
    Result check = run_check(net, cert);
    INFO("nninv-check: " << check.out << check.err);
    CHECK(check.exit_code == 0);
    CHECK(contains(check.out, "certified"));
    json c = json::parse(std::ifstream(cert));
    c["inverse_lower"] = "1";  // more than the evidence proves
    Result forged = run_check(net, dir.write("forged.cert", c.dump()));
    CHECK(forged.exit_code == 1);
    CHECK(contains(forged.out + forged.err, "inverse_lower"));
  }
}

TEST_CASE("lipschitz: a timeout that skips sources exits 2, with bounds that still hold", "[cli][lipschitz]") {
  TempDir dir;
  fs::path net = dir.write("affine.json", affine);
  Result r = run({"lipschitz", net.string(), "--timeout", "0", "--json"});
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 2);
  json j = json::parse(r.out);
  CHECK(j["complete"] == false);
  CHECK(j["upper"] == "11/2");  // the layer product, already exact for one layer
  CHECK(run({"lipschitz", net.string(), "--check"}).exit_code == 64);
  CHECK(run({"lipschitz", net.string(), "--certificate", (dir.path() / "no" / "dir" / "c.json").string()})
            .exit_code == 73);
}
