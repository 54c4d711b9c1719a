"""Where each record is linked so far, kept as integer codes per row.

Records are many and the estates, methods and notes they get are few, so a
row holds only codes: the position of its estate, the number of its link
method, the code of its note. Texts are built once per distinct value and
taken by code when the output columns are made (:meth:`Links.columns`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["Links", "Notes", "distinct_pairs", "text_column"]


def distinct_pairs(
    first: np.ndarray, second: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Factorize the pairs of integer codes ``(first, second)`` (-1 allowed).

    Parameters
    ----------
    first, second : numpy.ndarray
        Integer codes, one per row, each at least -1.

    Returns
    -------
    tuple of numpy.ndarray
        The code of each row's pair and, per distinct pair (in order of first
        appearance), its ``first`` and ``second`` codes.
    """
    m = int(second.max(initial=-1)) + 2
    key = (first.astype(np.int64) + 1) * m + (second + 1)
    size = (int(first.max(initial=-1)) + 2) * m
    if size > 4 * len(key) + 4096:
        codes, pairs = pd.factorize(key)
        return codes, pairs // m - 1, pairs % m - 1
    # few possible pairs: a table over all of them instead of a hash table
    where = np.full(size, len(key), dtype=np.int64)
    where[key[::-1]] = np.arange(len(key) - 1, -1, -1)  # each pair's first row
    present = np.flatnonzero(where < len(key))
    pairs = present[np.argsort(where[present], kind="stable")]
    number = np.empty(size, dtype=np.int64)
    number[pairs] = np.arange(len(pairs))
    return number[key], pairs // m - 1, pairs % m - 1


def text_column(
    texts: np.ndarray, codes: np.ndarray
) -> pd.api.extensions.ExtensionArray:
    """Return ``texts[codes]`` as a ``str`` array (None gives a missing value).

    The few distinct texts are converted once, then taken by code.
    """
    return pd.array(np.asarray(texts, dtype=object), dtype="str").take(codes)


class Notes:
    """The note of each row: a code into a table of texts (0: no note)."""

    def __init__(self, n: int) -> None:
        self.codes = np.zeros(n, dtype=np.int64)
        self.texts: list[str] = [""]

    def add(self, rows: np.ndarray, codes: np.ndarray, messages: np.ndarray) -> None:
        """Append ``messages[codes]`` (one code per row) to the notes of ``rows``.

        A row without a note gets the message; one with a note gets
        ``"<note>; <message>"``. Each distinct (note, message) pair is
        written once.
        """
        if len(rows) == 0:
            return
        pair, old, new = distinct_pairs(self.codes[rows], np.asarray(codes))
        texts = self.texts
        self.codes[rows] = len(texts) + pair
        texts.extend(
            messages[m] if not texts[o] else f"{texts[o]}; {messages[m]}"
            for o, m in zip(old.tolist(), new.tolist(), strict=True)
        )

    def add_one(self, rows: np.ndarray, message: str) -> None:
        """Append the same ``message`` to the notes of ``rows``."""
        self.add(rows, np.zeros(len(rows), dtype=np.int64), np.array([message]))

    def empty(self) -> np.ndarray:
        """Return the boolean mask of the rows without a note."""
        return np.array([not t for t in self.texts], dtype=bool)[self.codes]

    def column(self) -> pd.api.extensions.ExtensionArray:
        """Return the notes as a ``str`` array, one per row."""
        return text_column(np.array(self.texts, dtype=object), self.codes)


class Links:
    """Where each record is linked so far: estate, method, distance, notes.

    Parameters
    ----------
    n : int
        Number of records.
    methods : sequence of str
        The link methods; the last one is "not linked", every row's start.
    """

    def __init__(self, n: int, methods: tuple[str, ...]) -> None:
        self.methods = methods
        self.unlinked_code = len(methods) - 1
        self.estate = np.full(n, -1, dtype=np.int64)
        self.method = np.full(n, self.unlinked_code, dtype=np.int8)
        self.distance = np.full(n, np.nan)
        self.notes = Notes(n)

    def unlinked(self) -> np.ndarray:
        """Return the boolean mask of the rows not linked yet."""
        return self.method == self.unlinked_code

    def set(
        self, rows: np.ndarray, estates: np.ndarray, method: str, distance: object
    ) -> None:
        """Link ``rows`` to the estates at positions ``estates`` by ``method``."""
        self.estate[rows] = estates
        self.method[rows] = self.methods.index(method)
        self.distance[rows] = distance

    def by_id(
        self, codes: np.ndarray, text: np.ndarray, estate_ids: np.ndarray
    ) -> None:
        """Step 1: link the records whose given estate id is an estate's.

        ``text[codes]`` is each record's given id, None where none was given
        (code -1 picks the last entry of ``text``, None).
        """
        position = {e: j for j, e in enumerate(estate_ids.tolist())}
        at = np.array([position.get(t, -1) for t in text], dtype=np.int64)[codes]
        rows = np.flatnonzero(at >= 0)
        self.set(rows, at[rows], "estate_id", np.nan)
        messages = np.array(
            [f"estate_id {t!r} unknown" for t in text[:-1]] + [""], dtype=object
        )
        given = np.array([t is not None for t in text], dtype=bool)[codes]
        unknown = np.flatnonzero((at < 0) & given)
        self.notes.add(unknown, codes[unknown], messages)

    def columns(
        self, estate_ids: np.ndarray, given: np.ndarray, given_codes: np.ndarray
    ) -> dict[str, object]:
        """Return the output columns: estate id, method, distance and note.

        A linked row gets its estate's id, an unlinked one the id it was given
        (``given[given_codes]``, missing where none).
        """
        unlinked = self.unlinked()
        n_e = len(estate_ids)
        codes = np.where(
            unlinked,
            n_e + np.where(given_codes < 0, len(given) - 1, given_codes),
            self.estate,
        )
        ids = np.concatenate([np.asarray(estate_ids, dtype=object), given])
        return {
            "estate_id": text_column(ids, codes),
            "method": text_column(np.array(self.methods, dtype=object), self.method),
            "distance": self.distance,
            "note": self.notes.column(),
        }
