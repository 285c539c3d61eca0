#!/usr/bin/python3
"""Proves, from the compiled code, that the variants differ where they should and nowhere else.

usage: check_incref_asm.py VARIANT PROBE_OBJECT RUNTIME_LIBRARY [--library-unoptimised]

  gil     incref/decref: no locked instruction, no call but decref's call to Dealloc
  atomic  incref/decref: a locked read-modify-write; no other call
  brc     incref/decref owner paths: no locked instruction; the non-owner paths are calls to
          BrcPolicy::IncrefShared / DecrefShared, which do hold the locked instruction
  all     no indirect call or jump (no runtime dispatch); the mutex fast path of the free-threaded
          variants is one locked cmpxchg each way, and compiles to nothing in gil
  atomic, brc (optimised library): ListAppend takes the list's lock (a byte-wide locked
          cmpxchg); ListAppendNew and DictSetNew, which fill a container nobody else can reach
          yet, take no lock
"""
import re
import subprocess
import sys


def disassemble(path):
    """{function: [instruction]}; a call or jump's relocation target (unlinked objects) is
    appended to the instruction as '<target>'."""
    out = subprocess.run(["objdump", "-dr", "--no-show-raw-insn", "--demangle", path],
                         check=True, capture_output=True, text=True).stdout
    functions, name = {}, None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            name = m.group(1)
            functions[name] = []
            continue
        if not name:
            continue
        reloc = re.match(r"^\s+[0-9a-f]+: R_X86_64_\w+\s+(.*)$", line)
        if reloc and functions[name]:
            target = re.sub(r"[-+]0x[0-9a-f]+$", "", reloc.group(1))
            insn = functions[name][-1]
            if re.match(r"^(call|jmp)\s", insn):
                functions[name][-1] = re.sub(r"<.*>", "<" + target + ">", insn) if "<" in insn else insn + " <" + target + ">"
        elif re.match(r"^\s+[0-9a-f]+:\s", line):
            functions[name].append(line.split(":", 1)[1].strip())
    return functions


def find(functions, fragment):
    matches = [n for n in functions if fragment in n]
    if not matches:
        sys.exit(f"FAIL: no function matching {fragment!r} in the disassembly")
    return functions[matches[0]]


def locked(insns):
    return [i for i in insns if i.startswith("lock ")]


def calls(insns):
    """Direct calls and tail-call jumps to other functions (not jumps inside this one)."""
    return [i for i in insns if re.match(r"^(call|jmp)\s+[0-9a-f]+ <", i) and "+0x" not in i.split("<", 1)[1]]


def indirect(insns):
    return [i for i in insns if re.match(r"^(call|jmp)\s+\*", i)]


failures = []


def expect(cond, message, insns):
    if not cond:
        failures.append(message + "\n    " + "\n    ".join(insns))


def main():
    variant, probe, runtime = sys.argv[1:4]
    library_optimised = "--library-unoptimised" not in sys.argv[4:]
    fns = disassemble(probe)
    incref, decref, mutex = (find(fns, f"ftb_probe_{n}") for n in ("incref", "decref", "lock_unlock"))
    for label, insns in (("incref", incref), ("decref", decref), ("mutex", mutex)):
        expect(not indirect(insns), f"{variant} {label}: indirect call or jump (runtime dispatch)", insns)

    if variant == "gil":
        expect(not locked(incref), "gil incref: locked instruction", incref)
        expect(not calls(incref), "gil incref: makes a call", incref)
        expect(not locked(decref), "gil decref: locked instruction", decref)
        expect(all("Dealloc" in c for c in calls(decref)), "gil decref: calls something but Dealloc", decref)
        expect(len(mutex) <= 2, "gil mutex: the null lock should compile to a bare return", mutex)
    elif variant == "atomic":
        expect(locked(incref), "atomic incref: no locked instruction", incref)
        expect(not calls(incref), "atomic incref: makes a call", incref)
        expect(locked(decref), "atomic decref: no locked instruction", decref)
        expect(all("Dealloc" in c for c in calls(decref)), "atomic decref: calls something but Dealloc", decref)
    elif variant == "brc":
        expect(not locked(incref), "brc incref: locked instruction on the inlined (owner) path", incref)
        expect(any("IncrefShared" in c for c in calls(incref)), "brc incref: no call to IncrefShared", incref)
        expect(not locked(decref), "brc decref: locked instruction on the inlined (owner) path", decref)
        expect(any("DecrefShared" in c for c in calls(decref)), "brc decref: no call to DecrefShared", decref)
        if library_optimised:
            # In an unoptimised library the atomics are calls into std::atomic_ref; there the
            # out-of-line paths cannot be read off the function itself.
            lib = disassemble(runtime)
            shared_inc = find(lib, "BrcPolicy::IncrefShared")
            shared_dec = find(lib, "BrcPolicy::DecrefShared")
            expect(locked(shared_inc), "brc IncrefShared: no locked instruction", shared_inc)
            expect(locked(shared_dec), "brc DecrefShared: no locked instruction", shared_dec)
    else:
        sys.exit(f"unknown variant {variant!r}")

    if variant != "gil":
        cmpxchg = [i for i in locked(mutex) if "cmpxchg" in i]
        expect(len(cmpxchg) == 2, f"{variant} mutex: expected one locked cmpxchg to lock and one to unlock", mutex)
        expect(all("Slow" in c for c in calls(mutex)), f"{variant} mutex: fast path calls something but the slow paths", mutex)

        if library_optimised:
            # The per-object lock is one byte: its compare-and-swap names a byte register.
            def lock_cas(insns):
                return [i for i in locked(insns) if re.match(r"^lock cmpxchg %(al|bl|cl|dl|sil|dil|bpl|spl|r\d+b),", i)]
            lib = disassemble(runtime)
            append = find(lib, "ListAppend(")
            expect(lock_cas(append), f"{variant} ListAppend: no byte-wide locked cmpxchg (the list's lock)", append)
            for name in ("ListAppendNew(", "DictSetNew("):
                insns = find(lib, name)
                expect(not lock_cas(insns) and not any("BeginSlow" in c for c in calls(insns)),
                       f"{variant} {name[:-1]}: takes a lock on a container nobody else can reach", insns)

    if failures:
        print("\n".join("FAIL: " + f for f in failures))
        sys.exit(1)
    print(f"ok: {variant}: incref {len(incref)} insns ({len(locked(incref))} locked), "
          f"decref {len(decref)} insns ({len(locked(decref))} locked), mutex {len(mutex)} insns")


if __name__ == "__main__":
    main()
