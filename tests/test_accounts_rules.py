"""Accounts at the moment of writing, the shared login lockout, and what anonymous visitors see.

Issue 14 §3c and issue 9 §7: a removed account's open session could still
import and save; the five-failure lockout lived in the browser session, so a
reload reset it; the data page showed the server's paths to anyone.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from borderplan_geo._errors import AuthError
from borderplan_geo.auth import (
    LOCK_SECONDS,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    TERMINAL_ROLE,
    User,
    add_user,
    check_writer,
    login,
    remove_user,
    verify,
)
from borderplan_geo.editing import (
    VALUES_FILE,
    load_criteria,
    load_projects,
    load_values,
    save_criteria,
    save_projects,
    save_values,
    undo,
)
from borderplan_geo.importing import commit, preview
from borderplan_geo.store import DataSource, Store

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "mật-khẩu-đủ-dài-2025"
DATA_PAGE = "from app_ui import data_page\ndata_page.render()\n"
NEW_VALUE = "Xã;Chỉ tiêu;Năm;Giá trị;Nguồn\nBình Phú;clean_water;2023;97;Báo cáo xã 2023\n".encode()


def users_file() -> Path:
    return Path(os.environ["BORDERPLAN_USERS"])


def store_file() -> Path:
    return Path(os.environ["BORDERPLAN_STORE"])


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture
def source(data_copy: Path) -> DataSource:
    return DataSource(data_copy, Store(store_file()))


@pytest.fixture
def anh() -> User:
    """An editor as the app holds her after login."""
    add_user(users_file(), "anh", PASSWORD, role="editor")
    user = verify(users_file(), "anh", PASSWORD)
    assert user is not None
    return user


# --- every write checks the account now ---------------------------------------------------------


def test_a_removed_account_can_no_longer_import_edit_or_undo(source: DataSource, anh: User) -> None:
    pv = preview("values", "so-lieu.csv", NEW_VALUE, source)
    assert pv.can_commit, pv.report()
    assert commit(pv, Store(store_file()), anh) is not None  # while the account exists
    values = load_values(source)
    criteria = load_criteria(source, 2025)
    projects = load_projects(source)
    remove_user(users_file(), "anh")  # an administrator removes her; her session stays open
    before = digest(store_file())
    pv = preview("values", "so-lieu-2.csv", NEW_VALUE.replace(b"97", b"98"), source)
    writes = {
        "import": lambda: commit(pv, Store(store_file()), anh),
        "values": lambda: save_values(
            source,
            values.frame.assign(value=values.frame["value"] * 0.99),
            base_sha=values.base_sha,
            author=anh,
        ),
        "criteria": lambda: save_criteria(
            source,
            2025,
            criteria.frame.assign(**{"29929": "Chưa đạt"}),
            base_sha=criteria.base_sha,
            author=anh,
            source_text="Biên bản",
        ),
        "projects": lambda: save_projects(
            source, projects.frame.assign(progress=1), base_sha=projects.base_sha, author=anh
        ),
        "undo": lambda: undo(source, VALUES_FILE, author=anh),
    }
    refused = []
    for name, write in writes.items():
        with pytest.raises(AuthError, match="không còn trong danh sách tài khoản") as err:
            write()
        assert "anh" in str(err.value) and "chưa lưu gì" in str(err.value)
        refused.append(name)
    assert refused == list(writes)
    assert digest(store_file()) == before


def test_the_osm_replacement_checks_the_account_too(source: DataSource, anh: User) -> None:
    import geopandas as gpd

    from borderplan_geo.osm import read_facts, replace_boundaries_with_osm
    from tests.test_osm import UNITS_FILE, overpass_answer

    answer = overpass_answer(gpd.read_file(UNITS_FILE), {f.code: f for f in read_facts()})
    remove_user(users_file(), "anh")
    with pytest.raises(AuthError, match="không còn trong danh sách tài khoản"):
        replace_boundaries_with_osm(source, answer, author=anh)
    assert not store_file().exists()  # nothing written, not even a new store


def test_a_role_changed_since_login_counts_as_it_is_now(anh: User) -> None:
    add_user(users_file(), "anh", PASSWORD, role="admin", replace=True)
    assert check_writer(anh, users_file()) == User("anh", "admin")
    add_user(users_file(), "anh", PASSWORD, role="editor", replace=True)
    assert check_writer(User("anh", "admin"), users_file()).role == "editor"


def test_a_name_from_the_terminal_writes_as_the_terminal_never_as_an_account() -> None:
    assert check_writer("chị Lan (dòng lệnh)", users_file()) == User("chị Lan (dòng lệnh)", TERMINAL_ROLE)
    with pytest.raises(AuthError, match="Cần ghi tên"):
        check_writer("  \x1b[2J ", users_file())


def test_the_app_logs_out_a_removed_account_on_its_next_run(anh: User) -> None:
    at = AppTest.from_string(DATA_PAGE, default_timeout=90)
    at.run()
    at.sidebar.text_input(key="login_name").input("anh")
    at.sidebar.text_input(key="login_password").input(PASSWORD)
    next(b for b in at.sidebar.button if b.label == "Đăng nhập").click()
    at.run()
    assert at.session_state["user"] == anh
    assert at.get("file_uploader")
    remove_user(users_file(), "anh")
    at.run()
    assert not at.exception, at.exception
    assert "user" not in at.session_state
    assert not at.get("file_uploader")
    assert any("đã bị xóa" in e.value for e in at.sidebar.error)


# --- the login lockout is shared -----------------------------------------------------------------


def fail(times: int, *, name: str = "anh", address: str | None = None, now: float = 1000.0) -> list[str]:
    store = Store(store_file())
    return [
        login(users_file(), store, name, "sai-mat-khau", address=address, now=now).message
        for _ in range(times)
    ]


def test_five_failures_lock_the_account_even_for_the_right_password(anh: User) -> None:
    messages = fail(MAX_FAILURES_PER_ACCOUNT)
    assert messages[0] == "Sai tên đăng nhập hoặc mật khẩu."
    assert "Sai quá nhiều lần" in messages[-1] and "phút" in messages[-1]
    result = login(users_file(), Store(store_file()), "anh", PASSWORD, now=1001.0)
    assert result.user is None and "Sai quá nhiều lần" in result.message
    assert result.locked_until == pytest.approx(1000.0 + LOCK_SECONDS)


def test_the_lock_is_released_after_its_period(anh: User) -> None:
    fail(MAX_FAILURES_PER_ACCOUNT)
    store = Store(store_file())
    assert login(users_file(), store, "anh", PASSWORD, now=1000.0 + LOCK_SECONDS - 1).user is None
    assert login(users_file(), store, "anh", PASSWORD, now=1000.0 + LOCK_SECONDS + 1).user == anh
    # A success clears the count: one more failure does not lock again.
    assert "Sai tên" in fail(1, now=1000.0 + LOCK_SECONDS + 2)[0]


def test_an_unknown_name_locks_alike_so_the_lock_tells_no_names(anh: User) -> None:
    assert "Sai quá nhiều lần" in fail(MAX_FAILURES_PER_ACCOUNT, name="khong-co")[-1]
    assert (
        login(users_file(), Store(store_file()), "anh", PASSWORD, now=1001.0).user == anh
    )  # others unaffected


def test_one_address_trying_many_names_is_locked(anh: User) -> None:
    for i in range(MAX_FAILURES_PER_ADDRESS):
        fail(1, name=f"ten-{i}", address="203.0.113.7")
    store = Store(store_file())
    locked = login(users_file(), store, "anh", PASSWORD, address="203.0.113.7", now=1001.0)
    assert locked.user is None and "Sai quá nhiều lần" in locked.message
    assert login(users_file(), store, "anh", PASSWORD, address="198.51.100.2", now=1001.0).user == anh


def test_failures_old_enough_are_forgotten(anh: User) -> None:
    from borderplan_geo.auth import FAILURE_WINDOW_SECONDS

    fail(MAX_FAILURES_PER_ACCOUNT - 1)
    later = 1000.0 + FAILURE_WINDOW_SECONDS + 1
    assert "Sai tên" in fail(1, now=later)[0]  # a new window: not locked


def test_another_process_sees_the_lock(anh: User) -> None:
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from borderplan_geo.auth import login
        from borderplan_geo.store import Store
        for _ in range({MAX_FAILURES_PER_ACCOUNT}):
            login(Path({str(users_file())!r}), Store(Path({str(store_file())!r})), "anh", "sai-mat-khau")
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)
    result = login(users_file(), Store(store_file()), "anh", PASSWORD)
    assert result.user is None and "Sai quá nhiều lần" in result.message


def test_a_failed_login_does_not_reload_the_data(source: DataSource, anh: User) -> None:
    stamp = source.stamp()
    fail(2)
    assert source.stamp() == stamp


def _login(at: AppTest, password: str) -> AppTest:
    at.sidebar.text_input(key="login_name").input("anh")
    at.sidebar.text_input(key="login_password").input(password)
    next(b for b in at.sidebar.button if b.label == "Đăng nhập").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_new_sessions_of_the_app_still_see_the_lock(anh: User) -> None:
    first = AppTest.from_string(DATA_PAGE, default_timeout=90)
    first.run()
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        _login(first, "sai-mat-khau")
    for _ in range(2):  # a reload, another browser: new sessions
        fresh = AppTest.from_string(DATA_PAGE, default_timeout=90)
        fresh.run()
        _login(fresh, PASSWORD)
        assert "user" not in fresh.session_state
        assert any("Sai quá nhiều lần" in e.value for e in fresh.sidebar.error)
        assert not fresh.get("file_uploader")


# --- what anonymous visitors see ---------------------------------------------------------------------


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("role", [None, "editor", "admin"])
def test_only_an_administrator_sees_where_the_server_keeps_its_files(role: str | None) -> None:
    add_user(users_file(), "nguoi", PASSWORD, role=role or "editor")
    at = AppTest.from_string(DATA_PAGE, default_timeout=90)
    at.run()
    if role:
        at.sidebar.text_input(key="login_name").input("nguoi")
        at.sidebar.text_input(key="login_password").input(PASSWORD)
        next(b for b in at.sidebar.button if b.label == "Đăng nhập").click()
        at.run()
    text = _captions(at)
    shown = "Thư mục dữ liệu" in text or "Kho lưu các thay đổi" in text
    assert shown == (role == "admin"), text
    if role != "admin":
        assert "store" not in text.replace("\\", "") and str(ROOT) not in text.replace("\\", "")


def test_a_broken_store_refuses_the_login_with_a_message(anh: User) -> None:
    from borderplan_geo._errors import DataError

    store_file().parent.mkdir(parents=True, exist_ok=True)
    store_file().write_bytes(b"not a database, but the store's path")
    with pytest.raises(DataError, match="kho dữ liệu không đọc hoặc ghi được"):
        login(users_file(), Store(store_file()), "anh", PASSWORD)
