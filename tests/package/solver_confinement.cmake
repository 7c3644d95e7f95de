# Solvers stay in src/smt/ (issue 13): fails when a Z3 or cvc5 header is
# included by any source, header, test or benchmark outside src/smt/, or by a
# header under include/ (those are installed). Z3's header is in
# /usr/include, so include paths cannot enforce this; this test does.
# Usage: cmake -DSOURCE_DIR=... -P solver_confinement.cmake
file(GLOB_RECURSE files RELATIVE "${SOURCE_DIR}"
     "${SOURCE_DIR}/src/*.cpp" "${SOURCE_DIR}/src/*.hpp" "${SOURCE_DIR}/include/*.hpp"
     "${SOURCE_DIR}/tests/*.cpp" "${SOURCE_DIR}/tests/*.hpp" "${SOURCE_DIR}/benchmarks/*.cpp"
     "${SOURCE_DIR}/benchmarks/*.hpp" "${SOURCE_DIR}/docs/*.cpp")
set(offenders "")
set(checked 0)
foreach(f IN LISTS files)
  math(EXPR checked "${checked} + 1")
  if(f MATCHES "^src/smt/")
    continue()
  endif()
  file(STRINGS "${SOURCE_DIR}/${f}" hits REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](z3|z3\\+\\+|z3_[a-z_]*|cvc5/[^>\"]*)(\\.h)?[>\"]")
  if(hits)
    list(APPEND offenders "${f}: ${hits}")
  endif()
endforeach()
if(checked LESS 50)
  message(FATAL_ERROR "only ${checked} files found under ${SOURCE_DIR}: wrong SOURCE_DIR?")
endif()
if(offenders)
  list(JOIN offenders "\n  " text)
  message(FATAL_ERROR "solver headers included outside src/smt/:\n  ${text}")
endif()
message(STATUS "${checked} files: no solver header outside src/smt/")
