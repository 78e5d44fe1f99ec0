r"""Text from data, made inert where it enters a page: HTML, JavaScript, Markdown.

Names, sources, notes and titles come from files that planners and editors
fill in; any of them may hold ``<``, ``{{`` or ``](``. The map, the exports
and the app let such text into a page only through these functions, so each
kind of escaping lives in one place:

:func:`html_text`
    Text for HTML (an element's text or an attribute value).
:func:`js_value`
    Any JSON-able value for inside a ``<script>``.
:func:`markdown_text`
    Text that Streamlit's Markdown shows literally.
:func:`script_hashes`
    The CSP hashes of a finished page's inline scripts (the HTML export).

Why the braces. branca renders each map element through Jinja, and the
rendered text becomes the *template* of a new element that is rendered again
when the page is built (``branca.element.MacroElement.render`` wraps the
output of each macro in ``Element(...)``; ``Figure.render`` renders those).
Any ``{{``, ``{%`` or ``{#`` that reaches a map's HTML or script is therefore
template source on the second pass: ``{{7*191}}`` would print 1337, and
``Trạm bơm {{ số 2`` would raise. Both functions that feed the map make sure
no such sequence survives:

>>> html_text("Trạm bơm {{ số 2 <b>")
'Trạm bơm &#123;&#123; số 2 &lt;b&gt;'
>>> js_value({"name": "{{7*191}} </script>"})
'{"name": "\\u007b{7*191}} \\u003c/script\\u003e"}'
>>> markdown_text("[x](http://evil/)")
'\\[x\\]\\(http\\:\u2060\\/\\/evil\\/\\)'
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re

__all__ = ["html_text", "js_value", "markdown_text", "script_hashes"]

_HTML_EXTRA = str.maketrans({"{": "&#123;", "}": "&#125;", "\n": "&#10;", "\r": "&#13;"})


def html_text(value: object) -> str:
    """Escape a value for HTML text or a quoted attribute ('' for None and NaN).

    Besides ``& < > " '``, the braces become ``&#123;`` / ``&#125;`` (so the
    text can never be template source, see the module's note) and line breaks
    become ``&#10;`` / ``&#13;`` (a blank line would end an HTML block that
    Streamlit's Markdown passes through, and the rest would be read as
    Markdown). A browser shows all of them exactly as the original text.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True).translate(_HTML_EXTRA)


_JS_TEMPLATE_START = re.compile(r"\{(?=[{%#])")
_JS_UNSAFE = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def js_value(value: object) -> str:
    """JSON of ``value`` for inside a ``<script>`` and inside a branca template.

    ``<``, ``>`` and ``&`` are written ``\\u003c``, ``\\u003e``, ``\\u0026``, so
    no text can close the script (``</script>``), open a comment (``<!--``) or
    be read as HTML; U+2028/U+2029 are escaped too. Every ``{`` that starts
    ``{{``, ``{%`` or ``{#`` is written ``\\u007b``: JSON's own braces are
    always followed by ``"`` or ``}``, so only a brace inside a string can
    start such a sequence, and the escaped string means the same to
    JavaScript. Never place the result directly after a ``{`` of a template.
    """
    text = json.dumps(value, ensure_ascii=False)
    for char, escaped in _JS_UNSAFE:  # str.replace: a 10 000-project map is several MB
        text = text.replace(char, escaped)
    return _JS_TEMPLATE_START.sub(r"\\u007b", text)


# Every ASCII punctuation character may be backslash-escaped in CommonMark.
_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_MD_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
# After parsing, Streamlit still turns some plain text into links or icons
# (GFM autolink literals: http://…, www.…, a@b.c; shortcodes :smile:,
# :material/…:). A WORD JOINER (U+2060, invisible) breaks each pattern.
_WORD_JOINER = "\u2060"
_MD_AUTOLINK = re.compile(r"(\\:)|(\\@)|(www)(?=\\\.)", re.IGNORECASE)


def _break_autolink(match: re.Match[str]) -> str:
    colon, at, www = match.groups()
    if colon:
        return colon + _WORD_JOINER
    if at:
        return _WORD_JOINER + at
    return www + _WORD_JOINER


def markdown_text(value: object) -> str:
    """Text that Streamlit's Markdown (``st.markdown``, ``st.caption``, alerts,
    metric values, labels, help) shows exactly as written, as one line.

    Every ASCII punctuation character is backslash-escaped (no emphasis, link,
    image, heading, list, table, HTML, colour directive or formula can start),
    line breaks become one space, and an invisible word joiner breaks what
    Streamlit would still turn into a link or an icon after parsing:
    ``http://…``, ``www.…``, ``name@host``, ``:smile:``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = _MD_LINE_BREAKS.sub(" ", str(value))
    return _MD_AUTOLINK.sub(_break_autolink, _MD_PUNCT.sub(r"\\\1", text))


_INLINE_SCRIPT = re.compile(
    r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script", re.IGNORECASE | re.DOTALL
)


def script_hashes(page: str) -> list[str]:
    """CSP source expressions (``'sha256-…'``) of every inline ``<script>`` of a page, in order.

    For a Content-Security-Policy that lets exactly the page's own scripts run
    (and no event-handler attribute or ``javascript:`` URL). The browser
    hashes a script's text as parsed, with line breaks normalised to LF; a
    script with a ``src`` attribute is skipped (it has no inline text to hash).
    """
    out: list[str] = []
    for match in _INLINE_SCRIPT.finditer(page):
        if re.search(r"\ssrc\s*=", match.group("attrs"), re.IGNORECASE):
            continue
        body = match.group("body").replace("\r\n", "\n").replace("\r", "\n")
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        source = f"'sha256-{digest}'"
        if source not in out:
            out.append(source)
    return out
