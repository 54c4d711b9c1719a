"""The container of record tables passed between layers.

Canonical columns (names from :mod:`geo_alloggi._schema`); readers in
:mod:`geo_alloggi.io` and generators in :mod:`geo_alloggi.synthetic` both
produce frames in this form, and :mod:`geo_alloggi.overlay` consumes them.

estates (GeoDataFrame, EPSG:4326; geometry may be empty when not yet placed)
    ``estate_id`` (str, unique), ``name``, ``address``, ``comune``, ``owner``
    (``Aler`` or ``Comune-MM``), ``units`` (int > 0), ``lon``, ``lat``,
    ``position_source`` (one of ``_schema.POSITION_SOURCES``: ``input``,
    ``civic_point``, ``seeded_point``, ``geocoded``...; ``comune`` when, without
    a position, the estate was assigned to the one district of its comune).
occupations (DataFrame)
    ``record_id`` (str, unique), ``estate_id``, ``unit_id``, ``detected_on``
    (datetime64), ``ended_on`` (datetime64, NaT while ongoing), ``status``
    (``ongoing`` / ``ended``).
evictions (DataFrame)
    ``record_id``, ``estate_id``, ``unit_id``, ``date`` (datetime64),
    ``outcome`` (``executed`` / ``scheduled`` / ``postponed`` / ``failed``),
    ``vulnerable`` (bool).
vacancies (DataFrame)
    ``record_id``, ``estate_id``, ``unit_id``, ``since`` (datetime64),
    ``ended_on`` (datetime64, NaT while still vacant), ``reason``
    (e.g. ``lack of maintenance``), ``renovation_cost_eur`` (float, optional).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd


@dataclass(frozen=True)
class Records:
    """Estates and the occupation, eviction and vacancy records linked to them.

    Attributes
    ----------
    estates : geopandas.GeoDataFrame
        Estates, in the canonical form described in this module.
    occupations : pandas.DataFrame
        Occupation records, in the canonical form described in this module.
    evictions : pandas.DataFrame
        Eviction records, in the canonical form described in this module.
    vacancies : pandas.DataFrame
        Vacancy records, in the canonical form described in this module.
    synthetic : bool
        True when the records were generated (every output then says SYNTHETIC).
    truth : dict of str to object
        For synthetic records only: what was planted (clusters, trends).
    """

    estates: gpd.GeoDataFrame
    occupations: pd.DataFrame
    evictions: pd.DataFrame
    vacancies: pd.DataFrame
    synthetic: bool = False
    truth: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return one row per record kind: ``kind`` and ``rows`` (its row count).

        Returns
        -------
        pandas.DataFrame
            One row per record kind: ``kind`` and ``rows``.
        """
        kinds = ("estates", "occupations", "evictions", "vacancies")
        return pd.DataFrame(
            {"kind": kinds, "rows": [len(getattr(self, k)) for k in kinds]}
        )
