"""Tests of the offline web assets: manifest, install from a fake registry, map rewriting, inlining."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import posixpath
import re
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import folium
import pytest
from branca.colormap import LinearColormap
from branca.element import CssLink, JavascriptLink
from folium import plugins
from folium.elements import JSCSSMixin

from borderplan_geo import assets
from borderplan_geo._errors import AssetError, BorderplanError
from borderplan_geo.assets import (
    CDN_INDEX,
    GENERATED,
    NPM_REGISTRY,
    PACKAGES,
    STAMP_NAME,
    NpmPackage,
    assets_ready,
    drop_unused_defaults,
    fetch_assets,
    inline_assets,
    local_url,
    localise,
    missing_assets,
)
from borderplan_geo.settings import get_settings

BASE = "/app/static/vendor"

#: The folium classes the app uses whose defaults point at CDNs.
FOLIUM_CLASSES: tuple[type[JSCSSMixin], ...] = (
    folium.Map,
    plugins.MarkerCluster,
    plugins.Fullscreen,
    plugins.MeasureControl,
)

_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']*)", re.IGNORECASE)
_LINK_HREF = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']([^\"']*)", re.IGNORECASE)


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def _tarball(members: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> bytes:
    """A gzipped tar with ``members`` (paths as given, e.g. ``package/dist/a.js``)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(content))
        for name, target in (symlinks or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buf.getvalue()


def _package(name: str, files: dict[str, bytes], data: bytes, *, extra: tuple[str, ...] = ()) -> NpmPackage:
    """A manifest entry for a fake package whose tarball is ``data``."""
    base = name.split("/")[-1]
    return NpmPackage(
        name=name,
        version="1.0.0",
        tarball=f"{NPM_REGISTRY}/{name}/-/{base}-1.0.0.tgz",
        integrity=_integrity(data),
        files=tuple(files) + extra,
        replaces=(),
        license="MIT",
    )


@dataclass
class FakeRegistry:
    """A registry on 127.0.0.1 serving tarballs from memory and counting requests."""

    url: str
    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def publish(self, pkg: NpmPackage, data: bytes) -> None:
        self.files[pkg.tarball.removeprefix(NPM_REGISTRY)] = data


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRegistry]:
    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    state = FakeRegistry(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            body = state.files.get(self.path)
            if body is None:
                self.send_error(404, "Not Found")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------


def test_manifest_entries_are_pinned_and_consistent() -> None:
    dir_names = [pkg.dir_name for pkg in PACKAGES] + [gen.dir_name for gen in GENERATED]
    assert len(dir_names) == len(set(dir_names))
    for pkg in PACKAGES:
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", pkg.integrity), pkg.spec
        assert re.fullmatch(r"\d+\.\d+\.\d+", pkg.version), pkg.spec
        assert pkg.tarball.startswith(f"{NPM_REGISTRY}/{pkg.name}/-/"), pkg.spec
        assert pkg.tarball.endswith(f"-{pkg.version}.tgz"), pkg.spec
        assert len(pkg.files) == len(set(pkg.files)), pkg.spec
        for path in pkg.files:
            assert not path.startswith(("/", "package/")) and ".." not in path.split("/"), path
        for owner, name, path in pkg.replaces:
            assert path in pkg.files, (pkg.spec, path)
            assert assets.folium_url(owner, name).startswith("https://"), (owner, name)
    # A CDN URL stands for one file only.
    all_urls = [assets.folium_url(o, n) for pkg in PACKAGES for o, n, _ in pkg.replaces]
    all_urls += [assets.folium_url(o, n) for g in GENERATED for o, n in g.replaces]
    assert len(all_urls) == len(set(all_urls)) == len(CDN_INDEX)


def test_a_resource_folium_no_longer_names_is_reported() -> None:
    with pytest.raises(AssetError, match="no_such_resource"):
        assets.folium_url(folium.Map, "no_such_resource")


def test_tarball_url_follows_the_registry() -> None:
    leaflet = next(p for p in PACKAGES if p.name == "leaflet")
    assert leaflet.tarball_url() == "https://registry.npmjs.org/leaflet/-/leaflet-1.9.4.tgz"
    assert leaflet.tarball_url("http://127.0.0.1:9/") == "http://127.0.0.1:9/leaflet/-/leaflet-1.9.4.tgz"
    fa = next(p for p in PACKAGES if p.name.startswith("@fortawesome/"))
    assert fa.dir_name == "fortawesome-fontawesome-free@6.2.0"


@pytest.mark.parametrize("cls", FOLIUM_CLASSES, ids=lambda c: c.__name__)
def test_every_default_of_folium_classes_in_use_is_mapped(cls: type[JSCSSMixin]) -> None:
    for _name, url in [*cls.default_js, *cls.default_css]:
        assert url in CDN_INDEX, f"{cls.__name__}: {url} has no local copy"
        dir_name, path = CDN_INDEX[url]
        assert local_url(url, BASE) == f"{BASE}/{dir_name}/{path}"


def test_every_folium_map_default_has_a_local_copy_by_name() -> None:
    names = {name for name, _ in [*folium.Map.default_js, *folium.Map.default_css]}
    assert names == set(assets.MAP_DEFAULT_NAMES)
    assert {
        "leaflet",
        "jquery",
        "bootstrap",
        "awesome_markers",
        "glyphicons_css",
        "awesome_rotate_css",
    } <= names


def test_local_url_refuses_unknown_cdn_url() -> None:
    with pytest.raises(AssetError, match=re.escape("https://cdn.example.org/x.js")):
        local_url("https://cdn.example.org/x.js", BASE)
    assert issubclass(AssetError, BorderplanError)


def test_generated_rotate_css_covers_every_whole_angle() -> None:
    css = GENERATED[0].build().decode("ascii")
    assert ".fa-rotate-45{transform:rotate(45deg)}" in css
    assert ".fa-rotate-359{" in css and ".fa-rotate-361{" not in css


# --------------------------------------------------------------------------
# fetch_assets against a fake registry
# --------------------------------------------------------------------------

GOOD_FILES = {
    "dist/lib.js": b"window.lib = 1;\n",
    "dist/lib.css": b".lib{background:url(images/a.png)}\n",
    "dist/images/a.png": b"\x89PNG\r\n\x1a\nfake",
}


def _good_tarball() -> bytes:
    members = {f"package/{path}": content for path, content in GOOD_FILES.items()}
    members["package/README.md"] = b"not kept"
    members["package/package.json"] = b'{"name": "fake-lib"}'
    return _tarball(members)


def test_fetch_extracts_only_kept_files_and_stamps(registry: FakeRegistry, tmp_path: Path) -> None:
    data = _good_tarball()
    pkg = _package("fake-lib", GOOD_FILES, data)
    registry.publish(pkg, data)
    dest = tmp_path / "vendor"

    assert fetch_assets(dest, registry=registry.url, packages=[pkg]) == dest

    folder = dest / "fake-lib@1.0.0"
    for path, content in GOOD_FILES.items():
        assert (folder / path).read_bytes() == content
    assert not (folder / "README.md").exists() and not (folder / "package.json").exists()
    stamp = json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
    assert stamp["integrity"] == pkg.integrity and stamp["version"] == "1.0.0"
    assert registry.requests == ["/fake-lib/-/fake-lib-1.0.0.tgz"]
    assert missing_assets(dest, packages=[pkg]) == []
    assert assets_ready(dest, packages=[pkg])
    assert not [p for p in dest.iterdir() if p.name.startswith(".")], "no temporary folder left"


def test_fetch_second_run_makes_no_request(registry: FakeRegistry, tmp_path: Path) -> None:
    data = _good_tarball()
    pkg = _package("fake-lib", GOOD_FILES, data)
    registry.publish(pkg, data)
    dest = tmp_path / "vendor"
    fetch_assets(dest, registry=registry.url, packages=[pkg])
    before = _snapshot(dest)

    fetch_assets(dest, registry=registry.url, packages=[pkg])
    assert len(registry.requests) == 1, "an installed package is not downloaded again"
    assert _snapshot(dest) == before

    fetch_assets(dest, registry=registry.url, packages=[pkg], force=True)
    assert len(registry.requests) == 2, "force downloads again"
    assert _snapshot(dest) == before


def test_fetch_repairs_a_deleted_file(registry: FakeRegistry, tmp_path: Path) -> None:
    data = _good_tarball()
    pkg = _package("fake-lib", GOOD_FILES, data)
    registry.publish(pkg, data)
    dest = tmp_path / "vendor"
    fetch_assets(dest, registry=registry.url, packages=[pkg])
    (dest / "fake-lib@1.0.0" / "dist" / "lib.js").unlink()

    assert missing_assets(dest, packages=[pkg]) == ["fake-lib@1.0.0/dist/lib.js"]
    fetch_assets(dest, registry=registry.url, packages=[pkg])
    assert (dest / "fake-lib@1.0.0" / "dist" / "lib.js").read_bytes() == GOOD_FILES["dist/lib.js"]
    assert len(registry.requests) == 2


def test_fetch_refuses_a_tampered_tarball_and_leaves_dest_unchanged(
    registry: FakeRegistry, tmp_path: Path
) -> None:
    data = _good_tarball()
    pkg = _package("fake-lib", GOOD_FILES, data)
    dest = tmp_path / "vendor"
    # First a good install, then the registry serves different bytes.
    registry.publish(pkg, data)
    fetch_assets(dest, registry=registry.url, packages=[pkg])
    before = _snapshot(dest)
    tampered = _tarball(
        {"package/dist/lib.js": b"alert('evil')", **{f"package/{k}": v for k, v in GOOD_FILES.items()}}
    )
    registry.publish(pkg, tampered)

    with pytest.raises(AssetError) as err:
        fetch_assets(dest, registry=registry.url, packages=[pkg], force=True)
    message = str(err.value)
    assert "fake-lib@1.0.0" in message and registry.url + "/fake-lib/-/fake-lib-1.0.0.tgz" in message
    assert "sha512" in message and "integrity mismatch" in message
    assert _snapshot(dest) == before
    assert sorted(p.name for p in dest.iterdir()) == ["fake-lib@1.0.0", "folium-awesome-rotate@0.20.0"]


def test_fetch_with_tampered_tarball_into_empty_dest_installs_nothing(
    registry: FakeRegistry, tmp_path: Path
) -> None:
    pkg = _package("fake-lib", GOOD_FILES, _good_tarball())
    registry.publish(pkg, b"not the pinned bytes")
    dest = tmp_path / "vendor"
    with pytest.raises(AssetError, match=re.escape("fake-lib@1.0.0")):
        fetch_assets(dest, registry=registry.url, packages=[pkg])
    assert list(dest.iterdir()) == []


def test_fetch_refuses_path_traversal(registry: FakeRegistry, tmp_path: Path) -> None:
    members = {f"package/{path}": content for path, content in GOOD_FILES.items()}
    members["package/../../evil.js"] = b"alert('escaped')"
    data = _tarball(members)
    pkg = _package("fake-lib", GOOD_FILES, data)
    registry.publish(pkg, data)
    dest = tmp_path / "deep" / "vendor"

    with pytest.raises(AssetError, match="không an toàn"):
        fetch_assets(dest, registry=registry.url, packages=[pkg])
    assert not list(tmp_path.rglob("evil.js"))
    assert list(dest.iterdir()) == []


def test_fetch_refuses_a_kept_file_that_is_a_symlink(registry: FakeRegistry, tmp_path: Path) -> None:
    members = {f"package/{path}": content for path, content in GOOD_FILES.items() if path != "dist/lib.js"}
    data = _tarball(members, symlinks={"package/dist/lib.js": "/etc/passwd"})
    pkg = _package("fake-lib", GOOD_FILES, data)
    registry.publish(pkg, data)
    dest = tmp_path / "vendor"
    with pytest.raises(AssetError, match="không phải tệp thường"):
        fetch_assets(dest, registry=registry.url, packages=[pkg])
    assert list(dest.iterdir()) == []


def test_fetch_reports_a_file_missing_from_the_tarball(registry: FakeRegistry, tmp_path: Path) -> None:
    data = _good_tarball()
    pkg = _package("fake-lib", GOOD_FILES, data, extra=("dist/absent.js",))
    registry.publish(pkg, data)
    with pytest.raises(AssetError, match=r"thiếu tệp: dist/absent\.js"):
        fetch_assets(tmp_path / "vendor", registry=registry.url, packages=[pkg])


def test_fetch_names_package_and_url_when_download_fails(registry: FakeRegistry, tmp_path: Path) -> None:
    pkg = _package("@scope/gone", GOOD_FILES, b"x")
    with pytest.raises(AssetError) as err:
        fetch_assets(tmp_path / "vendor", registry=registry.url, packages=[pkg])
    message = str(err.value)
    assert "@scope/gone@1.0.0" in message
    assert f"{registry.url}/@scope/gone/-/gone-1.0.0.tgz" in message
    assert "HTTP 404" in message and "Không tải được" in message


def test_fetch_names_package_and_url_when_registry_is_unreachable(tmp_path: Path) -> None:
    pkg = _package("fake-lib", GOOD_FILES, b"x")
    # Port 9 (discard) on the loopback: refused at once on this machine.
    with pytest.raises(AssetError, match=r"fake-lib@1\.0\.0.*http://127\.0\.0\.1:9/fake-lib"):
        fetch_assets(tmp_path / "vendor", registry="http://127.0.0.1:9", packages=[pkg], timeout=5)


def test_cli_fetch_then_check(
    registry: FakeRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _good_tarball()
    pkg = _package("fake-lib", GOOD_FILES, data)
    registry.publish(pkg, data)
    monkeypatch.setattr(assets, "PACKAGES", (pkg,))
    dest = tmp_path / "vendor"

    assert assets.main(["check", "--dest", str(dest)]) == 1
    err = capsys.readouterr().err
    assert "Thiếu tài nguyên" in err and "fake-lib@1.0.0/" in err

    assert assets.main(["fetch", "--dest", str(dest), "--registry", registry.url]) == 0
    assert assets.main(["check", "--dest", str(dest)]) == 0
    assert "Đủ tài nguyên" in capsys.readouterr().out


# --------------------------------------------------------------------------
# localise
# --------------------------------------------------------------------------

POLYGON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"ten": "Thông Bình"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[105.38, 10.84], [105.52, 10.84], [105.52, 10.95], [105.38, 10.84]]],
            },
        }
    ],
}


def _full_map() -> folium.Map:
    m = folium.Map(location=[10.88, 105.45], zoom_start=11, tiles=None)
    folium.GeoJson(POLYGON, name="Ranh giới", tooltip=folium.GeoJsonTooltip(fields=["ten"])).add_to(m)
    cluster = plugins.MarkerCluster(name="Dự án").add_to(m)
    for i in range(3):
        folium.Marker(
            [10.86 + i / 100, 105.42], icon=folium.DivIcon(html=f"<b>{i}</b>"), popup=f"Dự án {i}"
        ).add_to(cluster)
    plugins.Fullscreen().add_to(m)
    plugins.MeasureControl().add_to(m)
    folium.LayerControl().add_to(m)
    return m


def _external_links(html: str) -> list[str]:
    urls = _SCRIPT_SRC.findall(html) + _LINK_HREF.findall(html)
    return [u for u in urls if re.match(r"(?:https?:)?//", u)]


def _class_defaults() -> dict[str, tuple[int, list[tuple[str, str]], int, list[tuple[str, str]]]]:
    return {
        cls.__name__: (id(cls.default_js), list(cls.default_js), id(cls.default_css), list(cls.default_css))
        for cls in FOLIUM_CLASSES
    }


def test_localise_leaves_no_cdn_link_and_folium_classes_unchanged() -> None:
    before = _class_defaults()
    m = _full_map()
    assert _external_links(m.get_root().render()), "folium's defaults point at CDNs"

    m = _full_map()
    localise(m, BASE)
    html = m.get_root().render()

    assert _external_links(html) == []
    links = _SCRIPT_SRC.findall(html) + _LINK_HREF.findall(html)
    assert links and all(u.startswith(BASE + "/") for u in links)
    assert f"{BASE}/leaflet.fullscreen@3.0.2/Control.FullScreen.js" in links
    assert f"{BASE}/leaflet-measure@2.1.7/dist/leaflet-measure.min.js" in links
    assert f"{BASE}/leaflet.markercluster@1.5.3/dist/MarkerCluster.Default.css" in links
    assert _class_defaults() == before
    assert folium.Map.default_js[0][1].startswith("https://cdn.jsdelivr.net/")
    # A new map is not affected by the localised one.
    assert _external_links(_full_map().get_root().render())


def test_localise_is_idempotent_and_rewrites_an_already_rendered_header() -> None:
    m = _full_map()
    m.get_root().render()  # the header now holds the CDN links
    localise(m, BASE)
    localise(m, BASE)
    html = m.get_root().render()
    assert _external_links(html) == []
    assert html.count(f'src="{BASE}/leaflet@1.9.4/dist/leaflet.js"') == 1


def test_localise_names_leaflets_image_folder_before_any_marker() -> None:
    m = _full_map()
    folium.Marker([10.9, 105.45]).add_to(m)  # Leaflet's default icon
    localise(m, BASE)
    localise(m, BASE)
    html = m.get_root().render()
    assignment = f'L.Icon.Default.imagePath = "{BASE}/leaflet@1.9.4/dist/images/";'
    assert html.count("L.Icon.Default.imagePath") == 1
    assert html.index(f"var {m.get_name()} = L.map(") < html.index(assignment) < html.index("L.marker(")


def test_localise_rewrites_links_added_to_the_page_header() -> None:
    m = _full_map()
    header = m.get_root().header
    header.add_child(JavascriptLink("https://code.jquery.com/jquery-3.7.1.min.js"), name="extra_jquery")
    header.add_child(CssLink("local/own.css"), name="own_css")
    localise(m, BASE)
    html = m.get_root().render()
    assert _external_links(html) == []
    assert 'href="local/own.css"' in html, "a link that is already local is left alone"

    header.add_child(JavascriptLink("https://unpkg.com/unknown@1/x.js"), name="unknown")
    with pytest.raises(AssetError, match=re.escape("https://unpkg.com/unknown@1/x.js")):
        localise(m, BASE)


def test_localise_refuses_a_plugin_without_local_copy() -> None:
    class NewPlugin(JSCSSMixin):
        default_js: ClassVar[list[tuple[str, str]]] = [
            ("new_plugin", "https://cdn.example.org/new-plugin@1.0/new.min.js")
        ]

    m = _full_map()
    NewPlugin().add_to(m)
    with pytest.raises(AssetError, match=re.escape("https://cdn.example.org/new-plugin@1.0/new.min.js")):
        localise(m, BASE)


def test_localise_refuses_branca_colormap() -> None:
    m = _full_map()
    LinearColormap(["white", "red"], vmin=0, vmax=1).add_to(m)
    with pytest.raises(AssetError, match="ColorMap"):
        localise(m, BASE)


# --------------------------------------------------------------------------
# drop_unused_defaults
# --------------------------------------------------------------------------


def _map_defaults(html: str) -> set[str]:
    found = set()
    for name, url in [*folium.Map.default_js, *folium.Map.default_css]:
        if local_url(url, BASE) in html:
            found.add(name)
    return found


def test_drop_unused_defaults_keeps_only_what_the_page_uses() -> None:
    m = folium.Map(tiles=None)
    folium.GeoJson(POLYGON).add_to(m)
    folium.Marker([10.9, 105.4], icon=folium.DivIcon(html="<b>1</b>")).add_to(m)
    dropped = drop_unused_defaults(m)
    localise(m, BASE)
    html = m.get_root().render()
    assert _map_defaults(html) == {"leaflet", "leaflet_css"}
    assert set(dropped) == set(assets.MAP_DEFAULT_NAMES) - {"leaflet", "leaflet_css"}
    assert _external_links(html) == []


def test_drop_unused_defaults_keeps_jquery_for_popups_and_fonts_for_icons() -> None:
    m = folium.Map(tiles=None)
    folium.Marker([10.9, 105.4], popup="Dự án", icon=folium.Icon(icon="house", prefix="fa", angle=30)).add_to(
        m
    )
    drop_unused_defaults(m, keep={"bootstrap_css"})
    localise(m, BASE)
    kept = _map_defaults(m.get_root().render())
    assert {"jquery", "awesome_markers", "awesome_markers_css", "awesome_markers_font_css"} <= kept
    assert {"awesome_rotate_css", "bootstrap_css"} <= kept
    assert "glyphicons_css" not in kept and "bootstrap" not in kept


def test_drop_unused_defaults_keeps_glyphicons_for_folium_default_icon() -> None:
    m = folium.Map(tiles=None)
    folium.Marker([10.9, 105.4], icon=folium.Icon(icon="info-sign")).add_to(m)
    drop_unused_defaults(m)
    localise(m, BASE)
    kept = _map_defaults(m.get_root().render())
    assert "glyphicons_css" in kept
    assert "awesome_markers_font_css" not in kept and "awesome_rotate_css" not in kept


def test_drop_unused_defaults_refuses_unknown_names() -> None:
    with pytest.raises(AssetError, match="bootstrap_csss"):
        drop_unused_defaults(folium.Map(tiles=None), keep={"bootstrap_csss"})


# --------------------------------------------------------------------------
# inline_assets
# --------------------------------------------------------------------------

_BINARY = (".png", ".svg", ".woff2", ".woff", ".ttf", ".eot")


def _fake_vendor(root: Path) -> Path:
    """Every kept file of the manifest, with small fake contents that exercise the inliner.

    Each JS file holds text that would break a naive ``<script>`` (``</script>``,
    ``<!--``) and a source-map comment; each CSS file refers, relative to
    itself, to every image and font of its package, fonts through a WOFF2+TTF
    ``@font-face`` declared twice (as Font Awesome does for its old names).
    """
    for index, pkg in enumerate(PACKAGES):
        folder = root / pkg.dir_name
        binaries = [f for f in pkg.files if f.endswith(_BINARY)]
        for path in pkg.files:
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.endswith(".js"):
                target.write_text(
                    f"window.fake_{index} = '</script><!--<SCRIPT>';\n//# sourceMappingURL=x.js.map\n",
                    encoding="utf-8",
                )
            elif path.endswith(".css"):
                here = posixpath.dirname(path) or "."
                rules = [f"/* {pkg.spec} */"]
                for n, asset in enumerate(binaries):
                    rel = posixpath.relpath(asset, here)
                    if asset.endswith(".woff2"):
                        ttf = rel.removesuffix(".woff2") + ".ttf"
                        for family in ("New", "Old"):
                            rules.append(
                                f'@font-face{{font-family:"{family}{n}";'
                                f'src:url({rel}) format("woff2"),url({ttf}) format("truetype")}}'
                            )
                    elif asset.endswith((".png", ".svg")):
                        rules.append(f".i{n}{{background:url('{rel}?v=1')}}")
                rules.append("/*# sourceMappingURL=x.css.map */")
                target.write_text("\n".join(rules), encoding="utf-8")
            elif path.endswith(_BINARY):
                target.write_bytes(b"\x89PNG\r\n\x1a\n" + path.encode())
            else:
                target.write_text("licence", encoding="utf-8")
    for gen in GENERATED:
        (root / gen.dir_name).mkdir(parents=True, exist_ok=True)
        (root / gen.dir_name / gen.path).write_bytes(gen.build())
    return root


class _Scripts(HTMLParser):
    """Collects the text of each <script> and <style> as a browser's parser splits them."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._open = tag
            self.blocks.append((tag, ""))

    def handle_data(self, data: str) -> None:
        if self._open and self.blocks:
            tag, text = self.blocks[-1]
            self.blocks[-1] = (tag, text + data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def test_inline_assets_makes_a_self_contained_page(tmp_path: Path) -> None:
    vendor = _fake_vendor(tmp_path / "vendor")
    m = _full_map()
    folium.Marker([10.9, 105.4], icon=folium.Icon(icon="house", prefix="fa", angle=30)).add_to(m)
    # Something pointing Leaflet's icons at a CDN, as older folium and some plugins do.
    m.get_root().script.add_child(
        folium.Element(
            'L.Icon.Default.imagePath = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/images/";'
        )
    )
    localise(m, BASE)
    page = inline_assets(m.get_root().render(), vendor, BASE)

    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b[^>]*\bhref\s*=", page, re.IGNORECASE)
    assert "cdn.jsdelivr.net" not in page and "cdnjs" not in page and "sourceMappingURL" not in page

    parser = _Scripts()
    parser.feed(page)
    scripts = [text for tag, text in parser.blocks if tag == "script"]
    styles = [text for tag, text in parser.blocks if tag == "style"]
    # Every fake JS file arrived whole inside one <script>: its "</script>" and "<!--" were escaped.
    js_packages = [(i, pkg) for i, pkg in enumerate(PACKAGES) if any(f.endswith(".js") for f in pkg.files)]
    for index, pkg in js_packages:
        marker = f"window.fake_{index} = '\\x3C/script>\\x3C!--\\x3CSCRIPT>';"
        assert sum(marker in s for s in scripts) == 1, pkg.spec
    # Every url() in the CSS is now a data: URI; only the WOFF2 copy of a font is kept, once.
    css = "\n".join(styles)
    urls = re.findall(r"url\(\s*[\"']?([^\"')]*)", css)
    assert urls and all(u.startswith("data:") for u in urls), [
        u[:40] for u in urls if not u.startswith("data:")
    ]
    assert "data:font/woff2;base64," in css and "data:font/ttf" not in css
    assert "data:image/png;base64," in css and "data:image/svg+xml;base64," in css
    assert css.count('font-family:"Old') == 0 and css.count('font-family:"New') > 0
    # Leaflet's default icon comes from data URIs, not from a folder beside the page or a CDN.
    assert 'L.Icon.Default.imagePath = ""' in page
    icon_script = next(s for s in scripts if "L.Icon.Default.mergeOptions" in s)
    assert '"iconUrl": "data:image/png;base64,' in icon_script
    assert 'imagePath = "https://' not in page


def test_inline_assets_refuses_a_page_still_on_a_cdn(tmp_path: Path) -> None:
    vendor = _fake_vendor(tmp_path / "vendor")
    html = _full_map().get_root().render()  # not localised
    with pytest.raises(AssetError, match="localise"):
        inline_assets(html, vendor, BASE)


def test_inline_assets_reports_a_missing_vendor_file(tmp_path: Path) -> None:
    vendor = _fake_vendor(tmp_path / "vendor")
    (vendor / "leaflet-measure@2.1.7" / "dist" / "images" / "rulers.png").unlink()
    m = _full_map()
    localise(m, BASE)
    with pytest.raises(AssetError, match=re.escape("rulers.png")):
        inline_assets(m.get_root().render(), vendor, BASE)


def test_inline_assets_refuses_urls_leaving_the_vendor_folder(tmp_path: Path) -> None:
    vendor = _fake_vendor(tmp_path / "vendor")
    (tmp_path / "secret.js").write_text("secret", encoding="utf-8")
    html = f'<html><head><script src="{BASE}/../secret.js"></script></head></html>'
    with pytest.raises(AssetError, match="ngoài thư mục"):
        inline_assets(html, vendor, BASE)


# --------------------------------------------------------------------------
# The real vendor folder (installed by `python -m borderplan_geo.assets fetch`)
# --------------------------------------------------------------------------

REAL_VENDOR = get_settings().vendor_dir


@pytest.mark.skipif(
    not assets_ready(REAL_VENDOR),
    reason=f"offline assets not installed in {REAL_VENDOR}: run `python -m borderplan_geo.assets fetch`",
)
def test_real_vendor_folder_is_complete_and_inlines() -> None:
    for pkg in PACKAGES:
        folder = REAL_VENDOR / pkg.dir_name
        stamp = json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
        assert stamp["integrity"] == pkg.integrity
        for path in pkg.files:
            assert (folder / path).is_file() and (folder / path).stat().st_size > 0, f"{pkg.spec}: {path}"
    for gen in GENERATED:
        assert (REAL_VENDOR / gen.dir_name / gen.path).read_bytes() == gen.build()

    m = _full_map()
    drop_unused_defaults(m)
    localise(m, BASE)
    page = inline_assets(m.get_root().render(), REAL_VENDOR, BASE)
    assert not re.search(r"<script\b[^>]*\bsrc\s*=|<link\b[^>]*\bhref\s*=", page, re.IGNORECASE)
    assert "L.markerClusterGroup" in page and "Control.FullScreen" in page and "L.Control.Measure" in page
    assert len(page) < 1_000_000, "a slim page with the app's plugins stays under 1 MB"


def test_missing_assets_lists_every_package_of_an_empty_folder(tmp_path: Path) -> None:
    missing = missing_assets(tmp_path)
    assert len(missing) == len(PACKAGES) + len(GENERATED)
    assert any(item.startswith("leaflet@1.9.4/") for item in missing)
    assert not assets_ready(tmp_path)


def test_missing_assets_detects_another_version(tmp_path: Path) -> None:
    leaflet = next(p for p in PACKAGES if p.name == "leaflet")
    older = replace(leaflet, integrity="sha512-" + "A" * 86 + "==")
    folder = tmp_path / leaflet.dir_name
    folder.mkdir()
    (folder / STAMP_NAME).write_text(json.dumps({"integrity": older.integrity}), encoding="utf-8")
    assert missing_assets(tmp_path, packages=[leaflet]) == [
        "leaflet@1.9.4/ (chưa cài hoặc khác phiên bản — not installed or another version)",
        "folium-awesome-rotate@0.20.0/leaflet.awesome.rotate.min.css",
    ]
