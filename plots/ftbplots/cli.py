"""The entry point of the command-line scripts (ftbench_report.py, ftbench_compare.py).

One exit-code table for both, applied here and nowhere else:
  0   ok
  1   a regression (compare only: the command returns it, nothing here does)
  2   unusable input or environment: results.ResultsError (bad or unexpected content), an
      output path that cannot be written (OSError), numpy/matplotlib/scipy missing
  70  internal error: any other exception (a bug); one line naming the exception and where it
      was raised; FTB_DEBUG=1 (or the script's own variable) shows the traceback instead
  128 + signal when interrupted: SIGINT 130, SIGHUP 129, SIGTERM 143; one line, no traceback
Every error is one line "PROG: error: ..." on stderr. Only the standard library is imported
here, so that the scripts can import numpy and matplotlib inside the wrapper (a missing module
and a Ctrl-C during the slow imports are handled like the rest).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback

EXIT_OK = 0
EXIT_REGRESSION = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70
# Modules the scripts need from Debian (scripts/setup-debian.sh); missing, they are the
# environment's problem (exit 2), not a bug.
THIRD_PARTY = ("numpy", "matplotlib", "scipy")
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, with its errors one line "PROG: error: ..." and exit 2 like every other
    error here (argparse's own prints the usage first)."""

    def error(self, message):
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


class Interrupted(BaseException):
    """Raised in the main thread by SIGINT, SIGTERM or SIGHUP. A BaseException, like
    KeyboardInterrupt, so that `except Exception` cleanups let it through."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum, frame):
    _ignore_signals()  # a second Ctrl-C must not cut the cleanup (temporary output) short
    raise Interrupted(signum)


def _ignore_signals() -> None:
    for sig in HANDLED_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def _where(e: BaseException) -> str:
    frames = traceback.extract_tb(e.__traceback__)
    if not frames:
        return "unknown place"
    last = frames[-1]
    return f"{os.path.basename(last.filename)}:{last.lineno} in {last.name}"


def run(prog: str, body, debug_env: str, interrupted_note: str = "") -> int:
    """Runs body() (which returns the exit status) under the table above; returns the status.

    interrupted_note ends the line printed on an interrupt (e.g. what was left on disk).
    """
    for sig in HANDLED_SIGNALS:
        signal.signal(sig, _raise_interrupted)
    debug = bool(os.environ.get(debug_env) or os.environ.get("FTB_DEBUG"))
    try:
        return body()
    except (Interrupted, KeyboardInterrupt) as e:
        _ignore_signals()  # (KeyboardInterrupt: someone restored Python's own handler)
        signum = e.signum if isinstance(e, Interrupted) else signal.SIGINT
        note = f"; {interrupted_note}" if interrupted_note else ""
        _error(prog, f"interrupted by {signal.Signals(signum).name}{note}")
        return 128 + signum
    except SystemExit:
        raise  # argparse's usage errors (exit 2) and --help (exit 0)
    except Exception as e:  # noqa: BLE001 (the table's last line)
        from .results import ResultsError  # stdlib only: cheap, and not a cycle at import
        if isinstance(e, ResultsError):
            _error(prog, str(e))
            return EXIT_BAD_INPUT
        if isinstance(e, OSError):  # an output path that cannot be written, a full disk, ...
            where = f": {e.filename}" if e.filename else ""
            _error(prog, f"{e.strerror or e}{where}")
            return EXIT_BAD_INPUT
        if isinstance(e, ImportError) and (e.name or "").split(".")[0] in THIRD_PARTY:
            _error(prog, f"cannot import {e.name} ({e}): install Debian's python3-{e.name.split('.')[0]} "
                         "(scripts/setup-debian.sh) and run with /usr/bin/python3")
            return EXIT_BAD_INPUT
        if debug:
            traceback.print_exc()
        else:
            _error(prog, f"internal error: {type(e).__name__}: {_one_line(e)} (at {_where(e)}); "
                         f"rerun with {debug_env}=1 for the traceback")
        return EXIT_INTERNAL


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return text if len(text) <= 300 else text[:297] + "..."


def _error(prog: str, message: str) -> None:
    try:
        print(f"{prog}: error: {message}", file=sys.stderr, flush=True)
    except OSError:
        pass  # stderr is gone: the exit status is all that is left


def main(prog: str, body, debug_env: str, interrupted_note: str = "") -> None:
    """Runs body under run() and exits with its status (the scripts' __main__)."""
    status = run(prog, body, debug_env, interrupted_note)
    _ignore_signals()  # done: an interrupt now would only turn the status into a traceback
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        status = status or EXIT_BAD_INPUT  # stdout closed (e.g. `| head`): not a success
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second try at exit
    sys.exit(status)
