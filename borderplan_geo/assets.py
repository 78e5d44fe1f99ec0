"""Offline web assets: Leaflet and its plugins, installed at setup, served by the app.

The app runs on a projector in a meeting hall with no internet, so nothing may
come from a CDN at run time. folium and its plugins name CDN URLs in the class
attributes ``default_js`` / ``default_css``; streamlit-folium hands those URLs
to the browser as they are. This module

* pins, in :data:`PACKAGES`, the npm packages that hold a local copy of every
  file folium's defaults and the plugins we use point at (name, version,
  tarball, ``dist.integrity``, the files kept, the CDN URLs each kept file
  replaces);
* installs them at setup with :func:`fetch_assets` (from the npm registry,
  checked against the pinned sha512, extracted atomically into
  ``<vendor_dir>/<package>@<version>/``; ``static/vendor/`` is git-ignored);
* rewrites a map so that the browser asks the app, not a CDN
  (:func:`localise`), optionally without the folium defaults the map does not
  use (:func:`drop_unused_defaults`);
* turns a rendered page into one self-contained file for export
  (:func:`inline_assets`).

Which folium defaults are served locally
----------------------------------------
All of them, so that any folium element keeps working offline:

=========================  =====================================================
folium name                local copy
=========================  =====================================================
leaflet, leaflet_css       ``leaflet@1.9.4`` (folium names 1.9.3; 1.9.4 is its
                           bug-fix release, same API)
jquery                     ``jquery@3.7.1``
bootstrap, bootstrap_css   ``bootstrap@5.2.2``
glyphicons_css             ``@neos21/bootstrap3-glyphicons@1.0.7`` (Bootstrap 3's
                           Glyphicons Halflings alone; folium's netdna file is
                           the Bootstrap 3.0 one, same class names)
awesome_markers(_css)      ``drmonty-leaflet-awesome-markers@2.0.2`` (the 2.0.2
                           build cdnjs serves, repackaged on npm)
awesome_markers_font_css   ``@fortawesome/fontawesome-free@6.2.0``
awesome_rotate_css         written by this module (see below)
=========================  =====================================================

The page can still be kept small: :func:`drop_unused_defaults` removes from one
map the folium defaults nothing on that map uses (jQuery is kept whenever a
``Popup`` is present, since folium builds popups with ``$()``).

``awesome_rotate_css`` is folium's ``leaflet.awesome.rotate.min.css``, which
folium 0.20 loads from its own GitHub repository through jsDelivr and no longer
ships in its wheel. It holds only ``.fa-rotate-N{transform:rotate(Ndeg)}`` for
every whole angle, so :func:`fetch_assets` writes the same rules itself.

Plugins
-------
``leaflet.markercluster@1.5.3`` replaces the 1.1.0 that folium names (same
``L.markerClusterGroup`` API). ``leaflet.fullscreen@3.0.2`` replaces folium's
3.0.0 (same ``L.control.fullscreen({position, title, titleCancel,
forceSeparateButton})`` API; 3.0.2 fixes the map size after leaving full
screen). ``leaflet-measure@2.1.7`` is the exact build folium names (ljagis'
2.1.7, published on npm too): folium's template calls ``new
L.Control.Measure(...)`` and patches ``_setCaptureMarkerIcon`` for Leaflet ≥
1.8, both of which 2.1.7 has. Its runtime languages are ca, cn, da, de, de_CH,
en, en_UK, es, fa, fil_PH, fr, it, nl, pl, pt_BR, pt_PT, ru, sv, tr: there is
no Vietnamese, in 2.1.7 nor in 3.1.0 (whose per-language builds are
``dist/leaflet-measure.<lang>.js``, none of them ``vi``).

Command line
------------
``python -m borderplan_geo.assets fetch [--dest DIR] [--force]`` installs the
assets; ``python -m borderplan_geo.assets check [--dest DIR]`` exits 1 and
lists what is missing.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import mimetypes
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import folium
import folium.plugins
from branca.colormap import ColorMap
from branca.element import Element, Figure, Link, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from ._errors import AssetError

#: Where a folium resource comes from: the element class that names it (its ``default_js`` /
#: ``default_css``). The CDN URL itself is read from folium, so an upgrade that moves a URL keeps
#: working, and no CDN address is written in this package.
Owner = type[JSCSSMixin]

#: The public npm registry; :func:`fetch_assets` can be pointed elsewhere.
NPM_REGISTRY = "https://registry.npmjs.org"

#: File written in each installed package folder, recording what was installed.
STAMP_NAME = ".borderplan-asset.json"

#: Largest tarball :func:`fetch_assets` accepts, in bytes.
MAX_TARBALL_BYTES = 64 * 1024 * 1024

_USER_AGENT = "borderplan-geo-assets/1 (+python urllib)"


@dataclass(frozen=True)
class NpmPackage:
    """One pinned npm package and the files the app keeps from it.

    Attributes
    ----------
    name
        The npm name, scoped or not (``@fortawesome/fontawesome-free``).
    version
        The exact version.
    tarball
        The tarball's URL on registry.npmjs.org (``npm view NAME@VER dist.tarball``).
    integrity
        ``dist.integrity`` from the registry, ``sha512-<base64>``; the download
        must match it byte for byte.
    files
        Paths inside the package (the tarball's top folder, usually
        ``package/``, removed) that are installed.
    replaces
        ``(owner, name, path)``: the folium element class and the name it
        gives a CDN file (its ``default_js``/``default_css``), and the kept
        file that stands in for it.
    license
        The package's licence, as npm states it.
    """

    name: str
    version: str
    tarball: str
    integrity: str
    files: tuple[str, ...]
    replaces: tuple[tuple[Owner, str, str], ...]
    license: str

    @property
    def dir_name(self) -> str:
        """Folder of the package under the vendor folder: ``<name>@<version>``.

        A scoped name loses its ``@`` and its ``/`` becomes ``-``
        (``fortawesome-fontawesome-free@6.2.0``), as ``npm pack`` names files,
        so that every package is one folder level deep.
        """
        return f"{self.name.lstrip('@').replace('/', '-')}@{self.version}"

    @property
    def spec(self) -> str:
        """``name@version``, as npm writes it."""
        return f"{self.name}@{self.version}"

    def tarball_url(self, registry: str = NPM_REGISTRY) -> str:
        """The tarball's URL on ``registry`` (the same path as on the public registry)."""
        base = registry.rstrip("/")
        if base == NPM_REGISTRY:
            return self.tarball
        return base + self.tarball.removeprefix(NPM_REGISTRY)


@dataclass(frozen=True)
class GeneratedAsset:
    """A file the app writes itself at setup, standing in for a CDN file.

    Used only where no registry package holds the file (folium's rotate CSS).
    """

    dir_name: str
    path: str
    build: Callable[[], bytes]
    replaces: tuple[tuple[Owner, str], ...]
    license: str


def _awesome_rotate_css() -> bytes:
    """Folium's ``leaflet.awesome.rotate.min.css``: a rule per whole angle.

    ``folium.Icon(angle=N)`` adds the class ``fa-rotate-N`` to the marker's
    icon; these rules turn it.
    """
    head = "/* .fa-rotate-N for folium.Icon(angle=N); written by borderplan_geo.assets */\n"
    rules = "".join(f".fa-rotate-{n}{{transform:rotate({n}deg)}}\n" for n in range(361))
    return (head + rules).encode("ascii")


#: The pinned npm packages (``npm view NAME@VER dist.integrity`` gives each integrity).
PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage(
        name="leaflet",
        version="1.9.4",
        tarball=f"{NPM_REGISTRY}/leaflet/-/leaflet-1.9.4.tgz",
        integrity="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        files=(
            "LICENSE",
            "dist/leaflet.js",
            "dist/leaflet.css",
            "dist/images/layers.png",
            "dist/images/layers-2x.png",
            "dist/images/marker-icon.png",
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
        ),
        replaces=(
            (folium.Map, "leaflet", "dist/leaflet.js"),
            (folium.Map, "leaflet_css", "dist/leaflet.css"),
        ),
        license="BSD-2-Clause",
    ),
    NpmPackage(
        name="leaflet.markercluster",
        version="1.5.3",
        tarball=f"{NPM_REGISTRY}/leaflet.markercluster/-/leaflet.markercluster-1.5.3.tgz",
        integrity="sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        files=(
            "MIT-LICENCE.txt",
            "dist/leaflet.markercluster.js",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
        ),
        replaces=(
            (folium.plugins.MarkerCluster, "markerclusterjs", "dist/leaflet.markercluster.js"),
            (folium.plugins.MarkerCluster, "markerclustercss", "dist/MarkerCluster.css"),
            (folium.plugins.MarkerCluster, "markerclusterdefaultcss", "dist/MarkerCluster.Default.css"),
        ),
        license="MIT",
    ),
    NpmPackage(
        name="leaflet.fullscreen",
        version="3.0.2",
        tarball=f"{NPM_REGISTRY}/leaflet.fullscreen/-/leaflet.fullscreen-3.0.2.tgz",
        integrity="sha512-m27waFVmwdrLGXjZw2L8b7w/W28EY+u7IGzK2x8K99XaPuzKbjI+/H1j0OMawLcRPZyDRh+39XpyLsvDwHUEoA==",
        files=("LICENSE", "Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg"),
        replaces=(
            (folium.plugins.Fullscreen, "Control.Fullscreen.js", "Control.FullScreen.js"),
            (folium.plugins.Fullscreen, "Control.FullScreen.css", "Control.FullScreen.css"),
        ),
        license="MIT",
    ),
    NpmPackage(
        name="leaflet-measure",
        version="2.1.7",
        tarball=f"{NPM_REGISTRY}/leaflet-measure/-/leaflet-measure-2.1.7.tgz",
        integrity="sha512-IvoHIoVTIQSXUgaNnAMF17qXFB+dF5ICdwmY8BHyq/Hh33/xeGqQUUYlz0pRMzFN9NUcjsT6JBhCr1ia0CG5ug==",
        files=(
            "LICENSE",
            "dist/leaflet-measure.min.js",
            "dist/leaflet-measure.css",
            *(
                f"dist/images/{icon}{size}.png"
                for icon in ("cancel", "check", "focus", "rulers", "start", "trash")
                for size in ("", "_@2X")
            ),
        ),
        replaces=(
            (folium.plugins.MeasureControl, "leaflet_measure_js", "dist/leaflet-measure.min.js"),
            # jsDelivr minifies the CSS on the fly; the package ships it plain.
            (folium.plugins.MeasureControl, "leaflet_measure_css", "dist/leaflet-measure.css"),
        ),
        license="MIT",
    ),
    NpmPackage(
        name="jquery",
        version="3.7.1",
        tarball=f"{NPM_REGISTRY}/jquery/-/jquery-3.7.1.tgz",
        integrity="sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
        files=("LICENSE.txt", "dist/jquery.min.js"),
        replaces=((folium.Map, "jquery", "dist/jquery.min.js"),),
        license="MIT",
    ),
    NpmPackage(
        name="bootstrap",
        version="5.2.2",
        tarball=f"{NPM_REGISTRY}/bootstrap/-/bootstrap-5.2.2.tgz",
        integrity="sha512-dEtzMTV71n6Fhmbg4fYJzQsw1N29hJKO1js5ackCgIpDcGid2ETMGC6zwSYw09v05Y+oRdQ9loC54zB1La3hHQ==",
        files=("LICENSE", "dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css"),
        replaces=(
            (folium.Map, "bootstrap", "dist/js/bootstrap.bundle.min.js"),
            (folium.Map, "bootstrap_css", "dist/css/bootstrap.min.css"),
        ),
        license="MIT",
    ),
    NpmPackage(
        name="@neos21/bootstrap3-glyphicons",
        version="1.0.7",
        tarball=f"{NPM_REGISTRY}/@neos21/bootstrap3-glyphicons/-/bootstrap3-glyphicons-1.0.7.tgz",
        integrity="sha512-JfvPdx8W2+kVhW+8fj2kIJNS0tesU21hrWF7TBHtYDHpVfcFGU/yn3Eh02sJiNfZABkutP3oU0Ftw8LGF43Jng==",
        files=(
            "LICENSE",
            "dist/css/bootstrap3-glyphicons.min.css",
            *(
                f"dist/fonts/glyphicons-halflings-regular.{ext}"
                for ext in ("eot", "svg", "ttf", "woff", "woff2")
            ),
        ),
        replaces=((folium.Map, "glyphicons_css", "dist/css/bootstrap3-glyphicons.min.css"),),
        license="MIT",
    ),
    NpmPackage(
        name="@fortawesome/fontawesome-free",
        version="6.2.0",
        tarball=f"{NPM_REGISTRY}/@fortawesome/fontawesome-free/-/fontawesome-free-6.2.0.tgz",
        integrity="sha512-CNR7qRIfCwWHNN7FnKUniva94edPdyQzil/zCwk3v6k4R6rR2Fr8i4s3PM7n/lyfPA6Zfko9z5WDzFxG9SW1uQ==",
        files=(
            "LICENSE.txt",
            "css/all.min.css",
            *(
                f"webfonts/{font}.{ext}"
                for font in ("fa-brands-400", "fa-regular-400", "fa-solid-900", "fa-v4compatibility")
                for ext in ("ttf", "woff2")
            ),
        ),
        replaces=((folium.Map, "awesome_markers_font_css", "css/all.min.css"),),
        license="(CC-BY-4.0 AND OFL-1.1 AND MIT)",
    ),
    NpmPackage(
        name="drmonty-leaflet-awesome-markers",
        version="2.0.2",
        tarball=f"{NPM_REGISTRY}/drmonty-leaflet-awesome-markers/-/drmonty-leaflet-awesome-markers-2.0.2.tgz",
        integrity="sha512-g508pdnnHQr9l4kU6McvJzcSd0w1FvHFlZZCYc4oT+zjwYJi1qtj0fFBFEWMKoNfHK4UcBya1eccyjKfu4chjQ==",
        files=(
            "js/leaflet.awesome-markers.js",
            "css/leaflet.awesome-markers.css",
            *(
                f"css/images/{image}.png"
                for image in (
                    "markers-matte",
                    "markers-matte@2x",
                    "markers-plain",
                    "markers-shadow",
                    "markers-shadow@2x",
                    "markers-soft",
                    "markers-soft@2x",
                )
            ),
        ),
        replaces=(
            (folium.Map, "awesome_markers", "js/leaflet.awesome-markers.js"),
            (folium.Map, "awesome_markers_css", "css/leaflet.awesome-markers.css"),
        ),
        license="MIT",
    ),
)

#: Files written by :func:`fetch_assets` itself (no registry package holds them).
GENERATED: tuple[GeneratedAsset, ...] = (
    GeneratedAsset(
        dir_name="folium-awesome-rotate@0.20.0",
        path="leaflet.awesome.rotate.min.css",
        build=_awesome_rotate_css,
        replaces=((folium.Map, "awesome_rotate_css"),),
        license="MIT",
    ),
)

#: The names folium.Map gives its own default assets.
MAP_DEFAULT_NAMES: tuple[str, ...] = tuple(name for name, _ in folium.Map.default_js + folium.Map.default_css)


def _build_index(
    packages: Sequence[NpmPackage], generated: Sequence[GeneratedAsset]
) -> dict[str, tuple[str, str]]:
    index: dict[str, tuple[str, str]] = {}
    for pkg in packages:
        for owner, name, path in pkg.replaces:
            index[folium_url(owner, name)] = (pkg.dir_name, path)
    for gen in generated:
        for owner, name in gen.replaces:
            index[folium_url(owner, name)] = (gen.dir_name, gen.path)
    return index


def folium_url(owner: Owner, name: str) -> str:
    """The CDN URL folium's ``owner`` class gives the resource ``name``."""
    for key, url in [*owner.default_js, *owner.default_css]:
        if key == name:
            return str(url)
    raise AssetError(f"{owner.__name__} không còn tài nguyên '{name}' (folium changed its defaults)")


#: CDN URL -> (folder under the vendor folder, path inside it).
CDN_INDEX: dict[str, tuple[str, str]] = _build_index(PACKAGES, GENERATED)


# --------------------------------------------------------------------------
# Installing
# --------------------------------------------------------------------------


def _default_dest() -> Path:
    from .settings import get_settings

    return get_settings().vendor_dir


def _safe_relpath(path: str) -> PurePosixPath | None:
    """``path`` as a clean relative POSIX path, or ``None`` if it could escape."""
    if not path or "\\" in path or "\x00" in path:
        return None
    pure = PurePosixPath(path)
    if pure.is_absolute() or any(part in ("..", "") for part in pure.parts) or path != str(pure):
        return None
    return pure


def _check_integrity(data: bytes, integrity: str, *, what: str, url: str) -> None:
    """Raise :class:`AssetError` unless ``data`` matches the SRI string ``integrity``."""
    algo, _, expected = integrity.partition("-")
    if algo != "sha512" or not expected:
        raise AssetError(
            f"Gói {what}: mã kiểm tra '{integrity}' không phải sha512 (integrity is not sha512)."
        )
    got = base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if got != expected:
        raise AssetError(
            f"Gói {what} tải từ {url} bị sai mã kiểm tra sha512: cần {integrity}, nhận được sha512-{got}. "
            "Tệp có thể bị hỏng hoặc bị thay đổi; không cài đặt "
            "(integrity mismatch: the download is corrupt or tampered with; nothing installed)."
        )


def _download(url: str, *, what: str, timeout: float) -> bytes:
    """GET ``url`` (proxies from HTTPS_PROXY/HTTP_PROXY/NO_PROXY), at most MAX_TARBALL_BYTES."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT, "Accept": "*/*"})
    # build_opener() includes a ProxyHandler reading the *_PROXY environment variables.
    opener = urllib.request.build_opener()
    try:
        with opener.open(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_TARBALL_BYTES + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise AssetError(
            f"Không tải được gói {what} từ {url}: máy chủ trả lời HTTP {exc.code} {exc.reason} "
            f"(could not download {what}: HTTP {exc.code})."
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AssetError(
            f"Không tải được gói {what} từ {url}: {reason}. Kiểm tra kết nối mạng hoặc biến "
            f"HTTPS_PROXY (could not download {what}: {reason})."
        ) from exc
    if len(data) > MAX_TARBALL_BYTES:
        raise AssetError(
            f"Gói {what} tải từ {url} lớn hơn {MAX_TARBALL_BYTES} byte; không cài đặt (tarball too large)."
        )
    return data


def _extract(data: bytes, pkg: NpmPackage, into: Path, *, url: str) -> None:
    """Write ``pkg.files`` from the tarball ``data`` under ``into``.

    npm tarballs hold everything under one top folder (``package/`` as a
    rule); it is dropped. A member whose path could leave its folder (``..``,
    absolute, backslash) makes the whole tarball refused; links and devices
    are never written: only the bytes of regular files are copied.
    """
    wanted = set(pkg.files)
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            for member in tar:
                name = member.name
                relative = name.removeprefix("./").rstrip("/")
                if relative in ("", "."):
                    continue
                clean = _safe_relpath(relative)
                if clean is None:
                    raise AssetError(
                        f"Gói {pkg.spec} ({url}) chứa đường dẫn không an toàn '{name}'; từ chối cài đặt "
                        "(unsafe path in tarball; refused)."
                    )
                inner = "/".join(clean.parts[1:])
                if inner not in wanted:
                    continue
                if not member.isfile():
                    raise AssetError(
                        f"Gói {pkg.spec} ({url}): '{name}' không phải tệp thường (liên kết hoặc thiết bị); "
                        "từ chối cài đặt (not a regular file; refused)."
                    )
                handle = tar.extractfile(member)
                if handle is None:  # pragma: no cover - isfile() members always have data
                    continue
                with handle:
                    found[inner] = handle.read()
    except tarfile.TarError as exc:
        raise AssetError(
            f"Gói {pkg.spec} ({url}) không phải tệp tar.gz hợp lệ: {exc} (not a valid tarball)."
        ) from exc
    missing = sorted(wanted - found.keys())
    if missing:
        raise AssetError(
            f"Gói {pkg.spec} ({url}) thiếu tệp: {', '.join(missing)} (files missing from the tarball)."
        )
    for inner, content in found.items():
        target = into.joinpath(*PurePosixPath(inner).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def _read_stamp(folder: Path) -> dict[str, object] | None:
    try:
        loaded = json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def _package_problems(folder: Path, pkg: NpmPackage) -> list[str]:
    """What is missing or stale in an installed package folder (empty: all good)."""
    stamp = _read_stamp(folder)
    if stamp is None or stamp.get("integrity") != pkg.integrity:
        return [f"{pkg.dir_name}/ (chưa cài hoặc khác phiên bản — not installed or another version)"]
    return [f"{pkg.dir_name}/{path}" for path in pkg.files if not (folder / path).is_file()]


def _swap_in(tmp: Path, target: Path) -> None:
    """Put the finished folder ``tmp`` at ``target`` by renames, dropping what was there."""
    old: Path | None = None
    if target.exists():
        old = target.with_name(f".old-{target.name}-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    try:
        tmp.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _install_package(
    pkg: NpmPackage, dest: Path, *, registry: str, force: bool, timeout: float, log: Callable[[str], None]
) -> bool:
    """Install one package; return whether anything was downloaded."""
    target = dest / pkg.dir_name
    for path in pkg.files:
        if _safe_relpath(path) is None:
            raise AssetError(f"Danh mục gói {pkg.spec}: đường dẫn không an toàn '{path}' (unsafe path).")
    if not force and not _package_problems(target, pkg):
        log(f"  đã có (present): {pkg.spec}")
        return False
    url = pkg.tarball_url(registry)
    log(f"  tải (downloading): {pkg.spec} ← {url}")
    data = _download(url, what=pkg.spec, timeout=timeout)
    _check_integrity(data, pkg.integrity, what=pkg.spec, url=url)
    tmp = Path(tempfile.mkdtemp(prefix=f".partial-{pkg.dir_name}-", dir=dest))
    try:
        _extract(data, pkg, tmp, url=url)
        stamp = {
            "name": pkg.name,
            "version": pkg.version,
            "integrity": pkg.integrity,
            "tarball": pkg.tarball,
            "license": pkg.license,
            "files": list(pkg.files),
        }
        (tmp / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
        tmp.chmod(0o755)
        _swap_in(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return True


def _install_generated(gen: GeneratedAsset, dest: Path) -> None:
    target = dest / gen.dir_name / gen.path
    content = gen.build()
    if target.is_file() and target.read_bytes() == content:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".partial-{target.name}-{os.getpid()}")
    tmp.write_bytes(content)
    os.replace(tmp, target)


def fetch_assets(
    dest: Path | None = None,
    *,
    registry: str = NPM_REGISTRY,
    force: bool = False,
    packages: Sequence[NpmPackage] | None = None,
    timeout: float = 60.0,
    log: Callable[[str], None] | None = None,
) -> Path:
    """Install every pinned asset under ``dest``; return ``dest``.

    Each package's tarball is downloaded from ``registry``, checked against
    its pinned sha512 (``dist.integrity``), and only the kept files are
    extracted, into a temporary folder beside ``dest/<package>@<version>``
    that is renamed into place when complete: a failed or interrupted run
    leaves what was there before. A package already installed with the same
    integrity (its stamp file says so and every file is present) is not
    downloaded again, so a second run does no network at all.

    Parameters
    ----------
    dest
        The vendor folder; default ``Settings.vendor_dir`` (``static/vendor``).
    registry
        Base URL of the npm registry (a test points it at a local fake).
        ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` are honoured.
    force
        Download and reinstall even what is present.
    packages
        The packages to install; default :data:`PACKAGES`.
    timeout
        Seconds to wait for the registry on each connection and read.
    log
        Called with a line of progress per package (default: silent).

    Raises
    ------
    AssetError
        A download failed, a tarball does not match its integrity, holds an
        unsafe path, or lacks a kept file. The message names the package and
        the URL, in Vietnamese and English.
    """
    dest = Path(dest) if dest is not None else _default_dest()
    dest.mkdir(parents=True, exist_ok=True)
    say = log or (lambda _line: None)
    for pkg in PACKAGES if packages is None else packages:
        _install_package(pkg, dest, registry=registry, force=force, timeout=timeout, log=say)
    for gen in GENERATED:
        _install_generated(gen, dest)
    return dest


def missing_assets(dest: Path | None = None, *, packages: Sequence[NpmPackage] | None = None) -> list[str]:
    """List what :func:`fetch_assets` has not (or not fully) installed under ``dest``.

    Each entry is ``<package>@<version>/<path>``, or ``<package>@<version>/ (...)``
    when the package is absent or was installed from another version.
    """
    dest = Path(dest) if dest is not None else _default_dest()
    problems: list[str] = []
    for pkg in PACKAGES if packages is None else packages:
        problems.extend(_package_problems(dest / pkg.dir_name, pkg))
    for gen in GENERATED:
        if not (dest / gen.dir_name / gen.path).is_file():
            problems.append(f"{gen.dir_name}/{gen.path}")
    return problems


def assets_ready(dest: Path | None = None, *, packages: Sequence[NpmPackage] | None = None) -> bool:
    """Whether every asset is installed under ``dest`` (see :func:`missing_assets`)."""
    return not missing_assets(dest, packages=packages)


def vendor_size(dest: Path | None = None) -> int:
    """Total bytes of the files under ``dest`` (what the app will serve)."""
    dest = Path(dest) if dest is not None else _default_dest()
    return sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())


# --------------------------------------------------------------------------
# Rewriting a map
# --------------------------------------------------------------------------

_EXTERNAL_RE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//")


def _is_external(url: str) -> bool:
    """Whether the browser would fetch ``url`` from another host (``http(s)://``, ``//``)."""
    return bool(_EXTERNAL_RE.match(url.strip()))


def local_url(cdn_url: str, base_url: str) -> str:
    """The local URL standing in for ``cdn_url``: ``<base_url>/<package>@<version>/<path>``.

    Raises
    ------
    AssetError
        ``cdn_url`` is not in :data:`CDN_INDEX` (no local copy is pinned).
    """
    try:
        dir_name, path = CDN_INDEX[cdn_url]
    except KeyError:
        raise AssetError(
            f"Không có bản sao cục bộ cho '{cdn_url}': hãy thêm gói npm vào borderplan_geo/assets.py "
            "(no local copy of this CDN URL; add its npm package to the manifest)."
        ) from None
    return f"{base_url.rstrip('/')}/{dir_name}/{path}"


def _walk(root: Element) -> Iterator[Element]:
    """Every element under ``root``: ``_children`` recursively, a Figure's parts, DualMap's maps."""
    seen: set[int] = set()
    stack: list[Element] = [root]
    while stack:
        el = stack.pop()
        if id(el) in seen:
            continue
        seen.add(id(el))
        yield el
        if isinstance(el, Figure):
            stack.extend((el.header, el.html, el.script))
        for attr in ("m1", "m2"):  # folium.plugins.DualMap keeps its maps here
            sub = getattr(el, attr, None)
            if isinstance(sub, Element):
                stack.append(sub)
        stack.extend(reversed(list(getattr(el, "_children", {}).values())))


class LeafletImagePath(MacroElement):
    """Sets ``L.Icon.Default.imagePath`` to the local Leaflet images, first thing in a map's script.

    Leaflet guesses the folder of its default marker icon from the computed
    style of ``leaflet.css``; streamlit-folium loads that CSS without waiting
    for it, so the guess falls back to the ``<link>``'s folder and misses
    ``images/`` (``.../distmarker-icon.png``, a 404). Naming the folder
    removes the guess.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.path|tojson }};
        {% endmacro %}
        """
    )

    def __init__(self, path: str) -> None:
        super().__init__()
        self._name = "LeafletImagePath"
        self.path = path


def _set_image_path(m: folium.Map, base_url: str) -> None:
    """Make a :class:`LeafletImagePath` the first child of ``m`` (replacing an older one)."""
    for key, child in list(m._children.items()):
        if isinstance(child, LeafletImagePath):
            del m._children[key]
    leaflet = next(pkg for pkg in PACKAGES if pkg.name == "leaflet")
    element = LeafletImagePath(f"{base_url.rstrip('/')}/{leaflet.dir_name}/dist/images/")
    m.add_child(element)
    m._children.move_to_end(element.get_name(), last=False)


def _localise_links(links: Sequence[tuple[str, str]], base_url: str) -> list[tuple[str, str]]:
    return [(name, local_url(url, base_url) if _is_external(url) else url) for name, url in links]


def localise(m: Element, base_url: str) -> None:
    """Point every JS/CSS link of ``m``'s page at the local copies under ``base_url``.

    Walks the whole element tree from ``m``'s root (as streamlit-folium does)
    and sets, on each element *instance* that has ``default_js`` /
    ``default_css``, new lists with the local URLs; folium's classes are left
    alone. Links already in a rendered Figure's header are rewritten too.
    Each ``folium.Map`` also gets, as its first child, a
    :class:`LeafletImagePath` naming the local folder of Leaflet's marker
    images. Calling it twice is harmless (local URLs stay as they are).

    Parameters
    ----------
    m
        A ``folium.Map`` (or any element of a page).
    base_url
        Where the vendor folder is served. With streamlit-folium the links are
        loaded from inside the component's iframe, so give a path from the
        server root (``/app/static/vendor``); for a file written beside the
        vendor folder a relative path works.

    Raises
    ------
    AssetError
        A link has no local copy, or the page holds a branca ``ColorMap``
        (streamlit-folium adds d3 from a CDN for every ColorMap).
    """
    root = m.get_root()
    for el in list(_walk(root)):
        if isinstance(el, folium.Map):
            _set_image_path(el, base_url)
        if isinstance(el, ColorMap):
            raise AssetError(
                "Bản đồ có branca ColorMap: streamlit-folium sẽ tải d3 từ CDN; hãy vẽ chú giải bằng HTML "
                "(a branca ColorMap makes streamlit-folium load d3 from a CDN; draw the legend in HTML)."
            )
        for attr in ("default_js", "default_css"):
            links = getattr(el, attr, None)
            if links is not None:
                # A new list on the instance: folium's class attribute stays as it is.
                setattr(el, attr, _localise_links(links, base_url))
        if isinstance(el, Link) and _is_external(el.url):
            el.url = local_url(el.url, base_url)


_TAG_LINK_RE = re.compile(r"<script\b[^>]*\bsrc\s*=[^>]*>\s*</script\s*>|<link\b[^>]*>", re.IGNORECASE)

#: For each folium.Map default, what in a rendered page shows it is used.
_USE_PATTERNS: dict[str, re.Pattern[str]] = {
    "jquery": re.compile(r"(?<![\w$.])\$\s*[(.]|\bjQuery\b"),
    "bootstrap": re.compile(r"\bdata-bs-|\bbootstrap\.[A-Z]"),
    "bootstrap_css": re.compile(
        r"class\s*=\s*\\?[\"'][^\"']*\b(?:btn|table|card|badge|alert|container(?:-fluid)?|row|col(?:-[\w-]+)?"
        r"|form-[\w-]+|list-group[\w-]*|nav[\w-]*|d-[\w-]+|text-[\w-]+|bg-[\w-]+|p[xytblr]?-\d|m[xytblr]?-\d)\b"
    ),
    "awesome_markers": re.compile(r"L\.AwesomeMarkers"),
    "awesome_markers_css": re.compile(r"L\.AwesomeMarkers|\bawesome-marker"),
    "glyphicons_css": re.compile(r"\bglyphicon"),
    "awesome_markers_font_css": re.compile(
        r"\"prefix\":\s*\"fa|\bfa[srbld]?\s+fa-|\bfa-(?:solid|regular|brands)\b"
    ),
    "awesome_rotate_css": re.compile(r"\bfa-rotate-(?!(?:0|90|180|270)\b)\d+"),
}


def drop_unused_defaults(m: folium.Map, *, keep: Iterable[str] = ()) -> list[str]:
    """Remove from ``m`` the folium.Map default assets that nothing on the page uses.

    folium.Map always links Leaflet, jQuery, Bootstrap 5 (JS and CSS),
    Glyphicons, Font Awesome, Awesome Markers and the rotate CSS: inlined, that
    is about 1.5 MB. This renders the page, looks for what uses each one
    (``$(`` for jQuery — folium's ``Popup`` uses it —, ``L.AwesomeMarkers``,
    ``glyphicon``, ``fa fa-…``, Bootstrap class names or ``data-bs-``…) and
    drops the rest from the map *instance*. Leaflet itself is always kept.

    Parameters
    ----------
    m
        The map; call this after everything has been added to it.
    keep
        folium names (see :data:`MAP_DEFAULT_NAMES`) to keep whatever the
        page shows, e.g. ``{"bootstrap_css"}`` for HTML styled with Bootstrap
        classes that the check does not recognise.

    Returns
    -------
    list of str
        The names dropped.
    """
    keep_set = set(keep) | {"leaflet", "leaflet_css"}
    unknown = keep_set - set(MAP_DEFAULT_NAMES)
    if unknown:
        raise AssetError(
            f"Tên tài nguyên không có trong folium.Map: {sorted(unknown)} (unknown asset names)."
        )
    root = m.get_root()
    page = _TAG_LINK_RE.sub("", root.render())
    dropped = [
        name
        for name in MAP_DEFAULT_NAMES
        if name not in keep_set and name in _USE_PATTERNS and not _USE_PATTERNS[name].search(page)
    ]
    m.default_js = [(n, u) for n, u in m.default_js if n not in dropped]
    m.default_css = [(n, u) for n, u in m.default_css if n not in dropped]
    if isinstance(root, Figure):
        # The render above put the links in the page header under these names.
        for name in dropped:
            root.header._children.pop(name, None)
    return dropped


# --------------------------------------------------------------------------
# Self-contained pages
# --------------------------------------------------------------------------

_MIME = {
    ".png": "image/png",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".cur": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".css": "text/css",
    ".js": "text/javascript",
}

_SCRIPT_SRC_RE = re.compile(
    r"<script\b(?P<attrs>[^>]*?)\bsrc\s*=\s*(?P<q>[\"'])(?P<url>[^\"']*)(?P=q)[^>]*>\s*</script\s*>",
    re.IGNORECASE,
)
_LINK_RE = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTR_RE = re.compile(r"(?P<name>[\w:-]+)\s*=\s*(?P<q>[\"'])(?P<value>.*?)(?P=q)", re.DOTALL)
_CSS_URL_RE = re.compile(r"url\(\s*(?P<q>[\"']?)(?P<url>.*?)(?P=q)\s*\)", re.IGNORECASE | re.DOTALL)
_FONT_FACE_RE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)
_SRC_DECL_RE = re.compile(r"(?<![\w-])src\s*:[^;}]*;?", re.IGNORECASE)
_CSS_MAP_RE = re.compile(r"/\*[#@]\s*sourceMappingURL=[^*]*\*/")
_JS_MAP_RE = re.compile(r"^[ \t]*//[#@]\s*sourceMappingURL=\S*[ \t]*$", re.MULTILINE)
_IMAGE_PATH_RE = re.compile(r"(L\.Icon\.Default\.imagePath\s*=\s*)(?P<q>[\"'`]).*?(?P=q)")


def _split_url(url: str) -> tuple[str, str]:
    """``(path, fragment)`` of a relative URL; the query string is dropped."""
    path, _, fragment = url.partition("#")
    return path.partition("?")[0], fragment


class _Inliner:
    """Reads vendor files once each and turns them into inline text or data URIs."""

    def __init__(self, vendor_dir: Path, base_url: str) -> None:
        self.vendor_dir = vendor_dir.resolve()
        self.base = base_url.rstrip("/") + "/"
        self._data_uris: dict[Path, str] = {}

    def file_for(self, url: str) -> Path:
        """The vendor file a ``<base_url>/...`` URL names."""
        rel = _split_url(url[len(self.base) :])[0]
        return self._inside(self.vendor_dir / rel, url)

    def _inside(self, path: Path, url: str) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.vendor_dir):
            raise AssetError(f"'{url}' trỏ ra ngoài thư mục tài nguyên (points outside the vendor folder).")
        if not resolved.is_file():
            raise AssetError(
                f"Thiếu tệp tài nguyên {resolved} cho '{url}'; hãy chạy "
                "`python -m borderplan_geo.assets fetch` (asset file missing)."
            )
        return resolved

    def data_uri(self, path: Path) -> str:
        if path not in self._data_uris:
            mime = (
                _MIME.get(path.suffix.lower())
                or mimetypes.guess_type(path.name)[0]
                or "application/octet-stream"
            )
            encoded = base64.b64encode(path.read_bytes()).decode("ascii")
            self._data_uris[path] = f"data:{mime};base64,{encoded}"
        return self._data_uris[path]

    def css(self, path: Path, url: str) -> str:
        text = path.read_text(encoding="utf-8")
        if re.search(r"@import\b", text, re.IGNORECASE):
            raise AssetError(
                f"CSS '{url}' dùng @import, không nhúng được (CSS with @import cannot be inlined)."
            )
        text = _CSS_MAP_RE.sub("", text)
        text = _FONT_FACE_RE.sub(_keep_woff2_only, text)
        text = _FONT_FACE_RE.sub(_drop_repeated_fonts(), text)

        def replace(match: re.Match[str]) -> str:
            ref = match.group("url").strip()
            if not ref or ref.startswith(("data:", "#")):
                return match.group(0)
            if _is_external(ref) or ref.startswith("/"):
                raise AssetError(
                    f"CSS '{url}' tham chiếu '{ref}' ngoài thư mục tài nguyên (CSS refers outside the vendor folder)."
                )
            rel, fragment = _split_url(ref)
            target = self._inside(path.parent / rel, f"{url} → {ref}")
            uri = self.data_uri(target)
            if fragment and target.suffix.lower() == ".svg":
                uri += "#" + fragment
            return f'url("{uri}")'

        text = _CSS_URL_RE.sub(replace, text)
        return re.sub(r"</(?=style)", r"<\\/", text, flags=re.IGNORECASE)

    def js(self, path: Path) -> str:
        text = _JS_MAP_RE.sub("", path.read_text(encoding="utf-8"))
        # Inside <script>, "</script", "<script" and "<!--" would end or confuse the
        # element; "\x3C" is "<" in JS strings, templates and regular expressions alike.
        return re.sub(r"<(?=!--|/?script)", r"\\x3C", text, flags=re.IGNORECASE)


def _keep_woff2_only(match: re.Match[str]) -> str:
    """In an ``@font-face`` rule offering WOFF2, keep only the WOFF2 sources.

    Every browser that runs Leaflet 1.9 reads WOFF2; the TTF/EOT/SVG copies
    would only make an inlined page heavier.
    """
    block = match.group(0)
    woff2 = [
        u.group(0) for u in _CSS_URL_RE.finditer(block) if _split_url(u.group("url"))[0].endswith(".woff2")
    ]
    if not woff2:
        return block
    body = _SRC_DECL_RE.sub("", block).rstrip()[:-1].rstrip()
    sep = "" if body.endswith((";", "{")) else ";"
    sources = ",".join(f'{u} format("woff2")' for u in woff2)
    return f"{body}{sep}src:{sources}}}"


def _drop_repeated_fonts() -> Callable[[re.Match[str]], str]:
    """A replacer dropping each ``@font-face`` whose files an earlier one already embeds.

    Font Awesome 6 declares every font file three times: for its own family
    and again for the v5 and v4 family names (``Font Awesome 5 Free``,
    ``FontAwesome``) that only old CSS uses. Inlined, each copy would embed
    the same font again (about 0.8 MB more); the first declaration is kept.
    """
    seen: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        sources = {_split_url(u.group("url"))[0] for u in _CSS_URL_RE.finditer(match.group(0))}
        if sources and sources <= seen:
            return ""
        seen.update(sources)
        return match.group(0)

    return replace


def _attrs(tag: str) -> dict[str, str]:
    return {m.group("name").lower(): m.group("value") for m in _ATTR_RE.finditer(tag)}


def inline_assets(html: str, vendor_dir: Path, base_url: str) -> str:
    """Make a rendered page self-contained: every vendor script and stylesheet inlined.

    Each ``<script src="<base_url>/...">`` becomes ``<script>`` with the
    file's text and each ``<link rel="stylesheet" href="<base_url>/...">``
    a ``<style>``; every ``url(...)`` in that CSS (images, SVG, fonts)
    becomes a ``data:`` URI (only the WOFF2 copy of a font is kept). Leaflet's
    default marker icons are given as data URIs too (Leaflet would otherwise
    look for ``marker-icon.png`` beside the page), and any
    ``L.Icon.Default.imagePath`` assignment is emptied. The page then requests
    nothing but its tiles, if it has any.

    Parameters
    ----------
    html
        A page rendered from a map passed through :func:`localise`
        (``m.get_root().render()``).
    vendor_dir
        The folder :func:`fetch_assets` installed into.
    base_url
        The ``base_url`` given to :func:`localise`.

    Raises
    ------
    AssetError
        A script or stylesheet still points elsewhere (a CDN: :func:`localise`
        was not called), or a vendor file is missing.
    """
    inliner = _Inliner(Path(vendor_dir), base_url)
    leaflet = next(pkg for pkg in PACKAGES if pkg.name == "leaflet")
    leaflet_js = inliner.vendor_dir / leaflet.dir_name / "dist" / "leaflet.js"
    done: set[Path] = set()

    def owned(url: str) -> bool:
        return url.startswith(inliner.base)

    def script(match: re.Match[str]) -> str:
        url = match.group("url")
        if url.startswith("data:"):
            return match.group(0)
        if not owned(url):
            raise AssetError(
                f"Trang còn tải script '{url}' ngoài thư mục tài nguyên; hãy gọi localise() trước "
                "(the page still loads a script from elsewhere; call localise() first)."
            )
        path = inliner.file_for(url)
        if path in done:
            return ""
        done.add(path)
        out = f"<script>/* {url[len(inliner.base) :]} */\n{inliner.js(path)}\n</script>"
        if path == leaflet_js:
            out += _leaflet_icon_script(inliner, path.parent / "images")
        return out

    def link(match: re.Match[str]) -> str:
        tag = match.group(0)
        attrs = _attrs(tag)
        href = attrs.get("href", "")
        if not href or href.startswith("data:"):
            return tag
        if "stylesheet" not in attrs.get("rel", "").lower().split():
            if _is_external(href):
                raise AssetError(f"Trang còn liên kết '{href}' ra ngoài (the page still links outside).")
            return tag
        if not owned(href):
            raise AssetError(
                f"Trang còn tải CSS '{href}' ngoài thư mục tài nguyên; hãy gọi localise() trước "
                "(the page still loads a stylesheet from elsewhere; call localise() first)."
            )
        path = inliner.file_for(href)
        if path in done:
            return ""
        done.add(path)
        return f"<style>/* {href[len(inliner.base) :]} */\n{inliner.css(path, href)}\n</style>"

    html = _IMAGE_PATH_RE.sub(lambda m: f"{m.group(1)}{m.group('q')}{m.group('q')}", html)
    html = _SCRIPT_SRC_RE.sub(script, html)
    return _LINK_RE.sub(link, html)


def _leaflet_icon_script(inliner: _Inliner, images: Path) -> str:
    """A script giving ``L.Icon.Default`` its three images as data URIs.

    Leaflet finds its icon folder from ``leaflet.css``'s ``url(...)`` or the
    ``<link>`` to it; once the CSS is inlined neither names a folder.
    """
    uris = {
        key: inliner.data_uri(inliner._inside(images / name, f"leaflet/{name}"))
        for key, name in (
            ("iconUrl", "marker-icon.png"),
            ("iconRetinaUrl", "marker-icon-2x.png"),
            ("shadowUrl", "marker-shadow.png"),
        )
    }
    return (
        f'\n<script>L.Icon.Default.imagePath = "";L.Icon.Default.mergeOptions({json.dumps(uris)});</script>'
    )


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def _human(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} kB"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``fetch`` or ``check``; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m borderplan_geo.assets",
        description="Cài và kiểm tra tài nguyên web ngoại tuyến (Leaflet, plugin) từ npm "
        "(install and check the offline web assets).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="tải và cài tài nguyên (download and install)")
    fetch.add_argument("--dest", type=Path, help="thư mục đích (default: static/vendor)")
    fetch.add_argument("--force", action="store_true", help="cài lại cả khi đã có (reinstall)")
    fetch.add_argument("--registry", default=NPM_REGISTRY, help="npm registry (default: %(default)s)")
    check = sub.add_parser("check", help="kiểm tra đã cài đủ chưa (check what is installed)")
    check.add_argument("--dest", type=Path, help="thư mục tài nguyên (default: static/vendor)")
    args = parser.parse_args(argv)

    dest: Path = args.dest if args.dest is not None else _default_dest()
    if args.command == "fetch":
        print(f"Cài tài nguyên vào {dest} (installing assets):")
        try:
            fetch_assets(dest, registry=args.registry, force=args.force, log=print)
        except AssetError as exc:
            print(f"LỖI (error): {exc}", file=sys.stderr)
            return 1
        print(f"Xong: {len(PACKAGES)} gói, tổng {_human(vendor_size(dest))} (done).")
        return 0
    missing = missing_assets(dest)
    if missing:
        print(f"Thiếu tài nguyên trong {dest} (missing assets):", file=sys.stderr)
        for item in missing:
            print(f"  - {item}", file=sys.stderr)
        print("Chạy (run): python -m borderplan_geo.assets fetch", file=sys.stderr)
        return 1
    print(f"Đủ tài nguyên trong {dest}: {_human(vendor_size(dest))} (all assets present).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
