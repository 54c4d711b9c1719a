"""Say in words why an area ranks where it does in the patrol priority.

:func:`reasons_text` joins the score components that raise an area's score,
largest contribution first, following the small-count rule and saying counts
withheld by disclosure control (:func:`withheld_cells`) as withheld.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._i18n import (
    count_phrase,
    emerging_phrase,
    fewer_than_phrase,
    fmt_change_pct,
    is_small,
    no_signal_phrase,
    previous_period_phrase,
    withheld_phrase,
)

__all__ = ["reasons_text", "withheld_cells"]


def withheld_cells(withheld: pd.DataFrame | None) -> dict[str, set[str]]:
    """Area id → the columns withheld by disclosure control for that area."""
    hidden: dict[str, set[str]] = {}
    if withheld is not None:
        for area, flags in withheld.astype(bool).iterrows():
            hidden[str(area)] = {c for c, v in flags.items() if v}
    return hidden


def _is_suppressed(n: float, suppress_below: int | None) -> bool:
    """Tell whether a count is said "fewer than" (the small-count rule, rounded)."""
    return suppress_below is not None and is_small(round(n), suppress_below)


def _count_text(n: float, kind: str, lang: str, suppress_below: int | None) -> str:
    """Say a count: "42 alloggi occupati", "meno di 5 sgomberi programmati"."""
    if suppress_below is not None and _is_suppressed(n, suppress_below):
        return fewer_than_phrase(suppress_below, kind, lang)
    return count_phrase(n, kind, lang)


def reasons_text(
    row: dict[str, Any],
    kind: str,
    lang: str,
    suppress_below: int | None,
    hidden: AbstractSet[str] = frozenset(),
) -> str:
    """Join the components that raise the score, largest contribution first.

    ``kind`` is the panel's period kind (:func:`geo_alloggi._periods.period_kind`).
    A count named in ``hidden`` is said as withheld, never as a number.
    """

    def count(n: float, what: str, column: str) -> str:
        if column in hidden:
            return withheld_phrase(what, lang)
        return _count_text(n, what, lang, suppress_below)

    parts: list[tuple[float, int, str]] = []
    cat = row.get(S.EMERGING)
    if isinstance(cat, str) and cat != "No Pattern Detected":
        parts.append((row["score_trend"], 0, emerging_phrase(cat, lang)))
    new, prev = row[S.NEW_OCCUPATIONS], row[S.NEW_PREVIOUS]
    if new > 0:
        text = count(new, "new", S.NEW_OCCUPATIONS)
        if (
            prev is not None
            and not pd.isna(prev)
            and not (
                _is_suppressed(new, suppress_below)
                or _is_suppressed(prev, suppress_below)
                or {S.NEW_OCCUPATIONS, S.NEW_PREVIOUS} & hidden
            )
        ):
            if prev > 0:
                change = fmt_change_pct(row[S.NEW_CHANGE_PCT], lang)
                text += f" ({change} {previous_period_phrase(kind, lang)})"
            else:
                text += f" ({previous_period_phrase(kind, lang, none_before=True)})"
        parts.append((row["score_new_occupations"], 1, text))
    if row[S.OCCUPIED] > 0:
        parts.append(
            (
                row["score_occupied"],
                2,
                count(row[S.OCCUPIED], "occupied", S.OCCUPIED),
            )
        )
    if row[S.SCHEDULED_EVICTIONS] > 0:
        parts.append(
            (
                row["score_evictions"],
                3,
                count(row[S.SCHEDULED_EVICTIONS], "evictions", S.SCHEDULED_EVICTIONS),
            )
        )
    if not parts:
        return no_signal_phrase(lang)
    parts.sort(key=lambda t: (-t[0], t[1]))
    return "; ".join(p[2] for p in parts)
