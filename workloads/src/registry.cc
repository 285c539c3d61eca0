// The variant and workload registry (variant-independent; compiled once).
#include <algorithm>

#include "ftb/workload.h"

namespace ftb::bench {

std::vector<Variant>& Variants() {
  static std::vector<Variant> variants;
  return variants;
}

Variant& VariantNamed(std::string_view name) {
  auto& all = Variants();
  auto it = std::find_if(all.begin(), all.end(), [&](const Variant& v) { return v.runtime.name == name; });
  if (it != all.end()) return *it;
  // A stable order for users: gil, atomic, brc, whatever the static-initialisation order.
  static constexpr std::string_view kOrder[] = {"gil", "atomic", "brc"};
  auto rank = [](std::string_view n) {
    return static_cast<int>(std::find(std::begin(kOrder), std::end(kOrder), n) - std::begin(kOrder));
  };
  Variant fresh;
  fresh.runtime.name = std::string(name);
  auto pos = std::find_if(all.begin(), all.end(), [&](const Variant& v) { return rank(v.runtime.name) > rank(name); });
  return *all.insert(pos, std::move(fresh));
}

const Variant* FindVariant(std::string_view name) {
  for (const Variant& v : Variants())
    if (v.runtime.name == name) return &v;
  return nullptr;
}

const WorkloadEntry* Variant::Find(std::string_view workload) const {
  for (const WorkloadEntry& w : workloads)
    if (w.spec.name == workload) return &w;
  return nullptr;
}

}  // namespace ftb::bench
