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

// Checks every variable the runtime reads; throws std::invalid_argument naming the first bad one.
void ValidateEnvironment();

}  // namespace ftb
