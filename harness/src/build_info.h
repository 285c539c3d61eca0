// build_info.h: what this binary is: the project's version and the commit it was built from,
// both fixed at build time (cmake/FtbBuildInfo.cmake), never read from a source tree at run time.
#pragma once

#include <string>

namespace ftb::bench {

// The project's version: CMakeLists.txt's project(VERSION).
const char* Version();
// The short hash of the commit the binary was built from; "unknown" when it was not built from a
// git checkout.
const char* GitCommit();
// Whether tracked files differed from that commit when the binary was built.
bool GitDirty();
// GitCommit() with "-dirty" appended when GitDirty().
std::string BuildCommit();

}  // namespace ftb::bench
