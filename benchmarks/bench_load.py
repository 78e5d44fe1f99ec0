"""Many viewers on one server: 10, then 25, then 50 sessions opening the map page.

Run: ``.venv/bin/python benchmarks/bench_load.py [--sessions 10 25 50] [--stagger 0.3] [--timeout 180]``

For each count, a new app server is started and warmed by one visit (its time is the "single warm
visit" the goal refers to); then the sessions are opened, one every ``--stagger`` seconds, each in a
fresh browser context of one Chromium, and every page is polled until its map draws (or ``--timeout``
passes: an error). All sessions stay open while the server's resident memory is read. Prints p50/p95
time to map, errors, the memory per session, and the goals (no error, p95 ≤ 4× the warm visit,
≤ 15 MB per session). Browser and server share this machine's cores, so the figures include the
browser's own work for the other sessions: read the ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pages import chromium, drawn, open_page, percentile, serve, time_to_map


def run(count: int, stagger: float, timeout: float) -> dict[str, float]:
    with serve("app") as server, chromium() as browser:
        warm_t, first = time_to_map(browser, server.url)
        first.context.close()
        time.sleep(1.0)
        base_rss = server.rss_mb()
        visits, started, done, errors = [], [], {}, 0
        t_begin = time.perf_counter()
        next_start = t_begin
        while len(done) + errors < count:
            now = time.perf_counter()
            if len(visits) < count and now >= next_start:
                visit = open_page(browser, server.url)
                started.append(time.perf_counter())
                visit.page.goto(server.url, wait_until="commit")
                visits.append(visit)
                next_start = now + stagger
            for i, visit in enumerate(visits):
                if i in done:
                    continue
                if drawn(visit.page):
                    done[i] = time.perf_counter() - started[i]
                elif time.perf_counter() - started[i] > timeout:
                    done[i] = float("nan")
                    errors += 1
            if visits:
                visits[-1].page.wait_for_timeout(50)
        errors = sum(1 for t in done.values() if t != t)
        time.sleep(2.0)
        rss = server.rss_mb()
        for visit in visits:
            with contextlib.suppress(Exception):
                visit.context.close()
    times = [t for t in done.values() if t == t]
    return {
        "warm": warm_t,
        "p50": percentile(times, 0.5),
        "p95": percentile(times, 0.95),
        "errors": float(errors),
        "base_mb": base_rss,
        "rss_mb": rss,
        "per_session_mb": (rss - base_rss) / count,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--stagger", type=float, default=0.3)
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args(argv)
    print(
        f"{'sessions':>8}{'warm 1':>8}{'p50':>8}{'p95':>8}{'p95/warm':>10}{'errors':>8}{'server MB':>11}{'MB/session':>12}"
    )
    for n in args.sessions:
        r = run(n, args.stagger, args.timeout)
        print(
            f"{n:>8}{r['warm']:>8.2f}{r['p50']:>8.2f}{r['p95']:>8.2f}{r['p95'] / r['warm']:>9.2f}×"
            f"{int(r['errors']):>8}{r['rss_mb']:>11.0f}{r['per_session_mb']:>12.1f}",
            flush=True,
        )
    print("goals at 50: no error, p95 ≤ 4× a single warm visit, ≤ 15 MB per session")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
