// Compiled at -O2 per variant, never run: tests/interp/check_eval_asm.py disassembles these
// functions (the eval loop's own LOAD_FAST, LOAD_FAST_BORROW and STORE_FAST, from frame.h) to prove what they
// compile to in each variant.
#include "frame.h"

extern "C" {
bool ftb_probe_load_fast(ftb::StackRef* locals, std::uint32_t index, ftb::StackRef** sp) {
  return ftb::interp::LoadFast(locals, index, *sp);
}
bool ftb_probe_load_fast_borrow(ftb::StackRef* locals, std::uint32_t index, ftb::StackRef** sp) {
  return ftb::interp::LoadFastBorrow(locals, index, *sp);
}
void ftb_probe_store_fast(ftb::StackRef* locals, std::uint32_t index, ftb::StackRef** sp) {
  ftb::interp::StoreFast(locals, index, *sp);
}
}
