"""Who may change things: accounts, hashed passwords, roles.

Viewing the map and the reports needs no login. Editing data (imports, edits,
undo, boundary replacement) and showing the sensitive defence and security
items (quốc phòng – an ninh) need one.

Accounts live in one JSON file (:attr:`Settings.users
<borderplan_geo.settings.Settings.users>`, ``$BORDERPLAN_USERS``). It holds no
password, only a salted hash of each: ``hashlib.scrypt`` (memory-hard, in the
standard library) with a random 16-byte salt per account and the parameters
stored beside the hash, so they can be raised later without breaking older
accounts. Passwords are compared in constant time (:func:`hmac.compare_digest`),
and an unknown name costs the same work as a wrong password.

No account and no password ship with the tool: without an accounts file nobody
can log in, and :func:`no_accounts_message` says how to create the first one::

    python -m borderplan_geo user add TÊN --role admin

The file is written atomically (temporary file, ``fsync``, rename) with mode
0600, under a lock so two administrators adding accounts at once lose nothing.
A file that cannot be read is never overwritten: the call is refused.

Two rules hold beyond the login form:

* **Every write checks the account at the moment of writing**
  (:func:`check_writer`): an open session of an account removed since it
  logged in can no longer save, and a role changed since then counts as it is
  now. The write functions of :mod:`~borderplan_geo.editing`,
  :mod:`~borderplan_geo.importing` and :mod:`~borderplan_geo.osm` call it, not
  only the page.
* **Failed logins are counted where every session and process sees them**
  (:func:`login`): per account and per client address, in the users' store
  (:meth:`~borderplan_geo.store.Store.record_login_failure`), with a release
  after :data:`LOCK_SECONDS`. A reload, a new browser session or another
  server process does not reset them. The store, not a file beside the
  accounts, holds them because the store is what a shared database will
  replace when several servers run.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import getpass
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import sqlite3
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._errors import AuthError, DataError, Problem, StoreError
from ._text import clean_text
from .settings import get_settings
from .store import Store

try:  # POSIX only; elsewhere writes are still atomic, only not serialised.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: Roles and what the app calls them. Both may edit; ``admin`` is for the
#: people who also look after the accounts and the boundaries.
ROLES: dict[str, str] = {"editor": "Biên tập viên", "admin": "Quản trị viên"}

#: The role of a change made at the server's terminal (the command line) under
#: a name that is no account: it may write like an editor (whoever runs the
#: command owns the data files anyway), never what needs an administrator.
TERMINAL_ROLE = "terminal"
_ROLE_LABELS = ROLES | {TERMINAL_ROLE: "Dòng lệnh trên máy chủ"}

#: Failed logins allowed per account within :data:`FAILURE_WINDOW_SECONDS`.
MAX_FAILURES_PER_ACCOUNT = 5
#: Failed logins allowed per client address (higher: one office may share an address).
MAX_FAILURES_PER_ADDRESS = 20
#: Failures older than this are forgotten, in seconds.
FAILURE_WINDOW_SECONDS = 15 * 60
#: How long a locked account or address must wait, in seconds.
LOCK_SECONDS = 5 * 60

#: Shortest password accepted, in characters.
MIN_PASSWORD_LENGTH = 8
#: Longest password accepted, in characters (a bound on the work per login).
MAX_PASSWORD_LENGTH = 1024

#: scrypt cost for new hashes: N = 2**15, r = 8, p = 3 uses 32 MiB and about
#: 0.3 s per check, one of OWASP's recommended settings for scrypt.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 3
SCRYPT_DKLEN = 32
SALT_BYTES = 16

#: Bounds on the parameters read from the file, so a damaged or hostile file
#: cannot make one login take gigabytes of memory.
_MAX_N = 2**20
_MAX_MEMORY = 1024 * 1024 * 1024

_FORMAT = "borderplan-geo-users"
_FORMAT_VERSION = 1
_NAME = re.compile(r"^[\w.@-]{1,64}$")


@dataclass(frozen=True)
class User:
    """A logged-in person: the account's name and role."""

    name: str
    role: str

    @property
    def role_label(self) -> str:
        """The role as the app shows it."""
        return _ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class _Hash:
    """One stored scrypt hash and the parameters that made it."""

    salt: bytes
    key: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    def to_json(self) -> dict[str, object]:
        return {
            "algorithm": "scrypt",
            "n": self.n,
            "r": self.r,
            "p": self.p,
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "hash": base64.b64encode(self.key).decode("ascii"),
        }


@dataclass(frozen=True)
class _Account:
    name: str
    role: str
    secret: _Hash
    created: str

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "role": self.role, "created": self.created, **self.secret.to_json()}


# --- rules ------------------------------------------------------------------------------------


def can_edit(user: User | None) -> bool:
    """True when this person may change data (any logged-in account)."""
    return user is not None and user.role in ROLES


def can_see_sensitive(user: User | None) -> bool:
    """True when this person may show the defence and security items (quốc phòng – an ninh)."""
    return user is not None and user.role in ROLES


def require_editor(user: User | None) -> User:
    """The user, if they may edit.

    Raises
    ------
    AuthError
        When nobody is logged in.
    """
    if not can_edit(user):
        raise AuthError("Cần đăng nhập để sửa dữ liệu. Xem bản đồ và báo cáo thì không cần đăng nhập.")
    assert user is not None
    return user


def is_admin(user: User | None) -> bool:
    """True for an administrator (quản trị viên): accounts, boundaries, the sensitive items' flags."""
    return user is not None and user.role == "admin"


def check_writer(author: User | str, accounts: Path) -> User:
    """Who is writing, as the accounts file says at this moment.

    Every write function calls this just before it writes, so an account
    removed after it logged in cannot save from a session still open, and a
    role changed since the login counts as it is now.

    Parameters
    ----------
    author
        A :class:`User` — someone logged in to the app: the account must still
        exist; its current role is returned. A plain name — the person at the
        server's terminal (the command line): returned with
        :data:`TERMINAL_ROLE`, which writes like an editor.
    accounts
        The accounts file.

    Raises
    ------
    AuthError
        The account no longer exists, or the name is empty; nothing may be written.
    DataError
        The accounts file cannot be read.
    """
    if isinstance(author, str):
        name = clean_text(author).strip()
        if not name:
            raise AuthError("Cần ghi tên người sửa (--as TÊN hoặc biến BORDERPLAN_USER): chưa lưu gì.")
        return User(name, TERMINAL_ROLE)
    account = _load(Path(accounts)).get(_normalise_name(author.name))
    if account is None:
        raise AuthError(
            f"Tài khoản '{author.name}' không còn trong danh sách tài khoản (đã bị xóa): chưa lưu gì. "
            "Phiên đăng nhập này đã hết hiệu lực."
        )
    return User(account.name, account.role)


def accounts_file(data_dir: Path | None) -> Path:
    """The accounts file that goes with a data folder (``$BORDERPLAN_USERS`` wins)."""
    return get_settings(data_dir=data_dir).users


def command_line_author(accounts: Path, name: str) -> User | str:
    """The author of a command-line change: the account of that name if there is one, else the name.

    A named account brings its role (an administrator may then change what
    needs one); :func:`check_writer` checks it again when writing.
    """
    name = _normalise_name(name)
    found = _load(Path(accounts)).get(name)
    return User(found.name, found.role) if found is not None else name


def has_accounts(path: Path) -> bool:
    """True when the accounts file exists and holds at least one account."""
    return bool(list_users(path))


def no_accounts_message(path: Path) -> str:
    """What the app shows when nobody can log in yet (no accounts file, or an empty one)."""
    return (
        f"Chưa có tài khoản nào ({path}), nên chưa ai đăng nhập được: mọi người vẫn xem được bản đồ "
        "và báo cáo, nhưng chưa ai sửa được dữ liệu. Người quản trị máy chủ tạo tài khoản đầu tiên "
        "bằng lệnh: python -m borderplan_geo user add TÊN --role admin"
    )


# --- the accounts file -----------------------------------------------------------------------


def add_user(path: Path, name: str, password: str, *, role: str = "editor", replace: bool = False) -> User:
    """Create an account (or, with ``replace``, give an existing one a new password and role).

    Parameters
    ----------
    path
        The accounts file; created (mode 0600) when absent.
    name
        Letters, digits, ``. _ - @``; at most 64 characters.
    password
        At least :data:`MIN_PASSWORD_LENGTH` characters. Only its hash is stored.
    role
        ``"editor"`` or ``"admin"`` (:data:`ROLES`).
    replace
        Allow replacing an account of the same name.

    Raises
    ------
    DataError
        Bad name, role or password; the name exists and ``replace`` is false; or
        the accounts file cannot be read (it is then left as it is).
    """
    path = Path(path)
    label = str(path)
    name = _check_name(name, label)
    if role not in ROLES:
        raise DataError(
            Problem(label, f"vai trò phải là một trong {', '.join(ROLES)}", column="role", value=role)
        )
    password = _check_password(password, label)
    with _locked(path):
        accounts = _load(path)
        if name in accounts and not replace:
            raise DataError(
                Problem(label, f"tài khoản '{name}' đã có; muốn đặt lại mật khẩu thì xóa rồi tạo lại")
            )
        created = datetime.now(UTC).isoformat(timespec="seconds")
        accounts[name] = _Account(name, role, _hash_password(password), created)
        _write(path, accounts)
    return User(name, role)


def remove_user(path: Path, name: str) -> User:
    """Delete an account; returns who was removed.

    Raises
    ------
    DataError
        When there is no such account, or the file cannot be read.
    """
    path = Path(path)
    label = str(path)
    name = _normalise_name(name)
    with _locked(path):
        accounts = _load(path)
        account = accounts.pop(name, None)
        if account is None:
            raise DataError(Problem(label, f"không có tài khoản '{name}'"))
        _write(path, accounts)
    return User(account.name, account.role)


def list_users(path: Path) -> list[User]:
    """The accounts, by name (no hashes); empty when the file does not exist.

    Raises
    ------
    DataError
        When the file exists but cannot be read.
    """
    return [User(a.name, a.role) for a in sorted(_load(Path(path)).values(), key=lambda a: a.name)]


def verify(path: Path, name: str, password: str) -> User | None:
    """The user when ``name`` and ``password`` match an account, else ``None``.

    An unknown name and a wrong password give the same ``None`` after the same
    work, so timing does not tell which names exist. Without an accounts file
    nobody can log in.

    Raises
    ------
    DataError
        When the accounts file exists but cannot be read (nobody can log in
        until it is repaired; the app should say so rather than hide it).
    """
    accounts = _load(Path(path))
    if not accounts:
        return None
    account = accounts.get(_normalise_name(name)) if isinstance(name, str) else None
    candidate = _nfc(password) if isinstance(password, str) else ""
    if account is None or not (0 < len(candidate) <= MAX_PASSWORD_LENGTH):
        # Same cost as a real check, against a throw-away salt.
        _scrypt(candidate[:MAX_PASSWORD_LENGTH], _Hash(secrets.token_bytes(SALT_BYTES), b""))
        hmac.compare_digest(secrets.token_bytes(SCRYPT_DKLEN), secrets.token_bytes(SCRYPT_DKLEN))
        return None
    key = _scrypt(candidate, account.secret)
    if hmac.compare_digest(key, account.secret.key):
        return User(account.name, account.role)
    return None


# --- login with a lockout shared by every session ----------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    """The answer to one login attempt.

    ``user`` is set on success; otherwise ``message`` says why (in Vietnamese,
    the same words for an unknown name and a wrong password) and
    ``locked_until`` (seconds since the epoch) when attempts are refused for a while.
    """

    user: User | None
    message: str = ""
    locked_until: float | None = None


def _lock_keys(name: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(f"account:{_normalise_name(name).casefold()}", MAX_FAILURES_PER_ACCOUNT)]
    if address:
        keys.append((f"address:{address.strip()}", MAX_FAILURES_PER_ADDRESS))
    return keys


def _locked_message(until: float, now: float) -> str:
    minutes = max(1, math.ceil((until - now) / 60))
    return (
        f"Sai quá nhiều lần: tạm khóa đăng nhập, thử lại sau khoảng {minutes} phút. "
        "Quên mật khẩu thì nhờ quản trị viên đặt lại."
    )


def login(
    accounts: Path,
    store: Store,
    name: str,
    password: str,
    *,
    address: str | None = None,
    now: float | None = None,
) -> LoginResult:
    """Check a login, refusing it while the account or the client address is locked.

    Failures are counted in ``store`` per account name (known or not, so the
    lock tells nothing about which names exist) and per client ``address``;
    :data:`MAX_FAILURES_PER_ACCOUNT` failures within
    :data:`FAILURE_WINDOW_SECONDS` lock the name, and
    :data:`MAX_FAILURES_PER_ADDRESS` the address, for :data:`LOCK_SECONDS`.
    While locked, the password is not even checked. A success clears the
    account's count (not the address's: one good account must not reset a
    guesser's count).

    Parameters
    ----------
    accounts
        The accounts file.
    store
        The users' store, shared by every session and server process.
    address
        The client's address when the server knows it.
    now
        The clock (seconds since the epoch); tests pass their own.

    Raises
    ------
    DataError
        When the accounts file or the store cannot be read (nobody logs in then).
    """
    now = time.time() if now is None else now
    keys = _lock_keys(name if isinstance(name, str) else "", address)
    try:
        until = store.login_locked_until([k for k, _ in keys], now=now)
        if until is not None:
            return LoginResult(None, _locked_message(until, now), until)
        user = verify(accounts, name, password)
        if user is not None:
            store.clear_login_failures([keys[0][0]])
            return LoginResult(user)
        until = store.record_login_failure(
            keys, now=now, window=FAILURE_WINDOW_SECONDS, lock_seconds=LOCK_SECONDS
        )
    except (sqlite3.Error, StoreError) as exc:  # refuse rather than let a guesser past an unreadable count
        raise DataError(
            Problem(
                str(store.path),
                "kho dữ liệu không đọc hoặc ghi được (hỏng, hoặc không phải kho của BorderPlan Geo): "
                "tạm thời chưa đăng nhập được — báo quản trị viên",
            )
        ) from exc
    if until is not None:
        return LoginResult(None, _locked_message(until, now), until)
    return LoginResult(None, "Sai tên đăng nhập hoặc mật khẩu.")


# --- hashing ------------------------------------------------------------------------------------


def _nfc(text: str) -> str:
    # Vietnamese keyboards send composed or decomposed accents: the same password either way.
    return unicodedata.normalize("NFC", text)


def _hash_password(password: str) -> _Hash:
    params = _Hash(secrets.token_bytes(SALT_BYTES), b"")
    return _Hash(params.salt, _scrypt(password, params), params.n, params.r, params.p)


def _scrypt(password: str, params: _Hash) -> bytes:
    memory = 128 * params.r * params.n * (params.p + 1)
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=params.salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=memory + 1024 * 1024,
        dklen=len(params.key) or SCRYPT_DKLEN,
    )


# --- checks ---------------------------------------------------------------------------------------


def _normalise_name(name: str) -> str:
    return _nfc(str(name)).strip()


def _check_name(name: str, label: str) -> str:
    name = _normalise_name(name)
    if not _NAME.match(name):
        raise DataError(
            Problem(
                label,
                "tên tài khoản phải có 1–64 ký tự, chỉ gồm chữ, số và . _ - @ (không có dấu cách)",
                column="name",
                value=name,
            )
        )
    return name


def _check_password(password: str, label: str) -> str:
    password = _nfc(password) if isinstance(password, str) else ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DataError(Problem(label, f"mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự"))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DataError(Problem(label, f"mật khẩu dài quá {MAX_PASSWORD_LENGTH} ký tự"))
    return password


# --- reading and writing ------------------------------------------------------------------------


def _load(path: Path) -> dict[str, _Account]:
    """The accounts by name; empty when the file does not exist."""
    label = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise DataError(Problem(label, f"không đọc được tệp tài khoản: {exc.strerror or exc}")) from exc
    if not raw.strip():
        return {}
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(
            Problem(label, f"tệp tài khoản hỏng (không phải JSON hợp lệ: {exc}); không sửa gì trên tệp này")
        ) from exc
    if not isinstance(doc, dict) or doc.get("format") != _FORMAT or not isinstance(doc.get("users"), list):
        raise DataError(
            Problem(label, f"không phải tệp tài khoản của BorderPlan Geo (cần format '{_FORMAT}')")
        )
    if doc.get("version") != _FORMAT_VERSION:
        raise DataError(
            Problem(label, f"phiên bản tệp tài khoản {doc.get('version')!r} chưa hỗ trợ", column="version")
        )
    accounts: dict[str, _Account] = {}
    for i, entry in enumerate(doc["users"], start=1):
        account = _parse_account(entry, label, i)
        if account.name in accounts:
            raise DataError(Problem(label, f"tài khoản '{account.name}' xuất hiện hai lần", row=i))
        accounts[account.name] = account
    return accounts


def _parse_account(entry: Any, label: str, row: int) -> _Account:
    def bad(message: str, column: str | None = None) -> DataError:
        return DataError(Problem(label, message, row=row, column=column))

    if not isinstance(entry, dict):
        raise bad("mỗi tài khoản phải là một đối tượng JSON")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise bad("tên tài khoản không hợp lệ", "name")
    role = entry.get("role")
    if role not in ROLES:
        raise bad(f"vai trò phải là một trong {', '.join(ROLES)}", "role")
    if entry.get("algorithm") != "scrypt":
        raise bad("chỉ hỗ trợ mật khẩu băm bằng scrypt", "algorithm")
    params = {k: entry.get(k) for k in ("n", "r", "p")}
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in params.values()):
        raise bad("tham số scrypt (n, r, p) phải là số nguyên dương", "n")
    n, r, p = int(params["n"] or 0), int(params["r"] or 0), int(params["p"] or 0)
    if n < 2 or n & (n - 1) or n > _MAX_N or 128 * r * n * (p + 1) > _MAX_MEMORY:
        raise bad("tham số scrypt ngoài giới hạn cho phép", "n")
    try:
        salt = base64.b64decode(str(entry.get("salt", "")), validate=True)
        key = base64.b64decode(str(entry.get("hash", "")), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad("muối (salt) hoặc mã băm (hash) không phải base64", "hash") from exc
    if len(salt) < 16 or len(key) < 16:
        raise bad("muối (salt) hoặc mã băm (hash) quá ngắn", "hash")
    return _Account(name, str(role), _Hash(salt, key, n, r, p), str(entry.get("created", "")))


def _write(path: Path, accounts: dict[str, _Account]) -> None:
    """Replace the file atomically with mode 0600."""
    doc = {
        "format": _FORMAT,
        "version": _FORMAT_VERSION,
        "users": [a.to_json() for a in sorted(accounts.values(), key=lambda a: a.name)],
    }
    data = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise read-modify-write of the accounts file (a ``.lock`` file beside it)."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


# --- command line ---------------------------------------------------------------------------------


def _users_path(args: argparse.Namespace) -> Path:
    return get_settings(data_dir=getattr(args, "data", None)).users


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = getpass.getpass(f"Mật khẩu (ít nhất {MIN_PASSWORD_LENGTH} ký tự): ")
    second = getpass.getpass("Nhập lại mật khẩu: ")
    if not hmac.compare_digest(first.encode("utf-8"), second.encode("utf-8")):
        raise AuthError("hai lần nhập mật khẩu không khớp; chưa tạo tài khoản")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    """``user add NAME [--role editor|admin] [--password-stdin]``."""
    path = _users_path(args)
    name = _check_name(args.name, str(path))
    if any(u.name == name for u in list_users(path)):  # say so before asking for a password
        raise DataError(
            Problem(str(path), f"tài khoản '{name}' đã có; muốn đặt lại mật khẩu thì xóa rồi tạo lại")
        )
    password = _read_password(args)
    user = add_user(path, args.name, password, role=args.role)
    sys.stdout.write(f"Đã tạo tài khoản '{user.name}' ({user.role_label}) trong {path}\n")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    """``user list``: names and roles, never hashes."""
    path = _users_path(args)
    found = list_users(path)
    if not found:
        sys.stdout.write(no_accounts_message(path) + "\n")
        return 0
    width = max(len("Tài khoản"), *(len(u.name) for u in found))
    lines = [f"{'Tài khoản'.ljust(width)}  Vai trò", f"{'-' * width}  {'-' * 13}"]
    lines += [f"{u.name.ljust(width)}  {u.role} ({u.role_label})" for u in found]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    """``user remove NAME``."""
    path = _users_path(args)
    user = remove_user(path, args.name)
    sys.stdout.write(
        f"Đã xóa tài khoản '{user.name}' khỏi {path}. Phiên đăng nhập còn mở của tài khoản này hết hiệu lực "
        "ngay: mọi lần lưu đều kiểm tra lại tài khoản.\n"
    )
    return 0


def add_user_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Register ``user add|list|remove`` on the command line's sub-commands.

    Parameters
    ----------
    sub
        The sub-commands of :func:`borderplan_geo.cli.build_parser`.
    common
        The parent parser holding ``--data``; each leaf command takes it, so
        ``user add NAME --data DIR`` works.
    """
    parser = sub.add_parser(
        "user",
        help="tài khoản được phép sửa dữ liệu",
        description="Quản lý tài khoản (mật khẩu chỉ lưu dạng băm scrypt). Tệp: $BORDERPLAN_USERS "
        "hoặc <thư mục dữ liệu>/users.json.",
    )
    actions = parser.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    p = actions.add_parser("add", parents=[common], help="tạo tài khoản")
    p.add_argument("name", help="tên tài khoản (chữ, số, . _ - @)")
    p.add_argument("--role", choices=tuple(ROLES), default="editor", help="vai trò (mặc định: editor)")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="đọc mật khẩu từ dòng đầu của đầu vào chuẩn (cho kịch bản), không hỏi",
    )
    p.set_defaults(handler=cmd_user_add)

    p = actions.add_parser("list", parents=[common], help="liệt kê tài khoản")
    p.set_defaults(handler=cmd_user_list)

    p = actions.add_parser("remove", parents=[common], help="xóa tài khoản")
    p.add_argument("name", help="tên tài khoản")
    p.set_defaults(handler=cmd_user_remove)
