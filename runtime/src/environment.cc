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

MechanismSwitches MechanismsFromEnvironment() {
  static const MechanismSwitches switches = [] {
    const char* value = std::getenv("FTBENCH_MECHANISMS");
    MechanismSwitches all;
    if (value == nullptr || *value == '\0' || std::strcmp(value, "all") == 0 || std::strcmp(value, "3.14") == 0)
      return all;
    MechanismSwitches m{false, false, false, false, false};
    if (std::strcmp(value, "none") == 0) return m;
    if (std::strcmp(value, "3.13") == 0) return MechanismSwitches{false, false, true, true, false};
    std::string list = value;
    for (std::size_t start = 0; start <= list.size();) {
      std::size_t end = list.find(',', start);
      if (end == std::string::npos) end = list.size();
      std::string word = list.substr(start, end - start);
      if (word == "deferred") {
        m.deferred_refcount = true;
      } else if (word == "type_counts") {
        m.per_thread_type_refcount = true;
      } else if (word == "immortal_constants") {
        m.immortal_constants = true;
      } else if (word == "immortalize_on_thread") {
        m.immortalize_on_thread = true;
      } else if (word == "borrowed_loads") {
        m.borrowed_loads = true;
      } else {
        throw std::invalid_argument("FTBENCH_MECHANISMS: unknown mechanism '" + word +
                                    "' (valid: all, 3.14, 3.13, none, or a comma-separated list of deferred, "
                                    "type_counts, immortal_constants, immortalize_on_thread, borrowed_loads)");
      }
      start = end + 1;
    }
    return m;
  }();
  return switches;
}

void ValidateEnvironment() {
  GilModeFromEnvironment();
  MechanismsFromEnvironment();
}

}  // namespace ftb
