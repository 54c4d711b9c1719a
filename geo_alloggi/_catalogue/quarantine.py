"""Why a record row was quarantined: each reason in Italian and English.

The English side is the text :mod:`geo_alloggi.io` writes in a quarantine
table (its documented language), with ``{placeholders}`` for what varies;
:func:`geo_alloggi._i18n.quarantine_reasons` recognises it and says it again
in the run's language. Order matters: the first template that matches wins,
so the specific ones come before the general ones.
"""

from __future__ import annotations

QUARANTINE: dict[str, tuple[str, str]] = {
    "quarantine.fields": (
        "la riga ha {n} campi ma l'intestazione ne ha {ncols} "
        "(un {delim} non tra virgolette dentro un valore?)",
        "row has {n} fields but the header has {ncols} "
        "(an unquoted {delim} inside a value?)",
    ),
    "quarantine.fields_short": (
        "la riga ha {n} campi ma l'intestazione ne ha {ncols}",
        "row has {n} fields but the header has {ncols}",
    ),
    "quarantine.beyond_header": (
        "la riga ha valori oltre l'ultima intestazione (colonna {ncols})",
        "row has values beyond the last header (column {ncols})",
    ),
    "quarantine.duplicate": (
        "{col} {value} ripetuto (la prima volta su {row_word} {first})",
        "duplicate {col} {value} (first on {row_word} {first})",
    ),
    "quarantine.only_one_coordinate": (
        "indicata solo una tra lon e lat",
        "only one of lon/lat given",
    ),
    "quarantine.not_finite": (
        "coordinate non finite (NaN o infinite)",
        "coordinates not finite (NaN or infinite)",
    ),
    "quarantine.projected": (
        "le coordinate ({x}, {y}) sembrano proiettate (metri): attese longitudine "
        "e latitudine in gradi (EPSG:4326)",
        "coordinates ({x}, {y}) look projected (metres), expected longitude and "
        "latitude in degrees (EPSG:4326)",
    ),
    "quarantine.swapped": (
        "latitudine e longitudine sembrano scambiate (lon={lon}, lat={lat}): "
        "scambiare le due colonne",
        "latitude and longitude look swapped (lon={lon}, lat={lat}): exchange the "
        "two columns",
    ),
    "quarantine.out_of_range": (
        "coordinate fuori dai limiti (lon={lon}, lat={lat})",
        "coordinates out of range (lon={lon}, lat={lat})",
    ),
    "quarantine.outside": (
        "coordinate (lon={lon}, lat={lat}) fuori dall'area di studio "
        "(check_area=False o --no-area-check tiene queste righe)",
        "coordinates (lon={lon}, lat={lat}) outside the study area "
        "(check_area=False or --no-area-check keeps such rows)",
    ),
    "quarantine.unplaceable": (
        "nessun codice stabile, indirizzo o coordinate per collocare il record",
        "no estate id, address or coordinates to place the record",
    ),
    "quarantine.unknown_estate": (
        "estate_id {value} sconosciuto (non tra gli stabili forniti)",
        "unknown estate_id {value} (not in the estates given)",
    ),
    "quarantine.impossible_date": (
        "data impossibile {value} in {col} (colonna {header}), atteso gg/mm/aaaa",
        "impossible date {value} in {col} (column {header}), expected dd/mm/yyyy",
    ),
    "quarantine.unreadable_date": (
        "data illeggibile {value} in {col} (colonna {header}), atteso gg/mm/aaaa "
        "o aaaa-mm-gg",
        "unreadable date {value} in {col} (column {header}), expected dd/mm/yyyy "
        "or yyyy-mm-dd",
    ),
    "quarantine.early_date": (
        "data {value} in {col} (colonna {header}) anteriore al {date}",
        "date {value} in {col} (column {header}) is before {date}",
    ),
    "quarantine.future_date": (
        "data {value} in {col} (colonna {header}) nel futuro (dopo il {date})",
        "date {value} in {col} (column {header}) is in the future (after {date})",
    ),
    "quarantine.units_missing": (
        "unità mancanti (colonna {header})",
        "units missing (column {header})",
    ),
    "quarantine.units": (
        "unità {value} (colonna {header}) non è un intero positivo",
        "units {value} (column {header}) is not a positive integer",
    ),
    "quarantine.owner": (
        "proprietario {value} sconosciuto (colonna {header}), atteso Aler o Comune/MM",
        "unknown owner {value} (column {header}), expected Aler or Comune/MM",
    ),
    "quarantine.status": (
        "stato {value} sconosciuto (colonna {header}), atteso in corso/ongoing "
        "o liberato/ended",
        "unknown status {value} (column {header}), expected ongoing/in corso "
        "or ended/liberato",
    ),
    "quarantine.ended_without_end": (
        "stato 'ended' (colonna {header}) ma nessuna data di fine",
        "status 'ended' (column {header}) but no end date",
    ),
    "quarantine.ongoing_with_end": (
        "stato 'ongoing' (colonna {header}) ma con una data di fine",
        "status 'ongoing' (column {header}) but an end date is given",
    ),
    "quarantine.outcome": (
        "esito {value} sconosciuto (colonna {header}), atteso eseguito/executed, "
        "programmato/scheduled, rinviato/postponed o fallito/failed",
        "unknown outcome {value} (column {header}), expected executed/eseguito, "
        "scheduled/programmato, postponed/rinviato or failed/fallito",
    ),
    "quarantine.vulnerable": (
        "vulnerable {value} non è sì/no (sì/no, true/false, 1/0)",
        "vulnerable {value} is not yes/no (sì/no, true/false, 1/0)",
    ),
    "quarantine.cost_unreadable": (
        "costo {value} illeggibile (colonna {header})",
        "unreadable cost {value} (column {header})",
    ),
    "quarantine.cost": (
        "costo {value} (colonna {header}) non è un importo non negativo",
        "cost {value} (column {header}) is not a non-negative amount",
    ),
    "quarantine.unreadable": (
        "{col} {value} illeggibile (colonna {header})",
        "unreadable {col} {value} (column {header})",
    ),
    "quarantine.end_before_start": (
        "{end} {end_date} precede {start} {start_date}",
        "{end} {end_date} is before {start} {start_date}",
    ),
    "quarantine.missing": ("{col} mancante", "{col} missing"),
}
