// The Module API of ftb/interp/interp.h: loading compiled code, calling its functions from C++,
// and turning a Python exception that escapes into a PyException.
#include <string>
#include <utility>
#include <vector>

#include "frame.h"
#include "ftb/interp/interp.h"

FTB_NAMESPACE_BEGIN
namespace interp {

PyException::PyException(std::string type_name, std::string message, std::string traceback)
    : std::runtime_error(message.empty() ? type_name : type_name + ": " + message),
      type_name_(std::move(type_name)),
      message_(std::move(message)),
      traceback_(std::move(traceback)) {}

namespace {
// "dir/fib.py" -> "fib": the module's __name__ (never "__main__", so that a workload's
// `if __name__ == "__main__":` block does not run when ftbench loads it).
std::string ModuleName(const std::string& filename) {
  std::string name = filename;
  if (auto slash = name.find_last_of('/'); slash != std::string::npos) name = name.substr(slash + 1);
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".py") == 0) name.resize(name.size() - 3);
  return name.empty() ? "module" : name;
}

// Takes the pending exception and leaves the thread clean: no pending or handled exception.
PyException TakeException() {
  InterpThread& it = CurrentInterpThread();
  Ref exc = FetchError();
  it.handled.reset();
  if (!exc) return PyException("RuntimeError", "an error was reported without an exception", "");
  std::string type_name = TypeName(exc.get());
  if (IsClass(exc.get())) type_name = static_cast<TypeObject*>(exc.get())->name;
  std::string message = ExceptionMessage(exc.get());
  std::string text = "Traceback (most recent call last):\n";
  if (KindOf(exc.get()) == Kind::kInstance) {
    static Object* const tb_name = InternStr("__traceback__").release();
    Ref tb = DictGet(static_cast<InstanceObject*>(exc.get())->dict, tb_name);
    if (tb && tb->type == &g_list_type) {
      std::size_t n = ListSize(tb.get());
      for (std::size_t i = 0; i < n; ++i) {
        Ref entry = ListGet(tb.get(), static_cast<std::int64_t>(i));
        if (!entry || entry->type != &g_tuple_type || TupleSize(entry.get()) != 3) continue;
        Ref file = TupleGet(entry.get(), 0), line = TupleGet(entry.get(), 1), fn = TupleGet(entry.get(), 2);
        text += "  File \"" + std::string(AsStr(file.get())) + "\", line " + std::to_string(AsInt(line.get())) +
                ", in " + std::string(AsStr(fn.get())) + "\n";
      }
    }
  }
  text += message.empty() ? type_name : type_name + ": " + message;
  return PyException(std::move(type_name), std::move(message), std::move(text));
}

// Empties a dict (breaks the cycles functions and classes make through their globals).
void ClearDict(Object* dict) {
  std::vector<Ref> keys;
  std::size_t pos = 0;
  Ref key, value;
  while (DictNext(dict, pos, key, value)) keys.push_back(std::move(key));
  value.reset();
  for (const Ref& k : keys) DictDel(dict, k.get());
}
}  // namespace

struct Module::Impl {
  Ref globals;
  Ref code;
};

std::unique_ptr<Module> Module::Load(std::shared_ptr<const bc::CodeUnit> unit) {
  InitInterpreter();
  std::unique_ptr<Module> module(new Module());
  module->impl_ = std::make_unique<Impl>();
  Ref globals = Dict();
  DictSet(globals.get(), InternStr("__name__").get(), Str(ModuleName(unit->filename)).get());
  DictSet(globals.get(), InternStr("__file__").get(), Str(unit->filename).get());
  DictSet(globals.get(), InternStr("__builtins__").get(), BuiltinsDict());
  DeferRefcount(globals.get());
  module->impl_->globals = globals;
  module->impl_->code = NewCode(std::move(unit));
  ThreadState* ts = CurrentThreadState();
  FTB_CHECK(ts != nullptr, "Module::Load needs an attached thread state");
  Frame* frame = PushFrame(ts, static_cast<CodeObject*>(module->impl_->code.get()), globals.get(), globals.get());
  StackRef result = frame != nullptr ? EvalFrame(ts, frame) : StackRef();
  if (result.is_null()) {
    PyException error = TakeException();
    globals.reset();
    module.reset();
    throw error;
  }
  result.Close();
  return module;
}

Module::~Module() {
  if (impl_ == nullptr) return;
  if (impl_->globals) ClearDict(impl_->globals.get());
  impl_->globals.reset();
  impl_->code.reset();
  CollectDeferredObjects();
}

bool Module::Has(std::string_view name) const {
  Ref value = DictGet(impl_->globals.get(), InternStr(name).get());
  return static_cast<bool>(value);
}

Ref Module::Call(std::string_view name, std::span<Object* const> args) {
  Ref function = DictGet(impl_->globals.get(), InternStr(name).get());
  if (!function) {
    std::string message = "name '" + std::string(name) + "' is not defined";
    throw PyException("NameError", message, "Traceback (most recent call last):\nNameError: " + message);
  }
  StackRef result = CallObject(function.get(), args);
  if (result.is_null()) throw TakeException();
  return result.ToRef();
}

Object* Module::globals() const noexcept { return impl_->globals.get(); }

}  // namespace interp
FTB_NAMESPACE_END
