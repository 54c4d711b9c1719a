"""Reference datasets of a meeting: their release and a warning when one is stale."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo_alloggi._i18n import fmt_date, has_key, t

__all__ = ["STALE_YEARS", "Release", "attributions", "releases"]

#: A reference dataset older than this many years gets a warning.
STALE_YEARS = 2


@dataclass(frozen=True)
class Release:
    """One reference dataset as a meeting reads it.

    Attributes
    ----------
    name : str
        Registry key (``civici``...).
    title : str
        The dataset's name in the meeting's language.
    release : str
        Its release, said in the meeting's language.
    licence : str
        Its licence.
    date : datetime.date or None
        The release day (the year's last day when only the year is known).
    stale : bool
        Older than :data:`STALE_YEARS` on the day of the meeting.
    """

    name: str
    title: str
    release: str
    licence: str
    date: _dt.date | None
    stale: bool


def _release_date(text: str) -> _dt.date | None:
    full = re.search(r"(\d{4})-(\d{2})-(\d{2})", text)
    if full:
        return _dt.date(*(int(g) for g in full.groups()))
    year = re.match(r"\s*(\d{4})\b", text)
    return _dt.date(int(year.group(1)), 12, 31) if year else None


def _older_than(day: _dt.date, today: _dt.date, years: int) -> bool:
    try:
        limit = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - years, day=28)
    return day < limit


def releases(
    sources: pd.DataFrame | None, lang: str, *, today: _dt.date | None = None
) -> list[Release]:
    """Say the release of every reference dataset and whether it is stale.

    Parameters
    ----------
    sources : pandas.DataFrame or None
        :func:`geo_alloggi.datasets.describe` (``dataset``, ``licence``,
        ``release``, ``source``); None gives an empty list.
    lang : str
        ``"it"`` or ``"en"``.
    today : datetime.date, optional
        The day the age is measured on (default: today).

    Returns
    -------
    list of Release
        One per dataset, in the order of ``sources``.
    """
    if sources is None:
        return []
    today = today or _dt.date.today()
    out = []
    for row in sources.to_dict("records"):
        name = str(row["dataset"])
        raw = str(row.get("release", ""))
        where = str(row.get("source", ""))
        day = _release_date(raw) if where in ("mirror", "cache") else None
        if day is None:
            shown = t("report.release_current", lang)
        elif where == "cache" and raw.startswith("downloaded"):
            shown = t("report.downloaded", lang, date=fmt_date(day, lang))
        elif re.search(r"\d{4}-\d{2}-\d{2}", raw):
            shown = fmt_date(day, lang)
        else:
            shown = str(day.year)
        key = f"dataset.{name}"
        out.append(
            Release(
                name=name,
                title=t(key, lang) if has_key(key) else str(row.get("title", name)),
                release=shown,
                licence=str(row.get("licence", "")),
                date=day,
                stale=day is not None and _older_than(day, today, STALE_YEARS),
            )
        )
    return out


def attributions(names: list[Any], lang: str) -> str:
    """Licence attributions of the datasets, in ``lang``, joined with ``; ``."""
    return "; ".join(
        t(f"attribution.{n}", lang) for n in names if has_key(f"attribution.{n}")
    )
