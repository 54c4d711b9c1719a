"""Say which columns and values a record file may hold, under which headers.

The vocabulary of record files: the record kinds, their canonical columns and
required columns, the Italian and English headers recognised for each column,
and the value lists (status, outcome, yes/no, owner, comune) with their
spellings. Headers and values are folded (lower case, no accents) before they
are looked up, so ``Data Rilevazione`` matches ``data_rilevazione``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError

#: The record kinds :func:`geo_alloggi.io.read_records` understands.
KINDS: tuple[str, ...] = ("estates", "occupations", "evictions", "vacancies")

#: Columns records keep (when the file has them) to be linked to estates.
RECORD_LINK_COLUMNS: tuple[str, ...] = (S.ADDRESS, S.COMUNE, S.LON, S.LAT)
#: A house number in its own column is appended to the address.
HOUSE_NUMBER = "house_number"

#: Columns with few distinct values, each parsed or looked up once and
#: never copied as read into a table: CSV readers may read them as
#: categories (their text is then held once per distinct value).
FEW_VALUES: frozenset[str] = frozenset(
    {
        S.DETECTED_ON,
        S.ENDED_ON,
        S.EVICTION_DATE,
        S.VACANT_SINCE,
        S.STATUS,
        S.OUTCOME,
        S.VULNERABLE,
        S.COMUNE,
        S.OWNER,
    }
)

#: Kind -> the columns of its canonical table, in order.
CANONICAL: dict[str, tuple[str, ...]] = {
    "estates": S.ESTATE_COLUMNS,
    "occupations": (
        S.RECORD_ID,
        S.ESTATE_ID,
        S.UNIT_ID,
        S.DETECTED_ON,
        S.ENDED_ON,
        S.STATUS,
    ),
    "evictions": (
        S.RECORD_ID,
        S.ESTATE_ID,
        S.UNIT_ID,
        S.EVICTION_DATE,
        S.OUTCOME,
        S.VULNERABLE,
    ),
    "vacancies": (
        S.RECORD_ID,
        S.ESTATE_ID,
        S.UNIT_ID,
        S.VACANT_SINCE,
        S.ENDED_ON,
        S.REASON,
        S.RENOVATION_COST,
    ),
}

#: Kind -> the columns a file of that kind cannot do without.
REQUIRED: dict[str, tuple[str, ...]] = {
    "estates": (S.ESTATE_ID, S.UNITS),
    "occupations": (S.RECORD_ID, S.DETECTED_ON),
    "evictions": (S.RECORD_ID, S.EVICTION_DATE, S.OUTCOME),
    "vacancies": (S.VACANT_SINCE,),
}

# header aliases, after folding (lower case, no accents, "_" between words)
_COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    S.ESTATE_ID: (
        "estate_id",
        "estate",
        "codice_stabile",
        "cod_stabile",
        "id_stabile",
        "stabile",
        "codice_edificio",
        "cod_edificio",
        "id_edificio",
        "edificio",
        "codice_immobile",
        "id_immobile",
        "codice_complesso",
    ),
    S.UNIT_ID: (
        "unit_id",
        "unit",
        "codice_alloggio",
        "cod_alloggio",
        "id_alloggio",
        "alloggio",
        "codice_uiu",
        "id_uiu",
        "uiu",
        "codice_unita",
        "unita_immobiliare",
    ),
    S.ADDRESS: (
        "address",
        "indirizzo",
        "indirizzo_completo",
        "indirizzo_stabile",
        "ubicazione",
        "via",
    ),
    S.COMUNE: ("comune", "municipality", "city", "citta", "localita"),
    HOUSE_NUMBER: (
        "house_number",
        "housenumber",
        "civico",
        "n_civico",
        "num_civico",
        "numero_civico",
        "nr_civico",
    ),
    S.LON: ("lon", "lng", "long", "longitude", "longitudine", "x_wgs84"),
    S.LAT: ("lat", "latitude", "latitudine", "y_wgs84"),
}

_RECORD_ID_ALIASES: tuple[str, ...] = (
    "record_id",
    "id",
    "id_record",
    "codice_pratica",
    "id_pratica",
    "pratica",
    "n_pratica",
    "numero_pratica",
    "protocollo",
    "n_protocollo",
    "codice_record",
    "id_segnalazione",
    "id_verbale",
    "verbale",
    "n_verbale",
    "numero_verbale",
    "codice_verbale",
)

_KIND_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "estates": {
        S.ESTATE_ID: ("id", "codice", *_COMMON_ALIASES[S.ESTATE_ID]),
        S.NAME: (
            "name",
            "nome",
            "nome_stabile",
            "denominazione",
            "nome_complesso",
            "complesso",
            "quartiere",
        ),
        S.OWNER: (
            "owner",
            "proprietario",
            "proprieta",
            "ente",
            "ente_proprietario",
            "ente_gestore",
            "gestore",
        ),
        S.UNITS: (
            "units",
            "alloggi",
            "n_alloggi",
            "numero_alloggi",
            "num_alloggi",
            "tot_alloggi",
            "totale_alloggi",
            "unita",
            "n_unita",
        ),
        S.POSITION_SOURCE: ("position_source",),
    },
    "occupations": {
        S.RECORD_ID: (*_RECORD_ID_ALIASES, "id_occupazione", "codice_occupazione"),
        S.DETECTED_ON: (
            "detected_on",
            "data_rilevazione",
            "data_rilevamento",
            "data_occupazione",
            "data_accertamento",
            "data_segnalazione",
            "data_inizio",
            "inizio",
            "dal",
        ),
        S.ENDED_ON: (
            "ended_on",
            "data_fine",
            "data_liberazione",
            "data_cessazione",
            "data_rilascio",
            "data_recupero",
            "fine",
            "al",
        ),
        S.STATUS: ("status", "stato", "stato_occupazione"),
    },
    "evictions": {
        S.RECORD_ID: (*_RECORD_ID_ALIASES, "id_sgombero", "codice_sgombero"),
        S.EVICTION_DATE: (
            "date",
            "data",
            "data_sgombero",
            "data_esecuzione",
            "data_intervento",
            "data_accesso",
        ),
        S.OUTCOME: ("outcome", "esito", "stato", "esito_sgombero"),
        S.VULNERABLE: (
            "vulnerable",
            "vulnerabile",
            "fragile",
            "fragilita",
            "nucleo_fragile",
            "famiglia_fragile",
            "soggetto_fragile",
            "vulnerabilita",
        ),
    },
    "vacancies": {
        S.RECORD_ID: (*_RECORD_ID_ALIASES, "id_sfitto", "codice_sfitto"),
        S.VACANT_SINCE: (
            "since",
            "vacant_since",
            "sfitto_dal",
            "data_sfitto",
            "data_inizio",
            "data_rilevazione",
            "dal",
        ),
        S.ENDED_ON: (
            "ended_on",
            "data_fine",
            "data_fine_sfitto",
            "data_riassegnazione",
            "data_assegnazione",
            "al",
        ),
        S.REASON: ("reason", "motivo", "motivazione", "causa", "causale"),
        S.RENOVATION_COST: (
            "renovation_cost_eur",
            "renovation_cost",
            "cost",
            "costo",
            "costo_eur",
            "costo_stimato",
            "costo_ristrutturazione",
            "costo_ripristino",
            "importo",
            "importo_lavori",
        ),
    },
}


def fold(text: Any) -> str:
    """Fold a header: lower case, no accents, words joined by ``_``.

    Parameters
    ----------
    text : Any
        A header as written in a file (a BOM is dropped).

    Returns
    -------
    str
        ``"Data Rilevazione"`` -> ``"data_rilevazione"``.
    """
    text = str(text).replace("\ufeff", "")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def fold_value(text: str) -> str:
    """Fold a cell value: lower case, no accents, single spaces.

    Parameters
    ----------
    text : str
        A value as written in a file.

    Returns
    -------
    str
        The key looked up in the value lists (``"Liberàto"`` -> ``"liberato"``,
        ``"Cinisello-Balsamo"`` -> ``"cinisello balsamo"``).
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-./]+", " ", text.lower()).strip()


def aliases(kind: str) -> dict[str, tuple[str, ...]]:
    """Return column -> recognised (folded) headers for a file of ``kind``."""
    out: dict[str, tuple[str, ...]] = {}
    kind_aliases = _KIND_ALIASES[kind]
    for col in (*CANONICAL[kind], *RECORD_LINK_COLUMNS, HOUSE_NUMBER):
        if col in kind_aliases:
            out[col] = kind_aliases[col]
        elif col in _COMMON_ALIASES:
            out[col] = _COMMON_ALIASES[col]
    return out


def record_columns(kind: str) -> dict[str, tuple[str, ...]]:
    """Return the columns a record file of ``kind`` may hold and their headers.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.

    Returns
    -------
    dict[str, tuple[str, ...]]
        Canonical column name -> accepted headers (folded: lower case, no
        accents, words joined by ``_``; headers in files are folded the same
        way before matching, so ``Data Rilevazione`` matches
        ``data_rilevazione``).
    """
    check_kind(kind)
    return dict(aliases(kind))


def check_kind(kind: str) -> None:
    """Raise :class:`ValidationError` unless ``kind`` is one of :data:`KINDS`."""
    if kind not in KINDS:
        raise ValidationError(f"kind={kind!r} is not one of {list(KINDS)!r}")


# value lists (folded) -> canonical value
#: Status spellings -> ``ongoing`` or ``ended``.
STATUS_VALUES: dict[str, str] = {
    **dict.fromkeys(
        (
            "ongoing",
            "open",
            "active",
            "in corso",
            "incorso",
            "occupato",
            "occupata",
            "attiva",
            "attivo",
            "aperta",
            "aperto",
            "in essere",
        ),
        "ongoing",
    ),
    **dict.fromkeys(
        (
            "ended",
            "closed",
            "released",
            "liberato",
            "liberata",
            "libero",
            "concluso",
            "conclusa",
            "chiuso",
            "chiusa",
            "cessato",
            "cessata",
            "terminato",
            "terminata",
            "recuperato",
            "recuperata",
            "sgomberato",
            "sgomberata",
        ),
        "ended",
    ),
}
#: Outcome spellings -> executed, scheduled, postponed or failed.
OUTCOME_VALUES: dict[str, str] = {
    **dict.fromkeys(
        ("executed", "done", "eseguito", "eseguita", "effettuato", "effettuata"),
        "executed",
    ),
    **dict.fromkeys(
        (
            "scheduled",
            "planned",
            "programmato",
            "programmata",
            "previsto",
            "prevista",
            "fissato",
            "fissata",
            "calendarizzato",
        ),
        "scheduled",
    ),
    **dict.fromkeys(
        ("postponed", "rinviato", "rinviata", "differito", "differita", "sospeso"),
        "postponed",
    ),
    **dict.fromkeys(
        (
            "failed",
            "fallito",
            "fallita",
            "non eseguito",
            "non eseguita",
            "non riuscito",
            "negativo",
            "esito negativo",
        ),
        "failed",
    ),
}
#: Yes/no spellings -> True or False.
BOOL_VALUES: dict[str, bool] = {
    **dict.fromkeys(("si", "s", "yes", "y", "true", "t", "vero", "v", "1", "x"), True),
    **dict.fromkeys(("no", "n", "false", "f", "falso", "0"), False),
}
_OWNER_ALER = re.compile(r"\baler\b")
_OWNER_COMUNE = re.compile(r"\b(comune|mm|municipale|comunale)\b")
#: Folded spellings of the comuni of the study area -> official name.
COMUNE_VALUES: dict[str, str] = {
    "milano": "Milano",
    "milan": "Milano",
    "mi": "Milano",
    "cinisello balsamo": "Cinisello Balsamo",
    "cinisello b": "Cinisello Balsamo",
    "cinisello": "Cinisello Balsamo",
}


def canonical_comune(text: str) -> str:
    """Return the official name of a comune written in a known way.

    Parameters
    ----------
    text : str
        A comune as written in a file (``"MILANO"``, ``"Cinisello B."``...).

    Returns
    -------
    str
        ``"Milano"`` or ``"Cinisello Balsamo"`` for their usual spellings;
        any other text unchanged.
    """
    return COMUNE_VALUES.get(fold_value(text), text)


def canonical_owner(text: str) -> str | None:
    """Return ``"Aler"`` or ``"Comune-MM"`` for an owner as written, else None.

    Parameters
    ----------
    text : str
        An owner as written in a file (``"ALER Milano"``, ``"Comune di
        Milano / MM"``...).

    Returns
    -------
    str or None
        The owner's canonical name; None when it names neither.
    """
    folded = fold_value(text)
    if _OWNER_ALER.search(folded):
        return "Aler"
    if _OWNER_COMUNE.search(folded):
        return "Comune-MM"
    return None
