// The help texts of the command line: what each command asks, its stages
// and its exit codes (shown by 'nninv --help' and 'nninv COMMAND --help').
#pragma once

#include <string>

namespace nninv::cli {

extern const char* const version;
extern const char* const general_help;
extern const char* const convert_help;
extern const char* const plot_help;
extern const char* const lipschitz_help;
extern const char* const injective_help;
extern const char* const surjective_help;
extern const char* const into_help;
extern const char* const bijective_help;
extern const char* const invertible_help;
extern const char* const invert_help;

// The help of a deciding command (injective, surjective, into, bijective,
// invertible, invert), with its stage list from the stage table.
std::string help_for(const std::string& command);
// `nninv stages`: every property's stages from the stage table.
std::string stages_text();

}  // namespace nninv::cli
