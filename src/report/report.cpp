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

// How the text names X and Y.
struct Spaces {
  std::string x, y;
};

Spaces spaces(const net::Network& net) {
  return {net.domain.is_everything() ? "R^" + std::to_string(net.input_dim) : "its domain box X",
          net.codomain.is_everything() ? "R^" + std::to_string(net.output_dim()) : "the codomain box Y"};
}

Spaces spaces(const net::Model& model) {
  Spaces s = spaces(model.net);
  if (model.head == net::Head::argmax)
    s.y = model.codomain.is_everything() ? "its labels {0, ..., " + std::to_string(model.net.output_dim() - 1) + "}"
                                         : "the labels in the codomain box Y";
  else
    s.y = model.codomain.is_everything() ? "R^" + std::to_string(model.output_dim()) : "the codomain box Y";
  return s;
}

std::string where(const Spaces& s, decide::Property p) {
  if (p == decide::Property::injective) return "on " + s.x;
  if (p == decide::Property::into) return "from " + s.x + " into " + s.y;
  return "from " + s.x + " onto " + s.y;
}

std::string headline(Verdict v, const std::string& property, const std::string& where) {
  if (property == "into") {
    switch (v) {
      case Verdict::holds: return "holds: the network maps " + where.substr(5);
      case Verdict::violated: return "violated: the network does not map " + where.substr(5);
      default: return "unknown: nninv could not decide whether the network maps X into Y";
    }
  }
  switch (v) {
    case Verdict::holds: return "holds: the network is " + property + " " + where;
    case Verdict::violated: return "violated: the network is not " + property + " " + where;
    default: return "unknown: nninv could not decide whether the network is " + property;
  }
}

// "(1/3, ...)" and, for long exact entries, the decimal view on a second line.
void vector_lines(std::ostream& out, const std::string& label, const arith::Vector& v, const std::string& tail = "") {
  out << label << format_vector(v) << tail << "\n";
  if (needs_decimal_view(v)) out << std::string(label.size(), ' ') << "~ " << decimal_vector(v) << " (rounded)\n";
}

void witness_text(std::ostream& out, const Outcome& o) {
  if (o.collision) {
    vector_lines(out, "witness:  x1 = ", o.collision->x1);
    vector_lines(out, "          x2 = ", o.collision->x2);
    if (o.collision->y.empty())
      out << "          f(x1) = f(x2), which is not a rational vector (see the reason)\n";
    else
      vector_lines(out, "          f(x1) = f(x2) = ", o.collision->y);
    out << "          (checked in exact rational arithmetic)\n";
  }
  if (o.unreached) {
    vector_lines(out, "witness:  y = ", o.unreached->y, " is in Y but f(x) != y for every x in X");
    if (o.unreached->radius)
      out << "          and every point within distance " << arith::to_string(*o.unreached->radius)
          << " of y (max-norm) is missed too\n";
  }
  if (o.escape) {
    vector_lines(out, "witness:  x = ", o.escape->x, " is in X");
    vector_lines(out, "          f(x) = ", o.escape->y, " lies outside Y");
    out << "          (checked in exact rational arithmetic)\n";
  }
}

json witness_json(const Outcome& o) {
  if (o.collision) {
    json w = {{"x1", exact_array(o.collision->x1)}, {"x2", exact_array(o.collision->x2)}};
    // A common image that is not rational (through softmax or tanh) is left out.
    if (!o.collision->y.empty()) w["y"] = exact_array(o.collision->y);
    return w;
  }
  if (o.escape) return {{"x", exact_array(o.escape->x)}, {"y", exact_array(o.escape->y)}};
  json w = {{"y", exact_array(o.unreached->y)}};
  if (o.unreached->radius) w["radius"] = arith::to_string(*o.unreached->radius);
  return w;
}

json outcome_json(const Outcome& o, double time_seconds) {
  json j;
  j["property"] = decide::to_string(o.property);
  j["verdict"] = decide::to_string(o.verdict);
  if (o.collision || o.unreached || o.escape) j["witness"] = witness_json(o);
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

std::string decimal_vector(const arith::Vector& v, int digits) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) {
    // mpf with 128 bits: no overflow for the huge or tiny values a double cannot hold.
    mpf_class f(v[i], 128);
    char buffer[64];
    gmp_snprintf(buffer, sizeof buffer, "%.*Fg", digits, f.get_mpf_t());
    s += (i ? ", " : "") + std::string(buffer);
  }
  return s + ")";
}

bool needs_decimal_view(const arith::Vector& v, std::size_t width) {
  for (const auto& q : v)
    if (arith::to_string(q).size() > width) return true;
  return false;
}

namespace {

std::string text_of(const Spaces& spaces, const Outcome& o, double time_seconds) {
  std::ostringstream out;
  out << "property: " << decide::to_string(o.property) << "\n";
  out << "verdict:  " << headline(o.verdict, decide::to_string(o.property), where(spaces, o.property)) << "\n";
  witness_text(out, o);
  if (!o.reason.empty()) out << "reason:   " << o.reason << "\n";
  if (!o.method.empty()) out << "method:   " << o.method << "\n";
  out << "time:     " << seconds(time_seconds) << "\n";
  return out.str();
}

}  // namespace

std::string to_text(const net::Network& net, const Outcome& o, double time_seconds) {
  return text_of(spaces(net), o, time_seconds);
}
std::string to_text(const net::Model& model, const Outcome& o, double time_seconds) {
  return text_of(spaces(model), o, time_seconds);
}

std::string to_json(const Outcome& o, double time_seconds) { return outcome_json(o, time_seconds).dump(); }

namespace {

const char* answer_word(Verdict v) { return v == Verdict::holds ? "yes" : v == Verdict::violated ? "no" : "unknown"; }

// "invertible: yes: ..." in one sentence: the question in the user's words.
std::string invertible_line(const decide::BijectiveOutcome& b) {
  std::string why;
  if (b.verdict == Verdict::holds)
    why = "f is a bijection from X to Y, so every y in Y has exactly one preimage x in X";
  else if (const Part* d = b.decisive())
    why = d->outcome.property == decide::Property::injective ? "two distinct inputs have the same output (witness below)"
          : d->outcome.property == decide::Property::into   ? "some x in X is mapped outside Y (witness below)"
                                                             : "some y in Y has no preimage in X (witness below)";
  else
    why = b.reason;
  return std::string("invertible: ") + answer_word(b.verdict) + ": " + why;
}

std::string bijective_text_of(const Spaces& spaces, const decide::BijectiveOutcome& b, double time_seconds,
                              const std::string& property) {
  std::ostringstream out;
  if (property == "invertible") out << invertible_line(b) << "\n";
  const std::string &x = spaces.x, &y = spaces.y;
  out << "property: " << property << "\n";
  switch (b.verdict) {
    case Verdict::holds: out << "verdict:  holds: the network is a bijection from " << x << " to " << y << "\n"; break;
    case Verdict::violated:
      out << "verdict:  violated: the network is not a bijection from " << x << " to " << y << "\n";
      break;
    default: out << "verdict:  unknown: nninv could not decide whether the network is a bijection from " << x << " to " << y << "\n";
  }
  out << "reason:   " << b.reason << "\n\n";
  for (decide::Property p : {decide::Property::injective, decide::Property::into, decide::Property::surjective}) {
    const Part& part = b.part(p);
    if (!part.ran) {
      out << "  property: " << decide::to_string(p) << "\n  verdict:  not run (" << part.outcome.reason << ")\n\n";
      continue;
    }
    std::istringstream lines(text_of(spaces, part.outcome, part.time_seconds));
    for (std::string line; std::getline(lines, line);) out << "  " << line << "\n";
    out << "\n";
  }
  out << "time:     " << seconds(time_seconds) << "\n";
  return out.str();
}

}  // namespace

std::string bijective_text(const net::Network& net, const decide::BijectiveOutcome& b, double time_seconds,
                           const std::string& property) {
  return bijective_text_of(spaces(net), b, time_seconds, property);
}
std::string bijective_text(const net::Model& model, const decide::BijectiveOutcome& b, double time_seconds,
                           const std::string& property) {
  return bijective_text_of(spaces(model), b, time_seconds, property);
}

std::string bijective_json(const decide::BijectiveOutcome& b, double time_seconds, const std::string& property) {
  json j;
  j["property"] = property;
  j["verdict"] = decide::to_string(b.verdict);
  if (const Part* d = b.decisive()) j["witness"] = witness_json(d->outcome);
  j["reason"] = b.reason;
  j["method"] = b.method;
  j["time_seconds"] = time_seconds;
  j["parts"] = json::object();
  for (decide::Property p : {decide::Property::injective, decide::Property::into, decide::Property::surjective}) {
    const Part& part = b.part(p);
    json o = outcome_json(part.outcome, part.time_seconds);
    if (!part.ran) o["ran"] = false;
    j["parts"][decide::to_string(p)] = o;
  }
  if (property == "invertible") j["invertible"] = answer_word(b.verdict);
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
