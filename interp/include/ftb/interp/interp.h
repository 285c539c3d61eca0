// ftb/interp/interp.h: running Python code on the runtime (compiled once per variant, like the
// runtime and the workloads; the variant is the one of ftb/variant.h, used through the Policy).
//
// A Module is one loaded Python file: its globals, the objects its code made, and a way to call
// its functions from C++ (how a Python workload's setup, worker and finish are run). The calling
// thread must be attached (ftb::ThreadAttach) for every call, including the destructor.
//
// Errors: a Python exception that escapes a call from C++ becomes a PyException (a C++
// exception) carrying the exception's type name, message and a Python-style traceback; the
// interpreter's state is clean afterwards (no pending exception, every frame's references
// released), so the caller can report it and go on.
#pragma once

#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ftb/interp/code_unit.h"
#include "ftb/runtime.h"

FTB_NAMESPACE_BEGIN
namespace interp {

class PyException : public std::runtime_error {
 public:
  PyException(std::string type_name, std::string message, std::string traceback);
  const std::string& type_name() const noexcept { return type_name_; }
  const std::string& message() const noexcept { return message_; }
  // "Traceback (most recent call last):\n  File "f.py", line 3, in worker\n...\nValueError: msg"
  const std::string& traceback() const noexcept { return traceback_; }

 private:
  std::string type_name_;
  std::string message_;
  std::string traceback_;
};

// The mechanisms of ftb/mechanisms.h (deferred counts, per-thread type counts, immortal constants)
// apply to the objects a module makes; set them before loading it.

class Module {
 public:
  // Makes the module's objects from compiled code and runs its top-level code. Throws PyException.
  static std::unique_ptr<Module> Load(std::shared_ptr<const bc::CodeUnit> code);
  ~Module();  // releases the globals and every object only the module kept alive
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  bool Has(std::string_view name) const;
  // Calls the module-level function `name` with the arguments (borrowed). Throws PyException.
  Ref Call(std::string_view name, std::span<Object* const> args);
  Ref Call(std::string_view name, std::initializer_list<Object*> args) {
    return Call(name, std::span<Object* const>(args.begin(), args.size()));
  }
  Object* globals() const noexcept;  // the module's globals dict (borrowed)

 private:
  Module() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace interp
FTB_NAMESPACE_END
