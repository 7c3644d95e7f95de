// Rendering of outcomes: human text and the --json objects of FORMAT.md.
#include "nninv/report/report.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "nninv/errors.hpp"
#include "nninv/io/json_writer.hpp"

namespace nninv::report {

using decide::Outcome;
using decide::Verdict;
using nlohmann::json;

namespace {

json exact_array(const arith::Vector& v) {
  json a = json::array();
  for (const auto& q : v) a.push_back(arith::to_string(q));
  return a;
}

std::string seconds(double t) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f s", t);
  return buffer;
}

std::string where(const net::Network& net, decide::Property p) {
  if (p == decide::Property::injective)
    return net.domain.is_everything() ? "on R^" + std::to_string(net.input_dim) : "on its domain box X";
  std::string x = net.domain.is_everything() ? "R^" + std::to_string(net.input_dim) : "its domain box X";
  std::string y = net.codomain.is_everything() ? "R^" + std::to_string(net.output_dim()) : "the codomain box Y";
  return "from " + x + " onto " + y;
}

std::string headline(Verdict v, const std::string& property, const std::string& where) {
  switch (v) {
    case Verdict::holds: return "holds: the network is " + property + " " + where;
    case Verdict::violated: return "violated: the network is not " + property + " " + where;
    default: return "unknown: nninv could not decide whether the network is " + property;
  }
}

void witness_text(std::ostream& out, const Outcome& o) {
  if (o.collision) {
    out << "witness:  x1 = " << format_vector(o.collision->x1) << "\n";
    out << "          x2 = " << format_vector(o.collision->x2) << "\n";
    out << "          f(x1) = f(x2) = " << format_vector(o.collision->y) << "\n";
    out << "          (checked in exact rational arithmetic)\n";
  }
  if (o.unreached) {
    out << "witness:  y = " << format_vector(o.unreached->y) << " is in Y but f(x) != y for every x in X\n";
    if (o.unreached->radius)
      out << "          and every point within distance " << arith::to_string(*o.unreached->radius)
          << " of y (max-norm) is missed too\n";
  }
}

json witness_json(const Outcome& o) {
  if (o.collision)
    return {{"x1", exact_array(o.collision->x1)},
            {"x2", exact_array(o.collision->x2)},
            {"y", exact_array(o.collision->y)}};
  json w = {{"y", exact_array(o.unreached->y)}};
  if (o.unreached->radius) w["radius"] = arith::to_string(*o.unreached->radius);
  return w;
}

json outcome_json(const Outcome& o, double time_seconds) {
  json j;
  j["property"] = decide::to_string(o.property);
  j["verdict"] = decide::to_string(o.verdict);
  if (o.collision || o.unreached) j["witness"] = witness_json(o);
  j["reason"] = o.reason;
  j["method"] = o.method;
  j["time_seconds"] = time_seconds;
  return j;
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
  out << "verdict:  " << headline(o.verdict, decide::to_string(o.property), where(net, o.property)) << "\n";
  witness_text(out, o);
  if (!o.reason.empty()) out << "reason:   " << o.reason << "\n";
  if (!o.method.empty()) out << "method:   " << o.method << "\n";
  out << "time:     " << seconds(time_seconds) << "\n";
  return out.str();
}

std::string to_json(const Outcome& o, double time_seconds) { return outcome_json(o, time_seconds).dump(); }

std::string bijective_text(const net::Network& net, const Part& injective, const Part& surjective) {
  std::ostringstream out;
  Verdict v = decide::bijective_verdict(injective.outcome, surjective.outcome);
  std::string w = where(net, decide::Property::surjective);
  out << "property: bijective\n";
  out << "verdict:  " << headline(v, "bijective", w) << "\n\n";
  for (const Part* part : {&injective, &surjective}) {
    std::string text = to_text(net, part->outcome, part->time_seconds);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) out << "  " << line << "\n";
    out << "\n";
  }
  out << "time:     " << seconds(injective.time_seconds + surjective.time_seconds) << "\n";
  return out.str();
}

std::string bijective_json(const Part& injective, const Part& surjective) {
  Verdict v = decide::bijective_verdict(injective.outcome, surjective.outcome);
  json j;
  j["property"] = "bijective";
  j["verdict"] = decide::to_string(v);
  const Outcome* decisive = nullptr;
  for (const Part* p : {&injective, &surjective})
    if (p->outcome.verdict == v && !decisive) decisive = &p->outcome;
  if (v == Verdict::violated) j["witness"] = witness_json(*decisive);
  if (v == Verdict::holds)
    j["reason"] = "injective and surjective";
  else if (v == Verdict::violated)
    j["reason"] = std::string("not ") + decide::to_string(decisive->property) + ": " + decisive->reason;
  else
    j["reason"] = "at least one part is unknown";
  j["method"] = v == Verdict::violated ? decisive->method : "injective and surjective parts";
  j["time_seconds"] = injective.time_seconds + surjective.time_seconds;
  j["parts"] = {{"injective", outcome_json(injective.outcome, injective.time_seconds)},
                {"surjective", outcome_json(surjective.outcome, surjective.time_seconds)}};
  return j.dump();
}

std::string invert_text(const decide::InvertOutcome& o, double time_seconds) {
  std::ostringstream out;
  out << "property: invert\n";
  out << "y:        " << format_vector(o.y) << "\n";
  switch (o.verdict) {
    case decide::InvertVerdict::found:
      out << "verdict:  found: f(x) = y for x = " << format_vector(o.x) << "\n";
      if (o.unique) out << "unique:   yes (f is injective on X)\n";
      break;
    case decide::InvertVerdict::none: out << "verdict:  none: no x in X has f(x) = y\n"; break;
    default: out << "verdict:  unknown: nninv could not decide whether y has a preimage\n";
  }
  if (!o.reason.empty()) out << "reason:   " << o.reason << "\n";
  out << "method:   " << o.method << "\n";
  out << "time:     " << seconds(time_seconds) << "\n";
  return out.str();
}

std::string invert_json(const decide::InvertOutcome& o, double time_seconds) {
  json j;
  j["property"] = "invert";
  j["verdict"] = decide::to_string(o.verdict);
  if (o.verdict == decide::InvertVerdict::found) j["x"] = exact_array(o.x);
  j["y"] = exact_array(o.y);
  if (o.unique) j["unique"] = *o.unique;
  j["reason"] = o.reason;
  j["method"] = o.method;
  j["time_seconds"] = time_seconds;
  return j.dump();
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  try {
    io::write_text_atomically(path, content);
  } catch (const io::WriteError& e) {
    throw CannotWriteOutput(e.what());
  }
}

}  // namespace nninv::report
