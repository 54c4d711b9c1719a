"""Notes that restate warnings (``note.<warning key>``), with their singular forms."""

from __future__ import annotations

__all__ = ["NOTES", "NOTES_ONE"]

#: Notes that restate warnings (``note.`` + the warning's key).
NOTES: dict[str, tuple[str, str]] = {
    "note.stats.excluded_no_units": (
        "{n} quartieri senza alloggi pubblici restano fuori dal calcolo dei "
        "punti caldi: {districts}.",
        "{n} districts without public housing units are left out of the "
        "hot-spot statistics: {districts}.",
    ),
    "note.stats.excluded": (
        "{n} quartieri senza dato o senza confini restano fuori dal calcolo "
        "dei punti caldi: {districts}.",
        "{n} districts without data or boundaries are left out of the "
        "hot-spot statistics: {districts}.",
    ),
    "note.stats.emerging_excluded": (
        "{n} quartieri senza alloggi pubblici in qualche periodo restano fuori "
        "dalle tendenze: {districts}.",
        "{n} districts without public housing units in some period are left "
        "out of the trends: {districts}.",
    ),
    "note.stats.constant": (
        "Tutti i {n} quartieri analizzati hanno lo stesso valore: non ci sono "
        "punti caldi né freddi da trovare.",
        "All {n} districts analysed have the same value: there are no hot or "
        "cold spots to find.",
    ),
    "note.stats.few_features": (
        "Solo {n} quartieri analizzati: con meno di {minimum} i punti caldi sono "
        "poco affidabili.",
        "Only {n} districts analysed: with fewer than {minimum} the hot spots "
        "are unreliable.",
    ),
    "note.stats.few_periods": (
        "Solo {n} periodi: la tendenza ne richiede almeno {minimum} per dire "
        "qualcosa di solido.",
        "Only {n} periods: the trend needs at least {minimum} to say anything solid.",
    ),
    "note.stats.gi_undefined": (
        "Per {n} quartieri, vicini di tutti gli altri, il punto caldo non si "
        "può calcolare e sono indicati come non significativi: {districts}.",
        "For {n} districts, neighbours of all the others, the hot spot cannot "
        "be computed and they are shown as not significant: {districts}.",
    ),
    "note.stats.islands": (
        "{n} zone non confinano con nessun'altra: per i punti caldi sono "
        "collegate alle più vicine ({joins}).",
        "{n} areas share no border with any other: for the hot spots they are "
        "joined to the nearest ones ({joins}).",
    ),
    "note.stats.no_location": (
        "{n} record senza posizione esclusi dalla densità.",
        "{n} records without a position left out of the density.",
    ),
    "note.grids.outside": (
        "{n} record fuori dall'area non conteggiati nella griglia.",
        "{n} records outside the area not counted in the grid.",
    ),
    "note.density.too_few": (
        "Mappa di densità non disegnata: {n} occupazioni, meno della soglia di "
        "riservatezza ({minimum}).",
        "Density map not drawn: {n} occupations, fewer than the "
        "confidentiality threshold ({minimum}).",
    ),
    "note.density.sparse": (
        "Mappa di densità non disegnata: in nessun luogo ci sono almeno "
        "{minimum} occupazioni entro {radius_m} m.",
        "Density map not drawn: no place has {minimum} or more occupations "
        "within {radius_m} m.",
    ),
    "note.trend.not_computed": (
        "Tendenze non calcolate (servono più periodi o più quartieri con "
        "alloggi): nella classifica dei pattugliamenti la tendenza vale 0.",
        "Trends not computed (more periods or more districts with units are "
        "needed): in the patrol ranking the trend counts 0.",
    ),
    "note.priorities.no_estate": (
        "{n} record di {kind} senza codice stabile noto non sono conteggiati "
        "per stabile (es. {sample}).",
        "{n} {kind} records without a known estate id are not counted per "
        "estate (e.g. {sample}).",
    ),
    "note.priorities.estates_unplaced": (
        "{n} stabili senza posizione esclusi dal collegamento ai quartieri "
        "(es. {sample}).",
        "{n} estates without a position left out of the link to districts "
        "(e.g. {sample}).",
    ),
    "note.priorities.estates_outside": (
        "{n} stabili fuori da ogni quartiere (es. {sample}).",
        "{n} estates outside every district (e.g. {sample}).",
    ),
    "note.priorities.estates_left_out": (
        "{n} stabili non collocati in alcun quartiere dell'area di studio (fuori "
        "dall'area o senza posizione) restano fuori dalle classifiche dei "
        "pattugliamenti e dai piani di ristrutturazione, con i loro record "
        "(es. {sample}).",
        "{n} estates in no district of the study area (outside it, or without "
        "a position) are left out of the patrol rankings and renovation plans, "
        "with their records (e.g. {sample}).",
    ),
    "note.priorities.owner_no_budget": (
        "{n} stabili candidati ({units} alloggi sfitti) di enti senza budget "
        "({owners}) restano fuori dai piani di ristrutturazione.",
        "{n} candidate estates ({units} vacant units) of owners without a "
        "budget ({owners}) are left out of the renovation plans.",
    ),
    "note.priorities.bad_counts": (
        "{n} valori mancanti o negativi di «{column}» contati come 0.",
        "{n} missing or negative values of '{column}' counted as 0.",
    ),
    "note.priorities.no_risk_history": (
        "Nessun alloggio era sfitto da almeno {days} giorni il {date}: il "
        "rischio di occupazione non si può stimare e vale 0.",
        "No unit had been vacant for {days} days or more on {date}: the "
        "occupation risk cannot be estimated and counts 0.",
    ),
    "note.priorities.no_candidates": (
        "Nessun alloggio sfitto il {date} con il motivo richiesto: il piano "
        "di ristrutturazione è vuoto.",
        "No unit vacant on {date} with the reason asked for: the renovation "
        "plan is empty.",
    ),
    "note.priorities.calibration_fallback": (
        "Pesi calibrati non disponibili (servono almeno quattro periodi): la "
        "classifica usa i pesi predefiniti.",
        "Calibrated weights not available (at least four periods are needed): "
        "the ranking uses the default weights.",
    ),
    "note.priorities.few_origins": (
        "Back-test su soli {n} periodi di prova: dice poco (ne servono almeno "
        "{minimum}).",
        "Back-test on only {n} trial periods: it says little (at least "
        "{minimum} are needed).",
    ),
    "note.priorities.bad_costs": (
        "{n} costi di ristrutturazione nulli o negativi ignorati.",
        "{n} renovation costs of zero or less ignored.",
    ),
    "note.geocoding.no_streets": (
        "Geocodifica senza l'elenco delle vie ({dataset}): gli indirizzi di vie "
        "senza numeri civici restano non trovati.",
        "Geocoding without the street list ({dataset}): addresses on streets "
        "without civic numbers stay unmatched.",
    ),
    "note.geocoding.online_failed": (
        "Geocodifica online: {failed} richieste su {total} non riuscite "
        "(verranno ritentate la prossima volta).",
        "Online geocoding: {failed} of {total} requests failed (they will be "
        "retried next time).",
    ),
    "note.geocoding.no_comune": (
        "{n} indirizzi su {total} non indicano il comune: si è assunto {comune}.",
        "{n} of {total} addresses name no comune: {comune} was assumed.",
    ),
    "note.geocoding.unplaced": (
        "{n} indirizzi su {total} non hanno trovato una posizione, es. {where} "
        "[{rows}].",
        "{n} of {total} addresses got no position, e.g. {where} [{rows}].",
    ),
    "note.geocoding.comuni_without_points": (
        "Nessun numero civico con posizione per {comuni} nelle fonti ufficiali: "
        "i loro indirizzi sono collocati al più sulla via. Per collocarli al "
        "civico servono estratti OpenStreetMap (addr:*) o la ricerca online.",
        "No civic-number points for {comuni} in the official sources: their "
        "addresses are placed on the street at most. OpenStreetMap extracts "
        "(addr:*) or the online search place them at the civic number.",
    ),
    "note.geocoding.nameless_points": (
        "{n} numeri civici senza comune esclusi dal riferimento degli indirizzi.",
        "{n} civic numbers naming no comune left out of the address reference.",
    ),
    "note.maps.estates_unplaced": (
        "{n} stabili senza posizione non compaiono sulla mappa (es. {sample}).",
        "{n} estates without a position are not drawn on the map (e.g. {sample}).",
    ),
    "note.io.no_study_area": (
        "Confini dell'area di studio non disponibili: le coordinate sono "
        "controllate su un riquadro approssimativo.",
        "Study-area boundaries unavailable: coordinates are checked against a "
        "rough box.",
    ),
    "note.io.dropped_columns": (
        "{file}: colonne fuori dallo schema eliminate, mai scritte in alcun "
        "risultato: {columns}.",
        "{file}: columns outside the schema dropped, never written to any "
        "output: {columns}.",
    ),
    "note.io.no_rows": (
        "{file}: il file ha l'intestazione ma nessuna riga di dati.",
        "{file}: the file has a header but no data rows.",
    ),
    "note.io.quarantined": (
        "{n} righe messe in quarantena (escluse dai dati); i motivi sono nei "
        "file di quarantena.",
        "{n} rows quarantined (left out of the records); the reasons are in "
        "the quarantine files.",
    ),
    "note.overlay.outside": (
        "{n} punti fuori da ogni quartiere (es. {sample}).",
        "{n} points outside every district (e.g. {sample}).",
    ),
    "note.overlay.no_position": (
        "{n} punti senza posizione (es. {sample}).",
        "{n} points without a position (e.g. {sample}).",
    ),
    "note.overlay.not_counted": (
        "{kind}: {n} record su {total} non conteggiati, perché il loro stabile "
        "o la loro posizione non cade in alcun quartiere (es. {sample}).",
        "{kind}: {n} of {total} records not counted, as their estate or "
        "position falls in no district (e.g. {sample}).",
    ),
    "note.overlay.estates_outside": (
        "{n} stabili fuori da ogni quartiere o senza posizione: i loro alloggi "
        "e record non sono conteggiati (es. {sample}).",
        "{n} estates outside every district or without a position: their "
        "units and records are not counted (e.g. {sample}).",
    ),
    "note.overlay.occupations_outside": (
        "{n} occupazioni fuori da ogni quartiere o senza posizione non "
        "conteggiate (es. {sample}).",
        "{n} occupations outside every district or without a position not "
        "counted (e.g. {sample}).",
    ),
    "note.overlay.by_comune": (
        "{kind}: {n} record senza posizione collocati nell'unico quartiere del "
        "loro comune ({districts}).",
        "{kind}: {n} records without a position placed in the one district of "
        "their comune ({districts}).",
    ),
    "note.overlay.undated_evictions": (
        "{n} sgomberi senza data non conteggiati (es. {sample}).",
        "{n} evictions without a date not counted (e.g. {sample}).",
    ),
    "note.linking.no_geocoder": (
        "Indirizzi non geocodificati: mancano i dati di riferimento degli indirizzi.",
        "Addresses not geocoded: the address reference data are missing.",
    ),
    "note.linking.unlinked": (
        "{n} record su {total} non collegati a uno stabile e non conteggiati "
        "(es. {sample}); sono elencati nella tabella dei collegamenti.",
        "{n} of {total} records could not be linked to an estate and are not "
        "counted (e.g. {sample}); see the linking table.",
    ),
    "note.io.ids_without_zeros": (
        "{n} codici stabile collegati allo stabile con le stesse cifre, senza "
        "gli zeri iniziali (es. {sample}).",
        "{n} estate ids matched to the estate with the same digits, ignoring "
        "leading zeros (e.g. {sample}).",
    ),
    "note.linking.estates_unplaced": (
        "{n} stabili su {total} senza coordinate non sono stati localizzati "
        "con precisione dall'indirizzo e restano senza posizione (es. {sample}).",
        "{n} of {total} estates without coordinates could not be placed "
        "precisely from their address and stay unplaced (e.g. {sample}).",
    ),
    # third-party warnings restated (see geo_alloggi._i18n.THIRD_PARTY)
    "note.thirdparty.classes": (
        "Troppi pochi valori diversi per {requested} classi di colore: la mappa "
        "ne usa {k}.",
        "Too few distinct values for {requested} colour classes: the map uses {k}.",
    ),
    # a run on few data: what was left out and what it would need
    "note.small.one_period": (
        "I dati coprono un solo periodo ({period}): variazioni e tendenze "
        "richiedono almeno 2 periodi e sono omesse.",
        "The records cover a single period ({period}): change and trends need "
        "at least 2 periods and are left out.",
    ),
    "note.small.no_hotspots": (
        "Punti caldi (Gi*) e indice di Moran non calcolati: servono almeno 3 "
        "quartieri con alloggi pubblici, i dati ne hanno {n}.",
        "Hot spots (Gi*) and Moran's I not computed: they need at least 3 "
        "districts with public housing units, the records have {n}.",
    ),
    "note.small.no_moran_constant": (
        "Indice di Moran non calcolato: il tasso di occupazione è uguale in "
        "tutti i quartieri.",
        "Moran's I not computed: the occupation rate is the same in every district.",
    ),
    "note.small.no_moran_other": (
        "Indice di Moran non calcolato: i dati non bastano per la statistica.",
        "Moran's I not computed: the records are not enough for the statistic.",
    ),
    "note.small.no_trend": (
        "Tendenze (punti caldi emergenti) non calcolate: servono almeno 2 periodi "
        "e 3 quartieri con alloggi pubblici (nei dati: periodi {periods}, "
        "quartieri con alloggi {with_units}); nella classifica dei controlli la "
        "tendenza vale 0.",
        "Trends (emerging hot spots) not computed: they need at least 2 periods "
        "and 3 districts with public housing units (in the records: periods "
        "{periods}, districts with units {with_units}); the trend scores 0 in the "
        "patrol ranking.",
    ),
    "note.small.no_backtest": (
        "Verifica retrospettiva della classifica non eseguita: servono almeno 4 "
        "periodi, i dati ne hanno {n}.",
        "Back-test of the ranking not run: it needs at least 4 periods, the "
        "records have {n}.",
    ),
    "note.small.backtest_nothing": (
        "Verifica retrospettiva della classifica non eseguita: nei periodi da "
        "prevedere ({period}) non ci sono nuove occupazioni con cui confrontarla.",
        "Back-test of the ranking not run: the periods it would predict "
        "({period}) have no new occupation to score it against.",
    ),
}


#: Sentences for a count of one (``note.<key>.one``), where the plural would be wrong.
NOTES_ONE: dict[str, tuple[str, str]] = {
    "note.stats.excluded_no_units.one": (
        "1 quartiere senza alloggi pubblici resta fuori dal calcolo dei punti "
        "caldi: {districts}.",
        "1 district without public housing units is left out of the hot-spot "
        "statistics: {districts}.",
    ),
    "note.stats.excluded.one": (
        "1 quartiere senza dato o senza confini resta fuori dal calcolo dei "
        "punti caldi: {districts}.",
        "1 district without data or boundaries is left out of the hot-spot "
        "statistics: {districts}.",
    ),
    "note.stats.emerging_excluded.one": (
        "1 quartiere senza alloggi pubblici in qualche periodo resta fuori "
        "dalle tendenze: {districts}.",
        "1 district without public housing units in some period is left out "
        "of the trends: {districts}.",
    ),
    "note.stats.gi_undefined.one": (
        "Per 1 quartiere, vicino di tutti gli altri, il punto caldo non si può "
        "calcolare ed è indicato come non significativo: {districts}.",
        "For 1 district, neighbour of all the others, the hot spot cannot be "
        "computed and it is shown as not significant: {districts}.",
    ),
    "note.stats.islands.one": (
        "1 zona non confina con nessun'altra: per i punti caldi è collegata "
        "alla più vicina ({joins}).",
        "1 area shares no border with any other: for the hot spots it is "
        "joined to the nearest one ({joins}).",
    ),
    "note.stats.no_location.one": (
        "1 record senza posizione escluso dalla densità.",
        "1 record without a position left out of the density.",
    ),
    "note.linking.unlinked.one": (
        "1 record su {total} non collegato a uno stabile e non conteggiato "
        "(es. {sample}); è elencato nella tabella dei collegamenti.",
        "1 of {total} records could not be linked to an estate and is not "
        "counted (e.g. {sample}); see the linking table.",
    ),
    "note.linking.estates_unplaced.one": (
        "1 stabile su {total} senza coordinate non è stato localizzato con "
        "precisione dall'indirizzo e resta senza posizione (es. {sample}).",
        "1 of {total} estates without coordinates could not be placed "
        "precisely from its address and stays unplaced (e.g. {sample}).",
    ),
    "note.maps.estates_unplaced.one": (
        "1 stabile senza posizione non compare sulla mappa (es. {sample}).",
        "1 estate without a position is not drawn on the map (e.g. {sample}).",
    ),
    "note.overlay.estates_outside.one": (
        "1 stabile fuori da ogni quartiere o senza posizione: i suoi alloggi e "
        "record non sono conteggiati (es. {sample}).",
        "1 estate outside every district or without a position: its units and "
        "records are not counted (e.g. {sample}).",
    ),
    "note.priorities.estates_outside.one": (
        "1 stabile fuori da ogni quartiere (es. {sample}).",
        "1 estate outside every district (e.g. {sample}).",
    ),
    "note.priorities.estates_left_out.one": (
        "1 stabile non collocato in alcun quartiere dell'area di studio (fuori "
        "dall'area o senza posizione) resta fuori dalle classifiche dei "
        "pattugliamenti e dai piani di ristrutturazione, con i suoi record "
        "(es. {sample}).",
        "1 estate in no district of the study area (outside it, or without a "
        "position) is left out of the patrol rankings and renovation plans, "
        "with its records (e.g. {sample}).",
    ),
    "note.priorities.estates_unplaced.one": (
        "1 stabile senza posizione escluso dal collegamento ai quartieri "
        "(es. {sample}).",
        "1 estate without a position left out of the link to districts "
        "(e.g. {sample}).",
    ),
    "note.io.quarantined.one": (
        "1 riga messa in quarantena (esclusa dai dati); il motivo è nei file di "
        "quarantena.",
        "1 row quarantined (left out of the records); the reason is in the "
        "quarantine files.",
    ),
}
