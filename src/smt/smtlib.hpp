// SMT-LIB 2 text of a Z3 solver's assertions (internal to src/smt).
#pragma once

#include <z3++.h>

#include <string>

namespace nninv::smt {

// The solver's assertions as a self-contained SMT-LIB 2 script for `logic`,
// headed by `comment`, ending in (check-sat).
std::string to_smtlib(z3::solver& solver, const std::string& logic, const std::string& comment);

}  // namespace nninv::smt
