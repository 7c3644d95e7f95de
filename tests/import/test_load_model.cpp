// Format dispatch: by option, by extension, by the first bytes.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "helpers.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/load_model.hpp"

using namespace nninv;
using import_test::nets_dir;

namespace {

std::filesystem::path sniff_folder() {
  // Removed when the test program ends.
  static struct Folder {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("nninv-import-sniff-" + std::to_string(::getpid()));
    ~Folder() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } folder;
  std::filesystem::create_directories(folder.path);
  return folder.path;
}

std::filesystem::path copy_as(const std::filesystem::path& from, const std::string& name) {
  auto dir = sniff_folder();
  auto to = dir / name;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
  return to;
}

std::filesystem::path write_text(const std::string& name, const std::string& text) {
  auto dir = sniff_folder();
  std::ofstream(dir / name) << text;
  return dir / name;
}

}  // namespace

TEST_CASE("format names", "[import][dispatch]") {
  CHECK(io::parse_format("onnx") == io::Format::onnx);
  CHECK(io::parse_format("nnet") == io::Format::nnet);
  CHECK(io::parse_format("json") == io::Format::json);
  CHECK(io::parse_format("auto") == io::Format::automatic);
  CHECK_THROWS_AS(io::parse_format("pb"), UsageError);
  CHECK(io::format_name(io::Format::nnet) == "nnet");
}

TEST_CASE("formats by extension and by content", "[import][dispatch]") {
  CHECK(io::detect_format("/nonexistent/a.JSON") == io::Format::json);
  CHECK(io::detect_format("/nonexistent/a.onnx") == io::Format::onnx);
  CHECK(io::detect_format("/nonexistent/a.nnet") == io::Format::nnet);
  CHECK(io::detect_format(write_text("j", "  \n {\"input_dim\": 1, \"layers\": []}")) == io::Format::json);
  CHECK(io::detect_format(write_text("n1", "// comment\n1,1,1,1,\n")) == io::Format::nnet);
  CHECK(io::detect_format(write_text("n2", "5,6,1,40,\n6,40,40,38,19,1,\n")) == io::Format::nnet);
  CHECK(io::detect_format(write_text("o", std::string("\x08\x07\x12\x03xyz", 7))) == io::Format::onnx);
  CHECK_THROWS_AS(io::detect_format("/nonexistent/model"), CannotOpenInput);
  CHECK_THROWS_AS(io::load_model("/nonexistent/model.onnx"), CannotOpenInput);
  CHECK_THROWS_AS(io::load_model(std::filesystem::temp_directory_path()), CannotOpenInput);
}

TEST_CASE("load_model reads JSON without an extension", "[import][dispatch]") {
  net::Network j = io::load_model(write_text("plain", R"({"input_dim": 2, "layers": [{"type": "relu"}]})"));
  CHECK(j.input_dim == 2);
}

TEST_CASE("load_model reads NNet and ONNX, also without an extension", "[import][dispatch]") {
  REQUIRE_SHARED_NETS();
  net::Network a = io::load_model(nets_dir() / "marabou" / "fc_2-2-3.nnet");
  net::Network b = io::load_model(copy_as(nets_dir() / "marabou" / "fc_2-2-3.nnet", "fc_nnet"));
  net::Network c = io::load_model(copy_as(nets_dir() / "marabou" / "fc_2-2-3.onnx", "fc_onnx"));
  net::Network d = io::load_model(copy_as(nets_dir() / "marabou" / "reluBenchmark0.221790075302s_SAT.nnet", "coav"));
  CHECK(a.output_dim() == 3);
  CHECK(b.output_dim() == 3);
  CHECK(c.output_dim() == 3);
  CHECK(d.input_dim == 6);
  // An explicit format wins over the extension.
  auto odd = copy_as(nets_dir() / "marabou" / "fc_2-2-3.onnx", "model.bin.json");
  CHECK(io::load_model(odd, io::Format::onnx).output_dim() == 3);
  CHECK_THROWS_AS(io::load_model(odd), InputError);
}
