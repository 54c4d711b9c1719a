"""What a meeting reads: Italian labels (English on request) and number/date formats.

Everything shown to people at a coordination meeting — layer names, legend
titles, popup fields, category names, control tooltips — goes through
:func:`t` or one of the ``*_label`` helpers, so one switch (``lang="it"`` or
``lang="en"``) changes the whole output. Numbers and dates follow the Italian
conventions (``1.234,5``, ``31/12/2019``) in Italian, and the usual English
ones (``1,234.5``, ``2019-12-31``) in English.

Other modules (report tables, the patrol reasons of priorities) import from here.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._catalogue import CATALOGUE, LABELS
from geo_alloggi._errors import GeoAlloggiWarning, ValidationError

LANGS: tuple[str, ...] = ("it", "en")

# ---------------------------------------------------------------------------
# user-interface strings: key -> (italian, english); the map and interface
# labels (_catalogue.labels) and the bundles' text (the rest of _catalogue)

_STRINGS: dict[str, tuple[str, str]] = dict(LABELS)

if set(_STRINGS) & set(CATALOGUE):  # pragma: no cover - caught by the tests
    raise RuntimeError(
        f"keys in both catalogues: {sorted(set(_STRINGS) & set(CATALOGUE))}"
    )
_STRINGS.update(CATALOGUE)

# ---------------------------------------------------------------------------
# category labels

_HOTSPOT_IT: dict[str, str] = {
    "Hot spot 99%": "Punto caldo 99%",
    "Hot spot 95%": "Punto caldo 95%",
    "Hot spot 90%": "Punto caldo 90%",
    "Not significant": "Non significativo",
    "Cold spot 90%": "Punto freddo 90%",
    "Cold spot 95%": "Punto freddo 95%",
    "Cold spot 99%": "Punto freddo 99%",
}

_EMERGING_IT: dict[str, str] = {
    "New Hot Spot": "Nuovo punto caldo",
    "Consecutive Hot Spot": "Punto caldo consecutivo",
    "Intensifying Hot Spot": "Punto caldo in intensificazione",
    "Persistent Hot Spot": "Punto caldo persistente",
    "Diminishing Hot Spot": "Punto caldo in attenuazione",
    "Sporadic Hot Spot": "Punto caldo sporadico",
    "Oscillating Hot Spot": "Punto caldo oscillante",
    "Historical Hot Spot": "Punto caldo storico",
    "New Cold Spot": "Nuovo punto freddo",
    "Consecutive Cold Spot": "Punto freddo consecutivo",
    "Intensifying Cold Spot": "Punto freddo in intensificazione",
    "Persistent Cold Spot": "Punto freddo persistente",
    "Diminishing Cold Spot": "Punto freddo in attenuazione",
    "Sporadic Cold Spot": "Punto freddo sporadico",
    "Oscillating Cold Spot": "Punto freddo oscillante",
    "Historical Cold Spot": "Punto freddo storico",
    "No Pattern Detected": "Nessuna tendenza rilevata",
}

_OWNER_IT: dict[str, str] = {"Aler": "Aler Milano", "Comune-MM": "Comune (MM Casa)"}
_OWNER_EN: dict[str, str] = {"Aler": "Aler Milano", "Comune-MM": "Comune (MM Casa)"}

_MONTHS_EN = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is supported, else raise :class:`ValidationError`."""
    if lang not in LANGS:
        raise ValidationError(f"lang={lang!r} is not one of {list(LANGS)!r}")
    return lang


def t(key: str, lang: str = "it", **fmt: Any) -> str:
    """Translate a user-interface string.

    Parameters
    ----------
    key
        Key of the string (e.g. ``"layer.estates"``).
    lang
        ``"it"`` (default) or ``"en"``.
    **fmt
        Values for the ``{placeholders}`` of the string.

    Returns
    -------
    str
        Plain text (not escaped: escape it before it reaches HTML).

    Raises
    ------
    ValidationError
        Unknown ``lang`` or ``key``.
    """
    check_lang(lang)
    try:
        pair = _STRINGS[key]
    except KeyError:
        raise ValidationError(
            f"unknown label key {key!r}; known keys start with "
            f"{sorted({k.split('.')[0] for k in _STRINGS})!r}"
        ) from None
    text = pair[0] if lang == "it" else pair[1]
    return text.format(**fmt) if fmt else text


def has_key(key: str) -> bool:
    """Tell whether the catalogue holds ``key``."""
    return key in _STRINGS


def catalogue_keys() -> list[str]:
    """Every key of the catalogue, sorted (for checks and tests)."""
    return sorted(_STRINGS)


def column_label(column: str, lang: str = "it") -> str:
    """Human name of a statistics column; the column name itself if unknown."""
    key = f"col.{column}"
    return t(key, lang) if key in _STRINGS else str(column)


def hotspot_label(value: Any, lang: str = "it") -> str:
    """Label of a hot-spot class given as ``gi_bin`` (int) or ``hotspot`` (label).

    Raises
    ------
    ValidationError
        A value that is neither a known bin nor a known label.
    """
    check_lang(lang)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if int(value) not in S.HOTSPOT_LABELS:
            raise ValidationError(
                f"gi_bin={value!r} is not one of {sorted(S.HOTSPOT_LABELS)!r}"
            )
        value = S.HOTSPOT_LABELS[int(value)]
    if value not in _HOTSPOT_IT:
        raise ValidationError(
            f"hotspot={value!r} is not one of {list(S.HOTSPOT_LABELS.values())!r}"
        )
    return _HOTSPOT_IT[value] if lang == "it" else str(value)


def emerging_label(value: str, lang: str = "it") -> str:
    """Label of an emerging hot-spot category (values of ``emerging_category``)."""
    check_lang(lang)
    if value not in _EMERGING_IT:
        raise ValidationError(
            f"emerging_category={value!r} is not one of {list(S.EMERGING_CATEGORIES)!r}"
        )
    return _EMERGING_IT[value] if lang == "it" else value


def label_categories(frame: pd.DataFrame, lang: str = "it") -> pd.DataFrame:
    """Return a copy of ``frame`` with its hot-spot and trend classes in ``lang``.

    The one rule of every output a meeting sees (tables, GeoPackage): text
    values of ``hotspot`` and ``emerging_category`` become their labels
    (:func:`hotspot_label`, :func:`emerging_label`); missing values stay missing.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table; columns other than the two are left as they are.
    lang : str, default 'it'
        ``"it"`` or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        A copy (the caller's frame is not changed).
    """
    check_lang(lang)
    out = frame.copy()
    if S.HOTSPOT in out:
        out[S.HOTSPOT] = out[S.HOTSPOT].map(
            lambda v: hotspot_label(v, lang) if isinstance(v, str) else v
        )
    if S.EMERGING in out:
        out[S.EMERGING] = out[S.EMERGING].map(
            lambda v: emerging_label(v, lang) if isinstance(v, str) else v
        )
    return out


def stored_class_lang(values: Any) -> str:
    """Tell the language of stored hot-spot or trend labels: ``"it"`` or ``"en"``.

    A GeoPackage of an Italian bundle stores the Italian labels; its QGIS
    style must match them. ``"en"`` when no Italian label is among ``values``.
    """
    italian = {hotspot_label(v, "it") for v in S.HOTSPOT_LABELS.values()}
    italian |= {emerging_label(v, "it") for v in S.EMERGING_CATEGORIES}
    return "it" if any(v in italian for v in values if isinstance(v, str)) else "en"


def owner_label(value: Any, lang: str = "it") -> str:
    """Display name of an estate owner (``Aler``, ``Comune-MM``; others unchanged)."""
    check_lang(lang)
    table: Mapping[str, str] = _OWNER_IT if lang == "it" else _OWNER_EN
    return table.get(str(value), str(value))


def _template_pattern(template: str) -> re.Pattern[str]:
    """Return a catalogue text as a pattern, its ``{placeholders}`` named groups."""
    parts = re.split(r"\{(\w+)\}", template)
    out = []
    for i, part in enumerate(parts):
        out.append(f"(?P<{part}>.+?)" if i % 2 else re.escape(part))
    return re.compile("".join(out), re.S)


#: The quarantine reasons, in catalogue order (specific before general).
_QUARANTINE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, _template_pattern(pair[1]))
    for key, pair in _STRINGS.items()
    if key.startswith("quarantine.")
)


def quarantine_reasons(text: Any, lang: str = "it") -> Any:
    """Say a quarantine table's reasons in ``lang``.

    :mod:`geo_alloggi.io` writes each rejected row's reasons in English (its
    documented language), joined by ``"; "``; each reason of the catalogue
    (``quarantine.*``) is said again in ``lang``, the values it quotes kept.
    A reason the catalogue does not know is left as it is; non-text values
    (missing) are returned unchanged.

    Parameters
    ----------
    text : str or None
        The ``reason`` cell of a quarantine table.
    lang : str, default 'it'
        ``"it"`` or ``"en"`` (English: the text unchanged).

    Returns
    -------
    str or None
    """
    check_lang(lang)
    if lang == "en" or not isinstance(text, str):
        return text
    said = []
    for reason in text.split("; "):
        for key, pattern in _QUARANTINE_PATTERNS:
            found = pattern.fullmatch(reason)
            if found:
                reason = t(key, lang, **found.groupdict())
                break
        said.append(reason)
    return "; ".join(said)


def quarantine_in(table: pd.DataFrame, lang: str = "it") -> pd.DataFrame:
    """Return a copy of a quarantine table with its ``reason`` column in ``lang``.

    Rows and the other columns are kept as they are (:func:`quarantine_reasons`).
    """
    check_lang(lang)
    out = table.copy()
    if S.QUARANTINE_REASON in out:
        out[S.QUARANTINE_REASON] = out[S.QUARANTINE_REASON].map(
            lambda r: quarantine_reasons(r, lang)
        )
    return out


# ---------------------------------------------------------------------------
# numbers and dates


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_number(value: Any, decimals: int = 1, lang: str = "it") -> str:
    """Format a number with thousands separators: ``1.234,5`` (it) or ``1,234.5`` (en).

    Missing values give ``n.d.`` (it) / ``n/a`` (en).
    """
    check_lang(lang)
    if _missing(value):
        return t("value.missing", lang)
    x = float(value)
    if math.isinf(x):
        return ("-" if x < 0 else "") + "∞"
    text = f"{x:,.{max(0, int(decimals))}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    if lang == "it":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_int(value: Any, lang: str = "it") -> str:
    """Format an integer count: ``1.234`` (it) or ``1,234`` (en)."""
    return fmt_number(value, 0, lang)


def fmt_eur(value: Any, lang: str = "it", decimals: int = 0) -> str:
    """Format euros: ``1.234.567 €`` (it) or ``€1,234,567`` (en)."""
    text = fmt_number(value, decimals, lang)
    if text == t("value.missing", lang):
        return text
    if lang == "it":
        return f"{text} €"
    return f"-€{text[1:]}" if text.startswith("-") else f"€{text}"


def _below_threshold(x: Any, threshold: int) -> Any:
    """Apply the small-count rule, 0 < x < threshold, to a number or a float array.

    Counts from 1 to ``threshold - 1`` are small, and so is any other positive
    value below the threshold (0.5 included); NaN never is.
    """
    return (x > 0) & (x < threshold)


def is_small(value: Any, threshold: int) -> bool:
    """Tell whether a count is from 1 to ``threshold - 1`` (never shown as is)."""
    if _missing(value):
        return False
    return bool(_below_threshold(float(value), threshold))


def small_mask(values: Any, threshold: int) -> np.ndarray:
    """Tell, value by value, whether counts are from 1 to ``threshold - 1``.

    The vectorised :func:`is_small`: the same rule, one entry per value.

    Parameters
    ----------
    values : array-like
        Counts (any numeric dtype, nullable ones included); missing values
        are not small.
    threshold : int
        Suppression threshold (``config.suppression_threshold``).

    Returns
    -------
    numpy.ndarray
        Boolean array as long as ``values``.

    Raises
    ------
    ValueError
        A value that is not a number (as :func:`is_small`).
    """
    numbers = pd.to_numeric(pd.Series(values, copy=False))
    x = numbers.to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(_below_threshold(x, threshold), dtype=bool)


def fmt_count(
    value: Any,
    *,
    threshold: int,
    allow_small: bool = False,
    lang: str = "it",
) -> str:
    """Format a count, showing ``< threshold`` instead of counts from 1 to threshold-1.

    Parameters
    ----------
    value
        The count (missing gives ``n.d.``/``n/a``).
    threshold
        Suppression threshold (``config.suppression_threshold``).
    allow_small
        Show small counts as they are (only when the caller explicitly allows it).
    lang
        ``"it"`` or ``"en"``.
    """
    if not allow_small and is_small(value, threshold):
        return t("value.suppressed", lang, threshold=fmt_int(threshold, lang))
    return fmt_int(value, lang)


def fmt_date(value: Any, lang: str = "it") -> str:
    """Format a date: ``31/12/2019`` (it) or ``2019-12-31`` (en)."""
    check_lang(lang)
    if _missing(value):
        return t("value.missing", lang)
    ts = pd.Timestamp(value)
    return ts.strftime("%d/%m/%Y") if lang == "it" else ts.strftime("%Y-%m-%d")


def fmt_period(value: Any, lang: str = "it") -> str:
    """Format a period label (year, quarter, month or date) for a slider or legend.

    ``pandas.Period`` with yearly, quarterly or monthly frequency gives ``2019``,
    ``T1 2019`` / ``Q1 2019``, ``03/2019`` / ``Mar 2019``; so do the labels of
    :func:`geo_alloggi.overlay.period_labels` (``2019``, ``2019Q3``,
    ``2019-07``); timestamps and dates give :func:`fmt_date`; anything else
    its ``str``.
    """
    check_lang(lang)
    if isinstance(value, pd.Period):
        code = value.freqstr[:1].upper()
        if code in {"A", "Y"}:
            return str(value.year)
        if code == "Q":
            prefix = "T" if lang == "it" else "Q"
            return f"{prefix}{value.quarter} {value.year}"
        if code == "M":
            if lang == "it":
                return f"{value.month:02d}/{value.year}"
            return f"{_MONTHS_EN[value.month - 1]} {value.year}"
        return fmt_date(value.start_time, lang)
    if isinstance(value, (pd.Timestamp, _dt.date, np.datetime64)):
        return fmt_date(value, lang)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}Q[1-4]", text):
            return fmt_period(pd.Period(text, freq="Q"), lang)
        if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
            return fmt_period(pd.Period(text, freq="M"), lang)
    return str(value)


# ---------------------------------------------------------------------------
# phrases of the patrol reasons ("13 nuove occupazioni (+18% sull'anno
# precedente); 42 alloggi occupati")

#: What a count counts, by kind: ((it singular, it plural), (en singular, en plural)).
_COUNT_NOUNS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "occupied": (
        ("alloggio occupato", "alloggi occupati"),
        ("occupied unit", "occupied units"),
    ),
    "new": (
        ("nuova occupazione", "nuove occupazioni"),
        ("new occupation", "new occupations"),
    ),
    "evictions": (
        ("sgombero programmato", "sgomberi programmati"),
        ("scheduled eviction", "scheduled evictions"),
    ),
}

#: Against the previous period, by period kind: ((it change, it none before),
#: (en change, en none before)).
_PREVIOUS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "year": (
        ("sull'anno precedente", "nessuna l'anno precedente"),
        ("on the previous year", "none the previous year"),
    ),
    "quarter": (
        ("sul trimestre precedente", "nessuna il trimestre precedente"),
        ("on the previous quarter", "none the previous quarter"),
    ),
    "month": (
        ("sul mese precedente", "nessuna il mese precedente"),
        ("on the previous month", "none the previous month"),
    ),
    "period": (
        ("sul periodo precedente", "nessuna nel periodo precedente"),
        ("on the previous period", "none the previous period"),
    ),
}

_REASON_WORDS: dict[str, tuple[str, str]] = {
    "fewer_than": ("meno di {n} {what}", "fewer than {n} {what}"),
    "withheld": ("{what}: dato riservato", "{what}: withheld"),
    "no_signal": ("nessun segnale", "no signal"),
}


def _count_nouns(kind: str, lang: str) -> tuple[str, str]:
    check_lang(lang)
    if kind not in _COUNT_NOUNS:
        raise ValidationError(f"kind={kind!r} is not one of {list(_COUNT_NOUNS)!r}")
    return _COUNT_NOUNS[kind][0 if lang == "it" else 1]


def count_phrase(n: float, kind: str, lang: str = "it") -> str:
    """Say a count with its noun: ``42 alloggi occupati``, ``1 nuova occupazione``.

    ``kind`` is ``"occupied"``, ``"new"`` (occupations) or ``"evictions"``
    (scheduled); ``n`` is rounded to a whole number.
    """
    whole = round(n)
    singular, plural = _count_nouns(kind, lang)
    return f"{fmt_int(whole, lang)} {singular if whole == 1 else plural}"


def fewer_than_phrase(threshold: int, kind: str, lang: str = "it") -> str:
    """Say a small count without its value: ``meno di 5 sgomberi programmati``."""
    what = _count_nouns(kind, lang)[1]
    text = _REASON_WORDS["fewer_than"][0 if lang == "it" else 1]
    return text.format(n=fmt_int(threshold, lang), what=what)


def withheld_phrase(kind: str, lang: str = "it") -> str:
    """Say a count withheld by disclosure control (``…: dato riservato``)."""
    what = _count_nouns(kind, lang)[1]
    return _REASON_WORDS["withheld"][0 if lang == "it" else 1].format(what=what)


def no_signal_phrase(lang: str = "it") -> str:
    """Say that nothing raises an area's score: ``nessun segnale``."""
    return _REASON_WORDS["no_signal"][0 if check_lang(lang) == "it" else 1]


def previous_period_phrase(
    kind: str, lang: str = "it", *, none_before: bool = False
) -> str:
    """Say "on the previous year" (or quarter, month, period) after a change.

    With ``none_before``: "none the previous year" (no change can be given).
    ``kind`` is what :func:`geo_alloggi._periods.period_kind` returns.
    """
    check_lang(lang)
    pair = _PREVIOUS[kind][0 if lang == "it" else 1]
    return pair[1] if none_before else pair[0]


def emerging_phrase(category: str, lang: str = "it") -> str:
    """Return an emerging category mid-sentence: ``punto caldo persistente``."""
    label = emerging_label(category, lang)
    return label.lower() if lang == "en" else label[:1].lower() + label[1:]


def fmt_change_pct(value: float, lang: str = "it") -> str:
    """Format a change in percent, rounded, with its sign: ``+18%``, ``-3%``, ``0%``."""
    rounded = round(value)
    sign = "+" if rounded > 0 else ("-" if rounded < 0 else "")
    return f"{sign}{fmt_int(abs(rounded), lang)}%"


# notes: warnings restated for people, in their language


@dataclass(frozen=True)
class Note:
    """A warning as a meeting reads it: a catalogue key and its values.

    Attributes
    ----------
    key : str
        Catalogue key without the ``note.`` prefix (as :attr:`GeoAlloggiWarning.key`).
    params : dict
        Values of the sentence's placeholders. ``districts`` (district ids) are
        shown by name, ``joins`` as ``name → name (m)``, ``kind`` (a record
        kind) translated; lists show five items and how many more.
    """

    key: str
    params: dict[str, Any] = field(default_factory=dict)


#: Third-party warnings restated: (regex on the message, note key); the named
#: groups fill the note. Anything else a library raises is only logged.
THIRD_PARTY: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"Not enough unique values in array to form (?P<requested>\d+) "
            r"classes\. Setting k to (?P<k>\d+)"
        ),
        "thirdparty.classes",
    ),
)


def note_of(warning: Warning) -> Note | None:
    """Return the :class:`Note` restating ``warning``; None when it has none.

    A :class:`~geo_alloggi._errors.GeoAlloggiWarning` with a key gives its
    note; a known third-party warning (:data:`THIRD_PARTY`) gives its
    restatement; anything else gives None (log it, never publish it).
    """
    if isinstance(warning, GeoAlloggiWarning) and warning.key:
        if f"note.{warning.key}" not in _STRINGS:
            return None
        return Note(warning.key, {k: _plain(v) for k, v in warning.params.items()})
    text = str(warning)
    for pattern, key in THIRD_PARTY:
        found = pattern.search(text)
        if found:
            return Note(key, {k: int(v) for k, v in found.groupdict().items()})
    return None


def _plain(value: Any) -> Any:
    """Return ``value`` with numpy and pandas containers as lists, scalars as Python."""
    if isinstance(value, (np.ndarray, pd.Index, pd.Series, list, tuple, set)):
        return [_plain(v) for v in list(value)]
    if isinstance(value, np.generic):
        return value.item()
    return value


def join_few(items: Any, lang: str = "it", k: int = 5) -> str:
    """Join the first ``k`` items with commas and say how many more there are."""
    shown = [str(i) for i in list(items)]
    text = ", ".join(shown[:k])
    if len(shown) > k:
        text += " " + t("list.more", lang, n=fmt_int(len(shown) - k, lang))
    return text


def _note_value(
    name: str, value: Any, lang: str, names: Mapping[str, str] | None
) -> str:
    def named(i: Any) -> str:
        return str(names.get(str(i), i)) if names is not None else str(i)

    if name == "districts" and isinstance(value, (list, tuple)):
        return join_few([named(i) for i in value], lang)
    if name == "joins":
        return "; ".join(
            f"{named(island)} → "
            + ", ".join(f"{named(j)} ({fmt_int(m, lang)} m)" for j, m in links)
            for island, links in value
        )
    if name == "kind" and f"kind.{value}" in _STRINGS:
        return t(f"kind.{value}", lang)
    if name == "date":
        return fmt_date(value, lang)
    if name == "where" and f"where.{value}" in _STRINGS:
        return t(f"where.{value}", lang)
    if name == "period":
        many = isinstance(value, (list, tuple))
        return ", ".join(fmt_period(p, lang) for p in (value if many else [value]))
    if isinstance(value, (bool, np.bool_)):
        return t("value.yes" if value else "value.no", lang)
    if isinstance(value, (int, np.integer)):
        return fmt_int(value, lang)
    if isinstance(value, (float, np.floating)):
        return fmt_number(value, 0, lang)
    if isinstance(value, (list, tuple, set, np.ndarray, pd.Index, pd.Series)):
        return join_few(list(value), lang)
    return str(value)


def render_note(
    note: Note, lang: str = "it", *, names: Mapping[str, str] | None = None
) -> str:
    """Say a note in ``lang``: plain text (escape it before it reaches HTML).

    Parameters
    ----------
    note : Note
        Key and values.
    lang : str
        ``"it"`` or ``"en"``.
    names : mapping, optional
        District id -> name, so that districts appear by name.
    """
    values = {k: _note_value(k, v, lang, names) for k, v in note.params.items()}
    key = f"note.{note.key}"
    if note.params.get("n") == 1 and f"{key}.one" in _STRINGS:
        key += ".one"  # "1 quartiere ... resta", not "1 quartieri ... restano"
    return t(key, lang, **values)
