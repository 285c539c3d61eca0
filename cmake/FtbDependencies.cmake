# Every dependency comes from Debian 12's packages (scripts/setup-debian.sh installs them).
find_package(Threads REQUIRED)
find_package(mimalloc REQUIRED CONFIG)
