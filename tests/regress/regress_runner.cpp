// Runs the pipeline on one network of the regression corpus and compares it
// with the known answer in NET.expect ({"injective": "holds"|"violated",
// "why": "..."}). Every violated witness is re-evaluated here, independently
// of the pipeline's own check.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_loader.hpp"

using namespace nninv;

namespace {

bool recheck_collision(const net::Network& net, const decide::Collision& c, std::string& failure) {
  if (c.x1 == c.x2) failure = "x1 == x2";
  else if (!net.domain.contains(c.x1) || !net.domain.contains(c.x2)) failure = "witness outside the domain";
  else if (net::evaluate(net, c.x1) != net::evaluate(net, c.x2)) failure = "f(x1) != f(x2)";
  else if (net::evaluate(net, c.x1) != c.y) failure = "y != f(x1)";
  return failure.empty();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: regress_runner NET.json NET.expect\n";
    return 64;
  }
  std::ifstream in(argv[2]);
  nlohmann::json expect = nlohmann::json::parse(in);
  net::Network net = io::load_network(argv[1]);
  int failures = 0, checks = 0;
  for (auto [key, property] : {std::pair{"injective", decide::Property::injective}}) {
    if (!expect.contains(key)) continue;
    ++checks;
    std::string wanted = expect.at(key).get<std::string>();
    decide::Budget budget(60.0);
    decide::Outcome o = decide::decide(net, property, budget);
    std::string got = decide::to_string(o.verdict);
    std::string failure;
    if (got != wanted) failure = "expected " + wanted + ", got " + got + " (" + o.method + ": " + o.reason + ")";
    else if (o.verdict == decide::Verdict::violated && !recheck_collision(net, *o.collision, failure))
      failure = "witness fails the re-check: " + failure;
    std::cout << argv[1] << ": " << key << ": " << got << " by " << o.method << " in " << budget.elapsed_seconds()
              << " s" << (failure.empty() ? "" : "  FAIL: " + failure) << "\n";
    if (!failure.empty()) ++failures;
  }
  if (checks == 0) {
    std::cerr << argv[2] << ": names no property\n";
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
