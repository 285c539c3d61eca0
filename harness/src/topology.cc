#include "topology.h"

#include <hwloc.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <map>
#include <stdexcept>

namespace ftb::bench {

const char* PlacementName(Placement p) {
  switch (p) {
    case Placement::kCompact: return "compact";
    case Placement::kScatter: return "scatter";
    case Placement::kNone: return "none";
  }
  return "?";
}

std::optional<Placement> ParsePlacement(std::string_view name) {
  for (Placement p : {Placement::kCompact, Placement::kScatter, Placement::kNone})
    if (name == PlacementName(p)) return p;
  return std::nullopt;
}

struct Topology::Impl {
  hwloc_topology_t topo = nullptr;
  ~Impl() {
    if (topo != nullptr) hwloc_topology_destroy(topo);
  }
  int Count(hwloc_obj_type_t type) const {
    int n = hwloc_get_nbobjs_by_type(topo, type);
    return n < 0 ? 0 : n;
  }
};

Topology::Topology(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Topology::~Topology() = default;
Topology::Topology(Topology&&) noexcept = default;
Topology& Topology::operator=(Topology&&) noexcept = default;

namespace {

// The number of PUs a synthetic description asks for: the product of its levels' arities ("pack:2
// core:8 pu:2" -> 32; a level is "type:N" or a bare N; attributes in parentheses are skipped).
// Saturates at LLONG_MAX. A level it cannot read counts 1: hwloc then says what is wrong.
long long SyntheticPus(const std::string& description) {
  std::string plain;
  int depth = 0;
  for (char c : description) {
    if (c == '(' || c == '{' || c == '[') ++depth;
    if (depth == 0) plain += c;
    if ((c == ')' || c == '}' || c == ']') && depth > 0) --depth;
  }
  long long product = 1;
  std::size_t start = 0;
  while (start < plain.size()) {
    std::size_t end = plain.find_first_of(" \t\n", start);
    if (end == std::string::npos) end = plain.size();
    std::string level = plain.substr(start, end - start);
    start = end + 1;
    std::size_t colon = level.find(':');
    std::string arity = colon == std::string::npos ? level : level.substr(colon + 1);
    long long n = 0;
    std::size_t digits = 0;
    while (digits < arity.size() && arity[digits] >= '0' && arity[digits] <= '9' && n < LLONG_MAX / 10)
      n = n * 10 + (arity[digits++] - '0');
    if (digits == 0 || n == 0) continue;
    product = product > LLONG_MAX / n ? LLONG_MAX : product * n;
  }
  return product;
}

}  // namespace

Topology Topology::Load(const std::string& synthetic) {
  if (!synthetic.empty()) {
    long long pus = SyntheticPus(synthetic);
    if (pus > kMaxSyntheticPus)
      throw std::runtime_error("synthetic topology '" + synthetic + "' has " +
                               (pus == LLONG_MAX ? std::string("too many") : std::to_string(pus)) +
                               " PUs; at most " + std::to_string(kMaxSyntheticPus) + " are supported");
  }
  auto impl = std::make_unique<Impl>();
  if (hwloc_topology_init(&impl->topo) != 0) throw std::runtime_error("hwloc_topology_init failed");
  if (!synthetic.empty() && hwloc_topology_set_synthetic(impl->topo, synthetic.c_str()) != 0)
    throw std::runtime_error("invalid synthetic topology '" + synthetic + "' (hwloc syntax, e.g. \"pack:2 core:8 pu:2\")");
  if (hwloc_topology_load(impl->topo) != 0) throw std::runtime_error(std::string("hwloc_topology_load failed: ") + std::strerror(errno));
  return Topology(std::move(impl));
}

int Topology::Packages() const { return std::max(1, impl_->Count(HWLOC_OBJ_PACKAGE)); }
int Topology::NumaNodes() const { return std::max(1, impl_->Count(HWLOC_OBJ_NUMANODE)); }
int Topology::Cores() const { return std::max(1, impl_->Count(HWLOC_OBJ_CORE)); }
int Topology::Pus() const { return std::max(1, impl_->Count(HWLOC_OBJ_PU)); }

std::string Topology::Summary() const {
  std::string out;
  auto add = [&](const char* label, int n) {
    if (n <= 0) return;
    if (!out.empty()) out += ' ';
    out += std::string(label) + ":" + std::to_string(n);
  };
  add("Package", impl_->Count(HWLOC_OBJ_PACKAGE));
  add("NUMANode", impl_->Count(HWLOC_OBJ_NUMANODE));
  add("L3", impl_->Count(HWLOC_OBJ_L3CACHE));
  add("L2", impl_->Count(HWLOC_OBJ_L2CACHE));
  add("Core", impl_->Count(HWLOC_OBJ_CORE));
  add("PU", impl_->Count(HWLOC_OBJ_PU));
  return out;
}

std::string Topology::CpuModel() const {
  hwloc_obj_t pkg = hwloc_get_obj_by_type(impl_->topo, HWLOC_OBJ_PACKAGE, 0);
  if (pkg != nullptr)
    if (const char* model = hwloc_obj_get_info_by_name(pkg, "CPUModel")) return model;
  return "unknown";
}

std::vector<CacheInfo> Topology::Caches() const {
  std::vector<CacheInfo> out;
  for (hwloc_obj_type_t type : {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE}) {
    int n = impl_->Count(type);
    if (n <= 0) continue;
    hwloc_obj_t c = hwloc_get_obj_by_type(impl_->topo, type, 0);
    const char* kind = c->attr->cache.type == HWLOC_OBJ_CACHE_DATA          ? "Data"
                       : c->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION ? "Instruction"
                                                                            : "Unified";
    out.push_back({static_cast<int>(c->attr->cache.depth), kind, static_cast<long long>(c->attr->cache.size),
                   hwloc_bitmap_weight(c->cpuset), n});
  }
  return out;
}

std::vector<int> Topology::Plan(int threads, Placement placement) const {
  std::vector<int> plan;
  if (placement == Placement::kNone || threads <= 0) return plan;
  hwloc_topology_t topo = impl_->topo;
  if (placement == Placement::kCompact) {
    // PUs ordered by (SMT rank within its core, core logical index): every core's first PU,
    // then every core's second, and so on.
    std::vector<int> order;
    int cores = impl_->Count(HWLOC_OBJ_CORE);
    if (cores <= 0) {  // no core level: PUs in logical order
      for (int i = 0; i < Pus(); ++i) order.push_back(static_cast<int>(hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i)->os_index));
    } else {
      for (int rank = 0;; ++rank) {
        bool any = false;
        for (int c = 0; c < cores; ++c) {
          hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, c);
          hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(topo, core->cpuset, HWLOC_OBJ_PU, rank);
          if (pu == nullptr) continue;
          order.push_back(static_cast<int>(pu->os_index));
          any = true;
        }
        if (!any) break;
      }
    }
    for (int i = 0; i < threads; ++i) plan.push_back(order[static_cast<std::size_t>(i) % order.size()]);
    return plan;
  }
  // scatter
  std::vector<hwloc_bitmap_t> sets(static_cast<std::size_t>(threads));
  hwloc_obj_t root = hwloc_get_root_obj(topo);
  if (hwloc_distrib(topo, &root, 1, sets.data(), static_cast<unsigned>(threads), INT_MAX, 0) != 0)
    throw std::runtime_error("hwloc_distrib failed");
  for (hwloc_bitmap_t set : sets) {
    hwloc_bitmap_singlify(set);
    plan.push_back(hwloc_bitmap_first(set));
    hwloc_bitmap_free(set);
  }
  return plan;
}

bool Topology::BindCurrentThread(int pu_os_index, std::string* error) const {
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  hwloc_bitmap_only(set, static_cast<unsigned>(pu_os_index));
  int rc = hwloc_set_cpubind(impl_->topo, set, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT);
  if (rc != 0) rc = hwloc_set_cpubind(impl_->topo, set, HWLOC_CPUBIND_THREAD);  // strict unsupported
  int saved_errno = errno;
  if (rc != 0 && error != nullptr) {
    char* text = nullptr;
    hwloc_bitmap_asprintf(&text, set);
    *error = "cannot bind thread to cpuset " + std::string(text != nullptr ? text : "?") + " (PU " +
             std::to_string(pu_os_index) + "): " + std::strerror(saved_errno);
    std::free(text);
  }
  hwloc_bitmap_free(set);
  return rc == 0;
}

int Topology::CurrentPu() const {
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  int pu = -1;
  if (hwloc_get_last_cpu_location(impl_->topo, set, HWLOC_CPUBIND_THREAD) == 0) pu = hwloc_bitmap_first(set);
  hwloc_bitmap_free(set);
  return pu;
}

}  // namespace ftb::bench
