// SMT-LIB export: Z3 prints the declarations and assertions; we add the logic
// and a header so that other solvers (cvc5) can re-run the exact query.
#include "smtlib.hpp"

#include <sstream>

namespace nninv::smt {

std::string to_smtlib(z3::solver& solver, const std::string& logic, const std::string& comment) {
  std::ostringstream out;
  out << "; " << comment << "\n; written by nninv; every numeral is exact\n";
  out << "(set-logic " << logic << ")\n";
  out << solver.to_smt2();
  return out.str();
}

}  // namespace nninv::smt
