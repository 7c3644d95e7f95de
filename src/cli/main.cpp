// nninv command line: parses options, calls the decision pipeline, prints the
// result, and is the one place where exceptions become exit codes.
#include <unistd.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>
#include <iomanip>
#include <iostream>
#include <string>

#include "nninv/check/checker.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/io/json_writer.hpp"
#include "nninv/io/load_model.hpp"
#include "nninv/report/paper.hpp"
#include "nninv/report/plot.hpp"
#include "nninv/report/report.hpp"
#include "nninv/smt/image_encoding.hpp"

namespace po = boost::program_options;
using namespace nninv;

namespace {

std::atomic<bool> interrupted{false};
std::atomic<bool> memory_exceeded{false};

// Resident memory of this process in MiB (Linux /proc), 0 when unknown.
double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// --memory-limit: a watcher samples the resident size every 20 ms and, past
// the limit, raises the cancel flag, which stops Z3 (through the solver
// watchdog) and every search loop; the answer is unknown, reason "memory
// limit". (RLIMIT_AS would make GMP abort instead of answering.)
class MemoryWatch {
 public:
  explicit MemoryWatch(std::optional<double> limit_mib) {
    if (!limit_mib) return;
    thread_ = std::thread([this, limit = *limit_mib] {
      while (!done_.load()) {
        if (resident_mib() > limit) {
          memory_exceeded.store(true);
          interrupted.store(true);
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~MemoryWatch() {
    done_.store(true);
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};
extern "C" void on_signal(int) { interrupted.store(true); }

// Set by whoever prints the answer first: the run itself or the hard stop.
std::atomic<bool> answered{false};

// Z3 looks for an interrupt only at its own check points; on a very large
// query it may not look for minutes. The hard stop keeps the promise of
// --timeout, --memory-limit and Ctrl-C anyway: at 8 % + 0.1 s past the
// deadline, or 1 s after an interrupt, if the run has not answered, it prints
// the unknown answer itself and ends the process with exit 2. Output files
// are written atomically, so ending the process leaves none half-written.
class HardStop {
 public:
  using Render = std::function<void(const std::string& reason, const std::string& stage, double seconds)>;

  HardStop(const decide::Budget& budget, std::optional<double> timeout, Render render) : render_(std::move(render)) {
    thread_ = std::thread([this, &budget, timeout] {
      std::optional<double> interrupted_at;
      while (!done_.load()) {
        double now = budget.elapsed_seconds();
        std::string reason;
        if (interrupted.load() && !interrupted_at) interrupted_at = now;
        if (interrupted_at && now > *interrupted_at + 1.0)
          reason = memory_exceeded.load() ? "memory limit" : "interrupted";
        else if (timeout && now > *timeout * 1.08 + 0.1)
          reason = "timeout";
        if (!reason.empty()) {
          if (answered.exchange(true)) return;  // the run has its verdict and is writing it
          render_(reason + " (the solver did not stop in time; nninv stopped it)", stage(), now);
          std::cout.flush();
          std::_Exit(exit_code::unknown);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~HardStop() {
    done_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  void enter(const std::string& stage) {
    std::lock_guard<std::mutex> lock(mutex_);
    stage_ = stage;
  }

 private:
  std::string stage() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stage_;
  }
  Render render_;
  std::mutex mutex_;
  std::string stage_ = "loading";
  std::atomic<bool> done_{false};
  std::thread thread_;
};

constexpr const char* version = "nninv 0.1.0";

constexpr const char* general_help = R"(nninv: is this neural network invertible? Exact answers with evidence.

usage: nninv COMMAND NET.json [options]
       nninv COMMAND --help

commands:
  injective   Is there no pair x1 != x2 in the domain X with f(x1) = f(x2)?
  surjective  Is every y in the codomain Y equal to f(x) for some x in X?
  bijective   Both: injective and surjective.
  invert      Find x in X with f(x) = y for a given y, or prove there is none.
  convert     Write a network read from ONNX, NNet or JSON as exact nninv JSON.
  plot        Draw the linear regions of a 1- or 2-input net as SVG, with witnesses.

The network is read from nninv's JSON format (dense, relu, leaky_relu and
identity layers; exact numbers: 0.1 means 1/10, "2/3" means 2/3; optional
"domain" box X and "codomain" box Y, default all of R^n and R^m), or from
ONNX (.onnx: every float converted to the exact rational it denotes) or NNet
(.nnet: the header's input box as X, its normalisation as exact layers);
the extension or the content decides, --format overrides. Answers are
exact: a "violated" verdict comes with a witness checked in rational
arithmetic, a "holds" verdict with the theorem or decision procedure that
proves it.

exit codes:
  0   the property holds (proved) / invert: a preimage was found
  1   the property is violated (a witness is printed) / invert: none exists
  2   unknown (timeout, Ctrl-C or solver limit; the reason is printed)
  64  usage error     65  bad input data
  66  cannot open input   70  internal error (please report)
  73  cannot write an output file (nothing partial is left behind)

examples:
  nninv injective examples/split_identity.json
  nninv surjective examples/relu_output.json --json
  nninv bijective examples/leaky_square.json
  nninv invert examples/split_identity.json --output 1/2,-3
  nninv injective net.onnx --certificate net.cert.json
  nninv-check net.onnx net.cert.json
  nninv convert ACASXU_experimental_v2a_1_1.nnet acas.json

options:
  -h [ --help ]      this text
  --version          print the version
)";

constexpr const char* convert_help = R"(usage: nninv convert IN OUT.json [--format json|onnx|nnet|auto]

Reads a network (nninv JSON, ONNX or NNet) and writes it as nninv JSON with
every number exact ("p/q" strings), so that it can be inspected, edited (for
example to add a domain box) and given to the other commands. Loading the
written file gives exactly the same network. The file is written to a
temporary name and renamed: a failure leaves nothing partial behind.

exit codes: 0 written, 64 usage, 65 bad input, 66 cannot open input,
73 cannot write OUT.json.

example:
  $ nninv convert ../shared/nets/marabou/fc_2-2-3.onnx fc.json

options:
)";

constexpr const char* plot_help = R"(usage: nninv plot NET --out FILE.svg [--timeout SECONDS] [--no-witnesses] [--format FMT]

Draws a network with 1 or 2 inputs: the input domain (or a window around the
interesting part of R^n) divided into its exact linear regions, coloured by
the sign of the region's determinant for square nets (blue > 0, orange < 0,
grey = 0) or by affine map; and, for 1 or 2 outputs, a second panel with the
image of each region. Unless --no-witnesses is given, nninv first decides
injectivity and surjectivity (within --timeout, default 30 s in total) and
marks the colliding pair x1, x2 and an unreachable point y when it finds
them. The SVG is plain SVG 1.1, written to a temporary name and renamed.

exit codes: 0 written, 64 usage (e.g. more than 2 inputs), 65 bad input,
66 cannot open input, 73 cannot write FILE.svg.

example:
  $ nninv plot examples/zigzag.json --out zigzag.svg

options:
)";

constexpr const char* injective_help = R"(usage: nninv injective NET.json [--timeout SECONDS] [--json] [--quiet]

Decides whether the network f: X -> R^m is injective on its domain X (the
file's "domain" box, or all of R^n): is there no pair x1 != x2 in X with
f(x1) = f(x2)?

First the network is replaced by an exactly equivalent smaller one where
possible (affine layers merged, relu(a), relu(-a) pairs folded, dead neurons
removed; off: --no-simplify); witnesses are re-checked on the original.

Stages, cheapest first:
  dimension criterion   a layer narrower than dim X cannot be injective
                        (invariance of domain); a collision is constructed
  layer composition     every layer injective (full column rank, leaky_relu,
                        relu always active on X) proves injectivity
  affine on X           if interval bounds fix every activation, rank decides
  Jacobian box          at most 10 slope parameters (neurons of unknown phase;
                        relu(z), relu(-z) pairs count once): f(x1) - f(x2) =
                        M (x1 - x2) for slopes between each activation's two;
                        one sign of det M (det P M with more outputs) at all
                        2^p vertices proves injectivity
  Jacobian norm         any number of unknown phases: an exact interval
                        enclosure of K M(s) within norm < 1 of the identity
                        (residual blocks x + g(x) with a small g)
  local-rank search     sampled regions with a rank-deficient affine map
  fold search           square nets: sampled regions whose Jacobians have
                        determinants of opposite sign; the fold between them
                        gives a collision (off: --no-fold-search)
  first relu layer      nets that start with dense, relu: one copy of that
                        layer and a direction v, "every row strictly inactive
                        or orthogonal to v" (Z3); complete when the later
                        layers are injective (off: --no-relu-layer)
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

options:
)";

constexpr const char* surjective_help = R"(usage: nninv surjective NET.json [--timeout SECONDS] [--json] [--quiet]

Decides whether the network f: X -> Y is onto its codomain Y (the file's
"codomain" box, or all of R^m): is every y in Y equal to f(x) for some x in
the domain X? Onto a box is a different question from onto R^m: a network on
a bounded domain can be onto a small box but never onto R^m.

Stages, cheapest first (after the exact simplification described in
`nninv injective --help`; off: --no-simplify):
  output bounds         interval propagation bounds f on X; a point of Y
                        beyond a bound is unreachable (e.g. relu outputs < 0)
  affine on X           rank / a left-kernel vector decides
  surjective layers     X = R^n and every layer onto (full row rank, leaky)
  injective square map  X = R^n, m = n and f injective imply onto (Scholtes)
  sampled points        points of Y whose preimage query is unsatisfiable
  region cover          images of activation regions, counterexample-guided
  quantified formula    complete: "exists y in Y, forall x in X: f(x) != y"
A "holds" is turned into a checkable certificate where possible (proof
trees, section trees; --certificate, docs/certificates.md).

Output: the verdict; for "violated" a point y of Y that no x reaches, proved
by an exact argument or an unsatisfiable preimage query (re-run before
printing), and where possible a radius r such that every point within r of y
(max-norm) is missed too, so the answer survives rounding.

exit codes: 0 surjective, 1 not surjective, 2 unknown, 64/65/66/70 errors.

example:
  $ nninv surjective examples/relu_output.json
  verdict:  violated: the network is not surjective from R^1 onto R^1
  witness:  y = (-1) is in Y but f(x) != y for every x in X

options:
)";

constexpr const char* bijective_help = R"(usage: nninv bijective NET.json [--timeout SECONDS] [--json] [--quiet]

Decides whether f: X -> Y is a bijection: injective on X and onto Y. Both
questions are answered, each with its own evidence (see 'nninv injective
--help' and 'nninv surjective --help'); the timeout covers both together.

exit codes: 0 bijective, 1 injective or surjective is violated, 2 otherwise,
64/65/66/70 errors.

example:
  $ nninv bijective examples/leaky_square.json
  verdict:  holds: the network is bijective from R^2 onto R^2

options:
)";

constexpr const char* invert_help = R"(usage: nninv invert NET.json --output Y1,Y2,... [--timeout SECONDS] [--json] [--quiet]

Finds an x in the domain X with f(x) = y exactly, or proves that none exists.
The values of y are exact: decimals (0.25) or fractions (-7/3), separated by
commas, one per output. When f is proved injective on X the preimage is
reported as unique.

exit codes: 0 found, 1 no preimage exists (proved), 2 unknown,
64/65/66/70 errors.

example:
  $ nninv invert examples/split_identity.json --output 1/2,-3
  verdict:  found: f(x) = y for x = (1/2, -3)

options:
)";

struct Args {
  std::string command, network;
  io::Format format = io::Format::automatic;
  std::optional<double> timeout_seconds, memory_limit_mib;
  bool json = false, quiet = false, stats = false;
  decide::Options engine;
  std::string smt2_path, certificate_path, report_path, command_line;
  bool check_certificate = false;
  arith::Vector output;  // invert: the y to invert
};

const char* help_for(const std::string& command) {
  if (command == "injective") return injective_help;
  if (command == "surjective") return surjective_help;
  if (command == "bijective") return bijective_help;
  return invert_help;
}

po::options_description command_options() {
  po::options_description o;
  o.add_options()("help,h", "this text")(
      "timeout", po::value<double>()->value_name("SECONDS"),
      "stop after this many seconds of wall time and answer unknown (reason \"timeout\"); default: no limit")(
      "memory-limit", po::value<double>()->value_name("MB"),
      "stop when the process's resident memory exceeds this many MiB and answer unknown (reason \"memory "
      "limit\"); default: no limit")(
      "json", "print one JSON object (FORMAT.md section 3) instead of text")(
      "quiet,q", "no progress or warnings on stderr")(
      "stats", "print the time and result of every stage that ran (on stderr; with --json also as \"stats\")")(
      "format", po::value<std::string>()->value_name("FMT")->default_value("auto"),
      "the network file's format: json, onnx, nnet or auto (by extension, then content)")(
      "smt2", po::value<std::string>()->value_name("FILE"),
      "also write the exact query as SMT-LIB 2 (injective: twin encoding, QF_LRA; surjective: quantified "
      "formula, LRA; invert: preimage query, QF_LRA) so that another solver can re-run it")(
      "certificate", po::value<std::string>()->value_name("FILE"),
      "write a certificate of the verdict (docs/certificates.md) that nninv-check re-checks without any solver")(
      "report", po::value<std::string>()->value_name("FILE.md|FILE.tex"),
      "write a paper-ready proof report (Markdown or standalone LaTeX, by extension): the statement, the network's "
      "shape and hash, the method, the witness or proof summary, and the commands that reproduce and check it")(
      "check", "run the independent checker on the certificate before writing it; a rejected certificate is an "
               "internal error (exit 70)")(
      "engine", po::value<std::string>()->value_name("NAME")->default_value("portfolio"),
      "portfolio: criteria, witness search, then complete procedures; naive: the plain Z3 encoding alone "
      "(the baseline of the benchmarks)");
  po::options_description ablation("ablation switches (for benchmarks; verdicts do not change, only time)");
  ablation.add_options()("no-simplify",
                         "decide on the network as given, without first merging affine layers and folding "
                         "relu(a), relu(-a) pairs (exact simplification)")("no-criteria", "skip the exact criteria")(
      "no-witness-search", "skip local-rank search, fold search and sampled unreachable points")(
      "no-fold-search", "skip the fold search (square nets: regions of opposite orientation)")(
      "no-relu-layer", "skip the one-copy query of a first relu(W x + b) layer")(
      "no-interval-bounds", "do not fix stable neurons in the SMT encodings")(
      "symmetry-breaking", "x1 <lex x2 instead of x1 != x2 in the twin encoding")(
      "no-symmetry-breaking", "x1 != x2 in the twin encoding (the default; kept for scripts)")(
      "phase-literals", "encode each unstable activation with a phase literal instead of if-then-else")(
      "no-region-cover", "skip the region cover before the quantified formula");
  o.add(ablation);
  return o;
}

// The shared part of `convert` and `plot`: parse the subcommand's options and
// positional arguments; nothing (after printing the help) for --help.
std::optional<po::variables_map> parse_subcommand(int argc, char** argv, const std::string& command,
                                                  const char* help, const po::options_description& visible,
                                                  const std::vector<std::string>& positionals) {
  po::options_description all = visible;
  po::positional_options_description positional;
  for (const auto& name : positionals) {
    all.add_options()(name.c_str(), po::value<std::string>());
    positional.add(name.c_str(), 1);
  }
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc - 1, argv + 1).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + "; try 'nninv " + command + " --help'");
  }
  if (vm.count("help")) {
    std::cout << help << visible << "\n";
    return std::nullopt;
  }
  return vm;
}

// Loads a network for `convert` / `plot`, printing the loader's warnings unless --quiet.
net::Network load_for_subcommand(const po::variables_map& vm, const std::string& path) {
  std::vector<std::string> warnings;
  net::Network net = io::load_model(path, io::parse_format(vm["format"].as<std::string>()), &warnings);
  if (!vm.count("quiet"))
    for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
  return net;
}

// nninv convert IN OUT.json: always returns nullopt (nothing left to run).
std::optional<struct Args> convert(int argc, char** argv) {
  po::options_description visible;
  visible.add_options()("help,h", "this text")("format", po::value<std::string>()->default_value("auto"),
                                                "the input's format: json, onnx, nnet or auto")(
      "quiet,q", "no warnings on stderr");
  std::optional<po::variables_map> parsed = parse_subcommand(argc, argv, "convert", convert_help, visible, {"in", "out"});
  if (!parsed) return std::nullopt;
  const po::variables_map& vm = *parsed;
  if (!vm.count("in") || !vm.count("out")) throw UsageError("convert needs IN and OUT.json; try 'nninv convert --help'");
  net::Network net = load_for_subcommand(vm, vm["in"].as<std::string>());
  io::write_network(net, vm["out"].as<std::string>());
  std::cout << "wrote " << vm["out"].as<std::string>() << ": " << net.input_dim << " inputs, " << net.output_dim()
            << " outputs, " << net.layers.size() << " layers, " << net.nonlinear_neuron_count() << " relu neurons\n";
  return std::nullopt;
}

// nninv plot NET --out FILE.svg: always returns nullopt.
std::optional<struct Args> plot(int argc, char** argv) {
  po::options_description visible;
  visible.add_options()("help,h", "this text")("out", po::value<std::string>()->value_name("FILE.svg"),
                                                "where to write the SVG")(
      "timeout", po::value<double>()->default_value(30), "seconds for finding witnesses to mark")(
      "no-witnesses", "draw the regions only")("format", po::value<std::string>()->default_value("auto"),
                                                "the network's format: json, onnx, nnet or auto")(
      "quiet,q", "no warnings on stderr");
  std::optional<po::variables_map> parsed = parse_subcommand(argc, argv, "plot", plot_help, visible, {"network"});
  if (!parsed) return std::nullopt;
  const po::variables_map& vm = *parsed;
  if (!vm.count("network") || !vm.count("out")) throw UsageError("plot needs NET and --out FILE.svg; try 'nninv plot --help'");
  net::Network net = load_for_subcommand(vm, vm["network"].as<std::string>());
  if (net.input_dim > 2) throw UsageError("plot draws networks with 1 or 2 inputs; this one has " +
                                          std::to_string(net.input_dim));
  report::PlotOptions options;
  std::string marks;
  if (!vm.count("no-witnesses")) {
    decide::Budget budget(vm["timeout"].as<double>(), &interrupted);
    decide::Outcome inj = decide::decide(net, decide::Property::injective, budget);
    if (inj.collision) options.collision = inj.collision;
    decide::Outcome surj = decide::decide(net, decide::Property::surjective, budget);
    if (surj.unreached) options.unreached = surj.unreached;
    marks = std::string("; injective: ") + decide::to_string(inj.verdict) + ", surjective: " +
            decide::to_string(surj.verdict);
  }
  std::string svg = report::plot_svg(net, options);
  report::write_file_atomically(vm["out"].as<std::string>(), svg);
  std::cout << "wrote " << vm["out"].as<std::string>() << marks << "\n";
  return std::nullopt;
}

// Returns nullopt when help was printed (or convert ran).
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
  if (command == "convert") return convert(argc, argv);
  if (command == "plot") return plot(argc, argv);
  if (command != "injective" && command != "surjective" && command != "bijective" && command != "invert")
    throw UsageError("unknown command '" + command + "'; try 'nninv --help'");
  po::options_description visible = command_options();
  if (command == "invert")
    visible.add_options()("output", po::value<std::string>()->value_name("Y1,Y2,..."),
                          "the point y to invert: exact decimals or p/q, comma-separated");
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
    std::cout << help_for(command) << visible << "\n";
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
  if (command == "invert") {
    if (!vm.count("output")) throw UsageError("invert needs --output Y1,Y2,...; try 'nninv invert --help'");
    try {
      args.output = arith::parse_rational_list(vm["output"].as<std::string>());
    } catch (const arith::NumberSyntaxError& e) {
      throw UsageError(std::string("--output: ") + e.what());
    }
  }
  std::string engine = vm["engine"].as<std::string>();
  if (engine == "naive")
    args.engine.engine = decide::Engine::naive;
  else if (engine != "portfolio")
    throw UsageError("--engine must be 'portfolio' or 'naive', not '" + engine + "'");
  args.engine.simplify = !vm.count("no-simplify");
  args.engine.criteria = !vm.count("no-criteria");
  args.engine.witness_search = !vm.count("no-witness-search");
  args.engine.fold_search = !vm.count("no-fold-search");
  args.engine.relu_layer = !vm.count("no-relu-layer");
  args.engine.interval_bounds = !vm.count("no-interval-bounds");
  args.engine.symmetry_breaking = vm.count("symmetry-breaking") && !vm.count("no-symmetry-breaking");
  args.engine.ite_activations = !vm.count("phase-literals");
  args.engine.region_cover = !vm.count("no-region-cover");
  if (vm.count("smt2")) {
    args.smt2_path = vm["smt2"].as<std::string>();
    if (command == "bijective") throw UsageError("--smt2 writes one query: use it with injective or surjective");
  }
  if (vm.count("memory-limit")) {
    double mb = vm["memory-limit"].as<double>();
    if (!(mb > 0)) throw UsageError("--memory-limit must be a positive number of MiB");
    args.memory_limit_mib = mb;
  }
  if (vm.count("certificate")) args.certificate_path = vm["certificate"].as<std::string>();
  args.check_certificate = vm.count("check") > 0;
  if (vm.count("report")) {
    args.report_path = vm["report"].as<std::string>();
    std::string ext = std::filesystem::path(args.report_path).extension().string();
    if (ext != ".md" && ext != ".tex") throw UsageError("--report needs a file ending in .md or .tex");
  }
  args.engine.want_proof = !args.certificate_path.empty() || !args.report_path.empty();
  for (int i = 0; i < argc; ++i) args.command_line += (i ? " " : "") + std::string(i ? argv[i] : "nninv");
  if (args.check_certificate && args.certificate_path.empty())
    throw UsageError("--check needs --certificate FILE");
  args.format = io::parse_format(vm["format"].as<std::string>());
  args.json = vm.count("json") > 0;
  args.stats = vm.count("stats") > 0;
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

int exit_code_of(decide::InvertVerdict v) {
  switch (v) {
    case decide::InvertVerdict::found: return exit_code::holds;
    case decide::InvertVerdict::none: return exit_code::violated;
    default: return exit_code::unknown;
  }
}

// Writes the certificate (after the independent check, with --check) and
// the paper report, whichever were asked for.
void write_certificate(const Args& args, const net::Network& net, const nlohmann::json& certificate) {
  std::string status;
  if (args.check_certificate || !args.report_path.empty()) {
    check::Report r = check::check_certificate(net, certificate);
    if (r.status == check::Status::rejected) throw InternalError("the certificate fails its check: " + r.message);
    status = r.status == check::Status::certified ? "certified" : "not certified";
    if (args.check_certificate && !args.quiet)
      std::cerr << (r.status == check::Status::certified ? "certificate checked: " : "certificate not certified: ")
                << r.message << "\n";
  }
  if (!args.certificate_path.empty())
    report::write_file_atomically(args.certificate_path, certificate.dump(1) + "\n");
  if (!args.report_path.empty()) {
    report::PaperContext context{args.network, args.command_line, args.certificate_path, smt::solver_version(),
                                 status};
    bool tex = std::filesystem::path(args.report_path).extension() == ".tex";
    report::write_file_atomically(
        args.report_path,
        report::paper_report(net, certificate, context, tex ? report::PaperFormat::latex : report::PaperFormat::markdown));
  }
}

// Prints the result; with --stats also the stage trace (stderr, and a
// "stats" member of the JSON object).
// Called once the verdict is known and before any file is written: from here
// on the hard stop stays quiet, so the certificate, the report and stdout
// always tell the same verdict. If the hard stop has already begun printing,
// it ends the process; wait for that.
void claim_answer() {
  if (answered.exchange(true))
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

void emit(const Args& args, const std::string& json_text, const std::string& human_text,
          const std::vector<decide::Options::StageRecord>& trace) {
  if (args.stats) {
    for (const auto& r : trace)
      std::cerr << "[stats] " << r.property << ": " << r.stage << ": " << std::fixed << std::setprecision(3)
                << r.seconds << " s: " << r.result << "\n";
  }
  if (!args.json) {
    std::cout << human_text << std::flush;
    return;
  }
  if (!args.stats) {
    std::cout << json_text << "\n" << std::flush;
    return;
  }
  nlohmann::json j = nlohmann::json::parse(json_text);
  j["stats"] = nlohmann::json::array();
  for (const auto& r : trace)
    j["stats"].push_back({{"property", r.property}, {"stage", r.stage}, {"seconds", r.seconds}, {"result", r.result}});
  std::cout << j.dump() << "\n" << std::flush;
}

int run(const Args& args) {
  MemoryWatch memory_watch(args.memory_limit_mib);
  decide::Budget budget(args.timeout_seconds, &interrupted, &memory_exceeded);
  std::vector<std::string> warnings;
  net::Network net = io::load_model(args.network, args.format, &warnings);
  if (!args.quiet)
    for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
  if (args.command == "invert" && args.output.size() != net.output_dim())
    throw UsageError("--output has " + std::to_string(args.output.size()) + " values, the network has " +
                     std::to_string(net.output_dim()) + " outputs");
  HardStop hard_stop(budget, args.timeout_seconds, [&](const std::string& reason, const std::string& stage, double t) {
    if (args.command == "invert") {
      decide::InvertOutcome o{decide::InvertVerdict::unknown, {}, args.output, std::nullopt, reason, stage, nullptr};
      std::cout << (args.json ? report::invert_json(o, t) + "\n" : report::invert_text(o, t));
    } else if (args.command == "bijective") {
      report::Part inj{decide::Outcome::unknown(decide::Property::injective, reason, stage), t};
      report::Part surj{decide::Outcome::unknown(decide::Property::surjective, reason, stage), 0};
      std::cout << (args.json ? report::bijective_json(inj, surj) + "\n" : report::bijective_text(net, inj, surj));
    } else {
      auto property = args.command == "injective" ? decide::Property::injective : decide::Property::surjective;
      decide::Outcome o = decide::Outcome::unknown(property, reason, stage);
      std::cout << (args.json ? report::to_json(o, t) + "\n" : report::to_text(net, o, t));
    }
  });
  decide::Options options = args.engine;
  if (!args.smt2_path.empty()) {
    std::string query = args.command == "injective"  ? smt::twin_smtlib(net)
                        : args.command == "invert" ? smt::preimage_smtlib(net, args.output)
                                                   : smt::image_smtlib(net);
    report::write_file_atomically(args.smt2_path, query);
  }
  bool progress = !args.quiet && isatty(STDERR_FILENO);
  options.on_stage = [&budget, &hard_stop, progress](const std::string& stage) {
    hard_stop.enter(stage);
    if (progress)
      std::cerr << "[nninv " << std::fixed << std::setprecision(1) << budget.elapsed_seconds() << " s] " << stage
                << " ...\n";
  };
  std::vector<decide::Options::StageRecord> trace;
  if (args.stats) options.trace = &trace;

  if (args.command == "invert") {
    decide::InvertOutcome o = decide::invert(net, args.output, budget, options);
    claim_answer();
    write_certificate(args, net, decide::certificate(net, o));
    double t = budget.elapsed_seconds();
    emit(args, report::invert_json(o, t), report::invert_text(o, t), trace);
    return exit_code_of(o.verdict);
  }
  if (args.command == "bijective") {
    report::Part inj{decide::decide(net, decide::Property::injective, budget, options), budget.elapsed_seconds()};
    decide::Options surjective_options = options;
    surjective_options.known_injective = &inj.outcome;
    report::Part surj{decide::decide(net, decide::Property::surjective, budget, surjective_options), 0};
    surj.time_seconds = budget.elapsed_seconds() - inj.time_seconds;
    claim_answer();
    nlohmann::json certificate = decide::certificate(net, inj.outcome);
    certificate["property"] = "bijective";
    certificate["verdict"] = decide::to_string(decide::bijective_verdict(inj.outcome, surj.outcome));
    certificate.erase("evidence");
    certificate["method"] = "injective and surjective parts";
    certificate["reason"] = "bijective = injective and surjective";
    certificate["parts"] = {{"injective", decide::certificate(net, inj.outcome)},
                            {"surjective", decide::certificate(net, surj.outcome)}};
    write_certificate(args, net, certificate);
    emit(args, report::bijective_json(inj, surj), report::bijective_text(net, inj, surj), trace);
    return exit_code_of(decide::bijective_verdict(inj.outcome, surj.outcome));
  }
  decide::Property property =
      args.command == "injective" ? decide::Property::injective : decide::Property::surjective;
  decide::Outcome outcome = decide::decide(net, property, budget, options);
  claim_answer();
  write_certificate(args, net, decide::certificate(net, outcome));
  double t = budget.elapsed_seconds();
  emit(args, report::to_json(outcome, t), report::to_text(net, outcome, t), trace);
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
  } catch (const io::WriteError& e) {
    std::cerr << "nninv: " << e.what() << "\n";
    return exit_code::cant_create;
  } catch (const CannotWriteOutput& e) {
    std::cerr << "nninv: " << e.what() << "\n";
    return exit_code::cant_create;
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
