"""ftbench history report: the dashboard, a static site drawn from the history database
(docs/history.md, "The dashboard").

OUT/index.html lists the series (a machine and the settings its sweeps ran with) and the latest
change points; OUT/series-<id>.html holds one series: its change points (a table, each row naming
the two commits, linked to their reports when the database knows where those are), then per
workload the charts along the sweeps: per variant x threads the median wall time with its
interval, the single-thread time relative to gil, the parallel efficiency, and the peak RSS when
recorded. Change points are marked on the charts and link to their row.

Safety: every string from a results file (host, CPU, commit, workload and variant names, notes)
reaches the pages only as escaped HTML text (html.escape) or inside the page's JSON data block,
in which <, > and & are written as \\u escapes; the script turns it into SVG with textContent and
setAttribute on fixed attribute names, never innerHTML. A Content-Security-Policy lets only the
page's own script run (by its hash). File names are fixed (index.html, series-<number>.html): no
name from the input becomes a path. The pages need no network: inline CSS, inline SVG drawn by a
small inline script (charts are drawn when scrolled into view, which keeps a page of 300 sweeps x
280 cells responsive), hover text in SVG <title> elements.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import history_changes, history_store
from .results import KNOWN_VARIANTS, ResultsError


@dataclass
class Series:
    """The sweeps of one machine with one set of settings, oldest first."""
    id: int
    machine: str
    host: str
    cpu_model: str
    cores: int
    settings: dict
    sweeps: list                      # history_store.Sweep
    changes: list = field(default_factory=list)   # (cell name, ChangePoint)


def load_series(conn) -> list:
    by_key = defaultdict(list)
    for sweep in history_store.sweeps(conn):
        by_key[(sweep.machine_id, history_store.settings_text(sweep.settings))].append(sweep)
    series = []
    for n, (key, sweeps) in enumerate(sorted(by_key.items()), start=1):
        s = sweeps[0]
        series.append(Series(n, s.machine, s.host, s.cpu_model, s.cores, s.settings, sweeps))
    return series


def _cells(conn, series: Series) -> dict:
    """(workload, variant, threads) -> per sweep position (median, low, high, times, eff, rss)."""
    position = {s.id: i for i, s in enumerate(series.sweeps)}
    n = len(series.sweeps)
    cells = {}
    ids = list(position)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
                "SELECT sweep_id, workload, variant, threads, median_ms, ci_low_ms, ci_high_ms,"
                f" times_ms, efficiency, peak_rss FROM cells WHERE sweep_id IN ({marks})", chunk):
            key = (row[1], row[2], row[3])
            if key not in cells:
                cells[key] = [None] * n
            cells[key][position[row[0]]] = (row[4], row[5], row[6], json.loads(row[7]), row[8], row[9])
    return cells


def _order(keys) -> list:
    def variant_key(v):
        return (KNOWN_VARIANTS.index(v), v) if v in KNOWN_VARIANTS else (len(KNOWN_VARIANTS), v)
    workloads = sorted({k[0] for k in keys})
    return sorted(keys, key=lambda k: (workloads.index(k[0]), variant_key(k[1]), k[2]))


def _num(value, digits: int = 4):
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")


def series_data(conn, series: Series, window: int) -> dict:
    """The page's data block, and series.changes filled in."""
    cells = _cells(conn, series)
    keys = _order(cells)
    workloads = list(dict.fromkeys(k[0] for k in keys))
    out_cells, changes = [], []
    for key in keys:
        points = cells[key]
        cps = history_changes.change_points([p[3] if p else None for p in points], window=window)
        for cp in cps:
            changes.append((key, cp))
        out_cells.append({
            "w": workloads.index(key[0]), "v": key[1], "t": key[2],
            "m": [_num(p[0]) if p else None for p in points],
            "lo": [_num(p[1]) if p else None for p in points],
            "hi": [_num(p[2]) if p else None for p in points],
            "e": [_num(p[4], 3) if p and p[4] is not None else None for p in points],
            "r": [_num(p[5] / 1048576, 4) if p and p[5] else None for p in points],
            "cp": [[cp.index, _num(cp.ratio, 4), len(changes) - len(cps) + j]
                   for j, cp in enumerate(cps)]})
    # single-thread time relative to gil, per sweep
    for c in out_cells:
        gil = next((g for g in out_cells if g["w"] == c["w"] and g["v"] == "gil" and g["t"] == 1), None)
        c["o"] = ([_num(m / g, 4) if m and g else None for m, g in zip(c["m"], gil["m"])]
                  if c["t"] == 1 and c["v"] != "gil" and gil else None)
    series.changes = changes
    return {
        "sweeps": [{"c": s.git_commit + ("-dirty" if s.git_dirty else ""), "d": s.date,
                    "b": s.branch or ""} for s in series.sweeps],
        "workloads": workloads, "cells": out_cells}


# --- pages ---------------------------------------------------------------------------------------

def _e(text) -> str:
    """Text for HTML: control characters as visible escapes (\\x1b), then <>&"' escaped."""
    return html.escape(history_store.printable(text), quote=True)


def _json_block(data) -> str:
    """JSON that cannot end its <script> element or open markup: <, > and & as \\u escapes."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _report_href(report: str | None) -> str | None:
    """A link to a sweep's report: an http(s) URL as given, an absolute local path as a file URI;
    anything else (another scheme, a relative path) is shown, not linked."""
    if not report:
        return None
    scheme = urllib.parse.urlsplit(report).scheme.lower()
    if scheme in ("http", "https"):
        return report
    path = Path(report)
    if not scheme and path.is_absolute():
        return path.as_uri()
    return None


def _commit_html(sweep, commit_url: str | None) -> str:
    label = sweep.git_commit + ("-dirty" if sweep.git_dirty else "")
    href = _report_href(sweep.report)
    text = f"<code>{_e(label)}</code> <small>{_e(sweep.date)}</small>"
    if href:
        text += f' <a href="{_e(href)}">report</a>'
    if commit_url:
        url = commit_url.replace("{commit}", urllib.parse.quote(sweep.git_commit, safe=""))
        if urllib.parse.urlsplit(url).scheme.lower() in ("http", "https"):
            text += f' <a href="{_e(url)}">commit</a>'
    return text


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1500px;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}code{font-size:.95em}.slower{color:#b00020}.faster{color:#1b7a1b}
.grid{display:flex;flex-wrap:wrap;gap:10px}
figure.chart{margin:0;width:360px;min-height:190px;border:1px solid #eee;padding:4px}
figure.chart figcaption{font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.legend span{margin-right:8px}.note{color:#555;font-size:.9em}
"""

SCRIPT = r"""
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('ftb-data').textContent);
  var NS = 'http://www.w3.org/2000/svg', W = 360, H = 160, L = 46, R = 6, T = 6, B = 16;
  var COLORS = {gil: '#1f77b4', atomic: '#ff7f0e', brc: '#2ca02c'};
  var EXTRA = ['#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var variants = [];
  data.cells.forEach(function (c) { if (variants.indexOf(c.v) < 0) variants.push(c.v); });
  function color(v) {
    return COLORS[v] || EXTRA[variants.indexOf(v) % EXTRA.length];
  }
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined) return '-';
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
  }
  function path(xs, ys) {
    var d = '', pen = false;
    for (var i = 0; i < ys.length; i++) {
      if (ys[i] === null) { pen = false; continue; }
      d += (pen ? 'L' : 'M') + xs(i).toFixed(1) + ' ' + ys[i].toFixed(1);
      pen = true;
    }
    return d;
  }
  // lines: [{label, color, y: [...], lo: [...]?, hi: [...]?, cp: [[index, ratio, row]]?}]
  function chart(fig, lines, unit, ref) {
    var n = data.sweeps.length, lo = Infinity, hi = -Infinity;
    lines.forEach(function (s) {
      [s.y, s.lo || [], s.hi || []].forEach(function (arr) {
        arr.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
      });
    });
    if (ref !== undefined) { lo = Math.min(lo, ref); hi = Math.max(hi, ref); }
    if (!isFinite(lo)) { fig.appendChild(document.createTextNode('no data')); return; }
    if (hi - lo < 1e-9 * Math.max(1, Math.abs(hi))) { lo -= 0.5 * Math.abs(lo || 1) * 0.1; hi += 0.5 * Math.abs(hi || 1) * 0.1; }
    var pad = (hi - lo) * 0.05; lo -= pad; hi += pad;
    var x = function (i) { return L + (n > 1 ? i * (W - L - R) / (n - 1) : (W - L - R) / 2); };
    var y = function (v) { return T + (hi - v) * (H - T - B) / (hi - lo); };
    var svg = el('svg', {width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img'}, fig);
    el('rect', {x: L, y: T, width: W - L - R, height: H - T - B, fill: '#fcfcfc', stroke: '#ccc'}, svg);
    [lo + pad, (lo + hi) / 2, hi - pad].forEach(function (v) {
      el('line', {x1: L - 3, x2: L, y1: y(v), y2: y(v), stroke: '#999'}, svg);
      var t = el('text', {x: L - 5, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#555'}, svg);
      t.textContent = fmt(v);
    });
    var u = el('text', {x: 2, y: T + 8, 'font-size': 9, fill: '#777'}, svg);
    u.textContent = unit;
    var first = el('text', {x: L, y: H - 3, 'font-size': 9, fill: '#777'}, svg);
    first.textContent = (data.sweeps[0] || {}).d ? data.sweeps[0].d.slice(0, 10) : '';
    var last = el('text', {x: W - R, y: H - 3, 'font-size': 9, fill: '#777', 'text-anchor': 'end'}, svg);
    last.textContent = (data.sweeps[n - 1] || {}).d ? data.sweeps[n - 1].d.slice(0, 10) : '';
    if (ref !== undefined) el('line', {x1: L, x2: W - R, y1: y(ref), y2: y(ref), stroke: '#aaa', 'stroke-dasharray': '3 3'}, svg);
    lines.forEach(function (s) {
      if (s.lo && s.hi) {
        var up = s.hi.map(function (v) { return v === null ? null : y(v); });
        var down = s.lo.map(function (v) { return v === null ? null : y(v); });
        var d = '', i;
        for (i = 0; i < n; i++) if (up[i] !== null) d += (d ? 'L' : 'M') + x(i).toFixed(1) + ' ' + up[i].toFixed(1);
        for (i = n - 1; i >= 0; i--) if (down[i] !== null) d += 'L' + x(i).toFixed(1) + ' ' + down[i].toFixed(1);
        if (d) el('path', {d: d + 'Z', fill: s.color, 'fill-opacity': 0.18, stroke: 'none'}, svg);
      }
      el('path', {d: path(x, s.y.map(function (v) { return v === null ? null : y(v); })), fill: 'none',
                  stroke: s.color, 'stroke-width': 1.3, 'stroke-opacity': s.op || 1}, svg);
    });
    // change points: a red line at the boundary, linked to its row in the table
    lines.forEach(function (s) {
      (s.cp || []).forEach(function (cp) {
        var i = cp[0], xb = (x(i - 1) + x(i)) / 2;
        var a = el('a', {href: '#cp-' + cp[2]}, svg);
        el('line', {x1: xb, x2: xb, y1: T, y2: H - B, stroke: '#d00', 'stroke-width': 2, opacity: 0.8}, a);
        el('rect', {x: xb - 4, y: T, width: 8, height: H - T - B, fill: 'transparent'}, a);
        var title = el('title', {}, a);
        title.textContent = 'change point ' + (cp[1] > 1 ? '+' : '') + ((cp[1] - 1) * 100).toFixed(1) + '% between ' +
          data.sweeps[i - 1].c + ' (' + data.sweeps[i - 1].d + ') and ' + data.sweeps[i].c + ' (' + data.sweeps[i].d + ')';
      });
    });
    // hover: one transparent column per sweep, its <title> the commit, the date and the values
    var wcol = n > 1 ? (W - L - R) / (n - 1) : W - L - R;
    var hover = el('g', {}, svg);
    for (var i = 0; i < n; i++) {
      var col = el('rect', {x: x(i) - wcol / 2, y: T, width: wcol, height: H - T - B, fill: 'transparent'}, hover);
      var tip = data.sweeps[i].c + ' · ' + data.sweeps[i].d + (data.sweeps[i].b ? ' · ' + data.sweeps[i].b : '');
      lines.forEach(function (s) {
        if (s.y[i] === null) return;
        tip += '\n' + s.label + ': ' + fmt(s.y[i]) + (s.lo ? ' [' + fmt(s.lo[i]) + ', ' + fmt(s.hi[i]) + ']' : '') + ' ' + unit;
      });
      el('title', {}, col).textContent = tip;
    }
    if (lines.length > 1) {
      var legend = document.createElement('div');
      legend.className = 'legend';
      lines.forEach(function (s) {
        var sp = document.createElement('span');
        sp.style.color = s.color;
        sp.style.opacity = s.op || 1;
        sp.textContent = '\u25A0 ' + s.label;
        legend.appendChild(sp);
      });
      fig.appendChild(legend);
    }
  }
  var threads = [];
  data.cells.forEach(function (c) { if (threads.indexOf(c.t) < 0) threads.push(c.t); });
  threads.sort(function (a, b) { return a - b; });
  function shade(t) { return 1 - 0.6 * threads.indexOf(t) / Math.max(1, threads.length - 1); }  // more threads: lighter
  function cellsOf(w, pred) {
    return data.cells.filter(function (c) { return c.w === w && pred(c); });
  }
  function draw(fig) {
    var kind = fig.getAttribute('data-kind'), idx = +fig.getAttribute('data-i');
    if (kind === 'time') {
      var c = data.cells[idx];
      chart(fig, [{label: 'median', color: color(c.v), y: c.m, lo: c.lo, hi: c.hi, cp: c.cp}], 'ms');
    } else if (kind === 'overhead') {
      chart(fig, cellsOf(idx, function (c) { return c.o; }).map(function (c) {
        return {label: c.v, color: color(c.v), y: c.o};
      }), 'x gil', 1);
    } else if (kind === 'eff') {
      chart(fig, cellsOf(idx, function (c) { return c.t > 1 && c.e.some(function (v) { return v !== null; }); }).map(function (c) {
        return {label: c.v + ' ' + c.t + 't', color: color(c.v), op: shade(c.t), y: c.e};
      }), 'eff', 1);
    } else if (kind === 'mem') {
      chart(fig, cellsOf(idx, function (c) { return c.r.some(function (v) { return v !== null; }); }).map(function (c) {
        return {label: c.v + ' ' + c.t + 't', color: color(c.v), op: shade(c.t), y: c.r};
      }), 'MiB');
    }
  }
  // The charts on the first screen (and 400 px below it) are drawn now, while the page loads,
  // so that it never opens blank; the rest when they scroll near the viewport, so that a
  // dashboard of hundreds of charts opens fast. Reading a figure's box here lays the page out
  // once, synchronously.
  var figs = [].slice.call(document.querySelectorAll('figure.chart'));
  var reach = (window.innerHeight || document.documentElement.clientHeight) + 400;
  var later = figs.filter(function (f) {
    if (f.getBoundingClientRect().top < reach) { draw(f); return false; }
    return true;
  });
  if ('IntersectionObserver' in window) {
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) {
        if (en.isIntersecting) { seen.unobserve(en.target); draw(en.target); }
      });
    }, {rootMargin: '400px'});
    later.forEach(function (f) { seen.observe(f); });
  } else {
    later.forEach(draw);
  }
})();
"""


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def _page(title: str, body: str, data=None) -> str:
    script = ""
    if data is not None:
        script = (f'<script type="application/json" id="ftb-data">{_json_block(data)}</script>\n'
                  f"<script>{SCRIPT}</script>")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_csp()}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n{script}\n"
            "</body></html>\n")


def _settings_line(settings: dict) -> str:
    return ", ".join(f"{k} {json.dumps(v)}" for k, v in settings.items() if v is not None)


def _change_row(n, series, key, cp, commit_url, link_page: str = "") -> str:
    workload, variant, threads = key
    before, after = series.sweeps[cp.index - 1], series.sweeps[cp.index]
    cls = "slower" if cp.ratio > 1 else "faster"
    where = f'<a href="{link_page}#cp-{n}">' if link_page else ""
    return (f'<tr id="{"" if link_page else f"cp-{n}"}">'
            f"<td>{where}{_e(workload)}/{_e(variant)}/threads:{threads}{'</a>' if link_page else ''}</td>"
            f'<td class="{cls}">{cp.change:+.1%}</td>'
            f"<td>{cp.before:.4g} → {cp.after:.4g} ms</td><td>{cp.p:.2g}</td>"
            f"<td>{_commit_html(before, commit_url)}</td><td>{_commit_html(after, commit_url)}</td></tr>")


CHANGE_HEAD = ("<tr><th>cell</th><th>change</th><th>median (pooled)</th><th>p</th>"
               "<th>last sweep before</th><th>first sweep after</th></tr>")


def series_page(conn, series: Series, window: int, commit_url: str | None) -> str:
    data = series_data(conn, series, window)
    title = f"{series.host}: ftbench history"
    parts = [f"<p><a href=\"index.html\">all machines</a></p><h1>{_e(series.machine)}</h1>",
             f"<p>{len(series.sweeps)} sweeps, {_e(series.sweeps[0].date)} to "
             f"{_e(series.sweeps[-1].date)}; settings: {_e(_settings_line(series.settings))}</p>",
             f"<h2>Change points ({len(series.changes)})</h2>"]
    if series.changes:
        parts.append(f'<table>{CHANGE_HEAD}' + "".join(
            _change_row(n, series, key, cp, commit_url) for n, (key, cp) in enumerate(series.changes))
            + "</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append(f'<p class="note">A change point is a shift between the {window} sweeps before '
                 f"and the {window} after that compare's statistics confirm (docs/history.md). "
                 "Hover a chart for each sweep's commit, date and values.</p>")
    for w, workload in enumerate(data["workloads"]):
        figs = []
        for i, c in enumerate(data["cells"]):
            if c["w"] == w:
                figs.append(f'<figure class="chart" data-kind="time" data-i="{i}"><figcaption>'
                            f"{_e(workload)}/{_e(c['v'])}/threads:{c['t']}: median wall time"
                            "</figcaption></figure>")
        cells = [c for c in data["cells"] if c["w"] == w]
        if any(c["o"] for c in cells):
            figs.append(f'<figure class="chart" data-kind="overhead" data-i="{w}"><figcaption>'
                        f"{_e(workload)}: 1-thread time relative to gil</figcaption></figure>")
        if any(c["t"] > 1 and any(v is not None for v in c["e"]) for c in cells):
            figs.append(f'<figure class="chart" data-kind="eff" data-i="{w}"><figcaption>'
                        f"{_e(workload)}: parallel efficiency</figcaption></figure>")
        if any(any(v is not None for v in c["r"]) for c in cells):
            figs.append(f'<figure class="chart" data-kind="mem" data-i="{w}"><figcaption>'
                        f"{_e(workload)}: peak RSS</figcaption></figure>")
        parts.append(f'<h2 id="w-{w}">{_e(workload)}</h2><div class="grid">{"".join(figs)}</div>')
    return _page(title, "\n".join(parts), data)


def index_page(all_series: list, commit_url: str | None, db_name: str) -> str:
    rows = []
    for s in all_series:
        last = s.sweeps[-1]
        rows.append(f'<tr><td><a href="series-{s.id}.html">{_e(s.host)}</a></td><td>{_e(s.cpu_model)}</td>'
                    f"<td>{s.cores}</td><td>{_e(_settings_line(s.settings))}</td><td>{len(s.sweeps)}</td>"
                    f"<td>{_e(s.sweeps[0].date)}</td><td>{_commit_html(last, commit_url)}</td>"
                    f"<td>{len(s.changes)}</td></tr>")
    recent = sorted(((s, n, key, cp) for s in all_series for n, (key, cp) in enumerate(s.changes)),
                    key=lambda t: t[0].sweeps[t[3].index].date, reverse=True)[:50]
    body = [f"<h1>ftbench history</h1><p>{len(all_series)} series (a machine and its settings) "
            f"from {_e(db_name)}.</p>",
            "<table><tr><th>host</th><th>CPU</th><th>cores</th><th>settings</th><th>sweeps</th>"
            "<th>first</th><th>latest</th><th>change points</th></tr>" + "".join(rows) + "</table>",
            "<h2>Latest change points</h2>"]
    if recent:
        body.append("<table><tr><th>machine</th>" + CHANGE_HEAD[4:] + "".join(
            f"<tr><td>{_e(s.host)}</td>" + _change_row(n, s, key, cp, commit_url, f"series-{s.id}.html")[len('<tr id="">'):]
            for s, n, key, cp in recent) + "</table>")
    else:
        body.append("<p>None.</p>")
    return _page("ftbench history", "\n".join(body))


def write_site(db_path, out, window: int = history_changes.DEFAULT_WINDOW,
               commit_url: str | None = None) -> Path:
    """Writes OUT/index.html and OUT/series-<n>.html; returns the index's path."""
    out = Path(out)
    conn = history_store.open_db(db_path)
    try:
        all_series = load_series(conn)
        if not all_series:
            raise ResultsError(f"{db_path}: the history database holds no sweep "
                               "(ftbench history add RESULTS --db FILE)")
        if out.exists() and not out.is_dir():
            raise ResultsError(f"--out {out}: not a directory")
        out.mkdir(parents=True, exist_ok=True)
        for s in all_series:
            _write(out / f"series-{s.id}.html", series_page(conn, s, window, commit_url))
        _write(out / "index.html", index_page(all_series, commit_url, Path(db_path).name))
    finally:
        conn.close()
    return out / "index.html"


def _write(path: Path, text: str) -> None:
    """Writes under a temporary name and renames: a page is never half written."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
