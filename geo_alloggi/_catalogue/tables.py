"""Headers, cell values and reference datasets, in Italian and English."""

from __future__ import annotations

__all__ = ["DATASETS", "HEADERS", "VALUES"]

HEADERS: dict[str, tuple[str, str]] = {
    "header.data_label": ("Dati", "Data"),
    "header.rank": ("Posizione", "Rank"),
    "header.district_id": ("Codice quartiere", "District id"),
    "header.estate_id": ("Codice stabile", "Estate id"),
    "header.name": ("Nome", "Name"),
    "header.period": ("Periodo", "Period"),
    "header.priority_score": ("Punteggio", "Score"),
    "header.occupied": ("Alloggi occupati", "Occupied units"),
    "header.new_occupations": ("Nuove occupazioni", "New occupations"),
    "header.new_occupations_previous": (
        "Nuove occupazioni periodo precedente",
        "New occupations previous period",
    ),
    "header.new_occupations_change_pct": (
        "Variazione nuove occupazioni %",
        "Change in new %",
    ),
    "header.emerging_category": ("Tendenza", "Trend"),
    "header.trend_score": ("Punteggio tendenza", "Trend score"),
    "header.scheduled_evictions": ("Sgomberi programmati", "Scheduled evictions"),
    "header.score_occupied": ("Quota alloggi occupati", "Part: occupied"),
    "header.score_new_occupations": (
        "Quota nuove occupazioni",
        "Part: new occupations",
    ),
    "header.score_trend": ("Quota tendenza", "Part: trend"),
    "header.score_evictions": ("Quota sgomberi", "Part: evictions"),
    "header.reasons": ("Motivo", "Reason"),
    "header.vulnerable_scheduled": (
        "Sgomberi programmati di nuclei fragili",
        "Scheduled evictions of vulnerable households",
    ),
    "header.vulnerable_executed": (
        "Sgomberi eseguiti di nuclei fragili",
        "Executed evictions of vulnerable households",
    ),
    "header.units": ("Alloggi sfitti candidati", "Candidate vacant units"),
    "header.unit_cost_eur": ("Costo per alloggio (€)", "Cost per unit (€)"),
    "header.site_cost_eur": ("Costo fisso cantiere (€)", "Site fixed cost (€)"),
    "header.risk": ("Rischio occupazione 12 mesi", "12-month occupation risk"),
    "header.units_chosen": ("Alloggi da ristrutturare", "Units to renovate"),
    "header.selected": ("Selezionato", "Selected"),
    "header.cost_eur": ("Spesa (€)", "Spend (€)"),
    "header.risk_weighted_units": (
        "Alloggi pesati per rischio",
        "Risk-weighted units",
    ),
    "header.units_cheapest_first": (
        "Alloggi (prima i più economici)",
        "Units (cheapest first)",
    ),
    "header.units_largest_first": (
        "Alloggi (prima i più grandi)",
        "Units (largest first)",
    ),
    "header.method": ("Metodo", "Method"),
    "header.scenario": ("Scenario", "Scenario"),
    "header.budget_eur": ("Budget (€)", "Budget (€)"),
    "header.spend_eur": ("Spesa (€)", "Spend (€)"),
    "header.estates_selected": ("Stabili selezionati", "Estates selected"),
    "header.units_recovered": ("Alloggi recuperati", "Units recovered"),
    "header.next_1m_units": ("Alloggi con 1 M€ in più", "Units with €1M more"),
    "header.next_1m_risk_weighted_units": (
        "Alloggi pesati con 1 M€ in più",
        "Risk-weighted units with €1M more",
    ),
    "header.next_1m_spend_eur": (
        "Spesa del milione in più (€)",
        "Spend of the extra €1M",
    ),
    "header.estates": ("Stabili", "Estates"),
    "header.measure": ("Misura", "Measure"),
    "header.rank_change": ("Variazione posizione", "Rank change"),
    "header.value": ("Valore", "Value"),
    "header.row_type": ("Riga", "Row"),
    "header.kind": ("Tipo di record", "Record kind"),
    "header.records": ("Record", "Records"),
    "header.linked_estate_id": (
        "Collegati per codice stabile",
        "Linked by estate id",
    ),
    "header.linked_address": ("Collegati per indirizzo", "Linked by address"),
    "header.linked_coordinates": (
        "Collegati per coordinate",
        "Linked by coordinates",
    ),
    "header.unlinked": ("Non collegati", "Unlinked"),
    "header.gi_p": ("p (Gi*)", "p (Gi*)"),
    "header.count": ("Numero", "Count"),
}


VALUES: dict[str, tuple[str, str]] = {
    # a cell withheld by disclosure control (primary or complementary)
    "value.withheld": ("riservato", "suppressed"),
    "value.yes": ("sì", "yes"),
    "value.no": ("no", "no"),
    "scenario.default": ("pesi predefiniti", "default weights"),
    "scenario.config": ("pesi del file di configurazione", "configured weights"),
    "row.district": ("quartiere", "district"),
    "row.parent": ("totale zona superiore", "parent total"),
    "row.total": ("totale generale", "grand total"),
    "area.total": ("Totale area di studio", "Study area total"),
    "area.municipio": ("Municipio {n}", "Municipio {n}"),
    "area.milano": ("Comune di Milano", "Comune di Milano"),
    "area.metro": (
        "Altri comuni della Città metropolitana",
        "Other comuni of the Città metropolitana",
    ),
    "kind.estates": ("stabili", "estates"),
    "kind.occupations": ("occupazioni", "occupations"),
    "kind.evictions": ("sgomberi", "evictions"),
    "kind.vacancies": ("alloggi sfitti", "vacancies"),
    "list.more": ("e altri {n}", "and {n} more"),
    # what a row number counts (io's file_line, sheet_row; else the index)
    "where.file_line": ("riga del file", "file line"),
    "where.sheet_row": ("riga del foglio", "sheet row"),
    "where.layer_feature": ("elemento del livello", "layer feature"),
    "where.index": ("riga", "row"),
}


DATASETS: dict[str, tuple[str, str]] = {
    "dataset.nil": (
        "Nuclei di Identità Locale (NIL), PGT Milano 2030",
        "Local identity units (NIL), PGT Milano 2030",
    ),
    "dataset.municipi": ("Municipi di Milano", "Municipi of Milan"),
    "dataset.comuni": (
        "Confini dei comuni della Città metropolitana (ISTAT)",
        "Boundaries of the comuni of the Città metropolitana (ISTAT)",
    ),
    "dataset.civici": (
        "Numeri civici con coordinate (Comune di Milano)",
        "Civic numbers with coordinates (Comune di Milano)",
    ),
    "dataset.stradario": (
        "Stradario con numeri civici (Comune di Milano)",
        "Street list with civic numbers (Comune di Milano)",
    ),
    "dataset.anncsu": (
        "Vie della Lombardia (ANNCSU)",
        "Street names of Lombardy (ANNCSU)",
    ),
    "dataset.anncsu_civici": (
        "Numeri civici della Lombardia (ANNCSU, Indirizzario)",
        "Civic numbers of Lombardy (ANNCSU, Indirizzario)",
    ),
    "attribution.anncsu_civici": (
        "Numeri civici ANNCSU: © Agenzia delle Entrate, ISTAT, CC BY 4.0",
        "ANNCSU civic numbers: © Agenzia delle Entrate, ISTAT, CC BY 4.0",
    ),
    "attribution.nil": (
        "NIL: © Comune di Milano, CC BY 4.0",
        "NIL: © Comune di Milano, CC BY 4.0",
    ),
    "attribution.municipi": (
        "Municipi: © Comune di Milano, CC BY 4.0",
        "Municipi: © Comune di Milano, CC BY 4.0",
    ),
    "attribution.comuni": (
        "Comuni: © ISTAT, CC BY; GeoJSON: openpolis",
        "Comuni: © ISTAT, CC BY; GeoJSON: openpolis",
    ),
    "attribution.civici": (
        "Numeri civici: © Comune di Milano, CC BY 4.0",
        "Civic numbers: © Comune di Milano, CC BY 4.0",
    ),
    "attribution.stradario": (
        "Stradario: © Comune di Milano, CC BY 4.0",
        "Street list: © Comune di Milano, CC BY 4.0",
    ),
    "attribution.anncsu": (
        "Odonimi: © ANNCSU (Agenzia delle Entrate, ISTAT), CC BY 4.0",
        "Street names: © ANNCSU (Agenzia delle Entrate, ISTAT), CC BY 4.0",
    ),
}

#: Renovation: objectives, methods (the naive rules), owners, headers of the
#: renovation tables, the summary's sentences and the trade-off.
RENOVATION: dict[str, tuple[str, str]] = {
    "renovation.objective.risk": (
        "alloggi pesati per rischio (occupazioni evitate)",
        "risk-weighted units (occupations prevented)",
    ),
    "renovation.objective.units": ("alloggi recuperati", "units recovered"),
    "renovation.method.optimal.risk": ("ottimale (rischio)", "optimal (risk)"),
    "renovation.method.optimal.units": ("ottimale (alloggi)", "optimal (units)"),
    "renovation.method.cheapest_first": ("prima i più economici", "cheapest first"),
    "renovation.method.largest_first": ("prima i più grandi", "largest first"),
    "renovation.method.risk_per_euro_first": (
        "prima il rischio più alto per euro",
        "risk per euro first",
    ),
    "renovation.owner.all": ("Totale", "Total"),
    "renovation.header.owner": ("Ente gestore", "Owner"),
    "renovation.header.plan": ("Piano", "Plan"),
    "renovation.header.min_units": (
        "Alloggi almeno (vincolo ε)",
        "At least units (ε constraint)",
    ),
    "renovation.header.objective": ("Obiettivo", "Objective"),
    "renovation.header.chosen": ("Piano scelto", "Chosen plan"),
    "renovation.header.units_risk_per_euro_first": (
        "Alloggi (prima il rischio più alto per euro)",
        "Units (risk per euro first)",
    ),
    "renovation.chosen": ("sì", "yes"),
    "renovation.layer.chosen": (
        "Ristrutturazioni: piano scelto ({objective})",
        "Renovation: chosen plan ({objective})",
    ),
    "renovation.layer.estates_owner": ("{layer}: {owner}", "{layer}: {owner}"),
    "renovation.summary.plan": (
        "Con un budget di {budget} il piano scelto (obiettivo: {objective}) "
        "recupera {units} alloggi sfitti in {estates} stabili, {rw} pesati per "
        "rischio (spesa {spend}); un milione in più ne recupererebbe altri {next}.",
        "With a budget of {budget} the chosen plan (objective: {objective}) "
        "recovers {units} vacant units in {estates} estates, {rw} risk-weighted "
        "(spend {spend}); €1M more would recover {next} more.",
    ),
    "renovation.summary.naive": (
        "- {method}: {units} alloggi, {rw} pesati per rischio",
        "- {method}: {units} units, {rw} risk-weighted",
    ),
    "renovation.summary.owner": (
        "- {owner}: budget {budget}, {units} alloggi, {rw} pesati per rischio "
        "(spesa {spend})",
        "- {owner}: budget {budget}, {units} units, {rw} risk-weighted (spend {spend})",
    ),
    "renovation.summary.frontier": (
        "Compromesso (tabella renovation_frontier, {n} piani): dal piano che "
        "evita più occupazioni ({units_r} alloggi, {rw_r} pesati per rischio) "
        "a quello che recupera più alloggi ({units_u} alloggi, {rw_u} pesati "
        "per rischio).",
        "Trade-off (table renovation_frontier, {n} plans): from the plan that "
        "prevents the most occupations ({units_r} units, {rw_r} risk-weighted) "
        "to the one that recovers the most units ({units_u} units, {rw_u} "
        "risk-weighted).",
    ),
}
