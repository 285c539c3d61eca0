// ftb/environment.h: the environment variables the runtime reads.
//
// Variant-independent (compiled once, into ftb_base). The runtime reports a bad value by throwing
// std::invalid_argument, never by exiting: a program calls ValidateEnvironment() at startup and
// turns the exception into its own error report (ftbench: "ftbench: error: <message>", exit 2).
#pragma once

namespace ftb {

// FTBENCH_GIL, CPython's PYTHON_GIL: unset or empty = default, "0" = never enable the global lock
// in the free-threaded variants, "1" = enable it from the start. The gil variant validates it and
// otherwise ignores it (its lock is always on).
enum class GilMode { kDefault, kForcedOff, kForcedOn };

// FTBENCH_GIL's value, read once per process. Throws std::invalid_argument ("FTBENCH_GIL must be
// 0 or 1, got '<value>'") for any other value (and again on every later call).
GilMode GilModeFromEnvironment();

// FTBENCH_MECHANISMS: which of the brc variant's mechanisms for shared objects are on
// (ftb/mechanisms.h): unset, empty, "all" or "3.14" = the default (CPython 3.14t's: deferred,
// type_counts, immortal_constants, borrowed_loads), "3.13" = CPython 3.13t's (immortal_constants,
// immortalize_on_thread), "none", or a comma-separated list of "deferred" (deferred reference
// counts), "type_counts" (per-thread class counts), "immortal_constants", "immortalize_on_thread"
// (make deferred objects immortal when the first extra thread attaches), "borrowed_loads" (the
// interpreter's LOAD_FAST_BORROW). Read once per process; a program's SetMechanisms call wins.
struct MechanismSwitches {
  bool deferred_refcount = true;
  bool per_thread_type_refcount = true;
  bool immortal_constants = true;
  bool immortalize_on_thread = false;
  bool borrowed_loads = true;
};
// Throws std::invalid_argument naming the bad word and the valid ones.
MechanismSwitches MechanismsFromEnvironment();

// Checks every variable the runtime reads; throws std::invalid_argument naming the first bad one.
void ValidateEnvironment();

}  // namespace ftb
