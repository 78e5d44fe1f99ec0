"""The one place text from data is escaped: for HTML, for a script, for Markdown, and the CSP hashes."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re

import pytest
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from borderplan_geo._html import html_text, js_value, markdown_text, script_hashes
from tests.hostile import PAYLOADS, TEMPLATE_PAYLOADS, shows_1337


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_text_is_read_back_as_the_same_text_and_holds_no_markup_or_brace(payload: str) -> None:
    out = html_text(payload)
    assert html.unescape(out) == payload
    assert not re.search(r"[<>\"'{}\n\r]", out)


def test_html_text_of_nothing_is_empty() -> None:
    assert html_text(None) == "" and html_text(math.nan) == ""
    assert html_text(12.5) == "12.5"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_js_value_is_the_same_json_and_cannot_end_a_script_or_open_a_template(payload: str) -> None:
    value = {"name": payload, "list": [payload, {"x": {}}], "n": 1.5}
    out = js_value(value)
    assert json.loads(out) == value
    assert not re.search(r"[<>&\u2028\u2029]|\{[{%#]", out)


class _Probe(MacroElement):
    """An element whose script holds a value the way the map's elements do."""

    _template = Template("{% macro script(this, kwargs) %}var v = {{ this.value_js }};{% endmacro %}")

    def __init__(self, value: object) -> None:
        super().__init__()
        self._name = "Probe"
        self.value_js = js_value(value)


class _HtmlProbe(MacroElement):
    _template = Template("{% macro html(this, kwargs) %}<p>{{ this.text }}</p>{% endmacro %}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "HtmlProbe"
        self.text = html_text(text)


@pytest.mark.parametrize("payload", [*TEMPLATE_PAYLOADS, "{{ lipsum.__globals__ }}", "{%- raw %}"])
def test_branca_renders_the_page_twice_and_the_text_survives_as_text(payload: str) -> None:
    # branca puts each macro's output into a new Element, whose template the page renders again.
    figure = Figure()
    figure.add_child(_Probe({"name": payload}))
    figure.add_child(_HtmlProbe(payload))
    figure.header.add_child(Element(f'<meta name="description" content="{html_text(payload)}">'))
    page = figure.render()
    assert not shows_1337(page)
    script = re.search(r"var v = (.*?);", page)
    assert script is not None and json.loads(script.group(1)) == {"name": payload}
    assert f"<p>{html_text(payload)}</p>" in page
    assert f'content="{html_text(payload)}"' in page


def test_without_the_escaping_branca_would_run_the_text_as_a_template() -> None:
    # What the escaping prevents (and why it must hold for every element of the map).
    figure = Figure()
    figure.header.add_child(Element("<p>{{7*191}}</p>"))
    assert shows_1337(figure.render())


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("[x](javascript:alert(1))", r"\[x\]\(javascript\:" + "\u2060" + r"alert\(1\)\)"),
        ("**đậm** _nghiêng_", r"\*\*đậm\*\* \_nghiêng\_"),
        ("<img src=x>", r"\<img src\=x\>"),
        ("dòng 1\n\n# dòng 2", r"dòng 1 \# dòng 2"),
        ("www.evil.example", "www\u2060\\.evil\\.example"),
        ("a@evil.example", "a\u2060\\@evil\\.example"),
        ("95,6 %", r"95\,6 \%"),
    ],
)
def test_markdown_text_escapes_every_sign_and_breaks_autolinks(text: str, shown: str) -> None:
    assert markdown_text(text) == shown


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_text_leaves_no_unescaped_sign_and_reads_back_as_the_text(payload: str) -> None:
    out = markdown_text(payload)
    assert "\n" not in out and "\r" not in out
    # Undo the escaping: what CommonMark shows is the text (line breaks as spaces).
    shown = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", out).replace("\u2060", "")
    assert shown == re.sub(r"\s*[\r\n]+\s*", " ", payload)
    assert not re.search(r"(?<!\\)[\[\]()<>*_`!#:|~$&{}]", out.replace("\\\\", ""))


def test_script_hashes_are_those_a_browser_computes() -> None:
    page = (
        "<html><head><script>var a = 1;</script><script src='x.js'></script></head>"
        '<body><SCRIPT type="text/javascript">\r\nb();\r\n</SCRIPT><script>var a = 1;</script></body></html>'
    )

    def sha(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert script_hashes(page) == [sha("var a = 1;"), sha("\nb();\n")]
