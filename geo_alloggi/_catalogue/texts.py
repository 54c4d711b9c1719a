"""Sentences of the summary, the report, the explanations and the comparison."""

from __future__ import annotations

__all__ = ["COMPARE", "EXPLAIN", "REPORT", "SUMMARY"]

SUMMARY: dict[str, tuple[str, str]] = {
    "summary.title": (
        "# Occupazioni abusive e alloggi sfitti — {last}",
        "# Abusive occupations and vacant units — {last}",
    ),
    "summary.synthetic": (
        "> **{label}** — dati sintetici generati con seme {seed}, calibrati su "
        "cifre pubbliche: non sono dati reali.",
        "> **{label}** — synthetic records generated with seed {seed}, calibrated "
        "on public figures: not real data.",
    ),
    "summary.synthetic_files": (
        "> **{label}** — dati sintetici, non sono dati reali.",
        "> **{label}** — synthetic records, not real data.",
    ),
    "summary.confidential": ("> **{label}**", "> **{label}**"),
    "summary.key": ("## Cifre chiave", "## Key figures"),
    "summary.units": (
        "- Alloggi pubblici nell'area di studio: {units}",
        "- Public housing units in the study area: {units}",
    ),
    "summary.occupied": (
        "- Alloggi occupati abusivamente a fine {last}: {occupied} ({rate} ogni "
        "100 alloggi; {prev}: {prev_occupied})",
        "- Units occupied abusively at the end of {last}: {occupied} ({rate} per "
        "100 units; {prev}: {prev_occupied})",
    ),
    "summary.occupied_one": (
        "- Alloggi occupati abusivamente a fine {last}: {occupied} ({rate} ogni "
        "100 alloggi)",
        "- Units occupied abusively at the end of {last}: {occupied} ({rate} per "
        "100 units)",
    ),
    "summary.new": (
        "- Nuove occupazioni nel {last}: {new}",
        "- New occupations in {last}: {new}",
    ),
    "summary.evictions": (
        "- Sgomberi eseguiti nel {last}: {evictions}",
        "- Evictions executed in {last}: {evictions}",
    ),
    "summary.vacant": (
        "- Alloggi sfitti a fine {last}: {vacant}",
        "- Vacant units at the end of {last}: {vacant}",
    ),
    "summary.hot": ("## Punti caldi (Gi*, FDR)", "## Hot spots (Gi*, FDR)"),
    "summary.none": ("- nessuno", "- none"),
    "summary.moran": (
        "Indice di Moran globale del tasso di occupazione: I = {i}, "
        "p (permutazioni) = {p}.",
        "Global Moran's I of the occupation rate: I = {i}, permutation p = {p}.",
    ),
    "summary.trends": (
        "## Tendenze (punti caldi emergenti)",
        "## Trends (emerging hot spots)",
    ),
    "summary.patrol": ("## Pattugliamenti: prime 5 zone", "## Patrols: top 5 areas"),
    "summary.renovation": ("## Ristrutturazioni", "## Renovation"),
    "summary.backtest": (
        "## Affidabilità della classifica (back-test)",
        "## How far to trust the ranking (back-test)",
    ),
    "summary.indicators": (
        "## Come leggere gli indicatori",
        "## How to read the figures",
    ),
    "summary.notes": ("## Note", "## Notes"),
    "summary.sources": ("Fonti: {text}", "Sources: {text}"),
}


EXPLAIN: dict[str, tuple[str, str]] = {
    "explain.withheld": (
        "Dato riservato: i conteggi da 1 a {max_small}, e quelli che "
        "permetterebbero di ricostruirli per differenza, non sono mostrati, per "
        "proteggere le persone coinvolte.",
        "Withheld: counts from 1 to {max_small}, and those that would give them "
        "back by subtraction, are not shown, to protect the people involved.",
    ),
    "explain.hotspot": (
        "Punto caldo: quartiere che, insieme ai quartieri vicini, ha più "
        "alloggi occupati di quanto il caso spiegherebbe (statistica Gi*, "
        "corretta per i confronti multipli).",
        "Hot spot: a district that, with its neighbours, has more occupied "
        "units than chance would explain (Gi* statistic, corrected for "
        "multiple comparisons).",
    ),
    "explain.trend": (
        "Tendenza: come il punto caldo è cambiato negli anni (nuovo, "
        "persistente, in intensificazione…), dai punti caldi di ogni periodo.",
        "Trend: how the hot spot changed over the years (new, persistent, "
        "intensifying…), from the hot spots of every period.",
    ),
    "explain.moran": (
        "Indice di Moran: dice quanto i quartieri con tassi simili stanno "
        "vicini (0: nessun legame; verso 1: occupazioni concentrate).",
        "Moran's I: how much districts with similar rates lie next to each "
        "other (0: no link; towards 1: occupations concentrated).",
    ),
    "explain.risk_weighted": (
        "Alloggi pesati per rischio: ogni alloggio recuperato conta quanto la "
        "probabilità che venga occupato entro 12 mesi se resta sfitto; misura "
        "le occupazioni che il piano previene.",
        "Risk-weighted units: each recovered unit counts as much as the "
        "probability that it is occupied within 12 months if left empty; it "
        "measures the occupations the plan prevents.",
    ),
    "explain.pai": (
        "PAI (indice di accuratezza predittiva): quota delle nuove occupazioni "
        "cadute nelle zone segnalate divisa per la quota di superficie che "
        "quelle zone coprono; 1 vuol dire non meglio del caso, 5 cinque volte "
        "meglio.",
        "PAI (predictive accuracy index): the share of new occupations that "
        "fell in the flagged areas divided by the share of the area they "
        "cover; 1 means no better than chance, 5 five times better.",
    ),
}


REPORT: dict[str, tuple[str, str]] = {
    "report.doc_title": (
        "Occupazioni abusive e alloggi sfitti — {last}",
        "Abusive occupations and vacant units — {last}",
    ),
    "report.period": (
        "Periodo analizzato: {first} – {last}; situazione a fine {last}.",
        "Period analysed: {first} – {last}; situation at the end of {last}.",
    ),
    "report.synthetic": (
        "DATI SINTETICI ({label}): generati con seme {seed}, calibrati su cifre "
        "pubbliche; non sono dati reali.",
        "{label} DATA: generated with seed {seed}, calibrated on public "
        "figures; not real records.",
    ),
    "report.synthetic_files": (
        "DATI SINTETICI ({label}): non sono dati reali.",
        "{label} DATA: not real records.",
    ),
    "report.confidential": ("RISERVATO — uso interno", "CONFIDENTIAL — internal use"),
    "report.data_protection": (
        "Protezione dei dati: documento riservato agli enti del tavolo di "
        "coordinamento. Non contiene dati personali: i record sono aggregati "
        "per quartiere e per stabile e i conteggi piccoli sono oscurati. Non "
        "diffonderlo fuori dagli enti; conservarlo e distruggerlo secondo le "
        "regole di ciascun ente (Regolamento UE 2016/679).",
        "Data protection: a document reserved to the bodies of the coordination "
        "meeting. It holds no personal data: records are aggregated per "
        "district and estate and small counts are withheld. Do not share it "
        "outside those bodies; keep and destroy it under each body's rules "
        "(Regulation (EU) 2016/679).",
    ),
    "report.key": ("Cifre chiave", "Key figures"),
    "report.kf_units": ("Alloggi pubblici", "Public housing units"),
    "report.kf_occupied": (
        "Occupati abusivamente a fine {last}",
        "Occupied abusively at the end of {last}",
    ),
    "report.kf_rate": ("{rate} ogni 100 alloggi", "{rate} per 100 units"),
    "report.kf_previous": ("{prev}: {value}", "{prev}: {value}"),
    "report.kf_new": ("Nuove occupazioni nel {last}", "New occupations in {last}"),
    "report.kf_evictions": (
        "Sgomberi eseguiti nel {last}",
        "Evictions executed in {last}",
    ),
    "report.kf_vacant": (
        "Alloggi sfitti a fine {last}",
        "Vacant units at the end of {last}",
    ),
    "report.map": (
        "Alloggi occupati ogni 100 e punti caldi, {last}",
        "Occupied units per 100 and hot spots, {last}",
    ),
    "report.map_alt": (
        "Mappa dei quartieri: alloggi occupati ogni 100 e punti caldi",
        "Map of the districts: occupied units per 100 and hot spots",
    ),
    "report.map_missing": (
        "Mappa statica non disponibile.",
        "Static map not available.",
    ),
    "report.hot": ("Punti caldi e tendenze", "Hot spots and trends"),
    "report.hot_none": (
        "Nessun punto caldo significativo nel {last}.",
        "No significant hot spot in {last}.",
    ),
    "report.hot_more": (
        "e altri {n} punti caldi (tabella hotspots).",
        "and {n} more hot spots (hotspots table).",
    ),
    "report.trends": ("Tendenze nel tempo", "Trends over time"),
    "report.trends_none": (
        "Nessuna tendenza rilevata.",
        "No trend detected.",
    ),
    "report.col_district": ("Quartiere", "District"),
    "report.col_class": ("Confidenza", "Confidence"),
    "report.col_trend": ("Tendenza", "Trend"),
    "report.col_rate": ("Occupati ogni 100", "Occupied per 100"),
    "report.col_districts": ("Quartieri", "Districts"),
    "report.patrol": ("Dove pattugliare: prime {n} zone", "Patrols: top {n} areas"),
    "report.col_rank": ("N.", "No."),
    "report.col_reasons": ("Perché", "Why"),
    "report.renovation": ("Piano di ristrutturazione", "Renovation plan"),
    "report.plan_empty": (
        "Nessun alloggio sfitto candidato: il piano è vuoto.",
        "No candidate vacant unit: the plan is empty.",
    ),
    "report.col_method": ("Criterio", "Rule"),
    "report.col_units": ("Alloggi recuperati", "Units recovered"),
    "report.col_rw": ("Pesati per rischio", "Risk-weighted"),
    "report.col_spend": ("Spesa", "Spend"),
    "report.col_estates": ("Stabili", "Estates"),
    "report.tradeoff": (
        "Compromesso: il piano ottimale recupera meno alloggi del criterio "
        "«{method}» ({opt_units} contro {units}), ma previene più occupazioni "
        "({opt_rw} contro {rw} alloggi pesati per rischio).",
        "Trade-off: the optimal plan recovers fewer units than '{method}' "
        "({opt_units} against {units}) but prevents more occupations ({opt_rw} "
        "against {rw} risk-weighted units).",
    ),
    "report.tradeoff_title": (
        "Compromesso: alloggi recuperati o occupazioni evitate",
        "Trade-off: units recovered or occupations prevented",
    ),
    "renovation.no_tradeoff": (
        "Lo stesso piano recupera più alloggi e previene più occupazioni: "
        "nessun compromesso.",
        "One plan both recovers the most units and prevents the most "
        "occupations: no trade-off.",
    ),
    "report.no_tradeoff": (
        "Il piano ottimale recupera almeno tanti alloggi quanto i criteri "
        "semplici e previene più occupazioni: nessun compromesso.",
        "The optimal plan recovers at least as many units as the simple rules "
        "and prevents more occupations: no trade-off.",
    ),
    "report.plan_estates": (
        "Stabili scelti, per rischio: {estates}",
        "Estates chosen, by risk: {estates}",
    ),
    "report.backtest": (
        "Quanto fidarsi della classifica (back-test)",
        "How far to trust the ranking (back-test)",
    ),
    "report.backtest_missing": (
        "Back-test non calcolato: servono più periodi di dati.",
        "Back-test not computed: more periods of records are needed.",
    ),
    "report.since": (
        "Dal precedente incontro ({old} → {new})",
        "Since the last meeting ({old} → {new})",
    ),
    "report.indicators": ("Come leggere gli indicatori", "How to read the figures"),
    "report.notes": ("Note", "Notes"),
    "report.sources": ("Fonti e dati di riferimento", "Sources and reference data"),
    "report.col_dataset": ("Dato di riferimento", "Reference dataset"),
    "report.col_release": ("Versione", "Release"),
    "report.col_licence": ("Licenza", "Licence"),
    "report.stale": (
        "più vecchio di due anni: indirizzi e confini recenti possono mancare",
        "older than two years: recent addresses and boundaries may be missing",
    ),
    "report.stale_note": (
        "{n} dati di riferimento hanno più di due anni: {datasets}.",
        "{n} reference datasets are older than two years: {datasets}.",
    ),
    "report.stale_note.one": (
        "1 dato di riferimento ha più di due anni: {datasets}.",
        "1 reference dataset is older than two years: {datasets}.",
    ),
    "report.release_current": (
        "versione ufficiale corrente (da scaricare)",
        "current official release (to download)",
    ),
    "report.downloaded": ("scaricato il {date}", "downloaded on {date}"),
    "report.generated": (
        "Prodotto con geo_alloggi {version}.",
        "Made with geo_alloggi {version}.",
    ),
    "report.pdf_skipped": (
        "report.pdf non prodotto: {reason}. Stampare report.html dal browser "
        "(A4 orizzontale).",
        "report.pdf not written: {reason}. Print report.html from a browser "
        "(A4 landscape).",
    ),
    "report.no_chromium": (
        "Chromium non trovato in {path}",
        "Chromium not found at {path}",
    ),
    "report.pdf_failed": ("la stampa non è riuscita", "printing failed"),
}


COMPARE: dict[str, tuple[str, str]] = {
    "compare.title": (
        "Cosa è cambiato dal {old} al {new}",
        "What changed from {old} to {new}",
    ),
    "compare.section": ("Sezione", "Section"),
    "compare.entered": ("Nuovi punti caldi", "New hot spots"),
    "compare.left": ("Non più punti caldi", "No longer hot spots"),
    "compare.rises": (
        "Aumenti maggiori di alloggi occupati",
        "Largest rises in occupied units",
    ),
    "compare.falls": (
        "Diminuzioni maggiori di alloggi occupati",
        "Largest falls in occupied units",
    ),
    "compare.totals": ("Area di studio", "Study area"),
    "compare.renovation": (
        "Avanzamento delle ristrutturazioni",
        "Renovation progress",
    ),
    "compare.none": ("nessuno", "none"),
    "compare.col_change": ("Variazione", "Change"),
    "compare.reno_vacant": (
        "Alloggi sfitti nei {n} stabili del piano precedente",
        "Vacant units in the {n} estates of the previous plan",
    ),
    "compare.reno_emptied": (
        "Stabili del piano precedente senza più alloggi sfitti",
        "Estates of the previous plan with no vacant unit left",
    ),
    "compare.reno_dropped": (
        "Stabili del piano precedente non più nel nuovo piano",
        "Estates of the previous plan no longer in the new plan",
    ),
    "compare.reno_none": (
        "Il piano precedente non sceglieva alcuno stabile.",
        "The previous plan chose no estate.",
    ),
    "compare.withheld": (
        "I quartieri con un dato riservato in uno dei due periodi non entrano "
        "negli aumenti e nelle diminuzioni.",
        "Districts with a withheld count in either period are left out of the "
        "rises and falls.",
    ),
    "compare.same_period": (
        "Attenzione: i due pacchetti riguardano lo stesso periodo ({period}).",
        "Note: both bundles cover the same period ({period}).",
    ),
    "compare.mixed": (
        "Attenzione: uno solo dei due pacchetti è fatto di dati sintetici.",
        "Note: only one of the two bundles is made of synthetic records.",
    ),
}
