"""What the commands ``overlay``, ``validate`` and ``prioritise`` say to an operator.

Only data: ``key -> (italian, english)``. Progress lines (``cli.busy.*``), the
counts each command prints and the words they need (periods, objectives,
record kinds not in :mod:`geo_alloggi._catalogue.tables`).
"""

from __future__ import annotations

COMMANDS: dict[str, tuple[str, str]] = {
    # progress on stderr, while the work runs
    "cli.busy.linking": (
        "collocazione degli stabili e collegamento dei record ...",
        "placing estates and linking records ...",
    ),
    "cli.busy.districts": (
        "caricamento dei quartieri ({level}) ...",
        "loading districts ({level}) ...",
    ),
    "cli.busy.synthetic": (
        "generazione dei record sintetici ...",
        "generating SYNTHETIC records ...",
    ),
    "cli.busy.demo": (
        "generazione e collegamento dei record sintetici della demo ...",
        "generating and linking the SYNTHETIC demo ...",
    ),
    "cli.busy.reading_files": (
        "lettura dei file dei record ...",
        "reading record files ...",
    ),
    "cli.busy.reading": ("lettura di {file} ...", "reading {file} ..."),
    "cli.busy.reading_estates": (
        "lettura degli stabili {file} ...",
        "reading estates {file} ...",
    ),
    "cli.busy.counting": (
        "conteggio per quartiere e periodo ...",
        "counting per district and period ...",
    ),
    "cli.busy.emerging": ("punti caldi emergenti ...", "emerging hot spots ..."),
    "cli.busy.priorities": (
        "priorità di pattugliamento, piano di ristrutturazione (esatto), "
        "verifica sul passato ...",
        "patrol ranking, renovation plan (exact), back-test ...",
    ),
    # reading and linking records
    "cli.linked": (
        "{kind}: {linked} record su {n} collegati a uno stabile",
        "{kind}: {linked} of {n} records linked to an estate",
    ),
    "cli.synthetic_records": (
        "record sintetici ({label}, seme {seed}): {estates} stabili, "
        "{occupations} occupazioni, {evictions} sgomberi, {vacancies} alloggi "
        "sfitti",
        "{label} records (seed {seed}): {estates} estates, {occupations} "
        "occupations, {evictions} evictions, {vacancies} vacancies",
    ),
    "cli.file_read": (
        "{kind} da {file}: {rows} righe lette, {accepted} accettate, "
        "{quarantined} in quarantena",
        "{kind} from {file}: {rows} rows read, {accepted} accepted, "
        "{quarantined} quarantined",
    ),
    "cli.file_dropped": (
        "colonne fuori dallo schema scartate: {n}",
        "{n} column(s) outside the schema dropped",
    ),
    # overlay
    "cli.overlay.rows": (
        "{level}: {districts} quartieri × {periods} periodi ({period}) = {rows} righe",
        "{level}: {districts} districts x {periods} periods ({period}) = {rows} rows",
    ),
    "cli.overlay.not_counted": (
        "non conteggiati (vedi gli avvisi): {counts}",
        "not counted (see warnings): {counts}",
    ),
    "cli.overlay.suppressed": (
        "riservatezza, soglia {threshold}: {n} righe con celle oscurate",
        "suppression at threshold {threshold}: {n} row(s) with suppressed cells",
    ),
    # headers of the overlay CSV that column_label does not cover, row types
    "cli.overlay.col.name": ("Nome", "Name"),
    "cli.overlay.col.parent_id": (
        "Codice quartiere superiore",
        "Parent district id",
    ),
    "cli.overlay.col.period_start": ("Inizio periodo", "Period start"),
    "cli.overlay.col.period_end": ("Fine periodo", "Period end"),
    "cli.overlay.col.suppressed": (
        "Dati oscurati (riservatezza)",
        "Suppressed (confidentiality)",
    ),
    "cli.overlay.col.source": ("Fonte", "Source"),
    "cli.overlay.col.row_type": ("Tipo riga", "Row type"),
    "cli.overlay.row.parent": ("totale quartiere superiore", "parent total"),
    "cli.overlay.row.total": ("totale generale", "grand total"),
    "cli.kind.evictions_undated": ("sgomberi senza data", "undated evictions"),
    "cli.period.month": ("mese", "month"),
    "cli.period.quarter": ("trimestre", "quarter"),
    "cli.period.year": ("anno", "year"),
    # validate
    "cli.validate.counts": (
        "{kind}: {rows} righe lette, {accepted} accettate, {quarantined} in quarantena",
        "{kind}: {rows} rows read, {accepted} accepted, {quarantined} quarantined",
    ),
    "cli.validate.estates": (
        "stabili per il controllo dei codici: {accepted}",
        "estates for the id check: {accepted}",
    ),
    "cli.validate.estates_quarantined": (
        "stabili per il controllo dei codici: {accepted} accettati, {quarantined} "
        "in quarantena (i motivi con 'validate estates')",
        "estates for the id check: {accepted} accepted, {quarantined} "
        "quarantined (run 'validate estates' for why)",
    ),
    "cli.validate.reasons": (
        "motivi più frequenti (come nel file di quarantena):",
        "most frequent reasons (as in the quarantine file):",
    ),
    "cli.validate.dropped": (
        "colonne fuori dallo schema, non lette: {columns}",
        "columns outside the schema, not read: {columns}",
    ),
    "cli.validate.accepted": ("accettate: {path}", "accepted: {path}"),
    "cli.validate.quarantine": ("quarantena: {path}", "quarantine: {path}"),
    # prioritise
    "cli.prioritise.synthetic": (
        "tabelle costruite da record sintetici",
        "tables built from SYNTHETIC records",
    ),
    "cli.prioritise.patrol": (
        "priorità di pattugliamento, {level}, {period}:",
        "patrol priority, {level}, {period}:",
    ),
    "cli.prioritise.renovation": (
        "ristrutturazione (budget {budget} €, obiettivo: {objective}): {units} "
        "alloggi in {estates} stabili, {risk} pesati per il rischio; con 1 M€ "
        "in più: +{next_units} alloggi",
        "renovation (budget {budget} €, objective {objective}): {units} units in "
        "{estates} estates, {risk} risk-weighted; next 1 M€: +{next_units} units",
    ),
    "cli.objective.risk": (
        "rischio (occupazioni attese evitate)",
        "risk",
    ),
    "cli.objective.units": ("alloggi restituiti", "units"),
    "cli.prioritise.unlinked": (
        "record non collegati: {n} (non conteggiati da nessuna parte; vedi "
        "la tabella linking)",
        "records left unlinked: {n} (counted nowhere; see linking)",
    ),
    "cli.prioritise.backtest": (
        "verifica sul passato: {verdict}",
        "back-test: {verdict}",
    ),
    "cli.prioritise.no_backtest": (
        "nessuna verifica sul passato: i record coprono {n} periodi ({period}), "
        "ne servono almeno 4",
        "no back-test: the records span {n} {period}(s), at least 4 are needed",
    ),
    "cli.files_written": (
        "{n} file scritti in {path}",
        "{n} files written to {path}",
    ),
}
