"""How a case of the hostile-file corpus is run (the cases: :mod:`tests.hostile_cases`).

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

More cases are rows: append a :class:`Case` to :data:`tests.hostile_cases.CASES`
(other sections too: the template and script payloads, the accounts).
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
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests import hostile_files as hf

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

#: A case still running after this many seconds is killed: it counts as a hang (the issue's 30 s;
#: ``BORDERPLAN_HOSTILE_TIMEOUT`` raises it on a machine much slower than a planner's laptop).
TIMEOUT_S = float(os.environ.get("BORDERPLAN_HOSTILE_TIMEOUT", "30"))
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
