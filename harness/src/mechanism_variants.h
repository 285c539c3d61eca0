// mechanism_variants.h: the brc variant's mechanisms for shared objects (ftb/mechanisms.h) as a
// sweep dimension: `ftbench run --mechanisms 3.14,3.13,none` and variant names such as `brc:3.13`.
//
// A setting is a preset or a list of mechanisms joined by '+':
//   3.14   deferred + type_counts + immortal_constants + borrowed_loads (CPython 3.14t; the
//          default, plain `brc`)
//   3.13   immortal_constants + immortalize_on_thread (CPython 3.13t)
//   none   nothing
//   e.g. deferred+immortal_constants+borrowed_loads (any of deferred, type_counts,
//        immortal_constants, immortalize_on_thread, borrowed_loads, each once)
// A compiled variant that the mechanisms change (brc) run with a setting other than the default is
// its own variant named `<variant>:<setting>` (`brc:3.13`, `brc:none`); the others (gil, atomic)
// have no mechanisms and appear once. The child process of a cell `brc:3.13` gets
// FTBENCH_MECHANISMS=<setting with ',' for '+'> (the runtime reads it once, at startup); the
// variant name is what results.json records in the settings' variants and in each row.
//
// Every function reports bad input by throwing InputError with a one-line message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ftb/workload.h"
#include "input_error.h"

namespace ftb::bench {

// The default setting, which a plain variant name means.
inline constexpr const char* kDefaultMechanisms = "3.14";

// Checks a setting (a preset or a '+' list) and returns its canonical spelling (a preset as given;
// a list in the order deferred, type_counts, immortal_constants, immortalize_on_thread,
// borrowed_loads, and the preset's name when the list is one:
// "deferred+type_counts+immortal_constants+borrowed_loads" is "3.14").
std::string CanonicalMechanisms(const std::string& setting);

// `--mechanisms` words: each checked and made canonical, each once (InputError otherwise).
std::vector<std::string> ParseMechanismsList(const std::vector<std::string>& words);

// Whether the mechanisms change this compiled variant (brc).
bool HasMechanisms(const Variant& variant);

// `--variants` (empty: every registered variant) x `--mechanisms` (empty: the default only):
// the variant names of the sweep. Each base variant in order; for one with mechanisms, one name
// per setting (the default as the plain name, the others as `<variant>:<setting>`); names that
// already carry a setting are kept as they are. Duplicates are dropped.
std::vector<std::string> ExpandMechanismVariants(const std::vector<std::string>& variants,
                                                 const std::vector<std::string>& mechanisms);

// A variant name split: the compiled variant and the setting (nullopt for a plain name). Throws
// InputError for an unknown variant, a bad setting, a setting on a variant without mechanisms, or
// a non-canonical spelling (`brc:3.14` is `brc`).
struct MechanismVariant {
  const Variant* variant;
  std::optional<std::string> setting;
};
MechanismVariant ResolveMechanismVariant(const std::string& name);

// The environment entry ("FTBENCH_MECHANISMS=...") a cell child of this variant name needs; empty
// for a name without a setting, registered or not (the child inherits this process's environment). Throws InputError if the name
// carries a setting and this process's environment sets FTBENCH_MECHANISMS too (the two would
// disagree about what the sweep measured).
std::vector<std::string> MechanismsEnvironment(const std::string& name);

// For CheckSweepSettings: `name` resolves; one with a setting needs a process per run (not
// --in-process) and no FTBENCH_MECHANISMS in this process's environment. `what` prefixes the
// message ("--variants", "the recorded variants").
void CheckMechanismVariantInSweep(const std::string& name, bool in_process, const std::string& what);

// In a cell child: checks that FTBENCH_MECHANISMS is the setting the variant name carries (a child
// started by hand without it would measure the default under another name).
void CheckMechanismsEnvironment(const MechanismVariant& resolved);

}  // namespace ftb::bench
