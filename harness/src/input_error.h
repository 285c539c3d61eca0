// input_error.h: input the harness cannot use, found below the command line.
//
// The harness's modules (workload selection, a sweep's settings) know nothing of the command line:
// they report an unknown workload, a knob out of range or a setting outside its limits by throwing
// InputError with a one-line message that names the problem (a list of valid choices may follow on
// further lines). The command line (main.cc) prints it as it prints its own usage errors and exits 2.
#pragma once

#include <stdexcept>

namespace ftb::bench {

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ftb::bench
