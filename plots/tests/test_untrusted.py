"""Untrusted results (ftbplots/untrusted.py): a results file whose names carry `<script>`,
`"onerror=`, `../`, Markdown and control characters renders inert in the report (HTML, Markdown,
every chart), in the merge report and in compare's markdown (the PR comment), writes nothing
outside the output directory, and runs nothing in a browser."""
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

import hostile
from conftest import PLOTS, PYTHON
from ftbplots import merge, untrusted
from ftbplots.report import write_report
from ftbplots.results import load

COMPARE_CLI = PLOTS / "ftbench_compare.py"
# Control characters, DEL, C1, line separators and direction overrides: none may reach a page.
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# What a hostile string would leave in a page if it were not escaped.
MARKUP = ("<script", "<img src=x", "<iframe", "<svg onload", "<b>", "`id`", "](javascript",
          "](http://example.com)")


# --- the escaping functions -------------------------------------------------------------------

def test_visible_writes_control_characters_as_escapes():
    assert untrusted.visible("a\nb\rc\td\x1b[31m\x07\x00\x7f\x85\u202eé") == \
        "a\\nb\\rc\\td\\x1b[31m\\x07\\x00\\x7f\\x85\\u202eé"
    assert untrusted.visible(42) == "42"


def test_md_text_escapes_markup_and_keeps_plain_names():
    for plain in ("fib", "dict_churn", "py.create_object", "1.23×", "brc:3.13", "cpython-3.14t",
                  "Package:1 L3:1 Core:4 PU:4", "work_scale: 1.0 vs 1.1"):
        assert untrusted.md_text(plain) == plain
    assert untrusted.md_text("a|b") == "a\\|b"
    assert untrusted.md_text("<script>") == "\\<script\\>"
    assert untrusted.md_text("`x` *y* _z_ [l](u) ~s~ $m$ &lt; !") == \
        "\\`x\\` \\*y\\* \\_z\\_ \\[l\\](u) \\~s\\~ \\$m\\$ \\&lt; \\!"
    assert untrusted.md_text("a\nb") == "a\\\\nb"  # a visible \n, not a line break
    assert untrusted.md_text("# h") == "\\# h" and untrusted.md_text("- x") == "\\- x"
    assert untrusted.md_text("1. x") == "1\\. x" and untrusted.md_text("1.5") == "1.5"


def test_html_text_escapes_quotes_too():
    assert untrusted.html_text("\"onerror='x'<b>&\n") == "&quot;onerror=&#x27;x&#x27;&lt;b&gt;&amp;\\n"


def test_chart_text_never_parses_mathtext():
    assert untrusted.chart_text("$\\frac{1}{0}$\x1b") == "\\$\\frac{1}{0}\\$\\x1b"


# --- checks of a written page -----------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_inert_html(page: str, images: int) -> str:
    """No element or attribute came from the results; returns the page's text."""
    parser = _Tags()
    parser.feed(page)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"script", "iframe", "b", "object", "embed"}, names
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "img":
            assert attrs["src"].startswith("data:image/png;base64,"), attrs
        if tag == "svg":  # matplotlib's own, inlined when no PNG is drawn
            assert "onload" not in attrs
    assert sum(tag == "img" for tag, _ in parser.tags) == images
    assert not RAW_CONTROL.search(page)
    return "".join(parser.text)


def _unescaped(md: str) -> str:
    """The Markdown with every backslash escape removed: what could still be markup."""
    return re.sub(r"\\.", "", md)


def assert_inert_markdown(md: str, allowed_tags=("a", "details", "summary")):
    bare = _unescaped(md)
    for markup in MARKUP:
        assert markup not in bare, markup
    tags = {t.lower() for t in re.findall(r"</?([A-Za-z][A-Za-z0-9]*)", bare)}
    assert tags <= set(allowed_tags), tags
    assert not RAW_CONTROL.search(md)
    # Every table keeps its columns: each row has as many unescaped pipes as its header.
    lines = md.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and (i == 0 or not lines[i - 1].startswith("|")):
            width = _unescaped(line).count("|")
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                assert _unescaped(lines[j]).count("|") == width, (lines[i], lines[j])
                j += 1


def assert_nothing_outside(root: Path, out: Path, *sources: Path):
    """Every file under root is the output's or one of the sources' results files."""
    inputs = {s / name for s in sources for name in ("results.json", "micro.json")}
    for path in root.rglob("*"):
        if path.is_file():
            assert out in path.parents or path in inputs, f"{path} written outside the output"


def assert_charts_inert(directory: Path):
    svgs = list(directory.rglob("*.svg"))
    assert svgs
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        tree = ET.fromstring(text.encode("utf-8"))  # control characters: invalid XML
        for element in tree.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in ("script", "foreignObject", "iframe"), (svg, tag)
            if tag == "image":  # imshow's heatmap: an embedded PNG, nothing fetched
                href = [v for k, v in element.attrib.items() if k.endswith("href")]
                assert href and all(h.startswith("data:image/png;base64,") for h in href), svg
            assert not [a for a in element.attrib if a.lower().startswith("on")], (svg, element.attrib)
        assert "<script" not in text and not RAW_CONTROL.search(text), svg
    for name in {p.name for p in directory.rglob("*.png")}:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+", name), name


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    source = hostile.hostile_sweep(root / "sweep")
    page, notes = write_report(load(source), root / "sweep" / "deep" / "out")
    return root, source, page


# --- the report ---------------------------------------------------------------------------------

def test_report_html_is_inert_and_shows_the_names(hostile_report):
    root, source, page = hostile_report
    text = assert_inert_html(page.read_text(encoding="utf-8"), images=9)
    for value in (hostile.WORKLOADS["fib"], hostile.VARIANTS["atomic"], hostile.CPU,
                  hostile.COMMAND, hostile.COMMIT):
        assert untrusted.visible(value) in text  # shown as text, escapes and all
    assert untrusted.visible(" ".join(hostile.HOST.split())) in text  # the machine table trims
    assert untrusted.visible(hostile.MICRO) in text


def test_report_markdown_is_inert(hostile_report):
    root, source, page = hostile_report
    md = (page.parent / "report.md").read_text(encoding="utf-8")
    assert_inert_markdown(md)
    assert untrusted.md_text(hostile.WORKLOADS["pipe_pingpong"]) in md
    assert untrusted.md_text(" ".join(hostile.HOST.split())) in md
    # Every image it links is a file of the report.
    for image in re.findall(r"!\[(?:\\.|[^]\\])*\]\(([^)]+)\)", md):
        assert (page.parent / image).is_file(), image


def test_report_writes_only_inside_its_directory(hostile_report):
    root, source, page = hostile_report
    assert_nothing_outside(root, page.parent, source)  # ../../ from out is still inside root
    names = sorted(p.name for p in page.parent.glob("scaling_*.png"))
    assert len(names) == 1 + 4  # scaling_all and one per workload: no two names collide
    assert any(n.startswith("scaling_.._.._escape-") for n in names)
    assert_charts_inert(page.parent)


# --- the merge report ---------------------------------------------------------------------------

def test_merge_report_is_inert(tmp_path):
    a = hostile.hostile_sweep(tmp_path / "a")
    b = hostile.hostile_sweep(tmp_path / "b", host="../../" + hostile.HOST, cores=16)
    out = tmp_path / "merged"
    page = merge.write_merge([a, b], out)
    text = assert_inert_html(page.read_text(encoding="utf-8"), images=1 + 2 * 3)
    assert untrusted.visible(" ".join(("../../" + hostile.HOST).split())) in text
    md = (out / "report.md").read_text(encoding="utf-8")
    assert_inert_markdown(md)
    assert sorted(p.name for p in out.iterdir()) == ["machine-1", "machine-2", "machines.png",
                                                     "machines.svg", "report.html", "report.md"]
    assert_nothing_outside(tmp_path, out, a, b)
    assert_charts_inert(out)


# --- the PR comment ---------------------------------------------------------------------------

def test_compare_markdown_is_inert(tmp_path):
    base = hostile.hostile_sweep(tmp_path / "base")
    new = tmp_path / "new"
    new.mkdir()
    (new / "results.json").write_text(json.dumps(hostile.hostile_doc(host=hostile.CPU + "|x\n")))
    chart = tmp_path / "cmp.svg"
    done = subprocess.run([PYTHON, str(COMPARE_CLI), base, new, "--format", "markdown",
                           "--allow-inconclusive", "--chart", chart],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    md = done.stdout
    assert_inert_markdown(md)
    assert "| workload | variant | threads |" in md
    assert untrusted.md_text(hostile.WORKLOADS["fib"]) in md
    assert "different hosts" in md  # the note names both hosts, escaped
    assert_charts_inert(tmp_path)
    text = subprocess.run([PYTHON, str(COMPARE_CLI), base, new, "--allow-inconclusive"],
                          capture_output=True, text=True, timeout=300).stdout
    assert not RAW_CONTROL.search(text)  # nothing for a terminal to act on


# --- in a browser ---------------------------------------------------------------------------------

@pytest.mark.skipif(__import__("shutil").which("chromium") is None,
                    reason="chromium not installed (scripts/setup-debian.sh installs it)")
def test_hostile_pages_run_nothing_in_a_browser(hostile_report, tmp_path):
    from test_browser import check_in_browser
    root, source, page = hostile_report
    a = hostile.hostile_sweep(tmp_path / "a")
    b = hostile.hostile_sweep(tmp_path / "b", host="other", cores=16)
    merged = merge.write_merge([a, b], tmp_path / "merged", formats=("png",))
    for path in (page, merged):
        (tmp_path / path.parent.name).mkdir(exist_ok=True)
        result = check_in_browser(path, tmp_path / path.parent.name)
        assert result["problems"] == [], result["problems"]  # a parsed <img src=x> would fail to load
        assert result["console"] == [], result["console"]    # a script that ran would log "xss"
