// Classes made by class statements, and attribute access (LOAD_ATTR, LOAD_METHOD, STORE_ATTR) on
// instances, classes, modules and built-in objects.
//
// Attribute lookups go through DictGetStackRef: a method found on a class is held on the value
// stack as a tagged reference when it is deferred or immortal, so calling a method of a class
// that every thread shares writes no count (brc).
#include <string>

#include "frame.h"

FTB_NAMESPACE_BEGIN
namespace interp {

namespace {
// Functions found on a class are bound to the instance: Python functions and the native methods
// of the built-in classes (the exception classes' __init__ and __str__).
bool IsMethod(const Object* op) noexcept {
  return op->type == &g_pyfunction_type || op->type == &g_function_type;
}

std::string AttrName(Object* name) { return std::string(AsStr(name)); }

StackRef NoAttribute(Object* obj, Object* name) {
  std::string message;
  if (IsClass(obj)) {
    message = "type object '" + std::string(static_cast<TypeObject*>(obj)->name) + "' has no attribute '" +
              AttrName(name) + "'";
  } else if (obj->type == &g_module_type) {
    message = std::string("module '") + static_cast<ModuleObject*>(obj)->name + "' has no attribute '" +
              AttrName(name) + "'";
  } else {
    message = std::string("'") + TypeName(obj) + "' object has no attribute '" + AttrName(name) + "'";
  }
  Raise(ExcType::kAttributeError, std::move(message));
  return StackRef();
}

Object* BaseName() {
  static Object* const name = InternStr("__base__").release();
  return name;
}
}  // namespace

StackRef LookupClassAttr(TypeObject* cls, Object* name) {
  for (TypeObject* t = cls; t != nullptr; t = t->base) {
    if (t->dict == nullptr) continue;
    StackRef value = DictGetStackRef(t->dict, name);
    if (!value.is_null()) return value;
  }
  return StackRef();
}

Ref MakeClass(Object* name, Object* namespace_dict, Object* base) {
  if (base != nullptr && !IsClass(base)) {
    if (base->type == &g_type_type) {
      return Raise(ExcType::kTypeError, std::string("ftbench's interpreter cannot subclass the built-in type '") +
                                            static_cast<TypeObject*>(base)->name + "'");
    }
    return Raise(ExcType::kTypeError, "bases must be types");
  }
  Ref cls = Class(AsStr(name), {});
  auto* type = static_cast<TypeObject*>(cls.get());
  DictUpdate(type->dict, namespace_dict);
  if (base != nullptr) {
    // The class dict keeps the base alive (TypeObject::base is a plain pointer).
    DictSet(type->dict, BaseName(), base);
    type->base = static_cast<TypeObject*>(base);
  }
  DeferRefcount(type);
  return cls;
}

StackRef LoadAttr(Object* obj, Object* name) {
  if (KindOf(obj) == Kind::kInstance) {
    StackRef value = DictGetStackRef(static_cast<InstanceObject*>(obj)->dict, name);
    if (!value.is_null()) return value;
    value = LookupClassAttr(obj->type, name);
    if (value.is_null()) return NoAttribute(obj, name);
    if (IsMethod(value.get())) {
      Ref method = NewMethod(value.get(), obj);
      value.Close();
      return StackRef::Steal(std::move(method));
    }
    return value;
  }
  if (IsClass(obj)) {
    StackRef value = LookupClassAttr(static_cast<TypeObject*>(obj), name);
    if (value.is_null()) return NoAttribute(obj, name);
    return value;
  }
  if (obj->type == &g_module_type) {
    StackRef value = DictGetStackRef(static_cast<ModuleObject*>(obj)->dict, name);
    if (value.is_null()) return NoAttribute(obj, name);
    return value;
  }
  Ref function = LookupBuiltinMethod(obj, name);
  if (!function) {
    if (ErrorPending()) return StackRef();
    return NoAttribute(obj, name);
  }
  return StackRef::Steal(NewMethod(function.get(), obj));
}

bool LoadMethod(StackRef obj, Object* name, StackRef* out) {
  Object* o = obj.get();
  if (KindOf(o) == Kind::kInstance) {
    StackRef value = DictGetStackRef(static_cast<InstanceObject*>(o)->dict, name);
    if (value.is_null()) {
      value = LookupClassAttr(o->type, name);
      if (!value.is_null() && IsMethod(value.get())) {
        out[0] = value;
        out[1] = obj;
        return true;
      }
    }
    if (value.is_null()) {
      NoAttribute(o, name);
      obj.Close();
      return false;
    }
    out[0] = value;
    out[1] = StackRef();
    obj.Close();
    return true;
  }
  if (IsClass(o) || o->type == &g_module_type) {
    out[0] = LoadAttr(o, name);
    out[1] = StackRef();
    obj.Close();
    return !out[0].is_null();
  }
  Ref function = LookupBuiltinMethod(o, name);
  if (!function) {
    if (!ErrorPending()) NoAttribute(o, name);
    obj.Close();
    return false;
  }
  out[0] = StackRef::Steal(std::move(function));
  out[1] = obj;
  return true;
}

int StoreAttr(Object* obj, Object* name, Object* value) {
  if (KindOf(obj) == Kind::kInstance) {
    DictSet(static_cast<InstanceObject*>(obj)->dict, name, value);
    return 0;
  }
  if (IsClass(obj)) {
    DictSet(static_cast<TypeObject*>(obj)->dict, name, value);
    return 0;
  }
  if (obj->type == &g_module_type) {
    DictSet(static_cast<ModuleObject*>(obj)->dict, name, value);
    return 0;
  }
  Raise(ExcType::kAttributeError,
        std::string("'") + TypeName(obj) + "' object has no attribute '" + AttrName(name) + "'");
  return -1;
}

}  // namespace interp
FTB_NAMESPACE_END
