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

#include "nninv/analysis/lipschitz.hpp"
#include "nninv/check/checker.hpp"
#include "nninv/decide/bijective.hpp"
#include "nninv/decide/lipschitz.hpp"
#include "nninv/decide/model.hpp"
#include "nninv/decide/pipeline.hpp"
#include "nninv/decide/stages.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/io/json_writer.hpp"
#include "nninv/io/load_model.hpp"
#include "nninv/report/paper.hpp"
#include "nninv/report/plot.hpp"
#include "nninv/report/report.hpp"
#include "nninv/smt/image_encoding.hpp"
#include "help.hpp"
#include "png.hpp"
#include "watchdog.hpp"

namespace po = boost::program_options;
using namespace nninv;
using namespace nninv::cli;

namespace {

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
                         "relu(a), relu(-a) pairs (exact simplification)");
  for (const decide::Switch& s : decide::stage_switches())  // the stage table's switches
    ablation.add_options()(("no-" + std::string(s.flag)).c_str(), std::string(s.help).c_str());
  ablation.add_options()("no-interval-bounds", "do not fix stable neurons in the SMT encodings")(
      "symmetry-breaking", "x1 <lex x2 instead of x1 != x2 in the twin encoding")(
      "no-symmetry-breaking", "x1 != x2 in the twin encoding (the default; kept for scripts)")(
      "phase-literals", "encode each unstable activation with a phase literal instead of if-then-else");
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
net::Model load_full_for_subcommand(const po::variables_map& vm, const std::string& path) {
  std::vector<std::string> warnings;
  net::Model model = io::load_full_model(path, io::parse_format(vm["format"].as<std::string>()), &warnings);
  if (!vm.count("quiet"))
    for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
  return model;
}

net::Network load_for_subcommand(const po::variables_map& vm, const std::string& path) {
  return io::require_piecewise_linear(load_full_for_subcommand(vm, path), path);
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
  net::Model model = load_full_for_subcommand(vm, vm["in"].as<std::string>());
  io::write_network(model, vm["out"].as<std::string>());
  const net::Network& net = model.net;
  std::cout << "wrote " << vm["out"].as<std::string>() << ": " << net.input_dim << " inputs, " << model.output_dim()
            << " outputs, " << net.layers.size() + (model.head != net::Head::none) << " layers, "
            << net.nonlinear_neuron_count() << " relu neurons";
  if (!model.smooth.empty()) std::cout << ", " << model.smooth.size() << " smooth activation layers";
  if (model.head != net::Head::none) std::cout << ", head " << net::head_name(model.head);
  std::cout << "\n";
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
  if (!vm.count("network") || !vm.count("out"))
    throw UsageError("plot needs NET and --out FILE.svg or FILE.png; try 'nninv plot --help'");
  std::string out = vm["out"].as<std::string>();
  std::string ext = std::filesystem::path(out).extension().string();
  if (ext != ".svg" && ext != ".png")
    throw UsageError("--out " + out + ": plot writes .svg (SVG 1.1) or .png (rendered by librsvg); name the file so");
  io::check_writable(out);
  net::Network net = load_for_subcommand(vm, vm["network"].as<std::string>());
  if (net.input_dim > 2) throw UsageError("plot draws networks with 1 or 2 inputs; this one has " +
                                          std::to_string(net.input_dim));
  report::PlotOptions options;
  std::string marks;
  if (!vm.count("no-witnesses")) {
    decide::Budget budget(vm["timeout"].as<double>(), &interrupted);
    decide::Outcome inj = decide::decide(net, decide::Property::injective, budget);
    if (inj.collision) options.collision = inj.collision;
    // The injectivity outcome is known: a square net proved injective on R^n
    // is onto R^n (the same step as 'nninv bijective'), without deciding again.
    decide::Options surjective_options;
    surjective_options.known_injective = &inj;
    decide::Outcome surj = decide::decide(net, decide::Property::surjective, budget, surjective_options);
    if (surj.unreached) options.unreached = surj.unreached;
    marks = std::string("; injective: ") + decide::to_string(inj.verdict) + ", surjective: " +
            decide::to_string(surj.verdict);
  }
  std::string svg = report::plot_svg(net, options);
  report::write_file_atomically(out, ext == ".png" ? svg_to_png(svg) : svg);
  std::cout << "wrote " << out << marks << "\n";
  return std::nullopt;
}

// nninv lipschitz NET [--norm inf|1|2] [--timeout S] [--json] [--certificate F
// [--check]] (FORMAT.md section 5): always returns nullopt; the exit code
// comes through `code`: 0 when every source ran, 2 when the time ran out
// first (the printed bounds still hold; sharper sources were skipped).
std::optional<struct Args> lipschitz(int argc, char** argv, int& code) {
  po::options_description visible;
  visible.add_options()("help,h", "this text")("norm", po::value<std::string>()->default_value("inf"),
                                                "the norm: inf, 1 or 2")(
      "timeout", po::value<double>()->default_value(30), "seconds; later bound sources are skipped")(
      "json", "one JSON object on stdout")(
      "certificate", po::value<std::string>()->value_name("FILE"),
      "write the evidence of both bounds (docs/certificates.md) for nninv-check")(
      "check", "run the independent checker on the certificate before writing it")(
      "format", po::value<std::string>()->default_value("auto"), "the network's format: json, onnx, nnet or auto")(
      "quiet,q", "no warnings on stderr");
  std::optional<po::variables_map> parsed =
      parse_subcommand(argc, argv, "lipschitz", lipschitz_help, visible, {"network"});
  if (!parsed) return std::nullopt;
  const po::variables_map& vm = *parsed;
  if (!vm.count("network")) throw UsageError("lipschitz needs NET; try 'nninv lipschitz --help'");
  std::optional<analysis::Norm> norm = analysis::parse_norm(vm["norm"].as<std::string>());
  if (!norm) throw UsageError("--norm must be inf, 1 or 2; try 'nninv lipschitz --help'");
  std::string certificate_path = vm.count("certificate") ? vm["certificate"].as<std::string>() : "";
  if (vm.count("check") && certificate_path.empty()) throw UsageError("--check needs --certificate FILE");
  if (!certificate_path.empty()) io::check_writable(certificate_path);
  net::Network net = load_for_subcommand(vm, vm["network"].as<std::string>());
  auto start = std::chrono::steady_clock::now();
  double timeout = vm["timeout"].as<double>();
  auto stop = [&] {
    std::chrono::duration<double> spent = std::chrono::steady_clock::now() - start;
    return interrupted.load() || spent.count() > timeout;
  };
  analysis::LipschitzResult r = decide::lipschitz_bounds(net, *norm, stop, std::min(10.0, timeout / 2));
  std::chrono::duration<double> spent = std::chrono::steady_clock::now() - start;
  if (!certificate_path.empty()) {
    nlohmann::json certificate = decide::certificate(net, r);
    if (vm.count("check")) {
      check::Report checked = check::check_certificate(net, certificate);
      if (checked.status != check::Status::certified)
        throw InternalError("the certificate fails its check: " + checked.message);
      if (!vm.count("quiet")) std::cerr << "certificate checked: " << checked.message << "\n";
    }
    report::write_file_atomically(certificate_path, certificate.dump(1) + "\n");
  }
  auto pair_json = [](const std::optional<std::pair<arith::Vector, arith::Vector>>& p) {
    nlohmann::json j = nlohmann::json::array();
    if (!p) return j;
    for (const arith::Vector* v : {&p->first, &p->second}) {
      nlohmann::json x = nlohmann::json::array();
      for (const arith::Rational& q : *v) x.push_back(arith::to_string(q));
      j.push_back(x);
    }
    return j;
  };
  if (vm.count("json")) {
    nlohmann::json j{{"property", "lipschitz"},
                     {"norm", analysis::to_string(*norm)},
                     {"upper", arith::to_string(r.upper)},
                     {"upper_exact", r.upper_exact},
                     {"inverse_lower", arith::to_string(r.inverse_lower)},
                     {"inverse_lower_exact", r.inverse_lower_exact},
                     {"method", std::string("upper: ").append(r.upper_method).append(". inverse_lower: ").append(
                                    r.lower_method)},
                     {"complete", r.complete},
                     {"time_seconds", spent.count()}};
    nlohmann::json attained = nlohmann::json::object();
    if (r.upper_exact) attained["upper"] = pair_json(r.upper_attained);
    if (r.inverse_lower_exact) attained["inverse_lower"] = pair_json(r.lower_attained);
    if (!attained.empty()) j["attained"] = attained;
    nlohmann::json sources = nlohmann::json::object();
    auto source = [&](const char* name, const std::optional<arith::Rational>& v) {
      if (v) sources[name] = arith::to_string(*v);
    };
    source("layer_product", r.sources.layer_product);
    source("enclosure", r.sources.enclosure);
    source("layer_composition", r.sources.layer_composition);
    source("jacobian_k", r.sources.jacobian_k);
    source("blocks", r.sources.blocks);
    source("region_tree", r.sources.region_tree);
    j["sources"] = sources;
    if (!certificate_path.empty()) j["certificate"] = certificate_path;
    std::cout << j.dump(2) << "\n";
  } else {
    std::string n = analysis::to_string(*norm);
    std::cout << "Lipschitz bounds of f on X in the " << n << "-norm\n";
    std::cout << "  upper:  ||f(x1) - f(x2)|| <= " << arith::to_string(r.upper) << " ||x1 - x2||"
              << (r.upper_exact ? " (exact: attained)" : "") << "\n    " << r.upper_method << "\n";
    std::cout << "  lower:  ||f(x1) - f(x2)|| >= " << arith::to_string(r.inverse_lower) << " ||x1 - x2||"
              << (r.inverse_lower_exact ? " (exact: attained)" : "") << "\n    " << r.lower_method << "\n";
    if (r.inverse_lower > 0)
      std::cout << "  so f is injective on X and Lip(f^-1) on f(X) " << (r.inverse_lower_exact ? "= " : "<= ")
                << arith::to_string(1 / r.inverse_lower) << (r.inverse_lower_exact ? " (exact)" : "") << "\n";
    if (!r.complete) std::cout << "  (time ran out: some sources were skipped; the bounds above still hold)\n";
    if (!certificate_path.empty()) std::cout << "  certificate: " << certificate_path << "\n";
  }
  code = r.complete ? exit_code::holds : exit_code::unknown;
  return std::nullopt;
}

// Returns nullopt when help was printed or a command that runs on its own
// (convert, plot, lipschitz) ran; `code` is then its exit code.
std::optional<Args> parse_args(int argc, char** argv, int& code) {
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
  if (command == "stages") {
    if (argc > 2 && std::string(argv[2]) != "--help" && std::string(argv[2]) != "-h")
      throw UsageError("'nninv stages' takes no arguments; try 'nninv stages'");
    std::cout << stages_text();
    return std::nullopt;
  }
  if (command == "convert") return convert(argc, argv);
  if (command == "plot") return plot(argc, argv);
  if (command == "lipschitz") return lipschitz(argc, argv, code);
  if (command != "injective" && command != "surjective" && command != "into" && command != "bijective" &&
      command != "invertible" && command != "invert")
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
  for (const decide::Switch& s : decide::stage_switches())
    args.engine.*(s.member) = !vm.count("no-" + std::string(s.flag));
  args.engine.interval_bounds = !vm.count("no-interval-bounds");
  args.engine.symmetry_breaking = vm.count("symmetry-breaking") && !vm.count("no-symmetry-breaking");
  args.engine.ite_activations = !vm.count("phase-literals");
  if (vm.count("smt2")) {
    args.smt2_path = vm["smt2"].as<std::string>();
    if (command == "bijective" || command == "invertible")
      throw UsageError("--smt2 writes one query: use it with injective, surjective or into");
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
  // Every output file is checked before the run, not after minutes of solving.
  for (const std::string* path : {&args.smt2_path, &args.certificate_path, &args.report_path})
    if (!path->empty()) io::check_writable(*path);
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

// Writes the certificate and the paper report, whichever were asked for.
// With --check the checker runs on the certificate before it is written. A
// report states an independent check only when one really ran on the written
// file: the certificate is read back from disk and given to nninv-check's
// checker (the code of the nninv-check program, linked in).
void write_certificate(const Args& args, const net::Model& model, const nlohmann::json& certificate,
                       double seconds) {
  const net::Network& net = model.net;
  if (args.check_certificate) {
    check::Report r = check::check_certificate(model, certificate);
    if (r.status == check::Status::rejected) throw InternalError("the certificate fails its check: " + r.message);
    if (!args.quiet)
      std::cerr << (r.status == check::Status::certified ? "certificate checked: " : "certificate not certified: ")
                << r.message << "\n";
  }
  if (!args.certificate_path.empty())
    report::write_file_atomically(args.certificate_path, certificate.dump(1) + "\n");
  if (args.report_path.empty()) return;
  std::string status;
  if (!args.certificate_path.empty()) {
    std::ifstream in(args.certificate_path);
    nlohmann::json written = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    check::Report r = check::check_certificate(model, written);
    if (r.status == check::Status::rejected) throw InternalError("the written certificate fails its check: " + r.message);
    status = r.status == check::Status::certified ? "certified" : "not certified: " + r.message;
  }
  report::PaperContext context{args.network, args.command_line, args.certificate_path, smt::solver_version(), status,
                               seconds};
  bool tex = std::filesystem::path(args.report_path).extension() == ".tex";
  report::write_file_atomically(
      args.report_path,
      report::paper_report(net, certificate, context, tex ? report::PaperFormat::latex : report::PaperFormat::markdown));
}

// Prints the result; with --stats also the stage trace (stderr, and a
// "stats" member of the JSON object); the loader's warnings (already on
// stderr) become a "warnings" member of the JSON object, since they can say
// which function was decided (BatchNormalization's rounded scale).
void emit(const Args& args, const std::string& json_text, const std::string& human_text,
          const std::vector<decide::Options::StageRecord>& trace, const std::vector<std::string>& warnings) {
  if (args.stats) {
    for (const auto& r : trace)
      std::cerr << "[stats] " << r.property << ": " << r.stage << ": " << std::fixed << std::setprecision(3)
                << r.seconds << " s: " << r.result << "\n";
  }
  if (!args.json) {
    std::cout << human_text << std::flush;
    return;
  }
  if (!args.stats && warnings.empty()) {
    std::cout << json_text << "\n" << std::flush;
    return;
  }
  nlohmann::json j = nlohmann::json::parse(json_text);
  if (!warnings.empty()) j["warnings"] = warnings;
  if (args.stats) {
    j["stats"] = nlohmann::json::array();
    for (const auto& r : trace)
      j["stats"].push_back({{"property", r.property}, {"stage", r.stage}, {"seconds", r.seconds}, {"result", r.result}});
  }
  std::cout << j.dump() << "\n" << std::flush;
}

int run(const Args& args) {
  MemoryWatch memory_watch(args.memory_limit_mib);
  decide::Budget budget(args.timeout_seconds, &interrupted, &memory_exceeded);
  std::vector<std::string> warnings;
  net::Model model = io::load_full_model(args.network, args.format, &warnings);
  if (!args.quiet)
    for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
  // Smooth activations and heads are decided by the property commands only.
  if (args.command == "invert" || !args.smt2_path.empty() || !args.report_path.empty())
    model.net = io::require_piecewise_linear(model, args.network);
  const net::Network& net = model.net;
  if (args.command == "invert" && args.output.size() != net.output_dim())
    throw UsageError("--output has " + std::to_string(args.output.size()) + " values, the network has " +
                     std::to_string(net.output_dim()) + " outputs");
  bool into_command = args.command == "into";
  bool bijective_command = args.command == "bijective" || args.command == "invertible";
  decide::Property property = args.command == "injective" ? decide::Property::injective
                              : into_command              ? decide::Property::into
                                                          : decide::Property::surjective;
  HardStop hard_stop(budget, args.timeout_seconds, [&](const std::string& reason, const std::string& stage, double t) {
    if (args.command == "invert") {
      decide::InvertOutcome o{decide::InvertVerdict::unknown, {}, args.output, std::nullopt, reason, stage, nullptr};
      std::cout << (args.json ? report::invert_json(o, t) + "\n" : report::invert_text(o, t));
    } else if (bijective_command) {
      decide::BijectiveOutcome b;
      b.reason = reason + " during " + stage;
      b.method = "injective, into and surjective parts";
      for (decide::Property p : {decide::Property::injective, decide::Property::into, decide::Property::surjective}) {
        decide::Part& part = p == decide::Property::injective ? b.injective : p == decide::Property::into ? b.into : b.surjective;
        part.outcome = decide::Outcome::unknown(p, reason, "");
        part.ran = true;
      }
      std::cout << (args.json ? report::bijective_json(b, t, args.command) + "\n"
                              : report::bijective_text(model, b, t, args.command));
    } else {
      decide::Outcome o = decide::Outcome::unknown(property, reason + " during " + stage, stage);
      std::cout << (args.json ? report::to_json(o, t) + "\n" : report::to_text(model, o, t));
    }
  });
  decide::Options options = args.engine;
  if (!args.smt2_path.empty()) {
    std::string query = args.command == "injective" ? smt::twin_smtlib(net)
                        : args.command == "invert"  ? smt::preimage_smtlib(net, args.output)
                        : into_command              ? smt::escape_smtlib(net)
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
    write_certificate(args, model, decide::certificate(net, o), budget.elapsed_seconds());
    double t = budget.elapsed_seconds();
    emit(args, report::invert_json(o, t), report::invert_text(o, t), trace, warnings);
    return exit_code_of(o.verdict);
  }
  if (bijective_command) {
    decide::BijectiveOutcome b = decide::decide_bijective(model, budget, options);
    claim_answer();
    nlohmann::json certificate = decide::certificate(model, b);
    if (args.command == "invertible") certificate["question"] = "invertible";
    write_certificate(args, model, certificate, budget.elapsed_seconds());
    double t = budget.elapsed_seconds();
    emit(args, report::bijective_json(b, t, args.command), report::bijective_text(model, b, t, args.command), trace,
         warnings);
    return exit_code_of(b.verdict);
  }
  decide::Outcome outcome = decide::decide(model, property, budget, options);
  claim_answer();
  write_certificate(args, model, decide::certificate(model, outcome), budget.elapsed_seconds());
  double t = budget.elapsed_seconds();
  emit(args, report::to_json(outcome, t), report::to_text(model, outcome, t), trace, warnings);
  return exit_code_of(outcome.verdict);
}

}  // namespace

// Errors go to stderr as "nninv: what"; with --json also to stdout as one
// JSON object {"error": what, "exit_code": code}, so that a script reading
// stdout sees why there is no result.
int fail(bool json, int code, const std::string& what) {
  std::cerr << "nninv: " << what << "\n";
  // Messages may quote invalid UTF-8 from the input: replace it, never throw here.
  if (json)
    std::cout << nlohmann::json{{"error", what}, {"exit_code", code}}.dump(-1, ' ', false,
                                                                           nlohmann::json::error_handler_t::replace)
              << "\n" << std::flush;
  return code;
}

int main(int argc, char** argv) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  bool json = false;
  for (int i = 2; i < argc; ++i) json = json || std::string(argv[i]) == "--json";
  try {
    int code = exit_code::holds;
    std::optional<Args> args = parse_args(argc, argv, code);
    return args ? run(*args) : code;
  } catch (const UsageError& e) {
    return fail(json, exit_code::usage, e.what());
  } catch (const CannotOpenInput& e) {
    return fail(json, exit_code::no_input, e.what());
  } catch (const InputError& e) {
    return fail(json, exit_code::data, e.what());
  } catch (const io::WriteError& e) {
    return fail(json, exit_code::cant_create, e.what());
  } catch (const CannotWriteOutput& e) {
    return fail(json, exit_code::cant_create, e.what());
  } catch (const InternalError& e) {
    return fail(json, exit_code::software, std::string("internal error: ") + e.what());
  } catch (const std::bad_alloc&) {
    return fail(json, exit_code::unknown, "out of memory");
  } catch (const std::exception& e) {
    return fail(json, exit_code::software, std::string("internal error: ") + e.what());
  }
}
