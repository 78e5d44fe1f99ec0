"""Editing the figures, the criteria and the projects in the app, safely.

Each editable table is loaded with the version (SHA-256) of the file it came
from; saving rebuilds the whole file, checks it with the same readers as
``validate``, lists every changed cell for the audit log, and stores it through
:class:`~borderplan_geo.store.Store` — refused as stale if anyone saved that
file after the table was loaded. Nothing is written when anything is wrong.

Row numbers in messages are the editor's rows (the first data row is 1).

Every save takes the author as the logged-in :class:`~borderplan_geo.auth.User`
and checks the account again at the moment of writing
(:func:`~borderplan_geo.auth.check_writer`): an account removed while its
session was open saves nothing. Text typed in the tables loses control
characters and terminal escapes (:func:`~borderplan_geo._text.clean_text`), and
projects follow the sensitive rule (:func:`~borderplan_geo.layers.sensitive_rule`).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point, mapping

from ._errors import DataError, Problem, StaleSaveError, UnitNameError
from ._text import clean_text, clean_value
from .auth import User, accounts_file, check_writer
from .boundaries import METRIC, district_outline, read_units
from .criteria import CRITERIA, LEVEL_LABELS, parse_level
from .formatting import parse_number
from .indicators import CRITERIA_FILE, VALUES_FILE, read_criteria, read_values
from .layers import (
    PROJECT_FIELDS,
    PROJECT_STATUSES,
    PROJECTS_KEY,
    SECTORS,
    layer_file,
    layer_key,
    read_layer,
    require_admin,
    sensitive_audit,
    sensitive_changes,
    sensitive_message,
    sensitive_rule,
)
from .store import Change, DataSource, Store, Version
from .targets import TARGETS_FILE, read_targets
from .units import PLAN_CODES, fold, get_unit, resolve_unit

PROJECTS_FILE = layer_file(PROJECTS_KEY)
EDITOR = "bảng sửa trên ứng dụng"


@dataclass(frozen=True)
class Editable:
    """A table ready for an editor, with the version of the file it came from."""

    rel: str
    frame: pd.DataFrame
    base_sha: str


def _store(source: DataSource) -> Store:
    if source.store is None:
        raise DataError("không có kho dữ liệu để lưu (BORDERPLAN_STORE)")
    return source.store


def _check_fresh(source: DataSource, rel: str, base_sha: str) -> None:
    if source.version(rel) != base_sha:
        newest = source.store.newest(rel) if source.store is not None else None
        who = f" ({newest.author}, {newest.saved_at[:19].replace('T', ' ')} UTC)" if newest else ""
        raise StaleSaveError(
            f"Không lưu được {rel}: dữ liệu đã được người khác lưu{who} sau khi bạn mở bảng. "
            "Tải lại trang để xem bản mới nhất rồi sửa lại — không có gì bị ghi đè."
        )


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)).strip()


def _csv(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\n")
    return out.getvalue().encode("utf-8")


def _diff(
    old: Mapping[Any, Mapping[str, str]],
    new: Mapping[Any, Mapping[str, str]],
    name: Callable[[Any], str],
) -> list[Change]:
    """Every changed cell between two keyed tables (added and removed rows included)."""
    changes: list[Change] = []
    for key in sorted(set(old) | set(new), key=str):
        before, after = old.get(key), new.get(key)
        if before is None and after is not None:
            changes += [Change(name(key), f, None, v) for f, v in after.items() if v != ""]
        elif after is None and before is not None:
            changes.append(
                Change(name(key), "(xóa dòng)", json.dumps(dict(before), ensure_ascii=False), None)
            )
        elif before is not None and after is not None:
            for field in sorted(set(before) | set(after)):
                a, b = before.get(field, ""), after.get(field, "")
                if a != b and not _same_number(a, b):
                    changes.append(Change(name(key), field, a or None, b or None))
    return changes


def _same_number(a: str, b: str) -> bool:
    try:
        return math.isclose(parse_number(a, machine=True), parse_number(b, machine=True), abs_tol=1e-12)
    except ValueError:
        return False


def _key_of(value: object, options: Mapping[str, str]) -> object:
    """An option's key from its key or its Vietnamese label (left as is when neither)."""
    text = _text(value)
    for key, label in options.items():
        if fold(text) in (fold(key), fold(label)):
            return key
    return value


def _raise_errors(problems: Sequence[Problem], *, offset: int = 1) -> None:
    """Raise the errors, with rows renumbered from the file's (header = 1) to the editor's."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(
            [
                Problem(
                    EDITOR,
                    p.message,
                    row=(p.row - offset) if p.row is not None else None,
                    column=p.column,
                    value=p.value,
                )
                for p in errors
            ]
        )


def writer_of(source: DataSource, author: User | str, accounts: Path | None = None) -> User:
    """The author as the accounts file says now (:func:`~borderplan_geo.auth.check_writer`)."""
    return check_writer(author, accounts or accounts_file(source.data_dir))


def _save(
    source: DataSource,
    rel: str,
    content: bytes,
    *,
    base_sha: str,
    author: User | str,
    changes: list[Change],
    note: str,
    accounts: Path | None = None,
) -> Version | None:
    if not changes:
        return None
    writer = writer_of(source, author, accounts)
    _check_fresh(source, rel, base_sha)
    return _store(source).save(
        rel,
        content,
        base_sha=base_sha,
        folder_content=source.folder_bytes(rel),
        author=writer.name,
        note=note,
        changes=changes,
        action="edit",
    )


def undo(
    source: DataSource,
    rel: str,
    *,
    author: User | str,
    base_sha: str | None = None,
    accounts: Path | None = None,
) -> Version:
    """Bring back the previous version of a data file, as a new version.

    Parameters
    ----------
    author
        The logged-in user (checked against the accounts file now), or the
        name of the person at the server's terminal.
    base_sha
        The version the person saw when asking (the app's history table, the
        command line's ``history``); someone saved since → refused as stale.
        ``None``: the current version.

    Raises
    ------
    StaleSaveError
        Nothing to undo, or someone saved since ``base_sha``.
    AuthError
        The account no longer exists.
    """
    writer = writer_of(source, author, accounts)
    store = _store(source)
    current = source.version(rel)
    if base_sha is not None and base_sha != current:
        _check_fresh(source, rel, base_sha)
    folder = source.folder_bytes(rel)
    changes: list[Change] = []
    key = layer_key(rel)
    if key is not None:  # an undo must not weaken a sensitive item either
        target, _, _ = store.undo_target(rel, folder_content=folder)
        found = sensitive_changes(key, source.read_bytes(rel), target)
        require_admin(
            [
                Problem(rel, sensitive_message(check), None, check.admin_fields[0], fid)
                for fid, check in found
            ],
            writer,
        )
        changes = [Change(r, f, None, t) for r, f, t in sensitive_audit([fid for fid, _ in found], writer)]
    return store.undo(
        rel,
        base_sha=current if base_sha is None else base_sha,
        folder_content=folder,
        author=writer.name,
        changes=changes or None,
    )


# --- values ------------------------------------------------------------------------------------------

VALUE_EDIT_COLUMNS = ("unit", "indicator", "year", "value", "source", "illustrative", "note")


def load_values(source: DataSource) -> Editable:
    """The measured values, one row per unit, indicator and year (commune by name)."""
    targets, _ = read_targets(source.read_bytes(TARGETS_FILE))
    frame, _ = read_values(source.read_bytes(VALUES_FILE), VALUES_FILE, targets)
    out = pd.DataFrame(
        {
            "unit": [get_unit(c).name for c in frame["unit_code"]],
            "indicator": frame["indicator"].astype(str),
            "year": frame["year"].astype(int),
            "value": frame["value"].astype(float),
            "source": frame["source"].astype(str),
            "illustrative": frame["illustrative"].astype(bool),
            "note": frame["note"].astype(str),
        }
    )
    return Editable(
        VALUES_FILE,
        out.sort_values(["indicator", "unit", "year"]).reset_index(drop=True),
        source.version(VALUES_FILE),
    )


def save_values(
    source: DataSource,
    frame: pd.DataFrame,
    *,
    base_sha: str,
    author: User | str,
    accounts: Path | None = None,
) -> Version | None:
    """Check and store the edited values; ``None`` when nothing changed.

    Raises
    ------
    DataError
        Listing each problem by editor row; nothing is saved.
    StaleSaveError
        When someone saved the values after this table was loaded.
    """
    rows: list[dict[str, str]] = []
    problems: list[Problem] = []
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        try:
            code = resolve_unit(rec.get("unit"), 2020).code
        except UnitNameError as exc:
            problems.append(Problem(EDITOR, str(exc), row=i, column="unit", value=rec.get("unit")))
            continue
        rows.append(
            {
                "unit_code": code,
                "indicator": _text(rec.get("indicator")),
                "year": _text(rec.get("year")),
                "value": _text(rec.get("value")),
                "source": _text(rec.get("source")),
                "illustrative": _text(bool(rec.get("illustrative"))),
                "note": _text(rec.get("note")),
            }
        )
    if problems:
        raise DataError(problems)
    new_frame = pd.DataFrame(
        rows, columns=["unit_code", "indicator", "year", "value", "source", "illustrative", "note"]
    )
    content = _csv(new_frame)
    targets, _ = read_targets(source.read_bytes(TARGETS_FILE))
    _, found = read_values(content, EDITOR, targets)
    _raise_errors(found)
    old_frame, _ = read_values(source.read_bytes(VALUES_FILE), VALUES_FILE, targets)
    changes = _diff(
        _keyed_values(old_frame),
        _keyed_values(new_frame),
        lambda k: f"{get_unit(str(k[0])).name}/{k[1]}/{k[2]}",
    )
    return _save(
        source,
        VALUES_FILE,
        content,
        base_sha=base_sha,
        author=author,
        changes=changes,
        note="sửa số liệu",
        accounts=accounts,
    )


def _keyed_values(frame: pd.DataFrame) -> dict[tuple[object, ...], dict[str, str]]:
    out: dict[tuple[object, ...], dict[str, str]] = {}
    for rec in frame.to_dict("records"):
        key = (str(rec["unit_code"]), str(rec["indicator"]), int(float(rec["year"])))
        out[key] = {f: _text(rec.get(f)) for f in ("value", "source", "illustrative", "note")}
        out[key]["illustrative"] = _text(str(out[key]["illustrative"]).lower() in ("true", "1"))
    return out


# --- criteria ------------------------------------------------------------------------------------------


def load_criteria(source: DataSource, year: int) -> Editable:
    """The 19 criteria × the plan's communes for a year, levels in words."""
    frame, _ = read_criteria(source.read_bytes(CRITERIA_FILE), CRITERIA_FILE)
    frame = frame[frame["year"] == year]
    rows = []
    for number, name in CRITERIA.items():
        row: dict[str, object] = {"criterion": number, "name": name}
        for code in PLAN_CODES:
            hit = frame[(frame["unit_code"] == code) & (frame["criterion"] == number)]
            row[code] = LEVEL_LABELS[str(hit.iloc[0]["level"])] if len(hit) else ""
        rows.append(row)
    return Editable(CRITERIA_FILE, pd.DataFrame(rows), source.version(CRITERIA_FILE))


def save_criteria(
    source: DataSource,
    year: int,
    frame: pd.DataFrame,
    *,
    base_sha: str,
    author: User | str,
    source_text: str,
    accounts: Path | None = None,
) -> Version | None:
    """Store the edited criteria of one year; changed cells take ``source_text`` as their source.

    Raises
    ------
    DataError
        An unknown level, or no source for the changes; nothing is saved.
    StaleSaveError
        When someone saved the criteria after this table was loaded.
    """
    stored, _ = read_criteria(source.read_bytes(CRITERIA_FILE), CRITERIA_FILE)
    by_key = {(r["unit_code"], int(r["year"]), int(r["criterion"])): r for r in stored.to_dict("records")}
    problems: list[Problem] = []
    source_text = clean_text(source_text)
    updated = dict(by_key)
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        number = int(rec["criterion"])
        for code in PLAN_CODES:
            text = _text(rec.get(code))
            if not text:
                continue
            try:
                level = parse_level(text)
            except ValueError as exc:
                problems.append(Problem(EDITOR, str(exc), row=i, column=get_unit(code).name, value=text))
                continue
            key = (code, year, number)
            old = by_key.get(key)
            if old is not None and old["level"] == level:
                continue
            if not source_text.strip():
                problems.append(
                    Problem(EDITOR, "cần ghi nguồn cho các thay đổi (văn bản thẩm định, báo cáo…)", row=i)
                )
                continue
            updated[key] = {
                "unit_code": code,
                "year": year,
                "criterion": number,
                "level": level,
                "source": source_text.strip(),
                "illustrative": False,
            }
    if problems:
        raise DataError(problems)
    new_frame = pd.DataFrame(
        [updated[k] for k in sorted(updated)],
        columns=["unit_code", "year", "criterion", "level", "source", "illustrative"],
    )
    new_frame["illustrative"] = new_frame["illustrative"].map(_text)
    content = _csv(new_frame)
    _, found = read_criteria(content, EDITOR)
    _raise_errors(found)
    old_keyed = {k: {"level": str(v["level"]), "source": str(v["source"])} for k, v in by_key.items()}
    new_keyed = {k: {"level": str(v["level"]), "source": str(v["source"])} for k, v in updated.items()}
    changes = _diff(old_keyed, new_keyed, lambda k: f"{get_unit(str(k[0])).name}/{k[1]}/tiêu chí {k[2]}")
    return _save(
        source,
        CRITERIA_FILE,
        content,
        base_sha=base_sha,
        author=author,
        changes=changes,
        note=f"sửa tiêu chí năm {year}",
        accounts=accounts,
    )


# --- projects ---------------------------------------------------------------------------------------------

#: The editor's columns: the file's fields, the description, and a point's position.
PROJECT_EDIT_COLUMNS = (*PROJECT_FIELDS, "description", "lon", "lat")


def load_projects(source: DataSource) -> Editable:
    """Projects with their attributes; points carry ``lon``/``lat`` (lines and areas keep their shape)."""
    content = source.read_bytes(PROJECTS_FILE)
    frame, _ = read_layer(content, PROJECTS_KEY)
    rows = []
    for rec, geom in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True):
        row = {c: rec.get(c) for c in PROJECT_EDIT_COLUMNS if c not in ("lon", "lat")}
        row["sector"] = SECTORS.get(str(rec.get("sector")), rec.get("sector"))
        row["status"] = PROJECT_STATUSES.get(str(rec.get("status")), rec.get("status"))
        is_point = geom is not None and geom.geom_type == "Point"
        row["lon"] = round(geom.x, 6) if is_point else None
        row["lat"] = round(geom.y, 6) if is_point else None
        rows.append(row)
    return Editable(
        PROJECTS_FILE, pd.DataFrame(rows, columns=list(PROJECT_EDIT_COLUMNS)), source.version(PROJECTS_FILE)
    )


def save_projects(
    source: DataSource,
    frame: pd.DataFrame,
    *,
    base_sha: str,
    author: User | str,
    accounts: Path | None = None,
) -> Version | None:
    """Store the edited projects: attributes, new points, moved points.

    A row with a new id and ``lon``/``lat`` adds a point project; changing a
    point's ``lon``/``lat`` moves it; lines and areas keep their geometry.
    Deleted rows are removed. Defence and security projects are stored
    sensitive; changing a sensitive project's sector or flag needs an
    administrator and is logged (:func:`~borderplan_geo.layers.sensitive_rule`).

    Raises
    ------
    DataError
        Each problem by editor row (a position outside the district included;
        a sensitive project changed by someone who is not an administrator).
    StaleSaveError
        When someone saved the projects after this table was loaded.
    AuthError
        When the author's account no longer exists.
    """
    content = source.read_bytes(PROJECTS_FILE)
    old_doc: dict[str, Any] = (
        json.loads(content.decode("utf-8-sig")) if content else {"type": "FeatureCollection", "features": []}
    )
    old_geoms = {str(f["properties"].get("id")): f["geometry"] for f in old_doc.get("features", [])}
    old_props = {str(f["properties"].get("id")): f["properties"] for f in old_doc.get("features", [])}
    problems: list[Problem] = []
    admin_changes: list[Problem] = []
    features: list[dict[str, Any]] = []
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        fid = _text(rec.get("id"))
        # Start from the stored feature so properties the editor does not show (length_km…) survive.
        props: dict[str, object] = dict(old_props.get(fid, {}))
        for c in PROJECT_FIELDS:
            value = clean_value(rec.get(c))
            props[c] = None if value is None or (isinstance(value, float) and math.isnan(value)) else value
        props["description"] = _text(rec.get("description"))
        props["sector"] = _key_of(props.get("sector"), SECTORS)
        props["status"] = _key_of(props.get("status"), PROJECT_STATUSES)
        rule = sensitive_rule(PROJECTS_KEY, old_props.get(fid), props)
        if rule.needs_admin:
            admin_changes.append(Problem(EDITOR, sensitive_message(rule), i, rule.admin_fields[0], fid))
        for c in ("progress", "budget_vnd", "start_year", "end_year"):
            if isinstance(props.get(c), float) and float(props[c]).is_integer():  # type: ignore[arg-type]
                props[c] = int(props[c])  # type: ignore[call-overload]
        lon, lat = rec.get("lon"), rec.get("lat")
        has_point = (
            lon is not None
            and lat is not None
            and not (isinstance(lon, float) and math.isnan(lon))
            and not (isinstance(lat, float) and math.isnan(lat))
        )
        geometry: Any = old_geoms.get(fid)
        if has_point:
            try:
                point = Point(parse_number(lon, machine=True), parse_number(lat, machine=True))
            except ValueError as exc:
                problems.append(Problem(EDITOR, str(exc), row=i, column="lon"))
                continue
            old = old_geoms.get(fid)
            if old is None or old.get("type") == "Point":
                geometry = mapping(point)
        if geometry is None:
            problems.append(Problem(EDITOR, "dự án mới cần tọa độ (kinh độ, vĩ độ)", row=i, column="lon"))
            continue
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    if problems:
        raise DataError(problems)
    new_doc = {"type": "FeatureCollection", "name": PROJECTS_KEY, "features": features}
    new_content = json.dumps(new_doc, ensure_ascii=False, indent=1).encode("utf-8")
    units, _ = read_units(source)
    outline = None
    if not units.empty:
        outline = gpd.GeoSeries([district_outline(units)], crs=units.crs).to_crs(METRIC).iloc[0]
    _, found = read_layer(new_content, PROJECTS_KEY, label=EDITOR, outline_metric=outline)
    _raise_errors(found, offset=0)
    new_props = {str(f["properties"]["id"]): f["properties"] for f in features}
    new_geoms = {str(f["properties"]["id"]): f["geometry"] for f in features}

    def keyed(props: Mapping[str, Any], geoms: Mapping[str, Any]) -> dict[tuple[str], dict[str, str]]:
        out: dict[tuple[str], dict[str, str]] = {}
        for fid, p in props.items():
            row = {k: _text(v) for k, v in p.items()}
            geom = geoms.get(fid)
            if isinstance(geom, dict):
                row["geometry"] = shapely.geometry.shape(geom).wkt
            out[(fid,)] = row
        return out

    changes = _diff(keyed(old_props, old_geoms), keyed(new_props, new_geoms), lambda k: str(k[0]))
    if changes and admin_changes:
        writer = writer_of(source, author, accounts)
        require_admin(admin_changes, writer)
        changes += [
            Change(r, f, None, t)
            for r, f, t in sensitive_audit([str(p.value) for p in admin_changes], writer)
        ]
    return _save(
        source,
        PROJECTS_FILE,
        new_content,
        base_sha=base_sha,
        author=author,
        changes=changes,
        note="sửa dự án",
        accounts=accounts,
    )


# --- works that new boundaries left outside their commune ----------------------------------------------


@dataclass(frozen=True)
class Reassigned:
    """One layer file saved by :func:`reassign_works`: its key, the new version, the works moved."""

    layer: str
    version: Version
    moved: tuple[str, ...]


def reassign_works(
    source: DataSource,
    outside: pd.DataFrame,
    *,
    ids: Sequence[str] | None = None,
    author: User | str,
    accounts: Path | None = None,
) -> list[Reassigned]:
    """Give the works outside their commune the commune their position is in, and save.

    ``outside`` is the list the map, ``validate`` and the import review show
    (:func:`~borderplan_geo.boundaries.features_outside_communes`); ``ids``
    chooses some of them (default: every one whose position lies in a
    commune; one outside the district has no commune to take and is refused). The commune is taken from the
    position by :func:`~borderplan_geo.boundaries.communes_at`, the rule
    imports use; only ``commune_code``/``commune_name`` change, every other
    property and the geometry stay as stored. Each layer file is one saved
    version with its changes in the audit log, so ``undo`` brings it back.
    Keeping a work's recorded commune is doing nothing.

    Raises
    ------
    DataError
        An id that is not in the list of works outside their commune, or whose
        position is outside the district (its coordinates need checking).
    StaleSaveError
        A layer was saved by someone else meanwhile (nothing written for it).
    AuthError
        The author's account no longer exists.
    """
    from .boundaries import communes_at

    records = outside.to_dict("records") if len(outside) else []
    movable = {str(r["id"]) for r in records if str(r.get("found_code") or "")}
    beyond = {str(r["id"]) for r in records} - movable
    wanted = movable if ids is None else {str(i) for i in ids}
    problems = [
        Problem(
            "gán lại xã",
            f"{clean_text(i)}: vị trí ở ngoài huyện Tân Hồng, không xã nào chứa nó — kiểm tra lại tọa độ"
            if i in beyond
            else f"{clean_text(i)} không có trong danh sách công trình nằm ngoài xã của mình",
        )
        for i in sorted(wanted - movable)
    ]
    if problems:
        raise DataError(problems)
    units, _ = read_units(source)
    done: list[Reassigned] = []
    for key in dict.fromkeys(str(k) for k in outside["layer"]) if len(outside) else []:
        rel = layer_file(key)
        content = source.read_bytes(rel)
        if content is None:
            continue
        base_sha = source.version(rel)
        doc = json.loads(content.decode("utf-8-sig"))
        changes: list[Change] = []
        moved: list[str] = []
        for feature in doc.get("features", []):
            props = feature.get("properties") or {}
            fid = str(props.get("id"))
            if fid not in wanted or not feature.get("geometry"):
                continue
            codes = communes_at(shapely.geometry.shape(feature["geometry"]), units)
            code, name = ";".join(codes), "; ".join(get_unit(c).name for c in codes)
            for field, new in (("commune_code", code), ("commune_name", name)):
                if _text(props.get(field)) != new:
                    changes.append(Change(fid, field, props.get(field), new))
                    props[field] = new
            moved.append(fid)
        new_content = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
        version = _save(
            source,
            rel,
            new_content,
            base_sha=base_sha,
            author=author,
            changes=changes,
            note=f"gán lại xã theo vị trí cho {len(moved)} công trình sau khi thay ranh giới",
            accounts=accounts,
        )
        if version is not None:
            done.append(Reassigned(key, version, tuple(moved)))
    return done
