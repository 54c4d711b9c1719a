"""Column names and record schemas, defined once.

Layer-4 modules (overlay, stats, priorities) talk to each other only through
the columns named here. Import the constants rather than writing the strings.
"""

from __future__ import annotations

# --- districts -------------------------------------------------------------
DISTRICT_ID = "district_id"
NAME = "name"
LEVEL = "level"
COMUNE = "comune"
COMUNE_ISTAT = "comune_istat"
PARENT_ID = "parent_id"
PARENT_SHARE = "parent_share"
AREA_KM2 = "area_km2"
GEOMETRY = "geometry"

DISTRICT_COLUMNS: tuple[str, ...] = (
    DISTRICT_ID,
    NAME,
    LEVEL,
    COMUNE,
    COMUNE_ISTAT,
    PARENT_ID,
    PARENT_SHARE,
    AREA_KM2,
    GEOMETRY,
)

LEVELS: tuple[str, ...] = ("nil", "municipi", "comuni", "study_area")

MILANO_ISTAT = "015146"
CINISELLO_ISTAT = "015077"
MILANO_ID = "MILANO"
CINISELLO_ID = "CINISELLO"
METRO_ID = "CM-MILANO"

# --- geocoder output -------------------------------------------------------
GEO_LON = "geo_lon"
GEO_LAT = "geo_lat"
GEO_MATCH_TYPE = "geo_match_type"
GEO_SCORE = "geo_score"
GEO_MATCHED_ADDRESS = "geo_matched_address"
GEO_SOURCE = "geo_source"
GEO_COMUNE = "geo_comune"
GEO_COLUMNS: tuple[str, ...] = (
    GEO_LON,
    GEO_LAT,
    GEO_MATCH_TYPE,
    GEO_SCORE,
    GEO_MATCHED_ADDRESS,
    GEO_SOURCE,
    GEO_COMUNE,
)
MATCH_TYPES: tuple[str, ...] = (
    "exact",
    "interpolated",
    "nearest_number",
    "street",
    "unmatched",
    "out_of_area",
)

# --- records ---------------------------------------------------------------
RECORD_ID = "record_id"
ESTATE_ID = "estate_id"
UNIT_ID = "unit_id"
ADDRESS = "address"
OWNER = "owner"
UNITS = "units"
LON = "lon"
LAT = "lat"
DETECTED_ON = "detected_on"
ENDED_ON = "ended_on"
STATUS = "status"
EVICTION_DATE = "date"
OUTCOME = "outcome"
VULNERABLE = "vulnerable"
VACANT_SINCE = "since"
REASON = "reason"
RENOVATION_COST = "renovation_cost_eur"
POSITION_SOURCE = "position_source"
#: Values of ``position_source``: where an estate's or record's position came
#: from. ``comune`` means no position: the row was assigned to the one district
#: of its comune (:func:`geo_alloggi.overlay.assign_districts`).
POSITION_SOURCES: tuple[str, ...] = (
    "input",
    "civic_point",
    "seeded_point",
    "geocoded",
    "string",
    "comune",
)

#: Attribute columns of the estates record table, in order.
ESTATE_COLUMNS: tuple[str, ...] = (
    ESTATE_ID,
    NAME,
    ADDRESS,
    COMUNE,
    OWNER,
    UNITS,
    LON,
    LAT,
    POSITION_SOURCE,
)

OCCUPATION_STATUSES: tuple[str, ...] = ("ongoing", "ended")
EVICTION_OUTCOMES: tuple[str, ...] = ("executed", "scheduled", "postponed", "failed")

# quarantine tables
ROW_NUMBER = "row_number"
QUARANTINE_REASON = "reason"

# --- overlay output (one row per district x period) ------------------------
PERIOD = "period"
OCCUPIED = "occupied"
NEW_OCCUPATIONS = "new_occupations"
EVICTIONS = "evictions"
VACANT = "vacant"
OCCUPIED_PER_100 = "occupied_per_100"
OCCUPIED_CHANGE = "occupied_change"
SUPPRESSED = "suppressed"
PERIODS: tuple[str, ...] = ("month", "quarter", "year")
#: The measures of the overlay table, in the order meetings see them.
PANEL_MEASURES: tuple[str, ...] = (
    UNITS,
    OCCUPIED,
    NEW_OCCUPATIONS,
    EVICTIONS,
    VACANT,
    OCCUPIED_PER_100,
    OCCUPIED_CHANGE,
)

# --- stats output ----------------------------------------------------------
GI_Z = "gi_z"
GI_P = "gi_p"
GI_P_SIM = "gi_p_sim"
GI_BIN = "gi_bin"
HOTSPOT = "hotspot"
LISA_I = "lisa_i"
LISA_P = "lisa_p"
LISA_CLUSTER = "lisa_cluster"
EMERGING = "emerging_category"

HOTSPOT_LABELS: dict[int, str] = {
    3: "Hot spot 99%",
    2: "Hot spot 95%",
    1: "Hot spot 90%",
    0: "Not significant",
    -1: "Cold spot 90%",
    -2: "Cold spot 95%",
    -3: "Cold spot 99%",
}

LISA_LABELS: tuple[str, ...] = (
    "High-High",
    "Low-Low",
    "High-Low",
    "Low-High",
    "Not significant",
)

#: ArcGIS Emerging Hot Spot Analysis categories, the values of ``emerging_category``.
EMERGING_CATEGORIES: tuple[str, ...] = (
    "New Hot Spot",
    "Consecutive Hot Spot",
    "Intensifying Hot Spot",
    "Persistent Hot Spot",
    "Diminishing Hot Spot",
    "Sporadic Hot Spot",
    "Oscillating Hot Spot",
    "Historical Hot Spot",
    "New Cold Spot",
    "Consecutive Cold Spot",
    "Intensifying Cold Spot",
    "Persistent Cold Spot",
    "Diminishing Cold Spot",
    "Sporadic Cold Spot",
    "Oscillating Cold Spot",
    "Historical Cold Spot",
    "No Pattern Detected",
)

# --- stats output, added by the stats module (issue 5) ---------------------
#: Benjamini–Hochberg adjusted p-values (``hotspots(..., fdr=True)``).
GI_Q = "gi_q"
LISA_Q = "lisa_q"
#: Raw and empirical-Bayes smoothed rate (``hotspots(..., units=...)``).
RATE = "rate"
RATE_EB = "rate_eb"
#: ``emerging_hotspots`` per-district summary.
N_PERIODS = "n_periods"
N_HOT = "n_hot"
N_COLD = "n_cold"
FINAL_BIN = "final_bin"
TREND_TAU = "trend_tau"
TREND_P = "trend_p"
#: Hexagon grids (``aggregate_to_hexagons``) and density contours (``density_surface``).
CELL_ID = "cell_id"
COUNT = "count"
DENSITY_MIN = "density_min"
DENSITY_MAX = "density_max"

# --- overlay, disclosure and synthetic records (overlay, disclosure, synthetic)
#: Provenance label of every row: ``"SYNTHETIC"`` for generated records.
SOURCE = "source"
#: First and last day of a period (timestamps) in the overlay table.
PERIOD_START = "period_start"
PERIOD_END = "period_end"
#: Row kind in a suppressed table with totals: ``district``, ``parent`` or ``total``.
ROW_TYPE = "row_type"
#: Counts protected by disclosure control, in overlay tables.
COUNT_COLUMNS: tuple[str, ...] = (OCCUPIED, NEW_OCCUPATIONS, EVICTIONS, VACANT)

# --- priorities output (geo_alloggi.priorities) -----------------------------
#: Patrol ranking: 1 = patrol first; score; reasons in words.
PRIORITY_RANK = "rank"
PRIORITY_SCORE = "priority_score"
PRIORITY_REASONS = "reasons"
#: New occupations of the period before the ranked one, and the change in %.
NEW_PREVIOUS = "new_occupations_previous"
NEW_CHANGE_PCT = "new_occupations_change_pct"
#: Pending (scheduled or postponed) evictions of non-vulnerable households.
SCHEDULED_EVICTIONS = "scheduled_evictions"
#: Score in [0, 1] of the emerging-hotspot category.
TREND_SCORE = "trend_score"
#: Social-services table: evictions of households recorded as vulnerable.
VULNERABLE_SCHEDULED = "vulnerable_scheduled"
VULNERABLE_EXECUTED = "vulnerable_executed"
#: Renovation plan: probability that a vacant unit is occupied within 12 months,
#: costs, units chosen, whether the estate gets a site, risk-weighted units.
RISK = "risk"
UNIT_COST_EUR = "unit_cost_eur"
SITE_COST_EUR = "site_cost_eur"
UNITS_CHOSEN = "units_chosen"
SELECTED = "selected"
COST_EUR = "cost_eur"
RISK_WEIGHTED = "risk_weighted_units"
#: Back-test of the patrol ranking (one row per ranking x origin, and a summary):
#: the ranking's name, the last period it saw (origin) and the one it predicts,
#: the score components it used, the share of the next period's new occupations
#: its flagged areas held (hit rate), their share of the territory and the PAI.
RANKING = "ranking"
ORIGIN = "origin"
SCORED_PERIOD = "scored_period"
PERIODS_SEEN = "periods_seen"
COMPONENTS = "components"
WEIGHTS = "weights"
AREAS = "areas"
TOP_N = "top_n"
HITS = "hits"
TOTAL = "total"
HIT_RATE = "hit_rate"
AREA_SHARE = "area_share"
PAI = "pai"
#: Ids of the areas a ranking flagged, comma-joined.
FLAGGED = "flagged"
ORIGINS = "origins"
INTERVAL = "interval"
#: Share of origins where the published ranking had the higher PAI.
PUBLISHED_HIGHER = "published_higher_share"
#: Renovation summaries and trade-off: method (``optimal`` or a naive rule),
#: objective of an exact plan (``risk`` or ``units``), the plan a run chose,
#: budget, spend, estates selected, units recovered, and the least units an
#: ε-constraint plan of the trade-off must recover.
METHOD = "method"
OBJECTIVE = "objective"
CHOSEN = "chosen"
BUDGET_EUR = "budget_eur"
SPEND_EUR = "spend_eur"
ESTATES_SELECTED = "estates_selected"
UNITS_RECOVERED = "units_recovered"
MIN_UNITS = "min_units"
#: Canonical owners of public housing in Milan (as :mod:`geo_alloggi.io` reads
#: "ALER Milano", "Comune di Milano / MM"); each has its own renovation budget.
OWNERS: tuple[str, ...] = ("Aler", "Comune-MM")
#: ``owner`` of the rows of a renovation table that add up every owner.
ALL_OWNERS = "all"
