// ftbench dis FILE: compiles a Python file with the interpreter tier's front end and prints its
// bytecode (every code unit, with line numbers, jump targets and the exception table), in the
// spirit of Python's `dis` module. A syntax error prints FILE:LINE:COLUMN and exits 2.
#include <fmt/core.h>

#include <memory>

#include "commands.h"
#include "ftb/interp/frontend.h"

namespace ftb::cli {

void AddDisCommand(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("dis", "Compile a Python file with ftbench's interpreter and print its bytecode");
  cmd->add_option("file", *file, "a Python file (workloads/py/*.py, or your own)")->required();
  cmd->callback([file] {
    std::shared_ptr<const bc::CodeUnit> code;
    try {
      code = bc::CompileFile(*file);
    } catch (const bc::SyntaxError& e) {
      throw UsageError(e.what());
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
    fmt::print("{}", bc::Disassemble(*code));
  });
}

}  // namespace ftb::cli
