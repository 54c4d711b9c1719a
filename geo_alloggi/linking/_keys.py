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

try:  # pandas' hash table of integers, sized as the caller wishes
    from pandas._libs.hashtable import Int64HashTable
except ImportError:  # pragma: no cover
    Int64HashTable = None

from geo_alloggi.address import street_address
from geo_alloggi.linking._links import distinct_pairs

__all__ = [
    "address_key",
    "clean_text",
    "comune_key",
    "distinct_text",
    "factorize_repeated_text",
    "given_somewhere",
    "pairs_with_text",
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


def factorize_repeated_text(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return what ``pd.factorize(values)`` returns, faster on repeated texts.

    The readers give equal texts of a column one shared string object, so the
    rows are grouped by object identity first (integers, factorized fast) and
    only the first object of each group is compared by value; equal texts held
    by distinct objects still get one code. Missing values get code -1.

    Parameters
    ----------
    values : numpy.ndarray
        Object array of texts (None, NaN or NA where missing).

    Returns
    -------
    tuple of numpy.ndarray
        The code of each value and the distinct values, in order of first
        appearance, exactly as :func:`pandas.factorize`.
    """
    refs = _references(values)
    if len(pd.unique(refs[:_PROBE])) > 2 * len(pd.unique(values[:_PROBE])):
        # equal texts in distinct objects (built one by one, not by a reader):
        # grouping by object would only add a pass over many integers
        codes, uniques = pd.factorize(values)
        return codes, np.asarray(uniques, dtype=object)
    id_codes, groups = _factorize_few(refs)
    first = np.empty(len(groups), dtype=np.int64)
    first[id_codes[::-1]] = np.arange(len(values) - 1, -1, -1)
    # the groups are in order of first appearance, so their values are too
    codes, uniques = pd.factorize(values[first])
    return codes[id_codes], np.asarray(uniques, dtype=object)


def _factorize_few(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``pd.factorize(values)`` of integers that take few distinct values.

    :func:`pandas.factorize` sizes its hash table for every value distinct (a
    million rows: a table far larger than the processor's caches); pandas' own
    table started small grows with the distinct values instead, about three
    times faster on a million rows of a few thousand values.
    """
    try:
        uniques, codes = Int64HashTable(_PROBE).factorize(values)
    except Exception:  # pragma: no cover - a pandas without that table
        return pd.factorize(values)
    return codes, uniques


#: rows looked at to tell shared text objects from one object per row
_PROBE = 1024


def _references(values: np.ndarray) -> np.ndarray:
    """Return one integer per value, equal exactly where the object is the same.

    The object array's own references read as integers (no copy), else the
    objects' ``id``: both are unique among the objects alive together, and
    ``values`` keeps them alive.
    """
    values = np.ascontiguousarray(values, dtype=object)
    try:
        return np.frombuffer(values, dtype=np.intp)
    except (TypeError, ValueError):  # pragma: no cover - a numpy without it
        return np.fromiter(map(id, values), dtype=np.int64, count=len(values))


def given_somewhere(series: pd.Series) -> bool:
    """Whether any value of ``series`` is given (not missing).

    The first rows answer at once when they hold one; a column without any
    value (records carrying no estate id) is scanned in full.
    """
    return bool(series.iloc[:_PROBE].notna().any() or series.notna().any())


def distinct_text(
    series: pd.Series, *, repeated: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Factorize ``series``: the code of each row, the stripped text of each code.

    ``text[codes]`` is each row's stripped text, None where blank or missing
    (code -1, missing, picks the last entry of ``text``, None). With
    ``repeated`` (addresses, comuni: few texts on many rows) the rows are
    grouped by string object first (:func:`factorize_repeated_text`).
    """
    if repeated:
        codes, uniques = factorize_repeated_text(series.to_numpy(dtype=object))
    else:
        codes, uniques = pd.factorize(series)
    text = np.empty(len(uniques) + 1, dtype=object)
    text[:-1] = [clean_text(u) for u in uniques]
    text[-1] = None
    return codes, text


def pairs_with_text(
    groups: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Factorize the pairs (group, text) of each row (an address and its comune).

    The rows of a group nearly always hold one text (an address lies in one
    comune): each row is compared with its group's first row, and only the
    rows that differ are factorized by text, apart.

    Parameters
    ----------
    groups : numpy.ndarray
        Integer code of each row's group, at least 0.
    values : numpy.ndarray
        Object array of texts, one per row (None or NaN where missing).

    Returns
    -------
    tuple of numpy.ndarray
        The code of each row's pair; per pair, its group and its stripped text
        (None where blank or missing). Equal texts give one pair per group.
    """
    n = len(groups)
    first = np.full(int(groups.max(initial=-1)) + 1, n, dtype=np.int64)
    first[groups[::-1]] = np.arange(n - 1, -1, -1)
    heads = np.flatnonzero(first < n)  # the groups present
    lead = first[groups]
    try:
        same = np.asarray(values == values[lead], dtype=bool)
    except (TypeError, ValueError):  # pd.NA has no truth value
        same = None
    if same is None or same.shape != (n,):  # not compared one by one
        same = np.zeros(n, dtype=bool)
    same[first[heads]] = True
    odd = np.flatnonzero(~same)
    codes, uniques = pd.factorize(np.concatenate([values[first[heads]], values[odd]]))
    text = np.array([clean_text(u) for u in uniques] + [None], dtype=object)
    # a group's pair is its place among the groups present; other pairs follow
    place = np.zeros(len(first), dtype=np.int64)
    place[heads] = np.arange(len(heads))
    head_text = np.zeros(len(first), dtype=np.int64)
    head_text[heads] = codes[: len(heads)]
    row_pair = place[groups]
    pair_group, pair_text = heads, codes[: len(heads)]
    odd_text = codes[len(heads) :]
    other = odd_text != head_text[groups[odd]]  # missing (NaN, NA) equals missing
    if other.any():
        odd, odd_text = odd[other], odd_text[other]
        extra, extra_group, extra_text = distinct_pairs(groups[odd], odd_text)
        row_pair[odd] = len(heads) + extra
        pair_group = np.concatenate([pair_group, extra_group])
        pair_text = np.concatenate([pair_text, extra_text])
    return row_pair, pair_group, text[pair_text]


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
    return street_address(address)


@functools.lru_cache(maxsize=2**12)
def comune_key(value: Any) -> str:
    from geo_alloggi.io import canonical_comune, fold_value

    if not isinstance(value, str) or not value.strip():
        return ""
    return fold_value(canonical_comune(value))
