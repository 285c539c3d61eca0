// frame.h (internal to interp/): the eval loop's objects and frames: code objects, Python
// functions, the per-thread frame stack, and what the eval loop shares with the Module API and
// with class construction (eval.cc, code.cc, class.cc, module.cc).
//
// Frames (CPython's _PyInterpreterFrame): fast locals and the value stack are one array of
// StackRefs, `localsplus`, right after the frame header, in a per-thread chunked data stack
// (CPython's _PyThreadState_PushFrame): a call allocates nothing. Each frame links its StackRef
// region into the thread's StackRoots chain (ThreadState::stack_roots) so that the deferred
// collector can scan it; the eval loop stores its stack pointer into `stack_top` at calls and at
// eval-breaker checks, the points where another thread may scan.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "ftb/extend.h"
#include "ftb/interp/code_unit.h"
#include "ftb/runtime.h"
#include "ftb/stackref.h"
#include "objects.h"

FTB_NAMESPACE_BEGIN
namespace interp {

// ---- code objects ---------------------------------------------------------------------------------
// A CodeUnit made into runtime objects: constants (strs interned, ints and floats owned, or
// immortal with the immortal-constants mechanism in brc), names interned, nested code units as
// nested code objects. The CodeUnit is kept for the instructions, the line table and the
// exception table.
struct CodeObject : Object {
  std::shared_ptr<const bc::CodeUnit> unit;
  const bc::Instr* instrs;
  std::uint32_t ninstrs;
  std::uint32_t argcount;
  std::uint32_t nlocals;
  std::uint32_t stacksize;
  bc::CodeUnit::Kind kind;
  std::vector<Object*> consts;    // owned references (immortal ones need none)
  std::vector<Object*> names;     // interned strs (immortal)
  std::vector<Object*> varnames;  // interned strs
  Object* name;                   // interned strs
  Object* qualname;
  Object* filename;
};
extern TypeObject g_code_type;
// Makes the code object of `unit` and, recursively, of its nested units.
Ref NewCode(std::shared_ptr<const bc::CodeUnit> unit);

// ---- Python functions ---------------------------------------------------------------------------------
struct PyFunctionObject : Object {
  CodeObject* code;  // owned
  Object* globals;   // owned: the module's globals dict
  Object* defaults;  // owned tuple, or null
};
extern TypeObject g_pyfunction_type;
// `nested`: made by a function's code (a def inside a def); other functions (module level, class
// bodies) get deferred counts, as CPython 3.14 does for functions without CO_NESTED.
Ref NewFunction(CodeObject* code, Object* globals, Object* defaults, bool nested);

// ---- the mechanisms of ftb/mechanisms.h, as the interpreter applies them ---------------------------
// Gives `op` (a code object, function, globals dict or class) a deferred reference count (brc,
// with the mechanism on; nothing otherwise).
void DeferRefcount(Object* op) noexcept;
// A code constant (an int or float the compiler made): with the immortal-constants mechanism in
// brc, the process's one immortal object of that value; else returned as is (owned by the code
// object).
Ref ImmortalizeConstant(Ref constant) noexcept;
// Frees the deferred objects nothing refers to any more (after a module's globals were cleared).
void CollectDeferredObjects() noexcept;

// ---- classes (class.cc) --------------------------------------------------------------------------------
inline bool IsClass(const Object* op) noexcept {
  return op->type == &g_type_type && static_cast<const TypeObject*>(op)->dict != nullptr;
}
// `name` in the class or its bases (TypeObject::base); null when absent.
StackRef LookupClassAttr(TypeObject* cls, Object* name);
// The class made from a class body's namespace (BUILD_CLASS): `base` a class or null.
Ref MakeClass(Object* name, Object* namespace_dict, Object* base);
// obj.name (LOAD_ATTR) and obj.name = v (STORE_ATTR): instances, classes, modules, built-in
// objects' methods. Null StackRef / -1 with AttributeError pending.
StackRef LoadAttr(Object* obj, Object* name);
int StoreAttr(Object* obj, Object* name, Object* value);
// LOAD_METHOD: out[0] = the function and out[1] = obj (a method to call with obj first), or
// out[0] = the attribute and out[1] null. Consumes `obj`. False with an exception pending.
bool LoadMethod(StackRef obj, Object* name, StackRef* out);

// ---- frames ----------------------------------------------------------------------------------------------
struct Frame {
  StackRoots roots;        // base = localsplus(), top = &stack_top
  StackRef* stack_top;     // the value stack's top as of the last call or eval-breaker check
  Frame* previous;
  CodeObject* code;        // the code being run, held by `executable`
  // The frame's own reference to its code, as CPython's f_executable: a counted reference per
  // call in 3.12/3.13 (Py_NewRef), a stack reference in 3.14 (no count written when the code is
  // deferred or immortal). So here: StackRef::New, closed when the frame is popped.
  StackRef executable;
  Object* globals;         // borrowed likewise
  Object* locals;          // the namespace dict of class bodies and module code; null otherwise
  char* saved_data_top;    // where the data stack was before this frame
  void* saved_chunk;
  StackRef* localsplus() noexcept { return reinterpret_cast<StackRef*>(this + 1); }
};
static_assert(sizeof(Frame) % alignof(StackRef) == 0);

// A frame for `code` on the calling thread's data stack, its locals null, linked into the
// thread's frame chain and StackRoots. Null with RecursionError pending past kMaxDepth.
Frame* PushFrame(ThreadState* ts, CodeObject* code, Object* globals, Object* locals);
// Runs a pushed frame to its end and pops it: the return value, or a null StackRef with the
// exception pending (its traceback extended by this frame).
StackRef EvalFrame(ThreadState* ts, Frame* frame);

// Calls any callable with borrowed arguments (Python functions, native functions, classes,
// built-in types, bound methods, types with a call slot): an owned result or a null StackRef
// with an exception pending.
StackRef CallObject(Object* callable, std::span<Object* const> args);

// ---- LOAD_FAST / STORE_FAST -------------------------------------------------------------------------------
// Only the frame is touched: a load duplicates the local's StackRef (an incref on the owning
// thread's non-atomic path in brc, nothing for a tagged slot), a store moves the value in and
// closes the old one. tests/interp/check_eval_asm.py proves from the compiled code that in brc
// these contain no locked instruction. Always inlined, in every variant alike.
FTB_ALWAYS_INLINE bool LoadFast(StackRef* locals, std::uint32_t index, StackRef*& sp) noexcept {
  StackRef value = locals[index];
  if (value.is_null()) [[unlikely]] return false;
  *sp++ = value.Dup();
  return true;
}
// LOAD_FAST_BORROW: the local's object without a reference (frontend/borrow.h proved the local
// outlives the slot).
FTB_ALWAYS_INLINE bool LoadFastBorrow(StackRef* locals, std::uint32_t index, StackRef*& sp) noexcept {
  StackRef value = locals[index];
  if (value.is_null()) [[unlikely]] return false;
  *sp++ = value.Borrow();
  return true;
}
FTB_ALWAYS_INLINE void StoreFast(StackRef* locals, std::uint32_t index, StackRef*& sp) noexcept {
  StackRef old = locals[index];
  locals[index] = *--sp;
  old.Close();
}

}  // namespace interp
FTB_NAMESPACE_END
