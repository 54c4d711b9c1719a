"""Map and interface labels in Italian and English: layers, legends, controls, reviews.

Only data: ``key -> (italian, english)``, with ``{placeholders}`` filled by
:func:`geo_alloggi._i18n.t`, which joins these to :data:`CATALOGUE`.
"""

from __future__ import annotations

__all__ = ["LABELS"]

LABELS: dict[str, tuple[str, str]] = {
    # layer names
    "layer.comuni": ("Comuni (base)", "Municipalities (basemap)"),
    "layer.districts": ("Quartieri (NIL)", "Districts (NIL)"),
    "layer.outlines": ("Confini dei quartieri", "District boundaries"),
    "layer.choropleth": ("{column}", "{column}"),
    "layer.hotspots": ("Punti caldi (Gi*)", "Hot spots (Gi*)"),
    "layer.emerging": ("Tendenze nel tempo", "Emerging hot spots"),
    "layer.estates": ("Stabili ERP", "Public housing estates"),
    "layer.density": ("Densità delle occupazioni", "Occupation density"),
    "layer.time": ("Andamento per periodo", "Change over time"),
    "layer.priorities": ("Priorità", "Priorities"),
    "layer.priorities_patrol": ("Priorità controlli", "Patrol priorities"),
    "layer.priorities_renovation": (
        "Priorità ristrutturazione",
        "Renovation priorities",
    ),
    "layer.tiles": ("Mappa di sfondo (online)", "Background map (online)"),
    # maps: optional street basemap, static map, QGIS styles and project
    "layer.streets": ("Stradario online ({host})", "Online street map ({host})"),
    "layer.streets_note": (
        "Se lo attivate, l'area che state guardando viene inviata a {host}",
        "Switching it on sends the area in view to {host}",
    ),
    "layer.districts_by_period": ("Quartieri per periodo", "Districts by period"),
    "legend.hotspot_outline": (
        "Punto caldo (Gi*): bordo spesso",
        "Hot spot (Gi*): thick outline",
    ),
    "legend.selected": ("Nel piano", "In the plan"),
    "legend.not_selected": ("Fuori dal piano", "Not in the plan"),
    "caption.period": ("Periodo: {period}", "Period: {period}"),
    "caption.top_hotspots": ("Principali punti caldi", "Main hot spots"),
    "caption.north": ("N", "N"),
    "caption.qgis_style": (
        "Stile di geo_alloggi: classi e colori della mappa HTML",
        "geo_alloggi style: the classes and colours of the HTML map",
    ),
    # column / measure names
    "col.occupied_per_100": (
        "Alloggi occupati ogni 100",
        "Occupied units per 100",
    ),
    "col.occupied": ("Alloggi occupati", "Occupied units"),
    "col.new_occupations": ("Nuove occupazioni", "New occupations"),
    "col.evictions": ("Sgomberi", "Evictions"),
    "col.vacant": ("Alloggi sfitti", "Vacant units"),
    "col.units": ("Alloggi", "Units"),
    "col.occupied_change": ("Variazione occupazioni", "Change in occupations"),
    "col.gi_z": ("Gi* (z)", "Gi* (z)"),
    "col.hotspot": ("Punto caldo", "Hot spot"),
    "col.emerging_category": ("Tendenza", "Trend"),
    "col.address": ("Indirizzo", "Address"),
    "col.owner": ("Ente gestore", "Owner"),
    "col.comune": ("Comune", "Municipality"),
    "col.district": ("Quartiere", "District"),
    "col.rank": ("Posizione", "Rank"),
    "col.score": ("Punteggio", "Score"),
    "col.reason": ("Motivo", "Reason"),
    "col.level": ("Livello", "Level"),
    "col.period": ("Periodo", "Period"),
    "col.estate_id": ("Codice stabile", "Estate id"),
    "col.district_id": ("Codice quartiere", "District id"),
    # reasons
    "reason.renovation": (
        "{units} alloggi sfitti da ristrutturare per {cost} €; "
        "rischio di occupazione {risk}",
        "{units} vacant units to renovate for €{cost}; occupation risk {risk}",
    ),
    # legend and popup words
    # a withheld cell is either a small count or one that would reveal it
    # (complementary suppression): "fewer than" would be wrong for the latter
    "legend.suppressed": (
        "Dato riservato (conteggi sotto {threshold} o che li rivelerebbero)",
        "Withheld (counts under {threshold}, or cells that would reveal them)",
    ),
    "legend.no_data": ("Nessun dato", "No data"),
    "legend.density": ("Densità (livello)", "Density (level)"),
    "legend.density_km2": (
        "Occupazioni per km² (stima di densità)",
        "Occupations per km² (density estimate)",
    ),
    "legend.estates": ("Stabili ERP per ente gestore", "Estates by owner"),
    "legend.top": ("Prime {n} posizioni", "Top {n}"),
    "value.suppressed": ("< {threshold}", "< {threshold}"),
    "value.missing": ("n.d.", "n/a"),
    # controls
    "control.fullscreen": ("Schermo intero", "Full screen"),
    "control.zoom_in": ("Ingrandisci", "Zoom in"),
    "control.zoom_out": ("Riduci", "Zoom out"),
    "control.search": ("Cerca stabile o quartiere…", "Search estate or district…"),
    "control.search_none": ("Nessun risultato", "No match"),
    "control.layers": ("Livelli", "Layers"),
    "control.play": ("Avvia", "Play"),
    "control.pause": ("Pausa", "Pause"),
    "kind.estate": ("stabile", "estate"),
    "kind.district": ("quartiere", "district"),
    # banners and captions
    "banner.synthetic": (
        "DATI SINTETICI ({label}) — non sono dati reali",
        "{label} DATA — not real records",
    ),
    # geocoding review (geo-alloggi geocode)
    "geo.review.conflict": (
        "comune del testo diverso da quello della colonna",
        "comune in the text differs from the comune column",
    ),
    "geo.review.ambiguous": (
        "più vie con questo nome",
        "several streets answer to this name",
    ),
    "geo.review.out_of_area": (
        "comune fuori dall'area di studio",
        "comune outside the study area",
    ),
    "geo.review.street": (
        "solo la via: civico assente o non trovato",
        "street only: no civic number, or not found",
    ),
    "geo.review.unmatched": ("indirizzo non trovato", "address not found"),
    # notes of geo_matched_address (the library writes them in English)
    "geo.note.out_of_area": ("fuori area: {comune}", "out of area: {comune}"),
    "geo.note.ambiguous": ("ambiguo: {streets}", "ambiguous: {streets}"),
    "geo.note.conflict": (
        "comune in conflitto: {found} nell'indirizzo, {given} indicato",
        "comune conflict: {found} in the address, {given} given",
    ),
    "geo.review.low_score": (
        "corrispondenza incerta (punteggio sotto {threshold})",
        "uncertain match (score under {threshold})",
    ),
    "geo.summary.done": (
        "geocodificati {n} indirizzi: {placed} collocati; {review} da verificare in "
        "{path}",
        "geocoded {n} address(es): {placed} placed; {review} to review in {path}",
    ),
    "geo.summary.by_comune": (
        "Risultati per comune e tipo di corrispondenza",
        "Results by comune and match type",
    ),
    "geo.summary.reasons": (
        "Motivi principali della verifica",
        "Top reasons for review",
    ),
    "geo.summary.total": ("Totale", "Total"),
    "geo.cli.progress": ("geocodifica", "geocoding"),
    "geo.cli.columns": (
        "indirizzi dalla colonna {address}",
        "addresses from column {address}",
    ),
    "geo.cli.columns_comune": (
        "indirizzi dalla colonna {address}, comune dalla colonna {comune}",
        "addresses from column {address}, comune from column {comune}",
    ),
    "geo.cli.number_column": (
        "numeri civici dalla colonna {number}, aggiunti all'indirizzo",
        "house numbers from column {number}, appended to the address",
    ),
    "geo.cli.coverage": (
        "numeri civici, {comune}: {sources}",
        "civic points, {comune}: {sources}",
    ),
    "geo.cli.coverage_source": (
        "{source} {with_position} su {points} con posizione",
        "{source} {with_position} of {points} with a position",
    ),
    "geo.cli.coverage_none": ("nessuno", "none"),
    "cli.warning": ("avviso", "warning"),
    "cli.note": ("nota", "note"),
    "cli.synthetic": ("DATI SINTETICI ({label})", "{label}"),
    "cli.bundle_written": (
        "fascicolo per la riunione scritto in {path}:",
        "meeting bundle written to {path}:",
    ),
    "cli.report": ("rapporto stampabile", "printable report"),
    "cli.figures": ("cifre chiave", "key figures"),
    "cli.written": ("scritto: {path}", "written: {path}"),
    "cli.no_suppress": (
        "--no-suppress: i risultati contengono conteggi piccoli; non condividerli",
        "--no-suppress: the outputs hold small counts; do not share them",
    ),
    "caption.sources": ("Fonti", "Sources"),
    "caption.map": ("Mappa", "Map"),
    "title.meeting": (
        "Occupazioni abusive nell'edilizia residenziale pubblica",
        "Abusive occupation of public housing",
    ),
    # --- back-test of the patrol ranking (priorities.backtesting) -----------
    "ranking.published": ("pubblicata", "published"),
    "ranking.calibrated": ("pesi calibrati sul passato", "calibrated weights"),
    "ranking.default": ("pesi predefiniti", "default weights"),
    "ranking.new_occupations": (
        "nuove occupazioni dell'ultimo periodo",
        "new occupations in the last period",
    ),
    "ranking.occupied": ("alloggi occupati", "occupied stock"),
    "ranking.hotspots": (
        "punti caldi (Gi*) dell'ultimo periodo",
        "last period's hot spots (Gi*)",
    ),
    "ranking.random": ("a caso (valore atteso)", "random (expected value)"),
    "component.occupied": ("alloggi occupati", "occupied stock"),
    "component.new_occupations": ("nuove occupazioni", "new occupations"),
    "component.trend": ("tendenza", "trend"),
    "component.evictions": ("sgomberi programmati", "scheduled evictions"),
    "component.gi_z": ("Gi* (z)", "Gi* (z)"),
    "col.ranking": ("Classifica", "Ranking"),
    "col.origin": ("Origine", "Origin"),
    "col.scored_period": ("Periodo previsto", "Predicted period"),
    "col.periods_seen": ("Periodi visti", "Periods seen"),
    "col.components": ("Componenti attive", "Active components"),
    "col.weight_occupied": ("Peso alloggi occupati", "Weight: occupied stock"),
    "col.weight_new_occupations": (
        "Peso nuove occupazioni",
        "Weight: new occupations",
    ),
    "col.weight_trend": ("Peso tendenza", "Weight: trend"),
    "col.weight_evictions": ("Peso sgomberi", "Weight: evictions"),
    "col.top_n": ("Zone segnalate", "Areas flagged"),
    "col.hits": (
        "Nuove occupazioni nelle zone segnalate",
        "New occupations in the flagged areas",
    ),
    "col.total": ("Nuove occupazioni in tutto", "New occupations in all"),
    "col.hit_rate": ("Tasso di successo", "Hit rate"),
    "col.area_share": ("Quota di superficie segnalata", "Share of the area flagged"),
    "col.pai": ("PAI", "PAI"),
    "col.origins": ("Origini", "Origins"),
    "col.hit_rate_mean": ("Tasso di successo medio", "Mean hit rate"),
    "col.hit_rate_low": ("Tasso di successo (da)", "Hit rate (from)"),
    "col.hit_rate_high": ("Tasso di successo (a)", "Hit rate (to)"),
    "col.pai_mean": ("PAI medio", "Mean PAI"),
    "col.pai_low": ("PAI (da)", "PAI (from)"),
    "col.pai_high": ("PAI (a)", "PAI (to)"),
    "col.interval": ("Intervallo", "Interval"),
    "col.published_higher_share": (
        "Quota di origini in cui la pubblicata ha il PAI più alto",
        "Share of origins where the published ranking has the higher PAI",
    ),
    "interval.bootstrap": ("bootstrap al 90%", "90% bootstrap"),
    "interval.minmax": ("minimo–massimo", "min–max"),
    "verdict.naive_wins": (
        "Una regola semplice ha previsto meglio della classifica pubblicata: "
        "«{rule}» ha un PAI medio di {pai_rule} contro {pai_pub} ({diff} in più; "
        "tasso di successo {hit_rule}% contro {hit_pub}%) e ha fatto meglio in "
        "{wins} prove su {n}.",
        "A simple rule predicted better than the published ranking: "
        '"{rule}" has a mean PAI of {pai_rule} against {pai_pub} ({diff} more; '
        "hit rate {hit_rule}% against {hit_pub}%) and did better in {wins} of "
        "{n} tests.",
    ),
    "verdict.published_wins": (
        "La classifica pubblicata ha previsto meglio delle regole semplici: PAI "
        "medio {pai_pub} ({low}–{high}) contro {pai_rule} della migliore, "
        "«{rule}» ({diff} in più; tasso di successo {hit_pub}% contro "
        "{hit_rule}%); ha fatto meglio in {wins} prove su {n}.",
        "The published ranking predicted better than the simple rules: mean PAI "
        "{pai_pub} ({low}–{high}) against {pai_rule} for the best of them, "
        '"{rule}" ({diff} more; hit rate {hit_pub}% against {hit_rule}%); it '
        "did better in {wins} of {n} tests.",
    ),
    "verdict.other": (
        "«{rule}»: PAI medio {pai} ({low}–{high}), {diff} rispetto alla pubblicata.",
        '"{rule}": mean PAI {pai} ({low}–{high}), {diff} against the '
        "published ranking.",
    ),
    "verdict.calibrated_now": (
        "Pesi che la calibrazione userebbe oggi: {now} (predefiniti: {default}).",
        "Weights the calibration would use now: {now} (defaults: {default}).",
    ),
    "verdict.synthetic": (
        "Pesi stimati su dati SINTETICI: descrivono il generatore, non Milano.",
        "Weights fitted on SYNTHETIC records describe the generator, not Milan.",
    ),
    "verdict.pai": (
        "Il PAI divide la quota delle nuove occupazioni del periodo dopo che "
        "cade nel primo {share}% delle zone per la quota di territorio che quelle "
        "zone coprono: 1 vuol dire non meglio del caso, 5 cinque volte meglio.",
        "PAI divides the share of the next period's new occupations that falls "
        "in the top {share}% of areas by the share of the territory those areas "
        "cover: 1 is no better than chance, 5 is five times better.",
    ),
    "verdict.tests": (
        "Prove: {n}, ogni volta con i dati fino a un periodo ({origins}) e il "
        "periodo dopo come verifica; intervalli {interval}.",
        "Tests: {n}, each with the records up to one period ({origins}) and the "
        "period after as the check; intervals {interval}.",
    ),
}
