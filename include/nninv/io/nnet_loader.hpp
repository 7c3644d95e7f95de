// NNet files (Stanford's plain-text format of ACAS Xu and Marabou's
// benchmarks) -> net::Network. The network is the NNet function in raw units:
// input normalisation, the weight layers, output de-normalisation, each an
// exact layer; the domain is the header's [min, max] box (docs/import.md).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nninv/net/network.hpp"

namespace nninv::io {

// Reads `path`. The result's layers are, in order:
//   dense (x - mean) / range       left out when every mean is 0 and range 1
//   dense W1 x + b1, relu, ..., dense WL x + bL   (the file's weight layers)
//   dense y * range_out + mean_out left out when mean_out is 0 and range 1
// domain = the input [min, max] box, codomain = all of R^m, name = file stem.
// Numbers are the exact decimals written. Throws CannotOpenInput or
// InputError "<file>: line <n>: <what is wrong>". Harmless oddities (a wrong
// max_layer_size, a zero output range) are appended to *warnings.
net::Network load_nnet(const std::filesystem::path& path, std::vector<std::string>* warnings = nullptr);

// Same, from text already in memory; `source` names it in messages and gives
// the network its name (its stem).
net::Network parse_nnet(std::string_view text, const std::string& source, std::vector<std::string>* warnings = nullptr);

}  // namespace nninv::io
