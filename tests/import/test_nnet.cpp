// NNet reader: the 45 ACAS Xu networks and Marabou's NNet files, the exact
// normalisation semantics, and located errors for broken files.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "helpers.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/nnet_loader.hpp"

using namespace nninv;
using arith::Rational;
using arith::Vector;
using import_test::nets_dir;

namespace {

Rational q(const char* text) { return arith::parse_rational(text); }

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Widths of the dense layers strictly between the normalisation layers.
std::vector<std::size_t> inner_widths(const net::Network& n) {
  std::vector<std::size_t> w;
  for (std::size_t k = 1; k + 1 < n.layers.size(); ++k)
    if (const auto* d = std::get_if<net::Dense>(&n.layers[k])) {
      if (w.empty()) w.push_back(d->weights.cols());
      w.push_back(d->weights.rows());
    }
  return w;
}

// A 2 -> 2 -> 1 network with nontrivial normalisation, small enough to
// evaluate by hand.
const char* const small_nnet =
    "// hand-made\n"
    "// second comment\n"
    "2,2,1,2,\n"
    "2,2,1,\n"
    "0,\n"
    "-10,0,\n"
    "10,5.5,\n"
    "1,2,3,\n"
    "2,4,10,\n"
    "1,-1,\n"
    "0.5,2,\n"
    "0,\n"
    "-1,\n"
    "1,1,\n"
    "0.25,\n";

}  // namespace

TEST_CASE("all 45 ACAS Xu networks load with shape 5-50x6-5 and the documented header", "[import][nnet]") {
  REQUIRE_SHARED_NETS();
  std::vector<std::size_t> expected_widths{5, 50, 50, 50, 50, 50, 50, 5};
  int loaded = 0;
  for (int a = 1; a <= 5; ++a)
    for (int b = 1; b <= 9; ++b) {
      std::string stem = "ACASXU_experimental_v2a_" + std::to_string(a) + "_" + std::to_string(b);
      INFO(stem);
      net::Network n = io::load_nnet(nets_dir() / "acasxu" / (stem + ".nnet"));
      CHECK(n.name == stem);
      CHECK(n.input_dim == 5);
      CHECK(n.output_dim() == 5);
      REQUIRE(n.layers.size() == 15);  // normalise, 7 dense + 6 relu, de-normalise
      CHECK(inner_widths(n) == expected_widths);
      CHECK(n.nonlinear_neuron_count() == 300);
      for (std::size_t k = 2; k < 14; k += 2) CHECK(std::holds_alternative<net::Relu>(n.layers[k]));

      // Header: mins, maxes, means, ranges, exactly as written.
      Vector mins{0, q("-3.141593"), q("-3.141593"), 100, 0}, maxs{60760, q("3.141593"), q("3.141593"), 1200, 1200};
      Vector means{q("1.9791091e+04"), 0, 0, 650, 600},
          ranges{60261, q("6.28318530718"), q("6.28318530718"), 1100, 1200};
      for (std::size_t i = 0; i < 5; ++i) {
        CHECK(*n.domain.sides[i].lower == mins[i]);
        CHECK(*n.domain.sides[i].upper == maxs[i]);
      }
      CHECK(n.codomain.is_everything());
      const auto& norm = std::get<net::Dense>(n.layers.front());
      const auto& denorm = std::get<net::Dense>(n.layers.back());
      for (std::size_t i = 0; i < 5; ++i) {
        CHECK(norm.weights(i, i) == 1 / ranges[i]);
        CHECK(norm.bias[i] == -means[i] / ranges[i]);
        CHECK(denorm.weights(i, i) == q("373.94992"));
        CHECK(denorm.bias[i] == q("7.5188840201005975"));
        for (std::size_t j = 0; j < 5; ++j)
          if (i != j) CHECK((norm.weights(i, j) == 0 && denorm.weights(i, j) == 0));
      }
      ++loaded;
    }
  CHECK(loaded == 45);
}

TEST_CASE("ACAS Xu weights are the exact decimals of the file", "[import][nnet]") {
  REQUIRE_SHARED_NETS();
  net::Network n = io::load_nnet(nets_dir() / "acasxu" / "ACASXU_experimental_v2a_1_1.nnet");
  const auto& first = std::get<net::Dense>(n.layers[1]);
  // First lines after the header: 5.40062e-02,-2.61092e+00,...
  CHECK(first.weights(0, 0) == Rational(270031, 5000000));  // 5.40062e-02
  CHECK(first.weights(0, 1) == Rational(-65273, 25000));    // -2.61092e+00
  CHECK(first.weights(1, 0) == q("-1.12374"));
}

TEST_CASE("NNet semantics: normalise, weight layers with relu between, de-normalise", "[import][nnet]") {
  net::Network n = io::parse_nnet(small_nnet, "dir/small.nnet");
  CHECK(n.name == "small");
  REQUIRE(n.layers.size() == 5);
  CHECK(*n.domain.sides[0].lower == -10);
  CHECK(*n.domain.sides[1].upper == Rational(11, 2));
  // By hand: z = ((x0 - 1) / 2, (x1 - 2) / 4); h = relu(z0 - z1, z0/2 + 2 z1 - 1);
  // y = h0 + h1 + 1/4; output = 10 y + 3.
  auto expected = [](const Rational& x0, const Rational& x1) {
    Rational z0 = (x0 - 1) / 2, z1 = (x1 - 2) / 4;
    Rational h0 = z0 - z1, h1 = z0 / 2 + 2 * z1 - 1;
    if (h0 < 0) h0 = 0;
    if (h1 < 0) h1 = 0;
    return Rational(10 * (h0 + h1 + Rational(1, 4)) + 3);
  };
  for (auto [x0, x1] : std::vector<std::pair<Rational, Rational>>{
           {0, 0}, {7, 5}, {-10, Rational(11, 2)}, {Rational(1, 3), Rational(-2, 7)}, {9, 1}})
    CHECK(net::evaluate(n, {x0, x1}) == Vector{expected(x0, x1)});
}

TEST_CASE("mean 0 and range 1 add no normalisation layers (fc_2-2-3)", "[import][nnet]") {
  REQUIRE_SHARED_NETS();
  net::Network n = io::load_nnet(nets_dir() / "marabou" / "fc_2-2-3.nnet");
  CHECK(import_test::layer_summary(n) == "dense 2x2, relu, dense 3x2");
  CHECK(*n.domain.sides[0].lower == -100000);
  CHECK(*n.domain.sides[1].upper == 100000);
  // The output depends on x0 + x1 only (SOURCES.md): a collision.
  CHECK(net::evaluate(n, {1, 0}) == net::evaluate(n, {0, 1}));
  CHECK(net::evaluate(n, {3, -1}) == Vector{4, -2, 2});
}

TEST_CASE("Marabou's other NNet files load with their documented shapes", "[import][nnet]") {
  REQUIRE_SHARED_NETS();
  struct Case {
    const char* file;
    std::size_t in, out, relus;
  };
  for (const Case& c :
       {Case{"mnist10x10.nnet", 784, 10, 100}, Case{"mnist10x20.nnet", 784, 10, 200},
        Case{"mnist20x20.nnet", 784, 10, 400}, Case{"reluBenchmark0.00491881370544s_UNSAT.nnet", 6, 1, 137},
        Case{"reluBenchmark0.221790075302s_SAT.nnet", 6, 1, 137},
        Case{"twin_ladder-5_inp-2_layers-5_width-1_margin.nnet", 5, 1, 10},
        Case{"twin_ladder-5_inp-2_layers-5_width-1e-2_margin.nnet", 5, 1, 10},
        Case{"twin_ladder-10_inp-2_layers-10_width-1_margin.nnet", 10, 1, 20},
        Case{"twin_ladder-5_inp-4_layers-5_width-1_margin.nnet", 5, 1, 30}}) {
    INFO(c.file);
    net::Network n = io::load_nnet(nets_dir() / "marabou" / c.file);
    CHECK(n.input_dim == c.in);
    CHECK(n.output_dim() == c.out);
    CHECK(n.nonlinear_neuron_count() == c.relus);
    CHECK(n.domain.is_bounded());
  }
}

TEST_CASE("twin ladder networks are the constant margin, exactly", "[import][nnet]") {
  REQUIRE_SHARED_NETS();
  net::Network one = io::load_nnet(nets_dir() / "marabou" / "twin_ladder-5_inp-2_layers-5_width-1_margin.nnet");
  net::Network small = io::load_nnet(nets_dir() / "marabou" / "twin_ladder-5_inp-2_layers-5_width-1e-2_margin.nnet");
  for (const Vector& x : {Vector{0, 0, 0, 0, 0}, Vector{10, -10, 3, Rational(7, 3), -1}, Vector{-9, 9, -9, 9, 1}}) {
    CHECK(net::evaluate(one, x) == Vector{1});
    CHECK(net::evaluate(small, x) == Vector{Rational(1, 100)});
  }
}

TEST_CASE("NNet errors name the file and the line", "[import][nnet]") {
  std::string good = small_nnet;
  auto with_line = [&](int line, const std::string& replacement) {
    std::istringstream in(good);
    std::string out, l;
    for (int k = 1; std::getline(in, l); ++k) out += (k == line ? replacement : l) + "\n";
    return out;
  };
  // Line 6 holds the input minimums.
  CHECK_THROWS_WITH(io::parse_nnet(with_line(6, "-10,"), "net.nnet"),
                    "net.nnet: line 6: expected 2 values (input minimums), got 1");
  CHECK_THROWS_WITH(
      io::parse_nnet(with_line(10, "1,-1,4,"), "net.nnet"),
      Catch::StartsWith("net.nnet: line 10: expected 2 values (weights of neuron 1 of 2 in layer 1 of 2)"));
  CHECK_THROWS_WITH(io::parse_nnet(with_line(11, "0.5,abc,"), "net.nnet"),
                    Catch::StartsWith("net.nnet: line 11: value 2: 'abc' is not a number"));
  CHECK_THROWS_WITH(io::parse_nnet(with_line(11, "0.5,,2"), "net.nnet"), Catch::Contains("line 11: value 2 is empty"));
  CHECK_THROWS_WITH(io::parse_nnet(with_line(9, "2,0,10,"), "net.nnet"),
                    Catch::Contains("line 9: input 2 has range 0"));
  CHECK_THROWS_WITH(io::parse_nnet(with_line(7, "-11,5.5,"), "net.nnet"),
                    Catch::Contains("line 7: input 1 has maximum -11 below its minimum -10"));
  CHECK_THROWS_WITH(io::parse_nnet(with_line(4, "3,2,1,"), "net.nnet"),
                    Catch::Contains("line 4: the first layer size is 3, expected 2 (the number of inputs)"));
  CHECK_THROWS_WITH(io::parse_nnet(with_line(3, "2,2,1.5,2,"), "net.nnet"),
                    Catch::Contains("line 3: the number of outputs is 3/2, expected a positive integer"));
  CHECK_THROWS_WITH(io::parse_nnet(good + "7,\n", "net.nnet"),
                    Catch::Contains("line 16: unexpected content after the last layer's biases"));
  CHECK_THROWS_WITH(io::parse_nnet("", "net.nnet"), "net.nnet: line 1: the file is empty, expected an NNet network");
  CHECK_THROWS_AS(io::parse_nnet("// only a comment\n", "net.nnet"), InputError);
}

TEST_CASE("a truncated NNet file says where it ends and what was expected", "[import][nnet]") {
  std::string text = small_nnet;
  std::string cut = text.substr(0, text.find("1,1,"));  // drop the last layer
  CHECK_THROWS_WITH(io::parse_nnet(cut, "net.nnet"),
                    "net.nnet: line 13: the file ends early, expected 2 values (weights of neuron 1 of 1 in layer 2 "
                    "of 2)");
}

TEST_CASE("a truncated ACAS Xu file is an input error with a line", "[import][nnet]") {
  REQUIRE_SHARED_NETS();
  std::string acas = read_text(nets_dir() / "acasxu" / "ACASXU_experimental_v2a_1_1.nnet");
  CHECK_THROWS_WITH(io::parse_nnet(acas.substr(0, acas.size() / 2), "acas.nnet"),
                    Catch::StartsWith("acas.nnet: line ") && Catch::Contains("expected"));
}

TEST_CASE("NNet files: missing, directory", "[import][nnet]") {
  CHECK_THROWS_AS(io::load_nnet("/nonexistent/net.nnet"), CannotOpenInput);
  CHECK_THROWS_AS(io::load_nnet(std::filesystem::temp_directory_path()), CannotOpenInput);
}

TEST_CASE("a wrong largest layer size is a warning", "[import][nnet]") {
  std::vector<std::string> warnings;
  std::string text = small_nnet;
  text.replace(text.find("2,2,1,2,"), 8, "2,2,1,9,");
  net::Network n = io::parse_nnet(text, "w.nnet", &warnings);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::StartsWith("w.nnet: line 3: the largest layer size is given as 9 but is 2"));
  CHECK(n.output_dim() == 1);
}

TEST_CASE("mutated NNet files either load or give an input error with a line", "[import][nnet]") {
  std::string original = small_nnet;
  const std::string alphabet = "0123456789,.-e\n /x";
  std::uint64_t state = 7;
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text = original;
    for (int edits = 0; edits < 1 + trial % 3; ++edits) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      std::size_t at = (state >> 20) % text.size();
      char c = alphabet[(state >> 50) % alphabet.size()];
      switch ((state >> 40) % 3) {
        case 0:
          text[at] = c;
          break;
        case 1:
          text.insert(at, 1, c);
          break;
        default:
          text.erase(at, 1);
      }
    }
    try {
      net::Network n = io::parse_nnet(text, "m.nnet");
      CHECK(n.input_dim >= 1);
    } catch (const InputError& e) {
      CHECK_THAT(e.what(), Catch::StartsWith("m.nnet: line "));
    }
  }
}
