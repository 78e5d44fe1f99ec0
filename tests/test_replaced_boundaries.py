"""New boundaries: what follows them, and what is refused before they replace anything.

After a boundary file replaces the shipped units (an import, ``boundaries/official/``,
OpenStreetMap) the national border drawn is the new units' outer edge, the works now
outside their commune are listed (``validate``) and marked (the map), and the fitted view
and the exports use the new shapes. Boundaries that cannot be this district's (a polygon
the size of the province, two communes swapped, one polygon given twice, a commune far
away) are refused on every path with the figures, and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
from html import escape
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
import shapely.affinity
from shapely.geometry import box

from borderplan_geo import exports
from borderplan_geo._errors import DataError
from borderplan_geo.boundaries import (
    BORDER_FILE,
    METRIC,
    OFFICIAL_DIR,
    OUTSIDE_COMMUNE_M,
    features_outside_communes,
    national_border,
    outer_edge_between,
    outside_note,
    read_units,
    reassign_communes,
)
from borderplan_geo.dataset import Dataset, load_dataset, read_dataset, validate
from borderplan_geo.importing import commit, preview
from borderplan_geo.layers import PROJECTS_KEY, layer_file
from borderplan_geo.maps import MapOptions, build_map
from borderplan_geo.osm import check_osm_units, read_facts, replace_boundaries_with_osm
from borderplan_geo.store import DataSource, Store
from borderplan_geo.units import PLAN_CODES, get_unit
from tests.test_osm import overpass_answer

ROOT = Path(__file__).resolve().parents[1]
UNITS_FILE = ROOT / "data" / "boundaries" / "units_2020.geojson"
#: The shift of the "new" boundaries: about 2 km east, 0,5 km south.
DX, DY = 0.0183, -0.0045
SOURCE = "Sở Tài nguyên và Môi trường (kiểm thử)"
THC, SR, TB, TTA = "29929", "29926", "29932", "29938"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "store.sqlite"


@pytest.fixture
def source(data_copy: Path, store_path: Path) -> DataSource:
    return DataSource(data_copy, Store(store_path))


@pytest.fixture(scope="module")
def shipped_units() -> gpd.GeoDataFrame:
    frame = gpd.read_file(UNITS_FILE)
    return frame[["code", "name", "geometry"]]


def geojson_bytes(frame: gpd.GeoDataFrame) -> bytes:
    doc = json.loads(frame.to_json())
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def shifted(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    out["geometry"] = out.geometry.translate(xoff=DX, yoff=DY)
    return out


def folder_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def import_boundaries(source: DataSource, frame: gpd.GeoDataFrame, name: str = "ranh_gioi.geojson") -> None:
    pv = preview("boundaries", name, geojson_bytes(frame), source, default_source=SOURCE)
    assert pv.can_commit, pv.report()
    assert source.store is not None
    assert commit(pv, source.store, "kiểm thử") is not None


def metric(geom: Any) -> Any:
    return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(METRIC).iloc[0]


# --- the border follows the units -------------------------------------------------------------------


def test_shipped_units_draw_the_shipped_border_which_is_their_outer_edge() -> None:
    ds = load_dataset(DataSource(ROOT / "data"))
    assert not ds.units_replaced and not ds.border_users
    drawn = ds.national_border
    assert drawn is ds.border or drawn.equals(ds.border)
    edge = outer_edge_between(ds.units_2020, (105.3708, 10.9002), (105.4982, 10.9531))
    assert edge is not None
    assert shapely.hausdorff_distance(metric(edge), metric(ds.border.geometry.iloc[0])) < 1.0
    assert ds.outside_features.empty


@pytest.fixture
def replaced(source: DataSource, shipped_units: gpd.GeoDataFrame) -> Dataset:
    """The shipped data after importing the shipped units moved 2 km east, 0,5 km south."""
    before = source.stamp()
    import_boundaries(source, shifted(shipped_units))
    assert source.stamp() != before  # the app's cache is keyed on it: it reloads at once
    return load_dataset(source)


def test_the_border_drawn_follows_the_new_outer_edge(replaced: Dataset) -> None:
    assert replaced.units_replaced and not replaced.border_users
    line = metric(replaced.national_border.geometry.iloc[0])
    units = replaced.units_2020.to_crs(METRIC)
    outline = shapely.union_all(list(units.geometry)).boundary
    # on the new outer edge, point for point, through no commune
    assert shapely.hausdorff_distance(line, line.intersection(outline.buffer(1.0))) < 1.0
    for code, geom in zip(units["code"], units.geometry, strict=True):
        assert not geom.buffer(-1.0).intersects(line), code
    # the plan communes' northern edge, moved with them; nowhere near the old line
    old = metric(gpd.read_file(ROOT / "data" / BORDER_FILE).geometry.iloc[0])
    moved = metric(
        shapely.affinity.translate(gpd.read_file(ROOT / "data" / BORDER_FILE).geometry.iloc[0], DX, DY)
    )
    # (the new units are the shipped ones moved, so their northern edge is the shipped line moved;
    # the ends are the edge's points nearest the border's known ends, so 2 km off they fall short)
    assert line.difference(moved.buffer(5.0)).length < 1.0
    assert moved.intersection(line.buffer(5.0)).length > 0.75 * moved.length
    assert shapely.hausdorff_distance(line, old) > 1500.0
    plan = shapely.union_all(list(units[units["code"].isin(PLAN_CODES)].geometry))
    assert line.difference(plan.buffer(1.0)).length < 1.0
    # as sure as the units it is drawn from: an import is "tham khảo" unless the user said otherwise
    assert set(replaced.units_2020["accuracy"]) == {"reference"}
    assert replaced.national_border.iloc[0]["accuracy"] == "reference"
    assert "xã biên giới" in replaced.national_border.iloc[0]["source"]


def test_a_border_line_of_the_users_own_is_drawn_as_it_is(
    source: DataSource, shipped_units: gpd.GeoDataFrame
) -> None:
    import_boundaries(source, shifted(shipped_units))
    line = gpd.read_file(ROOT / "data" / BORDER_FILE)
    line["accuracy"] = "official"
    line["source"] = "Bộ Chỉ huy Bộ đội Biên phòng tỉnh (kiểm thử)"
    assert source.store is not None
    source.store.save(
        BORDER_FILE,
        line.to_json().encode("utf-8"),
        base_sha=source.version(BORDER_FILE),
        folder_content=source.folder_bytes(BORDER_FILE),
        author="kiểm thử",
        note="đường biên giới",
        action="import",
    )
    ds = load_dataset(source)
    assert ds.units_replaced and ds.border_users
    drawn = ds.national_border.geometry.iloc[0]
    assert shapely.hausdorff_distance(metric(drawn), metric(line.geometry.iloc[0])) < 0.01


def test_the_rule_is_one_function_for_every_path(shipped_units: gpd.GeoDataFrame) -> None:
    """Shipped units keep the file; replaced units give their edge; the users' line wins."""
    units = shipped_units.assign(accuracy="official", source="x", in_plan=False)
    border = gpd.read_file(ROOT / "data" / BORDER_FILE)
    assert national_border(units, border, replaced=False) is border
    assert national_border(units, border, replaced=True, users_line=True) is border
    derived = national_border(shifted(units), border, replaced=True)
    assert derived is not border and derived.iloc[0]["accuracy"] == "official"


# --- works outside their commune ---------------------------------------------------------------------


def test_works_now_outside_their_commune_are_listed_with_distances(replaced: Dataset) -> None:
    outside = replaced.outside_features
    assert len(outside) >= 5
    assert set(outside.columns) >= {"layer", "id", "name", "commune_name", "distance_m", "found_name"}
    assert (outside["distance_m"] > OUTSIDE_COMMUNE_M).all()
    # recomputed by hand for one of them
    row = outside.iloc[0]
    frame = replaced.layers[str(row["layer"])].set_index("id")
    geom = frame.loc[row["id"], "geometry"]
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    units = replaced.units_2020.set_index("code")
    codes = str(row["commune_code"]).split(";")
    expected = min(metric(units.loc[c, "geometry"]).distance(metric(point)) for c in codes)
    assert row["distance_m"] == pytest.approx(expected, abs=1.0)
    assert str(row["commune_name"]).startswith(("Xã", "Thị trấn"))


def test_validate_lists_them_in_vietnamese_by_name(source: DataSource, replaced: Dataset) -> None:
    problems = validate(source)
    assert not [p for p in problems if p.severity == "error"]
    listed = [p for p in problems if "nằm ngoài" in p.message]
    assert len(listed) == len(replaced.outside_features)
    first = replaced.outside_features.iloc[0]
    text = next(str(p) for p in listed if str(first["id"]) in p.message)
    assert outside_note(first) in text
    assert "cảnh báo" in text and str(first["name"]) in text and str(first["commune_name"]) in text
    assert " m" in text and layer_file(str(first["layer"])) in text
    assert "29929" not in text.split(": ", 1)[1]  # names, not codes


def test_the_map_marks_them_and_fits_the_new_shapes(replaced: Dataset) -> None:
    options = MapOptions(show_sensitive=True)
    m = build_map(replaced, options, asset_base_url="/static/vendor")
    html = m.get_root().render()
    assert html.count("bp-outside-mark") >= 2  # the CSS rule and at least one ring
    first = replaced.outside_features.iloc[0]
    assert "nằm ngoài" in html and str(first["name"]) in html
    # the same words validate prints: one rule, one place
    notes = [outside_note(r) for r in replaced.outside_features.to_dict("records")]
    assert all(escape(n) in html for n in notes)
    # The view is fitted by the map's own fit (clear of the controls), given the focus bounds as JSON.
    fits = [c for c in m._children.values() if type(c).__name__ == "_FitView"]
    assert len(fits) == 1
    (south, west), (north, east) = json.loads(fits[0].bounds_js)
    plan = replaced.units_2020[replaced.units_2020["in_plan"].astype(bool)]
    minx, miny, maxx, maxy = plan.total_bounds
    assert (south, west, north, east) == pytest.approx((miny, minx, maxy, maxx), abs=1e-9)
    assert minx > 105.3708 + DX - 0.001  # the new shapes, not the shipped ones


def test_exports_draw_the_new_shapes_and_border(replaced: Dataset) -> None:
    options = exports.resolve_options(replaced, indicator="clean_water", year=2025)
    data = exports._map_data(replaced, options)
    assert data.units.total_bounds == pytest.approx(replaced.units_2020.to_crs(METRIC).total_bounds)
    drawn = data.border.geometry.iloc[0]
    assert shapely.hausdorff_distance(drawn, replaced.national_border.to_crs(METRIC).geometry.iloc[0]) < 0.01
    html = exports.export_html(replaced, options)
    assert "nằm ngoài" in html
    lines = exports.source_lines(replaced, options)
    assert any(SOURCE in line for line in lines)
    assert exports.export_png(replaced, options).startswith(b"\x89PNG")


def test_works_can_be_moved_to_the_commune_their_position_is_in(replaced: Dataset) -> None:
    outside = replaced.outside_features
    projects = outside[outside["layer"] == PROJECTS_KEY]
    movable = projects[projects["found_code"] != ""]
    assert len(movable) >= 1
    frame = replaced.projects
    moved = reassign_communes(frame, replaced.units_2020, movable["id"])
    assert moved is not frame and frame.equals(replaced.projects)  # a new frame; the old one is untouched
    by_id = moved.set_index("id")
    for rec in movable.to_dict("records"):
        assert str(rec["found_code"]) in by_id.loc[rec["id"], "commune_code"].split(";")
        assert get_unit(str(rec["found_code"])).name in by_id.loc[rec["id"], "commune_name"]
    still = features_outside_communes({PROJECTS_KEY: moved}, replaced.units_2020)
    assert not set(still["id"]) & set(movable["id"])
    kept = ~frame["id"].isin(movable["id"])
    assert moved[kept]["commune_code"].tolist() == frame[kept]["commune_code"].tolist()
    # default: every work outside its commune
    every = reassign_communes(frame, replaced.units_2020)
    assert every.equals(reassign_communes(frame, replaced.units_2020, projects["id"]))


def test_the_command_line_lists_then_moves_the_chosen_works_and_undo_brings_them_back(
    source: DataSource,
    replaced: Dataset,
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """§3: the report offers both: keep the recorded commune (the listing changes nothing) or reassign."""
    from borderplan_geo.cli import main

    monkeypatch.setenv("BORDERPLAN_STORE", str(store_path))
    monkeypatch.delenv("BORDERPLAN_USER", raising=False)
    outside = replaced.outside_features
    movable = outside[(outside["layer"] == PROJECTS_KEY) & (outside["found_code"] != "")]
    chosen, others = str(movable["id"].iloc[0]), set(outside["id"]) - {str(movable["id"].iloc[0])}
    assert others, "the test needs works left outside"
    before = store_path.read_bytes()

    assert main(["reassign", "--data", str(source.data_dir)]) == 0
    out = capsys.readouterr().out
    assert chosen in out and "nằm ngoài" in out and "--apply" in out
    assert store_path.read_bytes() == before  # listing is keeping: nothing written

    assert (
        main(["reassign", "--data", str(source.data_dir), "--id", "KHONG-CO"]) == 0
    )  # unknown id: listed, none
    capsys.readouterr()
    beyond = outside[outside["found_code"] == ""]
    if len(beyond):  # a position outside the district has no commune to take: refused, named, nothing written
        far = [
            "reassign",
            "--data",
            str(source.data_dir),
            "--apply",
            "--as",
            "A",
            "--id",
            str(beyond["id"].iloc[0]),
        ]
        assert main(far) == 1
        assert "ngoài huyện" in capsys.readouterr().err
        assert store_path.read_bytes() == before
    assert main(["reassign", "--data", str(source.data_dir), "--apply", "--id", chosen]) == 1  # no author
    assert "--as" in capsys.readouterr().err
    assert store_path.read_bytes() == before

    assert (
        main(["reassign", "--data", str(source.data_dir), "--apply", "--as", "Cán bộ A", "--id", chosen]) == 0
    )
    assert "1 công trình" in capsys.readouterr().out
    after = load_dataset(source)
    assert chosen not in set(after.outside_features["id"])
    assert others == set(after.outside_features["id"])  # the others keep their recorded commune
    row = after.projects.set_index("id").loc[chosen]
    found = str(movable.set_index("id").loc[chosen, "found_code"])
    assert found in row["commune_code"].split(";") and get_unit(found).name in row["commune_name"]
    assert row["name"] == replaced.projects.set_index("id").loc[chosen, "name"]  # only the commune changed
    assert source.store is not None
    newest = source.store.history(layer_file(PROJECTS_KEY))[0]
    assert newest.author == "Cán bộ A" and "gán lại xã" in newest.note
    audit = source.store.audit_log(layer_file(PROJECTS_KEY))
    assert any(a.get("record") == chosen and a.get("field") == "commune_code" for a in audit)

    assert main(["undo", layer_file(PROJECTS_KEY), "--data", str(source.data_dir), "--as", "Cán bộ A"]) == 0
    assert chosen in set(load_dataset(source).outside_features["id"])


def test_the_data_page_offers_to_keep_or_reassign_and_saves_the_choice(
    source: DataSource, replaced: Dataset, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's side of §3: the list with distances, a choice of works, one button; the map then agrees."""
    import os

    from streamlit.testing.v1 import AppTest

    from borderplan_geo.auth import add_user

    monkeypatch.setenv("BORDERPLAN_STORE", str(store_path))
    monkeypatch.setenv("BORDERPLAN_DATA", str(source.data_dir))
    password = "mật-khẩu-đủ-dài-2025"
    add_user(Path(os.environ["BORDERPLAN_USERS"]), "anh", password, role="editor")
    at = AppTest.from_string("from app_ui import data_page\ndata_page.render()\n", default_timeout=120)
    at.run()
    at.sidebar.text_input(key="login_name").input("anh")
    at.sidebar.text_input(key="login_password").input(password)
    next(b for b in at.sidebar.button if b.label == "Đăng nhập").click()
    at.run()
    assert not at.exception, at.exception
    outside = replaced.outside_features
    panel = next(e for e in at.expander if "nằm ngoài xã" in e.label)
    assert str(len(outside)) in panel.label
    chooser = at.multiselect(key="reassign_ids")
    movable = outside[outside["found_code"] != ""]
    assert set(chooser.value) == set(movable["id"])  # every one whose position is in a commune is offered
    beyond = outside[outside["found_code"] == ""]
    assert len(beyond) and all(str(i) in " ".join(t.value for t in at.text) for i in beyond["id"])
    assert any("nằm ngoài" in o for o in chooser.options)  # with where it is and how far
    keep = str(movable["id"].iloc[-1])
    chooser.unselect(keep)
    at.run()
    at.button(key="reassign").click()
    at.run()
    assert not at.exception, at.exception
    assert any("Đã gán lại xã" in m.value for m in at.success)
    assert set(load_dataset(source).outside_features["id"]) == {keep, *map(str, beyond["id"])}


# --- sanity checks: one function, every path -------------------------------------------------------


def province_sized(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = units.copy()
    # about all of Đồng Tháp, centred on the district (its middle point is in the district)
    out.loc[out["code"] == THC, "geometry"] = box(105.05, 10.7, 105.9, 11.05)
    return out


def swapped(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = units.copy().set_index("code")
    out.loc[SR, "geometry"], out.loc[THC, "geometry"] = out.loc[THC, "geometry"], out.loc[SR, "geometry"]
    return out.reset_index()


def duplicated(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = units.copy().set_index("code")
    out.loc[TTA, "geometry"] = out.loc[TB, "geometry"]
    return out.reset_index()


def far_away(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = units.copy()
    moved = out.loc[out["code"] == THC, "geometry"].translate(xoff=0.0, yoff=-0.45)  # 50 km south
    out.loc[out["code"] == THC, "geometry"] = moved
    return out


CASES = {
    "province": (province_sized, ["Xã Tân Hộ Cơ: diện tích", "gấp", "lần diện tích tham chiếu 45,7 km²"]),
    "swapped": (swapped, ["Thị trấn Sa Rài: diện tích", "tham chiếu 7,6 km²", "Xã Tân Hộ Cơ: diện tích"]),
    "duplicated": (duplicated, ["Xã Thông Bình và Xã Tân Thành A chồng lên nhau", "km²"]),
    "far": (far_away, ["Xã Tân Hộ Cơ: ranh giới nằm xa khung bao tham chiếu", "km"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_implausible_boundaries_are_refused_on_import(
    case: str, source: DataSource, store_path: Path, data_copy: Path, shipped_units: gpd.GeoDataFrame
) -> None:
    make, words = CASES[case]
    if case == "far":  # the import's own check of positions speaks first, with the distance
        words = ["far.geojson, dòng 2", "nằm ngoài huyện Tân Hồng khoảng", "km"]
    before = folder_digest(data_copy)
    pv = preview(
        "boundaries", f"{case}.geojson", geojson_bytes(make(shipped_units)), source, default_source=SOURCE
    )
    assert not pv.can_commit
    text = pv.report()
    for word in words:
        assert word in text, (word, text)
    assert source.store is not None
    with pytest.raises(DataError):
        commit(pv, source.store, "kiểm thử")
    assert not store_path.exists()
    assert folder_digest(data_copy) == before


@pytest.mark.parametrize("case", list(CASES))
def test_implausible_boundaries_in_the_official_folder_are_refused(
    case: str, source: DataSource, data_copy: Path, store_path: Path, shipped_units: gpd.GeoDataFrame
) -> None:
    make, words = CASES[case]
    folder = data_copy / OFFICIAL_DIR
    folder.mkdir(parents=True)
    (folder / "ranh_gioi.geojson").write_bytes(geojson_bytes(make(shipped_units)))
    before = folder_digest(data_copy)
    _, problems = read_units(source)
    messages = " | ".join(p.message for p in problems if p.severity == "error")
    for word in words:
        assert word in messages, (word, messages)
    dataset, _ = read_dataset(source)
    assert dataset is None
    assert folder_digest(data_copy) == before
    assert not store_path.exists()


@pytest.mark.parametrize("case", list(CASES))
def test_implausible_boundaries_from_openstreetmap_are_refused(
    case: str, source: DataSource, data_copy: Path, store_path: Path, shipped_units: gpd.GeoDataFrame
) -> None:
    make, words = CASES[case]
    facts = {f.code: f for f in read_facts()}
    frame = make(shipped_units)
    _, problems = check_osm_units(frame.assign(osm_relation_id=[facts[c].relation_id for c in frame["code"]]))
    messages = " | ".join(p.message for p in problems if p.severity == "error")
    for word in words:
        assert word in messages, (word, messages)
    before = folder_digest(data_copy)
    answer = overpass_answer(make(shipped_units), facts)
    with pytest.raises(DataError):
        replace_boundaries_with_osm(source, answer, author="kiểm thử")
    assert not store_path.exists()
    assert folder_digest(data_copy) == before


def test_plausible_boundaries_pass_the_same_checks(
    source: DataSource, shipped_units: gpd.GeoDataFrame
) -> None:
    """The check is not a wall: the shipped units moved 2 km, and the shipped units themselves, pass."""
    pv = preview(
        "boundaries", "dich.geojson", geojson_bytes(shifted(shipped_units)), source, default_source=SOURCE
    )
    assert pv.can_commit, pv.report()
    _, problems = read_units(DataSource(ROOT / "data"))
    assert not [p for p in problems if p.severity == "error"]


def test_import_and_reassign_take_the_commune_from_the_position_by_one_rule(source: DataSource) -> None:
    """An import with an empty commune cell and a reassignment give the same commune."""
    header = "Mã;Tên dự án;Lĩnh vực;Xã;Tình trạng;Tiến độ (%);Kinh độ;Vĩ độ;Nguồn"
    rows = "\nDA-T1;Trạm bơm;Thủy lợi;;Đang thi công;40;105,4185;10,8901;BC\n"  # Bình Phú
    pv = preview("projects", "du_an.csv", (header + rows).encode("utf-8"), source)
    assert pv.can_commit, pv.report()
    assert source.store is not None
    commit(pv, source.store, "kiểm thử")
    ds = load_dataset(source)
    imported = ds.projects.set_index("id").loc["DA-T1", "commune_code"]
    wrong = ds.projects.copy()
    wrong.loc[wrong["id"] == "DA-T1", "commune_code"] = THC
    moved = reassign_communes(wrong, ds.units_2020, ["DA-T1"]).set_index("id")
    assert imported == moved.loc["DA-T1", "commune_code"] == "29935"
