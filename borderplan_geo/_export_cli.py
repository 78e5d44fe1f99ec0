"""The ``export`` command: ``python -m borderplan_geo export --format html|png|pdf|slides --out PATH``.

Kept apart from :mod:`borderplan_geo.exports` so that the other commands do not
load matplotlib and reportlab: the handler imports the exports when it runs.
:func:`add_export_command` registers the command on the parser that
:func:`borderplan_geo.cli.build_parser` builds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .formatting import format_size
from .settings import PLAN_YEARS
from .targets import INDICATOR_CODES

if TYPE_CHECKING:
    from .dataset import Dataset

FORMATS: tuple[str, ...] = ("html", "png", "pdf", "slides")


def add_export_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Register ``export`` on the sub-command parsers ``sub``; ``common`` carries ``--data``."""
    p = sub.add_parser(
        "export",
        parents=[common],
        help="xuất bản đồ HTML (dùng không cần mạng), ảnh PNG 1920×1080, tài liệu PDF A4 "
        "hoặc bộ trang chiếu HTML (mọi trang chiếu trong một tệp, dùng không cần mạng)",
        description=(
            "Xuất bản đồ cho cuộc họp. Mặc định không kèm nội dung quốc phòng – an ninh; số liệu minh họa "
            "và vị trí gần đúng luôn được ghi chú trên bản xuất."
        ),
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        required=True,
        help="định dạng: html, png, pdf, hoặc slides (bộ trang chiếu trong một tệp HTML)",
    )
    p.add_argument("--out", type=Path, required=True, help="tệp ghi ra (ghi đè nguyên vẹn nếu đã có)")
    p.add_argument("--view", default=None, help="tên trang chiếu đã lưu (data/views/slides.json)")
    p.add_argument(
        "--indicator", choices=INDICATOR_CODES, default=None, help="mã chỉ tiêu (ghi đè trang chiếu)"
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
        if args.format == "slides":
            content = _slides(args, dataset)
            write_atomic(out, content)
            return _written(out, content, args)
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
    return _written(out, content, args)


def _slides(args: argparse.Namespace, dataset: Dataset) -> bytes:
    """The slideshow: every saved view, so the options that choose one view do not apply."""
    from .exports import ExportError
    from .slideshow import export_slideshow

    chosen = [
        f"--{name}" for name in ("view", "indicator", "year", "units") if getattr(args, name) is not None
    ]
    if chosen:
        raise ExportError(
            f"--format slides xuất mọi trang chiếu của data/views/slides.json; bỏ {', '.join(chosen)} "
            "(hoặc dùng --format html cho một trang chiếu)"
        )
    return export_slideshow(dataset, include_sensitive=args.include_sensitive).encode("utf-8")


def _written(out: Path, content: bytes, args: argparse.Namespace) -> int:
    size = len(content)
    sys.stdout.write(f"Đã ghi {out} ({format_size(size)})\n")
    if args.include_sensitive:
        sys.stdout.write("Lưu ý: tệp có nội dung quốc phòng – an ninh, không chia sẻ ra ngoài.\n")
    return 0
