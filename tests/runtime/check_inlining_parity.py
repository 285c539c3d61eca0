#!/usr/bin/python3
"""Proves, from the optimised runtime libraries, that code shared by every variant compiles the same
way in every variant: the hot helpers make the same calls, apart from the calls into each
variant's own mechanism (reference-count slow paths, critical sections, shared marking, QSBR).

usage: check_inlining_parity.py GIL_LIBRARY ATOMIC_LIBRARY BRC_LIBRARY

Without this, g++'s size-based inlining decides differently per variant (brc's header
initialisation is longer than gil's, so a helper can be inlined into Add in one variant and called
in another) and the difference would be measured as a locking strategy. The helpers carry
FTB_ALWAYS_INLINE or FTB_NOINLINE (ftb/base.h) instead; this test fails when a decision drifts.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_incref_asm import calls, disassemble  # noqa: E402

# The helpers every workload's inner loop goes through: creation of ints and floats, arithmetic and
# comparison, container reads and writes, instances and attributes.
HOT = ["Int(long)", "Float(double)", "Add(", "Sub(", "Mul(", "FloorDiv(", "Mod(", "TrueDiv(",
       "Compare(", "Eq(", "Hash(", "Str(std::", "Concat(", "Tuple(std::span", "TupleGet(",
       "ListGet(", "ListSet(", "ListAppend(", "ListPop(", "DictGet(", "DictSet(",
       "NewInstance(", "GetAttr(", "SetAttr(", "CallMethod("]

# Calls that are each variant's own mechanism, and may differ: the policies' out-of-line paths,
# critical sections and locks (and resuming a suspended one), brc's shared marking, the read
# paths behind a lock-free read (a shared item's, the locked one) and deferred frees, the dealloc
# a decref reaches (brc's owner decref goes through its merge instead), brc's per-thread class
# counts growing their array, exception cleanup.
MECHANISM = re.compile(r"Policy::|CriticalSection|GetShared|GetLocked|Mutex::|EnsureShared|FlagItemsIfShared|FlagDeferredFree|"
                       r"Qsbr|MergeZeroLocal|TryIncref|Dealloc\(|GrowTypeRefcounts|Ref::~Ref|_Unwind_Resume|"
                       r"\.text\.unlikely")
VARIANT_NAMESPACE = re.compile(r"\bftb::v_(gil|atomic|brc)::")


def hot_functions(library):
    """{hot helper: set of callees that are not a variant's mechanism}, with variant namespaces
    removed so that the three libraries' names compare equal."""
    functions = {VARIANT_NAMESPACE.sub("ftb::", name): insns for name, insns in disassemble(library).items()}
    found = {}
    for helper in HOT:
        names = [n for n in functions if re.search(r"(^|::)" + re.escape(helper), n)
                 and "[clone" not in n and "lambda" not in n]
        if len(names) != 1:
            sys.exit(f"FAIL: {library}: expected one function matching {helper!r}, found {names}")
        callees = set()
        for call in calls(functions[names[0]]):
            target = VARIANT_NAMESPACE.sub("ftb::", call.split("<", 1)[1].rsplit(">", 1)[0])
            if not MECHANISM.search(target):
                callees.add(target)
        found[helper] = callees
    return found


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    variants = dict(zip(("gil", "atomic", "brc"), (hot_functions(lib) for lib in sys.argv[1:4])))
    failures = []
    for helper in HOT:
        reference = variants["gil"][helper]
        for variant in ("atomic", "brc"):
            other = variants[variant][helper]
            if other != reference:
                failures.append(f"{helper}: gil and {variant} differ in their calls\n"
                                f"    only in gil: {sorted(reference - other)}\n"
                                f"    only in {variant}: {sorted(other - reference)}")
    # The arithmetic creates its result inline: a call to Int or Float there is an inlining accident.
    for variant, found in variants.items():
        for helper in ("Add(", "Sub(", "Mul(", "TrueDiv("):
            creators = [c for c in found[helper] if re.search(r"(^|::)(Int\(long\)|Float\(double\))", c)]
            if creators:
                failures.append(f"{variant} {helper}: calls {creators} instead of inlining it")
    if failures:
        print("\n".join("FAIL: " + f for f in failures))
        sys.exit(1)
    print(f"ok: {len(HOT)} hot helpers make the same calls in gil, atomic and brc")


if __name__ == "__main__":
    main()
