"""Login in the sidebar: viewing needs none; editing and the sensitive layers need one.

The lockout after failed logins is the library's (:func:`borderplan_geo.auth.login`),
counted in the users' store per account and per client address: a reload or a
new session does not reset it. The session's account is checked again on every
run (:func:`borderplan_geo.auth.check_writer`): an account removed since the
login is logged out at once, and every write checks it again in the library.
"""

from __future__ import annotations

import streamlit as st

from app_ui import common
from borderplan_geo._errors import AuthError, DataError
from borderplan_geo.auth import User, check_writer, has_accounts, login, no_accounts_message


def _address() -> str | None:
    """The client's address as the server sees the connection (``None`` on this machine)."""
    try:
        return st.context.ip_address
    except Exception:  # no connection context (AppTest, bare script)
        return None


def current_user() -> User | None:
    """The logged-in user of this browser session, as the accounts file says now."""
    user = st.session_state.get("user")
    if not isinstance(user, User):
        return None
    try:
        now = check_writer(user, common.settings().users)
    except (AuthError, DataError) as exc:
        _logout()
        st.session_state["login_error"] = str(exc)
        return None
    if now != user:  # the role changed since the login
        st.session_state["user"] = now
    return now


def _attempt() -> None:
    name = str(st.session_state.get("login_name", "")).strip()
    password = str(st.session_state.get("login_password", ""))
    st.session_state["login_password"] = ""  # never kept in the session after the attempt
    try:
        result = login(common.settings().users, common.store(), name, password, address=_address())
    except DataError as exc:
        st.session_state["login_error"] = f"Tệp tài khoản hoặc kho dữ liệu có lỗi: {exc}"
        return
    if result.user is None:
        st.session_state["login_error"] = result.message
        return
    st.session_state["user"] = result.user
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
            if st.session_state.get("login_error"):
                st.error(common.md(st.session_state["login_error"]))
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
