"""OpenStreetMap boundaries, without a network: Overpass answers are built here.

The answers are made from the shipped approximate polygons
(``data/boundaries/units_2020.geojson``): each ring cut into ways, some
reversed, members shuffled, ids matching the facts' ``osm_relation_id``. Put
back together they must give the same polygons.
"""

from __future__ import annotations

import argparse
import copy
import email.message
import io
import itertools
import json
import random
import socket
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.affinity import scale
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from borderplan_geo._errors import DataError
from borderplan_geo.boundaries import read_units
from borderplan_geo.osm import (
    ATTRIBUTION,
    OFFLINE_MESSAGE,
    OSM_FILE,
    OverpassError,
    UnitFact,
    add_osm_command,
    fetch_overpass,
    osm_units,
    overpass_query,
    read_facts,
    replace_boundaries_with_osm,
    units_from_overpass,
)
from borderplan_geo.settings import get_settings
from borderplan_geo.store import DataSource, Store

ROOT = Path(__file__).resolve().parents[1]
UNITS_FILE = ROOT / "data" / "boundaries" / "units_2020.geojson"
TAN_HO_CO = "29929"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if anything here tries to reach past this machine."""
    local = {"127.0.0.1", "::1", "localhost"}
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in local:
            raise AssertionError(f"test tried to connect to {address}")
        real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in local:
            raise AssertionError(f"test tried to resolve {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(scope="module")
def approximate() -> gpd.GeoDataFrame:
    return gpd.read_file(UNITS_FILE)


@pytest.fixture(scope="module")
def facts() -> dict[str, UnitFact]:
    return {f.code: f for f in read_facts()}


class _Builder:
    """An Overpass answer in ``out body; >; out skel qt;`` form (or ``out geom;``)."""

    def __init__(self, seed: int = 7) -> None:
        self.nodes: dict[tuple[float, float], int] = {}
        self.ways: list[dict[str, Any]] = []
        self.relations: list[dict[str, Any]] = []
        self.random = random.Random(seed)

    def node(self, point: tuple[float, float]) -> int:
        return self.nodes.setdefault(point, 1_000_000 + len(self.nodes))

    def ring_ways(self, coords: list[tuple[float, float]], role: str) -> list[dict[str, Any]]:
        """Cut a closed ring into 2 or 3 ways; reverse every other one."""
        n = len(coords) - 1
        pieces = 2 + len(self.ways) % 2
        cuts = [round(n * k / pieces) for k in range(pieces + 1)]
        members = []
        for k, (a, b) in enumerate(itertools.pairwise(cuts)):
            refs = [self.node(c) for c in coords[a : b + 1]]
            if k % 2:
                refs.reverse()
            way_id = 500_000 + len(self.ways)
            self.ways.append({"type": "way", "id": way_id, "nodes": refs})
            members.append({"type": "way", "ref": way_id, "role": role})
        return members

    def relation(self, relation_id: int, geom: BaseGeometry, name: str = "") -> None:
        polygons = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
        members: list[dict[str, Any]] = []
        for poly in polygons:
            members += self.ring_ways(list(poly.exterior.coords), "outer")
            for hole in poly.interiors:
                members += self.ring_ways(list(hole.coords), "inner")
        self.random.shuffle(members)
        centre = geom.representative_point()
        members.append({"type": "node", "ref": self.node((centre.x, centre.y)), "role": "admin_centre"})
        self.relations.append(
            {
                "type": "relation",
                "id": relation_id,
                "members": members,
                "tags": {"boundary": "administrative", "admin_level": "8", "name": name},
            }
        )

    def response(self, *, inline: bool = False) -> dict[str, Any]:
        coords = {i: c for c, i in self.nodes.items()}
        if inline:  # ``out geom;``: coordinates inside each way member, no way or node elements
            ways = {w["id"]: w for w in self.ways}
            relations = copy.deepcopy(self.relations)
            for rel in relations:
                for m in rel["members"]:
                    if m["type"] == "way":
                        m["geometry"] = [
                            {"lat": coords[n][1], "lon": coords[n][0]} for n in ways[m["ref"]]["nodes"]
                        ]
                    else:
                        m["lat"], m["lon"] = coords[m["ref"]][1], coords[m["ref"]][0]
            elements = relations
        else:
            nodes = [{"type": "node", "id": i, "lat": c[1], "lon": c[0]} for c, i in self.nodes.items()]
            elements = [*copy.deepcopy(self.relations), *copy.deepcopy(self.ways), *nodes]
        return {
            "version": 0.6,
            "generator": "Overpass API (test)",
            "osm3s": {"timestamp_osm_base": "2025-05-01T00:00:00Z", "copyright": "ODbL"},
            "elements": elements,
        }


def overpass_answer(
    approximate: gpd.GeoDataFrame,
    facts: dict[str, UnitFact],
    *,
    inline: bool = False,
    replace: dict[str, BaseGeometry] | None = None,
    relation_ids: dict[str, int] | None = None,
) -> dict[str, Any]:
    builder = _Builder()
    for code, name, geom in zip(approximate["code"], approximate["name"], approximate.geometry, strict=True):
        rid = (relation_ids or {}).get(code, facts[code].relation_id)
        builder.relation(rid, (replace or {}).get(code, geom), name)
    return builder.response(inline=inline)


def same_shape(a: BaseGeometry, b: BaseGeometry) -> bool:
    return bool(a.symmetric_difference(b).area <= 1e-9 * max(b.area, 1e-12))


def store_bytes(store: Store) -> bytes | None:
    return store.path.read_bytes() if store.path.exists() else None


# --- assembling -------------------------------------------------------------------------------------


def test_query_names_every_relation(facts: dict[str, UnitFact]) -> None:
    query = overpass_query([f.relation_id for f in facts.values()], timeout_s=60)
    assert query.startswith("[out:json][timeout:60];relation(id:")
    assert all(str(f.relation_id) in query for f in facts.values())
    assert query.endswith("out body;>;out skel qt;")


@pytest.mark.parametrize("inline", [False, True], ids=["out-body-skel", "out-geom"])
def test_split_and_reversed_ways_give_back_the_polygons(
    approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact], inline: bool
) -> None:
    answer = overpass_answer(approximate, facts, inline=inline)
    frame, problems = units_from_overpass(answer, facts=list(facts.values()))
    assert problems == []
    assert sorted(frame["code"]) == sorted(approximate["code"])
    by_code = frame.set_index("code").geometry
    for code, geom in zip(approximate["code"], approximate.geometry, strict=True):
        assert same_shape(by_code[code], geom), code
    assert set(frame["accuracy"]) == {"osm"}
    assert all(ATTRIBUTION in s for s in frame["source"])
    assert frame.crs is not None and frame.crs.to_epsg() == 4326


def test_checked_units_keep_the_relation_ids(
    approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]
) -> None:
    units, problems = osm_units(overpass_answer(approximate, facts), facts=list(facts.values()))
    assert [p for p in problems if p.severity == "error"] == []
    assert len(units) == 9
    assert {c: int(r) for c, r in zip(units["code"], units["osm_relation_id"], strict=True)} == {
        c: f.relation_id for c, f in facts.items()
    }


def test_inner_rings_and_several_outers() -> None:
    square = Polygon([(105.40, 10.80), (105.50, 10.80), (105.50, 10.90), (105.40, 10.90)])
    hole = Polygon([(105.44, 10.84), (105.46, 10.84), (105.46, 10.86), (105.44, 10.86)])
    island = Polygon([(105.52, 10.80), (105.53, 10.80), (105.53, 10.81), (105.52, 10.81)])
    islet = Polygon(
        [(105.449, 10.849), (105.451, 10.849), (105.451, 10.851), (105.449, 10.851)]
    )  # in the hole
    expected = MultiPolygon([square.difference(hole), island, islet])
    fact = UnitFact("29929", "Xã Tân Hộ Cơ", 42, 100.0, (10.8, 105.4, 10.9, 105.53))
    builder = _Builder()
    builder.relation(42, expected)
    frame, problems = units_from_overpass(builder.response(), facts=[fact])
    assert problems == []
    geom = frame.geometry.iloc[0]
    assert geom.geom_type == "MultiPolygon"
    assert same_shape(geom, expected)
    assert sum(len(p.interiors) for p in geom.geoms) == 1


def test_a_missing_relation_is_refused_naming_the_unit(
    approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]
) -> None:
    answer = overpass_answer(approximate, facts)
    answer["elements"] = [
        e
        for e in answer["elements"]
        if not (e["type"] == "relation" and e["id"] == facts[TAN_HO_CO].relation_id)
    ]
    units, problems = osm_units(answer, facts=list(facts.values()))
    errors = [str(p) for p in problems if p.severity == "error"]
    assert any("Xã Tân Hộ Cơ" in e and str(facts[TAN_HO_CO].relation_id) in e for e in errors)
    assert TAN_HO_CO not in set(units["code"])


def test_a_broken_ring_is_reported_and_the_unit_skipped(
    approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]
) -> None:
    answer = overpass_answer(approximate, facts)
    relation = next(e for e in answer["elements"] if e.get("id") == facts[TAN_HO_CO].relation_id)
    dropped = next(m for m in relation["members"] if m["type"] == "way")
    relation["members"].remove(dropped)
    frame, problems = units_from_overpass(answer, facts=list(facts.values()))
    assert TAN_HO_CO not in set(frame["code"])
    messages = [str(p) for p in problems]
    assert any("Xã Tân Hộ Cơ" in m and "không khép kín" in m for m in messages), messages
    assert len(frame) == 8


def test_a_way_missing_from_the_answer_is_reported(
    approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]
) -> None:
    answer = overpass_answer(approximate, facts)
    relation = next(e for e in answer["elements"] if e.get("id") == facts[TAN_HO_CO].relation_id)
    ref = next(m["ref"] for m in relation["members"] if m["type"] == "way")
    answer["elements"] = [e for e in answer["elements"] if not (e["type"] == "way" and e["id"] == ref)]
    _, problems = units_from_overpass(answer, facts=list(facts.values()))
    assert any("Xã Tân Hộ Cơ" in str(p) and str(ref) in str(p) for p in problems)


def test_an_implausible_area_is_refused(approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]) -> None:
    geom = approximate.set_index("code").geometry[TAN_HO_CO]
    answer = overpass_answer(approximate, facts, replace={TAN_HO_CO: scale(geom, 0.5, 0.5)})
    _, problems = osm_units(answer, facts=list(facts.values()))
    errors = [str(p) for p in problems if p.severity == "error"]
    assert any("Xã Tân Hộ Cơ" in e and "diện tích" in e for e in errors), errors


def test_swapped_relation_ids_are_caught(approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]) -> None:
    # Sa Rài (7.6 km²) and Tân Hộ Cơ (45.7 km²) under each other's ids
    ids = {"29926": facts[TAN_HO_CO].relation_id, TAN_HO_CO: facts["29926"].relation_id}
    _, problems = osm_units(overpass_answer(approximate, facts, relation_ids=ids), facts=list(facts.values()))
    errors = " ".join(str(p) for p in problems if p.severity == "error")
    assert "Thị trấn Sa Rài" in errors and "Xã Tân Hộ Cơ" in errors


def test_overlapping_units_are_refused(approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]) -> None:
    by_code = approximate.set_index("code").geometry
    grown = shapely.union_all([by_code["29947"], by_code["29926"]])  # Tân Công Chí swallows Sa Rài
    answer = overpass_answer(approximate, facts, replace={"29947": grown})
    _, problems = osm_units(answer, facts=list(facts.values()))
    assert any("chồng lấn" in str(p) for p in problems if p.severity == "error")


# --- fetching ---------------------------------------------------------------------------------------


class _FakeResponse(io.BytesIO):
    def __enter__(self) -> _FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def test_fetch_sends_one_query_with_a_user_agent(
    monkeypatch: pytest.MonkeyPatch, approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]
) -> None:
    seen: list[tuple[urllib.request.Request, float]] = []
    body = json.dumps(overpass_answer(approximate, facts)).encode()

    def fake_urlopen(request: urllib.request.Request, timeout: float) -> _FakeResponse:
        seen.append((request, timeout))
        return _FakeResponse(body)

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    ids = [f.relation_id for f in facts.values()]
    answer = fetch_overpass(ids, endpoint="https://overpass.example/api/interpreter", timeout=12)
    assert len(answer["elements"]) > 9
    [(request, timeout)] = seen
    assert timeout == 12
    assert request.full_url == "https://overpass.example/api/interpreter"
    assert request.get_header("User-agent", "").startswith("BorderPlanGeo/")
    sent = urllib.parse.parse_qs(request.data.decode())["data"][0]  # type: ignore[union-attr]
    assert sent == overpass_query(ids, timeout_s=12)


def test_no_network_gives_the_vietnamese_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(request: urllib.request.Request, timeout: float) -> None:
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(OverpassError, match=OFFLINE_MESSAGE):
        fetch_overpass([1, 2])


def test_an_unused_local_port_is_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(OverpassError, match=OFFLINE_MESSAGE):
        fetch_overpass([1], endpoint=f"http://127.0.0.1:{port}/api/interpreter", timeout=5)


def test_timeout_and_http_errors_are_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(request: urllib.request.Request, timeout: float) -> None:
        raise TimeoutError("timed out")

    monkeypatch.setattr(urllib.request, "urlopen", slow)
    with pytest.raises(OverpassError, match="giữ ranh giới gần đúng"):
        fetch_overpass([1], timeout=3)

    def busy(request: urllib.request.Request, timeout: float) -> None:
        raise urllib.error.HTTPError(
            request.full_url, 429, "Too Many Requests", email.message.Message(), None
        )

    monkeypatch.setattr(urllib.request, "urlopen", busy)
    with pytest.raises(OverpassError, match="HTTP 429"):
        fetch_overpass([1])


def test_an_overpass_runtime_error_is_not_taken_for_data(monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.dumps({"elements": [], "remark": "runtime error: Query timed out"}).encode()
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: _FakeResponse(body))
    with pytest.raises(OverpassError, match="runtime error"):
        fetch_overpass([1])


# --- replacing ------------------------------------------------------------------------------------------


@pytest.fixture
def source(data_copy: Path, tmp_path: Path) -> DataSource:
    return DataSource(data_copy, Store(tmp_path / "store.sqlite"))


def test_offline_replace_keeps_everything(monkeypatch: pytest.MonkeyPatch, source: DataSource) -> None:
    def offline(request: urllib.request.Request, timeout: float) -> None:
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    assert source.store is not None
    with pytest.raises(OverpassError, match=OFFLINE_MESSAGE):
        replace_boundaries_with_osm(source, author="test")
    assert not source.store.path.exists()

    # with a store already holding something, its bytes stay the same
    source.store.save("projects/x.csv", b"a\n", base_sha="none", folder_content=None, author="test")
    before = store_bytes(source.store)
    with pytest.raises(OverpassError, match=OFFLINE_MESSAGE):
        replace_boundaries_with_osm(source, author="test")
    assert store_bytes(source.store) == before
    units, _ = read_units(source)
    assert set(units["accuracy"]) == {"approximate"}


def test_invalid_answer_writes_nothing(
    source: DataSource, approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]
) -> None:
    answer = overpass_answer(approximate, facts)
    answer["elements"] = [
        e
        for e in answer["elements"]
        if not (e["type"] == "relation" and e["id"] == facts[TAN_HO_CO].relation_id)
    ]
    with pytest.raises(DataError, match="Xã Tân Hộ Cơ") as caught:
        replace_boundaries_with_osm(source, answer, author="test")
    assert all(p.severity == "error" for p in caught.value.problems)
    assert source.store is not None and not source.store.path.exists()


def test_replace_makes_read_units_return_the_osm_polygons(
    source: DataSource, approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]
) -> None:
    result = replace_boundaries_with_osm(source, overpass_answer(approximate, facts), author="nguyen.van.a")
    assert result.saved and result.path == OSM_FILE
    assert result.version is not None and result.version.note == "OpenStreetMap, ODbL"
    units, problems = read_units(DataSource(source.data_dir, source.store))
    assert [p for p in problems if p.severity == "error"] == []
    assert len(units) == 9
    assert set(units["accuracy"]) == {"osm"}
    assert all(ATTRIBUTION in s for s in units["source"])
    by_code = units.set_index("code").geometry
    for code, geom in zip(approximate["code"], approximate.geometry, strict=True):
        assert same_shape(by_code[code], geom), code
    assert source.store is not None
    log = source.store.audit_log(OSM_FILE)
    assert [(e["author"], e["action"]) for e in log] == [("nguyen.van.a", "import")]
    # the shipped folder is untouched: the polygons live in the store only
    assert not (source.data_dir / OSM_FILE).exists()
    # the same answer again stores nothing new
    again = replace_boundaries_with_osm(source, overpass_answer(approximate, facts), author="nguyen.van.a")
    assert not again.saved and len(source.store.history(OSM_FILE)) == 1


def test_replace_works_on_a_store_alone(
    tmp_path: Path, approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]
) -> None:
    store = Store(tmp_path / "only.sqlite")
    result = replace_boundaries_with_osm(store, overpass_answer(approximate, facts), author="test")
    assert result.saved
    held = store.current(OSM_FILE)
    assert held is not None and ATTRIBUTION.encode() in held[0]


def test_dry_run_writes_nothing(
    source: DataSource, approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]
) -> None:
    result = replace_boundaries_with_osm(
        source, overpass_answer(approximate, facts), author="t", dry_run=True
    )
    assert not result.saved and len(result.units) == 9 and result.content
    assert source.store is not None and not source.store.path.exists()


def test_an_official_file_already_in_place_is_not_shadowed(
    source: DataSource, approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]
) -> None:
    official = source.data_dir / "boundaries" / "official"
    official.mkdir(parents=True)
    (official / "xa_tan_hong.geojson").write_bytes(UNITS_FILE.read_bytes())
    with pytest.raises(DataError, match="đã có tệp ranh giới chính thức"):
        replace_boundaries_with_osm(source, overpass_answer(approximate, facts), author="t")
    assert source.store is not None and not source.store.path.exists()


# --- command line ------------------------------------------------------------------------------------


def run_cli(*argv: str) -> int:
    """``osm-boundaries`` as :func:`borderplan_geo.cli.build_parser` registers it."""
    parser = argparse.ArgumentParser(prog="python -m borderplan_geo")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", type=Path, default=None)
    sub = parser.add_subparsers(dest="command", required=True)
    add_osm_command(sub, common)
    args = parser.parse_args(list(argv))
    code: int = args.handler(args)
    return code


@pytest.fixture
def answer_file(tmp_path: Path, approximate: gpd.GeoDataFrame, facts: dict[str, UnitFact]) -> Iterator[Path]:
    path = tmp_path / "overpass.json"
    path.write_text(json.dumps(overpass_answer(approximate, facts)), encoding="utf-8")
    yield path


def test_cli_from_file_saves(data_copy: Path, answer_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("osm-boundaries", "--from-file", str(answer_file), "--data", str(data_copy)) == 0
    out = capsys.readouterr().out
    assert "Đã lưu" in out and ATTRIBUTION in out and "Xã Tân Hộ Cơ" in out
    store = Store(get_settings().store)
    held = store.current(OSM_FILE)
    assert held is not None
    with sqlite3.connect(store.path) as con:
        assert con.execute("SELECT count(*) FROM files").fetchone() == (1,)


def test_cli_dry_run_and_offline_write_nothing(
    data_copy: Path, answer_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = get_settings().store
    assert (
        run_cli("osm-boundaries", "--dry-run", "--from-file", str(answer_file), "--data", str(data_copy)) == 0
    )
    assert "Chạy thử" in capsys.readouterr().out
    assert not store_path.exists()

    def offline(request: urllib.request.Request, timeout: float) -> None:
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    assert run_cli("osm-boundaries", "--data", str(data_copy)) == 1
    assert OFFLINE_MESSAGE in capsys.readouterr().err
    assert not store_path.exists()


def test_cli_refuses_a_bad_file(data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("<html>not json</html>", encoding="utf-8")
    assert run_cli("osm-boundaries", "--from-file", str(bad), "--data", str(data_copy)) == 1
    assert "không phải JSON" in capsys.readouterr().err
    assert not get_settings().store.exists()


def test_cli_prints_the_query(
    data_copy: Path, capsys: pytest.CaptureFixture[str], facts: dict[str, UnitFact]
) -> None:
    assert run_cli("osm-boundaries", "--print-query", "--data", str(data_copy)) == 0
    out = capsys.readouterr().out
    assert all(str(f.relation_id) in out for f in facts.values())
