"""Shared fixtures: the shipped data folder and throw-away copies of it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No test reads or writes a user's store or accounts, or the network for tiles."""
    state = tmp_path_factory.mktemp("state")
    monkeypatch.delenv("BORDERPLAN_DATA", raising=False)
    monkeypatch.setenv("BORDERPLAN_STORE", str(state / "store.sqlite"))
    monkeypatch.setenv("BORDERPLAN_USERS", str(state / "users.json"))
    monkeypatch.setenv("BORDERPLAN_BASEMAP", "none")
    yield


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the shipped data folder that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("store.sqlite*", "users.json", ".history"))
    return target
