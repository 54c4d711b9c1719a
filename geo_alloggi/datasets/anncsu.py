"""Read the ANNCSU Indirizzario (civic-number accesses) for a few comuni, fast.

The Agenzia delle Entrate and ISTAT publish every civic-number access of a
region in one zip (``INDIR_LOMB`` for Lombardy), holding one CSV named
``INDIR_LOMB_<YYYYMMDD>.csv``: UTF-8 without BOM, LF line ends, ``;``
separator, decimal comma, header
:data:`~geo_alloggi.datasets.registry.ANNCSU_INDIRIZZARIO_HEADER`. The
regional file is large (the Tuscan one holds 1.9 million accesses in 160 MB),
and a study area needs a few comuni of it: :func:`read_anncsu_civici` streams
the CSV out of the zip, keeps only the lines of the comuni asked for (by
cadastral code ``CODICE_COMUNE`` or ISTAT code ``CODICE_ISTAT``), parses only
the columns it needs, and caches the filtered table on disk, so the next load
of the same file and comuni reads the cache only.

Coordinates are ``COORD_X_COMUNE`` (longitude) and ``COORD_Y_COMUNE``
(latitude) in decimal degrees of ETRF2000; they are used as WGS 84
(EPSG:4326): in Italy the two frames differ by less than a metre, far below
the precision of a civic-number position. Many comuni have not surveyed
their accesses: an empty coordinate, a ``0``, or a value outside Italy is a
missing position. :func:`civic_coverage` says how many accesses of each
comune have one.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import pickle
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from geo_alloggi import config
from geo_alloggi._errors import InputFileError
from geo_alloggi.datasets.download import zip_release
from geo_alloggi.datasets.readers import CIVICI_COLUMNS, clean_str, decimal_comma
from geo_alloggi.datasets.registry import REGISTRY

__all__ = [
    "ANNCSU_CIVICI_COLUMNS",
    "civic_coverage",
    "normalise_codes",
    "read_anncsu_civici",
]

log = logging.getLogger(__name__)

#: Columns of :func:`read_anncsu_civici`: those of the other civic-point
#: readers, then the comune's codes, the full street name and the survey method.
ANNCSU_CIVICI_COLUMNS: tuple[str, ...] = (
    *CIVICI_COLUMNS,
    "codice_comune",
    "codice_istat",
    "odonimo",
    "method",
)

#: The columns of the Indirizzario that are read; the others are skipped.
USED_COLUMNS: tuple[str, ...] = (
    "CODICE_COMUNE",
    "CODICE_ISTAT",
    "PROGRESSIVO_NAZIONALE",
    "ODONIMO",
    "PROGRESSIVO_ACCESSO",
    "CIVICO",
    "ESPONENTE",
    "COORD_X_COMUNE",
    "COORD_Y_COMUNE",
    "METODO",
)

#: Bump when the cached table changes shape: older cache files are ignored.
CACHE_FORMAT = 1
#: lon/lat box around Italy: a coordinate outside it is not a position
_ITALY = (6.0, 35.0, 19.0, 47.5)
_CADASTRAL = re.compile(r"^[A-Z]\d{3}$")
_ESPONENTE_NUMBER = re.compile(r"^/?\s*(\d+)$")
_ESPONENTE_LETTERS = re.compile(r"^([A-Z]+)\s*(?:/\s*(\d+))?$")


def normalise_codes(comuni: Iterable[Any]) -> tuple[frozenset[str], frozenset[str]]:
    """Split comune codes into cadastral codes and six-digit ISTAT codes.

    Parameters
    ----------
    comuni : iterable
        Cadastral (Belfiore) codes such as ``"C707"``, ISTAT codes such as
        ``"015077"``, ``"15077"`` or ``15077``.

    Returns
    -------
    tuple of frozenset
        ``(cadastral, istat)``.

    Raises
    ------
    ValueError
        A value is neither kind of code; the message names it.
    """
    cadastral: set[str] = set()
    istat: set[str] = set()
    for value in comuni:
        if isinstance(value, bool):
            raise ValueError(f"comuni: {value!r} is not a comune code")
        text = str(int(value)) if isinstance(value, int | np.integer) else str(value)
        code = text.strip().upper()
        if _CADASTRAL.match(code):
            cadastral.add(code)
        elif code.isdigit() and len(code) <= 6:
            istat.add(code.zfill(6))
        else:
            raise ValueError(
                f"comuni: {value!r} is neither a cadastral code (like 'C707') nor "
                "an ISTAT code (like '015077')"
            )
    return frozenset(cadastral), frozenset(istat)


@contextmanager
def _csv_stream(path: Path) -> Iterator[tuple[IO[bytes], str]]:
    """Open the Indirizzario CSV (inside its zip, or plain) as a binary stream."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = sorted(n for n in zf.namelist() if n.lower().endswith(".csv"))
            if len(members) != 1:
                raise InputFileError(
                    f"{str(path)!r}: expected one CSV inside the ANNCSU zip, found "
                    f"{members!r}"
                )
            with zf.open(members[0]) as raw:
                yield raw, members[0]
    else:
        with path.open("rb") as fh:
            yield fh, path.name


def _header(stream: IO[bytes], path: Path) -> tuple[bytes, list[str]]:
    line = stream.readline()
    names = line.decode("utf-8-sig", errors="replace").strip().split(";")
    missing = [c for c in USED_COLUMNS if c not in names]
    if missing:
        raise InputFileError(
            f"{str(path)!r} is not an ANNCSU Indirizzario CSV: missing column(s) "
            f"{missing!r}; header starts {names[:4]!r}"
        )
    if tuple(names) != REGISTRY["anncsu_civici"].fields:
        log.info("ANNCSU header differs from the documented one: %s", names)
    return line.removeprefix(b"\xef\xbb\xbf"), names


def _blocks(stream: IO[bytes], size: int = 1 << 22) -> Iterator[list[bytes]]:
    """Whole lines of ``stream`` (without their line end), a few MB at a time."""
    rest = b""
    while True:
        chunk = stream.read(size)
        if not chunk:
            break
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield lines
    if rest.strip():
        yield [rest]


def _kept_lines(
    stream: IO[bytes],
    names: list[str],
    cadastral: frozenset[str],
    istat: frozenset[str],
    *,
    everything: bool,
) -> tuple[list[bytes], int]:
    """Lines of the comuni asked for (every line if ``everything``), lines read."""
    i_cad, i_ist = names.index("CODICE_COMUNE"), names.index("CODICE_ISTAT")
    cad = {c.encode() for c in cadastral}
    ist = {c.encode() for c in istat}
    prefixes = {c + b";" for c in cad}
    fast = i_cad == 0 and not ist  # the published layout: test the first field
    last = max(i_cad, i_ist) + 1

    def wanted(line: bytes) -> bool:
        fields = line.split(b";", last)
        if len(fields) < last:
            return False
        return (
            fields[i_cad].strip().upper() in cad
            or fields[i_ist].strip().zfill(6) in ist
        )

    kept: list[bytes] = []
    total = 0
    for lines in _blocks(stream):
        total += len(lines)
        if everything:
            kept += lines
        elif fast:
            kept += [line for line in lines if line[:5] in prefixes]
        else:
            kept += [line for line in lines if wanted(line)]
    return kept, total


def _position(values: pd.Series, low: float, high: float) -> pd.Series:
    """Decimal-comma degrees; empty, 0 and values outside [low, high] are NaN."""
    number = decimal_comma(values).astype(float)
    return number.where((number != 0) & number.between(low, high))


def _esponente(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split ESPONENTE into a letter part (``A``, ``BIS``) and a slash number."""
    text = clean_str(values).str.upper()
    letter = pd.Series("", index=values.index, dtype="string")
    slash = pd.Series("", index=values.index, dtype="string")
    number = text.str.extract(_ESPONENTE_NUMBER)[0]
    slash = slash.where(number.isna(), number)
    letters = text.str.extract(_ESPONENTE_LETTERS)
    has = letters[0].notna()
    letter = letter.where(~has, letters[0])
    slash = slash.where(letters[1].isna(), letters[1])
    other = (text != "") & number.isna() & ~has
    letter = letter.where(~other, text[other].str.replace(r"[^A-Z0-9]", "", regex=True))
    return letter.fillna("").astype("string"), slash.fillna("").astype("string")


def _table(raw: pd.DataFrame) -> pd.DataFrame:
    """Map the parsed columns to the table of :data:`ANNCSU_CIVICI_COLUMNS`."""
    cad = clean_str(raw["CODICE_COMUNE"]).str.upper()
    istat = clean_str(raw["CODICE_ISTAT"]).str.zfill(6)
    number = pd.to_numeric(clean_str(raw["CIVICO"]), errors="coerce")
    number = number.where(number > 0).astype("Int64")
    letter, slash = _esponente(raw["ESPONENTE"])
    base = number.astype("string").fillna("")
    housenumber = base + letter + ("/" + slash).where(slash != "", "")
    housenumber = housenumber.where(base != "", "")
    x0, y0, x1, y1 = _ITALY
    odonimo = clean_str(raw["ODONIMO"]).str.upper()
    out = pd.DataFrame(
        {
            "point_id": clean_str(raw["PROGRESSIVO_ACCESSO"]),
            "codice_via": clean_str(raw["PROGRESSIVO_NAZIONALE"]),
            "street_type": "",
            "street_name": odonimo,
            "street_registry": "",
            "number": number,
            "letter": letter,
            "slash": slash,
            "entrance": "",
            "housenumber": housenumber,
            "municipio": pd.array([pd.NA] * len(raw), dtype="Int64"),
            "status": pd.array([2] * len(raw), dtype="Int64"),
            "postcode": "",
            "comune": "",
            "lon": _position(raw["COORD_X_COMUNE"], x0, x1),
            "lat": _position(raw["COORD_Y_COMUNE"], y0, y1),
            "source": "anncsu",
            "codice_comune": cad,
            "codice_istat": istat,
            "odonimo": odonimo,
            "method": pd.to_numeric(clean_str(raw["METODO"]), errors="coerce").astype(
                "Int64"
            ),
        }
    )
    missing = out["lon"].isna() | out["lat"].isna()
    out.loc[missing, ["lon", "lat"]] = np.nan
    for col in (
        "street_type",
        "street_registry",
        "entrance",
        "postcode",
        "comune",
        "source",
    ):
        out[col] = out[col].astype("string")
    return out[list(ANNCSU_CIVICI_COLUMNS)].reset_index(drop=True)


def _parse(
    path: Path,
    cadastral: frozenset[str],
    istat: frozenset[str],
    *,
    everything: bool,
) -> tuple[pd.DataFrame, str, int]:
    """Stream and filter the file; return the table, the CSV name and lines read."""
    try:
        with _csv_stream(path) as (stream, member):
            header, cols = _header(stream, path)
            kept, total = _kept_lines(
                stream, cols, cadastral, istat, everything=everything
            )
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise InputFileError(
            f"{str(path)!r} cannot be read as the ANNCSU Indirizzario ({exc})"
        ) from None
    data = header.rstrip(b"\r\n") + b"\n" + b"\n".join(kept)
    del kept
    try:
        raw = pd.read_csv(
            io.BytesIO(data),
            sep=";",
            usecols=list(USED_COLUMNS),
            dtype=str,
            keep_default_na=False,
            encoding="utf-8",
        )
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        first = str(exc).splitlines()[0][:160]
        raise InputFileError(
            f"{str(path)!r} is not a readable ANNCSU Indirizzario CSV ({first})"
        ) from None
    return _table(raw), member, total


def _cache_path(
    path: Path,
    cadastral: frozenset[str],
    istat: frozenset[str],
    everything: bool,
    cache_dir: str | os.PathLike[str] | None,
) -> Path:
    st = path.stat()
    stamp = {
        "file": str(path.resolve()),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "cadastral": sorted(cadastral),
        "istat": sorted(istat),
        "all": everything,
        "format": CACHE_FORMAT,
    }
    key = hashlib.sha256(json.dumps(stamp, sort_keys=True).encode()).hexdigest()
    folder = Path(cache_dir) if cache_dir is not None else config.cache_dir() / "anncsu"
    return folder / f"indirizzario_{key[:20]}.pkl"


def _pack(table: pd.DataFrame) -> dict[str, Any]:
    """Store string columns as codes into their distinct values (fast to load)."""
    columns: dict[str, Any] = {}
    for col in table.columns:
        values = table[col]
        if isinstance(values.dtype, pd.StringDtype):
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
            columns[col] = (
                "factorized",
                codes.astype(np.int32),
                np.asarray(uniques, dtype=object),
            )
        else:
            columns[col] = ("array", values.array)
    return {"n": len(table), "columns": columns}


def _unpack(packed: dict[str, Any]) -> pd.DataFrame:
    """Rebuild the table stored by :func:`_pack`."""
    data: dict[str, Any] = {}
    for col, stored in packed["columns"].items():
        if stored[0] == "factorized":
            _, codes, uniques = stored
            data[col] = pd.array(uniques[codes], dtype="string")
        else:
            data[col] = stored[1]
    return pd.DataFrame(data, index=pd.RangeIndex(packed["n"]))


def _load_cached(target: Path) -> dict[str, Any] | None:
    if not target.is_file():
        return None
    try:
        with target.open("rb") as fh:
            stored = pickle.load(fh)
        table = _unpack(stored["table"])
    except Exception:  # a partial or foreign file: rebuild it
        log.warning("ignoring unreadable ANNCSU cache %s", target)
        return None
    if not isinstance(stored, dict) or stored.get("format") != CACHE_FORMAT:
        return None
    return {**stored, "table": table}


def _save_cached(target: Path, stored: dict[str, Any]) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(
                {**stored, "table": _pack(stored["table"])},
                fh,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        os.replace(tmp, target)
    except OSError as exc:
        log.warning("ANNCSU index not cached in %s (%s)", target.parent, exc)


def _comune_names(table: pd.DataFrame, names: Mapping[str, str]) -> pd.Series:
    """Name of each row's comune, by cadastral code else ISTAT code (``""``)."""
    codes, uniques = pd.factorize(table["codice_comune"].to_numpy(object))
    _, first = np.unique(codes, return_index=True)
    istat = table["codice_istat"].to_numpy(object)[first]
    labels = np.array(
        [
            names.get(str(c)) or names.get(str(i)) or ""
            for c, i in zip(uniques, istat, strict=True)
        ]
        + [""],
        dtype=object,
    )
    return pd.Series(
        pd.array(labels[codes], dtype="string"), index=table.index, name="comune"
    )


def read_anncsu_civici(
    path: str | os.PathLike[str],
    *,
    comuni: Iterable[Any] | Mapping[str, str] | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Read the civic-number accesses of some comuni from the ANNCSU Indirizzario.

    Parameters
    ----------
    path : str or os.PathLike
        The regional zip (``anncsu_indirizzi_lombardia.zip``, holding
        ``INDIR_LOMB_<YYYYMMDD>.csv``) or the CSV itself.
    comuni : iterable or mapping, optional
        The comuni to keep, by cadastral code (``"C707"``) or ISTAT code
        (``"015077"``); a mapping from such codes to comune names also fills
        the ``comune`` column (``{"C707": "Cinisello Balsamo"}``). None keeps
        every comune of the file (slow and large for a whole region).
    cache : bool
        Keep the filtered table on disk and reuse it while the file (path,
        size, modification time) and the comuni are the same.
    cache_dir : str or os.PathLike, optional
        Folder of the cached tables (default ``<user cache>/geo_alloggi/anncsu``).

    Returns
    -------
    pandas.DataFrame
        One row per access, columns :data:`ANNCSU_CIVICI_COLUMNS`:
        ``point_id`` (``PROGRESSIVO_ACCESSO``, the stable id of the access),
        ``codice_via`` (``PROGRESSIVO_NAZIONALE``, the street's national id),
        ``street_name`` and ``odonimo`` (``ODONIMO``: the street type and name
        in one string, ``VIA LIBERTA'``; ``street_type`` is left empty, as for
        OpenStreetMap names), ``number`` (``CIVICO``), ``letter`` and ``slash``
        (``ESPONENTE``: ``A``, ``BIS``; ``/2`` or ``2``), ``housenumber``
        (``12A``, ``24/2``), ``lon``/``lat`` (NaN when missing), ``method``
        (``METODO``, 1-5: how the point was taken), ``codice_comune``
        (cadastral), ``codice_istat``, ``comune`` (from the mapping, else
        ``""``), ``source`` ``"anncsu"``. ``attrs["release"]`` holds the
        release date named by the CSV (``YYYY-MM-DD``, ``""`` if none).

    Raises
    ------
    InputFileError
        The file is not a readable Indirizzario (named columns missing,
        not UTF-8, not one CSV in the zip).
    ValueError
        A value of ``comuni`` is not a comune code.

    Notes
    -----
    Coordinates are ETRF2000 decimal degrees treated as EPSG:4326 (less than
    a metre apart in Italy). Empty, ``0`` and out-of-Italy coordinates are
    missing positions; such accesses are kept (they still say which numbers
    exist) with NaN ``lon``/``lat``. Only the lines of the comuni asked for
    are parsed, and only the columns in :data:`USED_COLUMNS`.

    Examples
    --------
    >>> from geo_alloggi.datasets import read_anncsu_civici
    >>> pts = read_anncsu_civici(
    ...     "anncsu_indirizzi_lombardia.zip", comuni={"C707": "Cinisello Balsamo"}
    ... )  # doctest: +SKIP
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{str(p)!r}: no such file")
    everything = comuni is None
    names: dict[str, str] = {}
    if isinstance(comuni, Mapping):
        names = {str(k).strip().upper(): str(v) for k, v in comuni.items()}
    cadastral, istat = normalise_codes(comuni or ())
    names = {(k.zfill(6) if k.isdigit() else k): v for k, v in names.items()}
    target = _cache_path(p, cadastral, istat, everything, cache_dir)
    stored = _load_cached(target) if cache else None
    if stored is None:
        table, member, total = _parse(p, cadastral, istat, everything=everything)
        release = zip_release(p, REGISTRY["anncsu_civici"].release_member) or ""
        log.info(
            "ANNCSU %s: %d of %d accesses kept (%s)", member, len(table), total, p.name
        )
        stored = {"format": CACHE_FORMAT, "release": release, "table": table}
        if cache:
            _save_cached(target, stored)
    table = stored["table"]
    if names:  # names are applied here, so a cache serves every mapping
        table["comune"] = _comune_names(table, names)
    table.attrs["release"] = stored["release"]
    return table


def civic_coverage(points: pd.DataFrame) -> pd.DataFrame:
    """Count, per comune and source, the civic points and how many have a position.

    Parameters
    ----------
    points : pandas.DataFrame
        Civic points with ``comune``, ``source``, ``lon`` and ``lat`` (any
        reader of :mod:`geo_alloggi.datasets`).

    Returns
    -------
    pandas.DataFrame
        Columns ``comune``, ``source``, ``points``, ``with_position`` and
        ``share_with_position`` (0-1), sorted by comune and source.
    """
    has = points["lon"].notna().to_numpy() & points["lat"].notna().to_numpy()
    frame = pd.DataFrame(
        {
            "comune": clean_str(points["comune"]).to_numpy(),
            "source": clean_str(points["source"]).to_numpy(),
            "has": has,
        }
    )
    grouped = frame.groupby(["comune", "source"], sort=True)["has"]
    out = pd.DataFrame(
        {"points": grouped.size(), "with_position": grouped.sum().astype(np.int64)}
    ).reset_index()
    out["share_with_position"] = out["with_position"] / out["points"].where(
        out["points"] > 0
    )
    return out
