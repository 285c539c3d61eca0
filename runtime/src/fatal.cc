// Compiled once (not per variant): the one place that reports a broken invariant and aborts.
#include <cstdio>
#include <cstdlib>

#include "ftb/base.h"

namespace ftb {

void FatalError(const char* file, int line, const char* message) noexcept {
  std::fprintf(stderr, "ftbench: fatal: %s (%s:%d)\n", message, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace ftb
