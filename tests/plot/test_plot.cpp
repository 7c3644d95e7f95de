// Tests of `nninv plot`'s library part: region counts known by construction,
// exact tiling of the window, each region's map against exact evaluation, and
// a well-formed SVG with one shape per region.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <variant>

#include "nninv/analysis/local_map.hpp"
#include "nninv/errors.hpp"
#include "nninv/io/json_loader.hpp"
#include "nninv/report/plot.hpp"

using namespace nninv;
using arith::Matrix;
using arith::Rational;
using arith::Vector;

namespace {

net::Network example(const std::string& name) {
  return io::load_network(std::string(NNINV_SOURCE_DIR) + "/examples/" + name);
}

net::Box square(Rational lo, Rational hi, std::size_t dim = 2) {
  net::Box b;
  for (std::size_t i = 0; i < dim; ++i) b.sides.push_back(net::Interval{lo, hi});
  return b;
}

Rational box_measure(const net::Box& box) {
  Rational v = 1;
  for (const net::Interval& s : box.sides) v *= *s.upper - *s.lower;
  return v;
}

// x -> relu(W x + b) followed by a dense layer `out` (or nothing).
net::Network one_layer(const std::vector<Vector>& w, const Vector& b, const std::vector<Vector>& out = {}) {
  net::Network n;
  n.name = "layer";
  n.input_dim = w.front().size();
  n.domain = net::Box::everything(n.input_dim);
  n.layers.push_back(net::Dense{Matrix::from_rows(w, n.input_dim), b});
  n.layers.push_back(net::Relu{});
  if (!out.empty()) n.layers.push_back(net::Dense{Matrix::from_rows(out, w.size()), Vector(out.size(), 0)});
  n.codomain = net::Box::everything(n.output_dim());
  return n;
}

// A small deterministic generator (splitmix64), so failures reproduce.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  long between(long lo, long hi) { return lo + static_cast<long>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }
  // p / q in lowest terms (GMP requires canonical operands).
  Rational fraction(long lo, long hi, long max_den) {
    Rational q(between(lo, hi), between(1, max_den));
    q.canonicalize();
    return q;
  }
};

net::Network random_net(Random& rng, std::size_t inputs, const std::vector<std::size_t>& widths, std::size_t outputs,
                        bool leaky) {
  net::Network n;
  n.name = "random";
  n.input_dim = inputs;
  n.domain = net::Box::everything(inputs);
  std::size_t in = inputs;
  auto dense = [&](std::size_t out) {
    Matrix w(out, in);
    Vector b(out);
    for (std::size_t i = 0; i < out; ++i) {
      for (std::size_t j = 0; j < in; ++j) w(i, j) = rng.fraction(-4, 4, 3);
      b[i] = rng.fraction(-4, 4, 2);
    }
    n.layers.push_back(net::Dense{w, b});
    in = out;
  };
  for (std::size_t width : widths) {
    dense(width);
    n.layers.emplace_back(std::in_place_type<net::Relu>);
    if (leaky) n.layers.back().emplace<net::LeakyRelu>(net::LeakyRelu{Rational(1, 5)});
  }
  dense(outputs);
  n.codomain = net::Box::everything(outputs);
  return n;
}

// The pre-activations of every relu / leaky neuron at x when the activation
// pattern is forced to `pattern` (an independent forward pass, not local_map).
std::vector<Rational> forced_preactivations(const net::Network& net, const Vector& x,
                                            const std::vector<bool>& pattern) {
  std::vector<Rational> pre;
  Vector value = x;
  for (const net::Layer& layer : net.layers) {
    if (std::holds_alternative<net::Dense>(layer)) {
      value = net::apply_layer(layer, value);
    } else if (std::holds_alternative<net::Relu>(layer) || std::holds_alternative<net::LeakyRelu>(layer)) {
      Rational below = std::holds_alternative<net::Relu>(layer) ? Rational(0) : std::get<net::LeakyRelu>(layer).alpha;
      for (Rational& v : value) {
        pre.push_back(v);
        if (!pattern.at(pre.size() - 1)) v *= below;
      }
    }
  }
  return pre;
}

Vector affine(const report::Region& r, const Vector& x) {
  Vector y = r.jacobian * x;
  for (std::size_t i = 0; i < y.size(); ++i) y[i] += r.offset[i];
  return y;
}

// Everything that must hold of an enumeration: regions tile the window
// exactly, lie inside their activation region, carry f's affine map, and have
// pairwise different activation patterns.
void check_regions(const net::Network& net, const net::Box& window, const std::vector<report::Region>& regions) {
  Rational total = 0;
  std::set<std::vector<bool>> patterns;
  for (const report::Region& r : regions) {
    Rational measure = report::region_measure(r);
    REQUIRE(measure > 0);
    total += measure;
    REQUIRE(r.pattern.size() == net.nonlinear_neuron_count());
    REQUIRE(patterns.insert(r.pattern).second);
    if (net.input_dim == 2)
      REQUIRE(r.vertices.size() >= 3);
    else
      REQUIRE((r.vertices.size() == 2 && r.vertices[0][0] < r.vertices[1][0]));
    for (const Vector& v : r.vertices) {
      REQUIRE(window.contains(v));
      // f is continuous, so the closed region's map is f at its corners too.
      REQUIRE(affine(r, v) == net::evaluate(net, v));
      std::vector<Rational> pre = forced_preactivations(net, v, r.pattern);
      for (std::size_t k = 0; k < pre.size(); ++k) REQUIRE((r.pattern[k] ? pre[k] >= 0 : pre[k] <= 0));
    }
    Vector c = report::region_center(r);
    REQUIRE(affine(r, c) == net::evaluate(net, c));
    analysis::LocalMap local = analysis::local_map(net, c);
    bool tie = false;
    for (const auto& neuron : local.neurons) tie = tie || neuron.value == 0;
    if (!tie) REQUIRE(local.jacobian == r.jacobian);
  }
  REQUIRE(total == box_measure(window));
}

// Counts occurrences of `needle` in `text`.
std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// A strict well-formedness check for the XML subset an SVG needs: one
// declaration, one root, balanced tags, quoted unique attributes, and text
// without a raw '<' or an undeclared entity. Returns "" or what is wrong.
std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  std::size_t i = 0, roots = 0;
  auto is_name = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
  };
  auto entity_ok = [&](std::size_t at) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
      if (xml.compare(at, std::string(e).size(), e) == 0) return true;
    return false;
  };
  if (xml.rfind("<?xml ", 0) == 0) {
    i = xml.find("?>");
    if (i == std::string::npos) return "unterminated declaration";
    i += 2;
  }
  while (i < xml.size()) {
    if (xml[i] == '&') {
      if (!entity_ok(i)) return "bad entity at " + std::to_string(i);
      ++i;
      continue;
    }
    if (xml[i] != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) return "text outside the root";
      ++i;
      continue;
    }
    if (xml.compare(i, 2, "</") == 0) {
      std::size_t end = xml.find('>', i);
      if (end == std::string::npos) return "unterminated end tag";
      std::string name = xml.substr(i + 2, end - i - 2);
      if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
      open.pop_back();
      i = end + 1;
      continue;
    }
    std::size_t j = i + 1;
    while (j < xml.size() && is_name(xml[j])) ++j;
    std::string name = xml.substr(i + 1, j - i - 1);
    if (name.empty()) return "empty tag name at " + std::to_string(i);
    std::set<std::string> attributes;
    for (;;) {
      while (j < xml.size() && std::isspace(static_cast<unsigned char>(xml[j]))) ++j;
      if (j >= xml.size()) return "unterminated tag <" + name;
      if (xml[j] == '>' || xml.compare(j, 2, "/>") == 0) break;
      std::size_t k = j;
      while (k < xml.size() && is_name(xml[k])) ++k;
      std::string attribute = xml.substr(j, k - j);
      if (attribute.empty() || k + 1 >= xml.size() || xml[k] != '=' || (xml[k + 1] != '"' && xml[k + 1] != '\''))
        return "bad attribute in <" + name + ">";
      if (!attributes.insert(attribute).second) return "duplicate attribute " + attribute + " in <" + name + ">";
      std::size_t close = xml.find(xml[k + 1], k + 2);
      if (close == std::string::npos) return "unterminated attribute value";
      for (std::size_t p = k + 2; p < close; ++p) {
        if (xml[p] == '<') return "'<' in attribute value";
        if (xml[p] == '&' && !entity_ok(p)) return "bad entity in attribute value";
      }
      j = close + 1;
      if (j < xml.size() && !std::isspace(static_cast<unsigned char>(xml[j])) && xml[j] != '>' && xml[j] != '/')
        return "no space between attributes in <" + name + ">";
    }
    if (open.empty() && ++roots > 1) return "more than one root element";
    if (xml[j] == '>') {
      open.push_back(name);
      i = j + 1;
    } else {
      i = j + 2;
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (roots != 1) return "no root element";
  return "";
}

}  // namespace

TEST_CASE("split identity: 4 regions around 0, each the identity", "[plot]") {
  net::Network net = example("split_identity.json");
  net::Box window = square(-1, 1);
  auto regions = report::enumerate_regions(net, window);
  CHECK(regions.size() == 4);
  for (const report::Region& r : regions) {
    CHECK(r.jacobian == Matrix::identity(2));
    CHECK(r.determinant_or_slope == 1);
    CHECK(report::region_measure(r) == 1);
  }
  check_regions(net, window, regions);
  // An off-centre window still meets all four quadrants.
  net::Box off = square(Rational(-1, 3), 5);
  check_regions(net, off, report::enumerate_regions(net, off));
  CHECK(report::enumerate_regions(net, off).size() == 4);
  // A window inside one quadrant is a single region.
  CHECK(report::enumerate_regions(net, square(1, 2)).size() == 1);
}

TEST_CASE("|x| in 1-D: two pieces, slopes -1 and 1", "[plot]") {
  net::Network net = example("fold.json");
  net::Box window = report::plot_window(net);
  REQUIRE(window.sides.size() == 1);
  CHECK(*window.sides[0].lower == -1);
  CHECK(*window.sides[0].upper == 1);
  auto regions = report::enumerate_regions(net, window);
  REQUIRE(regions.size() == 2);
  CHECK(regions[0].vertices.back() == regions[1].vertices.front());
  std::set<Rational> slopes;
  for (const report::Region& r : regions) slopes.insert(r.determinant_or_slope);
  CHECK(slopes == std::set<Rational>{-1, 1});
  check_regions(net, window, regions);
}

TEST_CASE("zigzag: three pieces with slopes 1, -1, 1", "[plot]") {
  net::Network net = example("zigzag.json");
  net::Box window = report::plot_window(net);
  auto regions = report::enumerate_regions(net, window);
  // zigzag's first layer has a neuron relu(x) and one relu(-x): breakpoints 0, 1, 2,
  // but x = relu(x) - relu(-x) keeps slope 1 across 0, so 4 activation regions.
  CHECK(regions.size() == 4);
  check_regions(net, window, regions);
  std::vector<Rational> slopes;
  for (const report::Region& r : regions) slopes.push_back(r.determinant_or_slope);
  std::sort(slopes.begin(), slopes.end());
  CHECK(slopes == std::vector<Rational>{-1, 1, 1, 1});
}

TEST_CASE("k lines in general position: 1 + k + C(k,2) regions", "[plot]") {
  Random rng{42};
  for (std::size_t k = 1; k <= 7; ++k) {
    for (int trial = 0; trial < 3; ++trial) {
      std::vector<Vector> w, crossings;
      Vector b;
      // Rejection sampling: no two lines parallel, no three through one point.
      for (;;) {
        w.clear();
        b.clear();
        for (std::size_t i = 0; i < k; ++i) {
          Vector row{rng.between(-5, 5), rng.between(-5, 5)};
          if (arith::is_zero(row)) row[0] = 1;
          w.push_back(row);
          b.push_back(rng.between(-6, 6));
        }
        bool general = true;
        crossings.clear();
        for (std::size_t i = 0; i < k && general; ++i)
          for (std::size_t j = i + 1; j < k && general; ++j) {
            Rational det = w[i][0] * w[j][1] - w[i][1] * w[j][0];
            if (det == 0) {
              general = false;
              break;
            }
            Vector p{(-b[i] * w[j][1] + b[j] * w[i][1]) / det, (-w[i][0] * b[j] + w[j][0] * b[i]) / det};
            crossings.push_back(p);
            for (std::size_t l = 0; l < k; ++l)
              if (l != i && l != j && arith::dot(w[l], p) + b[l] == 0) general = false;
          }
        if (general) break;
      }
      net::Network net = one_layer(w, b);
      net::Box window = report::plot_window(net, crossings);  // a window containing every crossing
      for (const Vector& p : crossings) REQUIRE(window.contains(p));
      auto regions = report::enumerate_regions(net, window);
      INFO("k = " << k << ", trial " << trial);
      CHECK(regions.size() == 1 + k + k * (k - 1) / 2);
      check_regions(net, window, regions);
    }
  }
}

TEST_CASE("random deep nets: regions tile the window and carry f's map", "[plot]") {
  Random rng{7};
  for (int trial = 0; trial < 12; ++trial) {
    std::size_t inputs = trial % 3 == 0 ? 1 : 2;
    net::Network net = random_net(rng, inputs, {3, 3}, 1 + trial % 2, trial % 4 == 1);
    net::Box window = report::plot_window(net);
    INFO("trial " << trial);
    check_regions(net, window, report::enumerate_regions(net, window));
    net::Box small = square(Rational(-1, 2), Rational(1, 3), inputs);
    check_regions(net, small, report::enumerate_regions(net, small));
  }
}

TEST_CASE("plot window: bounded domains are kept, half-bounded sides shifted", "[plot]") {
  net::Network net = example("split_identity.json");
  net.domain = square(Rational(-1, 2), 3);
  net::Box window = report::plot_window(net);
  CHECK(*window.sides[1].lower == Rational(-1, 2));
  CHECK(*window.sides[1].upper == 3);
  net.domain = net::Box{{net::Interval{Rational(10), std::nullopt}, net::Interval{}}};
  window = report::plot_window(net);
  CHECK(*window.sides[0].lower == 10);
  CHECK(*window.sides[0].upper > 10);
  CHECK(*window.sides[1].lower == -1);
  CHECK(*window.sides[1].upper == 1);
  // Points to show widen the window to a round radius.
  net.domain = net::Box::everything(2);
  window = report::plot_window(net, {{Rational(7), Rational(-3)}});
  CHECK(*window.sides[0].upper == 9);
  CHECK(*window.sides[0].lower == -9);
}

TEST_CASE("plot refuses what it cannot draw", "[plot]") {
  Random rng{3};
  net::Network three = random_net(rng, 3, {2}, 1, false);
  CHECK_THROWS_AS(report::enumerate_regions(three, square(-1, 1, 3)), UsageError);
  CHECK_THROWS_AS(report::plot_svg(three), UsageError);
  net::Network net = example("split_identity.json");
  CHECK_THROWS_AS(report::enumerate_regions(net, net::Box::everything(2)), UsageError);
  CHECK_THROWS_AS(report::enumerate_regions(net, square(1, 1)), UsageError);
  CHECK_THROWS_AS(report::enumerate_regions(net, square(-1, 1), 3), UsageError);
  net.domain = net::Box{{net::Interval{Rational(0), Rational(0)}, net::Interval{}}};
  CHECK_THROWS_AS(report::plot_window(net), UsageError);
}

TEST_CASE("the xml check itself rejects broken documents", "[plot]") {
  CHECK(xml_problem("<svg><g></g></svg>").empty());
  CHECK(!xml_problem("<svg><g></svg>").empty());
  CHECK(!xml_problem("<svg a=\"1\" a=\"2\"/>").empty());
  CHECK(!xml_problem("<svg><text>a < b</text></svg>").empty());
  CHECK(!xml_problem("<svg><text>a & b</text></svg>").empty());
  CHECK(!xml_problem("<svg/><svg/>").empty());
}

TEST_CASE("svg: well formed, one polygon per region, square nets coloured by det J", "[plot]") {
  net::Network net = example("leaky_square.json");
  net.name = "leaky <square> & co";  // must be escaped
  report::PlotOptions options;
  options.window = square(-2, 2);
  std::string svg = report::plot_svg(net, options);
  INFO(svg);
  CHECK(xml_problem(svg).empty());
  auto regions = report::enumerate_regions(net, *options.window);
  CHECK(count(svg, "<polygon class=\"region\"") == regions.size());
  CHECK(count(svg, "<polygon class=\"image\"") == regions.size());
  CHECK(count(svg, "<title>") == 1);
  CHECK(svg.find("leaky &lt;square&gt; &amp; co") != std::string::npos);
  // det of [[1,-1],[0,3]] diag(s1, s2) [[2,1],[1,1]] is 3 s1 s2 > 0 everywhere: all blue.
  CHECK(count(svg, "fill=\"#4477AA\"") >= regions.size());
  CHECK(svg.find("#EE7733") == std::string::npos);
}

TEST_CASE("svg: a fold has orange regions, and a collision is marked", "[plot]") {
  // f(x, y) = (|x|, y): det -1 left of the axis, +1 right of it.
  net::Network net = one_layer({{1, 0}, {-1, 0}, {0, 1}, {0, -1}}, {0, 0, 0, 0}, {{1, 1, 0, 0}, {0, 0, 1, -1}});
  report::PlotOptions options;
  options.collision = decide::Collision{{-1, 0}, {1, 0}, {1, 0}};
  std::string svg = report::plot_svg(net, options);
  CHECK(xml_problem(svg).empty());
  CHECK(svg.find("#EE7733") != std::string::npos);
  CHECK(svg.find("#4477AA") != std::string::npos);
  CHECK(svg.find(">x1</text>") != std::string::npos);
  CHECK(svg.find(">x2</text>") != std::string::npos);
  CHECK(svg.find("f(x1) = f(x2) = y = (1, 0)") != std::string::npos);
  auto regions = report::enumerate_regions(net, report::plot_window(net, {{-1, 0}, {1, 0}}));
  CHECK(count(svg, "<polygon class=\"region\"") == regions.size());
}

TEST_CASE("svg: 1-D graphs, curves, image intervals and unreached points", "[plot]") {
  report::PlotOptions graph;
  graph.unreached = decide::Unreached{{-1}, Rational(1, 2)};
  net::Network fold = example("fold.json");
  std::string svg = report::plot_svg(fold, graph);
  CHECK(xml_problem(svg).empty());
  CHECK(count(svg, "<line class=\"region\"") == 2);
  CHECK(svg.find("y = (-1)") != std::string::npos);

  // One input, two outputs: x -> (relu(x), relu(-x)) is a curve along the axes.
  net::Network curve = one_layer({{1}, {-1}}, {0, 0});
  svg = report::plot_svg(curve, {});
  CHECK(xml_problem(svg).empty());
  CHECK(count(svg, "<line class=\"region\"") == 2);
  CHECK(count(svg, "<line class=\"image\"") == 2);

  // Two inputs, one output: an image interval per region, coloured by affine map.
  net::Network sum = one_layer({{1, 0}, {0, 1}}, {0, 0}, {{1, 1}});
  report::PlotOptions reach;
  reach.unreached = decide::Unreached{{-1}, std::nullopt};
  svg = report::plot_svg(sum, reach);
  CHECK(xml_problem(svg).empty());
  CHECK(count(svg, "<polygon class=\"region\"") == 4);
  CHECK(count(svg, "<rect class=\"image\"") == 4);
  CHECK(svg.find("affine piece 4") != std::string::npos);
  CHECK(svg.find("y unreached") != std::string::npos);

  // More than two outputs: the input panel only.
  net::Network wide = one_layer({{1, 0}, {0, 1}, {1, 1}}, {0, 0, -1});
  svg = report::plot_svg(wide, {});
  CHECK(xml_problem(svg).empty());
  CHECK(count(svg, "<polygon class=\"region\"") == 7);
  CHECK(count(svg, "class=\"image\"") == 0);
}
