"""The command line: ``python -m borderplan_geo COMMAND``.

Command names and JSON fields are fixed: other tools depend on them.

targets   the plan's targets                      [--format table|json]
status    status per unit, indicator and year     [--year Y] [--units 2020|2025]
                                                  [--indicator CODE] [--format table|json|csv] [--all]
validate  check a data folder                     exit 0 when valid, 1 with one line per problem
user      accounts allowed to edit                add NAME [--role editor|admin] [--password-stdin] | list | remove NAME
osm-boundaries  OpenStreetMap boundaries          [--dry-run] [--from-file F] [--endpoint URL] [--timeout S] [--print-query]
export    a map or handout for meetings           --format html|png|pdf --out PATH [--view NAME] [--indicator CODE]
                                                  [--year Y] [--units 2020|2025] [--include-sensitive]
import    users' files, checked then saved        KIND FILE [--crs EPSG:NNNN] [--dry-run] [--layer KEY] [--source TEXT]
                                                  [--indicator CODE] [--year Y] [--user NAME]

Every command takes ``--data DIR``; without it the data folder is
``$BORDERPLAN_DATA`` or the repository's ``data/``.

``history`` and ``undo`` repair the data from a terminal when the app cannot
(a broken file that stops the data page before its history tab). ``undo``
follows the app's rules: it brings back the version before the newest one as a
new version, refuses when there is nothing to undo, and with
``--expect-version N`` (the version ``history`` showed) refuses if someone has
saved since. The author is ``--as NAME`` or ``$BORDERPLAN_USER``; a name that
is an account acts with that account's role.

Text from data printed in a table passes through
:func:`~borderplan_geo._text.terminal_text` (no control characters or escape
sequences reach the terminal), and ``status --format csv`` through
:func:`~borderplan_geo._text.spreadsheet_frame` (formula-looking text made inert).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from ._errors import BorderplanError, DataError, StaleSaveError
from ._export_cli import add_export_command
from ._text import spreadsheet_frame, terminal_text
from .auth import add_user_command, command_line_author
from .dataset import data_source, load_dataset, validate
from .editing import undo
from .formatting import format_number
from .importing import add_import_command
from .osm import add_osm_command
from .settings import PLAN_YEARS, get_settings
from .status import STATUS_COLUMNS, status_text
from .targets import INDICATOR_CODES, KINDS, SCOPES
from .units import unit_name

Handler = Callable[[argparse.Namespace], int]


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _clean(value: object) -> object:
    """JSON-safe: NaN → null, numpy scalars → Python."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 1 for ch in unicodedata.normalize("NFC", text))


def render_table(
    rows: Sequence[dict[str, object]], columns: Sequence[tuple[str, str]], *, max_width: int = 60
) -> str:
    """A plain-text table with Vietnamese headers; long cells are cut with "…"."""
    cells = []
    for row in rows:
        line = []
        for key, _ in columns:
            value = row.get(key)
            if isinstance(value, float):
                text = format_number(value, 1 if not math.isnan(value) else None)
            elif isinstance(value, bool):
                text = "có" if value else ""
            else:
                text = "" if value is None else terminal_text(str(value))
            if _width(text) > max_width:
                text = text[: max_width - 1] + "…"
            line.append(text)
        cells.append(line)
    headers = [terminal_text(h) for _, h in columns]
    widths = [max([_width(h), *(_width(c[i]) for c in cells)]) for i, h in enumerate(headers)]

    def fmt(parts: Sequence[str]) -> str:
        return "  ".join(p + " " * (w - _width(p)) for p, w in zip(parts, widths, strict=True)).rstrip()

    lines = [fmt(headers), "  ".join("-" * w for w in widths)]
    lines += [fmt(c) for c in cells]
    return "\n".join(lines)


# --- targets -----------------------------------------------------------------------


def cmd_targets(args: argparse.Namespace) -> int:
    dataset = load_dataset(data_source(data_dir=args.data))
    rows = []
    for t in dataset.targets:
        rows.append(
            {
                "code": t.code,
                "clause": t.clause,
                "section": t.section,
                "name": t.name,
                "kind": t.kind,
                "kind_label": KINDS[t.kind],
                "direction": t.direction,
                "comparison": t.comparison,
                "target": t.target,
                "target_text": t.target_text,
                "unit": t.unit,
                "measure": t.measure,
                "scope": t.scope,
                "scope_label": SCOPES[t.scope],
                "unit_code": t.unit_code,
                "unit_name": unit_name(t.unit_code) if t.unit_code else None,
                "level": t.level,
                "reference": t.reference,
                "base_year": t.base_year,
                "target_year": t.target_year,
                "aggregation": t.aggregation,
                "tolerance": t.tolerance,
                "plan_text": t.plan_text,
                "source": t.source,
            }
        )
    if args.format == "json":
        _out(json.dumps([{k: _clean(v) for k, v in r.items()} for r in rows], ensure_ascii=False, indent=2))
        return 0
    table_rows: list[dict[str, object]] = [
        {
            **r,
            "who": r["unit_name"] or r["scope_label"],
            "year": r["target_year"] or "hằng năm",
        }
        for r in rows
    ]
    _out(
        render_table(
            table_rows,
            [
                ("clause", "Mục"),
                ("code", "Mã"),
                ("name", "Chỉ tiêu"),
                ("target_text", "Mức cần đạt"),
                ("who", "Phạm vi"),
                ("kind_label", "Loại"),
            ],
        )
    )
    return 0


# --- status ----------------------------------------------------------------------------

#: The JSON fields of ``status``: every column of the status table.
STATUS_JSON_FIELDS = STATUS_COLUMNS


def status_rows(args: argparse.Namespace) -> pd.DataFrame:
    """The rows ``status`` prints, filtered as the options say."""
    dataset = load_dataset(data_source(data_dir=args.data))
    table = dataset.status(int(args.units))
    if args.year is not None:
        table = table[table["year"] == args.year]
    if args.indicator:
        table = table[table["indicator"] == args.indicator]
    if not args.all:
        table = table[table["in_scope"]]
    return table.reset_index(drop=True)


def cmd_status(args: argparse.Namespace) -> int:
    table = status_rows(args)
    records = [{k: _clean(r[k]) for k in STATUS_JSON_FIELDS} for r in table.to_dict("records")]
    if args.format == "json":
        _out(json.dumps(records, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        buf = io.StringIO()
        spreadsheet_frame(table.loc[:, list(STATUS_JSON_FIELDS)]).to_csv(
            buf, index=False, lineterminator="\n"
        )
        sys.stdout.write(buf.getvalue())
    else:
        shown = [{**r, "status_text": status_text(r)} for r in records]
        _out(
            render_table(
                shown,
                [
                    ("unit_name", "Đơn vị"),
                    ("indicator_name", "Chỉ tiêu"),
                    ("year", "Năm"),
                    ("value_text", "Giá trị"),
                    ("target_text", "Mục tiêu"),
                    ("status_text", "Tình trạng"),
                    ("reason", "Lý do"),
                    ("illustrative", "Minh họa"),
                ],
                max_width=90,
            )
        )
        if any(r["illustrative"] for r in records):
            _out(
                "\nLưu ý: các dòng 'Minh họa' dùng số liệu giả định để trình diễn, không phải số liệu báo cáo."
            )
    return 0


# --- validate ---------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    source = data_source(data_dir=args.data)
    problems = validate(source)
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        _out(str(p))
    if errors:
        sys.stderr.write(f"Dữ liệu không hợp lệ: {len(errors)} lỗi trong {source.data_dir}\n")
        return 1
    _out(f"Dữ liệu hợp lệ: {source.data_dir} ({len(problems)} cảnh báo)")
    return 0


# --- history and undo ------------------------------------------------------------------


def _store_error(exc: sqlite3.Error, path: Path) -> int:
    sys.stderr.write(
        f"{path}: lỗi: kho dữ liệu không đọc được ({exc}); không sửa gì. "
        "Chép tệp này ra chỗ khác rồi kiểm tra, hoặc khôi phục từ bản sao lưu.\n"
    )
    return 1


def cmd_history(args: argparse.Namespace) -> int:
    """``history [FILE]``: every saved version, newest first (path, version, author, time, note)."""
    source = data_source(data_dir=args.data)
    store = source.store
    assert store is not None
    try:
        versions = store.history(args.file)
    except sqlite3.Error as exc:
        return _store_error(exc, store.path)
    if args.limit:
        versions = versions[: args.limit]
    rows: list[dict[str, object]] = [
        {
            "path": v.path,
            "version": v.version,
            "author": v.author,
            "saved_at": v.saved_at,
            "note": v.note,
            "removed": v.sha256 == "none",
        }
        for v in versions
    ]
    if args.format == "json":
        _out(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        where = f" của {terminal_text(args.file)}" if args.file else ""
        _out(
            f"Chưa có phiên bản nào{where} trong kho {store.path}: đang dùng các tệp gốc trong {source.data_dir}."
        )
        return 0
    shown = [
        {**r, "saved_at": str(r["saved_at"])[:19].replace("T", " "), "version": str(r["version"])}
        for r in rows
    ]
    _out(
        render_table(
            shown,
            [
                ("path", "Tệp"),
                ("version", "Phiên bản"),
                ("saved_at", "Lúc (UTC)"),
                ("author", "Người lưu"),
                ("note", "Ghi chú"),
            ],
        )
    )
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    """``undo FILE --as NAME [--expect-version N]``: bring back the version before the newest one."""
    settings = get_settings(data_dir=args.data)
    source = data_source(data_dir=args.data)
    store = source.store
    assert store is not None
    name = (args.author or os.environ.get("BORDERPLAN_USER") or "").strip()
    if not name:
        sys.stderr.write(
            "Lỗi: cần ghi tên người hoàn tác: --as TÊN (hoặc biến môi trường BORDERPLAN_USER); chưa sửa gì.\n"
        )
        return 1
    try:
        base_sha = None
        if args.expect_version is not None:
            seen = [v for v in store.history(args.file) if v.version == args.expect_version]
            if not seen:
                raise StaleSaveError(
                    f"Không có phiên bản {args.expect_version} của {args.file} trong kho: xem lại bằng lệnh history."
                )
            base_sha = seen[0].sha256
        target, undone, restored = store.undo_target(args.file, folder_content=source.folder_bytes(args.file))
        version = undo(
            source,
            args.file,
            author=command_line_author(settings.users, name),
            base_sha=base_sha,
            accounts=settings.users,
        )
    except sqlite3.Error as exc:
        return _store_error(exc, store.path)
    if target is None:
        what = "không còn tệp này (phiên bản được hoàn tác đã tạo ra nó)"
    elif restored is None:
        what = "tệp gốc trong thư mục dữ liệu"
    else:
        what = f"như phiên bản {restored.version} ({terminal_text(restored.note)})"
    _out(
        f"Đã hoàn tác phiên bản {undone.version} của {terminal_text(args.file)} "
        f"(lưu bởi {terminal_text(undone.author)} lúc {undone.saved_at[:19].replace('T', ' ')} UTC: "
        f"{terminal_text(undone.note)}).\n"
        f"Dữ liệu trở lại {what}. Phiên bản mới: {version.version}, người hoàn tác: {terminal_text(version.author)}. "
        "Hoàn tác thêm lần nữa sẽ lùi thêm một lần lưu."
    )
    return 0


# --- parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m borderplan_geo",
        description="BorderPlan Geo — theo dõi Kế hoạch phát triển KT-XH 03 xã biên giới huyện Tân Hồng 2020–2025",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data", type=Path, default=None, help="thư mục dữ liệu (mặc định: $BORDERPLAN_DATA hoặc data/)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("targets", parents=[common], help="các chỉ tiêu của Kế hoạch")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=cmd_targets)

    p = sub.add_parser("status", parents=[common], help="tình trạng thực hiện theo xã, chỉ tiêu, năm")
    p.add_argument("--year", type=int, choices=PLAN_YEARS, default=None)
    p.add_argument(
        "--units", choices=("2020", "2025"), default="2020", help="đơn vị trước (2020) hoặc từ 1/7/2025"
    )
    p.add_argument("--indicator", choices=INDICATOR_CODES, default=None)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument(
        "--all", action="store_true", help="kèm cả số từng xã của chỉ tiêu chung 3 xã (để tham khảo)"
    )
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("validate", parents=[common], help="kiểm tra thư mục dữ liệu")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser(
        "history",
        parents=[common],
        help="các phiên bản đã lưu trong kho (ai, lúc nào, ghi chú)",
        description="Liệt kê các phiên bản tệp dữ liệu đã lưu trong kho của người dùng, mới nhất trước.",
    )
    p.add_argument(
        "file", nargs="?", default=None, metavar="FILE", help="chỉ một tệp, ví dụ indicators/values.csv"
    )
    p.add_argument("--limit", type=int, default=0, metavar="N", help="chỉ N phiên bản mới nhất (0: tất cả)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser(
        "undo",
        parents=[common],
        help="hoàn tác lần lưu gần nhất của một tệp (như nút Hoàn tác trên ứng dụng)",
        description="Đưa tệp về phiên bản trước lần lưu gần nhất, lưu thành phiên bản mới (không xóa gì). "
        "Dùng khi ứng dụng hỏng không mở được trang Dữ liệu.",
    )
    p.add_argument(
        "file", metavar="FILE", help="tệp dữ liệu, ví dụ projects/projects.geojson (xem lệnh history)"
    )
    p.add_argument(
        "--as",
        dest="author",
        default=None,
        metavar="TÊN",
        help="người hoàn tác, ghi vào nhật ký (mặc định: $BORDERPLAN_USER); tên tài khoản thì theo vai trò của nó",
    )
    p.add_argument(
        "--expect-version",
        type=int,
        default=None,
        metavar="N",
        help="phiên bản mới nhất bạn đã xem (lệnh history); có người lưu sau đó thì từ chối",
    )
    p.set_defaults(handler=cmd_undo)

    add_user_command(sub, common)
    add_osm_command(sub, common)
    add_import_command(sub, common)
    add_export_command(sub, common)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "data", None) is None:
        args.data = get_settings().data_dir
    handler: Handler = args.handler
    try:
        return handler(args)
    except DataError as exc:
        for p in exc.problems:
            sys.stderr.write(f"{p}\n")
        return 1
    except BorderplanError as exc:
        sys.stderr.write(f"Lỗi: {exc}\n")
        return 1
    except Exception as exc:  # an input no check foresaw: a message and exit code 1, never a traceback
        if os.environ.get("BORDERPLAN_DEBUG"):
            raise
        sys.stderr.write(
            f"Lỗi không lường trước khi chạy lệnh '{args.command}' ({type(exc).__name__}: {str(exc)[:300]}): "
            f"kiểm tra dữ liệu bằng 'python -m borderplan_geo validate --data {args.data}'; "
            "đặt BORDERPLAN_DEBUG=1 để xem chi tiết kỹ thuật\n"
        )
        return 1
