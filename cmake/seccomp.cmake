# seccomp.cmake - the script's seccomp filter.
#
# Include from the top CMakeLists.txt after the layer libraries and after
# the if(BUILD_TESTING) ... add_subdirectory(tests) ... endif() block:
#
#   include(cmake/seccomp.cmake)
#
# What it does:
#  - cgijail_scpolicy (STATIC): wrapper/logic/scpolicy.c, the rules as
#    libseccomp calls (sc_build_ctx).  Only the generator, the unit test and
#    the benchmark link it: the wrapper never links libseccomp.
#  - cgijail-seccomp-gen: build-time generator (wrapper/logic/scgen.c); its
#    output ${CMAKE_BINARY_DIR}/generated/seccomp_bpf.h holds the BPF program
#    of each network variant (and seccomp_policy.pfc, readable, for review).
#  - adds wrapper/sys/scfilter.c (the loader, sc_apply) to cgijail_sys, which
#    then depends on the generated header.
#  - links test_seccomp with the rules (the test rebuilds the filters and
#    compares them with the compiled-in ones).
#  - cgijail-seccomp-bench: measurements (tests/seccomp/bench_seccomp.c),
#    built with everything, never run by ctest.
# Needs: libseccomp-dev (>= 2.5) and pkg-config.  The generator runs on the
# build machine, so cross-compiling is refused.

if(CMAKE_CROSSCOMPILING)
  message(FATAL_ERROR "seccomp.cmake: the BPF generator must run on the target "
                      "architecture; cross-compiling is not supported")
endif()
if(NOT TARGET cgijail_sys)
  message(FATAL_ERROR "seccomp.cmake: include it after add_library(cgijail_sys ...)")
endif()
if(CGIJAIL_TESTS AND BUILD_TESTING AND NOT TARGET test_seccomp)
  message(FATAL_ERROR "seccomp.cmake: include it after add_subdirectory(tests), "
                      "so that it can link test_seccomp with libseccomp")
endif()

set(_sc_root ${CMAKE_CURRENT_LIST_DIR}/..)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBSECCOMP REQUIRED IMPORTED_TARGET libseccomp>=2.5)

# The rules: pure data built with libseccomp, in the logic layer.
add_library(cgijail_scpolicy STATIC ${_sc_root}/wrapper/logic/scpolicy.c)
target_link_libraries(cgijail_scpolicy PUBLIC cgijail_logic PkgConfig::LIBSECCOMP)

add_executable(cgijail-seccomp-gen ${_sc_root}/wrapper/logic/scgen.c)
target_link_libraries(cgijail-seccomp-gen PRIVATE cgijail_scpolicy)

set(CGIJAIL_SECCOMP_GEN_DIR ${CMAKE_BINARY_DIR}/generated)
set(_sc_header ${CGIJAIL_SECCOMP_GEN_DIR}/seccomp_bpf.h)
file(MAKE_DIRECTORY ${CGIJAIL_SECCOMP_GEN_DIR})
add_custom_command(
  OUTPUT ${_sc_header} ${CGIJAIL_SECCOMP_GEN_DIR}/seccomp_policy.pfc
  COMMAND cgijail-seccomp-gen
          ${_sc_header} ${CGIJAIL_SECCOMP_GEN_DIR}/seccomp_policy.pfc
  DEPENDS cgijail-seccomp-gen
  COMMENT "Generating the seccomp BPF programs (seccomp_bpf.h)"
  VERBATIM)

# The loader (sc_apply) in the system-call layer, with the generated programs.
target_sources(cgijail_sys PRIVATE ${_sc_root}/wrapper/sys/scfilter.c ${_sc_header})
set_property(SOURCE ${_sc_root}/wrapper/sys/scfilter.c APPEND PROPERTY
  INCLUDE_DIRECTORIES ${CGIJAIL_SECCOMP_GEN_DIR})

if(TARGET test_seccomp)
  target_link_libraries(test_seccomp PRIVATE cgijail_scpolicy)
endif()

add_executable(cgijail-seccomp-bench ${_sc_root}/tests/seccomp/bench_seccomp.c)
target_link_libraries(cgijail-seccomp-bench PRIVATE cgijail_sys cgijail_scpolicy)
