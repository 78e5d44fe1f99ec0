"""The corpus of hostile and careless files and data folders, and how one case is run.

Each :class:`Case` is a row: a name, the issue's section, a builder (it writes
the file and/or breaks a copy of the data folder and returns the command's
arguments), the command (``import``, ``validate``, ``status``, ``export`` through
``python -m borderplan_geo``, or ``preview`` through the library), and the
fragment the Vietnamese message must hold. :func:`run_case` runs one case in a
child process killed at :data:`TIMEOUT_S` seconds, and reports an
:class:`Outcome`: exit code, output, whether it hung, whether a traceback was
printed, which bytes of the data folder and the store changed, and whether any
line of a local "secret" file, or a request to the local HTTP server, leaked.

Two ways to run a case:

* in a forked child of the current process (the tests: the library is already
  imported, a case costs what its command costs);
* as ``python -m borderplan_geo …`` in a fresh interpreter, in any checkout
  (``tools/hostile_report.py`` runs the corpus against main and this branch).

More cases are rows: append a :class:`Case` to :data:`CASES` (other helpers'
sections too: the template and script payloads, the accounts).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests import hostile_files as hf

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

#: A case still running after this many seconds is killed: it counts as a hang.
TIMEOUT_S = 30.0
#: Address space a case may take (a bomb that gets through fails with MemoryError, not by swapping).
MEMORY_BYTES = 4 << 30

_VIETNAMESE = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE
)
_TRACEBACK = "Traceback (most recent call last)"


# --- the local HTTP server that records requests -----------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared by every request: the server's log

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = hf.SECRET_CSV.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", str(len(hf.SECRET_CSV.encode())))
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        del format, args


_server: http.server.ThreadingHTTPServer | None = None


def http_base() -> str:
    """The URL of a local server that answers anything and records every request it gets."""
    global _server
    if _server is None:
        _server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        threading.Thread(target=_server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{_server.server_address[1]}"


# --- workspace, cases, outcomes ------------------------------------------------------------------------------


@dataclass
class Workspace:
    """Where one case runs: a copy of the shipped data, a store, a secret file, an input folder."""

    root: Path
    token: str
    data: Path = field(init=False)
    store: Path = field(init=False)
    secret: Path = field(init=False)
    secret_kml: Path = field(init=False)
    out: Path = field(init=False)

    def __post_init__(self) -> None:
        self.data = self.root / "data"
        self.store = self.root / "state" / "store.sqlite"
        self.secret = self.root / "secret" / "secret.csv"
        self.secret_kml = self.root / "secret" / "secret.kml"
        self.out = self.root / "out"
        for folder in (self.store.parent, self.secret.parent, self.out, self.root / "in"):
            folder.mkdir(parents=True, exist_ok=True)
        shutil.copytree(
            DATA, self.data, ignore=shutil.ignore_patterns("store.sqlite*", "users.json", ".history")
        )
        self.secret.write_text(hf.SECRET_CSV, encoding="utf-8")
        self.secret_kml.write_text(hf.SECRET_KML, encoding="utf-8")

    def file(self, name: str, content: bytes) -> str:
        """Write an input file; returns its path."""
        path = self.root / "in" / name
        path.write_bytes(content)
        return str(path)

    def url(self, name: str) -> str:
        """A URL on the recording server, marked with this case's token."""
        return f"{http_base()}/{self.token}/{name}"

    def rel(self, target: Path) -> str:
        """``target`` relative to the folder an import reads its file from (a temporary folder)."""
        import tempfile

        return os.path.relpath(target, Path(tempfile.gettempdir()) / "borderplan-import-x")


Builder = Callable[[Workspace], list[str]]


@dataclass(frozen=True)
class Case:
    """One hostile or careless input and what must come of it."""

    name: str
    section: str
    """Where the issue lists it: §2, §3, §3b, §4 or "existing" (a case the tests already had)."""
    command: str
    """``import``, ``validate``, ``status``, ``export`` (the command line) or ``preview`` (the library)."""
    build: Builder
    expect: str
    """A fragment of the Vietnamese message."""
    label: str
    """The file the message must name."""
    ok: bool = False
    """True when the command must succeed (the 10 000-character name still makes a PDF)."""
    seed: bool = True
    """Start from a store holding a user's save (off for cases about the data folder's own files)."""
    secrets: bool = False
    """Check that no line of a local file, and no request to the local server, leaked."""


@dataclass
class Outcome:
    """What running a case gave."""

    case: Case
    code: int | None
    output: str
    seconds: float
    hung: bool
    changed: list[str]
    leaked: list[str]

    @property
    def traceback(self) -> bool:
        """A Python traceback was printed, or the process died of a signal."""
        return _TRACEBACK in self.output or (self.code is not None and self.code < 0 and not self.hung)

    @property
    def vietnamese(self) -> bool:
        """A message with Vietnamese diacritics that names the file."""
        return bool(_VIETNAMESE.search(self.output)) and self.case.label in self.output

    @property
    def expected(self) -> bool:
        """The expected fragment is in the output."""
        return self.case.expect in self.output

    @property
    def exit_ok(self) -> bool:
        """Exit code 0 when the case must succeed, non-zero otherwise."""
        return self.code == 0 if self.case.ok else (self.code not in (0, None))

    def failures(self) -> list[str]:
        """Every way this outcome misses the case's requirements (empty when it passes)."""
        out = []
        if self.hung:
            out.append(f"killed after {TIMEOUT_S:.0f} s")
        if self.traceback:
            out.append("traceback")
        if not self.vietnamese:
            out.append(f"no Vietnamese message naming {self.case.label}")
        if not self.expected:
            out.append(f"message lacks {self.case.expect!r}")
        if not self.exit_ok:
            out.append(f"exit code {self.code}")
        if self.changed:
            out.append("changed: " + ", ".join(self.changed))
        if self.leaked:
            out.append("leaked: " + ", ".join(self.leaked))
        return out


# --- running ---------------------------------------------------------------------------------------------------

_PREVIEW = """
import sys
from pathlib import Path
from borderplan_geo.importing import preview
from borderplan_geo.store import DataSource, Store

kind, name, data, store, *rest = sys.argv[1:]
options = dict(r.split("=", 1) for r in rest)
pv = preview(kind, Path(name).name, Path(name).read_bytes(), DataSource(Path(data), Store(Path(store))), **options)
print(pv.report())
sys.exit(1 if pv.errors else 0)
"""


def _argv(case: Case, ws: Workspace, args: list[str]) -> list[str]:
    if case.command == "preview":
        return [args[0], args[1], str(ws.data), str(ws.store), *args[2:]]
    extra = ["--user", "kiểm thử"] if case.command == "import" else []
    return [case.command, *args, "--data", str(ws.data), *extra]


def _env(ws: Workspace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDERPLAN_")}
    env.update(
        BORDERPLAN_STORE=str(ws.store),
        BORDERPLAN_USERS=str(ws.root / "state" / "users.json"),
        BORDERPLAN_BASEMAP="none",
        PYTHONIOENCODING="utf-8",
    )
    return env


def _digests(ws: Workspace) -> dict[str, str]:
    out = {}
    for base in (ws.data, ws.store.parent):
        for path in sorted(base.rglob("*")):
            if path.is_file():
                out[str(path.relative_to(ws.root))] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif path.is_dir():
                out[str(path.relative_to(ws.root)) + "/"] = "folder"
    return out


def _limit_memory() -> None:
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _run_forked(case: Case, argv: list[str], env: dict[str, str], log: Path) -> tuple[int | None, bool]:
    """Run the command in a forked child of this process (the library already imported)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            sys.stdout = sys.stderr = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0), encoding="utf-8")
            os.environ.clear()
            os.environ.update(env)
            vm = _vm_bytes()
            with contextlib.suppress(ValueError, OSError):
                cap = max(MEMORY_BYTES, vm + (3 << 30))
                resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
            try:
                if case.command == "preview":
                    sys.argv = ["preview", *argv]
                    exec(compile(_PREVIEW, "<preview>", "exec"), {"__name__": "__main__"})
                    code = 0
                else:
                    from borderplan_geo.cli import main

                    code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
        finally:
            os._exit(code)
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), False
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None, True
        time.sleep(0.02)


def _vm_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _run_exec(
    case: Case, argv: list[str], env: dict[str, str], log: Path, python: str, cwd: Path
) -> tuple[int | None, bool]:
    """Run ``python -m borderplan_geo …`` (or the preview snippet) in ``cwd``, a checkout."""
    cmd = (
        [python, "-c", _PREVIEW, *argv]
        if case.command == "preview"
        else [python, "-m", "borderplan_geo", *argv]
    )
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, preexec_fn=_limit_memory
        )
        try:
            return proc.wait(timeout=TIMEOUT_S), False
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return None, True


def run_case(case: Case, root: Path, *, python: str | None = None, cwd: Path | None = None) -> Outcome:
    """Build and run one case in ``root`` (an empty folder).

    Without ``python`` the case runs in a forked child of this process; with it,
    as ``python -m borderplan_geo`` in the checkout ``cwd``.
    """
    token = hashlib.sha256(f"{case.name}:{root}".encode()).hexdigest()[:12]
    ws = Workspace(root, token)
    if case.seed:
        ws.store.write_bytes(seed_store())
    args = case.build(ws)
    before = _digests(ws)
    argv = _argv(case, ws, args)
    log = ws.root / "output.txt"
    start = time.monotonic()
    if python is None:
        code, hung = _run_forked(case, argv, _env(ws), log)
    else:
        code, hung = _run_exec(case, argv, _env(ws), log, python, cwd or ROOT)
    seconds = time.monotonic() - start
    output = log.read_bytes().decode("utf-8", errors="replace")
    after = _digests(ws)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    leaked: list[str] = []
    if case.secrets:
        lines = [*hf.SECRET_LINES]
        passwd = hf.passwd_first_line()
        if passwd:
            lines.append(passwd)
        for line in lines:
            if line in output or line.split(" ")[0] in output:
                leaked.append(f"'{line[:24]}' in the output")
            for rel in changed:
                path = ws.root / rel
                if path.is_file() and line.encode() in path.read_bytes():
                    leaked.append(f"'{line[:24]}' in {rel}")
        hits = [h for h in _Recorder.hits if ws.token in h]
        leaked += [f"request to {h}" for h in hits]
    return Outcome(case, code, output, seconds, hung, changed, leaked)


_seed: bytes | None = None


def seed_store() -> bytes:
    """A store holding one user's save (made once per process against the shipped data)."""
    global _seed
    if _seed is None:
        import tempfile

        from borderplan_geo.importing import commit, preview
        from borderplan_geo.store import DataSource, Store

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "store.sqlite"
            content = "Xã;Chỉ tiêu;Năm;Giá trị;Nguồn\nBình Phú;clean_water;2023;97;BC\n".encode()
            pv = preview("values", "seed.csv", content, DataSource(DATA, Store(path)))
            commit(pv, Store(path), "seed")
            _seed = path.read_bytes()
    return _seed


# --- builders ------------------------------------------------------------------------------------------------


def _import(kind: str, name: str, make: Callable[[Workspace], bytes], *options: str) -> Builder:
    def build(ws: Workspace) -> list[str]:
        return [kind, ws.file(name, make(ws)), *options]

    return build


def _preview(kind: str, name: str, make: Callable[[Workspace], bytes]) -> Builder:
    def build(ws: Workspace) -> list[str]:
        return [kind, ws.file(name, make(ws))]

    return build


def _break(change: Callable[[Workspace], None], *args: str) -> Builder:
    def build(ws: Workspace) -> list[str]:
        change(ws)
        return [*args]

    return build


def _export_args(fmt: str, name: str) -> Callable[[Workspace], list[str]]:
    return lambda ws: ["--format", fmt, "--out", str(ws.out / name)]


def _values(ws: Workspace) -> Path:
    return ws.data / "indicators" / "values.csv"


def _cut_utf8(ws: Workspace) -> None:
    path = _values(ws)
    content = path.read_bytes()
    at = content.index("Ọ".encode())  # a three-byte character: cut after its first byte
    path.write_bytes(content[: at + 1])


def _utf16(ws: Workspace) -> None:
    path = _values(ws)
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))


def _corrupt_store(ws: Workspace) -> None:
    ws.store.write_bytes(b"SQLite format 3\x00" + "\x13\x37 hỏng ".encode() * 400)


def _wrong_schema_store(ws: Workspace) -> None:
    ws.store.unlink(missing_ok=True)
    con = sqlite3.connect(ws.store)
    con.execute("CREATE TABLE files (path TEXT, body TEXT)")
    con.execute("INSERT INTO files VALUES ('indicators/values.csv', 'x')")
    con.commit()
    con.close()


def _long_name(ws: Workspace) -> None:
    path = ws.data / "projects" / "projects.geojson"
    text = path.read_text(encoding="utf-8")
    import json

    doc = json.loads(text)
    doc["features"][0]["properties"]["name"] = ("Trạm bơm " * 1200)[:10_000]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _data_cases(
    name: str, change: Callable[[Workspace], None], label: str, expect: str, commands: Sequence[str]
) -> list[Case]:
    """One case per command for one broken data folder."""
    return [
        Case(f"{name} / {c}", "§3b", c, _broken_data(change, c), expect, label, seed=False) for c in commands
    ]


def _broken_data(change: Callable[[Workspace], None], command: str) -> Builder:
    def build(ws: Workspace) -> list[str]:
        change(ws)
        if command == "export":
            return _export_args("html", "ban-do.html")(ws)
        if command == "import":
            return [
                "values",
                ws.file("nuoc.csv", (VALUES_CSV_HEADER + "Tân Hộ Cơ;clean_water;2023;96;BC\n").encode()),
            ]
        return []

    return build


def _many_rows(n: int) -> bytes:
    head = "Mã;Tên dự án;Lĩnh vực;Xã;Tình trạng;Tiến độ (%);Kinh độ;Vĩ độ;Nguồn\n"
    row = "DA-{i};Đường số {i};Giao thông;Tân Hộ Cơ;Đang thi công;40;105,45;10,90;NQ\n"
    return (head + "".join(row.format(i=i) for i in range(n))).encode()


def _polygon(n: int) -> dict[str, object]:
    import math

    ring = [
        [hf.LON + 0.01 * math.cos(2 * math.pi * k / n), hf.LAT + 0.01 * math.sin(2 * math.pi * k / n)]
        for k in range(n)
    ]
    ring.append(ring[0])
    feature = hf.project_feature(1)
    feature["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    return feature


VALUES_CSV_HEADER = "Xã;Chỉ tiêu;Năm;Giá trị;Nguồn\n"


def _section2() -> list[Case]:
    def vrt_secret(ws: Workspace) -> bytes:
        return hf.vrt(str(ws.secret), "secret")

    def vrt_passwd(ws: Workspace) -> bytes:
        return hf.vrt("CSV:/etc/passwd", "passwd", points=False)

    def vrt_url(ws: Workspace) -> bytes:
        return hf.vrt("/vsicurl/" + ws.url("secret.csv"), "secret")

    def vrt_shp(ws: Workspace) -> bytes:
        parts = hf.shapefile_parts(ws.root / "shp")
        parts["tram.shp"] = hf.vrt(str(ws.secret), "secret")
        return hf.zip_of(parts)

    def crs(member: Callable[[Workspace], object]) -> Callable[[Workspace], bytes]:
        return lambda ws: hf.geojson([hf.project_feature(1)], crs=member(ws))

    def kml_link(href: Callable[[Workspace], str], tag: str = "NetworkLink") -> Callable[[Workspace], bytes]:
        def make(ws: Workspace) -> bytes:
            if tag == "NetworkLink":
                body = f"<NetworkLink><name>x</name><Link><href>{href(ws)}</href></Link></NetworkLink>"
            else:
                body = f"<Style id='s'><IconStyle><Icon><href>{href(ws)}</href></Icon></IconStyle></Style>"
            return hf.kml(body + hf.placemark())

        return make

    def kmz_link(ws: Workspace) -> bytes:
        doc = hf.kml(f"<NetworkLink><Link><href>{ws.rel(ws.secret_kml)}</href></Link></NetworkLink>")
        return hf.zip_of({"doc.kml": doc})

    def style_url(ws: Workspace) -> bytes:
        body = f"<Placemark><name>Trạm</name><styleUrl>{ws.secret_kml}#s</styleUrl>"
        return hf.kml(body + f"<Point><coordinates>{hf.LON},{hf.LAT}</coordinates></Point></Placemark>")

    def gml(ws: Workspace) -> bytes:
        return (
            '<?xml version="1.0"?><ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" '
            'xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink">'
            f'<gml:featureMember xlink:href="{ws.secret}#x"/></ogr:FeatureCollection>'
        ).encode()

    def esri(ws: Workspace) -> bytes:
        return (
            '{"geometryType": "esriGeometryPoint", "spatialReference": {"wkid": 4326}, "fields": [], '
            f'"features": [{{"attributes": {{"name": "Đường"}}, "geometry": {{"x": {hf.LON}, "y": {hf.LAT}}}}}]}}'
        ).encode()

    def topo(ws: Workspace) -> bytes:
        return b'{"type": "Topology", "objects": {}, "arcs": []}'

    def shp_link(ws: Workspace) -> bytes:
        parts = hf.shapefile_parts(ws.root / "shp")
        return hf.raw_zip(
            {
                "tram.shp": parts["tram.shp"],
                "tram.shx": parts["tram.shx"],
                "tram.dbf": str(ws.secret).encode(),
            },
            symlinks=("tram.dbf",),
        )

    def shp_traversal(ws: Workspace) -> bytes:
        parts = hf.shapefile_parts(ws.root / "shp")
        return hf.zip_of({f"../../{name}": data for name, data in parts.items()})

    def gpkg_virtual(ws: Workspace) -> bytes:
        return hf.gpkg_with_virtual_table(ws.root / "gpkg", str(ws.secret))

    s = "§2"
    return [
        Case(
            "VRT saved as .geojson reads a local file",
            s,
            "import",
            _import("projects", "du_an.geojson", vrt_secret),
            "tài liệu VRT",
            "du_an.geojson",
            secrets=True,
        ),
        Case(
            "VRT saved as .kml reads a local file",
            s,
            "import",
            _import("projects", "du_an.kml", vrt_secret),
            "tài liệu VRT",
            "du_an.kml",
            secrets=True,
        ),
        Case(
            "VRT reads /etc/passwd",
            s,
            "import",
            _import("projects", "tai_khoan.geojson", vrt_passwd),
            "tài liệu VRT",
            "tai_khoan.geojson",
            secrets=True,
        ),
        Case(
            "VRT fetches a URL (/vsicurl/)",
            s,
            "import",
            _import("projects", "mang.geojson", vrt_url),
            "tài liệu VRT",
            "mang.geojson",
            secrets=True,
        ),
        Case(
            "VRT named .shp inside a zip",
            s,
            "import",
            _import("layer", "tram.zip", vrt_shp, "--layer", "water_stations"),
            "tram.zip: lỗi",
            "tram.zip",
            secrets=True,
        ),
        Case(
            "GeoJSON crs 'link' to a URL",
            s,
            "import",
            _import(
                "projects",
                "crs_link.geojson",
                crs(
                    lambda ws: {"type": "link", "properties": {"href": ws.url("crs.prj"), "type": "esriwkt"}}
                ),
            ),
            'mục "crs"',
            "crs_link.geojson",
            secrets=True,
        ),
        Case(
            "GeoJSON crs names a local file",
            s,
            "import",
            _import(
                "projects",
                "crs_tep.geojson",
                crs(lambda ws: {"type": "name", "properties": {"name": str(ws.secret)}}),
            ),
            'mục "crs"',
            "crs_tep.geojson",
            secrets=True,
        ),
        Case(
            "GeoJSON crs names a /vsicurl/ URL",
            s,
            "import",
            _import(
                "projects",
                "crs_url.geojson",
                crs(lambda ws: {"type": "name", "properties": {"name": "/vsicurl/" + ws.url("c.prj")}}),
            ),
            'mục "crs"',
            "crs_url.geojson",
            secrets=True,
        ),
        Case(
            "GeoJSON crs with an unknown EPSG code",
            "§4",
            "import",
            _import(
                "projects",
                "epsg.geojson",
                crs(lambda ws: {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}),
            ),
            "EPSG:999999",
            "epsg.geojson",
        ),
        Case(
            "ESRI JSON saved as .geojson",
            s,
            "import",
            _import("projects", "esri.geojson", esri),
            "không phải GeoJSON",
            "esri.geojson",
        ),
        Case(
            "TopoJSON saved as .json",
            s,
            "import",
            _import("projects", "topo.json", topo),
            "không phải GeoJSON",
            "topo.json",
        ),
        Case(
            "GML with an xlink saved as .kml",
            s,
            "import",
            _import("projects", "gml.kml", gml),
            "không phải KML",
            "gml.kml",
            secrets=True,
        ),
        Case(
            "KML NetworkLink to a local file",
            s,
            "import",
            _import("projects", "lien_ket.kml", kml_link(lambda ws: str(ws.secret_kml))),
            "NetworkLink",
            "lien_ket.kml",
            secrets=True,
        ),
        Case(
            "KML NetworkLink to a URL",
            s,
            "import",
            _import("projects", "lien_ket_mang.kml", kml_link(lambda ws: ws.url("secret.kml"))),
            "NetworkLink",
            "lien_ket_mang.kml",
            secrets=True,
        ),
        Case(
            "KML href relative to a local file",
            s,
            "import",
            _import("projects", "bieu_tuong.kml", kml_link(lambda ws: ws.rel(ws.secret), tag="Icon")),
            "tham chiếu tới tệp",
            "bieu_tuong.kml",
            secrets=True,
        ),
        Case(
            "KML styleUrl in another file",
            s,
            "import",
            _import("projects", "kieu.kml", style_url),
            "tham chiếu tới tệp",
            "kieu.kml",
            secrets=True,
        ),
        Case(
            "KMZ NetworkLink to ../ a local file",
            s,
            "import",
            _import("projects", "lien_ket.kmz", kmz_link),
            "NetworkLink",
            "lien_ket.kmz",
            secrets=True,
        ),
        Case(
            "zipped Shapefile .dbf is a symlink",
            s,
            "import",
            _import("layer", "lien_ket.zip", shp_link, "--layer", "water_stations"),
            "liên kết",
            "lien_ket.zip",
            secrets=True,
        ),
        Case(
            "zipped Shapefile with ../ paths",
            s,
            "import",
            _import("layer", "duong_dan.zip", shp_traversal, "--layer", "water_stations"),
            "ra ngoài tệp nén",
            "duong_dan.zip",
        ),
        Case(
            "GeoPackage with a VirtualOGR table",
            s,
            "import",
            _import("projects", "ao.gpkg", gpkg_virtual),
            "bảng ảo",
            "ao.gpkg",
            secrets=True,
        ),
    ]


def _section3() -> list[Case]:
    def far_cell(ws: Workspace) -> bytes:
        return hf.xlsx(hf.sheet_xml({**hf.VALUES_CELLS, "XFD1048576": "x"}, dimension="A1:XFD1048576"))

    def merged(ws: Workspace) -> bytes:
        return hf.xlsx(hf.sheet_xml(hf.VALUES_CELLS, merges=("F1:XFD1048576",)))

    def long_xlsx_cell(ws: Workspace) -> bytes:
        return hf.xlsx(hf.sheet_xml({**hf.VALUES_CELLS, "F2": "x" * 40_000}))

    def csv_text(text: str) -> Callable[[Workspace], bytes]:
        return lambda ws: text.encode("utf-8")

    def features(n: int) -> Callable[[Workspace], bytes]:
        return lambda ws: hf.geojson([hf.project_feature(i) for i in range(n)])

    s = "§3"
    row = "Tân Hộ Cơ;clean_water;2023;96;"
    return [
        Case(
            "xlsx: one cell at XFD1048576",
            s,
            "import",
            _import("values", "o_xa.xlsx", far_cell),
            "XFD1048576",
            "o_xa.xlsx",
        ),
        Case(
            "xlsx: merged range F1:XFD1048576",
            s,
            "import",
            _import("values", "gop_o.xlsx", merged),
            "F1:XFD1048576",
            "gop_o.xlsx",
        ),
        Case(
            "xlsx: sheet inflates to 900 MB (zip bomb)",
            s,
            "import",
            _import("values", "bom.xlsx", lambda ws: hf.bomb_xlsx(900 << 20)),
            "giải nén",
            "bom.xlsx",
        ),
        Case(
            "xlsx: a 40 000-character cell",
            s,
            "import",
            _import("values", "o_dai.xlsx", long_xlsx_cell),
            "32.767",
            "o_dai.xlsx",
        ),
        Case(
            "CSV: 200 000 rows",
            s,
            "import",
            _import("projects", "du_an_200k.csv", lambda ws: _many_rows(200_000)),
            "10.000 dòng",
            "du_an_200k.csv",
        ),
        Case(
            "CSV: a 40 MB cell",
            s,
            "import",
            _import(
                "values", "o_40mb.csv", csv_text(VALUES_CSV_HEADER + row + '"' + "x" * (40 << 20) + '"\n')
            ),
            "131.072",
            "o_40mb.csv",
        ),
        Case(
            "CSV: a 200 kB unquoted field",
            s,
            "import",
            _import("values", "o_200kb.csv", csv_text(VALUES_CSV_HEADER + row + "x" * 200_000 + "\n")),
            "131.072",
            "o_200kb.csv",
        ),
        Case(
            "CSV: a 40 000-character cell",
            s,
            "import",
            _import("values", "o_40k.csv", csv_text(VALUES_CSV_HEADER + row + "x" * 40_000 + "\n")),
            "32.767",
            "o_40k.csv",
        ),
        Case(
            "CSV: 5 000 columns",
            s,
            "import",
            _import("values", "cot.csv", csv_text(";".join(f"c{i}" for i in range(5000)) + "\n")),
            "200 cột",
            "cot.csv",
        ),
        Case(
            "GeoJSON: 100 000 features",
            s,
            "import",
            _import("projects", "nhieu.geojson", features(100_000)),
            "10.000",
            "nhieu.geojson",
        ),
        Case(
            "GeoJSON: a polygon of 300 000 vertices",
            s,
            "import",
            _import("projects", "dinh.geojson", lambda ws: hf.geojson([_polygon(300_000)])),
            "200.000",
            "dinh.geojson",
        ),
        Case(
            "GeoJSON: nested 100 000 deep",
            s,
            "import",
            _import(
                "projects",
                "sau.geojson",
                lambda ws: (
                    b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
                ),
            ),
            "lồng nhau",
            "sau.geojson",
        ),
        Case(
            "KMZ: document inflates to 900 MB",
            s,
            "import",
            _import(
                "projects",
                "bom.kmz",
                lambda ws: hf.raw_zip(
                    {
                        "doc.kml": hf.Inflating(
                            900 << 20,
                            head=b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>',
                            tail=b"</Document></kml>",
                        )
                    }
                ),
            ),
            "giải nén",
            "bom.kmz",
        ),
        Case(
            "zipped Shapefile: .dbf inflates to 900 MB",
            s,
            "import",
            _import(
                "layer",
                "bom.zip",
                lambda ws: hf.raw_zip(
                    {**hf.shapefile_parts(ws.root / "shp"), "tram.dbf": hf.Inflating(900 << 20)}
                ),
                "--layer",
                "water_stations",
            ),
            "giải nén",
            "bom.zip",
        ),
    ]


def _section3b() -> list[Case]:
    def empty_targets(ws: Workspace) -> None:
        (ws.data / "indicators" / "targets.csv").write_bytes(b"")

    def slides(ws: Workspace) -> None:
        (ws.data / "views" / "slides.json").write_bytes(b'{"title": "x", "views": [{"name": ')

    def missing(ws: Workspace) -> None:
        _values(ws).unlink()

    def folder(ws: Workspace) -> None:
        _values(ws).unlink()
        _values(ws).mkdir()

    def meta(ws: Workspace) -> None:
        (ws.data / "meta.json").write_bytes(b'{"title": "x", "data_date": 2025')

    def meta_date(ws: Workspace) -> None:
        (ws.data / "meta.json").write_text('{"title": "x", "data_date": "31/12/2025"}', encoding="utf-8")

    def units(ws: Workspace) -> None:
        path = ws.data / "boundaries" / "units_2020.geojson"
        path.write_bytes(path.read_bytes()[:300])

    def border(ws: Workspace) -> None:
        path = ws.data / "boundaries" / "border.geojson"
        path.write_bytes(path.read_bytes()[:200])

    def layer(ws: Workspace) -> None:
        (ws.data / "projects" / "water_stations.geojson").write_bytes(
            b'{"type": "FeatureCollection", "features": ['
        )

    three = ("validate", "status", "export")
    values = "indicators/values.csv"
    cases = [
        Case(
            "preview: CSV cell over 131 072 characters",
            "§3b",
            "preview",
            _preview(
                "values",
                "o_dai.csv",
                lambda ws: (
                    VALUES_CSV_HEADER + "Tân Hộ Cơ;clean_water;2023;96;" + "y" * 140_000 + "\n"
                ).encode(),
            ),
            "131.072",
            "o_dai.csv",
        ),
        *_data_cases("values.csv cut inside a UTF-8 character", _cut_utf8, values, "UTF-8", three),
        *_data_cases("empty targets.csv", empty_targets, "indicators/targets.csv", "rỗng", three),
        *_data_cases("UTF-16 values.csv", _utf16, values, "UTF-16", three),
        *_data_cases("corrupt store", _corrupt_store, "store.sqlite", "hỏng", (*three, "import")),
        *_data_cases(
            "store of another schema", _wrong_schema_store, "store.sqlite", "không đúng cấu trúc", three
        ),
        *_data_cases(
            "broken boundaries GeoJSON",
            units,
            "boundaries/units_2020.geojson",
            "không đọc được",
            ("validate", "status"),
        ),
        *_data_cases(
            "broken border GeoJSON",
            border,
            "boundaries/border.geojson",
            "không đọc được",
            ("validate", "status"),
        ),
        *_data_cases(
            "broken layer GeoJSON", layer, "projects/water_stations.geojson", "không đọc được", ("validate",)
        ),
        Case(
            "validate: slides.json broken",
            "§3b",
            "validate",
            _break(slides),
            "không đọc được JSON",
            "views/slides.json",
            seed=False,
        ),
        Case(
            "validate: values.csv missing",
            "§3b",
            "validate",
            _break(missing),
            "thiếu tệp",
            values,
            seed=False,
        ),
        Case(
            "validate: values.csv is a folder",
            "§3b",
            "validate",
            _break(folder),
            "thư mục",
            values,
            seed=False,
        ),
        Case(
            "validate: meta.json not JSON",
            "§3b",
            "validate",
            _break(meta),
            "không đọc được JSON",
            "meta.json",
            seed=False,
        ),
        Case(
            "validate: meta.json date not YYYY-MM-DD",
            "§3b",
            "validate",
            _break(meta_date),
            "data_date",
            "meta.json",
            seed=False,
        ),
        Case(
            "export PDF: a 10 000-character project name",
            "§3b",
            "export",
            lambda ws: (_long_name(ws), _export_args("pdf", "ban-do.pdf")(ws))[1],
            "Đã ghi",
            "ban-do.pdf",
            ok=True,
            seed=False,
        ),
    ]
    return cases


def _existing() -> list[Case]:
    """The bad inputs the tests already had: tests/test_importing.py's 27, test_io.py's, test_cli.py's."""
    from tests.test_importing import BAD_INPUTS

    cases = []
    for name, kind, filename, make, options, needles, _row in BAD_INPUTS:
        flags = [x for k, v in options.items() for x in (f"--{k}", v)]
        builder = _import(kind, filename, lambda ws, _m=make: _m(ws.root / "tmp"), *flags)
        label = "--crs" if name == "invalid --crs" else filename
        cases.append(Case(f"test_importing: {name}", "existing", "import", builder, needles[0], label))
    for filename, content, needle in [
        ("a.pdf", b"%PDF-1.4", "không đọc được loại tệp '.pdf'"),
        ("a.xls", b"\xd0\xcf\x11\xe0", ".xlsx"),
        ("a.shp", b"\x00\x00\x27\x0a", ".zip"),
        ("rong.csv", b"", "tệp rỗng"),
        ("a.xlsx", b"Xa,Nam\n", "không phải bảng tính Excel"),
        ("a.gpkg", b"hello", "không phải GeoPackage"),
        ("b.csv", b"PK\x03\x04rest", "không phải tệp văn bản CSV"),
    ]:
        cases.append(
            Case(
                f"test_io: file type {filename}",
                "existing",
                "import",
                _import("values", filename, lambda ws, _c=content: _c),
                needle,
                filename,
            )
        )
    cases.append(
        Case(
            "test_io: zip without a Shapefile",
            "existing",
            "import",
            _import(
                "layer",
                "nen.zip",
                lambda ws: hf.zip_of({"so_lieu.csv": b"a,b\n"}),
                "--layer",
                "water_stations",
            ),
            "không chứa Shapefile",
            "nen.zip",
        )
    )

    def two_layers(ws: Workspace) -> bytes:
        import geopandas as gpd
        from shapely.geometry import Point

        g = gpd.GeoDataFrame({"ten": ["a"]}, geometry=[Point(hf.LON, hf.LAT)], crs="EPSG:4326")
        path = ws.root / "hai_lop.gpkg"
        g.to_file(path, layer="mot")
        g.to_file(path, layer="hai")
        return path.read_bytes()

    cases.append(
        Case(
            "test_io: GeoPackage with two layers",
            "existing",
            "import",
            _import("projects", "hai_lop.gpkg", two_layers),
            "2 lớp",
            "hai_lop.gpkg",
        )
    )

    def replace(rel: str, old: str, new: str) -> Callable[[Workspace], None]:
        def change(ws: Workspace) -> None:
            path = ws.data / rel
            path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

        return change

    def percentage(ws: Workspace) -> None:
        path = ws.data / "indicators" / "values.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        row = next(i for i, line in enumerate(lines) if ",clean_water,2023," in line)
        fields = lines[row].split(",")
        fields[3] = "140"
        lines[row] = ",".join(fields)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def far_point(ws: Workspace) -> None:
        import json

        path = ws.data / "projects" / "projects.geojson"
        doc = json.loads(path.read_text(encoding="utf-8"))
        feature = next(f for f in doc["features"] if f["geometry"]["type"] == "Point")
        lon, lat = feature["geometry"]["coordinates"]
        feature["geometry"]["coordinates"] = [lon, lat + 0.45]  # 50 km north, deep in Cambodia
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    for name, change, label, expect in [
        (
            "unknown commune in values.csv",
            replace("indicators/values.csv", "29935,", "Xã Bình Phúc Lộc,"),
            "indicators/values.csv",
            "không nhận ra tên xã",
        ),
        ("percentage 140 in values.csv", percentage, "indicators/values.csv", "140"),
        (
            "year 2031 in criteria.csv",
            replace("indicators/criteria.csv", ",2022,", ",2031,"),
            "indicators/criteria.csv",
            "2031",
        ),
        ("a point 50 km outside", far_point, "projects/projects.geojson", "nằm ngoài huyện Tân Hồng"),
    ]:
        cases.append(
            Case(
                f"test_cli: validate {name}",
                "existing",
                "validate",
                _break(change),
                expect,
                label,
                seed=False,
            )
        )
    return cases


#: Every case, in the issue's order; append rows to extend the corpus.
CASES: list[Case] = [*_section2(), *_section3(), *_section3b(), *_existing()]
