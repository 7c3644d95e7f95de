// libFuzzer target for the JSON loader (docs/testing.md). Property: every
// input either throws nninv::InputError with a located message, or loads into
// a well-formed network that the JSON writer writes and the loader reads back
// unchanged, with no warning, the second text equal to the first (the
// round-trip fuzzers of fmt's test/fuzzing/ and nlohmann/json's
// fuzzer-parse_json). Built with libFuzzer under clang, or into replay.cpp.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "network_checks.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/io/json_writer.hpp"

using nninv_fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  nninv::net::Network net;
  try {
    net = nninv::io::parse_network(text, "fuzz.json");
  } catch (const nninv::InputError& e) {
    // STYLE.md: "<file>: <JSON pointer>: <what is wrong>", never a bare message.
    if (std::string_view(e.what()).rfind("fuzz.json: ", 0) != 0)
      fail(std::string("input error without its location: ") + e.what());
    return 0;
  } catch (const std::exception& e) {
    fail(std::string("parse_network threw something other than InputError: ") + e.what());
  }

  if (std::string f = nninv_fuzz::invariant_failure(net); !f.empty()) fail("loaded network is malformed: " + f);

  const std::string written = nninv::io::to_json_text(net);
  nninv::net::Network reread;
  std::vector<std::string> warnings;
  try {
    reread = nninv::io::parse_network(written, "written.json", &warnings);
  } catch (const std::exception& e) {
    fail(std::string("the writer's text does not load: ") + e.what() + "\n" + written);
  }
  if (!warnings.empty()) fail("the writer's text loads with a warning: " + warnings.front() + "\n" + written);
  if (std::string d = nninv_fuzz::difference(net, reread); !d.empty())
    fail("round trip changed the network: " + d + "\n" + written);
  if (nninv::io::to_json_text(reread) != written) fail("writing the re-read network gives different text\n" + written);
  return 0;
}
