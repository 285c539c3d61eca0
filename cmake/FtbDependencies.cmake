# Every dependency comes from Debian 12's packages (scripts/setup-debian.sh installs them).
find_package(Threads REQUIRED)
find_package(mimalloc REQUIRED CONFIG)
find_package(CLI11 REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(nlohmann_json REQUIRED CONFIG)
find_package(PkgConfig REQUIRED)
pkg_check_modules(hwloc REQUIRED IMPORTED_TARGET hwloc)
