"""Strings from a results file are untrusted: making them inert on every page and in every chart.

A results file can come from a pull request and end up on a published page (the report, the merge
report, the PR comment of `ftbench compare --format markdown`). Every string taken from it (host,
CPU model, command line, workload and variant names, warnings, notes) goes through one of these
before it is written:

  html_text(s)      HTML text or a quoted attribute value: html.escape (quotes too) after visible()
  md_text(s)        Markdown text and table cells: visible(), then a backslash before each
                    character Markdown gives a meaning to (| ` * _ [ ] < > and the rest below), so
                    a table stays a table, no link, image or emphasis appears and no HTML survives
  chart_text(s)     a matplotlib label: visible(), and `$` escaped so that no mathtext is parsed
                    (a stray `$...$` would be typeset, or refuse to draw: an internal error)
  inert_figure(fig) chart_text() on every label of a finished figure (charts.save calls it), so a
                    chart added later is covered without remembering to

visible(s) replaces what would act instead of print: C0 and C1 control characters (newline,
carriage return, tab, escape sequences, NUL, DEL), the Unicode line and paragraph separators and
the bidirectional overrides, each by its escape (`\\n`, `\\x1b`, `\\u202e`), so the reader sees
that it is there and no line of a table or a terminal is broken or rewritten.

Nothing taken from a results file names a path: chart files are named by charts.safe_name (ASCII
letters, digits, `_.-` and a hash of the original when anything was replaced), the merge report's
panels by their index.
"""
from __future__ import annotations

import html
import re

# C0 controls, DEL, C1 controls, the line and paragraph separators, the bidirectional embeddings,
# overrides and isolates, the zero-width no-break space used as a BOM.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Characters that start markup anywhere in a line of CommonMark or GitHub's Markdown (code, emphasis,
# links and images, HTML, table cells, entities, strikethrough, math); CommonMark lets any ASCII
# punctuation be escaped with a backslash, and the escape then prints the character itself.
_MARKDOWN = re.compile(r"([\\`*\[\]<>|!&~$])")
# At the start of the text only: a heading, a list item, a block quote, an ordered list item.
_LEADING = re.compile(r"^([#+\-=]|\d+(?=[.)](\s|$)))")
# An underscore between two letters or digits never opens or closes emphasis; elsewhere it does.
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def _escape_char(match: re.Match) -> str:
    c = match.group(0)
    if c in _SHORT:
        return _SHORT[c]
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value) -> str:
    """str(value) with every control, separator and direction character written as its escape."""
    return _INVISIBLE.sub(_escape_char, str(value))


def html_text(value) -> str:
    """For HTML text and attribute values (single- or double-quoted)."""
    return html.escape(visible(value), quote=True)


def md_text(value) -> str:
    """For Markdown text, headings and table cells (not inside a code span)."""
    text = _UNDERSCORE.sub(r"\\_", _MARKDOWN.sub(r"\\\1", visible(value)))
    leading = _LEADING.match(text)
    if leading and leading.group(0).isdigit():  # "1." -> "1\.": no ordered list
        return text[:leading.end()] + "\\" + text[leading.end():]
    return _LEADING.sub(r"\\\1", text)


def chart_text(value) -> str:
    """For a matplotlib label: no control characters, no mathtext."""
    return visible(value).replace("$", r"\$")


def inert_figure(fig) -> None:
    """chart_text() on every text of a finished figure (titles, captions, legends, annotations,
    tick labels set from names); once per figure, however many formats it is saved in."""
    if getattr(fig, "_ftb_inert", False):
        return
    from matplotlib.text import Text
    from matplotlib import ticker

    # Formatters that print numbers (their mathtext, such as 10^2 on a log axis, is ours); any
    # other (fixed labels, set_ticks(ticks, labels), categories) may print names.
    numeric = (ticker.ScalarFormatter, ticker.LogFormatter, ticker.NullFormatter,
               ticker.EngFormatter, ticker.PercentFormatter)
    for text in fig.findobj(Text):
        if text.get_text():
            text.set_text(chart_text(text.get_text()))
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for get, put in ((axis.get_major_formatter, axis.set_major_formatter),
                             (axis.get_minor_formatter, axis.set_minor_formatter)):
                formatter = get()
                if not isinstance(formatter, numeric):
                    put(ticker.FuncFormatter(lambda x, pos, f=formatter: chart_text(f(x, pos))))
    fig._ftb_inert = True
