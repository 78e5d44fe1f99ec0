"""Build the map for 100, 1 000 and 10 000 projects; compare with GeoDataFrame.explore().

Run: ``.venv/bin/python benchmarks/bench_map.py [--repeat 3]``

Prints, for each size: the best build time (build_map + render to HTML), the
page size, the cost of an app rerun (build plus streamlit-folium's own
preparation of the component's arguments), and the same for geopandas' ``explore()``
on the same projects (its defaults: a GeoJson layer with tooltips and popups
of every column, tiles off so both pages are offline). Timings are the best of
``--repeat`` runs; machines here are noisy, so read them as orders of magnitude.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from borderplan_geo.dataset import Dataset, data_source, load_dataset
from borderplan_geo.layers import PROJECT_STATUSES, SECTORS
from borderplan_geo.maps import MapOptions, build_map
from borderplan_geo.units import PLAN_CODES, get_unit


def synthetic_projects(dataset: Dataset, n: int, *, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` point projects spread over the three plan communes."""
    rng = np.random.default_rng(seed)
    units = dataset.units_2020.set_index("code")
    rows = []
    sectors, statuses = list(SECTORS), list(PROJECT_STATUSES)
    per_unit = {code: units.loc[code, "geometry"] for code in PLAN_CODES}
    while len(rows) < n:
        code = PLAN_CODES[len(rows) % 3]
        poly = per_unit[code]
        minx, miny, maxx, maxy = poly.bounds
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        point = shapely.Point(x, y)
        if not poly.contains(point):
            continue
        status = statuses[int(rng.integers(len(statuses)))]
        rows.append(
            {
                "id": f"B-{len(rows):05d}",
                "name": f"Công trình thử nghiệm {len(rows)}",
                "sector": sectors[int(rng.integers(len(sectors)))],
                "commune_code": code,
                "commune_name": get_unit(code).name,
                "status": status,
                "progress": 100.0 if status == "completed" else float(rng.integers(0, 100)),
                "budget_vnd": float(rng.integers(1, 150)) * 1e9,
                "funding_source": "Ngân sách tỉnh",
                "start_year": 2021,
                "end_year": 2024,
                "agency": "Ban QLDA huyện",
                "source": "benchmark",
                "accuracy": "approximate",
                "illustrative": True,
                "sensitive": False,
                "description": "",
                "layer": "projects",
                "geometry": point,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def best(fn: object, repeat: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    args = parser.parse_args()
    shipped = load_dataset(data_source())
    shipped.status(2020)  # cached in the app too: not part of a rerun
    print(
        f"{'projects':>9} | {'BorderPlan build+render':>24} | {'page':>9} | {'app rerun':>14} | "
        f"{'explore() build+render':>23} | {'page':>9}"
    )
    print("-" * 105)
    for n in args.sizes:
        projects = synthetic_projects(shipped, n)
        dataset = replace(shipped, layers={**shipped.layers, "projects": projects})
        dataset._status = shipped._status  # same status tables: a rerun does not recompute them

        def ours(dataset: Dataset = dataset) -> str:
            m = build_map(
                dataset, MapOptions(indicator="clean_water", year=2025), asset_base_url="/app/static/vendor"
            )
            return m.get_root().render()

        def rerun(dataset: Dataset = dataset) -> str:
            # What a Streamlit rerun pays: build, then streamlit-folium's own preparation.
            from streamlit_folium import _get_header, _get_html, _get_map_string

            m = build_map(
                dataset, MapOptions(indicator="clean_water", year=2025), asset_base_url="/app/static/vendor"
            )
            m.get_root().render()
            return _get_html(m) + _get_header(m) + _get_map_string(m)

        def explore(projects: gpd.GeoDataFrame = projects) -> str:
            columns = [c for c in projects.columns if c not in ("layer",)]
            m = projects[columns].explore(tiles=None)
            return m.get_root().render()

        t_ours, html_ours = best(ours, args.repeat)
        t_rerun, _ = best(rerun, args.repeat)
        t_exp, html_exp = best(explore, args.repeat)
        print(
            f"{n:>9,} | {t_ours:>22.3f} s | {len(html_ours) / 1e6:>7.2f} MB | {t_rerun:>12.3f} s | "
            f"{t_exp:>21.3f} s | {len(html_exp) / 1e6:>7.2f} MB"
        )
    print(
        "\nBorderPlan's page also holds the communes coloured by status, the border, every layer, "
        "the legend and controls; explore() draws the projects only."
    )


if __name__ == "__main__":
    main()
