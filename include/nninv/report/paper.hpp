// Paper-ready proof reports (Markdown or standalone LaTeX): the statement,
// the network's shape and hash, the method, the witness or a summary of the
// proof, and the exact commands that reproduce and check it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "nninv/net/network.hpp"

namespace nninv::report {

enum class PaperFormat { markdown, latex };

struct PaperContext {
  std::string network_path;      // as given on the command line
  std::string command_line;      // the nninv command that produced the result
  std::string certificate_path;  // empty when no certificate was written
  std::string solver_version;    // "Z3 4.8.12"
  // "certified" or "not certified: why" when nninv-check's checker ran on
  // the written certificate file; empty when it did not run.
  std::string check_status;
  double time_seconds = 0;       // how long the run took (reports of unknown verdicts say so)
};

// Requires a certificate made by decide::certificate (any property, verdict).
std::string paper_report(const net::Network& net, const nlohmann::json& certificate, const PaperContext& context,
                         PaperFormat format);

}  // namespace nninv::report
