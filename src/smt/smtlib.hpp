// SMT-LIB 2 text of a Z3 solver's assertions (internal to src/smt).
#pragma once

#include <z3++.h>

#include <string>

#include "nninv/errors.hpp"

namespace nninv::smt {

// The solver's assertions as a self-contained SMT-LIB 2 script for `logic`,
// headed by `comment`, ending in (check-sat).
std::string to_smtlib(z3::solver& solver, const std::string& logic, const std::string& comment);

// The SMT-LIB 2 script of the assertions `build(solver)` adds to a fresh
// solver. A Z3 exception stays inside src/smt: it becomes an InternalError.
template <class Build>
std::string smtlib_script(const std::string& logic, const std::string& comment, Build build) {
  try {
    z3::context ctx;
    z3::solver solver(ctx);
    build(solver);
    return to_smtlib(solver, logic, comment);
  } catch (const z3::exception& e) {
    throw InternalError(std::string("Z3 could not write the SMT-LIB query: ") + e.msg());
  }
}

}  // namespace nninv::smt
