"""Say which comuni get civic-number points from which official source.

Milano has the Comune's ds634 points; every comune of Lombardy may have
points in the ANNCSU Indirizzario (``anncsu_civici``), where the comune has
surveyed them. :func:`civic_sources` counts, for the comuni of a study area,
the points each available source holds and how many have a position;
:func:`no_points_message` is the one message for comuni left without any.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from geo_alloggi._errors import DataUnavailableError
from geo_alloggi.datasets.anncsu import civic_coverage, read_anncsu_civici
from geo_alloggi.datasets.mirror import dataset_path
from geo_alloggi.datasets.readers import read_civici

__all__ = ["COVERAGE_COLUMNS", "MILANO_CADASTRAL", "civic_sources", "no_points_message"]

#: Columns of :func:`civic_sources`.
COVERAGE_COLUMNS: tuple[str, ...] = (
    "comune",
    "cadastral_code",
    "source",
    "points",
    "with_position",
    "share_with_position",
    "note",
)
#: Cadastral code of Milano, the comune of the ds634 points.
MILANO_CADASTRAL = "F205"


def civic_sources(
    comuni: Mapping[str, str],
    *,
    mirror: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    anncsu_cache_dir: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Count the civic points of each comune in each official source available.

    Nothing is downloaded: a source that is neither mirrored nor cached is
    reported as unavailable.

    Parameters
    ----------
    comuni : mapping of str to str
        Cadastral code -> comune name (``{"F205": "Milano"}``).
    mirror, cache_dir : str or os.PathLike, optional
        Where the official files are (see :func:`dataset_path`).
    anncsu_cache_dir : str or os.PathLike, optional
        Folder of the cached ANNCSU tables (see :func:`read_anncsu_civici`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COVERAGE_COLUMNS`: one row per comune and source
        (``ds634`` for Milano, ``anncsu``); ``points`` and ``with_position``
        are NA and ``note`` says why when the source is unavailable.
    """
    rows: list[dict[str, object]] = []
    codes = {str(k).upper(): str(v) for k, v in comuni.items()}
    if MILANO_CADASTRAL in codes:
        rows += _rows(
            "ds634",
            "civici",
            codes,
            {MILANO_CADASTRAL},
            mirror,
            cache_dir,
            lambda path: read_civici(path).assign(comune=codes[MILANO_CADASTRAL]),
        )
    rows += _rows(
        "anncsu",
        "anncsu_civici",
        codes,
        set(codes),
        mirror,
        cache_dir,
        lambda path: read_anncsu_civici(path, comuni=codes, cache_dir=anncsu_cache_dir),
    )
    out = pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS))
    out["points"] = out["points"].astype("Int64")
    out["with_position"] = out["with_position"].astype("Int64")
    out["share_with_position"] = out["share_with_position"].astype("Float64")
    return out


def _rows(
    source: str,
    dataset: str,
    codes: Mapping[str, str],
    wanted: set[str],
    mirror: str | os.PathLike[str] | None,
    cache_dir: str | os.PathLike[str] | None,
    read: Callable[[Path], pd.DataFrame],
) -> list[dict[str, object]]:
    """Coverage rows of one source for the ``wanted`` comuni."""
    try:
        path = dataset_path(dataset, mirror=mirror, cache_dir=cache_dir, download=False)
    except DataUnavailableError:
        return [
            {
                "comune": codes[c],
                "cadastral_code": c,
                "source": source,
                "points": pd.NA,
                "with_position": pd.NA,
                "share_with_position": pd.NA,
                "note": f"{dataset} not available (geo-alloggi data fetch {dataset})",
            }
            for c in sorted(wanted, key=lambda c: codes[c])
        ]
    points = read(path)
    if source == "ds634":
        # applied (2) and in progress (4): the points the geocoder uses
        points = points[points["status"].isin([2, 4])]
    counted = civic_coverage(points).set_index("comune")
    rows = []
    for c in sorted(wanted, key=lambda c: codes[c]):
        name = codes[c]
        has = name in counted.index
        n = int(counted.loc[name, "points"]) if has else 0
        k = int(counted.loc[name, "with_position"]) if has else 0
        rows.append(
            {
                "comune": name,
                "cadastral_code": c,
                "source": source,
                "points": n,
                "with_position": k,
                "share_with_position": k / n if n else pd.NA,
                "note": "" if k else "no point with a position",
            }
        )
    return rows


def no_points_message(comuni: Sequence[str]) -> str:
    """Return the one message for comuni without civic points from any source.

    Parameters
    ----------
    comuni : sequence of str
        Names of the comuni without points.

    Returns
    -------
    str
        One line naming them and the two ways to place their addresses.
    """
    names = ", ".join(sorted(comuni))
    return (
        f"no civic-number points for {names} from any official source (ds634 "
        f"covers Milano only; the ANNCSU Indirizzario has none for them, or is not "
        f"available: 'geo-alloggi data fetch anncsu_civici'); their addresses get "
        f"at most a street-level result. Give OpenStreetMap addr:* extracts "
        f"(--osm FILE, or osm_extracts in the run configuration) or allow the "
        f"opt-in online fallback (--online, 1 request per second)"
    )
