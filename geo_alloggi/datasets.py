"""Registry of the official open datasets, with download, cache, mirror and readers.

Each dataset is described once (publisher, licence, attribution, official URL,
expected fields). Files are resolved in this order:

1. a **mirror** folder (``mirror=`` argument or ``GEO_ALLOGGI_DATA_MIRROR``)
   holding the files under the names of the project's local mirror. When a
   mirror is set, files come only from there and nothing goes to the network;
2. the per-user **cache** (:func:`geo_alloggi.config.cache_dir`), filled by
   :func:`fetch` with the SHA-256 of what was downloaded recorded beside it;
3. the **network**, only when the caller allows a download.

Readers return plain tables with the publisher's field names mapped to a few
stable snake_case names; higher layers (``boundaries``, ``geocoding``) build on
them. Which readers have been verified against which release is said in each
reader's docstring.

Examples
--------
>>> from geo_alloggi import datasets
>>> sorted(datasets.REGISTRY)
['anncsu', 'civici', 'comuni', 'municipi', 'nil', 'stradario']
>>> datasets.REGISTRY["nil"].licence
'CC BY 4.0'
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import logging
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import config
from geo_alloggi._errors import DataUnavailableError, InputFileError

__all__ = [
    "REGISTRY",
    "Dataset",
    "dataset_path",
    "describe",
    "fetch",
    "read_anncsu",
    "read_civici",
    "read_civici_osm",
    "read_layer",
    "read_stradario",
    "sha256_file",
]

log = logging.getLogger(__name__)

COMUNE_MILANO_PORTAL = "https://dati.comune.milano.it"


@dataclass(frozen=True)
class Dataset:
    """One official dataset.

    Attributes
    ----------
    name
        Registry key (``nil``, ``municipi``, ``comuni``, ``civici``,
        ``stradario``, ``anncsu``).
    title, publisher, licence, attribution
        What to show a person; ``attribution`` goes on every map.
    url
        Official download URL of the current release.
    filename
        File name in the local mirror and in the cache.
    mirror_release
        Release date of the file kept in the project's mirror.
    coverage
        Which territory the dataset covers.
    fields
        Fields the reader expects in the official file.
    landing_page
        The dataset's page on the publisher's portal.
    alternates
        The same dataset in other formats (e.g. a zipped Shapefile); used from
        a mirror when the main file is absent.
    extracts
        Partial extracts kept in the mirror (e.g. OSM-tag copies of two
        Municipi), readable by this module but never a substitute.
    """

    name: str
    title: str
    publisher: str
    licence: str
    attribution: str
    url: str
    filename: str
    mirror_release: str
    coverage: str
    fields: tuple[str, ...]
    landing_page: str
    official_filename: str = ""
    alternates: tuple[str, ...] = field(default_factory=tuple)
    extracts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def cache_filename(self) -> str:
        """Name of the downloaded file in the cache (the official one)."""
        return self.official_filename or self.url.rsplit("/", 1)[-1]


REGISTRY: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            name="nil",
            title="Nuclei di Identità Locale (NIL), PGT Milano 2030 (ds964)",
            publisher="Comune di Milano",
            licence="CC BY 4.0",
            attribution="NIL: © Comune di Milano, CC BY 4.0",
            url=(
                f"{COMUNE_MILANO_PORTAL}/dataset/e8e765fc-d882-40b8-95d8-16ff3d39eb7c/"
                "resource/9c4e0776-56fc-4f3d-8a90-f4992a3be426/download/ds964_nil_wm.geojson"
            ),
            filename="milano_nil_pgt2030_wgs84.geojson",
            mirror_release="2020-02-05 (vigente; checked 2022-04)",
            coverage="Milano: 88 NIL",
            fields=("ID_NIL", "NIL", "Valido_dal", "Valido_al"),
            landing_page=f"{COMUNE_MILANO_PORTAL}/dataset/ds964-nil-vigenti-pgt-2030",
            alternates=("milano_nil_pgt2030_shp_2022.zip",),
        ),
        Dataset(
            name="municipi",
            title="Municipi di Milano (ds379)",
            publisher="Comune di Milano",
            licence="CC BY 4.0",
            attribution="Municipi: © Comune di Milano, CC BY 4.0",
            url=(
                f"{COMUNE_MILANO_PORTAL}/dataset/36ba21c2-8b48-43ce-bbe1-e236a8a49ff6/"
                "resource/99ecd085-0b04-4fb2-a66e-9795694d4fc4/download/"
                "ds379_municipi_label.geojson"
            ),
            filename="milano_municipi_wgs84.geojson",
            mirror_release="2017-01-13",
            coverage="Milano: 9 Municipi",
            fields=("MUNICIPIO",),
            landing_page=f"{COMUNE_MILANO_PORTAL}/dataset/ds379-infogeo-municipi-superficie",
        ),
        Dataset(
            name="comuni",
            title="Comuni della Città metropolitana di Milano (ISTAT limits)",
            publisher="ISTAT (limits), openpolis (GeoJSON conversion)",
            licence="CC BY 4.0",
            attribution="Comuni: © ISTAT, CC BY; GeoJSON by openpolis",
            url=(
                "https://raw.githubusercontent.com/openpolis/geojson-italy/master/"
                "geojson/limits_P_15_municipalities.geojson"
            ),
            filename="comuni_citta_metropolitana_milano_2019.geojson",
            mirror_release="2019-01-01",
            coverage="Città metropolitana di Milano: 133 comuni",
            fields=("name", "com_istat_code", "com_catasto_code"),
            landing_page="https://www.istat.it/it/archivio/222527",
        ),
        Dataset(
            name="civici",
            title="Numeri civici con coordinate (ds634)",
            publisher="Comune di Milano",
            licence="CC BY 4.0",
            attribution="Numeri civici: © Comune di Milano, CC BY 4.0",
            url=(
                f"{COMUNE_MILANO_PORTAL}/dataset/5c6519f6-6d26-41c9-b53b-6106e08d1b90/"
                "resource/533b4e63-3d78-4bb5-aeb4-6c5f648f7f21/download/"
                "ds634_civici_coordinategeografiche_20260901_final_csv.zip"
            ),
            filename="milano_civici_ds634_20200302.zip",
            mirror_release="2020-03-02",
            coverage="Milano: all 9 Municipi (about 63,000 civic numbers)",
            fields=(
                "CODICE_VIA",
                "NUMERO",
                "LETTERA",
                "BARRA",
                "BARRA2",
                "NUMEROCOMPLETO",
                "MUNICIPIO",
                "STATOCIVICO",
                "LAT_WGS84",
                "LONG_WGS84",
                "IDMASTER",
            ),
            landing_page=f"{COMUNE_MILANO_PORTAL}/dataset/ds634-numeri-civici-coordinate",
            extracts=(
                "milano_civici_municipio5_202010_osmtags.json",
                "milano_civici_municipio9_202005_osmtags.json",
            ),
        ),
        Dataset(
            name="stradario",
            title="Stradario con numeri civici e sezioni elettorali (DS2973 family)",
            publisher="Comune di Milano",
            licence="CC BY 4.0",
            attribution="Stradario: © Comune di Milano, CC BY 4.0",
            url=(
                f"{COMUNE_MILANO_PORTAL}/dataset/645e8e6a-aff3-47ef-9dce-4d102ff471b8/"
                "resource/e1a336d2-8dd6-483f-913f-4388758dd446/download/"
                "ds2973_stradario_referendum_2026.csv"
            ),
            filename="milano_stradario_sezioni_elettorali_2022.csv",
            mirror_release="2022 (electoral stradario)",
            coverage="Milano: every civic number, no coordinates",
            fields=("CODICE_VIA", "DESCRIZIONE_VIA", "CIVICO", "BARRATO", "CAP"),
            landing_page=f"{COMUNE_MILANO_PORTAL}/dataset/ds2973",
        ),
        Dataset(
            name="anncsu",
            title="ANNCSU street names of Lombardy (STRAD_LOMB)",
            publisher="Agenzia delle Entrate / ISTAT (ANNCSU)",
            licence="CC BY 4.0",
            attribution="Odonimi: © ANNCSU (Agenzia delle Entrate, ISTAT), CC BY 4.0",
            url=(
                "https://anncsu.open.agenziaentrate.gov.it/age-inspire/opendata/"
                "anncsu/getds.php?STRAD_LOMB"
            ),
            filename="anncsu_odonimi_lombardia_202502.csv.gz",
            mirror_release="2025-02-09",
            coverage="Lombardia: street names of 1,502 comuni, no coordinates",
            fields=("DUG", "DUF", "codice_belfiore"),
            landing_page="https://anncsu.open.agenziaentrate.gov.it/",
            official_filename="STRAD_LOMB.zip",
        ),
    )
}


# --------------------------------------------------------------------------
# locating files


def _get(name: str) -> Dataset:
    try:
        return REGISTRY[name]
    except KeyError:
        raise DataUnavailableError(
            f"unknown dataset {name!r}; known datasets: {sorted(REGISTRY)!r}"
        ) from None


def _cache_folder(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    return Path(cache_dir) if cache_dir is not None else config.cache_dir() / "datasets"


def _checksums_file(folder: Path) -> Path:
    return folder / "checksums.json"


def _read_checksums(folder: Path) -> dict[str, dict[str, str]]:
    path = _checksums_file(folder)
    if not path.exists():
        return {}
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        log.warning("ignoring unreadable checksum record %s", path)
        return {}


def _how_to_provide(ds: Dataset) -> str:
    return (
        f"download {ds.url} (publisher: {ds.publisher}, {ds.licence}) and either "
        f"run 'geo-alloggi data fetch {ds.name}' where the network is reachable, "
        f"or put the file as {ds.filename!r} in a folder named by {config.MIRROR_ENV}"
    )


def source_of(
    name: str,
    *,
    mirror: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    filename: str | None = None,
) -> tuple[str, Path | None]:
    """Say where dataset ``name`` would come from: ``mirror``, ``cache`` or ``network``.

    Returns
    -------
    tuple
        ``(where, path)``; ``path`` is None when the file would be downloaded,
        or when a mirror is set but lacks the file (``where == "missing"``).
    """
    ds = _get(name)
    fname = filename or ds.filename
    folder = config.mirror_dir(mirror)
    if folder is not None:
        candidates = [fname] if filename else [fname, *ds.alternates]
        for candidate in candidates:
            if (folder / candidate).is_file():
                return "mirror", folder / candidate
        return "missing", None
    cached = _cache_folder(cache_dir) / (filename or ds.cache_filename)
    if cached.is_file():
        return "cache", cached
    return "network", None


def dataset_path(
    name: str,
    *,
    mirror: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    filename: str | None = None,
) -> Path:
    """Return a local path to the official file of dataset ``name``.

    Parameters
    ----------
    name
        Registry key, see :data:`REGISTRY`.
    mirror
        Mirror folder; default ``GEO_ALLOGGI_DATA_MIRROR``. When set, the file
        must be there: nothing is downloaded.
    cache_dir
        Cache folder; default ``<user cache>/geo_alloggi/datasets``.
    download
        Download into the cache when the file is neither mirrored nor cached.
    filename
        One of the dataset's ``alternates`` or ``extracts`` (mirror only)
        instead of its main file.

    Raises
    ------
    DataUnavailableError
        The file is not in the mirror or cache and cannot be downloaded; the
        message names the dataset, its URL and how to provide the file.
    """
    ds = _get(name)
    where, path = source_of(name, mirror=mirror, cache_dir=cache_dir, filename=filename)
    if where in ("mirror", "cache") and path is not None:
        log.debug("dataset %s from %s: %s", name, where, path)
        return path
    if where == "missing":
        folder = config.mirror_dir(mirror)
        raise DataUnavailableError(
            f"dataset {name!r}: file {filename or ds.filename!r} is not in the mirror "
            f"folder {str(folder)!r}; {_how_to_provide(ds)}"
        )
    if filename is not None and filename != ds.filename:
        raise DataUnavailableError(
            f"dataset {name!r}: {filename!r} is only available from a mirror; "
            f"set {config.MIRROR_ENV}"
        )
    if not download:
        raise DataUnavailableError(
            f"dataset {name!r} is not in the cache and downloads are off; "
            f"{_how_to_provide(ds)}"
        )
    return fetch(name, cache_dir=cache_dir)[0]


def fetch(
    *names: str,
    cache_dir: str | os.PathLike[str] | None = None,
    url: str | None = None,
    timeout: float | None = None,
) -> list[Path]:
    """Download datasets into the per-user cache and record their SHA-256.

    Parameters
    ----------
    *names
        Registry keys; none means every dataset.
    cache_dir
        Cache folder (default ``<user cache>/geo_alloggi/datasets``).
    url
        Override the official URL (one dataset only); for tests and proxies.
    timeout
        Seconds before a download is abandoned (default ``config.http_timeout``).

    Returns
    -------
    list of Path
        The cached files, in the order asked.

    Raises
    ------
    DataUnavailableError
        A download failed; the message names the dataset, URL and remedy.
    """
    import pooch  # imported here: only downloads need it

    pooch.get_logger().setLevel(logging.WARNING)

    selected = list(names) or sorted(REGISTRY)
    if url is not None and len(selected) != 1:
        raise DataUnavailableError("url= overrides the URL of exactly one dataset")
    folder = _cache_folder(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for name in selected:
        ds = _get(name)
        source = url or ds.url
        downloader = pooch.HTTPDownloader(
            timeout=timeout or config.http_timeout,
            headers={"User-Agent": config.user_agent},
            progressbar=False,
        )
        log.info("downloading %s from %s", name, source)
        try:
            path = Path(
                pooch.retrieve(
                    source,
                    known_hash=None,
                    fname=ds.cache_filename,
                    path=folder,
                    downloader=downloader,
                )
            )
        except Exception as exc:  # network errors come in many types
            reason = _short_reason(exc)
            raise DataUnavailableError(
                f"dataset {name!r}: download from {source} failed ({reason}); "
                f"{_how_to_provide(ds)}"
            ) from None
        digest = sha256_file(path)
        record = _read_checksums(folder)
        record[name] = {
            "file": path.name,
            "sha256": digest,
            "url": source,
            "downloaded_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }
        _checksums_file(folder).write_text(
            json.dumps(record, indent=2, sort_keys=True), encoding="utf-8"
        )
        out.append(path)
    return out


def _short_reason(exc: BaseException) -> str:
    text = str(exc)
    if "NameResolution" in text or "Failed to resolve" in text:
        return "host name could not be resolved: no network?"
    if "Connection refused" in text or "ConnectionRefused" in text:
        return "connection refused"
    if "timed out" in text.lower():
        return "timed out"
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:160]


def sha256_file(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def describe(
    *,
    mirror: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """One row per dataset: licence, release, where it would come from, coverage."""
    rows = []
    record = _read_checksums(_cache_folder(cache_dir))
    for name, ds in REGISTRY.items():
        where, path = source_of(name, mirror=mirror, cache_dir=cache_dir)
        if where == "mirror":
            release = ds.mirror_release
        elif where == "cache":
            release = (
                "downloaded " + record.get(name, {}).get("downloaded_at", "?")[:10]
            )
        else:
            release = "current official release"
        rows.append(
            {
                "dataset": name,
                "title": ds.title,
                "publisher": ds.publisher,
                "licence": ds.licence,
                "release": release,
                "source": where,
                "location": str(path) if path is not None else ds.url,
                "coverage": ds.coverage,
            }
        )
    return pd.DataFrame(rows)


def attribution(names: list[str] | None = None) -> str:
    """Licence attribution text for the given datasets (all by default)."""
    return "; ".join(REGISTRY[n].attribution for n in (names or list(REGISTRY)))


# --------------------------------------------------------------------------
# readers


def read_layer(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Read a GeoJSON, GeoPackage or zipped Shapefile as a GeoDataFrame.

    The CRS must be declared by the file (a GeoJSON without a ``crs`` member is
    WGS 84 by the GeoJSON standard); a layer without CRS is refused.

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


def _decimal(series: pd.Series) -> pd.Series:
    """Parse numbers written with a decimal comma (``45,4648``)."""
    text = series.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce")


def _read_csv_bytes(data: bytes, **kwds: object) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(io.BytesIO(data), encoding=encoding, **kwds)
        except UnicodeDecodeError:
            continue
    raise InputFileError("file is neither UTF-8 nor cp1252 text")


def _clean_str(series: pd.Series) -> pd.Series:
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
        civ = _read_csv_bytes(
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
            _read_csv_bytes(
                zf.read(via_name), sep=";", dtype=str, keep_default_na=False
            )
            if via_name
            else None
        )
        tipo = (
            _read_csv_bytes(zf.read(names["TIPOVIA.CSV"]), sep=";", dtype=str)
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
            "point_id": _clean_str(civ.get("IDMASTER", pd.Series("", index=civ.index))),
            "codice_via": _clean_str(civ["CODICE_VIA"]),
            "street_type": _clean_str(
                civ.get("TIPO", pd.Series("", index=civ.index))
            ).map(lambda t: type_names.get(t, t)),
            "street_name": _clean_str(
                civ.get("DESCRITTIVO", pd.Series("", index=civ.index))
            ),
            "street_registry": _clean_str(
                civ.get("DENOMINAZIONE", pd.Series("", index=civ.index))
            ),
            "number": pd.to_numeric(civ["NUMERO"], errors="coerce").astype("Int64"),
            "letter": _clean_str(civ["LETTERA"]).str.upper(),
            "slash": _clean_str(civ["BARRA"]),
            "entrance": _clean_str(civ["BARRA2"]).str.upper(),
            "housenumber": _clean_str(civ["NUMEROCOMPLETO"]),
            "municipio": pd.to_numeric(civ["MUNICIPIO"], errors="coerce").astype(
                "Int64"
            ),
            "status": pd.to_numeric(civ["STATOCIVICO"], errors="coerce").astype(
                "Int64"
            ),
            "postcode": "",
            "comune": "Milano",
            "lon": _decimal(civ["LONG_WGS84"]),
            "lat": _decimal(civ["LAT_WGS84"]),
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
    df = _read_csv_bytes(raw, sep=sep, dtype=str, keep_default_na=False)
    df.columns = [c.strip().upper() for c in df.columns]
    missing = [c for c in ("CODICE_VIA", "DESCRIZIONE_VIA", "CIVICO") if c not in df]
    if missing:
        raise InputFileError(
            f"{str(p)!r} is not a Milan stradario: missing column(s) {missing!r}"
        )
    cap = _clean_str(df.get("CAP", pd.Series("", index=df.index))).str.replace(
        r"\D", "", regex=True
    )
    cap = cap.where(cap.str.len() != 3, "20" + cap)
    return pd.DataFrame(
        {
            "codice_via": _clean_str(df["CODICE_VIA"]),
            "street_type": _clean_str(
                df.get("AREA", df.get("DUG", pd.Series("", index=df.index)))
            ).str.upper(),
            "street_name": _clean_str(df["DESCRIZIONE_VIA"]).str.upper(),
            "number": pd.to_numeric(df["CIVICO"], errors="coerce").astype("Int64"),
            "suffix": _clean_str(
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
    path
        The file.
    belfiore
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
            "street_type": _clean_str(df[cols["dug"]]).str.upper(),
            "street_name": _clean_str(df[cols["duf"]]).str.upper(),
            "codice_belfiore": _clean_str(df[bel_col]).str.upper(),
            "anncsu_id": _clean_str(
                df[cols["progressivo_nazionale"]]
                if "progressivo_nazionale" in cols
                else pd.Series("", index=df.index)
            ),
        }
    )
    if belfiore is not None:
        out = out[out["codice_belfiore"].isin([b.upper() for b in belfiore])]
    return out.reset_index(drop=True)
