# seccomp.cmake - the script's seccomp filter (issue 3).
#
# Include from the top CMakeLists.txt AFTER add_library(cgijail_core ...) and
# after the if(BUILD_TESTING) ... add_subdirectory(tests) ... endif() block:
#
#   include(cmake/seccomp.cmake)
#
# What it does:
#  - cgijail_seccomp_policy (OBJECT): wrapper/seccomp.c compiled as the policy
#    (sc_build_ctx, libseccomp rules); defines CGIJAIL_LIBSECCOMP_H for its
#    users and links libseccomp.  Only the generator, the unit test and the
#    benchmark use it: the wrapper never links libseccomp.
#  - cgijail-seccomp-gen: build-time generator (wrapper/seccomp_gen.c); its
#    output ${CMAKE_BINARY_DIR}/generated/seccomp_bpf.h holds the BPF program
#    of each network variant (and seccomp_policy.pfc, readable, for review).
#  - adds wrapper/seccomp.c (the loader, sc_apply) to cgijail_core, which then
#    depends on the generated header.
#  - links test_seccomp with the policy (the test rebuilds the filters and
#    compares them with the compiled-in ones).
#  - cgijail-seccomp-bench: measurements (tests/seccomp/bench_seccomp.c),
#    built with everything, never run by ctest.
# Needs: libseccomp-dev (>= 2.5) and pkg-config.  The generator runs on the
# build machine, so cross-compiling is refused.

if(CMAKE_CROSSCOMPILING)
  message(FATAL_ERROR "seccomp.cmake: the BPF generator must run on the target "
                      "architecture; cross-compiling is not supported")
endif()
if(NOT TARGET cgijail_core)
  message(FATAL_ERROR "seccomp.cmake: include it after add_library(cgijail_core ...)")
endif()
if(CGIJAIL_TESTS AND BUILD_TESTING AND NOT TARGET test_seccomp)
  message(FATAL_ERROR "seccomp.cmake: include it after add_subdirectory(tests), "
                      "so that it can link test_seccomp with libseccomp")
endif()

set(_sc_root ${CMAKE_CURRENT_LIST_DIR}/..)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBSECCOMP REQUIRED IMPORTED_TARGET libseccomp>=2.5)
# libseccomp's <seccomp.h> by absolute path: wrapper/ (on every include path)
# has its own seccomp.h.
find_file(CGIJAIL_LIBSECCOMP_HEADER seccomp.h
          HINTS ${LIBSECCOMP_INCLUDEDIR} ${LIBSECCOMP_INCLUDE_DIRS}
          NO_CMAKE_PATH NO_CMAKE_ENVIRONMENT_PATH)
if(NOT CGIJAIL_LIBSECCOMP_HEADER OR CGIJAIL_LIBSECCOMP_HEADER MATCHES "/wrapper/seccomp.h$")
  message(FATAL_ERROR "seccomp.cmake: libseccomp's seccomp.h not found")
endif()

# The policy (sc_build_ctx): same source as the loader, other half of it.
add_library(cgijail_seccomp_policy OBJECT ${_sc_root}/wrapper/seccomp.c)
target_include_directories(cgijail_seccomp_policy PUBLIC ${_sc_root}/wrapper)
target_compile_definitions(cgijail_seccomp_policy PUBLIC
  "CGIJAIL_LIBSECCOMP_H=\"${CGIJAIL_LIBSECCOMP_HEADER}\"")
target_link_libraries(cgijail_seccomp_policy PUBLIC PkgConfig::LIBSECCOMP)

add_executable(cgijail-seccomp-gen ${_sc_root}/wrapper/seccomp_gen.c)
target_link_libraries(cgijail-seccomp-gen PRIVATE cgijail_seccomp_policy)

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
add_custom_target(cgijail_seccomp_bpf DEPENDS ${_sc_header})

# The loader (sc_apply) in the wrapper's core, with the generated programs.
target_sources(cgijail_core PRIVATE ${_sc_root}/wrapper/seccomp.c ${_sc_header})
set_property(SOURCE ${_sc_root}/wrapper/seccomp.c APPEND PROPERTY
  INCLUDE_DIRECTORIES ${CGIJAIL_SECCOMP_GEN_DIR})

if(TARGET test_seccomp)
  target_link_libraries(test_seccomp PRIVATE cgijail_seccomp_policy)
endif()

add_executable(cgijail-seccomp-bench ${_sc_root}/tests/seccomp/bench_seccomp.c)
target_link_libraries(cgijail-seccomp-bench PRIVATE cgijail_core cgijail_seccomp_policy)
