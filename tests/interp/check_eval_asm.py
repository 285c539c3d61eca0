#!/usr/bin/python3
"""Proves, from the compiled code, what the eval loop's fast locals cost in each variant.

usage: check_eval_asm.py VARIANT PROBE_OBJECT INTERP_LIBRARY [--library-unoptimised]

  The probe compiles the eval loop's own LOAD_FAST and STORE_FAST helpers (interp/src/frame.h).
  gil     no locked instruction; the only call is a decref's call to Dealloc
  atomic  a locked read-modify-write (every count change is one)
  brc     no locked instruction: the owner's count is a plain load and store; the other paths are
          calls to BrcPolicy::IncrefShared / DecrefShared / MergeZeroLocal, out of line
  all     no indirect call or jump; LOAD_FAST_BORROW (the probe's third helper) no locked
          instruction and no call at all, atomic included: it touches no count
  The eval loop itself (interp::EvalFrame in the library), in gil and brc: no locked instruction
  anywhere in it (every count change inlined there is the owner's or the plain one, and the
  eval-breaker check is a load); in every variant, computed-goto dispatch kept per handler: at
  least MIN_DISPATCH_SITES indirect jumps (the instruction set has 49 opcodes; g++ merges them
  into about a dozen without -fno-crossjumping). With --library-unoptimised (a Debug build's -O0
  library) the dispatch count is not checked: g++ factors every computed goto into one indirect
  jump and only its optimiser duplicates it back into the handlers.
"""
import re
import subprocess
import sys


def disassemble(path):
    """{function: [instruction]}; a call's relocation target (unlinked objects) is appended as
    '<target>'."""
    out = subprocess.run(["objdump", "-dr", "--no-show-raw-insn", "--demangle", path],
                         check=True, capture_output=True, text=True).stdout
    functions, name = {}, None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            name = m.group(1)
            functions.setdefault(name, [])
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
    return [i for i in insns if re.match(r"^(call|jmp)\s+[0-9a-f]+ <", i) and "+0x" not in i.split("<", 1)[1]]


def indirect(insns):
    return [i for i in insns if re.match(r"^(call|jmp)\s+\*", i)]


MIN_DISPATCH_SITES = 40

failures = []


def expect(cond, message, insns):
    if not cond:
        failures.append(message + "\n    " + "\n    ".join(insns[:80]))


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[4:] not in ([], ["--library-unoptimised"]):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    variant, probe, library = sys.argv[1:4]
    library_optimised = "--library-unoptimised" not in sys.argv[4:]
    fns = disassemble(probe)
    load, store = (find(fns, f"ftb_probe_{n}") for n in ("load_fast", "store_fast"))
    for label, insns in (("LOAD_FAST", load), ("STORE_FAST", store)):
        expect(not indirect(insns), f"{variant} {label}: indirect call or jump", insns)
        if variant == "gil":
            expect(not locked(insns), f"gil {label}: locked instruction", insns)
            expect(all("Dealloc" in c for c in calls(insns)), f"gil {label}: calls something but Dealloc", insns)
        elif variant == "atomic":
            expect(locked(insns), f"atomic {label}: no locked instruction", insns)
        elif variant == "brc":
            expect(not locked(insns), f"brc {label}: locked instruction on the inlined (owner) path", insns)
            allowed = ("IncrefShared", "DecrefShared", "MergeZeroLocal", "Dealloc")
            expect(all(any(a in c for a in allowed) for c in calls(insns)),
                   f"brc {label}: calls something but the out-of-line count paths", insns)
        else:
            sys.exit(f"unknown variant {variant!r}")
    expect(any("IncrefShared" in c for c in calls(load)) or variant != "brc",
           "brc LOAD_FAST: no call to IncrefShared (the non-owner path)", load)
    # LOAD_FAST_BORROW touches no count in any variant, atomic's included: no locked instruction,
    # no call (to a count path or anything else).
    borrow = find(fns, "ftb_probe_load_fast_borrow")
    expect(not locked(borrow) and not calls(borrow) and not indirect(borrow),
           f"{variant} LOAD_FAST_BORROW: a locked instruction or a call", borrow)

    lib = disassemble(library)
    evals = [n for n in lib if "interp::EvalFrame" in n]
    expect(bool(evals), "no interp::EvalFrame in the library", [])
    loop = [i for n in evals for i in lib[n]]  # the function and its .cold part
    if variant in ("gil", "brc"):
        expect(not locked(loop), f"{variant} EvalFrame: locked instruction in the eval loop", locked(loop))
    expect(len(indirect(loop)) >= MIN_DISPATCH_SITES or not library_optimised, f"{variant} EvalFrame: expected computed-goto dispatch "
           f"with a jump per handler (>= {MIN_DISPATCH_SITES} indirect jumps), found {len(indirect(loop))}",
           indirect(loop))

    if failures:
        print("\n".join("FAIL: " + f for f in failures))
        sys.exit(1)
    print(f"ok: {variant}: LOAD_FAST {len(load)} insns ({len(locked(load))} locked), "
          f"LOAD_FAST_BORROW {len(borrow)} insns, "
          f"STORE_FAST {len(store)} insns ({len(locked(store))} locked), "
          f"EvalFrame {len(loop)} insns ({len(locked(loop))} locked, {len(indirect(loop))} dispatch jumps)")


if __name__ == "__main__":
    main()
