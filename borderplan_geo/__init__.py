"""BorderPlan Geo: the 2020–2025 plan of Tân Hồng's three border communes, on a map.

The library holds every rule of the domain as plain functions; it never imports
streamlit. Modules, by job:

units       the 9 units before and 4 communes since 1 July 2025; name normalisation
targets     the plan's targets, as data
indicators  measured values, criteria, population, reference series
status      status per unit × indicator × year, aggregation, ranking
boundaries  commune polygons, the border line, the 2025 dissolve
layers      map layers and projects
dataset     one data folder read whole; validation
store       the users' SQLite store over the data folder
cli         ``python -m borderplan_geo``
"""

from __future__ import annotations

__version__ = "0.1.0"
