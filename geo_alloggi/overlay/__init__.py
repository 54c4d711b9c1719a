"""Overlay records on districts: assign points, aggregate per district and period.

:func:`assign_districts` puts points into districts (a point on a shared border
goes to exactly one district, the lowest ``district_id``); :func:`aggregate`
turns a :class:`~geo_alloggi._records.Records` into one row per district and
period with the stock of occupied units at the end of the period, the flows of
new occupations and executed evictions, the stock of vacant units, the rate per
100 units and the change against the previous period.

Suppression: :func:`aggregate` returns the **raw** table by default (what the
statistics need); pass ``suppress=True`` (or call
:func:`geo_alloggi.disclosure.suppress` on the raw table) for anything shared.
The ``suppressed`` column lists the suppressed columns of each row (``""`` when
none) and ``attrs["suppressed"]`` says whether disclosure control ran.

One module per job:

* ``_rule`` — the one district rule (:func:`lonlat_points` and the point
  locator both public functions share);
* ``_assign`` — :func:`assign_districts`;
* ``_placing`` — estates and record tables placed in districts;
* ``_spells`` — stocks and flows of dated spells per district and period;
* ``_aggregate`` — :func:`aggregate`, the district × period table.
"""

from __future__ import annotations

from geo_alloggi._periods import period_labels
from geo_alloggi.overlay._aggregate import aggregate
from geo_alloggi.overlay._assign import assign_districts
from geo_alloggi.overlay._rule import lonlat_points

__all__ = ["aggregate", "assign_districts", "lonlat_points", "period_labels"]
