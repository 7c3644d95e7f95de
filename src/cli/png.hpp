// `nninv plot --out F.png`: the plot's SVG rendered by librsvg and cairo
// (Debian librsvg2-dev) at the SVG's own size. Only the command line links
// them; the nninv libraries do not need them.
#pragma once

#include <string>

namespace nninv::cli {

// PNG bytes of `svg`; throws InternalError when librsvg cannot read or render it.
std::string svg_to_png(const std::string& svg);

}  // namespace nninv::cli
