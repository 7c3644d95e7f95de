// JSON writer: exact text, exact round trips (handmade and real networks),
// and atomic writes that never leave a partial file.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "helpers.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/io/json_writer.hpp"
#include "nninv/io/nnet_loader.hpp"
#include "nninv/io/onnx_loader.hpp"

using namespace nninv;
using arith::Rational;
using arith::Vector;
using import_test::nets_dir;

namespace {

net::Network handmade() {
  net::Network n;
  n.name = "quote \" backslash \\ é";
  n.input_dim = 2;
  n.domain = net::Box::everything(2);
  n.domain.sides[0] = {Rational(-7, 2), Rational(1, 3)};
  n.domain.sides[1].upper = Rational(5);
  net::Dense d{arith::Matrix::from_rows({{1, Rational(-1, 10)},
                                         {Rational(mpz_class("123456789012345678901")), 0},
                                         {arith::parse_rational("1e-30"), 2}},
                                        2),
               {0, Rational(1, 3), -999999999999999}};
  n.layers = {d, net::LeakyRelu{Rational(1, 100)}, net::Relu{}, net::Identity{}};
  n.codomain = net::Box::everything(3);
  n.codomain.sides[2].lower = Rational(-1, 2);
  return n;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh empty folder under the temporary directory.
std::filesystem::path scratch_folder(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("nninv-import-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("JSON text: exact strings for fractions and long integers, plain small integers", "[import][json]") {
  std::string text = io::to_json_text(handmade());
  CHECK_THAT(text, Catch::Contains(R"("domain": {"lower": ["-7/2", null], "upper": ["1/3", 5]})"));
  CHECK_THAT(text, Catch::Contains(R"([1, "-1/10"])"));
  CHECK_THAT(text, Catch::Contains(R"(["123456789012345678901", 0])"));
  CHECK_THAT(text, Catch::Contains(R"("bias": [0, "1/3", -999999999999999])"));
  CHECK_THAT(text, Catch::Contains(R"({"type": "leaky_relu", "alpha": "1/100"})"));
  CHECK_THAT(text, Catch::Contains(R"("codomain": {"lower": [null, null, "-1/2"], "upper": [null, null, null]})"));
  CHECK_THAT(text, Catch::Contains(R"("name": "quote \" backslash \\ é")"));
}

TEST_CASE("JSON round trip is exact on a handmade network", "[import][json]") {
  net::Network n = handmade();
  std::vector<std::string> warnings;
  net::Network back = io::parse_network(io::to_json_text(n), "round.json", &warnings);
  CHECK(import_test::same_network(n, back));
  CHECK(warnings.empty());

  net::Network empty;
  empty.input_dim = 3;
  empty.domain = net::Box::everything(3);
  empty.codomain = net::Box::everything(3);
  CHECK(import_test::same_network(empty, io::parse_network(io::to_json_text(empty), "e.json")));
}

TEST_CASE("JSON round trip is exact on real networks", "[import][json]") {
  REQUIRE_SHARED_NETS();
  std::vector<net::Network> nets{
      io::load_nnet(nets_dir() / "acasxu" / "ACASXU_experimental_v2a_1_1.nnet"),
      io::load_nnet(nets_dir() / "acasxu" / "ACASXU_experimental_v2a_5_9.nnet"),
      io::load_nnet(nets_dir() / "marabou" / "reluBenchmark0.221790075302s_SAT.nnet"),
      io::load_onnx(nets_dir() / "marabou" / "ACASXU_experimental_v2a_1_1.onnx"),
      io::load_onnx(nets_dir() / "marabou" / "fc1.onnx"),
      io::load_onnx(nets_dir() / "marabou" / "mnist2x10.onnx"),
  };
  for (const net::Network& n : nets) {
    INFO(n.name);
    net::Network back = io::parse_network(io::to_json_text(n), n.name + ".json");
    CHECK(import_test::same_network(n, back));
  }
}

TEST_CASE("write_network replaces the file atomically and leaves no temporary file", "[import][json]") {
  auto dir = scratch_folder("write");
  auto path = dir / "net.json";
  {
    std::ofstream old(path);
    old << "old content";
  }
  net::Network n = handmade();
  io::write_network(n, path);
  CHECK(import_test::same_network(io::load_network(path), n));
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    (void)entry;
    ++files;
  }
  CHECK(files == 1);
  CHECK(slurp(path) == io::to_json_text(n));

  // Failures: a missing folder; a destination that is a folder.
  CHECK_THROWS_AS(io::write_network(n, dir / "missing" / "net.json"), io::WriteError);
  std::filesystem::create_directory(dir / "taken");
  std::filesystem::create_directory(dir / "taken" / "inside");
  CHECK_THROWS_WITH(io::write_network(n, dir / "taken"), Catch::Contains("cannot rename the temporary file"));
  files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    (void)entry;
    ++files;
  }
  CHECK(files == 2);  // net.json and taken/: no leftovers
  std::filesystem::remove_all(dir);
}
