// `nninv plot`: the exact activation regions of a 1- or 2-input network in a
// window, and an SVG picture of them, their images and any witness. Regions
// come from cutting convex cells by one line per neuron in network order
// (Sutherland-Hodgman clipping, done in rationals); doubles appear only as
// drawing coordinates. References: docs/references.md ("linear regions").
#include "nninv/report/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <utility>
#include <variant>

#include "nninv/errors.hpp"
#include "nninv/report/report.hpp"

namespace nninv::report {

using arith::Matrix;
using arith::Rational;
using arith::Vector;

namespace {

// ---------------------------------------------------------------------------
// Exact regions

// A region under construction: its cell, and the affine map x -> a x + b
// giving the values after the layers processed so far.
struct Cell {
  std::vector<Vector> vertices;
  std::vector<bool> pattern;
  Matrix a;
  Vector b;
};

void require_plottable(const net::Network& net) {
  if (net.input_dim != 1 && net.input_dim != 2)
    throw UsageError("plot needs a network with 1 or 2 inputs; this one has " + std::to_string(net.input_dim));
}

// The cell's parts where w.x + c >= 0 and where it is <= 0; a part is left
// empty when it has measure zero. A cell on which the function vanishes
// (w = 0, c = 0) is all "nonnegative".
struct Split {
  std::vector<Vector> nonnegative, nonpositive;
};

std::vector<Vector> clip_polygon(const std::vector<Vector>& poly, const std::vector<Rational>& g, int side) {
  std::vector<Vector> out;
  for (std::size_t k = 0; k < poly.size(); ++k) {
    std::size_t next = (k + 1) % poly.size();
    Rational gp = side * g[k], gq = side * g[next];
    if (gp >= 0) out.push_back(poly[k]);
    if ((gp > 0 && gq < 0) || (gp < 0 && gq > 0)) {
      // encodes: the crossing p + t (q - p) with g = 0; as: t = gp / (gp - gq) in (0, 1).
      Rational t = gp / (gp - gq);
      Vector r(poly[k].size());
      for (std::size_t j = 0; j < r.size(); ++j) r[j] = poly[k][j] + t * (poly[next][j] - poly[k][j]);
      out.push_back(std::move(r));
    }
  }
  return out;
}

Split split_cell(const std::vector<Vector>& vertices, const Vector& w, const Rational& c) {
  std::vector<Rational> g;
  bool any_positive = false, any_negative = false;
  for (const Vector& v : vertices) {
    g.push_back(arith::dot(w, v) + c);
    any_positive = any_positive || g.back() > 0;
    any_negative = any_negative || g.back() < 0;
  }
  if (!any_negative) return {vertices, {}};
  if (!any_positive) return {{}, vertices};
  // Both signs occur at corners, so the zero line crosses the interior and both parts have
  // nonzero measure.
  if (vertices.size() == 2) {
    Rational t = g[0] / (g[0] - g[1]);
    Vector root{vertices[0][0] + t * (vertices[1][0] - vertices[0][0])};
    std::vector<Vector> low{vertices[0], root}, high{root, vertices[1]};
    return g[0] > 0 ? Split{low, high} : Split{high, low};
  }
  return {clip_polygon(vertices, g, 1), clip_polygon(vertices, g, -1)};
}

Rational determinant_or_slope(const Matrix& j) {
  if (j.rows() == 1 && j.cols() == 1) return j(0, 0);
  if (j.rows() == 2 && j.cols() == 2) return j(0, 0) * j(1, 1) - j(0, 1) * j(1, 0);
  return 0;
}

std::string interval_text(const net::Interval& s) {
  if (!s.lower && !s.upper) return "R";
  return "[" + (s.lower ? arith::to_string(*s.lower) : std::string("-inf")) + ", " +
         (s.upper ? arith::to_string(*s.upper) : std::string("inf")) + "]";
}

std::string box_text(const net::Box& box) {
  std::string text;
  for (std::size_t i = 0; i < box.dim(); ++i) text += (i ? " \u00d7 " : "") + interval_text(box.sides[i]);
  return text;
}

// ---------------------------------------------------------------------------
// Default window

// The smallest number with one significant digit (1, 2, ..., 9, 10, 20, ...) that is >= v.
Rational round_up(const Rational& v) {
  for (Rational base = 1;; base *= 10)
    for (int digit = 1; digit <= 9; ++digit)
      if (digit * base >= v) return digit * base;
}

net::Box window_of_radius(const net::Box& domain, const Rational& r) {
  net::Box window = domain;
  for (net::Interval& s : window.sides) {
    if (s.lower && s.upper) continue;
    if (!s.lower && !s.upper) {
      s = {Rational(-r), r};
    } else if (s.lower) {
      Rational lo = std::max<Rational>(*s.lower, -r);
      s = {lo, std::max<Rational>(r, lo + r)};
    } else {
      Rational hi = std::min<Rational>(*s.upper, r);
      s = {std::min<Rational>(Rational(-r), hi - r), hi};
    }
  }
  return window;
}

bool on_boundary(const net::Box& window, const Vector& v) {
  for (std::size_t j = 0; j < v.size(); ++j)
    if (v[j] == *window.sides[j].lower || v[j] == *window.sides[j].upper) return true;
  return false;
}

// ---------------------------------------------------------------------------
// SVG drawing: doubles from here on, for coordinates only.

std::string escape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n')
          out += ' ';
        else
          out += ch;
    }
  }
  return out;
}

std::string num(double v) {
  if (!std::isfinite(v)) v = 0;
  v = std::clamp(v, -1e6, 1e6);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  std::string s = buffer;
  if (s == "-0.00") s = "0.00";
  return s;
}

struct Range {
  double lo = 0, hi = 1;
};

Range padded(double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) return {-1, 1};
  double span = hi - lo;
  if (span <= 0) {
    double pad = std::max(1.0, std::fabs(lo) * 0.1);
    return {lo - pad, hi + pad};
  }
  return {lo - 0.06 * span, hi + 0.06 * span};
}

std::vector<double> nice_ticks(Range r, double* step_out) {
  double span = r.hi - r.lo;
  double raw = span / 6, mag = std::pow(10.0, std::floor(std::log10(raw))), step = 10 * mag;
  for (double m : {1.0, 2.0, 5.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  *step_out = step;
  std::vector<double> ticks;
  for (double k = std::ceil(r.lo / step - 1e-9); k * step <= r.hi + step * 1e-9 && ticks.size() < 50; k += 1)
    ticks.push_back(k * step == 0 ? 0 : k * step);
  return ticks;
}

std::string tick_label(double v, double step) {
  int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", std::min(decimals, 12), v);
  std::string s = buffer;
  if (s.find_first_not_of("-0.") == std::string::npos) s = "0";
  return s;
}

// One plotting area: data coordinates in x and y ranges, drawn into a square of `size` pixels.
struct Panel {
  double left, top, size;
  Range x, y;
  double px(double v) const { return left + (v - x.lo) / (x.hi - x.lo) * size; }
  double py(double v) const { return top + size - (v - y.lo) / (y.hi - y.lo) * size; }
  std::string point(double a, double b) const { return num(px(a)) + "," + num(py(b)); }
};

constexpr double panel_size = 360, margin_left = 72, margin_top = 72, panel_gap = 110;
constexpr const char* positive_colour = "#4477AA";
constexpr const char* negative_colour = "#EE7733";
constexpr const char* zero_colour = "#BBBBBB";
// Paul Tol's colour-blind safe "light" scheme, for one colour per affine map.
constexpr const char* map_palette[] = {"#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF",
                                       "#44BB99", "#BBCC33", "#AAAA00", "#DDDDDD"};
constexpr const char* collision_colour = "#000000";
constexpr const char* unreached_colour = "#CC3311";

double d(const Rational& q) { return arith::to_double(q); }

class Svg {
 public:
  std::ostringstream body;

  void text(double x, double y, const std::string& content, const std::string& extra = "") {
    body << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\"" << (extra.empty() ? "" : " " + extra) << ">"
         << escape(content) << "</text>\n";
  }
  void line(double x1, double y1, double x2, double y2, const std::string& style) {
    body << "<line x1=\"" << num(x1) << "\" y1=\"" << num(y1) << "\" x2=\"" << num(x2) << "\" y2=\"" << num(y2) << "\" "
         << style << "/>\n";
  }
  void circle(double x, double y, double r, const std::string& style) {
    body << "<circle cx=\"" << num(x) << "\" cy=\"" << num(y) << "\" r=\"" << num(r) << "\" " << style << "/>\n";
  }
  void rect(double x, double y, double w, double h, const std::string& style) {
    body << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(w) << "\" height=\"" << num(h)
         << "\" " << style << "/>\n";
  }
  void cross(double x, double y, const std::string& colour) {
    std::string style = "stroke=\"" + colour + "\" stroke-width=\"2.2\"";
    line(x - 5, y - 5, x + 5, y + 5, style);
    line(x - 5, y + 5, x + 5, y - 5, style);
  }

  // Frame, ticks with labels, axis names and the panel's title.
  void axes(const Panel& p, const std::string& title, const std::string& x_name, const std::string& y_name,
            bool y_ticks = true) {
    body << "<g class=\"axes\" fill=\"#000000\">\n";
    rect(p.left, p.top, p.size, p.size, "fill=\"none\" stroke=\"#000000\" stroke-width=\"1\"");
    double step = 1;
    for (double t : nice_ticks(p.x, &step)) {
      double x = p.px(t);
      line(x, p.top + p.size, x, p.top + p.size + 5, "stroke=\"#000000\"");
      text(x, p.top + p.size + 18, tick_label(t, step), "text-anchor=\"middle\"");
    }
    if (y_ticks)
      for (double t : nice_ticks(p.y, &step)) {
        double y = p.py(t);
        line(p.left - 5, y, p.left, y, "stroke=\"#000000\"");
        text(p.left - 8, y + 4, tick_label(t, step), "text-anchor=\"end\"");
      }
    text(p.left + p.size / 2, p.top + p.size + 38, x_name, "text-anchor=\"middle\"");
    double yx = p.left - 50, yy = p.top + p.size / 2;
    text(yx, yy, y_name, "text-anchor=\"middle\" transform=\"rotate(-90 " + num(yx) + " " + num(yy) + ")\"");
    text(p.left + p.size / 2, p.top - 12, title, "text-anchor=\"middle\" font-size=\"14\"");
    body << "</g>\n";
  }
};

// Colours: the sign of det J (slope) for square nets, else one colour per distinct affine map.
struct Colouring {
  bool by_sign = false;
  std::vector<std::string> colour;                          // per region
  std::vector<std::pair<std::string, std::string>> legend;  // swatch colour, text
};

// A point for a label: exact when short, else rounded decimals marked "~"
// (the exact value is in the --json output and the certificate).
std::string label_vector(const Vector& v) {
  return needs_decimal_view(v, 12) ? "~" + decimal_vector(v, 4) : format_vector(v);
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

Colouring colour_regions(const net::Network& net, const std::vector<Region>& regions) {
  Colouring c;
  c.by_sign = net.output_dim() == net.input_dim;
  if (c.by_sign) {
    std::size_t counts[3] = {0, 0, 0};
    for (const Region& r : regions) {
      int k = r.determinant_or_slope > 0 ? 0 : r.determinant_or_slope < 0 ? 1 : 2;
      ++counts[k];
      c.colour.push_back(k == 0 ? positive_colour : k == 1 ? negative_colour : zero_colour);
    }
    bool two = net.input_dim == 2;
    const char* names[3] = {two ? "det J > 0 (orientation kept)" : "slope > 0 (increasing)",
                            two ? "det J < 0 (orientation reversed)" : "slope < 0 (decreasing)",
                            two ? "det J = 0 (collapsed)" : "slope = 0 (constant)"};
    const char* colours[3] = {positive_colour, negative_colour, zero_colour};
    for (int k = 0; k < 3; ++k)
      if (counts[k]) c.legend.emplace_back(colours[k], std::string(names[k]) + ": " + plural(counts[k], "region"));
    return c;
  }
  std::map<std::string, std::size_t> index;
  std::vector<std::size_t> counts, ranks;
  for (const Region& r : regions) {
    std::string key;
    for (std::size_t i = 0; i < r.jacobian.rows(); ++i)
      for (std::size_t j = 0; j < r.jacobian.cols(); ++j) key += arith::to_string(r.jacobian(i, j)) + ",";
    for (const Rational& q : r.offset) key += arith::to_string(q) + ";";
    auto [it, fresh] = index.emplace(key, counts.size());
    if (fresh) {
      counts.push_back(0);
      ranks.push_back(arith::rank(r.jacobian));
    }
    ++counts[it->second];
    c.colour.push_back(map_palette[it->second % std::size(map_palette)]);
  }
  std::size_t shown = std::min<std::size_t>(counts.size(), 6);
  for (std::size_t k = 0; k < shown; ++k)
    c.legend.emplace_back(map_palette[k % std::size(map_palette)], "affine piece " + std::to_string(k + 1) +
                                                                       " (rank J = " + std::to_string(ranks[k]) +
                                                                       "): " + plural(counts[k], "region"));
  if (counts.size() > shown)
    c.legend.emplace_back("none", "... " + plural(counts.size() - shown, "more affine piece") +
                                      " (colours repeat every " + std::to_string(std::size(map_palette)) + ")");
  return c;
}

Vector image_of(const Region& r, const Vector& x) {
  Vector y = r.jacobian * x;
  for (std::size_t i = 0; i < y.size(); ++i) y[i] += r.offset[i];
  return y;
}

Range bounds_of(const std::vector<double>& values) {
  if (values.empty()) return {-1, 1};
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return padded(*lo, *hi);
}

}  // namespace

// ---------------------------------------------------------------------------

std::vector<Region> enumerate_regions(const net::Network& net, const net::Box& window, std::size_t max_regions) {
  require_plottable(net);
  const std::size_t n = net.input_dim;
  if (window.dim() != n)
    throw UsageError("plot window has " + std::to_string(window.dim()) + " sides, expected " + std::to_string(n));
  for (const net::Interval& s : window.sides)
    if (!s.lower || !s.upper || !(*s.lower < *s.upper))
      throw UsageError("plot window side " + interval_text(s) + " must be bounded with lower < upper");

  Cell start;
  const net::Interval &s0 = window.sides[0], &s1 = window.sides[n - 1];
  if (n == 1)
    start.vertices = {{*s0.lower}, {*s0.upper}};
  else  // counter-clockwise
    start.vertices = {{*s0.lower, *s1.lower}, {*s0.upper, *s1.lower}, {*s0.upper, *s1.upper}, {*s0.lower, *s1.upper}};
  start.a = Matrix::identity(n);
  start.b = Vector(n, 0);
  std::vector<Cell> cells{std::move(start)};

  for (const net::Layer& layer : net.layers) {
    if (const auto* dense = std::get_if<net::Dense>(&layer)) {
      for (Cell& cell : cells) {
        cell.a = dense->weights * cell.a;
        cell.b = dense->weights * cell.b;
        for (std::size_t i = 0; i < cell.b.size(); ++i) cell.b[i] += dense->bias[i];
      }
      continue;
    }
    const auto* leaky = std::get_if<net::LeakyRelu>(&layer);
    if (!leaky && !std::holds_alternative<net::Relu>(layer)) continue;  // identity
    const Rational slope_below = leaky ? leaky->alpha : Rational(0);
    // Neurons of one layer do not feed each other, so cutting and then scaling
    // one row at a time is the layer's activation on every piece.
    const std::size_t width = cells.front().b.size();
    for (std::size_t i = 0; i < width; ++i) {
      std::vector<Cell> next;
      for (Cell& cell : cells) {
        Split parts = split_cell(cell.vertices, cell.a.row(i), cell.b[i]);
        bool both = !parts.nonnegative.empty() && !parts.nonpositive.empty();
        if (!parts.nonpositive.empty()) {
          Cell below = both ? Cell(cell) : std::move(cell);
          below.vertices = std::move(parts.nonpositive);
          below.pattern.push_back(false);
          below.b[i] *= slope_below;
          for (std::size_t j = 0; j < n; ++j) below.a(i, j) *= slope_below;
          next.push_back(std::move(below));
        }
        if (!parts.nonnegative.empty()) {
          cell.vertices = std::move(parts.nonnegative);
          cell.pattern.push_back(true);
          next.push_back(std::move(cell));
        }
      }
      if (next.size() > max_regions)
        throw UsageError("more than " + std::to_string(max_regions) + " linear regions in the plot window " +
                         box_text(window) + "; choose a smaller window");
      cells = std::move(next);
    }
  }

  std::vector<Region> regions;
  regions.reserve(cells.size());
  for (Cell& cell : cells) {
    Region r;
    r.vertices = std::move(cell.vertices);
    r.pattern = std::move(cell.pattern);
    r.determinant_or_slope = determinant_or_slope(cell.a);
    r.jacobian = std::move(cell.a);
    r.offset = std::move(cell.b);
    regions.push_back(std::move(r));
  }
  return regions;
}

Rational region_measure(const Region& region) {
  const auto& v = region.vertices;
  if (v.size() == 2 && v[0].size() == 1) return v[1][0] - v[0][0];
  Rational twice = 0;  // shoelace formula; positive for counter-clockwise corners
  for (std::size_t k = 0; k < v.size(); ++k) {
    const Vector &p = v[k], &q = v[(k + 1) % v.size()];
    twice += p[0] * q[1] - q[0] * p[1];
  }
  return twice / 2;
}

Vector region_center(const Region& region) {
  Vector c(region.vertices.front().size(), 0);
  for (const Vector& v : region.vertices)
    for (std::size_t j = 0; j < c.size(); ++j) c[j] += v[j];
  for (Rational& q : c) q /= static_cast<long>(region.vertices.size());
  return c;
}

net::Box plot_window(const net::Network& net, const std::vector<Vector>& include) {
  require_plottable(net);
  const std::size_t n = net.input_dim;
  for (std::size_t j = 0; j < n; ++j)
    if (net.domain.sides[j].is_point())
      throw UsageError("the domain pins input " + std::to_string(j + 1) + "; plot needs a full-dimensional window");
  if (net.domain.is_bounded()) return net.domain;

  Rational reach = 0;  // the largest |coordinate| the window must show
  auto cover = [&](const Vector& p) {
    for (const Rational& q : p) reach = std::max<Rational>(reach, abs(q));
  };
  for (const Vector& p : include)
    if (p.size() == n) cover(p);

  // Every zero set of the first nonlinear layer (a line, or a point in 1-D)
  // passes through the window: it covers the point of each nearest the origin.
  Matrix a = Matrix::identity(n);
  Vector b(n, 0);
  for (const net::Layer& layer : net.layers) {
    if (const auto* dense = std::get_if<net::Dense>(&layer)) {
      a = dense->weights * a;
      b = dense->weights * b;
      for (std::size_t i = 0; i < b.size(); ++i) b[i] += dense->bias[i];
      continue;
    }
    if (!std::holds_alternative<net::Relu>(layer) && !std::holds_alternative<net::LeakyRelu>(layer)) continue;
    for (std::size_t i = 0; i < a.rows(); ++i) {
      Vector w = a.row(i);
      Rational norm2 = arith::dot(w, w);
      if (norm2 == 0) continue;
      Vector closest(n);
      for (std::size_t j = 0; j < n; ++j) closest[j] = -b[i] * w[j] / norm2;
      cover(closest);
    }
    break;
  }

  // The corners of the regions in a window four times larger that are not on
  // its boundary are where zero sets cross or bend. A few far-away crossings
  // (of nearly parallel lines, say) would shrink everything else to a dot, so
  // the window covers nine tenths of them, counted by max-norm.
  net::Box large = window_of_radius(net.domain, 4 * round_up(std::max<Rational>(1, reach * 5 / 4)));
  try {
    std::vector<Rational> corners;
    for (const Region& r : enumerate_regions(net, large, 4000))
      for (const Vector& v : r.vertices)
        if (!on_boundary(large, v)) {
          Rational norm = 0;
          for (const Rational& q : v) norm = std::max<Rational>(norm, abs(q));
          corners.push_back(norm);
        }
    if (!corners.empty()) {
      std::size_t k = (corners.size() * 9) / 10;
      std::nth_element(corners.begin(), corners.begin() + static_cast<std::ptrdiff_t>(k), corners.end());
      reach = std::max(reach, corners[k]);
    }
  } catch (const UsageError&) {
    // Too many regions to look at: the first layer decides.
  }
  return window_of_radius(net.domain, round_up(std::max<Rational>(1, reach * 5 / 4)));
}

std::string plot_svg(const net::Network& net, const PlotOptions& options) {
  require_plottable(net);
  const std::size_t n = net.input_dim, m = net.output_dim();
  std::vector<Vector> marks;
  if (options.collision) marks = {options.collision->x1, options.collision->x2};
  const net::Box window = options.window ? *options.window : plot_window(net, marks);
  const std::vector<Region> regions = enumerate_regions(net, window, options.max_regions);
  const Colouring colouring = colour_regions(net, regions);

  const bool graph = n == 1 && m == 1;  // one panel: the graph of f
  const bool image_panel = !graph && (m == 1 || m == 2);
  double width = margin_left + panel_size + (image_panel ? panel_gap + panel_size : 0) + 40;

  std::vector<std::pair<std::string, std::string>> legend = colouring.legend;
  Svg svg;
  const std::string title = options.title.empty()
                                ? (net.name.empty() ? std::string("network") : net.name) + ": " +
                                      plural(regions.size(), "linear region") + " in " + box_text(window)
                                : options.title;
  const bool collision_given = options.collision && options.collision->x1.size() == n &&
                               options.collision->x2.size() == n && options.collision->y.size() == m;
  const bool unreached_given = options.unreached && options.unreached->y.size() == m;
  const bool collision_shown =
      collision_given && window.contains(options.collision->x1) && window.contains(options.collision->x2);
  // Thinner edges when there are many regions, so that colours still show.
  const bool crowded = regions.size() > 200;
  const std::string region_stroke =
      std::string("stroke=\"#333333\" stroke-width=\"") + (crowded ? "0.25" : "0.6") + "\" stroke-linejoin=\"round\"";
  auto fill = [&](std::size_t k) { return "fill=\"" + colouring.colour[k] + "\""; };

  // Marks in an output panel: the collision's common value, the unreached point and its box.
  auto output_marks = [&](const Panel& p, auto to_xy) {
    if (collision_given) {
      auto [x, y] = to_xy(options.collision->y);
      svg.circle(p.px(x), p.py(y), 4.5, std::string("fill=\"") + collision_colour + "\" stroke=\"#FFFFFF\" stroke-width=\"1.2\"");
      svg.text(p.px(x) + 8, p.py(y) - 8, "y = f(x1) = f(x2)", "font-weight=\"bold\"");
    }
    if (unreached_given) {
      auto [x, y] = to_xy(options.unreached->y);
      if (options.unreached->radius) {
        double r = d(*options.unreached->radius);
        double x0 = p.px(x - r), x1 = p.px(x + r), y0 = p.py(m == 2 ? y + r : p.y.hi),
               y1 = p.py(m == 2 ? y - r : p.y.lo);
        svg.rect(std::min(x0, x1), std::min(y0, y1), std::fabs(x1 - x0), std::fabs(y1 - y0),
                 std::string("fill=\"") + unreached_colour + "\" fill-opacity=\"0.15\" stroke=\"" + unreached_colour +
                     "\" stroke-dasharray=\"4 3\"");
      }
      svg.cross(p.px(x), p.py(y), unreached_colour);
      svg.text(p.px(x) + 8, p.py(y) - 8, "y unreached",
               std::string("fill=\"") + unreached_colour + "\" font-weight=\"bold\"");
    }
  };
  auto input_marks = [&](const Panel& p, double level) {
    if (!collision_shown) return;
    const decide::Collision& c = *options.collision;
    for (int k = 0; k < 2; ++k) {
      const Vector& x = k == 0 ? c.x1 : c.x2;
      double px = p.px(d(x[0])), py = n == 2 ? p.py(d(x[1])) : p.py(level);
      svg.circle(px, py, 4.5, std::string("fill=\"") + collision_colour + "\" stroke=\"#FFFFFF\" stroke-width=\"1.2\"");
      svg.text(px + 8, py - 8, k == 0 ? "x1" : "x2", "font-weight=\"bold\"");
    }
  };

  // The codomain Y, dashed, in an output panel: axis_x / axis_y name the output
  // coordinate on that panel axis, -1 for an axis that is not an output.
  const bool show_codomain = !net.codomain.is_everything() && m <= 2;
  auto codomain_values = [&](std::size_t i, std::vector<double>& values) {
    if (!show_codomain) return;
    if (net.codomain.sides[i].lower) values.push_back(d(*net.codomain.sides[i].lower));
    if (net.codomain.sides[i].upper) values.push_back(d(*net.codomain.sides[i].upper));
  };
  auto draw_codomain = [&](const Panel& p, int axis_x, int axis_y) {
    if (!show_codomain) return;
    auto extent = [&](int axis, Range r) {
      if (axis < 0) return r;
      const net::Interval& side = net.codomain.sides[static_cast<std::size_t>(axis)];
      return Range{side.lower ? d(*side.lower) : r.lo, side.upper ? d(*side.upper) : r.hi};
    };
    Range x = extent(axis_x, p.x), y = extent(axis_y, p.y);
    svg.rect(p.px(x.lo), p.py(y.hi), p.px(x.hi) - p.px(x.lo), p.py(y.lo) - p.py(y.hi),
             "class=\"codomain\" fill=\"none\" stroke=\"#555555\" stroke-width=\"1.2\" stroke-dasharray=\"7 4\"");
  };

  // Left panel: the input window cut into regions (or the graph of f).
  Panel left{margin_left, margin_top, panel_size, {d(*window.sides[0].lower), d(*window.sides[0].upper)}, {0, 1}};
  if (n == 2) {
    left.y = {d(*window.sides[1].lower), d(*window.sides[1].upper)};
    svg.body << "<g class=\"regions\">\n";
    for (std::size_t k = 0; k < regions.size(); ++k) {
      svg.body << "<polygon class=\"region\" points=\"";
      for (std::size_t v = 0; v < regions[k].vertices.size(); ++v)
        svg.body << (v ? " " : "") << left.point(d(regions[k].vertices[v][0]), d(regions[k].vertices[v][1]));
      svg.body << "\" " << fill(k) << " " << region_stroke << "/>\n";
    }
    svg.body << "</g>\n";
    input_marks(left, 0);
    svg.axes(left, "input window: " + plural(regions.size(), "region"), "input 1", "input 2");
  } else if (graph) {
    std::vector<double> values;
    for (const Region& r : regions)
      for (const Vector& v : r.vertices) values.push_back(d(image_of(r, v)[0]));
    if (collision_given) values.push_back(d(options.collision->y[0]));
    if (unreached_given) {
      double y = d(options.unreached->y[0]), r = options.unreached->radius ? d(*options.unreached->radius) : 0;
      values.push_back(y - r);
      values.push_back(y + r);
    }
    codomain_values(0, values);
    left.y = bounds_of(values);
    if (unreached_given) {
      double y = d(options.unreached->y[0]);
      if (options.unreached->radius) {
        double r = d(*options.unreached->radius);
        svg.rect(left.left, left.py(y + r), left.size, left.py(y - r) - left.py(y + r),
                 std::string("fill=\"") + unreached_colour + "\" fill-opacity=\"0.15\"");
      }
      svg.line(left.left, left.py(y), left.left + left.size, left.py(y),
               std::string("stroke=\"") + unreached_colour + "\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"");
      svg.text(left.left + left.size - 6, left.py(y) - 6, "y unreached",
               std::string("fill=\"") + unreached_colour + "\" text-anchor=\"end\" font-weight=\"bold\"");
    }
    if (collision_shown)
      svg.line(left.left, left.py(d(options.collision->y[0])), left.left + left.size,
               left.py(d(options.collision->y[0])), "stroke=\"#000000\" stroke-width=\"1\" stroke-dasharray=\"6 4\"");
    svg.body << "<g class=\"regions\">\n";
    for (std::size_t k = 0; k < regions.size(); ++k) {
      const Region& r = regions[k];
      double x0 = d(r.vertices[0][0]), x1 = d(r.vertices[1][0]);
      svg.body << "<line class=\"region\" x1=\"" << num(left.px(x0)) << "\" y1=\""
               << num(left.py(d(image_of(r, r.vertices[0])[0]))) << "\" x2=\"" << num(left.px(x1)) << "\" y2=\""
               << num(left.py(d(image_of(r, r.vertices[1])[0]))) << "\" stroke=\"" << colouring.colour[k]
               << "\" stroke-width=\"3\" stroke-linecap=\"round\"/>\n";
    }
    svg.body << "</g>\n";
    if (collision_shown) {
      for (int k = 0; k < 2; ++k) {
        double x = d((k == 0 ? options.collision->x1 : options.collision->x2)[0]), y = d(options.collision->y[0]);
        svg.circle(left.px(x), left.py(y), 4.5, std::string("fill=\"") + collision_colour + "\" stroke=\"#FFFFFF\" stroke-width=\"1.2\"");
        svg.text(left.px(x) + 6, left.py(y) + 16, k == 0 ? "x1" : "x2", "font-weight=\"bold\"");
      }
    }
    draw_codomain(left, -1, 0);
    svg.axes(left, "graph of f: " + plural(regions.size(), "linear piece"), "x", "f(x)");
  } else {
    svg.body << "<g class=\"regions\">\n";
    for (std::size_t k = 0; k < regions.size(); ++k)
      svg.body << "<line class=\"region\" x1=\"" << num(left.px(d(regions[k].vertices[0][0]))) << "\" y1=\""
               << num(left.py(0.5)) << "\" x2=\"" << num(left.px(d(regions[k].vertices[1][0]))) << "\" y2=\""
               << num(left.py(0.5)) << "\" stroke=\"" << colouring.colour[k] << "\" stroke-width=\"14\"/>\n";
    svg.body << "</g>\n";
    for (std::size_t k = 1; k < regions.size(); ++k) {  // breakpoints
      double x = left.px(d(regions[k].vertices[0][0]));
      svg.line(x, left.py(0.5) - 9, x, left.py(0.5) + 9, "stroke=\"#333333\" stroke-width=\"1\"");
    }
    input_marks(left, 0.5);
    svg.axes(left, "input interval: " + plural(regions.size(), "piece"), "input", "", false);
  }

  // Right panel: images of the regions.
  Panel right{margin_left + panel_size + panel_gap, margin_top, panel_size, {0, 1}, {0, 1}};
  if (image_panel && m == 2) {
    std::vector<double> xs, ys;
    std::vector<std::vector<Vector>> images;
    for (const Region& r : regions) {
      images.emplace_back();
      for (const Vector& v : r.vertices) {
        images.back().push_back(image_of(r, v));
        xs.push_back(d(images.back().back()[0]));
        ys.push_back(d(images.back().back()[1]));
      }
    }
    auto add_mark = [&](const Vector& y, double r) {
      xs.push_back(d(y[0]) - r), xs.push_back(d(y[0]) + r), ys.push_back(d(y[1]) - r), ys.push_back(d(y[1]) + r);
    };
    if (collision_given && m == 2) add_mark(options.collision->y, 0);
    if (unreached_given && m == 2)
      add_mark(options.unreached->y, options.unreached->radius ? d(*options.unreached->radius) : 0);
    codomain_values(0, xs);
    codomain_values(1, ys);
    right.x = bounds_of(xs);
    right.y = bounds_of(ys);
    svg.body << "<g class=\"images\">\n";
    for (std::size_t k = 0; k < images.size(); ++k) {
      if (n == 2) {
        svg.body << "<polygon class=\"image\" points=\"";
        for (std::size_t v = 0; v < images[k].size(); ++v)
          svg.body << (v ? " " : "") << right.point(d(images[k][v][0]), d(images[k][v][1]));
        svg.body << "\" " << fill(k) << " fill-opacity=\"0.55\" stroke=\"" << colouring.colour[k]
                 << "\" stroke-width=\"" << (crowded ? "0.3" : "1.2") << "\" stroke-linejoin=\"round\"/>\n";
      } else {
        svg.body << "<line class=\"image\" x1=\"" << num(right.px(d(images[k][0][0]))) << "\" y1=\""
                 << num(right.py(d(images[k][0][1]))) << "\" x2=\"" << num(right.px(d(images[k][1][0]))) << "\" y2=\""
                 << num(right.py(d(images[k][1][1]))) << "\" stroke=\"" << colouring.colour[k]
                 << "\" stroke-width=\"3\" stroke-linecap=\"round\"/>\n";
      }
    }
    svg.body << "</g>\n";
    draw_codomain(right, 0, 1);
    output_marks(right, [](const Vector& y) { return std::pair<double, double>{d(y[0]), d(y[1])}; });
    svg.axes(right, n == 2 ? "image: f(region), overlaps darker" : "image: the curve f(x)", "output 1", "output 2");
  } else if (image_panel) {  // two inputs, one output: the image interval of each region
    std::vector<double> xs;
    for (const Region& r : regions)
      for (const Vector& v : r.vertices) xs.push_back(d(image_of(r, v)[0]));
    if (collision_given && m == 1) xs.push_back(d(options.collision->y[0]));
    if (unreached_given && m == 1) {
      double r = options.unreached->radius ? d(*options.unreached->radius) : 0;
      xs.push_back(d(options.unreached->y[0]) - r);
      xs.push_back(d(options.unreached->y[0]) + r);
    }
    codomain_values(0, xs);
    right.x = bounds_of(xs);
    right.y = {0, static_cast<double>(regions.size())};
    svg.body << "<g class=\"images\">\n";
    for (std::size_t k = 0; k < regions.size(); ++k) {
      double lo = 1e300, hi = -1e300;
      for (const Vector& v : regions[k].vertices) {
        double y = d(image_of(regions[k], v)[0]);
        lo = std::min(lo, y), hi = std::max(hi, y);
      }
      double x0 = right.px(lo), w = std::max(right.px(hi) - x0, 1.5);
      double top = right.py(k + 0.9), h = right.py(k + 0.1) - top;
      svg.body << "<rect class=\"image\" x=\"" << num(x0) << "\" y=\"" << num(top) << "\" width=\"" << num(w)
               << "\" height=\"" << num(h) << "\" " << fill(k) << " stroke=\"#333333\" stroke-width=\"0.4\"/>\n";
    }
    svg.body << "</g>\n";
    draw_codomain(right, 0, -1);
    output_marks(right, [&](const Vector& y) { return std::pair<double, double>{d(y[0]), right.y.lo}; });
    svg.axes(right, "image interval of each region", "output", "region", false);
  }

  if (show_codomain && (graph || image_panel))
    legend.emplace_back("codomain", "codomain Y = " + box_text(net.codomain));
  if (collision_given) {
    const decide::Collision& c = *options.collision;
    legend.emplace_back("collision", "collision: f(x1) = f(x2) = y = " + label_vector(c.y) +
                                         (collision_shown ? "" : " (x1, x2 outside the window)"));
    legend.emplace_back("none", "x1 = " + label_vector(c.x1) + ", x2 = " + label_vector(c.x2));
  }
  if (unreached_given && m <= 2)
    legend.emplace_back(
        "unreached", "unreached: no x in the domain has f(x) = y = " + label_vector(options.unreached->y) +
                         (options.unreached->radius ? " (nor any point within " +
                                                          arith::to_string(*options.unreached->radius) + " in max-norm)"
                                                    : ""));

  // Legend below the panels, one entry a line.
  const double legend_top = margin_top + panel_size + 66;
  for (std::size_t k = 0; k < legend.size(); ++k) {
    double y = legend_top + 20 * k;
    const auto& [swatch, words] = legend[k];
    if (swatch == "codomain")
      svg.line(margin_left, y - 4, margin_left + 14, y - 4,
               "stroke=\"#555555\" stroke-width=\"1.2\" stroke-dasharray=\"4 2\"");
    else if (swatch == "collision")
      svg.circle(margin_left + 7, y - 4, 4.5, "fill=\"#000000\"");
    else if (swatch == "unreached")
      svg.cross(margin_left + 7, y - 4, unreached_colour);
    else if (swatch != "none")
      svg.rect(margin_left, y - 11, 14, 14, "fill=\"" + swatch + "\" stroke=\"#333333\" stroke-width=\"0.6\"");
    svg.text(margin_left + 22, y, words);
  }
  const double height = legend_top + 20 * legend.size() + 10;
  // Room for the longest line of text (about 0.6 em a character, UTF-8 counted once).
  auto text_width = [](const std::string& s, double font_size) {
    std::size_t chars = 0;
    for (unsigned char ch : s) chars += (ch & 0xC0) != 0x80;
    return 0.6 * font_size * static_cast<double>(chars);
  };
  width = std::max(width, text_width(title, 16) * 1.05 + 40);
  for (const auto& entry : legend) width = std::max(width, margin_left + 22 + text_width(entry.second, 12) + 30);

  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << num(width) << "\" height=\""
      << num(height) << "\" viewBox=\"0 0 " << num(width) << " " << num(height)
      << "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      << "<title>" << escape(title) << "</title>\n"
      << "<desc>Linear regions of the network, computed in exact rational arithmetic by nninv plot; "
         "coordinates rounded for drawing.</desc>\n"
      << "<rect x=\"0\" y=\"0\" width=\"" << num(width) << "\" height=\"" << num(height) << "\" fill=\"#FFFFFF\"/>\n"
      << "<text x=\"" << num(width / 2) << "\" y=\"30\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">"
      << escape(title) << "</text>\n"
      << svg.body.str() << "</svg>\n";
  return out.str();
}

}  // namespace nninv::report
