"""Readers of the official files: plain tables with stable snake_case columns.

Readers return the publisher's field names mapped to a few stable names;
higher layers (``boundaries``, ``geocoding``) build on them. Which readers have
been verified against which release is said in each reader's docstring.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi._errors import InputFileError

__all__ = [
    "ANNCSU_COLUMNS",
    "CIVICI_COLUMNS",
    "STRADARIO_COLUMNS",
    "clean_str",
    "decimal_comma",
    "read_anncsu",
    "read_civici",
    "read_civici_osm",
    "read_csv_bytes",
    "read_layer",
    "read_stradario",
]


def read_layer(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Read a GeoJSON, GeoPackage or zipped Shapefile as a GeoDataFrame.

    The CRS must be declared by the file (a GeoJSON without a ``crs`` member is
    WGS 84 by the GeoJSON standard); a layer without CRS is refused.

    Parameters
    ----------
    path : str or os.PathLike[str]
        The file to read.

    Returns
    -------
    geopandas.GeoDataFrame
        Its features, with the file's CRS.

    Raises
    ------
    InputFileError
        The file cannot be read as a layer, or declares no CRS.
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{str(p)!r}: no such file")
    try:
        gdf = gpd.read_file(p)
    except Exception as exc:
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputFileError(
            f"{str(p)!r} could not be read as a GeoJSON, GeoPackage or zipped "
            f"Shapefile ({first})"
        ) from None
    if gdf.crs is None:
        raise InputFileError(
            f"{str(p)!r} declares no coordinate reference system; add one (e.g. a .prj "
            f"file, or reproject and save with an explicit CRS): it is never guessed"
        )
    return gdf


def decimal_comma(series: pd.Series) -> pd.Series:
    """Parse numbers written with a decimal comma (``45,4648``).

    Parameters
    ----------
    series : pandas.Series
        Text values such as ``"45,4648"``.

    Returns
    -------
    pandas.Series
        Floats, NaN where a value does not parse.
    """
    text = series.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce")


def read_csv_bytes(
    data: bytes,
    *,
    sep: str = ",",
    dtype: type | None = None,
    keep_default_na: bool = True,
) -> pd.DataFrame:
    """Read CSV bytes as UTF-8 (with or without BOM), else as cp1252.

    Parameters
    ----------
    data : bytes
        The file's content.
    sep : str, optional
        Field delimiter (default ``","``).
    dtype : type or None, optional
        Type of every column (``str`` to keep codes as text); default inferred.
    keep_default_na : bool, optional
        As :func:`pandas.read_csv`: False keeps empty fields as ``""``.

    Returns
    -------
    pandas.DataFrame
        The table.

    Raises
    ------
    InputFileError
        The bytes are neither UTF-8 nor cp1252 text.
    """
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(
                io.BytesIO(data),
                encoding=encoding,
                sep=sep,
                dtype=dtype,
                keep_default_na=keep_default_na,
            )
        except UnicodeDecodeError:
            continue
    raise InputFileError("file is neither UTF-8 nor cp1252 text")


def clean_str(series: pd.Series) -> pd.Series:
    """Return ``series`` as stripped strings, missing values as ``""``.

    Parameters
    ----------
    series : pandas.Series
        Any values.

    Returns
    -------
    pandas.Series
        Stripped strings, ``""`` where a value was missing.
    """
    return series.astype("string").fillna("").str.strip()


CIVICI_COLUMNS: tuple[str, ...] = (
    "point_id",
    "codice_via",
    "street_type",
    "street_name",
    "street_registry",
    "number",
    "letter",
    "slash",
    "entrance",
    "housenumber",
    "municipio",
    "status",
    "postcode",
    "comune",
    "lon",
    "lat",
    "source",
)


def read_civici(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the official ds634 civic-number release (zip of ``;`` CSV files).

    The zip holds ``CIVICI_<date>.CSV`` (points, decimal commas), ``VIARIO_<date>.CSV``
    (street list: registry form ``DENOMINAZIONE`` such as ``DUOMO (DEL)`` and
    descriptive form ``DESCRITTIVO`` such as ``DEL DUOMO``) and ``TIPOVIA.CSV``
    (street types). Rows are returned for every status; ``status`` 2 means
    applied (current), 4 in progress, 99 suppressed.

    Parameters
    ----------
    path : str or os.PathLike[str]
        The release zip (or one of its CSV files).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CIVICI_COLUMNS`: ``number`` (int), ``letter`` (``A``),
        ``slash`` (``/1`` part), ``entrance`` (``N05``, ``P01``: secondary
        entrances, aliases of the base number), ``housenumber`` (official
        NUMEROCOMPLETO), ``street_type`` long form (``Viale``), ``street_name``
        descriptive (``ALESSANDRO BISNATI``), ``street_registry``
        (``BISNATI ALESSANDRO``), WGS 84 ``lon``/``lat``.

    Notes
    -----
    Verified against the release of 2020-03-02 (three separate CSV files).
    Later releases named ``..._final_csv.zip`` may carry the street names in
    the civic CSV itself; that layout is handled when the ``DENOMINAZIONE``
    column is present but is **not yet verified against a live download**.
    """
    p = Path(path)
    try:
        zf = zipfile.ZipFile(p)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputFileError(
            f"{str(p)!r} is not a readable ds634 zip ({exc})"
        ) from None
    with zf:
        names = {Path(n).name.upper(): n for n in zf.namelist()}
        civ_name = next(
            (
                names[n]
                for n in sorted(names)
                if n.startswith("CIVICI") and n.endswith(".CSV")
            ),
            None,
        ) or next(
            (names[n] for n in sorted(names) if "CIVIC" in n and n.endswith(".CSV")),
            None,
        )
        if civ_name is None:
            raise InputFileError(
                f"{str(p)!r}: no CIVICI*.CSV inside; members: {sorted(names)!r}"
            )
        civ = read_csv_bytes(
            zf.read(civ_name), sep=";", dtype=str, keep_default_na=False
        )
        via_name = next(
            (
                names[n]
                for n in sorted(names)
                if n.startswith("VIARIO") and n.endswith(".CSV")
            ),
            None,
        )
        via = (
            read_csv_bytes(zf.read(via_name), sep=";", dtype=str, keep_default_na=False)
            if via_name
            else None
        )
        tipo = (
            read_csv_bytes(zf.read(names["TIPOVIA.CSV"]), sep=";", dtype=str)
            if "TIPOVIA.CSV" in names
            else None
        )
    civ.columns = [c.strip().upper() for c in civ.columns]
    if via is not None:
        via.columns = [c.strip().upper() for c in via.columns]
        street_cols = [c for c in ("TIPO", "DENOMINAZIONE", "DESCRITTIVO") if c in via]
        civ = civ.merge(
            via[["CODICE_VIA", *street_cols]].drop_duplicates("CODICE_VIA"),
            on="CODICE_VIA",
            how="left",
            suffixes=("", "_VIARIO"),
        )
    type_names: dict[str, str] = {}
    if tipo is not None:
        tipo.columns = [c.strip().upper() for c in tipo.columns]
        type_names = dict(
            zip(
                tipo["CODICE"].str.strip(),
                tipo["DESC_ESTESA"].str.strip(),
                strict=False,
            )
        )
    out = pd.DataFrame(
        {
            "point_id": clean_str(civ.get("IDMASTER", pd.Series("", index=civ.index))),
            "codice_via": clean_str(civ["CODICE_VIA"]),
            "street_type": clean_str(
                civ.get("TIPO", pd.Series("", index=civ.index))
            ).map(lambda t: type_names.get(t, t)),
            "street_name": clean_str(
                civ.get("DESCRITTIVO", pd.Series("", index=civ.index))
            ),
            "street_registry": clean_str(
                civ.get("DENOMINAZIONE", pd.Series("", index=civ.index))
            ),
            "number": pd.to_numeric(civ["NUMERO"], errors="coerce").astype("Int64"),
            "letter": clean_str(civ["LETTERA"]).str.upper(),
            "slash": clean_str(civ["BARRA"]),
            "entrance": clean_str(civ["BARRA2"]).str.upper(),
            "housenumber": clean_str(civ["NUMEROCOMPLETO"]),
            "municipio": pd.to_numeric(civ["MUNICIPIO"], errors="coerce").astype(
                "Int64"
            ),
            "status": pd.to_numeric(civ["STATOCIVICO"], errors="coerce").astype(
                "Int64"
            ),
            "postcode": "",
            "comune": "Milano",
            "lon": decimal_comma(civ["LONG_WGS84"]),
            "lat": decimal_comma(civ["LAT_WGS84"]),
            "source": "ds634",
        }
    )
    out["street_type"] = out["street_type"].astype("string")
    return out.reset_index(drop=True)


_HOUSENUMBER = re.compile(r"^\s*(\d+)\s*(.*)$")


def read_civici_osm(
    path: str | os.PathLike[str], *, comune: str | None = None
) -> pd.DataFrame:
    """Read address points in OpenStreetMap ``addr:*`` form (JSON array).

    Each element is ``{"id", "lat", "lon", "tags": {"addr:street",
    "addr:housenumber", "addr:postcode", "addr:city"}}``, the form of an
    Overpass/OSM extract. This is how Cinisello Balsamo and other comuni are
    covered. ``comune`` fills ``addr:city`` where the tag is missing.

    Parameters
    ----------
    path : str or os.PathLike[str]
        The JSON file of address points.
    comune : str or None, default None
        Comune given to points without ``addr:city`` (None: left empty).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CIVICI_COLUMNS`; ``street_name`` is the full OSM street
        name (``Via Giuseppe Scalarini``), ``status`` 2 (current).

    Notes
    -----
    Verified on the ds634-derived extracts for Municipi 5 and 9 (2020). An
    Overpass ``out json`` answer (``{"elements": [...]}`` with ``type``) is
    accepted too.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(
            f"{str(p)!r} is not a JSON file of OSM address points ({exc})"
        ) from None
    if isinstance(data, dict):
        data = data.get("elements", [])
    if not isinstance(data, list):
        raise InputFileError(f"{str(p)!r}: expected a JSON array of OSM elements")
    rows = []
    for el in data:
        if not isinstance(el, dict):
            continue
        tags = el.get("tags") or {}
        lat, lon = el.get("lat"), el.get("lon")
        if lat is None and isinstance(el.get("center"), dict):
            lat, lon = el["center"].get("lat"), el["center"].get("lon")
        hn = str(tags.get("addr:housenumber", "")).strip()
        m = _HOUSENUMBER.match(hn)
        rows.append(
            {
                "point_id": str(el.get("id", "")),
                "codice_via": "",
                "street_type": "",
                "street_name": str(tags.get("addr:street", "")).strip(),
                "street_registry": "",
                "number": int(m.group(1)) if m else pd.NA,
                "letter": "",
                "slash": "",
                "entrance": "",
                "housenumber": hn,
                "municipio": pd.NA,
                "status": 2,
                "postcode": str(tags.get("addr:postcode", "")).strip(),
                "comune": str(tags.get("addr:city", "") or comune or "").strip(),
                "lon": float(lon) if lon is not None else np.nan,
                "lat": float(lat) if lat is not None else np.nan,
                "source": "osm",
            }
        )
    out = pd.DataFrame(rows, columns=list(CIVICI_COLUMNS))
    rest = out["housenumber"].str.extract(r"^\s*\d+\s*(.*)$")[0].fillna("").str.upper()
    letter = rest.str.extract(r"^/?\s*([A-Z])\b")[0].fillna("")
    entrance = rest.str.extract(r"^([NP]\d{2})$")[0].fillna("")
    out["letter"] = letter.where(entrance == "", "")
    out["entrance"] = entrance
    out["slash"] = rest.str.extract(r"/\s*(\d+)")[0].fillna("")
    out["number"] = out["number"].astype("Int64")
    out["municipio"] = out["municipio"].astype("Int64")
    out["status"] = out["status"].astype("Int64")
    return out


STRADARIO_COLUMNS: tuple[str, ...] = (
    "codice_via",
    "street_type",
    "street_name",
    "number",
    "suffix",
    "postcode",
    "municipio",
)


def read_stradario(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read Milan's street list with house numbers (no coordinates).

    Two layouts are read:

    * the 2022 electoral stradario (comma-separated; ``AREA`` street-type
      abbreviation, ``DESCRIZIONE_VIA``, ``CIVICO``, ``BARRATO``, ``CAP`` as its
      last three digits, ``SEZIONE``, ``MUNICIPIO``) — verified on the mirror;
    * the current DS2973 (``;``-separated, UTF-8 with BOM, ``CODICE_VIA``,
      ``DESCRIZIONE_VIA``, ``CIVICO``, ``BARRATO``, ``CAP``) — **not yet verified
      against a live download**; tested on a fixture written from its
      documented columns.

    Parameters
    ----------
    path : str or os.PathLike[str]
        The street list file.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`STRADARIO_COLUMNS`; ``postcode`` as five digits
        (``20138``).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{str(p)!r} cannot be read ({exc})") from None
    head = (
        raw[:4096].decode("utf-8-sig", errors="replace").splitlines()[0] if raw else ""
    )
    sep = ";" if head.count(";") > head.count(",") else ","
    df = read_csv_bytes(raw, sep=sep, dtype=str, keep_default_na=False)
    df.columns = [c.strip().upper() for c in df.columns]
    missing = [c for c in ("CODICE_VIA", "DESCRIZIONE_VIA", "CIVICO") if c not in df]
    if missing:
        raise InputFileError(
            f"{str(p)!r} is not a Milan stradario: missing column(s) {missing!r}"
        )
    cap = clean_str(df.get("CAP", pd.Series("", index=df.index))).str.replace(
        r"\D", "", regex=True
    )
    cap = cap.where(cap.str.len() != 3, "20" + cap)
    return pd.DataFrame(
        {
            "codice_via": clean_str(df["CODICE_VIA"]),
            "street_type": clean_str(
                df.get("AREA", df.get("DUG", pd.Series("", index=df.index)))
            ).str.upper(),
            "street_name": clean_str(df["DESCRIZIONE_VIA"]).str.upper(),
            "number": pd.to_numeric(df["CIVICO"], errors="coerce").astype("Int64"),
            "suffix": clean_str(
                df.get("BARRATO", pd.Series("", index=df.index))
            ).str.upper(),
            "postcode": cap,
            "municipio": pd.to_numeric(
                df.get("MUNICIPIO", pd.Series("", index=df.index)), errors="coerce"
            ).astype("Int64"),
        }
    )


ANNCSU_COLUMNS: tuple[str, ...] = (
    "street_type",
    "street_name",
    "codice_belfiore",
    "anncsu_id",
)


def read_anncsu(
    path: str | os.PathLike[str], *, belfiore: list[str] | None = None
) -> pd.DataFrame:
    """Read ANNCSU street names (``STRAD_<REGION>``, gzip or plain CSV).

    Parameters
    ----------
    path : str or os.PathLike[str]
        The file.
    belfiore : list of str or None, default None
        Keep only these comuni (cadastral codes: Milano ``F205``, Cinisello
        Balsamo ``C707``); all by default.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ANNCSU_COLUMNS`: ``street_type`` is the DUG (``VIA``),
        ``street_name`` the DUF (``ALESSANDRO MANZONI``).

    Notes
    -----
    Verified on the onData extraction of 2025-02-09 (fields ``DUG``, ``DUF``,
    ``codice_belfiore``). The official bulk file uses the same DUG/DUF fields;
    its exact header is **not yet verified against a live download**:
    ``CODICE_COMUNE``/``CODICE_CATASTALE`` are accepted for the Belfiore code.
    """
    p = Path(path)
    try:
        df = pd.read_csv(
            p,
            dtype=str,
            keep_default_na=False,
            compression="infer",
            sep=None,
            engine="python",
        )
    except Exception as exc:
        raise InputFileError(
            f"{str(p)!r} is not a readable ANNCSU street file ({exc})"
        ) from None
    cols = {c.strip().lower(): c for c in df.columns}
    bel_col = next(
        (
            cols[c]
            for c in ("codice_belfiore", "codice_catastale", "codice_comune")
            if c in cols
        ),
        None,
    )
    if "dug" not in cols or "duf" not in cols or bel_col is None:
        raise InputFileError(
            f"{str(p)!r} is not an ANNCSU street file: "
            "needs DUG, DUF and codice_belfiore"
        )
    out = pd.DataFrame(
        {
            "street_type": clean_str(df[cols["dug"]]).str.upper(),
            "street_name": clean_str(df[cols["duf"]]).str.upper(),
            "codice_belfiore": clean_str(df[bel_col]).str.upper(),
            "anncsu_id": clean_str(
                df[cols["progressivo_nazionale"]]
                if "progressivo_nazionale" in cols
                else pd.Series("", index=df.index)
            ),
        }
    )
    if belfiore is not None:
        out = out[out["codice_belfiore"].isin([b.upper() for b in belfiore])]
    return out.reset_index(drop=True)
