# `cmake --install`: the nninv and nninv-check tools, the libraries with their
# public headers, and a CMake package so that another project can write
#   find_package(nninv 0.1 REQUIRED)
#   target_link_libraries(app PRIVATE nninv::nninv_io nninv::nninv_decide)
# and call the same decision API as the command line (docs/library.md).
# Included once, at the end of the top-level CMakeLists.txt.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(NNINV_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/nninv" CACHE STRING
    "where nninvConfig.cmake is installed, relative to the prefix")

# Every library, also those only linked privately (nninv_smt): they are static,
# so a consumer's link line needs them and their own dependencies (Z3, ONNX,
# protobuf, OpenSSL), which nninvConfig.cmake finds again.
set(NNINV_EXPORTED_LIBRARIES nninv_arith nninv_net nninv_io nninv_analysis nninv_cert nninv_smt nninv_decide
                             nninv_report nninv_check)
install(TARGETS ${NNINV_EXPORTED_LIBRARIES}
        EXPORT nninvTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS nninv nninv-check RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The public headers; nninv/smt/ is internal to the library (docs/library.md)
# and is not installed.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/nninv DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp" PATTERN "smt" EXCLUDE)

install(EXPORT nninvTargets NAMESPACE nninv:: DESTINATION ${NNINV_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/nninvConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/nninvConfig.cmake
                              INSTALL_DESTINATION ${NNINV_INSTALL_CMAKEDIR})
# 0.x: minor versions may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nninvConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nninvConfig.cmake ${PROJECT_BINARY_DIR}/nninvConfigVersion.cmake
        DESTINATION ${NNINV_INSTALL_CMAKEDIR})
