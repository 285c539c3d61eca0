// The runtime hooks of this translation unit's variant, registered for the harness.
#include <array>
#include <map>

#include "ftb/mechanisms.h"
#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

template <class Scope>
class ScopeAdapter : public bench::RuntimeScope {
  Scope scope_;
};

// Looked up on every call: registering another variant may move this one in the registry.
bench::Variant& ThisVariant() {
  bench::Variant& v = bench::VariantNamed(Policy::kName);
  if (!v.runtime.attach) {
    v.runtime.attach = [] { return std::unique_ptr<bench::RuntimeScope>(new ScopeAdapter<ThreadAttach>()); };
    v.runtime.allow_threads = [] { return std::unique_ptr<bench::RuntimeScope>(new ScopeAdapter<AllowThreads>()); };
    v.runtime.counters = [] {
      CounterSnapshot s = ReadCounters();
      std::map<std::string, std::uint64_t> out;
#define FTB_EXPORT_COUNTER(name, doc) out[#name] = s.name;
      FTB_COUNTER_FIELDS(FTB_EXPORT_COUNTER)
#undef FTB_EXPORT_COUNTER
      return out;
    };
    // After a collection: deferred objects (classes, their methods) are freed only by the collector.
    // Called before a cell's setup and after its workload is destroyed, when nothing uses what
    // immortalize_on_thread made immortal any more: that is freed first (ftb/mechanisms.h).
    v.runtime.live_objects = [] {
      ReleaseThreadImmortalized();
      CollectDeferred();
      return LiveObjectsTotal();
    };
    v.runtime.object_memory = [] {
      std::map<std::string, bench::KindMemory> out;
      std::array<ObjectMemory, kKindCount> m = ReadObjectMemory();
      for (int k = 0; k < kKindCount; ++k)
        out[KindName(static_cast<Kind>(k))] = {m[k].allocated_objects, m[k].allocated_bytes, m[k].live_objects,
                                               m[k].live_bytes};
      return out;
    };
    v.runtime.gil_enabled = [] { return GilEnabled(); };
    v.runtime.eval_breaker = [] { EvalBreakerCheck(); };
    v.runtime.python_cell = [](std::shared_ptr<const bc::CodeUnit> code, const bench::CellConfig& config) {
      return MakePythonCell(std::move(code), config);
    };
  }
  return v;
}

// Registers the runtime hooks even if this variant had no workloads.
[[maybe_unused]] const bool kRegistered = (ThisVariant(), true);

}  // namespace

void RegisterWorkload(bench::WorkloadEntry entry) { ThisVariant().workloads.push_back(std::move(entry)); }

}  // namespace workloads
FTB_NAMESPACE_END
