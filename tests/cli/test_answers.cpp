// Honest answers at the command line (issue 12): bijective means a bijection
// from X to Y (injective, into Y, onto Y) and stops at the first violated
// part; "into" and "invertible"; reports of unknown verdicts; misspelt keys;
// output paths checked before the run; JSON errors; decimal views; PNG plots;
// paper-ready LaTeX. Every test runs the real binary.
#include "cli_support.hpp"

namespace {

// f(x) = 2 x on X = [-1, 1] with Y = [-1, 1]: injective, onto Y, but f(X) = [-2, 2].
const char* doubling = R"({"name": "doubling", "input_dim": 1,
  "domain": {"lower": [-1], "upper": [1]}, "codomain": {"lower": [-1], "upper": [1]},
  "layers": [{"type": "dense", "weights": [[2]]}]})";

// f(x) = x / 2 on X = [-1, 1] with Y = [-1/2, 1/2]: a bijection from X to Y.
const char* halving = R"({"name": "halving", "input_dim": 1,
  "domain": {"lower": [-1], "upper": [1]}, "codomain": {"lower": ["-1/2"], "upper": ["1/2"]},
  "layers": [{"type": "dense", "weights": [["1/2"]]}]})";

// relu(x) - relu(x - 1) on all of R: bounded to [0, 1], so into Y = [0, 1]
// holds although X is unbounded (interval bounds alone do not see it: the
// escape query or its proof tree does); not injective (constant for x <= 0).
const char* clamp = R"({"name": "clamp", "input_dim": 1, "codomain": {"lower": [0], "upper": [1]},
  "layers": [{"type": "dense", "weights": [[1], [1]], "bias": [0, -1]}, {"type": "relu"},
             {"type": "dense", "weights": [[1, -1]]}]})";

json parse_one(const Result& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(count_lines(r.out) == 1);
  return json::parse(r.out);
}

}  // namespace

TEST_CASE("bijective requires f(X) inside Y: f(x) = 2x on [-1, 1] is not a bijection onto [-1, 1]", "[answers]") {
  TempDir dir;
  fs::path net = dir.write("doubling.json", doubling);
  Result r = run({"bijective", net.string(), "--json"});
  CHECK(r.exit_code == 1);
  json j = parse_one(r);
  CHECK(j.at("property") == "bijective");
  CHECK(j.at("verdict") == "violated");
  CHECK(j.at("parts").at("into").at("verdict") == "violated");
  // The witness is that part's: x in X with f(x) outside Y, checked here exactly.
  nninv::arith::Vector x = exact_vector(j.at("witness").at("x")), y = exact_vector(j.at("witness").at("y"));
  REQUIRE(x.size() == 1);
  CHECK(abs(x[0]) <= 1);
  CHECK(y[0] == 2 * x[0]);
  CHECK(abs(y[0]) > 1);
  // The two separate questions still answer what they asked before.
  CHECK(run({"injective", net.string()}).exit_code == 0);
  CHECK(run({"surjective", net.string()}).exit_code == 0);
  Result into = run({"into", net.string(), "--json"});
  CHECK(into.exit_code == 1);
  CHECK(parse_one(into).at("property") == "into");
}

TEST_CASE("bijective holds with three proved parts, and the certificate carries all three", "[answers]") {
  TempDir dir;
  fs::path net = dir.write("halving.json", halving);
  fs::path cert = dir.path() / "c.json";
  Result r = run({"bijective", net.string(), "--json", "--certificate", cert.string()});
  CHECK(r.exit_code == 0);
  json j = parse_one(r);
  CHECK(j.at("verdict") == "holds");
  for (const char* part : {"injective", "into", "surjective"}) CHECK(j.at("parts").at(part).at("verdict") == "holds");
  json c = json::parse(read_file(cert));
  CHECK(c.at("parts").contains("into"));
  Result check = run({"into", net.string()});  // the part alone
  CHECK(check.exit_code == 0);
  CHECK(contains(check.out, "holds: the network maps its domain box X into the codomain box Y"));
}

TEST_CASE("into on an unbounded domain: proved by the escape query, certified by proof trees", "[answers]") {
  TempDir dir;
  fs::path net = dir.write("clamp.json", clamp);
  fs::path cert = dir.path() / "c.json";
  Result r = run({"into", net.string(), "--json", "--certificate", cert.string(), "--check"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.err, "certificate checked"));
  json c = json::parse(read_file(cert));
  std::string dumped = c.dump();
  CHECK(contains(dumped, "into_proof_trees"));
  // Tampered: a side of Y moved inwards makes the leaves' systems feasible.
  fs::path tighter = dir.write("tighter.json", std::string(clamp).replace(std::string(clamp).find("\"upper\": [1]"), 12,
                                                                         "\"upper\": [\"1/2\"]"));
  Result other = run({"into", tighter.string(), "--json"});
  CHECK(other.exit_code == 1);  // relu(x) - relu(x - 1) reaches 1 > 1/2
}

TEST_CASE("bijective stops at the first violated part instead of running the others to the timeout", "[answers]") {
  // A classifier's logits R^4 -> R^3: the dimension criterion refutes
  // injectivity at once; surjectivity must not run for the rest of the budget.
  Result r = run({"bijective", (examples_dir / "classifier_logits.json").string(), "--json", "--timeout", "30"});
  CHECK(r.exit_code == 1);
  CHECK(r.seconds < 5);
  json j = parse_one(r);
  CHECK(j.at("parts").at("injective").at("verdict") == "violated");
  CHECK(j.at("parts").at("surjective").value("ran", true) == false);
}

TEST_CASE("invertible: the question in the user's words, with a one-line answer first", "[answers]") {
  Result yes = run({"invertible", (examples_dir / "leaky_square.json").string()});
  CHECK(yes.exit_code == 0);
  CHECK(yes.out.rfind("invertible: yes: ", 0) == 0);
  Result no = run({"invertible", (examples_dir / "fold.json").string()});
  CHECK(no.exit_code == 1);
  CHECK(no.out.rfind("invertible: no: two distinct inputs have the same output", 0) == 0);
  json j = parse_one(run({"invertible", (examples_dir / "fold.json").string(), "--json"}));
  CHECK(j.at("property") == "invertible");
  CHECK(j.at("invertible") == "no");
  Result help = run({"--help"});
  CHECK(contains(help.out, "\"Is my network invertible?\""));
  CHECK(contains(help.out, "injectivity alone is enough"));
  CHECK(run({"invertible", "--help"}).exit_code == 0);
}

TEST_CASE("report: an unknown verdict with --report gets a report saying what was tried, for .md and .tex", "[answers]") {
  TempDir dir;
  for (const char* ext : {".md", ".tex"}) {
    fs::path report = dir.path() / (std::string("r") + ext);
    Result r = run({"injective", hard_network.string(), "--timeout", "1", "--report", report.string()}, 30);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.out, "unknown"));
    REQUIRE(fs::exists(report));
    std::string text = read_file(report);
    CHECK(contains(text, "undecided"));
    CHECK(contains(text, "did not decide the question within"));
    CHECK(contains(text, "twin encoding"));
  }
  fs::path report = dir.path() / "b.md";
  Result b = run({"bijective", hard_network.string(), "--timeout", "2", "--report", report.string()}, 30);
  CHECK(b.exit_code == 2);
  CHECK(fs::exists(report));
}

TEST_CASE("a misspelt top-level key is an input error naming the key it resembles", "[answers][bad_input]") {
  TempDir dir;
  fs::path net = dir.write("typo.json",
                           R"({"input_dim": 2, "domian": {"lower": [0, 0], "upper": [1, 1]}, "layers": [{"type": "relu"}]})");
  Result r = run({"injective", net.string()});
  CHECK(r.exit_code == 65);
  CHECK(contains(r.err, "/domian: unknown top-level key; did you mean \"domain\"?"));
  CHECK(r.out.empty());
  // Keys far from every known one stay comments (a warning).
  fs::path note = dir.write("note.json", R"({"input_dim": 1, "note": "a comment", "comment_why": "x", "layers": []})");
  Result ok = run({"injective", note.string()});
  CHECK(ok.exit_code == 0);
  CHECK(contains(ok.err, "unknown top-level key ignored"));
}

TEST_CASE("output paths are checked before the run, not after it", "[answers][files]") {
  TempDir dir;
  fs::path missing = dir.path() / "no-such-folder" / "c.json";
  for (const char* option : {"--certificate", "--report", "--smt2"}) {
    std::string path = std::string(option) == "--report" ? (dir.path() / "no-such-folder" / "r.md").string() : missing.string();
    // hard_relu would run for minutes: a quick exit proves the check came first.
    Result r = run({"injective", hard_network.string(), option, path}, 20);
    INFO(option << ": " << r.err);
    CHECK(r.exit_code == 73);
    CHECK(r.seconds < 5);
    CHECK(contains(r.err, "no-such-folder"));
  }
  Result plot = run({"plot", (examples_dir / "zigzag.json").string(), "--out", missing.parent_path().string() + "/p.svg"});
  CHECK(plot.exit_code == 73);
  Result folder = run({"injective", hard_network.string(), "--certificate", dir.path().string()}, 20);
  CHECK(folder.exit_code == 73);
  CHECK(contains(folder.err, "is a folder"));
}

TEST_CASE("with --json, usage and input errors are one JSON object on the documented exit code", "[answers]") {
  Result usage = run({"injective", "--json"});
  CHECK(usage.exit_code == 64);
  json j = parse_one(usage);
  CHECK(j.at("exit_code") == 64);
  CHECK(contains(j.at("error").get<std::string>(), "missing NET.json"));
  Result missing = run({"injective", "/no/such/net.json", "--json"});
  CHECK(missing.exit_code == 66);
  CHECK(parse_one(missing).at("exit_code") == 66);
}

TEST_CASE("long exact witnesses get a rounded decimal view in text; --json keeps only exact values", "[answers]") {
  // f(x) = |x - a| with a fraction a of long denominator: every collision has
  // x1 + x2 = 2a, so the witness has long exact entries.
  TempDir dir;
  fs::path net = dir.write("fold.json", R"({"input_dim": 1, "layers": [
    {"type": "dense", "weights": [[1], [-1]],
     "bias": ["-1234567890123456789/98765432109876543211", "1234567890123456789/98765432109876543211"]},
    {"type": "relu"}, {"type": "dense", "weights": [[1, 1]]}]})");
  Result text = run({"injective", net.string()});
  REQUIRE(text.exit_code == 1);
  INFO(text.out);
  CHECK(contains(text.out, "(rounded)"));
  json j = parse_one(run({"injective", net.string(), "--json"}));
  for (const auto& q : j.at("witness").at("x1")) CHECK(is_exact_rational(q));
}

TEST_CASE("plot writes PNG for .png, SVG for .svg, and refuses other extensions", "[answers][plot]") {
  TempDir dir;
  fs::path png = dir.path() / "z.png", svg = dir.path() / "z.svg";
  Result r = run({"plot", (examples_dir / "zigzag.json").string(), "--out", png.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  std::string bytes = read_file(png);
  REQUIRE(bytes.size() > 8);
  CHECK(bytes.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  CHECK(run({"plot", (examples_dir / "zigzag.json").string(), "--out", svg.string()}).exit_code == 0);
  CHECK(read_file(svg).find("<svg") != std::string::npos);
  Result bad = run({"plot", (examples_dir / "zigzag.json").string(), "--out", (dir.path() / "z.jpg").string()});
  CHECK(bad.exit_code == 64);
  CHECK(!fs::exists(dir.path() / "z.jpg"));
}

TEST_CASE("plot: a square net proved injective on R^n is marked surjective too", "[answers][plot]") {
  TempDir dir;
  Result r = run({"plot", (examples_dir / "leaky_square.json").string(), "--out", (dir.path() / "l.svg").string()});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "injective: holds, surjective: holds"));
}

TEST_CASE("an empty network gets a complete sentence; invert --stats prints its stages", "[answers]") {
  TempDir dir;
  fs::path net = dir.write("empty.json", R"({"input_dim": 2, "layers": []})");
  Result r = run({"injective", net.string()});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "no layers: f is the identity map of X, which is injective"));
  Result s = run({"surjective", net.string()});
  CHECK(s.exit_code == 0);
  CHECK(contains(s.out, "no layers"));
  Result inv = run({"invert", (examples_dir / "split_identity.json").string(), "--output", "1/2,-3", "--stats"});
  CHECK(inv.exit_code == 0);
  CHECK(contains(inv.err, "[stats] invert: preimage query (Z3): "));
  CHECK(contains(inv.err, "[stats] injective: "));
}

TEST_CASE("the LaTeX report is paper-ready: math mode, the independent check only when it ran, and it compiles",
          "[answers][report]") {
  TempDir dir;
  fs::path tex = dir.path() / "r.tex", cert = dir.path() / "c.json";
  Result r = run({"bijective", (examples_dir / "leaky_square.json").string(), "--report", tex.string()});
  REQUIRE(r.exit_code == 0);
  std::string without = read_file(tex);
  CHECK(contains(without, "$\\mathbb{R}^{2}$"));
  CHECK(contains(without, "$\\to$"));
  CHECK(contains(without, "Independent check] not run"));
  CHECK(!contains(without, "R\\^{}"));
  CHECK(contains(without, "-{}-certificate"));                  // an option name, not an en dash
  CHECK(contains(without, "\\paragraph{Injective on X (holds).}"));  // each part a titled paragraph
  CHECK(contains(without, "\\paragraph{Onto Y (holds).}"));
  Result with = run({"bijective", (examples_dir / "leaky_square.json").string(), "--report", tex.string(),
                     "--certificate", cert.string()});
  REQUIRE(with.exit_code == 0);
  std::string text = read_file(tex);
  CHECK(contains(text, "Independent check] certified (nninv-check's checker on the written certificate"));
  if (std::system("command -v pdflatex >/dev/null 2>&1") != 0) {
    WARN("pdflatex is not installed: the LaTeX report was not compiled");
    return;
  }
  std::string cmd = "cd '" + dir.path().string() + "' && pdflatex -interaction=nonstopmode -halt-on-error r.tex >/dev/null 2>&1";
  CHECK(std::system(cmd.c_str()) == 0);
  CHECK(fs::exists(dir.path() / "r.pdf"));
}

TEST_CASE("a bijective certificate goes through nninv-check, part by part, and a forged part is rejected",
          "[answers][cert]") {
  TempDir dir;
  fs::path net = dir.write("halving.json", halving);
  fs::path cert = dir.path() / "c.json";
  Result r = run({"bijective", net.string(), "--certificate", cert.string()});
  REQUIRE(r.exit_code == 0);
  Result check = run_check(net, cert);
  INFO("nninv-check: " << check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(contains(check.out, "certified: "));
  for (const char* part : {"injective on X", "f maps X into Y", "cover Y"}) CHECK(contains(check.out, part));

  // A codomain box that f(X) = [-1/2, 1/2] does not fit inside: the same
  // certificate claims "into", which the checker must refuse.
  json c = json::parse(read_file(cert));
  json wide = json::parse(halving);
  wide["codomain"] = {{"lower", {"-1/4"}}, {"upper", {"1/2"}}};
  fs::path other = dir.write("narrow_codomain.json", wide.dump());
  Result forged = run_check(other, cert);
  CHECK(forged.exit_code == 1);
  CHECK(contains(forged.out, "rejected: "));

  // Dropping the into part of a bijective certificate on a codomain box.
  c["parts"].erase("into");
  fs::path dropped = dir.write("dropped.json", c.dump());
  Result missing = run_check(net, dropped);
  CHECK(missing.exit_code == 1);
  CHECK(!contains(missing.out, "certified: "));
}

TEST_CASE("into proof trees: the checker accepts them, and a moved bound or a changed multiplier is rejected",
          "[answers][cert]") {
  TempDir dir;
  fs::path net = dir.write("clamp.json", clamp);
  fs::path cert = dir.path() / "c.json";
  Result r = run({"into", net.string(), "--certificate", cert.string()});
  REQUIRE(r.exit_code == 0);
  json c = json::parse(read_file(cert));
  REQUIRE(c.at("evidence").at("kind") == "into_proof_trees");
  Result ok = run_check(net, cert);
  INFO("nninv-check: " << ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(contains(ok.out, "ok: into trees"));

  // A bound that is not Y's (f(x) <= 1/2 is also false: f(2) = 1).
  json moved = c;
  for (json& side : moved["evidence"]["sides"])
    if (side.at("side") == "upper") side["bound"] = "1/2";
  Result bound = run_check(net, dir.write("moved.json", moved.dump()));
  CHECK(bound.exit_code == 1);
  CHECK(contains(bound.out, "rejected: "));
  CHECK(contains(bound.out, "not Y's"));

  // The first Farkas leaf's multipliers all set to zero: their combination
  // no longer gives 0 < 0.
  json zeroed = c;
  std::function<bool(json&)> zero_first = [&](json& node) {
    if (node.is_object()) {
      if (node.contains("farkas") && node["farkas"].is_object() && !node["farkas"].empty()) {
        for (auto& [key, value] : node["farkas"].items()) value = "0";
        return true;
      }
      for (auto& [key, child] : node.items())
        if (zero_first(child)) return true;
    }
    return false;
  };
  REQUIRE(zero_first(zeroed["evidence"]["sides"][0]["tree"]));
  Result farkas = run_check(net, dir.write("zeroed.json", zeroed.dump()));
  CHECK(farkas.exit_code == 1);
  CHECK(contains(farkas.out, "rejected: "));

  // A side left out: the upper side of Y is then unproved.
  json one_side = c;
  one_side["evidence"]["sides"].erase(1);
  Result missing = run_check(net, dir.write("one_side.json", one_side.dump()));
  CHECK(missing.exit_code == 1);
  CHECK(!contains(missing.out, "certified: "));
}

TEST_CASE("a bijective report says each proof once: the surjective part points to the injective one", "[answers][report]") {
  TempDir dir;
  fs::path md = dir.path() / "r.md";
  // residual_block: injective by the Jacobian norm criterion, and onto R^3 as
  // an injective square PA map, whose injectivity is that same proof.
  Result r = run({"bijective", (examples_dir / "residual_block.json").string(), "--report", md.string(), "--json",
                  "--no-blocks"});
  REQUIRE(r.exit_code == 0);
  json j = parse_one(r);
  REQUIRE(j.at("parts").at("surjective").at("method").get<std::string>().find("injective square") !=
          std::string::npos);
  std::string text = read_file(md);
  auto occurrences = [&](const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  };
  CHECK(occurrences("Neumann series") == 1);
  CHECK(occurrences("Its injectivity is the injective part above.") == 1);
  CHECK(occurrences("exactly equivalent simplified network") <= 1);
}

TEST_CASE("nninv stages and the commands' --help list the stage table, with each stage's switch", "[answers][usage]") {
  Result stages = run({"stages"});
  CHECK(stages.exit_code == 0);
  for (const char* line : {"injective:", "into:", "surjective:", "  twin encoding (Z3)", "  escape query (Z3)",
                           "  quantified image formula (Z3)", "--no-fold-search", "--no-region-cover"})
    CHECK(contains(stages.out, line));
  Result surjective = run({"surjective", "--help"});
  CHECK(surjective.exit_code == 0);
  CHECK(contains(surjective.out, "  region cover (Z3)\n"));
  CHECK(contains(surjective.out, "--no-region-cover"));
  CHECK(!contains(surjective.out, "@STAGES@"));
  // The switches come from the same table: each is accepted, and one that
  // no stage has is a usage error.
  Result off = run({"injective", (examples_dir / "fold.json").string(), "--no-fold-search", "--no-relu-layer"});
  CHECK(off.exit_code == 1);
  Result unknown_switch = run({"injective", (examples_dir / "fold.json").string(), "--no-such-stage"});
  CHECK(unknown_switch.exit_code == 64);
  Result extra = run({"stages", "injective"});
  CHECK(extra.exit_code == 64);
}
