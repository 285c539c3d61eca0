"""The base of `ftbench compare --baseline-db FILE [--branch B] [--window N] NEW` (docs/history.md,
"Baselines"): the last N sweeps of NEW's machine with NEW's settings (on branch B when given) in
the history database, their repetitions pooled per cell into one base, which compare then judges
NEW against as it would a single base sweep. One slow base sweep is then a fifth of the base's
runs, not all of them.

The pooled base is a results.Results built from the stored cells: per cell one iteration row per
stored repetition of every window sweep (its wall time; the sweep's peak RSS and peak live bytes
medians as its memory), and a median row with the newest sweep's parallel efficiency and the
single-thread overhead against gil of the pooled medians. Its context is the newest window
sweep's. So the per-cell test, the noise bound and the memory medians see every pooled run; the
curve view reads the newest sweep's efficiency. The machine calibration is not stored: compare
notes that the base has none.
"""
from __future__ import annotations

import json
import statistics
from pathlib import Path

from . import history_store
from .history_store import HistoryError
from .results import Cell, Results

DEFAULT_WINDOW = 5


def baseline(db_path, new: Results, branch: str | None = None,
             window: int = DEFAULT_WINDOW) -> Results:
    """The pooled base for NEW; raises HistoryError (exit 2) when the history has none."""
    conn = history_store.open_db(db_path)
    try:
        machine = history_store.machine_key(new)
        row = conn.execute("SELECT id FROM machines WHERE host = ? AND cpu_model = ? AND cores = ?",
                           machine).fetchone()
        who = history_store.printable(f"{machine[0]} ({machine[1]}, {machine[2]} cores)")
        if row is None:
            raise HistoryError(f"{db_path} has no sweep of the machine {who}: no baseline to "
                               "compare with (ftbench history add stores sweeps)")
        settings = json.loads(history_store.settings_text(history_store.settings_of(new)))
        digest = history_store.canonical_hash(json.loads(new.path.read_text(encoding="utf-8")))
        stored = history_store.sweeps(conn, row[0])
        same_settings = [s for s in stored if s.settings == settings]
        same = [s for s in same_settings if s.content_hash != digest]  # NEW itself: never its base
        on_branch = [s for s in same if branch is None or s.branch == branch]
        if not on_branch:
            why = (f"none on branch {branch!r}" if same else "none but NEW itself" if same_settings
                   else f"none with NEW's settings ({history_store.settings_text(settings)})")
            raise HistoryError(f"{db_path} holds {len(stored)} sweep(s) of {who} but "
                               f"{history_store.printable(why)}: no baseline to compare with")
        chosen = on_branch[-window:]
        context = history_store.context(conn, chosen[-1].id)
        stored_cells = [history_store.cells(conn, s.id) for s in chosen]
    finally:
        conn.close()
    label = (f"{db_path} [last {len(chosen)} sweep{'s' * (len(chosen) != 1)}"
             f"{f' on {branch}' if branch else ''}: {chosen[0].git_commit}..{chosen[-1].git_commit}]")
    base = pool(Path(history_store.printable(label)), context, stored_cells, new)
    base.pooled_sweeps = len(chosen)
    return base


def pool(path: Path, context: dict, sweeps_cells: list, new: Results) -> Results:
    """A Results of the cells of every sweep of sweeps_cells (oldest first), runs pooled."""
    counting = context.get("ftbench", {}).get("mode", "time") == "instructions"
    placement = str(context.get("ftbench", {}).get("placement", ""))
    scaling = str(context.get("ftbench", {}).get("scaling", ""))
    runs, newest = {}, {}
    for sweep in sweeps_cells:
        for c in sweep:
            key = (c["workload"], c["variant"], c["threads"])
            memory = {k: c[k] for k in ("peak_rss", "live_bytes_peak") if c[k] is not None}
            for t in c["times_ms"]:
                row = {"instructions": t} if counting else {"real_time": t, "time_unit": "ms"}
                if memory:
                    row["memory"] = memory
                runs.setdefault(key, []).append(row)
            newest[key] = c
    medians = {key: statistics.median(r.get("instructions", r.get("real_time")) for r in rows)
               for key, rows in runs.items()}
    cells = []
    for key, rows in runs.items():
        workload, variant, threads = key
        median = {"real_time": medians[key], "time_unit": "ms"} if not counting else \
            {"instructions": medians[key]}
        eff = newest[key]["efficiency"]
        if eff is not None:
            median["efficiency"] = {"value": eff, "ci_low": eff, "ci_high": eff}
        gil = medians.get((workload, "gil", 1))
        if threads == 1 and gil:
            o = medians[key] / gil
            median["overhead_vs_gil"] = {"value": o, "ci_low": o, "ci_high": o}
        cells.append(Cell(workload, variant, threads, placement, scaling, category="", median=median,
                          iterations=rows))
    return Results(path=path, context=context, cells=cells, other_configs=[])
