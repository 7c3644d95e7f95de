// Rendering of outcomes: human text and the --json object of FORMAT.md.
#include "nninv/report/report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

namespace nninv::report {

using decide::Outcome;
using decide::Verdict;

namespace {

nlohmann::json exact_array(const arith::Vector& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& q : v) a.push_back(arith::to_string(q));
  return a;
}

std::string seconds(double t) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f s", t);
  return buffer;
}

std::string headline(const Outcome& o, const net::Network& net) {
  std::string what = net.domain.is_everything() ? "on R^" + std::to_string(net.input_dim) : "on its domain box";
  std::string prop = decide::to_string(o.property);
  switch (o.verdict) {
    case Verdict::holds: return "holds: the network is " + prop + " " + what;
    case Verdict::violated: return "violated: the network is not " + prop + " " + what;
    default: return "unknown: nninv could not decide whether the network is " + prop;
  }
}

}  // namespace

std::string format_vector(const arith::Vector& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + arith::to_string(v[i]);
  return s + ")";
}

std::string to_text(const net::Network& net, const Outcome& o, double time_seconds) {
  std::ostringstream out;
  out << "property: " << decide::to_string(o.property) << "\n";
  out << "verdict:  " << headline(o, net) << "\n";
  if (o.collision) {
    out << "witness:  x1 = " << format_vector(o.collision->x1) << "\n";
    out << "          x2 = " << format_vector(o.collision->x2) << "\n";
    out << "          f(x1) = f(x2) = " << format_vector(o.collision->y) << "\n";
    out << "          (checked in exact rational arithmetic)\n";
  }
  if (!o.reason.empty()) out << "reason:   " << o.reason << "\n";
  if (!o.method.empty()) out << "method:   " << o.method << "\n";
  out << "time:     " << seconds(time_seconds) << "\n";
  return out.str();
}

std::string to_json(const Outcome& o, double time_seconds) {
  nlohmann::json j;
  j["property"] = decide::to_string(o.property);
  j["verdict"] = decide::to_string(o.verdict);
  if (o.collision)
    j["witness"] = {{"x1", exact_array(o.collision->x1)},
                    {"x2", exact_array(o.collision->x2)},
                    {"y", exact_array(o.collision->y)}};
  j["reason"] = o.reason;
  j["method"] = o.method;
  j["time_seconds"] = time_seconds;
  return j.dump();
}

}  // namespace nninv::report
