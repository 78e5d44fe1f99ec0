"""Where the data lives: the data folder, overlaid by the users' SQLite store.

The shipped data folder holds plain files (CSV, GeoJSON) that people can read,
diff and validate. The users' imports and edits never rewrite those files:
they go to an embedded SQLite store (``store.sqlite`` in the data folder by
default), which keeps every version of every file it holds. Reading a file
asks the store first and falls back to the folder, so the rest of the package
sees one consistent data set (:class:`DataSource`).

Safety
------
* Every save is one SQLite transaction (``BEGIN IMMEDIATE``): it lands whole
  or not at all.
* Every save names the version it was based on (the SHA-256 of the content
  the editor loaded). If someone saved in between, the save is refused with
  :class:`~borderplan_geo._errors.StaleSaveError`, never silently merged.
* Nothing is overwritten: older versions stay, and :meth:`Store.undo` brings
  the previous one back as a new version.
* The audit log records who changed what, when, from what to what.
* Reads never write: the store file's bytes change only on a save, and on a
  failed login (the counts behind the login lockout live here too, so every
  session and server process shares them; see :func:`borderplan_geo.auth.login`).
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ._errors import DataError, Problem, StaleSaveError, StoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT NOT NULL,
    version INTEGER NOT NULL,
    content BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    author TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (path, version)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    path TEXT NOT NULL,
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    record TEXT NOT NULL DEFAULT '',
    field TEXT NOT NULL DEFAULT '',
    old TEXT,
    new TEXT
);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_at REAL NOT NULL,
    locked_until REAL NOT NULL DEFAULT 0
);
"""


#: The columns every store has: a store lacking one is of another program or version.
_COLUMNS: dict[str, set[str]] = {
    "files": {"path", "version", "content", "sha256", "saved_at", "author", "note"},
    "audit": {"at", "author", "path", "version", "action", "record", "field", "old", "new"},
}

#: The version tag of a missing file; a stored version with it records a removal.
REMOVED = "none"


def sha256(content: bytes | None) -> str:
    """The version tag of a content (``"none"`` for a missing file)."""
    return REMOVED if content is None else hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class Change:
    """One changed cell, for the audit log."""

    record: str
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class Version:
    """One stored version of a file."""

    path: str
    version: int
    sha256: str
    saved_at: str
    author: str
    note: str


class Store:
    """The SQLite store of the users' versions of data files.

    Parameters
    ----------
    path
        The SQLite file; created on the first save, never on a read.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    # -- connections -------------------------------------------------------------
    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection | None]:
        if not self.path.exists():
            yield None
            return
        if not self.path.is_file():
            raise self._broken("đường dẫn là một thư mục, không phải tệp")
        uri = f"file:{self.path.as_posix()}?mode=ro"
        try:
            con = sqlite3.connect(uri, uri=True, timeout=10)
        except sqlite3.Error as exc:
            raise self._broken(str(exc)) from exc
        try:
            yield con
        except sqlite3.Error as exc:  # not a database, or tables of another shape
            raise self._broken(str(exc)) from exc
        finally:
            con.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.check()  # a damaged store is refused before it is opened for writing: its bytes stay
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._broken(str(exc)) from exc
        try:
            con.execute("PRAGMA journal_mode=DELETE")
            con.execute("PRAGMA synchronous=FULL")
            con.executescript(_SCHEMA)
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._broken(str(exc)) from exc
        finally:
            con.close()

    def _broken(self, detail: str) -> StoreError:
        return StoreError(
            Problem(
                str(self.path),
                f"kho dữ liệu bị hỏng hoặc không đúng cấu trúc kho của BorderPlan Geo ({detail}): chưa đọc, "
                "chưa ghi gì — khôi phục bản sao lưu của tệp này, hoặc đổi tên nó để bắt đầu một kho mới "
                "(thư mục dữ liệu vẫn nguyên)",
            )
        )

    def check(self) -> None:
        """Refuse a store that is no SQLite file of this package (or of another shape), before any use.

        A missing store is fine (it is created on the first save).

        Raises
        ------
        StoreError
            Naming the store's file.
        """
        with self._read() as con:
            if con is None:
                return
            for table, columns in _COLUMNS.items():
                found = {str(r[1]) for r in con.execute(f"PRAGMA table_info({table})").fetchall()}
                if found and not columns <= found:
                    missing = ", ".join(sorted(columns - found))
                    raise self._broken(f"bảng {table} thiếu cột {missing}")

    # -- reading -------------------------------------------------------------------
    def current(self, path: str) -> tuple[bytes, Version] | None:
        """The newest stored content of ``path`` and its version, if the store holds it."""
        with self._read() as con:
            if con is None or not _has_tables(con):
                return None
            row = con.execute(
                "SELECT content, version, sha256, saved_at, author, note FROM files "
                "WHERE path = ? ORDER BY version DESC LIMIT 1",
                (path,),
            ).fetchone()
        if row is None:
            return None
        content, version, digest, saved_at, author, note = row
        return bytes(content), Version(path, version, digest, saved_at, author, note)

    def newest(self, path: str) -> Version | None:
        """The newest version of ``path`` (a removal included), if the store holds any."""
        versions = self.history(path)
        return max(versions, key=lambda v: v.version) if versions else None

    def history(self, path: str | None = None) -> list[Version]:
        """Stored versions, newest first (of one file, or of all)."""
        with self._read() as con:
            if con is None or not _has_tables(con):
                return []
            sql = "SELECT path, version, sha256, saved_at, author, note FROM files"
            args: tuple[str, ...] = ()
            if path is not None:
                sql += " WHERE path = ?"
                args = (path,)
            rows = con.execute(sql + " ORDER BY saved_at DESC, version DESC", args).fetchall()
        return [Version(*r) for r in rows]

    def audit_log(self, path: str | None = None) -> list[dict[str, object]]:
        """The audit log, oldest first."""
        with self._read() as con:
            if con is None or not _has_tables(con):
                return []
            sql = "SELECT at, author, path, version, action, record, field, old, new FROM audit"
            args: tuple[str, ...] = ()
            if path is not None:
                sql += " WHERE path = ?"
                args = (path,)
            rows = con.execute(sql + " ORDER BY id", args).fetchall()
        keys = ("at", "author", "path", "version", "action", "record", "field", "old", "new")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def paths(self) -> list[str]:
        """Every file the store holds, removed ones left out."""
        with self._read() as con:
            if con is None or not _has_tables(con):
                return []
            rows = con.execute(
                "SELECT f.path, f.sha256 FROM files f JOIN (SELECT path, MAX(version) AS v FROM files GROUP BY path) n "
                "ON f.path = n.path AND f.version = n.v ORDER BY f.path"
            ).fetchall()
        return [path for path, digest in rows if digest != REMOVED]

    def data_stamp(self) -> str:
        """Changes whenever a data file's version is saved (not on a failed login)."""
        with self._read() as con:
            if con is None or not _has_tables(con):
                return "empty"
            count, newest = con.execute("SELECT COUNT(*), MAX(saved_at) FROM files").fetchone()
        return f"{count}:{newest}" if count else "empty"

    def content_at(self, path: str, version: int) -> bytes | None:
        """The content of one stored version."""
        with self._read() as con:
            if con is None or not _has_tables(con):
                return None
            row = con.execute(
                "SELECT content FROM files WHERE path = ? AND version = ?", (path, version)
            ).fetchone()
        return bytes(row[0]) if row else None

    # -- login failures ------------------------------------------------------------
    def login_locked_until(self, keys: Sequence[str], *, now: float) -> float | None:
        """The latest time any of ``keys`` stays locked until, if one is locked at ``now``."""
        with self._read() as con:
            if con is None or not _has_table(con, "login_failures"):
                return None
            marks = ",".join("?" * len(keys))
            row = con.execute(
                f"SELECT MAX(locked_until) FROM login_failures WHERE key IN ({marks}) AND locked_until > ?",
                (*keys, now),
            ).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def record_login_failure(
        self, keys: Sequence[tuple[str, int]], *, now: float, window: float, lock_seconds: float
    ) -> float | None:
        """Count one failed login against each key; returns the lock's end if a key is now locked.

        Parameters
        ----------
        keys
            ``(key, limit)`` pairs: a key locks for ``lock_seconds`` on its
            ``limit``-th failure within ``window`` seconds.
        """
        locked: list[float] = []
        with self._write() as con:
            con.execute(
                "DELETE FROM login_failures WHERE locked_until <= ? AND first_at <= ?", (now, now - window)
            )
            for key, limit in keys:
                row = con.execute(
                    "SELECT failures, first_at, locked_until FROM login_failures WHERE key = ?", (key,)
                ).fetchone()
                if row is None or row[1] <= now - window or 0 < row[2] <= now:
                    failures, first_at = 1, now  # a new window (or the lock has run out)
                else:
                    failures, first_at = int(row[0]) + 1, float(row[1])
                until = now + lock_seconds if failures >= limit else 0.0
                if until:
                    locked.append(until)
                con.execute(
                    "INSERT OR REPLACE INTO login_failures (key, failures, first_at, locked_until) "
                    "VALUES (?,?,?,?)",
                    (key, failures, first_at, until),
                )
        return max(locked) if locked else None

    def clear_login_failures(self, keys: Sequence[str]) -> None:
        """Forget the failed logins of ``keys`` (after a successful login)."""
        if not self._has_failures(keys):
            return  # nothing to forget: no write
        with self._write() as con:
            con.executemany("DELETE FROM login_failures WHERE key = ?", [(k,) for k in keys])

    def _has_failures(self, keys: Sequence[str]) -> bool:
        with self._read() as con:
            if con is None or not _has_table(con, "login_failures"):
                return False
            marks = ",".join("?" * len(keys))
            row = con.execute(f"SELECT 1 FROM login_failures WHERE key IN ({marks})", tuple(keys)).fetchone()
        return row is not None

    # -- writing -------------------------------------------------------------------
    def save(
        self,
        path: str,
        content: bytes | None,
        *,
        base_sha: str,
        folder_content: bytes | None,
        author: str,
        note: str = "",
        changes: list[Change] | None = None,
        action: str = "edit",
    ) -> Version:
        """Store a new version of ``path`` if nobody saved since ``base_sha``.

        Parameters
        ----------
        base_sha
            :func:`sha256` of the content the editor started from.
        folder_content
            The data folder's own file, the base when the store holds no version yet.
        changes
            What changed, cell by cell, for the audit log.

        Raises
        ------
        StaleSaveError
            When the current version is not ``base_sha``.
        """
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        held = self.current(path)
        current = held[1].sha256 if held else sha256(folder_content)
        if current != base_sha:
            # Refused before the store is even opened for writing: its bytes stay as they are.
            raise StaleSaveError(_stale_message(path, held[1] if held else None))
        with self._write() as con:
            row = con.execute(
                "SELECT version, sha256, author, saved_at FROM files WHERE path = ? ORDER BY version DESC LIMIT 1",
                (path,),
            ).fetchone()
            current_sha = row[1] if row else sha256(folder_content)
            if current_sha != base_sha:  # someone saved between the check above and this lock
                raise StaleSaveError(
                    _stale_message(path, Version(path, row[0], row[1], row[3], row[2], "") if row else None)
                )
            version = (row[0] if row else 0) + 1
            digest = sha256(content)
            con.execute(
                "INSERT INTO files (path, version, content, sha256, saved_at, author, note) VALUES (?,?,?,?,?,?,?)",
                (path, version, content if content is not None else b"", digest, now, author, note),
            )
            entries = changes or [Change("", "", None, None)]
            for ch in entries:
                con.execute(
                    "INSERT INTO audit (at, author, path, version, action, record, field, old, new) "
                    "VALUES (?,?,?,?,?,?,?,?,?)",
                    (now, author, path, version, action, ch.record, ch.field, _text(ch.old), _text(ch.new)),
                )
        return Version(path, version, digest, now, author, note)

    def undo_target(
        self, path: str, *, folder_content: bytes | None
    ) -> tuple[bytes | None, Version, Version | None]:
        """What :meth:`undo` would do: the content it brings back (``None``: no file), the
        version it undoes, and the stored version it brings back (``None``: the folder's file).

        Raises
        ------
        StaleSaveError
            When there is nothing to undo.
        """
        # Walk the history as a stack: a save pushes its content, an undo pops one.
        actions = {int(str(e["version"])): str(e["action"]) for e in self.audit_log(path)}
        stack: list[Version] = []
        for v in sorted(self.history(path), key=lambda v: v.version):
            if actions.get(v.version) == "undo":
                if stack:
                    stack.pop()
            else:
                stack.append(v)
        if not stack:
            raise StaleSaveError(f"Không có thay đổi nào của {path} để hoàn tác.")
        newest = stack.pop()
        if stack:
            before = stack[-1]
            return (
                (None if before.sha256 == REMOVED else self.content_at(path, before.version)),
                newest,
                before,
            )
        return folder_content, newest, None  # None when the first save created the file: undo removes it

    def undo(
        self,
        path: str,
        *,
        base_sha: str,
        folder_content: bytes | None,
        author: str,
        changes: list[Change] | None = None,
    ) -> Version:
        """Bring back the version before the current one, as a new version.

        When the store holds a single version, the folder's file comes back.

        Raises
        ------
        StaleSaveError
            When someone saved since ``base_sha``, or there is nothing to undo.
        """
        target, newest, _ = self.undo_target(path, folder_content=folder_content)
        return self.save(
            path,
            target,
            base_sha=base_sha,
            folder_content=folder_content,
            author=author,
            note=f"hoàn tác phiên bản {newest.version}",
            changes=changes,
            action="undo",
        )


def _stale_message(path: str, newest: Version | None) -> str:
    who = f" bởi {newest.author} lúc {newest.saved_at[:19].replace('T', ' ')} (UTC)" if newest else ""
    return (
        f"Không lưu được {path}: dữ liệu đã được người khác lưu{who} sau khi bạn mở. "
        "Hãy tải lại để xem thay đổi mới nhất rồi sửa lại — không có gì bị ghi đè."
    )


def _has_tables(con: sqlite3.Connection) -> bool:
    return _has_table(con, "files")


def _has_table(con: sqlite3.Connection, name: str) -> bool:
    return (
        con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone()
        is not None
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


class DataSource:
    """The data folder as the package reads it: the store's versions first, then files.

    Parameters
    ----------
    data_dir
        The data folder.
    store
        The users' store; ``None`` reads the folder only.
    """

    def __init__(self, data_dir: Path, store: Store | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.store = store

    def folder_bytes(self, rel: str) -> bytes | None:
        """The folder's own file, ignoring the store; ``None`` when there is none.

        Raises
        ------
        DataError
            When the path is a folder (or another non-file) or cannot be read.
        """
        path = self.data_dir / rel
        if not path.exists():
            return None
        if not path.is_file():
            raise DataError(
                Problem(rel, "là một thư mục (không phải tệp): xóa hoặc đổi tên thư mục này, đặt tệp vào")
            )
        try:
            return path.read_bytes()
        except OSError as exc:
            raise DataError(Problem(rel, f"không đọc được tệp ({exc.strerror or exc})")) from exc

    def read_bytes(self, rel: str) -> bytes | None:
        """The current content of a data file, or ``None`` when there is none."""
        if self.store is not None:
            held = self.store.current(rel)
            if held is not None:
                return None if held[1].sha256 == REMOVED else held[0]
        return self.folder_bytes(rel)

    def version(self, rel: str) -> str:
        """The version tag (SHA-256) of a file's current content."""
        return sha256(self.read_bytes(rel))

    def from_store(self, rel: str) -> bool:
        """True when the current content comes from the store (a user's version)."""
        return self.store is not None and self.store.current(rel) is not None

    def label(self, rel: str) -> str:
        """How messages name the file."""
        return rel

    def listdir(self, rel: str) -> list[str]:
        """Files directly in a folder of the data (the folder's and the store's), sorted."""
        folder = self.data_dir / rel
        found = {f"{rel}/{p.name}" for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
        if self.store is not None:
            prefix = rel.rstrip("/") + "/"
            found |= {p for p in self.store.paths() if p.startswith(prefix) and "/" not in p[len(prefix) :]}
        return sorted(found)

    def stamp(self) -> str:
        """Changes whenever any data changes: for caches."""
        parts: list[str] = []
        for path in sorted(self.data_dir.rglob("*")):
            if path.is_file() and path.suffix in (".csv", ".geojson", ".json", ".gpkg", ".zip", ".shp"):
                st = path.stat()
                parts.append(f"{path}:{st.st_mtime_ns}:{st.st_size}")
        if self.store is not None:
            # The stored versions, not the file's time: a failed login writes to the store too.
            parts.append(f"store:{self.store.data_stamp()}")
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
