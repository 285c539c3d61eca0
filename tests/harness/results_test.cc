// results.json written, read back and checked field by field; derived metrics against values
// computed by hand.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "cell_json.h"
#include "results.h"
#include "sweep.h"

namespace ftb::bench {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class ResultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ftbench-results-test-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    settings_.variants = {"gil", "brc"};
    settings_.workloads = {"w"};
    settings_.threads = {1, 2};
    settings_.repetitions = 3;
    settings_.seed = 99;
    context_ = {{"host_name", "testhost"}, {"ftbench", {{"pus", 2}}}};
    settings_.WriteTo(context_["ftbench"]);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A record whose wall time is `seconds`, split over `threads` threads of `units` each.
  static CellRecord Record(const std::string& variant, int threads, double seconds, std::uint64_t units_per_thread) {
    CellRecord r;
    r.variant = variant;
    r.workload = "w";
    r.config.threads = threads;
    r.config.size = 100;
    r.wall_seconds = seconds;
    r.checksum = 0xabc;
    r.counters = {{"gil_switches", 7}};
    for (int i = 0; i < threads; ++i) {
      ThreadRecord t;
      t.work_units = units_per_thread;
      t.cpu_seconds = seconds;
      t.cpu_placed = i;
      t.cpu_observed = i;
      t.latencies_ns = {100, 200, 300};
      r.threads.push_back(t);
    }
    return r;
  }

  fs::path dir_;
  SweepSettings settings_;
  json context_;
};

TEST_F(ResultsTest, RoundTripFieldByField) {
  ResultsStore store(dir_, context_);
  // gil: 1 thread 1.0 s, 2 threads 1.0 s (no speedup); brc: 1 thread 1.2 s, 2 threads 0.6 s.
  const double times[2][2] = {{1.0, 1.0}, {1.2, 0.6}};
  const char* variants[2] = {"gil", "brc"};
  for (int rep = 0; rep < 3; ++rep)
    for (int v = 0; v < 2; ++v)
      for (int t : {1, 2}) {
        double jitter = 1.0 + 0.01 * (rep - 1);  // 0.99, 1.00, 1.01: median = the nominal time
        store.Add({"w", variants[v], t, rep}, "cpu", Record(variants[v], t, times[v][t - 1] * jitter, 100 / t), 0.0, 0, 2);
      }
  EXPECT_TRUE(store.Has({"w", "gil", 2, 1}));  // the index follows Add
  EXPECT_FALSE(store.Has({"w", "gil", 2, 3}));
  store.Flush();
  ASSERT_TRUE(fs::exists(dir_ / "results.json"));
  ASSERT_TRUE(fs::exists(dir_ / "results.csv"));
  ASSERT_TRUE(fs::exists(dir_ / "results.txt"));

  ResultsStore loaded = ResultsStore::Load(dir_);
  EXPECT_EQ(loaded.size(), 12u);
  EXPECT_EQ(loaded.context()["ftbench"]["seed"], 99);
  EXPECT_EQ(loaded.context()["ftbench"]["threads"], json({1, 2}));
  EXPECT_TRUE(loaded.Has({"w", "brc", 2, 2}));
  EXPECT_FALSE(loaded.Has({"w", "brc", 4, 0}));

  std::ifstream in(dir_ / "results.json");
  json doc = json::parse(in);
  const json& rows = doc["benchmarks"];
  const json* iteration = nullptr;
  const json* median_brc2 = nullptr;
  const json* median_brc1 = nullptr;
  int aggregates = 0;
  for (const json& r : rows) {
    if (r["run_type"] == "iteration" && r["variant"] == "brc" && r["threads"] == 2 && r["repetition_index"] == 1) iteration = &r;
    if (r["run_type"] == "aggregate") ++aggregates;
    if (r.value("aggregate_name", "") == "median" && r["variant"] == "brc") (r["threads"] == 2 ? median_brc2 : median_brc1) = &r;
  }
  EXPECT_EQ(aggregates, 4 * 6);  // four complete cells x median, mean, stddev, cv, min, max
  ASSERT_NE(iteration, nullptr);
  EXPECT_EQ((*iteration)["name"], "w/brc/threads:2/strong/compact");
  // A 0.6 s cell is written in us: the largest unit in which its median is at least 1000.
  EXPECT_EQ((*iteration)["time_unit"], "us");
  EXPECT_DOUBLE_EQ((*iteration)["real_time"].get<double>(), 600000.0);
  EXPECT_DOUBLE_EQ((*iteration)["cpu_time"].get<double>(), 1200000.0);
  EXPECT_EQ((*iteration)["iterations"], 1);
  EXPECT_EQ((*iteration)["repetitions"], 3);
  EXPECT_EQ((*iteration)["checksum"], "0xabc");
  EXPECT_EQ((*iteration)["units"], 100);
  EXPECT_EQ((*iteration)["work_units"], json({50.0, 50.0}));
  EXPECT_DOUBLE_EQ((*iteration)["fairness_jain"].get<double>(), 1.0);
  EXPECT_EQ((*iteration)["cpu_placed"], json({0, 1}));
  EXPECT_TRUE((*iteration)["placement_ok"].get<bool>());
  EXPECT_EQ((*iteration)["counters"]["gil_switches"], 7);
  EXPECT_EQ((*iteration)["gil_switches"], 7);  // also top-level, as Google Benchmark writes counters
  EXPECT_DOUBLE_EQ((*iteration)["latency_ns"]["p50"].get<double>(), 200.0);
  EXPECT_EQ((*iteration)["placement"], "compact");
  EXPECT_EQ((*iteration)["scaling"], "strong");

  ASSERT_NE(median_brc2, nullptr);
  ASSERT_NE(median_brc1, nullptr);
  EXPECT_EQ((*median_brc2)["name"], "w/brc/threads:2/strong/compact_median");
  EXPECT_EQ((*median_brc2)["aggregate_unit"], "time");
  EXPECT_DOUBLE_EQ((*median_brc2)["real_time"].get<double>(), 600000.0);
  EXPECT_EQ((*median_brc2)["time_unit"], "us");
  EXPECT_DOUBLE_EQ((*median_brc2)["wall_seconds"].get<double>(), 0.6);
  EXPECT_DOUBLE_EQ((*median_brc2)["gil_switches"].get<double>(), 7.0);
  EXPECT_DOUBLE_EQ((*median_brc2)["counters"]["gil_switches"].get<double>(), 7.0);
  EXPECT_NEAR((*median_brc2)["wall_seconds_ci"]["value"].get<double>(), 0.6, 1e-12);
  // Every field has one JSON type in every row (Google Benchmark tools read them alike).
  for (const json& r : rows)
    for (const char* field : {"real_time", "cpu_time", "wall_seconds", "gil_switches"})
      EXPECT_TRUE(r[field].is_number()) << r["name"] << " " << field;
  for (const json& r : rows)
    if (r["run_name"] == (*median_brc2)["run_name"]) EXPECT_EQ(r["time_unit"], "us") << r["name"];
  // speedup = t1 / t2 = 1.2 / 0.6; efficiency = 1; vs gil 1t = 1.0 / 0.6
  EXPECT_NEAR((*median_brc2)["speedup"]["value"].get<double>(), 2.0, 1e-9);
  EXPECT_LE((*median_brc2)["speedup"]["ci_low"].get<double>(), 2.0);
  EXPECT_GE((*median_brc2)["speedup"]["ci_high"].get<double>(), 2.0);
  EXPECT_NEAR((*median_brc2)["efficiency"]["value"].get<double>(), 1.0, 1e-9);
  EXPECT_NEAR((*median_brc2)["speedup_vs_gil_1t"]["value"].get<double>(), 1.0 / 0.6, 1e-9);
  EXPECT_TRUE((*median_brc2)["overhead_vs_gil"].is_null());
  // 1-thread overhead = 1.2 / 1.0
  EXPECT_NEAR((*median_brc1)["overhead_vs_gil"]["value"].get<double>(), 1.2, 1e-9);
  EXPECT_TRUE((*median_brc2)["warnings"].empty());
}

TEST_F(ResultsTest, TimeUnitPerCellAndShortCellWarning) {
  ResultsStore store(dir_, context_);
  // gil 1 thread: 2 ms (short: warned, in us); brc 1 thread: 2.5 s (in ms).
  for (int rep = 0; rep < 3; ++rep) {
    store.Add({"w", "gil", 1, rep}, "cpu", Record("gil", 1, 0.002, 10), 0.0, 0, 2);
    store.Add({"w", "brc", 1, rep}, "cpu", Record("brc", 1, 2.5, 10), 0.0, 0, 2);
  }
  json rows = store.Benchmarks();
  for (const json& r : rows) {
    if (r["variant"] == "gil") {
      EXPECT_EQ(r["time_unit"], "us");
      if (r.value("aggregate_name", "") == "median") {
        EXPECT_DOUBLE_EQ(r["real_time"].get<double>(), 2000.0);
        ASSERT_EQ(r["warnings"].size(), 1u);
        EXPECT_NE(r["warnings"][0].get<std::string>().find("--work-scale"), std::string::npos) << r["warnings"];
      }
    } else {
      EXPECT_EQ(r["time_unit"], "ms");
      if (r.value("aggregate_name", "") == "median") {
        EXPECT_DOUBLE_EQ(r["real_time"].get<double>(), 2500.0);
        EXPECT_TRUE(r["warnings"].empty()) << r["warnings"];
      }
    }
  }
}

TEST_F(ResultsTest, IncompleteCellsHaveNoAggregatesAndLoadRejectsBadFiles) {
  ResultsStore store(dir_, context_);
  store.Add({"w", "gil", 1, 0}, "cpu", Record("gil", 1, 1.0, 10), 0.0, 0, 2);
  store.Flush();
  json doc = json::parse(std::ifstream(dir_ / "results.json"));
  for (const json& r : doc["benchmarks"]) EXPECT_EQ(r["run_type"], "iteration");

  std::ofstream(dir_ / "results.json") << "{\"context\": {";  // truncated
  EXPECT_THROW(ResultsStore::Load(dir_), std::runtime_error);
  EXPECT_THROW(ResultsStore::Load(dir_ / "missing"), std::runtime_error);
}

TEST_F(ResultsTest, NoisyOrMisplacedCellsAreFlagged) {
  ResultsStore store(dir_, context_);
  for (int rep = 0; rep < 3; ++rep) {
    CellRecord r = Record("gil", 1, rep == 0 ? 1.0 : 2.0, 10);
    r.threads[0].cpu_observed = 1;  // planned on PU 0
    store.Add({"w", "gil", 1, rep}, "cpu", r, 5.0, 3, 2);
  }
  json rows = store.Benchmarks();
  const json* median = nullptr;
  for (const json& r : rows)
    if (r.value("aggregate_name", "") == "median") median = &r;
  ASSERT_NE(median, nullptr);
  std::string all = (*median)["warnings"].dump();
  EXPECT_NE(all.find("variation"), std::string::npos) << all;
  EXPECT_NE(all.find("busy"), std::string::npos) << all;
  EXPECT_NE(all.find("placement not honoured"), std::string::npos) << all;
}

TEST_F(ResultsTest, MemoryFieldsAndTheNoiseFigure) {
  ResultsStore store(dir_, context_);
  // Each cell's repetitions are t, t (1 - d), t (1 + d): robust CV = 1.4826 d, with d = 1%, 2%,
  // 3%, 4% for the four cells; median of those 1.4826 * 2.5%, p90 1.4826 * 3.7% (numpy's linear).
  const char* variants[2] = {"gil", "brc"};
  for (int rep = 0; rep < 3; ++rep)
    for (int v = 0; v < 2; ++v)
      for (int t : {1, 2}) {
        double d = 0.01 * (2 * v + t);
        CellRecord r = Record(variants[v], t, 1.0 + (rep == 0 ? 0 : rep == 1 ? -d : d), 10);
        r.memory.rss_before_setup = 1000 + rep;
        r.memory.rss_after_setup = 5000 + rep;
        r.memory.peak_rss = 9000 + 100 * rep;
        r.memory.peak_rss_reset = true;
        r.memory.live_bytes_setup = 400;
        r.memory.live_bytes_peak = 600;
        r.memory.allocated = {{"int", {10, v == 0 ? 240 : 400}}, {"str", {2, 90 + rep}}};
        store.Add({"w", variants[v], t, rep}, "cpu", r, 0.0, 0, 2);
      }
  store.Flush();
  json doc = json::parse(std::ifstream(dir_ / "results.json"));

  const json& noise = doc["context"]["noise"];
  EXPECT_EQ(noise["cells"], 4);
  EXPECT_NEAR(noise["median_cell_cv"].get<double>(), 1.4826 * 0.025, 1e-12);
  EXPECT_NEAR(noise["p90_cell_cv"].get<double>(), 1.4826 * 0.037, 1e-12);
  EXPECT_NE(noise["cv_definition"].get<std::string>().find("1.4826"), std::string::npos);

  int iterations = 0;
  for (const json& r : doc["benchmarks"]) {
    if (r["run_type"] == "iteration") {
      ++iterations;
      const json& m = r.at("memory");
      EXPECT_EQ(m["rss_setup_growth"], 4000);
      EXPECT_EQ(m["live_bytes_peak"], 600);
      EXPECT_EQ(m["allocated"]["int"]["objects"], 10);
      continue;
    }
    if (r["aggregate_name"] != "median") {
      EXPECT_FALSE(r.contains("memory")) << r["name"];
      continue;
    }
    const json& m = r.at("memory");
    EXPECT_DOUBLE_EQ(m["peak_rss"].get<double>(), 9100.0);  // median of 9000, 9100, 9200
    EXPECT_DOUBLE_EQ(m["rss_setup_growth"].get<double>(), 4000.0);
    EXPECT_DOUBLE_EQ(m["live_bytes_setup"].get<double>(), 400.0);
    EXPECT_TRUE(m["peak_rss_reset"].get<bool>());
    EXPECT_DOUBLE_EQ(m["bytes_per_object"]["int"].get<double>(), r["variant"] == "gil" ? 24.0 : 40.0);
    EXPECT_DOUBLE_EQ(m["bytes_per_object"]["str"].get<double>(), (90 + 91 + 92) / 6.0);
    EXPECT_DOUBLE_EQ(m["objects_allocated"]["int"].get<double>(), 10.0);
    double d = 0.01 * (2 * (r["variant"] == "gil" ? 0 : 1) + r["threads"].get<int>());
    EXPECT_NEAR(r["robust_cv"].get<double>(), 1.4826 * d, 1e-12);
  }
  EXPECT_EQ(iterations, 12);
  // A run's memory survives the child process's JSON (ftbench cell) unchanged.
  CellRecord r = Record("gil", 1, 1.0, 10);
  r.memory.peak_rss = 123;
  r.memory.allocated = {{"int", {3, 72}}};
  CellRecord back = CellRecordFromJson(CellRecordToJson(r));
  EXPECT_EQ(back.memory.peak_rss, 123);
  EXPECT_EQ(back.memory.allocated["int"].bytes, 72);
}

// Flush computes the aggregates and the calibration block once and renders the table from them:
// results.txt is what Table() (no bootstrap) renders, and the files do not depend on which cells'
// aggregates were remembered from an earlier flush (a second flush, a store read back).
TEST_F(ResultsTest, FlushWritesTheSameFilesHoweverTheAggregatesWereComputed) {
  auto read = [](const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  ResultsStore store(dir_, context_);
  for (int rep = 0; rep < 3; ++rep)
    for (int t : {1, 2}) {
      const double jitter = 1.0 + 0.01 * rep;
      store.Add({"w", "gil", t, rep}, "cpu", Record("gil", t, 1.0 * jitter, 100 / t), 0.0, 0, 2);
      store.Add({"w", "brc", t, rep}, "cpu", Record("brc", t, 1.2 / t * jitter, 100 / t), 0.0, 0, 2);
      store.Add({"calibration", "machine", t, rep}, "calibration", Record("machine", t, 0.5 / t * jitter, 1000 / t),
                0.0, 0, 2);
    }
  store.Flush();
  const std::string json_text = read(dir_ / "results.json"), txt = read(dir_ / "results.txt");
  EXPECT_NE(txt.find("machine calibration"), std::string::npos) << txt;
  EXPECT_EQ(txt, store.Table());
  EXPECT_EQ(json::parse(json_text)["benchmarks"], store.Benchmarks());
  store.Flush();  // every cell's aggregates remembered
  EXPECT_EQ(read(dir_ / "results.json"), json_text);
  EXPECT_EQ(read(dir_ / "results.txt"), txt);
  ResultsStore::Load(dir_).Flush();  // none remembered
  EXPECT_EQ(read(dir_ / "results.json"), json_text);
  EXPECT_EQ(read(dir_ / "results.txt"), txt);
}

TEST_F(ResultsTest, TableColumnsFitTheLongestNames) {
  ResultsStore store(dir_, context_);
  for (int rep = 0; rep < 3; ++rep)
    for (int t : {1, 2}) {
      store.Add({"w", "gil", t, rep}, "cpu", Record("gil", t, 1.0, 100 / t), 0.0, 0, 2);
      store.Add({"w", "cpython-3.13t", t, rep}, "cpu", Record("cpython-3.13t", t, 1.2 / t, 100 / t), 0.0, 0, 2);
    }
  // Every row's thread count starts in the same column, whatever the variant's name.
  std::istringstream lines(store.Table());
  std::set<std::size_t> columns;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("w ", 0) != 0) continue;
    const std::size_t variant = line.find_first_not_of(' ', 1);
    const std::size_t after = line.find(' ', variant);
    columns.insert(line.find_first_not_of(' ', after));
  }
  EXPECT_EQ(columns.size(), 1u) << store.Table();
}

TEST(CellName, TheCellThenScalingAndPlacement) {
  EXPECT_EQ(CellName("fib", "brc", 4), "fib/brc/threads:4");
  EXPECT_EQ(RunName("fib", "brc", 4, "weak", "scatter"), "fib/brc/threads:4/weak/scatter");
}

TEST(SweepPlan, EveryCellOncePerRepetitionShuffledBySeed) {
  SweepSettings s;
  s.variants = {"gil", "atomic", "brc"};
  s.workloads = {"a", "b"};
  s.threads = {1, 2, 3};
  s.repetitions = 4;
  s.seed = 5;
  std::vector<PlannedRun> plan = PlanSweep(s);
  ASSERT_EQ(plan.size(), 3u * 2 * 3 * 4);
  for (int rep = 0; rep < 4; ++rep) {
    std::set<std::string> seen;
    for (std::size_t i = rep * 18; i < (rep + 1) * 18u; ++i) {
      EXPECT_EQ(plan[i].key.repetition, rep);
      seen.insert(plan[i].key.workload + plan[i].key.variant + std::to_string(plan[i].key.threads));
    }
    EXPECT_EQ(seen.size(), 18u);
  }
  // Repetitions are ordered differently, and the same seed gives the same plan.
  bool differs = false;
  for (std::size_t i = 0; i < 18; ++i) differs |= plan[i].key.variant != plan[18 + i].key.variant || plan[i].key.workload != plan[18 + i].key.workload;
  EXPECT_TRUE(differs);
  std::vector<PlannedRun> again = PlanSweep(s);
  for (std::size_t i = 0; i < plan.size(); ++i) EXPECT_EQ(plan[i].key.variant, again[i].key.variant);
}

TEST(SweepSettings, ModeAndIsolationRoundTrip) {
  SweepSettings s;
  s.valgrind = "/usr/bin/valgrind";
  s.in_process = false;
  json ft;
  s.WriteTo(ft);
  EXPECT_EQ(ft["mode"], "instructions");
  EXPECT_EQ(ft["isolation"], "process");
  SweepSettings back = SweepSettings::ReadFrom(ft);
  EXPECT_EQ(back.valgrind, "/usr/bin/valgrind");
  EXPECT_FALSE(back.in_process);
  SweepSettings timed;
  timed.in_process = true;
  json ft2;
  timed.WriteTo(ft2);
  EXPECT_EQ(ft2["mode"], "time");
  EXPECT_EQ(ft2["isolation"], "none");
  EXPECT_TRUE(SweepSettings::ReadFrom(ft2).valgrind.empty());
  EXPECT_TRUE(SweepSettings::ReadFrom(ft2).in_process);
}

TEST(Callgrind, TotalFromTheOutputFile) {
  fs::path file = fs::temp_directory_path() / ("ftbench-callgrind-" + std::to_string(getpid()) + ".out");
  auto write = [&](const std::string& text) { std::ofstream(file) << text; };
  // The shape callgrind 3.19 writes: header, cost lines, then summary and totals.
  write("# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 42\ncmd: ftbench cell\npart: 1\n\n"
        "positions: line\nevents: Ir\nsummary: 123456789\n\nfn=(1) main\n0 5\n\ntotals: 123456789\n");
  EXPECT_EQ(CallgrindTotal(file), 123456789u);
  write("events: Ir\nsummary: 77\nfn=(1) f\n0 77\n");  // no totals line: the summary
  EXPECT_EQ(CallgrindTotal(file), 77u);
  write("events: Ir\nfn=(1) f\n0 77\n");
  EXPECT_THROW(CallgrindTotal(file), std::runtime_error);
  write("events: Ir\ntotals: lots\n");
  EXPECT_THROW(CallgrindTotal(file), std::runtime_error);
  fs::remove(file);
  EXPECT_THROW(CallgrindTotal(file), std::runtime_error);
}

}  // namespace
}  // namespace ftb::bench
