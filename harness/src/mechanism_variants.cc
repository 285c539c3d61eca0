#include "mechanism_variants.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "workload_select.h"

namespace ftb::bench {

namespace {

// The runtime's words (FTBENCH_MECHANISMS, runtime/src/environment.cc), in canonical order.
constexpr std::array<std::string_view, 5> kMechanismWords = {"deferred", "type_counts", "immortal_constants",
                                                            "immortalize_on_thread", "borrowed_loads"};
struct Preset {
  std::string_view name;
  std::array<bool, kMechanismWords.size()> on;
};
constexpr std::array<Preset, 3> kPresets = {{{"3.14", {true, true, true, false, true}},
                                             {"3.13", {false, false, true, true, false}},
                                             {"none", {false, false, false, false, false}}}};

constexpr char kSeparator = ':';

std::string ValidSettings() {
  return fmt::format("3.14, 3.13, none, or mechanisms joined by '+': {}", fmt::join(kMechanismWords, ", "));
}

}  // namespace

std::string CanonicalMechanisms(const std::string& setting) {
  for (const Preset& p : kPresets)
    if (setting == p.name) return setting;
  std::array<bool, kMechanismWords.size()> on{};
  std::size_t start = 0;
  for (;;) {
    std::size_t end = setting.find('+', start);
    std::string word = setting.substr(start, end == std::string::npos ? std::string::npos : end - start);
    auto it = std::find(kMechanismWords.begin(), kMechanismWords.end(), word);
    if (it == kMechanismWords.end())
      throw InputError(fmt::format("unknown mechanisms setting '{}' (valid: {})", setting, ValidSettings()));
    std::size_t i = static_cast<std::size_t>(it - kMechanismWords.begin());
    if (on[i]) throw InputError(fmt::format("mechanisms setting '{}': {} appears twice", setting, word));
    on[i] = true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  for (const Preset& p : kPresets)
    if (on == p.on) return std::string(p.name);
  std::string out;
  for (std::size_t i = 0; i < on.size(); ++i) {
    if (!on[i]) continue;
    if (!out.empty()) out += '+';
    out += kMechanismWords[i];
  }
  return out;
}

std::vector<std::string> ParseMechanismsList(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (const std::string& w : words) {
    std::string canonical = CanonicalMechanisms(w);
    if (std::find(out.begin(), out.end(), canonical) != out.end())
      throw InputError(fmt::format("--mechanisms: {} appears twice", canonical));
    out.push_back(canonical);
  }
  return out;
}

bool HasMechanisms(const Variant& variant) { return variant.runtime.name == "brc"; }

MechanismVariant ResolveMechanismVariant(const std::string& name) {
  std::size_t colon = name.find(kSeparator);
  if (colon == std::string::npos) return {ResolveVariants({name}).front(), std::nullopt};
  const Variant* variant = ResolveVariants({name.substr(0, colon)}).front();
  std::string setting = name.substr(colon + 1);
  if (!HasMechanisms(*variant))
    throw InputError(fmt::format("variant '{}': {} has no mechanisms to set (only brc has)", name,
                                 variant->runtime.name));
  std::string canonical = CanonicalMechanisms(setting);
  if (canonical == kDefaultMechanisms)
    throw InputError(fmt::format("variant '{}': the default setting is the plain name '{}'", name, variant->runtime.name));
  if (canonical != setting)
    throw InputError(fmt::format("variant '{}': write it '{}{}{}'", name, variant->runtime.name, kSeparator, canonical));
  return {variant, canonical};
}

std::vector<std::string> ExpandMechanismVariants(const std::vector<std::string>& variants,
                                                 const std::vector<std::string>& mechanisms) {
  std::vector<std::string> settings = ParseMechanismsList(mechanisms);
  if (settings.empty()) settings.push_back(kDefaultMechanisms);
  std::vector<std::string> names = variants;
  if (names.empty())
    for (const Variant* v : ResolveVariants({})) names.push_back(v->runtime.name);
  std::vector<std::string> out;
  auto add = [&](const std::string& name) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  };
  for (const std::string& name : names) {
    MechanismVariant resolved = ResolveMechanismVariant(name);
    const std::string& base = resolved.variant->runtime.name;
    if (resolved.setting || !HasMechanisms(*resolved.variant)) {
      add(resolved.setting ? name : base);
      continue;
    }
    for (const std::string& s : settings) add(s == kDefaultMechanisms ? base : base + kSeparator + s);
  }
  return out;
}

namespace {
std::string EnvironmentValue(const std::string& setting) {
  std::string value = setting;
  std::replace(value.begin(), value.end(), '+', ',');
  return value;
}
}  // namespace

std::vector<std::string> MechanismsEnvironment(const std::string& name) {
  if (name.find(kSeparator) == std::string::npos) return {};  // also the calibration cell's "machine"
  MechanismVariant resolved = ResolveMechanismVariant(name);
  if (!resolved.setting) return {};
  const char* inherited = std::getenv("FTBENCH_MECHANISMS");
  if (inherited != nullptr && *inherited != '\0')
    throw InputError(fmt::format("variant '{}' sets the mechanisms itself: unset FTBENCH_MECHANISMS (now '{}')", name,
                                 inherited));
  return {"FTBENCH_MECHANISMS=" + EnvironmentValue(*resolved.setting)};
}

void CheckMechanismVariantInSweep(const std::string& name, bool in_process, const std::string& what) {
  try {
    if (!ResolveMechanismVariant(name).setting) return;
    if (in_process)
      throw InputError(fmt::format("variant '{}' needs a process per run (the mechanisms are set once per process): "
                                   "drop --in-process",
                                   name));
    MechanismsEnvironment(name);
  } catch (const InputError& e) {
    throw InputError(what + ": " + e.what());
  }
}

void CheckMechanismsEnvironment(const MechanismVariant& resolved) {
  if (!resolved.setting) return;
  const char* value = std::getenv("FTBENCH_MECHANISMS");
  std::string want = EnvironmentValue(*resolved.setting);
  if (value == nullptr || value != want)
    throw InputError(fmt::format("variant '{}{}{}' needs FTBENCH_MECHANISMS={} in its environment",
                                 resolved.variant->runtime.name, kSeparator, *resolved.setting, want));
}

}  // namespace ftb::bench
