#include "build_info.h"

#include "ftb_build_info.h"  // generated into the build tree

namespace ftb::bench {

const char* Version() { return FTB_VERSION; }
const char* GitCommit() { return FTB_GIT_COMMIT; }
bool GitDirty() { return FTB_GIT_DIRTY; }
std::string BuildCommit() { return std::string(GitCommit()) + (GitDirty() ? "-dirty" : ""); }

}  // namespace ftb::bench
