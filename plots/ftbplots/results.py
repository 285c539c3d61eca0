"""Loading and validating results.json (docs/results-format.md, schema versions 1 and 2).

Every problem with the input, from a missing directory to a sweep with no multi-thread cells,
raises ResultsError with a message meant for the person who ran the sweep; nothing else escapes
from load(). The charts read the median aggregate row of each cell (the harness puts the derived
metrics there) and, for the comparison chart, nothing more.

load() is the one place that checks the shape of what the report and compare read: a file that
is not JSON, NaN or Infinity, numbers beyond 64 bits, nesting deeper than MAX_DEPTH, a field of the
wrong type or null where a value is needed, and a row that repeats another are refused here, with
the field named; code past load() may rely on the types documented in docs/results-format.md.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

# Version 2 writes wall_seconds as a number in every row, its interval in wall_seconds_ci.
SUPPORTED_SCHEMAS = (1, 2)
RESULTS_FILE = "results.json"
MICRO_FILE = "micro.json"
# Variants in the order the runtime registers them; variants not listed here sort after, by name.
KNOWN_VARIANTS = ("gil", "atomic", "brc")
COUNTER_NAMES = ("gil_switches", "gil_drop_requests", "gil_wait_ns", "lock_slow_paths",
                 "lock_parks", "lock_handoffs", "shared_refcount_ops", "queued_objects",
                 "merges", "deferred_frees")
ROW_FIELDS = ("name", "run_type", "workload", "variant", "threads", "real_time", "time_unit")
MEDIAN_METRICS = ("wall_seconds", "speedup", "efficiency")
# A results file is about 4 levels deep; anything much deeper is not one (and deep enough nesting
# exhausts Python's recursion limit in whatever walks it).
MAX_DEPTH = 32
MAX_INTEGER = 2 ** 64      # the harness writes 64-bit integers at most
MAX_THREADS = 4096         # ftbench run --threads
MAX_MEASURE = 1e15         # bound on times, units and latencies: beyond it no measurement, and
                           # products and ratios of such numbers stay finite
STRING_FIELDS = ("name", "run_type", "workload", "variant", "time_unit")
OPTIONAL_STRING_FIELDS = ("aggregate_name", "placement", "scaling", "category", "run_name")


class ResultsError(Exception):
    """The results cannot be charted; the message says why and, where it can, what to do."""


@dataclass(frozen=True)
class Metric:
    """A derived metric of a cell: the value and its bootstrap 95% confidence interval."""
    value: float
    ci_low: float
    ci_high: float


@dataclass
class Cell:
    """One (workload, variant, threads, placement, scaling) cell, read from its median row."""
    workload: str
    variant: str
    threads: int
    placement: str
    scaling: str
    category: str
    median: dict
    iterations: list = field(default_factory=list)

    def metric(self, name: str) -> Metric | None:
        return _parse_metric(_metric_field(self.median, name))

    @property
    def units(self) -> float | None:
        return self.median.get("units")

    @property
    def counters(self) -> dict:
        return self.median.get("counters") or {}

    @property
    def latency_ns(self) -> dict | None:
        return self.median.get("latency_ns") or None


@dataclass
class Results:
    """A validated results.json: the context and the cells of its main (scaling, placement)."""
    path: Path
    context: dict
    cells: list
    other_configs: list  # (scaling, placement) pairs present but not charted
    # The machine calibration (ftbplots.calibration): the top-level "calibration" block and the
    # calibration/machine cells, which are kept out of `cells`. None and [] in files without one.
    calibration: dict | None = None
    calibration_cells: list = field(default_factory=list)

    def __post_init__(self):
        self._by_key = {(c.workload, c.variant, c.threads): c for c in self.cells}

    @property
    def ftbench(self) -> dict:
        return self.context.get("ftbench", {})

    @property
    def variants(self) -> list:
        present = {c.variant for c in self.cells}
        return sorted(present, key=_variant_order_key)

    @property
    def workloads(self) -> list:
        """Workloads in the order of context.ftbench.workloads, then in order of appearance."""
        order = {w: i for i, w in enumerate(self.ftbench.get("workloads", []))}
        seen = list(dict.fromkeys(c.workload for c in self.cells))
        return sorted(seen, key=lambda w: (order.get(w, len(order)), seen.index(w)))

    @property
    def thread_counts(self) -> list:
        return sorted({c.threads for c in self.cells})

    def cell(self, workload: str, variant: str, threads: int) -> Cell | None:
        return self._by_key.get((workload, variant, threads))

    def max_threads(self, workload: str) -> int:
        return max(c.threads for c in self.cells if c.workload == workload)

    def require_multithread(self) -> None:
        """Raises unless some cell ran with more than one thread (the scaling charts need it)."""
        if max(self.thread_counts) < 2:
            raise ResultsError(
                f"{self.path} has no multi-thread cells (thread counts: {self.thread_counts}); "
                "the scaling charts need a sweep over more than one thread count")

    def machine_caption(self) -> str:
        """One line naming the machine, the date and the commit, for chart captions."""
        m = machine(self)
        return (f"{m['host']} · {m['cpu model']} · {m['cores']} cores · {m['date']} · "
                f"commit {m['commit']}")


def machine(results: Results) -> dict:
    """The machine context as an ordered name -> text mapping (report tables and captions)."""
    ctx, ftb = results.context, results.ftbench
    commit = str(ftb.get("git_commit", "unknown"))
    if ftb.get("git_dirty"):
        commit += " (dirty)"
    table = {
        "host": ctx.get("host_name", "unknown host"),
        "cpu model": ftb.get("cpu_model", "unknown CPU"),
        "cores": ftb.get("cores", ctx.get("num_cpus", "?")),
        "topology": ftb.get("topology", "?"),
        "kernel": ftb.get("kernel", "?"),
        "compiler": f"{ftb.get('compiler', '?')} {ftb.get('cxx_flags', '')}".strip(),
        "build type": ftb.get("build_type", ctx.get("library_build_type", "?")),
        "date": ctx.get("date", "unknown date"),
        "commit": commit,
        "command": ftb.get("command_line", "?"),
        "repetitions": ftb.get("repetitions", "?"),
        "placement / scaling": f"{ftb.get('placement', '?')} / {ftb.get('scaling', '?')}",
    }
    # Trimmed and with runs of spaces collapsed: /proc/cpuinfo pads the CPU name with spaces.
    return {k: " ".join(str(v).split()) for k, v in table.items()}


def load(path) -> Results:
    """Reads DIR/results.json (or a results.json path) and validates it."""
    file = _results_file(Path(path))
    doc = _read_json(file)
    _check_values(file, doc)
    context, rows = _check_document(file, doc)
    cells = _cells(file, rows)
    main, others = _main_config(context, cells)
    chosen = [c for c in cells.values() if (c.scaling, c.placement) == main]
    machine = [c for c in chosen if _is_calibration(c)]
    block = doc.get("calibration")
    if block is not None and not isinstance(block, dict):
        raise ResultsError(f"{file}: \"calibration\" must be an object (docs/results-format.md)")
    return Results(path=file, context=context, cells=[c for c in chosen if not _is_calibration(c)],
                   other_configs=others, calibration=block, calibration_cells=machine)


def _is_calibration(cell: Cell) -> bool:
    """The machine calibration's pseudo-cell (ftbplots.calibration), which is no workload."""
    return cell.workload == "calibration" and cell.variant == "machine"


def _results_file(path: Path) -> Path:
    if not path.exists():
        raise ResultsError(f"{path} does not exist (expected a results directory from `ftbench run`)")
    if path.is_dir():
        path = path / RESULTS_FILE
        if not path.is_file():
            raise ResultsError(f"{path} not found: is this a results directory from `ftbench run`?")
    return path


def _read_json(file: Path):
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ResultsError(f"cannot read {file}: {e}") from None
    if not text.strip():
        raise ResultsError(f"{file} is empty (was the run interrupted?)")
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start not in ("{", "["):
        first = text.strip().splitlines()[0][:40]
        raise ResultsError(f"{file} is not JSON (it starts with {first!r}): not a results file "
                           "from `ftbench run`")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ResultsError(f"{file} is nested too deeply to be a results file (more than "
                           f"{MAX_DEPTH} levels of objects and lists)") from None
    except _Constant as e:
        raise ResultsError(f"{file} holds {e.args[0]}, which is not a JSON number (the harness "
                           "writes null where a value is undefined)") from None
    except json.JSONDecodeError as e:
        if _looks_truncated(text, e):
            raise ResultsError(f"{file} is truncated: the JSON ends at line {e.lineno} in the "
                               "middle of a value (was the run interrupted or the disk full?)") from None
        raise ResultsError(f"{file} is not valid JSON: {e.msg} at line {e.lineno}, "
                           f"column {e.colno}") from None
    except ValueError as e:  # an integer of more digits than Python converts
        raise ResultsError(f"{file} holds a number too large to read ({e})") from None


class _Constant(ValueError):
    """NaN, Infinity or -Infinity in the text (Python's json accepts them; JSON does not)."""


def _refuse_constant(name: str):
    raise _Constant(name)


def _check_values(file: Path, doc) -> None:
    """Refuses nesting deeper than MAX_DEPTH and numbers no results file holds (no recursion)."""
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            if _odd_number(value):
                _explain_values(file, doc)
            continue
        if depth >= MAX_DEPTH:
            _explain_values(file, doc)
        stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list, float, int)))


def _odd_number(value) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER


def _explain_values(file: Path, doc) -> None:
    """The slow walk of _check_values, keeping paths, once it has found something: raises."""
    stack = [(doc, 1, "")]
    while stack:
        value, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            where = where if len(where) < 80 else where[:77] + "..."
            raise ResultsError(f"{file} is nested too deeply to be a results file ({where} is "
                               f"deeper than {MAX_DEPTH} levels)")
        if isinstance(value, dict):
            stack.extend((v, depth + 1, f"{where}.{k}" if where else str(k))
                         for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{where}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, float) and _odd_number(value):
            raise ResultsError(f"{file}: {where} is {value}: a number too large for JSON")
        elif _odd_number(value):
            raise ResultsError(f"{file}: {where} is an integer of {len(str(abs(value)))} digits, "
                               "beyond the 64 bits the harness writes")


def _looks_truncated(text: str, error: json.JSONDecodeError) -> bool:
    """A results file is one object, so it ends with '}'; a cut one stops mid-value instead."""
    end = text.rstrip()
    return (error.pos >= len(end) or error.msg.startswith("Unterminated string")
            or not end.endswith("}"))


def _check_document(file: Path, doc) -> tuple:
    if not isinstance(doc, dict) or not isinstance(doc.get("context"), dict):
        raise ResultsError(f"{file} has no \"context\" object: not a results file from `ftbench run`")
    ftb = doc["context"].get("ftbench")
    if not isinstance(ftb, dict):
        raise ResultsError(f"{file} has no context.ftbench block: a plain Google Benchmark file? "
                           "(`ftbench report` reads the results.json of `ftbench run`)")
    version = ftb.get("schema_version")
    if version not in SUPPORTED_SCHEMAS or isinstance(version, bool):
        readable = " and ".join(str(v) for v in SUPPORTED_SCHEMAS)
        raise ResultsError(f"{file} has schema version {version!r}; this report reads versions "
                           f"{readable} (docs/results-format.md)")
    mode = ftb.get("mode", "time")
    if mode not in ("time", "instructions"):
        raise ResultsError(f"{file}: context.ftbench.mode is {_show(mode)}, expected \"time\" "
                           "or \"instructions\"")
    workloads = ftb.get("workloads", [])
    if not isinstance(workloads, list) or not all(isinstance(w, str) for w in workloads):
        raise ResultsError(f"{file}: context.ftbench.workloads is {_show(workloads)}, expected a "
                           "list of workload names")
    rows = doc.get("benchmarks")
    if not isinstance(rows, list):
        raise ResultsError(f"{file} has no \"benchmarks\" list")
    if not rows:
        raise ResultsError(f"{file} has no benchmark rows: the run measured nothing")
    return doc["context"], rows


def _show(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _cells(file: Path, rows: list) -> dict:
    """Groups the rows into cells; every cell needs a median aggregate row with the metrics."""
    cells, iterations, seen = {}, {}, {}
    for i, row in enumerate(rows):
        _check_row(file, i, row)
        key = _cell_key(row)
        _check_unique(file, i, row, key, seen)
        if row["run_type"] == "iteration":
            iterations.setdefault(key, []).append(row)
        elif row.get("aggregate_name") == "median":
            _check_median(file, i, row)
            cells[key] = Cell(*key, category=str(row.get("category", "")), median=row)
    missing = sorted(set(iterations) - set(cells))
    if missing:
        raise ResultsError(f"{file}: cell {_cell_name(missing[0])} has iteration rows but no "
                           "median aggregate row (was the run interrupted?)")
    for key, cell in cells.items():
        cell.iterations = iterations.get(key, [])
    return cells


def _check_unique(file: Path, index: int, row: dict, key: tuple, seen: dict) -> None:
    """A results file holds each repetition and each aggregate of a cell once: a repeated row
    (a file merged or edited by hand) would count a repetition twice, so it is refused."""
    if row["run_type"] == "iteration":
        which = row.get("repetition_index")
        if which is None:
            return
        what = f"repetition {which}"
    else:
        which = row.get("aggregate_name")
        what = f"aggregate {which}"
    first = seen.setdefault((key, row["run_type"], which), index)
    if first != index:
        raise ResultsError(f"{file}: benchmarks[{index}] repeats benchmarks[{first}] (cell "
                           f"{_cell_name(key)}, {what}): a results file holds each run once "
                           "(merged or edited by hand?)")


def _check_row(file: Path, index: int, row) -> None:
    if not isinstance(row, dict):
        raise ResultsError(f"{file}: benchmarks[{index}] is not an object")
    absent = [f for f in ROW_FIELDS if f not in row]
    label = row.get("name") if isinstance(row.get("name"), str) else "unnamed"
    if absent:
        raise ResultsError(f"{file}: benchmarks[{index}] ({label}) lacks {', '.join(absent)}")

    def bad(field_name: str, expected: str):
        return ResultsError(f"{file}: benchmarks[{index}] ({label}): {field_name} is "
                            f"{_show(row.get(field_name))}, expected {expected}")
    for name in STRING_FIELDS:
        if not isinstance(row[name], str):
            raise bad(name, "a string")
    for name in OPTIONAL_STRING_FIELDS:
        if name in row and not isinstance(row[name], str):
            raise bad(name, "a string")
    threads = row["threads"]
    if not _is_int(threads) or not 1 <= threads <= MAX_THREADS:
        raise bad("threads", f"an integer from 1 to {MAX_THREADS}")
    if "repetition_index" in row and (not _is_int(row["repetition_index"])
                                      or row["repetition_index"] < 0):
        raise bad("repetition_index", "a non-negative integer")
    for name in ("real_time", "units"):
        if name in row and not (name == "units" and row[name] is None) \
                and not _is_measure(row[name]):
            raise bad(name, f"a number from 0 to {MAX_MEASURE:g}")
    count = row.get("instructions")  # an integer on iteration rows, the median may be x.5
    if count is not None and (isinstance(count, bool) or not isinstance(count, (int, float))
                              or count < 0):
        raise bad("instructions", "a non-negative count")
    warnings = row.get("warnings")
    if warnings is not None and (not isinstance(warnings, list)
                                 or not all(isinstance(w, str) for w in warnings)):
        raise bad("warnings", "a list of strings")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_measure(value) -> bool:
    """A number a measurement can be: not a bool, 0 to MAX_MEASURE."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and 0 <= value <= MAX_MEASURE


def _check_median(file: Path, index: int, row: dict) -> None:
    names = list(MEDIAN_METRICS) + (["overhead_vs_gil"] if row["threads"] == 1 else [])
    for name in names:
        value = _metric_field(row, name)
        if value is None or (isinstance(value, dict) and value.get("value") is None):
            continue  # null where not defined, per the format
        if _parse_metric(value) is None:
            raise ResultsError(f"{file}: benchmarks[{index}] ({row['name']}): {name} must be "
                               f'{{"value", "ci_low", "ci_high"}} numbers, got {value!r}')
    for name in ("counters", "latency_ns"):
        value = row.get(name)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise ResultsError(f"{file}: benchmarks[{index}] ({row['name']}): {name} must be an object")
        for key, number in value.items():
            # counters are integers up to 64 bits (or counts per second); latencies are times
            ok = _is_measure(number) if name == "latency_ns" else \
                (_is_int(number) or isinstance(number, float)) and number >= 0
            if not ok:
                raise ResultsError(f"{file}: benchmarks[{index}] ({row['name']}): {name}.{key} is "
                                   f"{_show(number)}, expected a non-negative number")


def _metric_field(row: dict, name: str):
    """The raw metric object: schema 2 keeps wall_seconds a number and its interval beside it."""
    if name == "wall_seconds" and "wall_seconds_ci" in row:
        return row["wall_seconds_ci"]
    return row.get(name)


def _parse_metric(raw) -> Metric | None:
    """A metric object, or None where it is null, absent or not numbers."""
    if not isinstance(raw, dict):
        return None
    parts = [raw.get(k) for k in ("value", "ci_low", "ci_high")]
    if not _is_measure(parts[0]) or not all(p is None or _is_measure(p) for p in parts[1:]):
        return None
    value = float(parts[0])
    low = float(parts[1]) if parts[1] is not None else value
    high = float(parts[2]) if parts[2] is not None else value
    return Metric(value, min(low, value), max(high, value))


def _cell_key(row: dict) -> tuple:
    return (row["workload"], row["variant"], row["threads"], row.get("placement", ""),
            row.get("scaling", ""))


def cell_name(workload: str, variant: str, threads: int) -> str:
    """A cell's name, 'workload/variant/threads:n', as the harness writes it (CellName in
    harness/src/results.h; tests/harness/cell_name_test.py checks that the two agree)."""
    return f"{workload}/{variant}/threads:{threads}"


def run_name(workload: str, variant: str, threads: int, scaling: str, placement: str) -> str:
    """A run's name (results.json's name and run_name): the cell's, then '/scaling/placement'."""
    return f"{cell_name(workload, variant, threads)}/{scaling}/{placement}"


def _cell_name(key: tuple) -> str:
    workload, variant, threads, placement, scaling = key
    return run_name(workload, variant, threads, scaling, placement)


def _main_config(context: dict, cells: dict) -> tuple:
    """The (scaling, placement) to chart: the context's, else the first cell's; and the others."""
    configs = list(dict.fromkeys((c.scaling, c.placement) for c in cells.values()))
    ftb = context["ftbench"]
    wanted = (str(ftb.get("scaling", "")), str(ftb.get("placement", "")))
    main = wanted if wanted in configs else configs[0]
    return main, [c for c in configs if c != main]


def _variant_order_key(variant: str) -> tuple:
    # A variant run with other mechanisms ("brc:3.13", ftbench run --mechanisms) follows its own.
    base = variant.split(":", 1)[0]
    if base in KNOWN_VARIANTS:
        return (KNOWN_VARIANTS.index(base), variant != base, variant)
    return (len(KNOWN_VARIANTS), True, variant)


def load_micro(directory) -> tuple:
    """Rows (name, median real_time, time_unit) of DIR/micro.json; [] when it is absent.

    Returns (rows, warning): a micro.json that cannot be read gives no rows and a warning, since
    the primitives section is optional and the rest of the report is still worth writing.
    """
    file = Path(directory) / MICRO_FILE
    if not file.is_file():
        return [], None
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
        return _micro_rows(doc["benchmarks"]), None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError,
            RecursionError) as e:  # any shape at all: the section is optional
        return [], f"{file} could not be read ({e.__class__.__name__}: {e}); primitives section skipped"


def _micro_rows(benchmarks: list) -> list:
    """The median aggregate of each benchmark, or the median of its iteration rows."""
    medians = {b["run_name"]: b for b in benchmarks
               if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "median"}
    samples = {}
    for b in benchmarks:
        if b.get("run_type", "iteration") == "iteration":
            samples.setdefault(b.get("run_name", b["name"]), []).append(b)
    rows = []
    for name in dict.fromkeys([*samples, *medians]):
        if name in medians:
            rows.append((name, float(medians[name]["real_time"]), medians[name]["time_unit"]))
        else:
            from . import stats  # numpy on first use: this module itself needs the standard library only
            rows.append((name, stats.median(float(b["real_time"]) for b in samples[name]),
                         samples[name][0]["time_unit"]))
    return rows
