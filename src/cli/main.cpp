// nninv command line: parses options, calls the decision pipeline, prints the
// result, and is the one place where exceptions become exit codes.
#include <unistd.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <csignal>
#include <iostream>
#include <string>

#include "nninv/decide/pipeline.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/report/report.hpp"

namespace po = boost::program_options;
using namespace nninv;

namespace {

std::atomic<bool> interrupted{false};
extern "C" void on_signal(int) { interrupted.store(true); }

constexpr const char* version = "nninv 0.1.0";

constexpr const char* general_help = R"(nninv: is this neural network invertible? Exact answers with evidence.

usage: nninv COMMAND NET.json [options]
       nninv COMMAND --help

commands:
  injective   Is there no pair x1 != x2 in the domain X with f(x1) = f(x2)?

The network is read from nninv's JSON format (dense, relu, leaky_relu and
identity layers; exact numbers: 0.1 means 1/10, "2/3" means 2/3). Answers are
exact: a "violated" verdict comes with a witness checked in rational
arithmetic, a "holds" verdict with the theorem or decision procedure that
proves it.

exit codes:
  0   the property holds (proved)
  1   the property is violated (a witness is printed)
  2   unknown (timeout, Ctrl-C or solver limit; the reason is printed)
  64  usage error     65  bad input data
  66  cannot open input   70  internal error (please report)

example:
  nninv injective examples/split_identity.json
  nninv injective examples/fold.json --json

options:
  -h [ --help ]      this text
  --version          print the version
)";

constexpr const char* injective_help = R"(usage: nninv injective NET.json [--timeout SECONDS] [--json] [--quiet]

Decides whether the network f: X -> R^m is injective on its domain X (the
file's "domain" box, or all of R^n): is there no pair x1 != x2 in X with
f(x1) = f(x2)?

Stages, cheapest first:
  dimension criterion   a layer narrower than dim X cannot be injective
                        (invariance of domain); a collision is constructed
  layer composition     every layer injective (full column rank, leaky_relu,
                        relu always active on X) proves injectivity
  affine on X           if interval bounds fix every activation, rank decides
  local-rank search     sampled regions with a rank-deficient affine map
  twin encoding (Z3)    complete: two copies of the net, outputs equal,
                        inputs distinct, over the reals

Output: the verdict; for "violated" the witness x1, x2 and their common image
y as exact rationals (re-checked by exact evaluation before printing); the
reason; the method that decided; the time.

exit codes: 0 injective, 1 not injective, 2 unknown, 64/65/66/70 errors.

example:
  $ nninv injective examples/fold.json
  verdict:  violated: the network is not injective on R^1
  witness:  x1 = (...)  x2 = (...)  f(x1) = f(x2) = (...)

options)";

struct Args {
  std::string command, network;
  std::optional<double> timeout_seconds;
  bool json = false, quiet = false;
};

po::options_description command_options() {
  po::options_description o;
  o.add_options()("help,h", "this text")(
      "timeout", po::value<double>()->value_name("SECONDS"),
      "stop after this many seconds of wall time and answer unknown (reason \"timeout\"); default: no limit")(
      "json", "print one JSON object (FORMAT.md section 3) instead of text")(
      "quiet,q", "no progress or warnings on stderr");
  return o;
}

// Returns nullopt when help was printed.
std::optional<Args> parse_args(int argc, char** argv) {
  if (argc < 2) throw UsageError("missing command; try 'nninv --help'");
  std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << general_help;
    return std::nullopt;
  }
  if (command == "--version") {
    std::cout << version << "\n";
    return std::nullopt;
  }
  if (command != "injective") throw UsageError("unknown command '" + command + "'; try 'nninv --help'");
  po::options_description visible = command_options();
  po::options_description all = visible;
  all.add_options()("network", po::value<std::string>());
  po::positional_options_description positional;
  positional.add("network", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc - 1, argv + 1).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + "; try 'nninv " + command + " --help'");
  }
  if (vm.count("help")) {
    std::cout << injective_help << visible << "\n";
    return std::nullopt;
  }
  Args args;
  args.command = command;
  if (!vm.count("network")) throw UsageError("missing NET.json; try 'nninv " + command + " --help'");
  args.network = vm["network"].as<std::string>();
  if (vm.count("timeout")) {
    double t = vm["timeout"].as<double>();
    if (!(t > 0)) throw UsageError("--timeout must be a positive number of seconds");
    args.timeout_seconds = t;
  }
  args.json = vm.count("json") > 0;
  args.quiet = vm.count("quiet") > 0;
  return args;
}

int exit_code_of(decide::Verdict v) {
  switch (v) {
    case decide::Verdict::holds: return exit_code::holds;
    case decide::Verdict::violated: return exit_code::violated;
    default: return exit_code::unknown;
  }
}

int run(const Args& args) {
  decide::Budget budget(args.timeout_seconds, &interrupted);
  std::vector<std::string> warnings;
  net::Network net = io::load_network(args.network, &warnings);
  bool progress = !args.quiet && isatty(STDERR_FILENO);
  if (!args.quiet)
    for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
  decide::Options options;
  if (progress) options.on_stage = [](const std::string& stage) { std::cerr << "[nninv] " << stage << " ...\n"; };
  decide::Outcome outcome = decide::decide(net, decide::Property::injective, budget, options);
  double seconds = budget.elapsed_seconds();
  if (args.json)
    std::cout << report::to_json(outcome, seconds) << std::endl;
  else
    std::cout << report::to_text(net, outcome, seconds) << std::flush;
  return exit_code_of(outcome.verdict);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    std::optional<Args> args = parse_args(argc, argv);
    return args ? run(*args) : exit_code::holds;
  } catch (const UsageError& e) {
    std::cerr << "nninv: " << e.what() << "\n";
    return exit_code::usage;
  } catch (const CannotOpenInput& e) {
    std::cerr << "nninv: " << e.what() << "\n";
    return exit_code::no_input;
  } catch (const InputError& e) {
    std::cerr << "nninv: " << e.what() << "\n";
    return exit_code::data;
  } catch (const InternalError& e) {
    std::cerr << "nninv: internal error: " << e.what() << "\n";
    return exit_code::software;
  } catch (const std::bad_alloc&) {
    std::cerr << "nninv: out of memory\n";
    return exit_code::unknown;
  } catch (const std::exception& e) {
    std::cerr << "nninv: internal error: " << e.what() << "\n";
    return exit_code::software;
  }
}
