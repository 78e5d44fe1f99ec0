"""Accounts: hashed passwords only, constant-time checks, no default user, the ``user`` command."""

from __future__ import annotations

import argparse
import io
import json
import stat
import sys
from pathlib import Path

import pytest

from borderplan_geo import auth
from borderplan_geo._errors import AuthError, DataError
from borderplan_geo.auth import (
    User,
    add_user,
    add_user_command,
    can_edit,
    can_see_sensitive,
    list_users,
    no_accounts_message,
    remove_user,
    require_editor,
    verify,
)
from borderplan_geo.settings import get_settings

PASSWORD = "Tân-Hồng-2025!"


@pytest.fixture
def accounts(tmp_path: Path) -> Path:
    return tmp_path / "state" / "users.json"


def run_cli(*argv: str) -> int:
    """The ``user`` command as :func:`borderplan_geo.cli.build_parser` registers it."""
    parser = argparse.ArgumentParser(prog="python -m borderplan_geo")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", type=Path, default=None)
    sub = parser.add_subparsers(dest="command", required=True)
    add_user_command(sub, common)
    args = parser.parse_args(list(argv))
    handler = args.handler
    code: int = handler(args)
    return code


def test_the_file_holds_no_password_in_clear(accounts: Path) -> None:
    add_user(accounts, "nguyen.van.a", PASSWORD)
    raw = accounts.read_bytes()
    assert PASSWORD.encode("utf-8") not in raw
    assert PASSWORD.encode("utf-16-le") not in raw
    assert b"2025!" not in raw
    entry = json.loads(raw)["users"][0]
    assert entry["algorithm"] == "scrypt"
    assert set(entry) >= {"name", "role", "salt", "hash", "n", "r", "p"}


def test_same_password_gives_different_hashes(accounts: Path) -> None:
    add_user(accounts, "a", PASSWORD)
    add_user(accounts, "b", PASSWORD)
    users = json.loads(accounts.read_bytes())["users"]
    assert users[0]["salt"] != users[1]["salt"]
    assert users[0]["hash"] != users[1]["hash"]


def test_right_password_logs_in(accounts: Path) -> None:
    add_user(accounts, "tran.thi.b", PASSWORD, role="admin")
    assert verify(accounts, "tran.thi.b", PASSWORD) == User("tran.thi.b", "admin")


def test_decomposed_accents_are_the_same_password(accounts: Path) -> None:
    import unicodedata

    add_user(accounts, "a", PASSWORD)
    assert verify(accounts, "a", unicodedata.normalize("NFD", PASSWORD)) == User("a", "editor")


def test_wrong_password_and_unknown_user_are_refused_alike(
    accounts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(accounts, "a", PASSWORD)
    calls: list[int] = []
    real = auth._scrypt

    def counting(password: str, params: auth._Hash) -> bytes:
        calls.append(params.n)
        return real(password, params)

    monkeypatch.setattr(auth, "_scrypt", counting)
    assert verify(accounts, "a", PASSWORD + "x") is None
    assert verify(accounts, "b", PASSWORD) is None
    assert verify(accounts, "a", "") is None
    # the same work (one scrypt at the same cost) whether the name exists or not
    assert calls == [auth.SCRYPT_N, auth.SCRYPT_N, auth.SCRYPT_N]


@pytest.mark.parametrize("password", ["", "1234567", "abc"])
def test_short_password_is_refused_in_vietnamese(accounts: Path, password: str) -> None:
    with pytest.raises(DataError, match="ít nhất 8 ký tự"):
        add_user(accounts, "a", password)
    assert not accounts.exists()


def test_no_accounts_file_means_nobody_logs_in(accounts: Path) -> None:
    assert not accounts.exists()
    assert verify(accounts, "admin", "admin") is None
    assert verify(accounts, "admin", "") is None
    assert verify(accounts, "", "password") is None
    assert list_users(accounts) == []
    assert "python -m borderplan_geo user add" in no_accounts_message(accounts)
    assert not accounts.exists()


def test_existing_name_is_refused_unless_replace(accounts: Path) -> None:
    add_user(accounts, "a", PASSWORD)
    before = accounts.read_bytes()
    with pytest.raises(DataError, match="đã có"):
        add_user(accounts, "a", "another-password")
    assert accounts.read_bytes() == before
    add_user(accounts, "a", "another-password", role="admin", replace=True)
    assert verify(accounts, "a", PASSWORD) is None
    assert verify(accounts, "a", "another-password") == User("a", "admin")


def test_bad_name_and_role_are_refused(accounts: Path) -> None:
    with pytest.raises(DataError, match="tên tài khoản"):
        add_user(accounts, "có dấu cách", PASSWORD)
    with pytest.raises(DataError, match="vai trò"):
        add_user(accounts, "a", PASSWORD, role="root")
    assert not accounts.exists()


def test_remove_and_list(accounts: Path) -> None:
    add_user(accounts, "b", PASSWORD)
    add_user(accounts, "a", PASSWORD, role="admin")
    assert list_users(accounts) == [User("a", "admin"), User("b", "editor")]
    assert remove_user(accounts, "b") == User("b", "editor")
    assert list_users(accounts) == [User("a", "admin")]
    assert verify(accounts, "b", PASSWORD) is None
    with pytest.raises(DataError, match="không có tài khoản"):
        remove_user(accounts, "b")


def test_file_mode_is_0600(accounts: Path) -> None:
    add_user(accounts, "a", PASSWORD)
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    accounts.chmod(0o644)
    add_user(accounts, "b", PASSWORD)
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    leftovers = [p.name for p in accounts.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_damaged_file_is_never_overwritten(accounts: Path) -> None:
    accounts.parent.mkdir(parents=True)
    accounts.write_bytes(b'{"format": "borderplan-geo-users", "users": [ BROKEN')
    before = accounts.read_bytes()
    with pytest.raises(DataError, match="hỏng"):
        add_user(accounts, "a", PASSWORD)
    with pytest.raises(DataError):
        verify(accounts, "a", PASSWORD)
    assert accounts.read_bytes() == before


def test_tampered_cost_parameters_are_refused(accounts: Path) -> None:
    add_user(accounts, "a", PASSWORD)
    doc = json.loads(accounts.read_bytes())
    doc["users"][0]["n"] = 2**30
    accounts.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataError, match="giới hạn"):
        verify(accounts, "a", PASSWORD)


def test_rules_viewing_needs_no_login_editing_does() -> None:
    assert not can_edit(None) and not can_see_sensitive(None)
    editor = User("a", "editor")
    assert can_edit(editor) and can_see_sensitive(editor)
    assert require_editor(editor) is editor
    with pytest.raises(AuthError, match="đăng nhập"):
        require_editor(None)


def test_cli_adds_a_user_from_stdin_then_verify_works(monkeypatch: pytest.MonkeyPatch) -> None:
    path = get_settings().users  # the conftest points it at a temporary folder
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert run_cli("user", "add", "le.van.c", "--role", "admin", "--password-stdin") == 0
    assert verify(path, "le.van.c", PASSWORD) == User("le.van.c", "admin")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD.encode() not in path.read_bytes()


def test_cli_list_and_remove(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = get_settings().users
    assert run_cli("user", "list") == 0
    assert "Chưa có tài khoản" in capsys.readouterr().out
    add_user(path, "a", PASSWORD)
    assert run_cli("user", "list") == 0
    out = capsys.readouterr().out
    assert "a" in out and "editor" in out and "hash" not in out
    assert run_cli("user", "remove", "a") == 0
    assert list_users(path) == []


def test_cli_prompts_twice_and_refuses_a_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    path = get_settings().users
    answers = iter([PASSWORD, PASSWORD + "?"])
    monkeypatch.setattr(auth.getpass, "getpass", lambda prompt="": next(answers))
    with pytest.raises(AuthError, match="không khớp"):
        run_cli("user", "add", "a")
    assert not path.exists()
    answers = iter([PASSWORD, PASSWORD])
    assert run_cli("user", "add", "a") == 0
    assert verify(path, "a", PASSWORD) == User("a", "editor")


def test_cli_short_password_from_stdin_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    path = get_settings().users
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    with pytest.raises(DataError, match="ít nhất 8 ký tự"):
        run_cli("user", "add", "a", "--password-stdin")
    assert not path.exists()


def test_cli_data_option_places_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BORDERPLAN_USERS")
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert run_cli("user", "add", "a", "--password-stdin", "--data", str(tmp_path)) == 0
    assert verify(tmp_path / "users.json", "a", PASSWORD) == User("a", "editor")
