"""Login in the sidebar: viewing needs none; editing and the sensitive layers need one."""

from __future__ import annotations

import time

import streamlit as st

from app_ui import common
from borderplan_geo._errors import DataError
from borderplan_geo.auth import User, has_accounts, no_accounts_message, verify

_MAX_FAILURES = 5
_LOCK_SECONDS = 60


def current_user() -> User | None:
    """The logged-in user of this browser session, if any."""
    user = st.session_state.get("user")
    return user if isinstance(user, User) else None


def _attempt() -> None:
    name = str(st.session_state.get("login_name", "")).strip()
    password = str(st.session_state.get("login_password", ""))
    st.session_state["login_password"] = ""  # never kept in the session after the attempt
    locked_until = float(st.session_state.get("login_locked_until", 0))
    if time.monotonic() < locked_until:
        st.session_state["login_error"] = "Sai quá nhiều lần: thử lại sau ít phút."
        return
    try:
        user = verify(common.settings().users, name, password)
    except DataError as exc:
        st.session_state["login_error"] = f"Tệp tài khoản có lỗi: {exc}"
        return
    if user is None:
        failures = int(st.session_state.get("login_failures", 0)) + 1
        st.session_state["login_failures"] = failures
        if failures >= _MAX_FAILURES:
            st.session_state["login_locked_until"] = time.monotonic() + _LOCK_SECONDS
            st.session_state["login_failures"] = 0
        st.session_state["login_error"] = "Sai tên đăng nhập hoặc mật khẩu."
        return
    st.session_state["user"] = user
    st.session_state["login_failures"] = 0
    st.session_state.pop("login_error", None)


def _logout() -> None:
    for key in ("user", "show_sensitive"):
        st.session_state.pop(key, None)


def login_box() -> User | None:
    """The sidebar's account box; returns the logged-in user."""
    user = current_user()
    label = "Tài khoản" if user is None else f"Đã đăng nhập: {common.md(user.name)}"
    with st.sidebar.expander(label, expanded=False):
        if user is not None:
            st.caption(f"Vai trò: {user.role_label}. Được sửa dữ liệu và xem lớp quốc phòng – an ninh.")
            st.button("Đăng xuất", on_click=_logout, key="logout")
            return user
        path = common.settings().users
        if not has_accounts(path):
            st.caption(no_accounts_message(path))
            return None
        with st.form("login", clear_on_submit=False, border=False):
            st.text_input("Tên đăng nhập", key="login_name")
            st.text_input("Mật khẩu", type="password", key="login_password")
            st.form_submit_button("Đăng nhập", on_click=_attempt)
        if st.session_state.get("login_error"):
            st.error(common.md(st.session_state["login_error"]))
        st.caption("Xem bản đồ không cần đăng nhập. Sửa dữ liệu và xem lớp nhạy cảm cần tài khoản.")
    return current_user()
