"""Page open → map drawn, and control change → map redrawn: the app against the floor, in one run.

Run: ``.venv/bin/python benchmarks/bench_page.py [--repeat 3]``

The floor is ``benchmarks/floor_app.py``: a Streamlit page with a title and ``st_folium`` of the nine
2020 units, Leaflet from ``static/vendor``, no tiles. For each page, ``--repeat`` times: start a new
server and open the page once (cold: the server's first visit), then open it again in a fresh browser
context (warm), then change one control and time the redraw (the floor recolours its polygons; the
app switches indicator). Requests outside the host are refused. Prints medians, the ratios app/floor
and what one warm visit loads (requests, bytes). Machines here are noisy: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pages import chromium, median, serve, time_rerun, time_to_map

GOALS = {"cold": 1.5, "warm": 1.3, "rerun": 1.5}


def measure(kind: str, repeat: int) -> dict[str, object]:
    cold: list[float] = []
    warm: list[float] = []
    rerun: list[float] = []
    loads: list[tuple[int, int]] = []
    with chromium() as browser:
        for _ in range(repeat):
            with serve(kind) as server:
                t, visit = time_to_map(browser, server.url)
                cold.append(t)
                visit.context.close()
                t, visit = time_to_map(browser, server.url)
                warm.append(t)
                loads.append((len(visit.requests), sum(visit.sizes)))
                rerun.append(time_rerun(visit.page, kind))
                visit.context.close()
    return {"cold": cold, "warm": warm, "rerun": rerun, "loads": loads}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results = {kind: measure(kind, args.repeat) for kind in ("floor", "app")}
    print(f"\nPage open → map drawn; control change → map redrawn (median of {args.repeat}, seconds)\n")
    print(f"{'':<22}{'cold':>8}{'warm':>8}{'rerun':>8}{'requests':>10}{'MB':>7}")
    for kind in ("floor", "app"):
        r = results[kind]
        loads = r["loads"]
        assert isinstance(loads, list)
        reqs = median([float(n) for n, _ in loads])
        mb = median([b / 1e6 for _, b in loads])
        print(
            f"{kind:<22}{median(r['cold']):>8.2f}{median(r['warm']):>8.2f}{median(r['rerun']):>8.2f}"  # type: ignore[arg-type]
            f"{reqs:>10.0f}{mb:>7.2f}"
        )
    line = f"{'ratio app/floor':<22}"
    verdicts = []
    for what in ("cold", "warm", "rerun"):
        ratio = median(results["app"][what]) / median(results["floor"][what])  # type: ignore[arg-type]
        line += f"{ratio:>7.2f}×"
        verdicts.append(
            f"{what} {ratio:.2f}× (goal ≤ {GOALS[what]}×: {'met' if ratio <= GOALS[what] else 'NOT met'})"
        )
    print(line)
    print("\n" + "; ".join(verdicts))
    for kind in ("floor", "app"):
        r = results[kind]
        print(f"{kind} runs: cold {r['cold']}, warm {r['warm']}, rerun {r['rerun']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
