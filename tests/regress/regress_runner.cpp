// Runs the pipeline on one network of the regression corpus and compares it
// with the known answer in NET.expect: {"injective" | "surjective" |
// "bijective": "holds" | "violated", "why": "..."} (one or more properties).
// Every violated witness is re-checked here, independently of the
// pipeline's own check: collisions by exact evaluation, unreachable points by
// membership in Y and a fresh preimage query.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "nninv/decide/bijective.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/smt/image_encoding.hpp"

using namespace nninv;

namespace {

bool recheck_collision(const net::Network& net, const decide::Collision& c, std::string& failure) {
  if (c.x1 == c.x2) failure = "x1 == x2";
  else if (!net.domain.contains(c.x1) || !net.domain.contains(c.x2)) failure = "witness outside the domain";
  else if (net::evaluate(net, c.x1) != net::evaluate(net, c.x2)) failure = "f(x1) != f(x2)";
  else if (net::evaluate(net, c.x1) != c.y) failure = "y != f(x1)";
  return failure.empty();
}

bool recheck_unreached(const net::Network& net, const decide::Unreached& u, std::string& failure) {
  if (!net.codomain.contains(u.y)) failure = "y outside the codomain";
  else if (smt::find_preimage(net, u.y, decide::Budget(60.0)).status != smt::Preimage::none)
    failure = "y has a preimage (or the query did not finish)";
  else if (u.radius && smt::find_preimage(net, u.y, decide::Budget(60.0), u.radius).status != smt::Preimage::none)
    failure = "the ball of the claimed radius around y is reached";
  return failure.empty();
}

bool recheck(const net::Network& net, const decide::Outcome& o, std::string& failure) {
  if (o.verdict != decide::Verdict::violated) return true;
  if (o.collision) return recheck_collision(net, *o.collision, failure);
  if (o.unreached) return recheck_unreached(net, *o.unreached, failure);
  if (o.escape) {
    if (!net.domain.contains(o.escape->x)) failure = "x outside the domain";
    else if (net::evaluate(net, o.escape->x) != o.escape->y) failure = "y != f(x)";
    else if (net.codomain.contains(o.escape->y)) failure = "f(x) inside the codomain";
    return failure.empty();
  }
  failure = "violated without a witness";
  return false;
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
  auto report = [&](const std::string& key, const std::string& got, const std::string& by, double seconds,
                    const std::string& failure) {
    std::cout << argv[1] << ": " << key << ": " << got << " by " << by << " in " << seconds << " s"
              << (failure.empty() ? "" : "  FAIL: " + failure) << "\n";
    if (!failure.empty()) ++failures;
  };
  for (const char* key : {"injective", "surjective", "bijective"}) {
    if (!expect.contains(key)) continue;
    ++checks;
    std::string wanted = expect.at(key).get<std::string>();
    decide::Budget budget(60.0);
    std::vector<decide::Outcome> parts;
    decide::Verdict verdict;
    if (std::string(key) == "bijective") {
      // A bijection from X to Y: injective, into Y and onto Y (FORMAT.md section 3).
      decide::BijectiveOutcome b = decide::decide_bijective(net, budget);
      for (const decide::Part* p : {&b.injective, &b.into, &b.surjective})
        if (p->ran) parts.push_back(p->outcome);
      verdict = b.verdict;
    } else {
      parts.push_back(decide::decide(
          net, std::string(key) == "injective" ? decide::Property::injective : decide::Property::surjective, budget));
      verdict = parts[0].verdict;
    }
    std::string got = decide::to_string(verdict), failure, by;
    for (const auto& p : parts) {
      by += (by.empty() ? "" : " + ") + p.method;
      if (!recheck(net, p, failure)) failure = std::string(decide::to_string(p.property)) + " witness fails the re-check: " + failure;
    }
    if (failure.empty() && got != wanted) failure = "expected " + wanted + ", got " + got + " (" + parts.back().reason + ")";
    report(key, got, by, budget.elapsed_seconds(), failure);
  }
  if (checks == 0) {
    std::cerr << argv[2] << ": names no property\n";
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
