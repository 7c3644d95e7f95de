// A network file's whole meaning: the piecewise-linear network nninv decides
// exactly, plus what a file may hold that is not piecewise linear: smooth
// monotone activations (tanh, sigmoid, elu, softplus) and a classifier head
// (softmax, log_softmax, argmax) after the last layer. Nothing downstream of
// the loader sees a Model except the decisions of src/decide/model.cpp and
// their checker: every other stage reads a plain piecewise-linear Network.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::net {

// Strictly increasing, continuous, not piecewise linear: what nninv uses of
// them is written in docs/architecture.md ("Smooth activations and heads").
enum class Smooth { tanh, sigmoid, elu, softplus };

struct SmoothLayer {
  std::size_t at = 0;  // the index in Model::net.layers of the identity layer it stands for
  Smooth kind = Smooth::tanh;
  Rational alpha = 1;  // elu's alpha (> 0); 1 for the others
  std::string where;   // where the file has it, for messages ("/layers/3", "node 4 'act' (Tanh)")
};

// softmax(z)_i = exp(z_i) / sum_j exp(z_j); log_softmax = log of it;
// argmax(z) = the index of the largest z_i (a label), the first one on a tie
// unless last_index (ONNX select_last_index) is set.
enum class Head { none, softmax, log_softmax, argmax };

struct Model {
  // The network when it is piecewise linear. Otherwise the same layers with
  // each smooth activation written as an identity layer at SmoothLayer::at,
  // ending in the logits the head reads: never decided as it stands.
  Network net;
  std::vector<SmoothLayer> smooth;  // by increasing `at`
  // Y. With a head it is a box of the head's outputs (one coordinate, the
  // label, for argmax) and net.codomain is all of the logits' space;
  // without one it equals net.codomain.
  Box codomain;
  Head head = Head::none;
  bool last_index = false;          // argmax's tie rule
  std::string head_where;           // where the file has the head, for messages

  bool piecewise_linear() const { return smooth.empty() && head == Head::none; }
  // The smooth activation at layer k, if the identity layer there stands for one.
  const SmoothLayer* smooth_at(std::size_t k) const;
  // Width of the output: the label for argmax (1), else the logits' width.
  std::size_t output_dim() const { return head == Head::argmax ? 1 : net.output_dim(); }
};

const char* smooth_name(Smooth s);  // "tanh", "sigmoid", "elu", "softplus"
const char* head_name(Head h);      // "none", "softmax", "log_softmax", "argmax"

// The label argmax gives the logits z (an index in [0, z.size())).
std::size_t argmax_label(const Vector& z, bool last_index);

}  // namespace nninv::net
