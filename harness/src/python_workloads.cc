#include "python_workloads.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <mutex>
#include <vector>

#include "ftb/interp/frontend.h"

namespace ftb::bench {
namespace {

namespace fs = std::filesystem;

std::int64_t ParseCount(const fs::path& file, const std::string& key, const std::string& value) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < 0)
    throw WorkloadFileError(fmt::format("{}: header '# {}: {}' is not a whole number", file.string(), key, value));
  return n;
}

// Which file each registered Python workload came from.
std::map<std::string, fs::path>& Registered() {
  static std::map<std::string, fs::path> files;
  return files;
}

}  // namespace

fs::path PythonWorkloadFile(const std::string& name) {
  auto it = Registered().find(name);
  return it == Registered().end() ? fs::path() : it->second;
}

fs::path ShippedPythonWorkloadDir() {
  // As FindPythonTools (python_tool.h): beside the installed binary (FTB_TOOLS_FROM_BINDIR is
  // share/ftbench/plots relative to bin/), else the source tree, for a binary in its build tree.
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  fs::path installed = (exe.parent_path() / FTB_TOOLS_FROM_BINDIR / ".." / "workloads" / "py").lexically_normal();
  if (fs::is_directory(installed, ec)) return installed;
  fs::path build_dir = fs::weakly_canonical(FTB_BINARY_DIR, ec);
  if (!ec && exe.parent_path() == build_dir) {
    fs::path source = fs::path(FTB_SOURCE_DIR) / "workloads" / "py";
    if (fs::is_directory(source, ec)) return source;
  }
  return {};
}

WorkloadSpec ParsePythonWorkloadHeader(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw WorkloadFileError(fmt::format("cannot read workload file {}", file.string()));
  WorkloadSpec spec;
  spec.name = "py." + file.stem().string();
  spec.tier = "py";
  std::map<std::string, std::string> fields;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '#') break;
    std::string text = line.substr(1);
    auto colon = text.find(':');
    if (colon == std::string::npos) continue;
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    std::string key = trim(text.substr(0, colon));
    if (key.empty() || key.find(' ') != std::string::npos) continue;
    fields.emplace(key, trim(text.substr(colon + 1)));
  }
  for (const char* required : {"category", "size", "validate-size", "description"})
    if (!fields.contains(required))
      throw WorkloadFileError(fmt::format("{}: the header has no '# {}: ...' line (workloads/README.md lists them)",
                                          file.string(), required));
  spec.category = fields["category"];
  spec.description = fields["description"];
  spec.origin = fields.contains("origin") ? fields["origin"] : "";
  spec.default_size = ParseCount(file, "size", fields["size"]);
  spec.validate_size = ParseCount(file, "validate-size", fields["validate-size"]);
  if (spec.default_size < 1 || spec.validate_size < 1)
    throw WorkloadFileError(fmt::format("{}: size and validate-size must be at least 1", file.string()));
  if (fields.contains("fds-per-thread"))
    spec.fds_per_thread = static_cast<int>(ParseCount(file, "fds-per-thread", fields["fds-per-thread"]));
  return spec;
}

void RegisterPythonWorkloads(const fs::path& file_or_dir, bool compile_now) {
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(file_or_dir, ec)) {
    for (const fs::directory_entry& e : fs::directory_iterator(file_or_dir, ec))
      if (e.is_regular_file() && e.path().extension() == ".py") files.push_back(e.path());
    if (ec) throw WorkloadFileError(fmt::format("cannot list {}: {}", file_or_dir.string(), ec.message()));
    std::sort(files.begin(), files.end());
  } else if (fs::is_regular_file(file_or_dir, ec)) {
    if (file_or_dir.extension() != ".py")
      throw WorkloadFileError(fmt::format("{} is not a Python file (.py)", file_or_dir.string()));
    files.push_back(file_or_dir);
  } else {
    throw WorkloadFileError(fmt::format("no such workload file or directory: {}", file_or_dir.string()));
  }
  for (const fs::path& file : files) {
    fs::path canonical = fs::weakly_canonical(file, ec);
    WorkloadSpec spec = ParsePythonWorkloadHeader(file);
    if (auto it = Registered().find(spec.name); it != Registered().end()) {
      if (it->second == canonical) continue;
      throw WorkloadFileError(fmt::format("two workload files are named {}: {} and {}", spec.name,
                                          it->second.string(), canonical.string()));
    }
    for (const Variant& v : Variants())
      for (const WorkloadEntry& w : v.workloads)
        if (w.spec.name == spec.name)
          throw WorkloadFileError(fmt::format("{}: the name {} is taken by a built-in workload", file.string(), spec.name));
    // Compiled now (a user's file: its syntax errors are reported before anything runs), or on
    // the first cell that needs it (the shipped files, so that a process running only C++
    // workloads never holds their code).
    struct Compiled {
      std::once_flag once;
      std::shared_ptr<const bc::CodeUnit> code;
      std::string error;
    };
    auto compiled = std::make_shared<Compiled>();
    std::string path = file.string();
    auto compile = [compiled, path] {
      std::call_once(compiled->once, [&] {
        try {
          compiled->code = bc::CompileFile(path);
        } catch (const bc::SyntaxError& e) {
          compiled->error = e.what();
        } catch (const std::runtime_error& e) {
          compiled->error = e.what();
        }
      });
      if (!compiled->code) throw WorkloadFileError(compiled->error);
      return compiled->code;
    };
    if (compile_now) compile();
    for (Variant& v : Variants()) {
      if (!v.runtime.python_cell) continue;
      auto make = v.runtime.python_cell;
      v.workloads.push_back({spec, [make, compile](const CellConfig& config) { return make(compile(), config); }});
    }
    Registered().emplace(spec.name, canonical);
  }
}

}  // namespace ftb::bench
