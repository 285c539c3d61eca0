# Every dependency comes from Debian 12's packages (scripts/setup-debian.sh installs them).
find_package(Threads REQUIRED)
find_package(mimalloc REQUIRED CONFIG)
find_package(CLI11 REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(nlohmann_json REQUIRED CONFIG)
find_package(PkgConfig REQUIRED)
pkg_check_modules(hwloc REQUIRED IMPORTED_TARGET hwloc)

# valgrind's client requests (callgrind.h): the harness marks the measured region for
# `ftbench run --instructions`. Header-only; natively the requests are a few no-op instructions.
find_path(VALGRIND_INCLUDE_DIR valgrind/callgrind.h)
if(NOT VALGRIND_INCLUDE_DIR)
  message(FATAL_ERROR "valgrind/callgrind.h not found: install valgrind (scripts/setup-debian.sh does)")
endif()
