"""The history store: sweeps of `ftbench run` kept in one SQLite file (docs/history.md).

`ftbench history add` puts results.json files in, `history list` shows them, `history report`
draws the dashboard from them (history_report.py) and `ftbench compare --baseline-db` pools the
recent ones into a base (history_baseline.py).

The file is Python's sqlite3 (the standard library), marked as ours by PRAGMA application_id
(APPLICATION_ID) and versioned by PRAGMA user_version (SCHEMA_VERSION). MIGRATIONS[i] takes a
database from version i to i + 1; opening an older database upgrades it in one transaction.
A file that is not SQLite, SQLite that is not ours (another application id, or tables but no
mark), or a newer version than this code knows raises HistoryError (a ResultsError: exit 2,
one line), never a traceback.

A sweep is keyed by its machine (host, CPU model, core count from context and context.ftbench),
its commit, its date and its settings (SETTINGS_FIELDS of context.ftbench, as canonical JSON),
and identified by the SHA-256 of its document in canonical JSON (sorted keys, no spaces): adding
the same sweep twice, from any path or formatting, is a no-op. The sweep's context is kept whole
(JSON); of its rows, the `cells` table keeps what the dashboard and the baseline read: per cell
the wall time of each repetition (ms, 7 significant digits; instruction counts for a counting
sweep), the median with the harness's interval, the parallel efficiency, and the medians of the
peak RSS and of the peak live object bytes. The rest of a row (counters, placement checks) stays
in the results file: a full document is 100-250 KB compressed, which over 5 machines x 300
commits would make the one file hundreds of MB.

add() runs every file of one call in one transaction: a failure or an interrupt part way leaves
the database as it was.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import statistics
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import results as ftb_results
from .results import ResultsError

APPLICATION_ID = 0x46544248  # "FTBH"
SCHEMA_VERSION = 2
# context.ftbench fields that make two sweeps' numbers comparable (compare's PARAMETER_FIELDS and
# the mode): sweeps that differ in one are different series on the dashboard and never pooled.
SETTINGS_FIELDS = ("mode", "work_scale", "repetitions", "warmup", "quick", "isolation", "knobs",
                   "scaling", "placement", "build_type")

# Version 1: machines, sweeps, cells.
_V1 = """
CREATE TABLE machines (
  id        INTEGER PRIMARY KEY,
  host      TEXT NOT NULL,
  cpu_model TEXT NOT NULL,
  cores     INTEGER NOT NULL,
  UNIQUE (host, cpu_model, cores));
CREATE TABLE sweeps (
  id           INTEGER PRIMARY KEY,
  machine_id   INTEGER NOT NULL REFERENCES machines(id),
  content_hash TEXT NOT NULL UNIQUE,
  git_commit   TEXT NOT NULL,
  git_dirty    INTEGER NOT NULL,
  date         TEXT NOT NULL,
  settings     TEXT NOT NULL,
  source       TEXT NOT NULL,
  added_at     TEXT NOT NULL,
  context      TEXT NOT NULL);
CREATE TABLE cells (
  sweep_id   INTEGER NOT NULL REFERENCES sweeps(id),
  workload   TEXT NOT NULL,
  variant    TEXT NOT NULL,
  threads    INTEGER NOT NULL,
  median_ms  REAL NOT NULL,
  ci_low_ms  REAL NOT NULL,
  ci_high_ms REAL NOT NULL,
  times_ms   TEXT NOT NULL,
  efficiency REAL,
  peak_rss   REAL,
  live_bytes_peak REAL,
  PRIMARY KEY (sweep_id, workload, variant, threads));
CREATE INDEX sweeps_by_machine ON sweeps (machine_id, date);
"""
# Version 2: the branch a sweep was measured on (compare --baseline-db --branch) and where its
# report is (the dashboard links a change point to it). Sweeps of version 1 have neither (NULL).
_V2 = """
ALTER TABLE sweeps ADD COLUMN branch TEXT;
ALTER TABLE sweeps ADD COLUMN report TEXT;
CREATE INDEX sweeps_by_branch ON sweeps (machine_id, branch, date);
"""
MIGRATIONS = (_V1, _V2)  # MIGRATIONS[i]: version i -> i + 1


class HistoryError(ResultsError):
    """The database cannot be used (not SQLite, not ours, too new) or a request on it fails."""


@dataclass
class Sweep:
    """One stored sweep, as `history list` shows it."""
    id: int
    machine_id: int
    host: str
    cpu_model: str
    cores: int
    git_commit: str
    git_dirty: bool
    date: str
    settings: dict
    branch: str | None
    report: str | None
    source: str
    content_hash: str
    cells: int = 0

    @property
    def machine(self) -> str:
        return f"{self.host} ({self.cpu_model}, {self.cores} cores)"


# --- opening -------------------------------------------------------------------------------------

def open_db(path, create: bool = False) -> sqlite3.Connection:
    """Opens (create: and makes, or upgrades to SCHEMA_VERSION) the history database at path."""
    path = Path(path)
    if not create and not path.is_file():
        raise HistoryError(f"{path}: no such history database (ftbench history add makes one)")
    if path.exists() and not path.is_file():
        raise HistoryError(f"{path}: not a file")
    try:
        # transactions: explicit BEGIN; another add holding the file is waited for up to a minute
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=60)
    except sqlite3.Error as e:
        raise HistoryError(f"{path}: cannot open the history database ({e})") from None
    try:
        _prepare(conn, path, create)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise HistoryError(f"{path}: not a usable SQLite database ({e}); "
                           "a history database is made by ftbench history add") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare(conn: sqlite3.Connection, path: Path, create: bool) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app != APPLICATION_ID:
        if app != 0 or tables or version:
            raise HistoryError(f"{path}: an SQLite database of another application "
                               f"(application_id {app}, {tables} schema objects, user_version "
                               f"{version}): not an ftbench history database")
        if not create:
            raise HistoryError(f"{path}: an empty database, not an ftbench history database "
                               "(ftbench history add makes one)")
    if version > SCHEMA_VERSION:
        raise HistoryError(f"{path}: history schema version {version} is newer than this ftbench "
                           f"reads ({SCHEMA_VERSION}); use a newer ftbench")
    if version < SCHEMA_VERSION:
        migrate(conn, version, SCHEMA_VERSION)


def migrate(conn: sqlite3.Connection, start: int, end: int = SCHEMA_VERSION) -> None:
    """Runs MIGRATIONS[start:end] in one transaction and sets user_version to end."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for script in MIGRATIONS[start:end]:
            for statement in _statements(script):
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {int(end)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list:
    return [s.strip() for s in script.split(";") if s.strip()]


# --- adding --------------------------------------------------------------------------------------

def canonical_hash(doc) -> str:
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def machine_key(res: ftb_results.Results) -> tuple:
    """(host, CPU model, cores): the machine a sweep ran on."""
    ctx, ftb = res.context, res.ftbench
    cores = ftb.get("cores", ctx.get("num_cpus"))
    if not isinstance(cores, int) or isinstance(cores, bool):
        cores = 0
    return (str(ctx.get("host_name", "unknown host")), " ".join(str(ftb.get("cpu_model", "unknown CPU")).split()),
            cores)


def settings_of(res: ftb_results.Results) -> dict:
    ftb = res.ftbench
    return {f: ftb.get(f) for f in SETTINGS_FIELDS}


def settings_text(settings: dict) -> str:
    return json.dumps(settings, sort_keys=True, separators=(",", ":"))


def cell_rows(res: ftb_results.Results) -> list:
    """(workload, variant, threads, median_ms, ci_low_ms, ci_high_ms, times_ms JSON, efficiency,
    peak_rss, live_bytes_peak) per cell of the sweep's main configuration. Wall times for a timed sweep; for a
    counting sweep (mode instructions) the counts stand in the same columns."""
    from . import compare  # the same per-run samples compare tests
    counting = res.ftbench.get("mode", "time") == "instructions"
    rows = []
    for cell in res.cells:
        times = compare._counts(cell) if counting else compare._times_ms(cell)
        median = statistics.median(times)
        low, high = median, median
        wall = cell.metric("wall_seconds")
        if wall is not None and not counting:  # the harness's bootstrap interval of the median
            low, high = min(median, wall.ci_low * 1000.0), max(median, wall.ci_high * 1000.0)
        eff = cell.metric("efficiency")
        rows.append((cell.workload, cell.variant, cell.threads, median, low, high,
                     json.dumps([float(f"{t:.7g}") for t in times]),
                     eff.value if eff is not None and cell.threads > 1 else None,
                     compare.cell_memory(cell, "peak_rss"), compare.cell_memory(cell, "live_bytes_peak")))
    return rows


def add(db_path, paths, branch: str | None = None, report: str | None = None) -> list:
    """Adds each results directory or results.json of paths; returns [(path, sweep id, added)]
    (added False: that sweep was stored already). All in one transaction."""
    loaded = []
    for p in paths:
        res = ftb_results.load(p)
        doc = json.loads(res.path.read_text(encoding="utf-8"))
        loaded.append((p, res, doc))
    conn = open_db(db_path, create=True)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            outcome = [(p, *insert_sweep(conn, res, doc, source=str(p), branch=branch,
                                         report=report if report is not None else _report_of(res)))
                       for p, res, doc in loaded]
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as e:
        raise HistoryError(f"{db_path}: cannot add to the history database ({e}); "
                           "nothing was added") from None
    finally:
        conn.close()
    return outcome


def _report_of(res: ftb_results.Results) -> str | None:
    """The sweep's report (ftbench report's default place), when one was drawn."""
    page = res.path.parent / "report" / "report.html"
    return str(page.resolve()) if page.is_file() else None


def insert_sweep(conn: sqlite3.Connection, res: ftb_results.Results, doc, source: str,
                 branch: str | None = None, report: str | None = None) -> tuple:
    """Inserts one validated sweep inside the caller's transaction: (sweep id, added)."""
    digest = canonical_hash(doc)
    found = conn.execute("SELECT id FROM sweeps WHERE content_hash = ?", (digest,)).fetchone()
    if found:
        return found[0], False
    host, cpu, cores = machine_key(res)
    conn.execute("INSERT OR IGNORE INTO machines (host, cpu_model, cores) VALUES (?, ?, ?)",
                 (host, cpu, cores))
    machine_id = conn.execute("SELECT id FROM machines WHERE host = ? AND cpu_model = ? AND cores = ?",
                              (host, cpu, cores)).fetchone()[0]
    ftb = res.ftbench
    cur = conn.execute(
        "INSERT INTO sweeps (machine_id, content_hash, git_commit, git_dirty, date, settings, source,"
        " added_at, context, branch, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (machine_id, digest, str(ftb.get("git_commit", "unknown")), int(bool(ftb.get("git_dirty"))),
         str(res.context.get("date", "")), settings_text(settings_of(res)), source,
         datetime.now(timezone.utc).isoformat(timespec="seconds"),
         json.dumps(res.context, separators=(",", ":"), allow_nan=False), branch, report))
    sweep_id = cur.lastrowid
    insert_cells(conn, sweep_id, cell_rows(res))
    return sweep_id, True


def insert_cells(conn: sqlite3.Connection, sweep_id: int, rows: list) -> None:
    conn.executemany(
        "INSERT INTO cells (sweep_id, workload, variant, threads, median_ms, ci_low_ms, ci_high_ms,"
        " times_ms, efficiency, peak_rss, live_bytes_peak) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(sweep_id, *row) for row in rows])


# --- reading -------------------------------------------------------------------------------------

def sweeps(conn: sqlite3.Connection, machine_id: int | None = None) -> list:
    """Every stored sweep (of one machine), oldest first (by date, then by id)."""
    where, args = ("WHERE s.machine_id = ?", (machine_id,)) if machine_id is not None else ("", ())
    rows = conn.execute(
        "SELECT s.id, s.machine_id, m.host, m.cpu_model, m.cores, s.git_commit, s.git_dirty, s.date,"
        " s.settings, s.branch, s.report, s.source, s.content_hash,"
        " (SELECT count(*) FROM cells c WHERE c.sweep_id = s.id)"
        f" FROM sweeps s JOIN machines m ON m.id = s.machine_id {where} ORDER BY s.date, s.id",
        args).fetchall()
    return [Sweep(id=r[0], machine_id=r[1], host=r[2], cpu_model=r[3], cores=r[4], git_commit=r[5],
                  git_dirty=bool(r[6]), date=r[7], settings=json.loads(r[8]), branch=r[9],
                  report=r[10], source=r[11], content_hash=r[12], cells=r[13]) for r in rows]


def context(conn: sqlite3.Connection, sweep_id: int) -> dict:
    """The stored context of a sweep (results.json's "context")."""
    return json.loads(conn.execute("SELECT context FROM sweeps WHERE id = ?", (sweep_id,)).fetchone()[0])


def cells(conn: sqlite3.Connection, sweep_id: int) -> list:
    """The stored cells of a sweep: dicts with the columns of `cells`, times_ms parsed."""
    cur = conn.execute("SELECT workload, variant, threads, median_ms, ci_low_ms, ci_high_ms, times_ms,"
                       " efficiency, peak_rss, live_bytes_peak FROM cells WHERE sweep_id = ?"
                       " ORDER BY rowid", (sweep_id,))
    names = [d[0] for d in cur.description]
    out = []
    for row in cur:
        cell = dict(zip(names, row))
        cell["times_ms"] = json.loads(cell["times_ms"])
        out.append(cell)
    return out


def printable(text) -> str:
    """text with control characters shown as escapes: one line on a terminal, whatever a results
    file holds."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in str(text))
