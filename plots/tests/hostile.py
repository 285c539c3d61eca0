"""A results file whose every string is hostile, for the escaping tests (test_untrusted.py).

hostile_sweep(directory) writes the sweep fixture with its workload and variant names, host, CPU
model, command line, commit, warnings and micro benchmark names replaced by markup, quotes, `../`,
Markdown and control characters. A payload that ran in a browser would print a console message
containing "xss", which the browser test looks for.
"""
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"

WORKLOADS = {
    "fib": "<script>console.error('xss-script')</script>",
    "dict_churn": "\"onerror=console.error('xss-attr') x=\"",
    "shared_counter": "../../escape",
    "pipe_pingpong": "ctl\x1b[31m\x07|*_`[x](javascript:alert(1))\n| row |\u202e $\\frac{1}{0}$ #",
}
VARIANTS = {"atomic": "<img src=x onerror=console.error('xss-img')>", "brc": "brc$x$|<b>_em_"}
HOST = "<script>console.error('xss-host')</script>\nnext-line"
CPU = "\"><svg onload=console.error('xss-svg')>"
COMMAND = "ftbench run $(touch /tmp/ftb-pwned) `id` <iframe src=javascript:alert(1)>"
COMMIT = "<b>4f81f8e</b>"
WARNING = "<script>console.error('xss-warning')</script> | *x* \r\n[link](http://example.com)"
MICRO = "<img src=x onerror=console.error('xss-micro')>"
# Every hostile string, for "the text is there, escaped" checks.
ALL = list(WORKLOADS.values()) + list(VARIANTS.values()) + [HOST, CPU, COMMAND, COMMIT, WARNING]


def hostile_doc(source=FIXTURES / "sweep", host=HOST, cores=None) -> dict:
    doc = json.loads((Path(source) / "results.json").read_text())
    ctx, ftb = doc["context"], doc["context"]["ftbench"]
    ctx["host_name"] = host
    ftb.update(cpu_model=CPU, command_line=COMMAND, git_commit=COMMIT)
    if cores is not None:
        ftb["cores"] = cores
    ftb["workloads"] = [WORKLOADS.get(w, w) for w in ftb["workloads"]]
    ftb["variants"] = [VARIANTS.get(v, v) for v in ftb["variants"]]
    for row in doc["benchmarks"]:
        w, v = WORKLOADS.get(row["workload"], row["workload"]), VARIANTS.get(row["variant"], row["variant"])
        suffix = row["name"][len(row["run_name"]):]
        row["run_name"] = f"{w}/{v}/threads:{row['threads']}/{row['scaling']}/{row['placement']}"
        row["name"] = row["run_name"] + suffix
        row["workload"], row["variant"] = w, v
        if row.get("aggregate_name") == "median" and row["threads"] == 2:
            row["warnings"] = [WARNING]
    return doc


def hostile_sweep(directory: Path, **kwargs) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "results.json").write_text(json.dumps(hostile_doc(**kwargs)))
    micro = json.loads((FIXTURES / "sweep" / "micro.json").read_text())
    for row in micro["benchmarks"]:
        for key in ("name", "run_name"):
            if key in row:
                row[key] = MICRO + row[key]
    (directory / "micro.json").write_text(json.dumps(micro))
    return directory
