"""The ``export`` command: ``python -m borderplan_geo export --format html|png|pdf --out PATH``.

Kept apart from :mod:`borderplan_geo.exports` so that the other commands do not
load matplotlib and reportlab: the handler imports the exports when it runs.
:func:`add_export_command` registers the command on the parser that
:func:`borderplan_geo.cli.build_parser` builds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .settings import PLAN_YEARS
from .targets import INDICATOR_CODES

FORMATS: tuple[str, ...] = ("html", "png", "pdf")


def add_export_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Register ``export`` on the sub-command parsers ``sub``; ``common`` carries ``--data``."""
    p = sub.add_parser(
        "export",
        parents=[common],
        help="xuất bản đồ HTML (dùng không cần mạng), ảnh PNG 1920×1080 hoặc tài liệu PDF A4",
        description=(
            "Xuất bản đồ cho cuộc họp. Mặc định không kèm nội dung quốc phòng – an ninh; số liệu minh họa "
            "và vị trí gần đúng luôn được ghi chú trên bản xuất."
        ),
    )
    p.add_argument("--format", choices=FORMATS, required=True, help="định dạng: html, png hoặc pdf")
    p.add_argument("--out", type=Path, required=True, help="tệp ghi ra (ghi đè nguyên vẹn nếu đã có)")
    p.add_argument("--view", default=None, help="tên khung nhìn đã lưu (data/views/slides.json)")
    p.add_argument(
        "--indicator", choices=INDICATOR_CODES, default=None, help="mã chỉ tiêu (ghi đè khung nhìn)"
    )
    p.add_argument("--year", type=int, choices=PLAN_YEARS, default=None, help="năm (mặc định: năm mới nhất)")
    p.add_argument(
        "--units", choices=("2020", "2025"), default=None, help="đơn vị trước (2020) hoặc từ 1/7/2025 (2025)"
    )
    p.add_argument(
        "--include-sensitive",
        action="store_true",
        help="kèm nội dung quốc phòng – an ninh (chỉ dùng nội bộ)",
    )
    p.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    """Make the export and write it atomically; a Vietnamese message and exit code 1 on failure."""
    from ._errors import BorderplanError, DataError
    from .dataset import data_source, load_dataset
    from .exports import ExportError, check_writable, export_bytes, resolve_options, write_atomic

    out = Path(args.out)
    try:
        check_writable(out)
        dataset = load_dataset(data_source(data_dir=args.data))
        options = resolve_options(
            dataset,
            view=args.view,
            indicator=args.indicator,
            year=args.year,
            units=int(args.units) if args.units else None,
            include_sensitive=args.include_sensitive,
        )
        content = export_bytes(dataset, args.format, options, include_sensitive=args.include_sensitive)
        write_atomic(out, content)
    except DataError:
        raise  # cli.main lists every problem, one line each
    except ExportError as exc:
        sys.stderr.write(f"Lỗi: {exc}\n")
        return 1
    except BorderplanError as exc:
        sys.stderr.write(f"Lỗi khi xuất {args.format.upper()}: {exc}\n")
        return 1
    size = len(content)
    human = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} kB"
    sys.stdout.write(f"Đã ghi {out} ({human.replace('.', ',')})\n")
    if args.include_sensitive:
        sys.stdout.write("Lưu ý: tệp có nội dung quốc phòng – an ninh, không chia sẻ ra ngoài.\n")
    return 0
