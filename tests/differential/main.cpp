// Catch2 v2 main for the differential test executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
