"""report.html in a real browser (Debian's chromium, headless): no broken image, no console
message, every chart shown near its drawn size, the charts near the top.

A copy of the page gets a small checker script: it records failed loads and images with no
pixels (naturalWidth 0), and on load writes what it found into the DOM as JSON, which
`chromium --dump-dom` prints. Console messages come from chromium's log (--enable-logging),
where each is one `CONSOLE` line. Skipped, saying so, only when chromium is not installed
(scripts/setup-debian.sh installs it).
"""
import html
import json
import re
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH = 1400  # px, the window the report is read in

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (scripts/setup-debian.sh installs it): "
    "report.html not checked in a browser")

HEAD_CHECK = """<script>
window.__ftb = [];
window.addEventListener('error', function (e) {
  var t = e.target;
  window.__ftb.push(t && t.tagName ? 'failed to load <' + t.tagName.toLowerCase() + '> '
                    + (t.alt || '') : 'script error: ' + e.message);
}, true);
</script>"""
LOAD_CHECK = """<script>
window.addEventListener('load', function () {
  var images = [];
  for (var i = 0; i < document.images.length; i++) {
    var img = document.images[i];
    if (!img.complete || img.naturalWidth === 0) window.__ftb.push('broken image: ' + img.alt);
    images.push({alt: img.alt, natural: img.naturalWidth, shown: img.clientWidth});
  }
  var charts = document.getElementById('charts');
  var pre = document.createElement('pre');
  pre.id = 'ftb-check';
  pre.textContent = JSON.stringify({problems: window.__ftb, images: images,
    charts_top: charts ? charts.getBoundingClientRect().top + window.scrollY : -1});
  document.body.appendChild(pre);
});
</script>"""


def check_in_browser(page, tmp_path) -> dict:
    """Loads a checked copy of `page`; returns the checker's findings plus console messages."""
    text = page.read_text(encoding="utf-8")
    checked = tmp_path / "checked.html"
    checked.write_text(text.replace("<head>", "<head>" + HEAD_CHECK, 1)
                       .replace("</body>", LOAD_CHECK + "</body>", 1), encoding="utf-8")
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
         "--v=0", f"--window-size={WIDTH},1000", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=5000", "--dump-dom", checked.as_uri()],
        capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="ftb-check">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"chromium printed no check result (exit {proc.returncode}):\n{proc.stderr[-2000:]}"
    result = json.loads(html.unescape(found.group(1)))
    result["console"] = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return result


def test_report_has_no_broken_image_or_console_message(rendered, tmp_path):
    _, page = rendered
    result = check_in_browser(page, tmp_path)
    assert result["problems"] == []
    assert result["console"] == []
    assert len(result["images"]) == 9
    for image in result["images"]:
        # Shown at 70% of its drawn width or more: labels stay legible (the overhead chart, drawn
        # at the report's width, 1:1).
        assert image["shown"] >= 0.7 * image["natural"], image
    overhead = next(i for i in result["images"] if i["alt"] == "Single-thread overhead")
    assert overhead["shown"] >= 0.95 * overhead["natural"], overhead
    # The charts start near the top: only the contents and the headline table come first.
    assert 0 < result["charts_top"] < 1500, result["charts_top"]


def test_the_check_catches_a_broken_image_and_a_console_error(tmp_path):
    """The checker itself: a page with a broken image and a console.error must fail it."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html><head></head><body>"
                    "<img alt='bad' src='data:image/png;base64,AAAA'>"
                    "<script>console.error('boom')</script></body></html>")
    result = check_in_browser(page, tmp_path)
    assert "broken image: bad" in result["problems"]
    assert any('"boom"' in line for line in result["console"]), result["console"]
