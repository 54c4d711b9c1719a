"""Text keys for linking: distinct stripped texts, address and comune keys.

Records and estates are matched on normalised keys (:func:`address_key`,
:func:`comune_key`); many records repeat the same text, so each distinct
value is keyed once (:func:`distinct_text`, :func:`per_distinct`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "address_key",
    "clean_text",
    "comune_key",
    "distinct_text",
    "factorize_long_text",
    "per_distinct",
    "stripped_text",
]


def per_distinct(values: np.ndarray, fn: Callable[[Any], Any]) -> np.ndarray:
    """Return ``fn`` of each value (object array), called once per distinct value.

    Missing values (None, NaN, NA) are all passed to ``fn`` as None.
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = fn(None)  # code -1 (missing) picks the last entry
    return mapped[codes]


def clean_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)


def factorize_long_text(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return what ``pd.factorize(values)`` returns, faster on long strings.

    Values are hashed in one vectorised pass (:func:`pandas.util.hash_array`)
    and the 64-bit hashes factorized; every value is then checked against the
    first value of its group, and on a hash collision the plain
    :func:`pandas.factorize` runs instead. Missing values get code -1.
    """
    hashes = pd.util.hash_array(values, categorize=False)
    codes, groups = pd.factorize(hashes)
    first = np.empty(len(groups), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(values) - 1, -1, -1)
    uniques = values[first]
    missing = pd.isna(values)
    group_missing = pd.isna(uniques)
    # compare with every missing value (None, NaN, NA) written as None
    plain, first_of_group = values.copy(), uniques.copy()
    plain[missing] = None
    first_of_group[group_missing] = None
    same = first_of_group[codes] == plain
    if not (same.all() and np.array_equal(group_missing[codes], missing)):
        out_codes, out_uniques = pd.factorize(values)
        return out_codes, np.asarray(out_uniques, dtype=object)
    if group_missing.any():
        renumber = np.cumsum(~group_missing) - 1
        renumber[group_missing] = -1
        codes, uniques = renumber[codes], uniques[~group_missing]
    return codes, uniques


def distinct_text(
    series: pd.Series, *, long_text: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Factorize ``series``: the code of each row, the stripped text of each code.

    ``text[codes]`` is each row's stripped text, None where blank or missing
    (code -1, missing, picks the last entry of ``text``, None). With
    ``long_text`` (addresses) the values are hashed first
    (:func:`factorize_long_text`).
    """
    if long_text:
        codes, uniques = factorize_long_text(series.to_numpy(dtype=object))
    else:
        codes, uniques = pd.factorize(series)
    text = np.empty(len(uniques) + 1, dtype=object)
    text[:-1] = [clean_text(u) for u in uniques]
    text[-1] = None
    return codes, text


def stripped_text(series: pd.Series) -> np.ndarray:
    """Return stripped text as an object array, None where blank or missing."""
    codes, text = distinct_text(series)
    return text[codes]


@functools.lru_cache(maxsize=2**16)
def address_key(address: Any) -> str:
    """Normalised address without the comune part ("" when unusable).

    Cached: a run links occupations, evictions and vacancies written with the
    same addresses, and keys the estates' addresses each time.
    """
    from geo_alloggi.address import normalize_address

    if not isinstance(address, str) or not address.strip():
        return ""
    return normalize_address(address).split(",")[0].strip()


@functools.lru_cache(maxsize=2**12)
def comune_key(value: Any) -> str:
    from geo_alloggi.io import canonical_comune, fold_value

    if not isinstance(value, str) or not value.strip():
        return ""
    return fold_value(canonical_comune(value))
