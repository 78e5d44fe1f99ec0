"""The data page and the login, driven by AppTest: no login, no editing and no sensitive layer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from borderplan_geo.auth import add_user

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "mật-khẩu-đủ-dài-2025"

DATA_PAGE = "from app_ui import data_page\ndata_page.render()\n"
MAP_PAGE = "from app_ui import map_page\nmap_page.render()\n"


@pytest.fixture
def account() -> str:
    add_user(Path(os.environ["BORDERPLAN_USERS"]), "anh", PASSWORD, role="editor")
    return "anh"


def run(script: str) -> AppTest:
    at = AppTest.from_string(script, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def login(at: AppTest, name: str, password: str) -> AppTest:
    at.sidebar.text_input(key="login_name").input(name)
    at.sidebar.text_input(key="login_password").input(password)
    next(b for b in at.sidebar.button if b.label == "Đăng nhập").click()
    at.run()
    assert not at.exception, at.exception
    return at


def editing_widgets(at: AppTest) -> int:
    """File uploaders and save buttons on the page."""
    saves = [b for b in at.button if b.label in ("Lưu số liệu", "Lưu tiêu chí", "Lưu dự án", "Kiểm tra tệp")]
    return len(at.get("file_uploader")) + len(saves)


def test_without_login_the_data_page_offers_no_editing(account: str) -> None:
    at = run(DATA_PAGE)
    assert editing_widgets(at) == 0
    assert any("cần tài khoản" in i.value for i in at.info)


def test_without_login_the_map_offers_no_sensitive_layer(account: str) -> None:
    at = run(MAP_PAGE)
    assert not [c for c in at.sidebar.checkbox if c.key == "show_sensitive"]


def test_a_wrong_password_is_refused(account: str) -> None:
    at = login(run(DATA_PAGE), "anh", "sai-mat-khau-roi")
    assert any("Sai tên đăng nhập hoặc mật khẩu" in e.value for e in at.sidebar.error)
    assert editing_widgets(at) == 0
    assert "user" not in at.session_state


def test_an_unknown_user_gets_the_same_answer(account: str) -> None:
    at = login(run(DATA_PAGE), "khong-co", PASSWORD)
    assert any("Sai tên đăng nhập hoặc mật khẩu" in e.value for e in at.sidebar.error)


def test_login_opens_editing_and_the_sensitive_layer(account: str) -> None:
    at = login(run(DATA_PAGE), "anh", PASSWORD)
    assert editing_widgets(at) >= 2
    assert at.session_state["login_password"] == ""  # the password does not stay in the session
    at = login(run(MAP_PAGE), "anh", PASSWORD)
    assert [c for c in at.sidebar.checkbox if c.key == "show_sensitive"]


def test_no_accounts_file_means_nobody_can_log_in() -> None:
    at = run(DATA_PAGE)
    assert editing_widgets(at) == 0
    assert not [t for t in at.sidebar.text_input if t.key == "login_password"]
    assert any("user add" in c.value for c in at.sidebar.caption)
