"""Preview an import of 100, 2 000 and 10 000 project rows (CSV); refuse 200 000 and a 900 MB workbook.

Run: ``.venv/bin/python benchmarks/bench_import.py [--repeat 2]``

Prints, for each size, the best time of :func:`borderplan_geo.importing.preview`
(read, check every row, merge, validate the whole data set again) on a copy of
the shipped data, and the time to refuse the files past the import limits
(:class:`borderplan_geo.settings.ImportLimits`: 10 000 rows, 200 MB inflated).
The limit of 10 000 rows is what this prints for 10 000 rows: a file at the
limit is previewed in seconds, not minutes. Machines here are noisy: read the
figures as orders of magnitude.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from borderplan_geo.importing import preview  # noqa: E402
from borderplan_geo.store import DataSource, Store  # noqa: E402
from tests.hostile_files import bomb_xlsx  # noqa: E402

HEADER = "Mã;Tên dự án;Lĩnh vực;Xã;Tình trạng;Tiến độ (%);Kinh độ;Vĩ độ;Nguồn\n"
ROW = "DA-B{i};Đường số {i};Giao thông;Tân Hộ Cơ;Đang thi công;40;105,45;10,90;NQ\n"


def rows(n: int) -> bytes:
    return (HEADER + "".join(ROW.format(i=i) for i in range(n))).encode()


def best(repeat: int, run: object) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("store.sqlite*", "users.json"))
        source = DataSource(data, Store(Path(tmp) / "store.sqlite"))
        print(f"{'file':34} {'seconds':>8}  result")
        for n in (100, 2_000, 10_000 - 1):
            content = rows(n)
            seconds, pv = best(args.repeat, lambda c=content: preview("projects", "du_an.csv", c, source))
            print(f"{f'{n + 1} rows (CSV, header included)':34} {seconds:8.2f}  {pv.summary()}")  # type: ignore[attr-defined]
        for label, name, content in [
            ("200 000 rows (CSV)", "du_an.csv", rows(200_000)),
            ("sheet inflating to 900 MB (xlsx)", "bom.xlsx", bomb_xlsx(900 << 20)),
        ]:
            seconds, pv = best(args.repeat, lambda c=content, n=name: preview("projects", n, c, source))
            print(f"{label:34} {seconds:8.2f}  {pv.errors[0].message[:90]}")  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
