// ftb/runtime.h: everything a workload needs.
#pragma once

#include "ftb/counters.h"
#include "ftb/object.h"
#include "ftb/thread_state.h"
#include "ftb/types.h"
#include "ftb/variant.h"
