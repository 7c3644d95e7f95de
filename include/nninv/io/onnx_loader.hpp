// ONNX models of fully connected networks -> net::Network, exactly: every
// float32 / float64 weight becomes the binary fraction it denotes (0.1f is
// 13421773/134217728), never a decimal print of it (docs/import.md).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nninv/net/model.hpp"

namespace nninv::io {

// Reads `path`. The graph must be a chain from its one real input (the graph
// input that is not an initializer) to its one output through: Gemm, MatMul,
// Add, Sub, Mul, Div, Neg with constant operands; Relu, LeakyRelu; Flatten,
// Reshape, Squeeze, Unsqueeze, Transpose; Identity, Dropout (a no-op);
// Constant. Batch and unit dimensions of size 1 and symbolic dimensions are
// taken as 1; the input vector is the input tensor in row-major order, and so
// is the output. Consecutive affine operations are folded into one dense
// layer (same function, exactly). domain = all of R^n, codomain = all of R^m,
// name = file stem. Throws CannotOpenInput, or InputError
// "<file>: node <k> '<name>' (<op_type>): <what is wrong>" (or
// "initializer '<name>'", "input", "output", "model" in place of the node).
net::Network load_onnx(const std::filesystem::path& path, std::vector<std::string>* warnings = nullptr);

// Same, from the serialized bytes of a ModelProto; `source` names it in
// messages and gives the network its name (its stem).
net::Network parse_onnx(std::string_view bytes, const std::string& source,
                        std::vector<std::string>* warnings = nullptr);

// The same, keeping smooth activations (Tanh, Sigmoid, Elu, Softplus) and a
// head (Softmax, LogSoftmax, ArgMax as the last step), which the two above
// refuse (net/model.hpp).
net::Model load_onnx_model(const std::filesystem::path& path, std::vector<std::string>* warnings = nullptr);
net::Model parse_onnx_model(std::string_view bytes, const std::string& source,
                            std::vector<std::string>* warnings = nullptr);

// The exact value of a float32 / float64. Throws InputError (message "is NaN"
// or "is infinite", without a place) for non-finite values.
arith::Rational exact_binary32(float value);
arith::Rational exact_binary64(double value);

}  // namespace nninv::io
