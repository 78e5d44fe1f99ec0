"""Run the hostile-file corpus (tests/hostile_cases.py) and print the closing note's table.

Usage::

    .venv/bin/python tools/hostile_report.py                       # this checkout, one process per case
    .venv/bin/python tools/hostile_report.py --repo ../main-copy   # another checkout (same dependencies)
    .venv/bin/python tools/hostile_report.py --repo A --repo B     # side by side: before and after
    .venv/bin/python tools/hostile_report.py --only VRT --cases    # some cases, one line each

Each case runs as ``python -m borderplan_geo …`` (or the library's ``preview``)
in the given checkout, with the corpus of this checkout building the files;
a case is killed at 30 s (a hang) and may take 4 GB of memory (past it Python
stops with MemoryError: a traceback). The table counts, per checkout: kinds
tried, Vietnamese messages naming the file, the expected message, hangs,
tracebacks, cases that changed bytes of the data folder or the store, and
cases where a line of a local file or a request to the local server leaked.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile_cases import CASES  # noqa: E402
from tests.hostile_corpus import Outcome, run_case  # noqa: E402

ROWS: list[tuple[str, str]] = [
    ("kinds tried", "tried"),
    ("Vietnamese message naming the file", "vietnamese"),
    ("expected message", "expected"),
    ("hangs (killed at 30 s)", "hung"),
    ("tracebacks", "traceback"),
    ("store or data bytes changed", "changed"),
    ("local file / request leaked", "leaked"),
    ("cases passing every check", "passing"),
]


def count(outcomes: list[Outcome]) -> dict[str, int]:
    """The table's figures for one checkout."""
    return {
        "tried": len(outcomes),
        "vietnamese": sum(o.vietnamese for o in outcomes),
        "expected": sum(o.expected for o in outcomes),
        "hung": sum(o.hung for o in outcomes),
        "traceback": sum(o.traceback for o in outcomes),
        "changed": sum(bool(o.changed) for o in outcomes),
        "leaked": sum(bool(o.leaked) for o in outcomes),
        "passing": sum(not o.failures() for o in outcomes),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", action="append", type=Path, help="checkout to run (repeat to compare)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with the dependencies")
    parser.add_argument("--only", default="", help="run the cases whose name holds this text")
    parser.add_argument("--cases", action="store_true", help="print one line per case")
    args = parser.parse_args(argv)
    repos = [r.resolve() for r in (args.repo or [ROOT])]
    cases = [c for c in CASES if args.only.lower() in c.name.lower()]
    results: dict[Path, list[Outcome]] = {}
    for repo in repos:
        outcomes = []
        for case in cases:
            with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
                outcome = run_case(case, Path(tmp), python=args.python, cwd=repo)
            outcomes.append(outcome)
            if args.cases:
                status = "ok" if not outcome.failures() else "; ".join(outcome.failures())
                print(
                    f"[{repo.name}] {case.section:8} {case.name[:58]:58} {outcome.seconds:5.1f}s  {status[:160]}"
                )
                sys.stdout.flush()
        results[repo] = outcomes
    by_section: dict[str, int] = {}
    for case in cases:
        by_section[case.section] = by_section.get(case.section, 0) + 1
    print()
    print("Kinds by section: " + ", ".join(f"{k} {v}" for k, v in by_section.items()))
    figures = {repo: count(o) for repo, o in results.items()}
    width = max(len(r.name) for r in repos) + 2
    print(f"| {'':38} |" + "".join(f" {r.name:>{width}} |" for r in repos))
    print(f"|{'-' * 40}|" + "".join(f"{'-' * (width + 2)}|" for _ in repos))
    for label, key in ROWS:
        print(f"| {label:38} |" + "".join(f" {figures[r][key]:>{width}} |" for r in repos))
    return 0


if __name__ == "__main__":
    sys.exit(main())
