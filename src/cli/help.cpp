// Help texts (help.hpp).
#include "help.hpp"

#include <string_view>

#include "nninv/decide/stages.hpp"

namespace nninv::cli {

const char* const version = "nninv 0.1.0";

const char* const general_help = R"(nninv: is this neural network invertible? Exact answers with evidence.

usage: nninv COMMAND NET.json [options]
       nninv COMMAND --help

commands:
  invertible  "Is my network invertible?": is f a bijection from X to Y? The
              first line answers yes / no / unknown and why; then the three
              parts below with their evidence. To recover inputs from
              outputs, injectivity alone is enough: use 'injective'.
  injective   Is there no pair x1 != x2 in the domain X with f(x1) = f(x2)?
  surjective  Is every y in the codomain Y equal to f(x) for some x in X?
  into        Does f map X into Y (f(x) in Y for every x in X)?
  bijective   All three: injective on X, into Y and onto Y (the same question
              as 'invertible', reported under the property "bijective").
  invert      Find x in X with f(x) = y for a given y, or prove there is none.
  convert     Write a network read from ONNX, NNet or JSON as exact nninv JSON.
  plot        Draw the linear regions of a 1- or 2-input net as SVG or PNG, with witnesses.
  lipschitz   Exact bounds L and m with m ||x1 - x2|| <= ||f(x1) - f(x2)|| <= L ||x1 - x2|| on X.
  stages      List the stages each question runs, cheapest first, and the
              switch that turns each off.

The network is read from nninv's JSON format (dense, relu, leaky_relu and
identity layers; tanh, sigmoid, elu, softplus and a softmax, log_softmax or
argmax head, which injective, surjective, into, bijective and invertible
decide by exact rules; exact numbers: 0.1 means 1/10, "2/3" means 2/3; optional
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
  nninv invertible examples/leaky_square.json
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

const char* const convert_help = R"(usage: nninv convert IN OUT.json [--format json|onnx|nnet|auto]

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

const char* const plot_help = R"(usage: nninv plot NET --out FILE.svg|FILE.png [--timeout SECONDS] [--no-witnesses] [--format FMT]

Draws a network with 1 or 2 inputs: the input domain (or a window around the
interesting part of R^n) divided into its exact linear regions, coloured by
the sign of the region's determinant for square nets (blue > 0, orange < 0,
grey = 0) or by affine map; and, for 1 or 2 outputs, a second panel with the
image of each region. Unless --no-witnesses is given, nninv first decides
injectivity and surjectivity (within --timeout, default 30 s in total) and
marks the colliding pair x1, x2 and an unreachable point y when it finds
them; labels show coordinates as rounded decimals (the exact values are in
'nninv injective --json'). FILE.svg is plain SVG 1.1; FILE.png is the same
picture rendered by librsvg. Either is written to a temporary name and
renamed; any other extension is refused.

exit codes: 0 written, 64 usage (e.g. more than 2 inputs, or an extension
other than .svg / .png), 65 bad input, 66 cannot open input, 73 cannot write
the file.

example:
  $ nninv plot examples/zigzag.json --out zigzag.svg

options:
)";

const char* const injective_help = R"(usage: nninv injective NET.json [--timeout SECONDS] [--json] [--quiet]

Decides whether the network f: X -> R^m is injective on its domain X (the
file's "domain" box, or all of R^n): is there no pair x1 != x2 in X with
f(x1) = f(x2)?

First the network is replaced by an exactly equivalent smaller one where
possible (affine layers merged, relu(a), relu(-a) pairs folded, dead neurons
removed; off: --no-simplify); witnesses are re-checked on the original.

Stages, cheapest first (the stage table; 'nninv stages' lists every
property's):
@STAGES@

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

const char* const surjective_help = R"(usage: nninv surjective NET.json [--timeout SECONDS] [--json] [--quiet]

Decides whether the network f: X -> Y is onto its codomain Y (the file's
"codomain" box, or all of R^m): is every y in Y equal to f(x) for some x in
the domain X? Onto a box is a different question from onto R^m: a network on
a bounded domain can be onto a small box but never onto R^m.

Stages, cheapest first (after the exact simplification described in
`nninv injective --help`; off: --no-simplify):
@STAGES@
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

const char* const bijective_help = R"(usage: nninv bijective NET.json [--timeout SECONDS] [--json] [--quiet]

Decides whether f is a bijection from X to Y: injective on X, f(X) inside Y
("into"), and onto Y. Each part is answered with its own evidence (see
'nninv injective --help', 'nninv into --help', 'nninv surjective --help').
The run stops at the first violated part: first every part tries its cheap
stages (criteria and exact searches), then the undecided parts run in full,
each with an equal share of the time left. --timeout covers all parts.
'nninv invertible' asks the same question and answers it in one line first.

exit codes: 0 bijective, 1 some part is violated (its witness is printed),
2 unknown, 64/65/66/70/73 errors.

example:
  $ nninv bijective examples/leaky_square.json
  verdict:  holds: the network is a bijection from R^2 to R^2

options:
)";

const char* const invertible_help = R"(usage: nninv invertible NET.json [--timeout SECONDS] [--json] [--quiet]

"Is my network invertible?" in the sense of a bijection from the domain X to
the codomain Y (the file's "domain" and "codomain" boxes, by default R^n and
R^m): every y in Y has exactly one preimage x in X. The first line answers
yes / no / unknown and why in one sentence; then the three parts (injective
on X, into Y, onto Y) with their evidence, as 'nninv bijective' reports them.
With --json the object is the bijective one with "property": "invertible"
and an "invertible" member "yes" | "no" | "unknown".

Only need to recover x from f(x)? That is injectivity: 'nninv injective'
(f need not reach every y). How stable the inverse is numerically is a
separate question: the Lipschitz constant of f^-1.

exit codes: 0 invertible, 1 not invertible (a witness is printed),
2 unknown, 64/65/66/70/73 errors.

example:
  $ nninv invertible examples/leaky_square.json
  invertible: yes: f is a bijection from X to Y, so every y in Y has exactly one preimage x in X

options:
)";

const char* const into_help = R"(usage: nninv into NET.json [--timeout SECONDS] [--json] [--quiet]

Decides whether f maps the domain X into the codomain Y: f(x) in Y for every
x in X. Without a "codomain" box in the file Y = R^m and the answer is yes.

Stages, cheapest first (after the exact simplification):
@STAGES@

Output: the verdict; for "violated" a point x of X with f(x) outside Y, both
exact and re-checked by exact evaluation before printing.

exit codes: 0 into Y, 1 not into Y, 2 unknown, 64/65/66/70/73 errors.

example:
  $ nninv into net.json
  verdict:  violated: the network does not map its domain box X into the codomain box Y

options:
)";

const char* const invert_help = R"(usage: nninv invert NET.json --output Y1,Y2,... [--timeout SECONDS] [--json] [--quiet]

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

namespace {

std::string wrap(std::string_view text, std::size_t indent, std::size_t width) {
  std::string out, line;
  std::size_t start = 0;
  auto flush = [&] {
    out.append(indent, ' ').append(line).push_back('\n');
    line.clear();
  };
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) flush();
    if (!line.empty()) line.push_back(' ');
    line.append(word);
    start = end + 1;
  }
  if (!line.empty()) flush();
  return out;
}

std::string stage_list(decide::Property property) {
  std::string out;
  for (const decide::Stage& stage : decide::stage_table()) {
    if (stage.property != property) continue;
    std::string help(stage.help);
    std::string off;
    for (std::string_view flag : stage.switches) {
      if (!off.empty()) off.append(", ");
      off.append("--no-").append(flag);
    }
    if (!off.empty()) help += " (off: " + off + ")";
    out.append("  ").append(stage.name).push_back('\n');
    out.append(wrap(help, 6, 68));
  }
  return out;
}

}  // namespace

std::string help_for(const std::string& command) {
  std::string text = command == "injective"    ? injective_help
                     : command == "surjective" ? surjective_help
                     : command == "into"       ? into_help
                     : command == "bijective"  ? bijective_help
                     : command == "invertible" ? invertible_help
                                               : invert_help;
  std::size_t at = text.find("@STAGES@\n");
  if (at != std::string::npos) {
    decide::Property p = command == "injective" ? decide::Property::injective
                         : command == "into"    ? decide::Property::into
                                                : decide::Property::surjective;
    text.replace(at, 9, stage_list(p));
  }
  return text;
}

std::string stages_text() {
  std::string out =
      "The stages nninv runs for each question, cheapest first; the first that\n"
      "decides answers, and its answer is re-checked exactly. A stage that does\n"
      "not apply says why, and the next one runs.\n";
  for (decide::Property p : {decide::Property::injective, decide::Property::into, decide::Property::surjective}) {
    out.append("\n").append(decide::to_string(p)).append(":\n").append(stage_list(p));
  }
  out += "\nWith --engine naive only the complete encodings (twin encoding, escape\n"
         "query, quantified image formula) and 'no codomain box' run. bijective and\n"
         "invertible run the injective, into and surjective stages. The switches\n"
         "remove stages and never change a verdict, only the time.\n";
  return out;
}

const char* const lipschitz_help = R"(usage: nninv lipschitz NET [--norm inf|1|2] [--timeout SECONDS] [--json]
                        [--certificate FILE [--check]] [--format FMT]

Two proved bounds for f = NET on its domain X, in exact rational arithmetic,
for every pair x1, x2 in X:

  upper L:          ||f(x1) - f(x2)|| <= L ||x1 - x2||   (f is L-Lipschitz on X)
  inverse_lower m:  ||f(x1) - f(x2)|| >= m ||x1 - x2||

m > 0 proves f injective on X, and then 1/m bounds the Lipschitz constant of
f^-1 on f(X): an error e in y moves the preimage by at most e/m. m = 0 proves
nothing (f may still be injective). "exact" means a pair of points attaining
the bound was found and checked exactly, so it cannot be improved.
--certificate writes the evidence of both bounds; nninv-check NET FILE
re-derives them without nninv's code.

Exit code 0 when every source ran; 2 when --timeout cut the sharper sources
short (the printed bounds still hold); 64 and up on errors.

  $ nninv lipschitz examples/residual_block.json --norm 2
  $ nninv lipschitz examples/leaky_square.json --certificate lip.cert
  $ nninv-check examples/leaky_square.json lip.cert

)";

}  // namespace nninv::cli
