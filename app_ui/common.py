"""What every page shares: the cached dataset, the sidebar choices, the banners.

Only widgets, caching and display live here; every rule is in ``borderplan_geo``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from borderplan_geo._errors import DataError
from borderplan_geo._html import js_value, markdown_text
from borderplan_geo._text import spreadsheet_frame
from borderplan_geo.auth import User, can_see_sensitive
from borderplan_geo.dataset import Dataset, load_dataset
from borderplan_geo.disclosures import Disclosure
from borderplan_geo.formatting import format_size
from borderplan_geo.layers import LAYERS, PROJECT_STATUSES, PROJECTS_KEY, PROJECTS_LABEL, SECTORS
from borderplan_geo.maps import BASEMAP_LABELS
from borderplan_geo.settings import PLAN_YEARS, Settings, get_settings
from borderplan_geo.store import DataSource, Store
from borderplan_geo.targets import indicator_codes
from borderplan_geo.units import units

#: Text from data, shown literally by any Streamlit call that reads Markdown (see the library's rule).
md = markdown_text


def sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for ``st.dataframe``: its "download as CSV" opens in Excel, so formula-looking text is made inert.

    (:func:`borderplan_geo._text.spreadsheet_frame`; numbers stay numbers.)
    """
    return spreadsheet_frame(frame)


def settings() -> Settings:
    return get_settings()


def store() -> Store:
    return Store(settings().store)


def source() -> DataSource:
    s = settings()
    return DataSource(s.data_dir, Store(s.store))


@st.cache_resource(show_spinner="Đang đọc dữ liệu…", max_entries=4)
def _load(data_dir: str, store: str, stamp: str) -> Dataset:
    del stamp  # part of the cache key only: a new stamp means the data changed
    return load_dataset(DataSource(Path(data_dir), Store(Path(store))))


def dataset() -> Dataset:
    """The dataset, read once per data version (any file or store change reloads it)."""
    src = source()
    try:
        return _load(str(src.data_dir), str(src.store.path if src.store else ""), src.stamp())
    except DataError as exc:
        details = "\n".join(str(p) for p in exc.problems)
    except Exception as exc:  # a data folder no reader foresaw: a message, never a traceback on the page
        details = f"lỗi không lường trước khi đọc dữ liệu: {type(exc).__name__}: {exc}"
    st.error(
        "Dữ liệu có lỗi, chưa thể vẽ bản đồ. Sửa các lỗi sau (hoặc chạy `python -m borderplan_geo validate`):"
    )
    st.code(details, language=None)
    st.stop()
    raise AssertionError("st.stop() ends the script run")


def asset_base_url() -> str:
    """Absolute URL path of the vendor assets (works inside the map's iframe too)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{prefix}/{settings().vendor_url.strip('/')}"


@dataclass(frozen=True)
class Choices:
    """What the user chose in the sidebar."""

    indicator: str
    year: int
    vintage: int
    commune: str | None
    sectors: tuple[str, ...]
    project_statuses: tuple[str, ...]
    layers: tuple[str, ...]
    basemap: str
    basemap_note: str
    palette: str
    show_sensitive: bool


def indicator_label(ds: Dataset, code: str) -> str:
    t = next(t for t in ds.targets if t.code == code)
    return f"{t.clause} {t.name}"


def sidebar(ds: Dataset, user: User | None = None) -> Choices:
    """The map's controls; every choice is kept in session state by its key."""
    sb = st.sidebar
    sb.header("Bản đồ Kế hoạch 03 xã biên giới")
    codes = indicator_codes(ds.targets)
    indicator = sb.selectbox(
        "Chỉ tiêu",
        codes,
        index=codes.index("clean_water"),
        format_func=lambda c: indicator_label(ds, c),
        key="indicator",
    )
    year = sb.select_slider("Năm", options=list(PLAN_YEARS), value=PLAN_YEARS[-1], key="year")
    vintage_label = sb.radio(
        "Đơn vị hành chính",
        ["Trước 1/7/2025 (3 xã của Kế hoạch)", "Từ 1/7/2025 (xã sau sắp xếp)"],
        key="vintage",
        help="Kế hoạch viết cho 3 xã cũ. Từ 1/7/2025 các xã đã sáp nhập (Nghị quyết 1663/NQ-UBTVQH15): "
        "số liệu của xã mới được tính từ các xã cũ.",
    )
    vintage = 2020 if vintage_label.startswith("Trước") else 2025
    pool = [u for u in units(vintage) if vintage == 2025 or u.in_plan]
    commune_options = ["", *[u.code for u in pool]]
    names = {u.code: u.name for u in pool}
    commune = sb.selectbox(
        "Xã",
        commune_options,
        format_func=lambda c: names.get(c, "Cả vùng (3 xã biên giới)"),
        key=f"commune_{vintage}",
    )
    with sb.expander("Dự án và lớp bản đồ", expanded=False):
        sectors = st.multiselect(
            "Lĩnh vực dự án",
            list(SECTORS),
            default=list(SECTORS),
            format_func=SECTORS.__getitem__,
            key="sectors",
        )
        statuses = st.multiselect(
            "Tình trạng dự án",
            list(PROJECT_STATUSES),
            default=list(PROJECT_STATUSES),
            format_func=PROJECT_STATUSES.__getitem__,
            key="project_statuses",
        )
        layer_labels = {k: s.label for k, s in LAYERS.items()} | {PROJECTS_KEY: PROJECTS_LABEL}
        layers = st.multiselect(
            "Lớp hiển thị",
            list(layer_labels),
            default=list(layer_labels),
            format_func=layer_labels.__getitem__,
            key="layers",
        )
        if can_see_sensitive(user):
            show_sensitive = st.checkbox(
                "Hiện công trình quốc phòng – an ninh (nhạy cảm)",
                value=False,
                key="show_sensitive",
                help="Mặc định ẩn. Chỉ bật khi trình bày trong phạm vi được phép.",
            )
        else:
            show_sensitive = False
            st.caption("Công trình quốc phòng – an ninh được ẩn; cần đăng nhập để xem.")
    with sb.expander("Nền bản đồ và hiển thị", expanded=False):
        basemap_keys = ["auto", *BASEMAP_LABELS]
        labels = {"auto": "Tự động (nền trực tuyến nếu trình duyệt tải được)"} | BASEMAP_LABELS
        choice = st.selectbox(
            "Nền bản đồ",
            basemap_keys,
            index=basemap_keys.index(settings().basemap) if settings().basemap in basemap_keys else 0,
            format_func=labels.__getitem__,
            key="basemap",
        )
        palette = st.radio(
            "Bảng màu",
            ["default", "high_contrast"],
            format_func={"default": "Thường", "high_contrast": "Tương phản cao (máy chiếu)"}.__getitem__,
            key="palette",
            horizontal=True,
        )
    basemap, note = resolve_basemap(choice)
    return Choices(
        indicator=indicator,
        year=int(year),
        vintage=vintage,
        commune=commune or None,
        sectors=tuple(sectors),
        project_statuses=tuple(statuses),
        layers=tuple(layers),
        basemap=basemap,
        basemap_note=note,
        palette=palette,
        show_sensitive=bool(show_sensitive),
    )


def resolve_basemap(choice: str) -> tuple[str, str]:
    """The basemap to draw, and a note for the page (none: the map itself says when tiles fail).

    The server never checks whether a tile host answers: the map's own script
    tries the tiles in the browser and drops them if they do not load
    (:class:`borderplan_geo.maps.MapOptions`, ``auto``).
    """
    return (choice if choice == "auto" or choice in BASEMAP_LABELS else "none"), ""


def disclosure_banner(found: Sequence[Disclosure]) -> None:
    """The view's disclosures (decided by the library), plainly and in one box, one line each."""
    if not found:
        return
    lines = "  \n".join(f"**⚠** {md(d.text)}" for d in found)
    if any(d.severity == "danger" for d in found):
        st.error(lines, icon=":material/warning:")
    else:
        st.warning(lines, icon=":material/warning:")


def compact_page() -> None:
    """Less chrome around the map, so that map and legend fit a 1366×768 screen (static CSS, no user text)."""
    st.markdown(
        "<style>[data-testid='stMainBlockContainer'],.block-container{padding:1rem 1rem 0.5rem 1rem;max-width:100%}"
        "[data-testid='stSidebarHeader']{height:2.2rem;min-height:0}"
        "h4{padding-top:0;padding-bottom:0.1rem}"
        "[data-testid='stAlert'] [data-testid='stAlertContentWarning']{padding:0.45rem 0.8rem}"
        "[data-testid='stAlert'] p{font-size:0.9rem;line-height:1.35}"
        ".st-key-bp_scripts{display:none}</style>",
        unsafe_allow_html=True,
    )


# --- scripts for the page itself (static code, no text from data) -----------------------------------------

#: Sizes the map's frame to the window: the map and its legend always above the fold, whatever the
#: screen (1366×768 laptop, 1920×1080 projector). Runs in the page; frames are replaced at reruns, so it
#: checks again every 400 ms.
_FIT_MAPS_JS = """
(function() {
  if (window.__bpFitMaps) { return; }
  var MIN = 360, BOTTOM = 10;
  function fit() {
    var main = document.querySelector('[data-testid="stMain"]');
    var scroll = main ? main.scrollTop : 0;
    document.querySelectorAll('.st-key-bp_map iframe').forEach(function(f) {
      var r = f.getBoundingClientRect();
      if (!r.width) { return; }
      var h = Math.max(MIN, Math.floor(window.innerHeight - (r.top + scroll) - BOTTOM));
      if (Math.abs(r.height - h) > 1) { f.style.height = h + 'px'; }
      try {
        var inner = f.contentDocument && f.contentDocument.getElementById('map_div');
        if (inner && inner.style.height !== h + 'px') { inner.style.height = h + 'px'; }
      } catch (e) { /* a frame of another origin: nothing to size inside */ }
    });
  }
  window.__bpFitMaps = fit;
  window.addEventListener('resize', fit);
  setInterval(fit, 400);
  fit();
})();
"""

#: The presentation's keys, for the whole page: → PageDown "." next; ← PageUp B previous; Home, End.
#: Presenters' clickers send PageDown / PageUp, some "." or B. Typing in a field is left alone.
_SLIDE_KEYS_JS = """
(function() {
  if (window.__bpSlideKey) { return; }
  var KEYS = {ArrowRight: 'bp_next', PageDown: 'bp_next', '.': 'bp_next',
              ArrowLeft: 'bp_prev', PageUp: 'bp_prev', b: 'bp_prev', B: 'bp_prev',
              Home: 'bp_first', End: 'bp_last'};
  window.__bpSlideKey = function(e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || !KEYS.hasOwnProperty(e.key)) { return; }
    var t = e.target;
    if (t && t.closest && t.closest('input, textarea, select, [contenteditable="true"], [role="listbox"]')) { return; }
    var btn = document.querySelector('.st-key-' + KEYS[e.key] + ' button');
    if (!btn) { return; }
    e.preventDefault();
    if (!btn.disabled) { btn.click(); }
  };
  document.addEventListener('keydown', function(e) { window.__bpSlideKey(e); }, true);
})();
"""

#: Put at the end of a map shown in the presentation: keys pressed with the focus in the map's frame
#: step the slides too.
FORWARD_KEYS_HTML = """<script>
document.addEventListener('keydown', function(e) {
  try { if (window.parent && window.parent.__bpSlideKey) { window.parent.__bpSlideKey(e); } } catch (err) {}
}, true);
</script>"""


#: Streamlit's own English words (it has no locale setting), and what the page shows instead. Replaced
#: in the page as they appear (:data:`_TRANSLATE_JS`); the file uploader's size line is hidden and said
#: by :func:`file_uploader` with our own limit.
STREAMLIT_TEXT: dict[str, str] = {
    "Upload": "Chọn tệp",
    "Upload directories": "Chọn thư mục",
    "Browse files": "Chọn tệp",
    "Drag and drop a file here": "Thả tệp vào đây",
    "Drag and drop files here": "Thả các tệp vào đây",
    "Drag and drop directories here": "Thả thư mục vào đây",
    "Skip to main content": "Tới nội dung chính",
    "Choose an option": "Chọn",
    "Choose options": "Chọn",
    "No results": "Không có kết quả",
    "Press Enter to apply": "Bấm Enter để áp dụng",
    "Press Enter to submit form": "Bấm Enter để gửi",
    "Press ⌘+Enter to apply": "Bấm ⌘+Enter để áp dụng",
    "Press Ctrl+Enter to apply": "Bấm Ctrl+Enter để áp dụng",
}

_TRANSLATE_JS = """
(function() {
  if (window.__bpTranslate) { return; }
  var WORDS = %s;
  var ATTRS = ['placeholder', 'aria-label', 'title'];
  function translate(node) {
    if (node.nodeType === 3) {
      var text = node.nodeValue, key = text.trim();
      if (key && WORDS.hasOwnProperty(key)) { node.nodeValue = text.replace(key, WORDS[key]); }
      return;
    }
    if (node.nodeType !== 1 || node.tagName === 'SCRIPT' || node.tagName === 'STYLE') { return; }
    ATTRS.forEach(function(a) {
      var v = node.getAttribute(a);
      if (v && WORDS.hasOwnProperty(v.trim())) { node.setAttribute(a, WORDS[v.trim()]); }
    });
    for (var c = node.firstChild; c; c = c.nextSibling) { translate(c); }
  }
  window.__bpTranslate = translate;
  translate(document.body);
  new MutationObserver(function(changes) {
    changes.forEach(function(ch) {
      if (ch.type === 'childList') { ch.addedNodes.forEach(translate); } else { translate(ch.target); }
    });
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: ATTRS});
})();
"""


def page_scripts(*, slide_keys: bool = False) -> None:
    """Install the page's own scripts (Vietnamese for Streamlit's words; map fitted to the window; the
    slide keys) in the page.

    Streamlit runs a component's script in a frame of the page's origin; the
    scripts are put into the page itself, once, so they outlive the frame and
    see every key. Call it inside a hidden container (``st.container(key="bp_scripts")``).
    """
    codes = [
        _TRANSLATE_JS % js_value(STREAMLIT_TEXT),
        _FIT_MAPS_JS,
        *([_SLIDE_KEYS_JS] if slide_keys else []),
    ]
    st.iframe(
        "<script>(function() { var doc = window.parent.document;"
        f"{js_value(codes)}.forEach(function(code) {{"
        " var s = doc.createElement('script'); s.textContent = code; doc.head.appendChild(s); }); })();</script>",
        height=1,
    )


def file_uploader(label: str, *, types: list[str], key: str, max_bytes: int) -> Any:
    """Streamlit's file uploader with its English line replaced by ours (our own size limit, in Vietnamese).

    The dropzone's line ("200MB per file • CSV…", Streamlit's server limit, not
    ours) is hidden by CSS and said below in Vietnamese; the button's "Upload" is
    translated in the page (:data:`STREAMLIT_TEXT`).
    """
    st.markdown(
        "<style>[data-testid='stFileUploaderDropzoneInstructions']{display:none}</style>",
        unsafe_allow_html=True,
    )
    upload = st.file_uploader(label, type=types, key=key)
    st.caption(f"Kéo thả tệp vào ô trên hoặc bấm «Chọn tệp»; tối đa {format_size(max_bytes)} mỗi tệp.")
    return upload
