"""Hostile text for the tests: payloads, and a data folder whose every text field holds one.

:data:`PAYLOADS` are script-injection, Markdown and template payloads (at
least 40). :func:`poison` writes them into every text field of a copy of the
data folder — target names and texts, sources and notes of every figure, the
names, descriptions, sources and agencies of every layer feature and project,
the titles, notes and names of the saved views, the data folder's own title —
one payload per field value, walking the list from a rotation offset, so that
over runs with different offsets every payload visits every field.
:func:`rotation_offset` reads the offset from ``BORDERPLAN_PAYLOAD_OFFSET``,
else takes today's date: a run is deterministic given its offset, which the
tests print.

Each payload that could create an element marks it with ``data-pwn``, and
each one that could run sets ``window.__pwned`` or opens a dialog, so a
browser test finds any that got through (:data:`PROBE_JS`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

#: The template payloads: each must show as text, and nothing may print 1337.
TEMPLATE_PAYLOADS: tuple[str, ...] = ("{{7*191}}", "{% for x in y %}", "{#", "Trạm bơm {{ số 2")

#: Script, HTML, Markdown and template payloads, one per field value in turn.
PAYLOADS: tuple[str, ...] = (
    "<img src=x onerror=\"window.__pwned='img';alert('img')\" data-pwn=img>",
    "<iframe src=\"javascript:parent.__pwned='iframe';alert('iframe')\" data-pwn=iframe></iframe>",
    "<details open ontoggle=\"window.__pwned='details';alert('details')\" data-pwn=details>",
    '<base href="http://evil.example/base/" data-pwn=base>',
    "<object data=\"javascript:alert('object')\" data-pwn=object></object>",
    "<a href=\" javascript:alert('a-space')\" data-pwn=a-space id=pwn-a>lien ket</a>",
    "<marquee onstart=\"window.__pwned='marquee';alert('marquee')\" data-pwn=marquee>",
    "<svg onload=\"window.__pwned='svg';alert('svg')\" data-pwn=svg>",
    "\"><script data-pwn=quote-script>window.__pwned='quote-script';alert('quote-script')</script>",
    "';window.__pwned='sq';alert('sq')//",
    "</script><script data-pwn=close-script>window.__pwned='close-script';alert('close-script')</script>",
    "{{7*191}}",
    "{% for x in y %}",
    "{#",
    "Trạm bơm {{ số 2",
    "[bấm vào](javascript:alert('md-link'))",
    "![ảnh](http://evil.example/md-image.png)",
    "<script>window.__pwned='script';alert('script')</script>",
    "<body onload=\"window.__pwned='body';alert('body')\" data-pwn=body>",
    "<input autofocus onfocus=\"window.__pwned='input';alert('input')\" data-pwn=input>",
    "<video><source onerror=\"window.__pwned='video';alert('video')\" data-pwn=video></video>",
    "<audio src=x onerror=\"window.__pwned='audio';alert('audio')\" data-pwn=audio>",
    "<style data-pwn=style>@import 'http://evil.example/style.css';</style>",
    '<link rel=stylesheet href="http://evil.example/link.css" data-pwn=link>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'meta\')" data-pwn=meta>',
    "<form action=\"javascript:alert('form')\" data-pwn=form><button>gửi</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"alert('mxss')\" data-pwn=mxss>",
    '<img src="http://evil.example/remote.png" data-pwn=remote-img>',
    "javascript:alert('bare')",
    '" onmouseover="alert(\'attr-dq\')" data-pwn="attr-dq',
    "' onfocus='alert(\"attr-sq\")' autofocus data-pwn='attr-sq",
    "\u2028\u2029alert('line-separators')//",
    "<!--<script>alert('comment')</script>-->",
    "<embed src=\"javascript:alert('embed')\" data-pwn=embed>",
    "<svg><animate onbegin=\"alert('animate')\" attributeName=x dur=1s data-pwn=animate></svg>",
    '<div style="background:url(http://evil.example/css-bg.png)" data-pwn=css-bg>x</div>',
    "&lt;img src=x onerror=alert('entities') data-pwn=entities&gt;",
    "${alert('template-literal')}",
    "\\x3cimg src=x onerror=alert('js-escape') data-pwn=js-escape\\x3e",
    '<a href="data:text/html,<script>alert(1)</script>" data-pwn=data-url>d</a>',
    "{{ lipsum.__globals__.os.getcwd() }}",
    "**đậm** _nghiêng_ :red[đỏ] :material/home: $x^2$ # tiêu đề",
    "http://evil.example/autolink www.evil.example a@evil.example",
    '<a href="https://evil.example/a" data-pwn=plain-link>link</a>',
    "<xss contenteditable autofocus onfocus=\"alert('xss')\" data-pwn=xss>",
    '<img srcset="http://evil.example/srcset.png" data-pwn=srcset>',
    "{{'map_div'}} }}{{ {%raw%} {%- endraw %}",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('noscript') data-pwn=noscript>\">",
)

#: What an HTML export must never hold: what a payload would create (the page itself has none of it).
EXPORT_FORBIDDEN = (
    "[data-pwn], base, iframe, object, embed, marquee, form, input:not(.leaflet-control-layers-selector), "
    "video, audio, math, xss, noscript, link, meta[http-equiv='refresh' i], a[href^='javascript' i], "
    "a[href*=' javascript' i], a[href^='http' i], a[href^='data:' i], img[src^='http' i], img[srcset]"
)
#: The same for a page of the app (which has its own forms, inputs, links and frames).
APP_FORBIDDEN = (
    "[data-pwn], base, object, embed, marquee, meta[http-equiv='refresh' i], a[href^='javascript' i], "
    "a[href*=' javascript' i], a[href*='evil.example' i], a[href^='data:' i], img[src*='evil.example' i], "
    "img[srcset*='evil.example' i], iframe[src^='javascript' i]"
)
#: What a browser test looks for after opening a page (argument: one of the selectors above): the
#: elements a payload created, in the page and its same-origin frames, and ``window.__pwned``.
PROBE_JS = """(forbidden) => {
  const found = [];
  const docs = [document];
  document.querySelectorAll('iframe').forEach(f => {
    try { if (f.contentDocument) docs.push(f.contentDocument); } catch (e) { /* another origin */ }
  });
  docs.forEach(d => d.querySelectorAll(forbidden).forEach(e => {
    if (e.closest && e.closest('.leaflet-control-attribution')) return;  // Leaflet's own credit link
    found.push(e.outerHTML.slice(0, 160));
  }));
  const pwned = docs.map(d => d.defaultView && d.defaultView.__pwned).find(v => v !== undefined);
  return {found: found, pwned: pwned === undefined ? null : String(pwned)};
}"""

#: Puts every tooltip and popup of the Leaflet map into the page the way Leaflet does (innerHTML of
#: the string, or of what the content function returns), so that lazily built HTML is checked too;
#: returns the texts shown.
OPEN_ALL_JS = """() => {
  const map = Object.values(window).find(v => v && v instanceof L.Map);
  const box = document.createElement('div');
  box.id = 'bp-probe';
  document.body.appendChild(box);
  const texts = [];
  const show = (content, layer) => {
    if (typeof content === 'function') content = content(layer);
    const div = document.createElement('div');
    if (typeof content === 'string') { div.innerHTML = content; } else if (content) { div.appendChild(content); }
    box.appendChild(div);
    texts.push(div.textContent);
  };
  const walk = (layer) => {
    if (layer.getTooltip && layer.getTooltip()) show(layer.getTooltip()._content, layer);
    if (layer.getPopup && layer.getPopup()) show(layer.getPopup()._content, layer);
    if (layer.eachLayer) layer.eachLayer(walk);
    if (layer.getAllChildMarkers) layer.getAllChildMarkers().forEach(walk);
  };
  Object.values(map._layers).forEach(walk);
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.leaflet-control-layers').forEach(c => c.classList.add('leaflet-control-layers-expanded'));
  return texts;
}"""


_1337 = re.compile(r"(?<![\w.])1337(?!\w)")


def shows_1337(text: str) -> bool:
    """True when ``{{7*191}}`` was evaluated somewhere in ``text``.

    1337 as a number of its own: the same digits inside an element's random id
    or a coordinate (``105.51337``) are no evaluation.
    """
    return _1337.search(text) is not None


def rotation_offset() -> int:
    """Where in :data:`PAYLOADS` this run starts: ``BORDERPLAN_PAYLOAD_OFFSET``, else today's date."""
    raw = os.environ.get("BORDERPLAN_PAYLOAD_OFFSET", "").strip()
    return int(raw) if raw else date.today().toordinal() % len(PAYLOADS)


class _Rotation:
    """Hands out payloads in turn and records where each went."""

    def __init__(self, payloads: Sequence[str], offset: int) -> None:
        self.payloads = list(payloads)
        self.next = offset % len(self.payloads)
        self.placed: dict[str, str] = {}

    def take(self, place: str) -> str:
        payload = self.payloads[self.next]
        self.next = (self.next + 1) % len(self.payloads)
        self.placed[place] = payload
        return payload


#: Text columns of the CSV files (every other column is a code, a number or a flag).
CSV_TEXT = {
    "indicators/targets.csv": (
        "clause",
        "name_vi",
        "target_text",
        "unit",
        "measure_vi",
        "plan_text",
        "source",
    ),
    "indicators/values.csv": ("source", "note"),
    "indicators/criteria.csv": ("source",),
    "indicators/population.csv": ("source",),
    "indicators/reference.csv": ("unit", "description", "source", "note"),
}
#: Text properties of the GeoJSON files.
GEOJSON_TEXT = {
    "projects/projects.geojson": ("id", "name", "funding_source", "agency", "description", "source"),
    **{
        f"projects/{name}.geojson": ("id", "name", "description", "source")
        for name in (
            "border_gates",
            "economic_zones",
            "facilities",
            "residential_clusters",
            "roads",
            "sites",
            "water_stations",
        )
    },
    "boundaries/border.geojson": ("name", "source"),
    "boundaries/units_2020.geojson": ("source",),
}


def _csv(path: Path, columns: Sequence[str], rotation: _Rotation, rel: str) -> None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    for i, row in enumerate(rows, start=1):
        for column in columns:
            if column in row:
                row[column] = rotation.take(f"{rel}:{i}:{column}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _geojson(path: Path, properties: Sequence[str], rotation: _Rotation, rel: str) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    for i, feature in enumerate(doc["features"], start=1):
        props = feature["properties"]
        for key in properties:
            payload = rotation.take(f"{rel}:{i}:{key}")
            # An id stays unique (and a name non-empty): the payload, then the row.
            props[key] = f"{payload} {i}" if key == "id" else payload
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def poison(folder: Path, payloads: Sequence[str] = PAYLOADS, *, offset: int = 0) -> dict[str, str]:
    """Write ``payloads`` into every text field of the data folder ``folder`` (a copy!).

    Returns where each payload went: ``"file:row:field"`` → payload.
    """
    rotation = _Rotation(payloads, offset)
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["title"] = rotation.take("meta.json:title")
    meta["note"] = rotation.take("meta.json:note")
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    for rel, columns in CSV_TEXT.items():
        _csv(folder / rel, columns, rotation, rel)
    for rel, properties in GEOJSON_TEXT.items():
        _geojson(folder / rel, properties, rotation, rel)
    slides_path = folder / "views" / "slides.json"
    slides = json.loads(slides_path.read_text(encoding="utf-8"))
    slides["title"] = rotation.take("views/slides.json:title")
    for i, view in enumerate(slides["views"], start=1):
        view["title"] = rotation.take(f"views/slides.json:{i}:title")
        view["note"] = rotation.take(f"views/slides.json:{i}:note")
    slides_path.write_text(json.dumps(slides, ensure_ascii=False), encoding="utf-8")
    return rotation.placed
