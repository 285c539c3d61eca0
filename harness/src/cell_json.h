// cell_json.h: a CellRecord as JSON, for cells run in a process of their own (workloads with a
// process-wide side effect, such as legacy_ext switching the global lock on for good).
#pragma once

#include <nlohmann/json.hpp>

#include "cell_runner.h"

namespace ftb::bench {

nlohmann::json CellRecordToJson(const CellRecord& record);
CellRecord CellRecordFromJson(const nlohmann::json& j);
// One thread's fields of a cell record (all but its latencies), shared with a real interpreter's
// record (python_variants.h), which has the same fields.
ThreadRecord ThreadRecordFromJson(const nlohmann::json& t);
// A run's memory fields (results.json's "memory" object of an iteration row).
nlohmann::json MemoryToJson(const MemoryRecord& memory);

}  // namespace ftb::bench
