"""Linking step of a run: place estates, link every record, count the link methods."""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo_alloggi._records import Records
from geo_alloggi.pipeline._settings import RunSettings

__all__ = ["link_bundle"]


def link_bundle(
    records: Records, settings: RunSettings | None = None
) -> tuple[Records, pd.DataFrame]:
    """Place estates without coordinates and link every record to an estate.

    Records link by estate id, else by address (offline geocoder, with the
    settings' corrections, OSM extracts and opt-in online fallback, over the
    civic points of the study area's comuni), else by
    coordinates snapped to the nearest estate
    (:func:`geo_alloggi.linking.link_records`).

    Parameters
    ----------
    records : Records
        The records as read.
    settings : RunSettings or None, default None
        Settings of the geocoder and the study area (default: the defaults).

    Returns
    -------
    tuple
        The linked :class:`~geo_alloggi._records.Records` (records that could
        not be linked are left out) and one row per record kind with the
        counts per link method, ``unlinked`` included: reported, never dropped
        silently.
    """
    from geo_alloggi.geocoding import Geocoder
    from geo_alloggi.linking import link_records, place_estates

    settings = settings or RunSettings()
    geocoder = Geocoder(
        osm_extracts=[str(p) for p in settings.osm_extracts], comuni=settings.comuni
    )
    geocode_kwds: dict[str, Any] = {}
    if settings.corrections is not None or settings.online:
        geocode_kwds = {
            "corrections": settings.corrections,
            "online": settings.online,
            "nominatim_url": settings.nominatim_url,
        }
    if settings.comuni:
        # addresses outside the configured study area are out_of_area
        geocode_kwds["comuni"] = list(settings.comuni)
    given = geocode_kwds or None
    estates = records.estates
    geom = estates.geometry
    if (geom.isna() | geom.is_empty).any():
        estates = place_estates(estates, geocoder=geocoder, geocode_kwds=given)
    rows = []
    linked: dict[str, pd.DataFrame] = {}
    # the kinds are written with the same addresses: each is geocoded once
    memo: dict[Any, Any] = {}
    for kind in ("occupations", "evictions", "vacancies"):
        table = getattr(records, kind)
        if table is None or len(table) == 0:
            linked[kind] = table
            continue
        res = link_records(
            table, estates, geocoder=geocoder, geocode_kwds=given, geocode_memo=memo
        )
        counts = res.counts()
        rows.append({"kind": kind, "records": len(table), **counts})
        # the link columns are dropped before the rows: fewer columns copied
        kept = res.records.drop(
            columns=["link_method", "link_distance_m", "link_note"], errors="ignore"
        )
        if counts["unlinked"]:
            kept = kept[res.records["link_method"].to_numpy() != "unlinked"]
        linked[kind] = kept
    out = Records(
        estates=estates,
        occupations=linked["occupations"],
        evictions=linked["evictions"],
        vacancies=linked["vacancies"],
        synthetic=records.synthetic,
        truth=records.truth,
    )
    return out, pd.DataFrame(rows)
