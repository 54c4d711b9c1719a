"""Name, ISTAT code and cadastral code of the comuni of the Città metropolitana.

The ISTAT comuni layer of the registry (``comuni``, 133 comuni) carries each
comune's name, six-digit ISTAT code and cadastral (Belfiore) code.
:func:`comune_codes` reads them (properties only, no geometry) and
:func:`resolve_comuni` turns what a user writes (``"Sesto San Giovanni"``,
``"015209"``, ``15209``, ``"I690"``) into those comuni, for the study area of
the district layers and of the geocoder alike.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from geo_alloggi._errors import InputFileError, ValidationError

__all__ = ["CODES_COLUMNS", "comune_codes", "name_key", "resolve_comuni"]

#: Columns of :func:`comune_codes` and :func:`resolve_comuni`.
CODES_COLUMNS: tuple[str, ...] = ("comune", "comune_istat", "cadastral_code")


def name_key(text: object) -> str:
    """Return the folded name of a comune: no accents, case, apostrophes or hyphens."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore")
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", folded.decode().upper()).split())


@lru_cache(maxsize=8)
def _codes(path: str, size: int, mtime_ns: int) -> pd.DataFrame:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        props = [f["properties"] for f in data["features"]]
        rows = [
            (
                str(p["name"]),
                str(p["com_istat_code"]).zfill(6),
                str(p["com_catasto_code"]).upper(),
            )
            for p in props
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputFileError(
            f"{path!r} is not the ISTAT comuni layer (name, com_istat_code, "
            f"com_catasto_code): {exc}"
        ) from None
    return pd.DataFrame(rows, columns=list(CODES_COLUMNS)).astype("string")


def comune_codes(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the name, ISTAT and cadastral code of each comune of the layer.

    Parameters
    ----------
    path : str or os.PathLike
        The ISTAT comuni GeoJSON of the registry (``comuni``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CODES_COLUMNS`, one row per comune, in file order.

    Raises
    ------
    InputFileError
        The file is not that layer.
    """
    p = Path(path)
    st = p.stat()
    return _codes(str(p), st.st_size, st.st_mtime_ns).copy()


def resolve_comuni(
    values: Sequence[str | int] | str, codes: pd.DataFrame
) -> pd.DataFrame:
    """Find the comuni named by names or codes, each once, in the order given.

    Parameters
    ----------
    values : sequence of str or int
        Names (any case and accents: ``"cinisello balsamo"``), ISTAT codes
        (``"015077"``, ``15077``) or cadastral codes (``"C707"``).
    codes : pandas.DataFrame
        The comuni to choose from (:func:`comune_codes`).

    Returns
    -------
    pandas.DataFrame
        The rows of ``codes`` named, columns :data:`CODES_COLUMNS`.

    Raises
    ------
    ValidationError
        A value names none of the comuni (the message suggests close names),
        or no value is given.
    """
    wanted = [values] if isinstance(values, str) else list(values)
    if not wanted:
        raise ValidationError("comuni is empty; name at least one comune")
    by_name = {name_key(n): i for i, n in enumerate(codes["comune"])}
    by_istat = {c: i for i, c in enumerate(codes["comune_istat"])}
    by_cad = {c: i for i, c in enumerate(codes["cadastral_code"])}
    chosen: list[int] = []
    for value in wanted:
        if isinstance(value, bool):
            text = repr(value)
        elif isinstance(value, int | np.integer):
            text = str(int(value))
        else:
            text = str(value)
        code = text.strip().upper()
        found = (
            by_istat.get(code.zfill(6))
            if code.isdigit() and len(code) <= 6
            else by_cad.get(code, by_name.get(name_key(text)))
        )
        if found is None:
            close = difflib.get_close_matches(name_key(text), list(by_name), 3, 0.6)
            hint = f"; did you mean {[n.title() for n in close]!r}?" if close else ""
            raise ValidationError(
                f"comuni: {value!r} is not one of the {len(codes)} comuni of the "
                f"Città metropolitana di Milano (give a name, an ISTAT or a "
                f"cadastral code){hint}"
            )
        if found not in chosen:
            chosen.append(found)
    return codes.iloc[chosen].reset_index(drop=True)
