// Compiled at -O2 per variant, never run: tests/runtime/check_incref_asm.py disassembles these
// functions to prove what each variant's reference-count and lock fast paths compile to.
#include "ftb/object.h"

extern "C" {
void ftb_probe_incref(ftb::Object* op) { ftb::Incref(op); }
void ftb_probe_decref(ftb::Object* op) { ftb::Decref(op); }
void ftb_probe_lock_unlock(ftb::ObjectMutex* m) {
  m->lock();
  m->unlock();
}
}
