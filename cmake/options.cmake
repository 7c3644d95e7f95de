# Build options for hardening (docs/testing.md): sanitizers, warnings as
# errors, and coverage instrumentation for the libFuzzer targets of tests/fuzz/.
# Included by the top-level CMakeLists.txt before any target is defined, so
# every flag here reaches every library, tool and test.

option(NNINV_SANITIZE "Build everything with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(NNINV_WERROR "Treat compiler warnings as errors" OFF)
option(NNINV_CHECKER_ONLY "Build nninv-check alone (arith, net, io, cert, check), without the producer or Z3" OFF)
option(NNINV_FUZZ "Build the libFuzzer targets of tests/fuzz/ (clang only; implies NNINV_SANITIZE)" OFF)

if(NNINV_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "NNINV_FUZZ=ON needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(NNINV_SANITIZE ON)
  # Coverage feedback for the fuzzers from all of nninv's code, not only from
  # the fuzz targets; the fuzzer's own main is linked in tests/fuzz/ only.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(NNINV_SANITIZE)
  # A sanitizer report is a test failure, never a message to scroll past.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
endif()

if(NNINV_WERROR)
  add_compile_options(-Werror)
endif()
