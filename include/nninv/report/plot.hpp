// Pictures of small networks (`nninv plot`): the exact linear regions of a net
// with 1 or 2 inputs inside a bounded window, and an SVG drawing of them with
// their images and any witness. Regions are found by cutting the window with
// each neuron's zero set in network order (the activation regions of
// Montufar et al. 2014, "On the number of linear regions", docs/references.md).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "nninv/decide/outcome.hpp"
#include "nninv/net/network.hpp"

namespace nninv::report {

// One activation region of f inside the window: a convex polygon with nonzero
// area (2 inputs) or a segment with nonzero length (1 input), on which f is the
// affine map x -> jacobian x + offset.
struct Region {
  // 2 inputs: the polygon's corners, counter-clockwise, no repeats, no three
  // consecutive ones collinear. 1 input: the segment's two ends, lower first.
  std::vector<arith::Vector> vertices;
  // One entry per relu / leaky_relu neuron, in network order: true when its
  // pre-activation is >= 0 on the region (the active piece).
  std::vector<bool> pattern;
  // det(jacobian) when the output dim equals the input dim (the slope when
  // both are 1); 0 when the jacobian is not square.
  arith::Rational determinant_or_slope;
  arith::Matrix jacobian;  // output_dim x input_dim
  arith::Vector offset;    // f(x) = jacobian x + offset on the region
};

// All activation regions of `net` inside `window`; together they tile it
// (interiors disjoint, measures summing to the window's). Requires
// net.input_dim to be 1 or 2, window.dim() == net.input_dim and every side of
// the window bounded with lower < upper; otherwise throws UsageError. Throws
// UsageError when more than max_regions regions are found. Exact: no doubles.
std::vector<Region> enumerate_regions(const net::Network& net, const net::Box& window, std::size_t max_regions = 20000);

// Area (2 inputs) or length (1 input) of a region, exactly.
arith::Rational region_measure(const Region& region);
// The mean of the region's vertices: a point of its interior.
arith::Vector region_center(const Region& region);

// A bounded window showing the interesting part of the domain. A bounded
// domain is the window. Otherwise bounded sides are kept and unbounded ones
// become [-R, R] (shifted to stay inside a half-bounded side), where R is a
// round number (one significant digit: 1, ..., 9, 10, 20, ...) at least 5/4
// of the largest |coordinate| of: the points in `include`; the point nearest
// the origin of each zero set of the first nonlinear layer (so each of them
// crosses the window); nine tenths of the crossings and bends of all zero sets
// found in a window four times larger (the farthest tenth is left out so that
// a few distant crossings do not shrink the rest to a dot). Requires
// input_dim 1 or 2 and no pinned coordinate; otherwise throws UsageError.
net::Box plot_window(const net::Network& net, const std::vector<arith::Vector>& include = {});

struct PlotOptions {
  std::optional<net::Box> window;              // nullopt: plot_window(net, {x1, x2 of the collision})
  std::optional<decide::Collision> collision;  // x1, x2 marked in the input, y in the output
  std::optional<decide::Unreached> unreached;  // y (and its radius box) marked in the output
  // (a collision or unreached point whose sizes do not fit the network is ignored)
  std::string title;  // empty: "<network name>: N linear regions"
  std::size_t max_regions = 20000;
};

// A standalone SVG 1.1 document. Left: the window cut into regions, coloured
// by the sign of det J when the net is square (blue > 0, orange < 0, grey 0),
// else by affine map; each region is one <polygon class="region"> (2 inputs) or
// one <line class="region"> (1 input). Right, when there are 1 or 2 outputs:
// the image of each region (2 inputs), or the curve f(x) (1 input, 2 outputs);
// a net with 1 input and 1 output gets one panel, the graph of f. Exact values
// become doubles only as drawing coordinates. Throws what enumerate_regions
// and plot_window throw.
std::string plot_svg(const net::Network& net, const PlotOptions& options = {});

}  // namespace nninv::report
