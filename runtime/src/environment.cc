// Compiled once (not per variant): the environment variables the runtime reads.
#include "ftb/environment.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ftb {

GilMode GilModeFromEnvironment() {
  // A throwing initialiser leaves the static uninitialised: the next call reads and throws again.
  static const GilMode mode = [] {
    const char* value = std::getenv("FTBENCH_GIL");
    if (value == nullptr || *value == '\0') return GilMode::kDefault;
    if (std::strcmp(value, "0") == 0) return GilMode::kForcedOff;
    if (std::strcmp(value, "1") == 0) return GilMode::kForcedOn;
    throw std::invalid_argument("FTBENCH_GIL must be 0 or 1, got '" + std::string(value) + "'");
  }();
  return mode;
}

void ValidateEnvironment() { GilModeFromEnvironment(); }

}  // namespace ftb
