// The parts of a file's meaning that are not piecewise linear (net/model.hpp).
#include "nninv/net/model.hpp"

namespace nninv::net {

const SmoothLayer* Model::smooth_at(std::size_t k) const {
  for (const SmoothLayer& s : smooth)
    if (s.at == k) return &s;
  return nullptr;
}

const char* smooth_name(Smooth s) {
  switch (s) {
    case Smooth::tanh: return "tanh";
    case Smooth::sigmoid: return "sigmoid";
    case Smooth::elu: return "elu";
    case Smooth::softplus: return "softplus";
  }
  return "?";
}

const char* head_name(Head h) {
  switch (h) {
    case Head::none: return "none";
    case Head::softmax: return "softmax";
    case Head::log_softmax: return "log_softmax";
    case Head::argmax: return "argmax";
  }
  return "?";
}

std::size_t argmax_label(const Vector& z, bool last_index) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < z.size(); ++i)
    if (last_index ? z[i] >= z[best] : z[i] > z[best]) best = i;
  return best;
}

}  // namespace nninv::net
