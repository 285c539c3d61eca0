// Modules and the legacy-extension safety net (CPython's Py_mod_gil, PEP 703): importing a module
// that did not declare that it runs without the global lock switches the lock on, for the rest of
// the process, in the free-threaded variants.
#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gil.h"
#include "internal.h"

FTB_NAMESPACE_BEGIN

namespace {
struct ModuleEntry {
  std::string name;
  bool gil_not_used;
};
struct ModuleTable {
  StdMutex mu;
  std::vector<ModuleEntry> modules FTB_GUARDED_BY(mu);
};
ModuleTable& Modules() {
  static ModuleTable table;
  return table;
}

void EnableGilForLegacyModule(std::string_view name) {
  if constexpr (Policy::kGlobalLockAlwaysOn) {
    return;
  } else {
    if (GilModeFromEnvironment() == GilMode::kForcedOff || GilEnabled()) return;
    ThreadState* ts = tls_thread_state;
    FTB_CHECK(ts != nullptr && ts->status.load() == ThreadStatus::kAttached,
              "ImportModule needs an attached thread state");
    std::fprintf(stderr,
                 "ftbench: RuntimeWarning: the global lock has been enabled to load module '%.*s', which "
                 "has not declared that it can run safely without it. To keep it disabled, set "
                 "FTBENCH_GIL=0.\n",
                 static_cast<int>(name.size()), name.data());
    // CPython's _PyEval_EnableGILPermanent: detach, stop every other thread, switch, restart,
    // re-attach (taking the lock like everybody else).
    Detach(ts);
    internal::StopTheWorld(ts);
    internal::g_gil_enabled.store(true, std::memory_order_release);
    internal::StartTheWorld();
    Attach(ts);
  }
}
}  // namespace

void RegisterModule(const ModuleDef& def) {
  ModuleTable& table = Modules();
  StdLock lock(table.mu);
  for (const ModuleEntry& m : table.modules)
    if (m.name == def.name) throw std::invalid_argument("module '" + std::string(def.name) + "' is already registered");
  table.modules.push_back({std::string(def.name), def.gil_not_used});
}

void ImportModule(std::string_view name) {
  bool gil_not_used = false;
  {
    ModuleTable& table = Modules();
    StdLock lock(table.mu);
    auto it = std::find_if(table.modules.begin(), table.modules.end(), [&](const ModuleEntry& m) { return m.name == name; });
    if (it == table.modules.end()) throw std::invalid_argument("no module named '" + std::string(name) + "'");
    gil_not_used = it->gil_not_used;
  }
  if (!gil_not_used) EnableGilForLegacyModule(name);
}

FTB_NAMESPACE_END
