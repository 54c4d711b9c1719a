"""Analysis steps of a run: overlay, hot spots, trends, density, priorities."""

from __future__ import annotations

import dataclasses
import warnings
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError
from geo_alloggi._forked import say_again, warnings_of
from geo_alloggi._i18n import Note
from geo_alloggi._periods import label_bounds
from geo_alloggi._records import Records
from geo_alloggi.pipeline._disclose import (
    district_rows,
    estate_summary,
    protect_estates,
    published_districts,
)
from geo_alloggi.pipeline._link import link_bundle
from geo_alloggi.pipeline._notes import (
    backtest_note,
    collect_notes,
    hotspot_note,
    moran_note,
    period_notes,
    trend_note,
    without_hot_spots,
)
from geo_alloggi.pipeline._prioritise import (
    backtest_ahead,
    prioritise,
    renovation_ahead,
)
from geo_alloggi.pipeline._progress import STEPS, StepCallback, step_reporter
from geo_alloggi.pipeline._settings import RunSettings
from geo_alloggi.pipeline._signals import period_hotspots, period_layer, trend

if TYPE_CHECKING:  # pragma: no cover
    from geo_alloggi.priorities import Backtest

__all__ = ["Analysis", "analyse"]


@dataclass(frozen=True)
class Analysis:
    """Every table and layer a run produces (before writing).

    ``.to_frame()`` gives the published district × period table.

    Attributes
    ----------
    settings : RunSettings
        The settings the run used.
    records : Records
        The records, linked to their estates.
    districts : geopandas.GeoDataFrame
        The district layer analysed.
    comuni : geopandas.GeoDataFrame
        The comuni layer drawn under the districts.
    panel : geopandas.GeoDataFrame
        The raw district × period table (:func:`geo_alloggi.overlay.aggregate`), for
        statistics only.
    published : pandas.DataFrame
        The district × period table as published: suppressed, with parent and grand
        totals.
    shared_panel : pandas.DataFrame
        The published rows of the districts alone (no totals).
    latest : geopandas.GeoDataFrame
        The districts in the last period with their hot spots, as shown.
    estates : geopandas.GeoDataFrame
        The estates with their counts in the last period, small counts withheld.
    contours : geopandas.GeoDataFrame or None
        Density contours of the occupations, None when they cannot be drawn.
    patrol_districts : pandas.DataFrame
        Patrol ranking of the districts.
    patrol_estates : pandas.DataFrame
        Patrol ranking of the estates.
    social : pandas.DataFrame
        The social-services table.
    plan : RenovationPlan
        The renovation plan for the run's objective.
    frontier : pandas.DataFrame
        The trade-off between the two renovation objectives, the plan marked.
    backtest : Backtest or None
        The back-test of the ranking, None when there is nothing to score it against.
    links : pandas.DataFrame
        Counts of records per link method, one row per record kind.
    moran : MoranResult or None
        Global Moran's I of the last period, None when it cannot be computed.
    withheld_districts : pandas.DataFrame or None
        District cells withheld from the patrol table, None without suppression.
    withheld_estates : pandas.DataFrame or None
        Estate cells withheld from the patrol table, None without suppression.
    notes : list of str
        Notes for the meeting (what was left out, and why), in the run's language.
    """

    settings: RunSettings
    records: Records
    districts: gpd.GeoDataFrame
    comuni: gpd.GeoDataFrame
    panel: gpd.GeoDataFrame
    published: pd.DataFrame
    shared_panel: pd.DataFrame
    latest: gpd.GeoDataFrame
    estates: gpd.GeoDataFrame
    contours: gpd.GeoDataFrame | None
    patrol_districts: pd.DataFrame
    patrol_estates: pd.DataFrame
    social: pd.DataFrame
    plan: Any
    frontier: pd.DataFrame
    backtest: Backtest | None
    links: pd.DataFrame
    moran: Any
    withheld_districts: pd.DataFrame | None = None
    withheld_estates: pd.DataFrame | None = None
    notes: list[Note] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """Return the published district × period table (a copy).

        Returns
        -------
        pandas.DataFrame
            The published district × period table.
        """
        return self.published.copy()

    @property
    def synthetic(self) -> bool:
        """True when the records are SYNTHETIC."""
        return bool(self.records.synthetic)

    @property
    def last_period(self) -> Any:
        """The most recent period of the panel."""
        return self.latest[S.PERIOD].iloc[0]


def analyse(
    records: Records,
    districts: gpd.GeoDataFrame,
    *,
    settings: RunSettings | None = None,
    comuni: gpd.GeoDataFrame | None = None,
    link: bool = True,
    links: pd.DataFrame | None = None,
    on_step: StepCallback | None = None,
) -> Analysis:
    """Run every analysis step on records and districts.

    Parameters
    ----------
    records : Records
        Estates and records (:class:`~geo_alloggi._records.Records`).
    districts : geopandas.GeoDataFrame
        District layer in the normalised schema.
    settings : RunSettings or None, default None
        Period, threshold, budget, language, geocoding options.
    comuni : geopandas.GeoDataFrame or None, default None
        Comuni for the map's basemap (default: the 133 of the Città metropolitana).
    link : bool, default True
        Place estates and link records by address and coordinates first.
    links : pandas.DataFrame or None, default None
        Counts per link method of records linked beforehand (with
        ``link=False``; see :func:`link_bundle`), published in the bundle.
    on_step : StepCallback or None, default None
        Progress callback ``(name, i, n)``.

    Returns
    -------
    Analysis

    Notes
    -----
    Hot spots (Gi* with FDR, latest period), global Moran's I and emerging hot
    spots (every period) are computed on the occupied-stock rate, occupied
    units over public units, smoothed with empirical Bayes: a district with
    few units does not become a hot spot by chance. Districts without public
    units are left out and reported. The back-test re-runs the published
    ranking at past origins (:func:`~geo_alloggi.pipeline.published_backtest`).
    """
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.overlay import aggregate

    s = settings or RunSettings()
    step = step_reporter(on_step, STEPS)
    notes: list[Note] = []
    # children stop when the run fails
    with collect_notes(notes), ExitStack() as children:
        if link:
            if links is not None:
                raise ValidationError(
                    "links= gives the counts of records linked beforehand: pass it "
                    "with link=False (with link=True the run links the records itself)"
                )
            step("geocoding and linking")
            records, links = link_bundle(records, s)
        elif links is None:
            links = pd.DataFrame()
        step("overlay per district and period")
        if (s.start is None or s.end is None) and not _has_dated_event(records):
            raise ValidationError(
                "the records hold no dated event (no occupation, eviction or vacancy "
                "with a date): nothing to count per period; add the record files, "
                "or set [analysis] start and end in the configuration to map the "
                "estates"
            )
        records = _mark_comune_positions(records, districts)
        panel = aggregate(records, districts, period=s.period, start=s.start, end=s.end)
        periods = sorted(panel[S.PERIOD].dropna().unique())
        notes += period_notes(len(periods), periods[0] if periods else None)
        # the district table as published (parent and grand totals included):
        # every other table and layer withholds what it withholds
        published = published_districts(panel, s.threshold)
        shared = district_rows(published)
        last = periods[-1]
        shared_last = shared[shared[S.PERIOD] == last]

        step("hot spots")
        latest, moran, left_out = _hot_spots(panel, districts, last, seed=s.seed or 0)
        notes += left_out
        # the back-test needs none of the steps up to the priorities: a child
        # computes it meanwhile, on the other core (forked here, once the
        # statistics are imported, so that it need not import them again)
        ahead = children.enter_context(
            backtest_ahead(
                records,
                districts,
                panel,
                config_file=s.config_file,
                threshold=s.threshold,
                seed=s.seed or 0,
            )
        )

        step("emerging hot spots")
        emerging = _trend(panel, districts) if len(periods) >= 2 else None
        if len(periods) >= 2 and emerging is None:
            notes.append(trend_note(len(periods), latest))
        latest = _published_latest(latest, emerging, shared_last)
        # the renovation plan needs the trend only: a child plans it meanwhile
        renovation = children.enter_context(
            renovation_ahead(
                records,
                districts,
                emerging,
                config_file=s.config_file,
                budget_eur=s.budget_eur,
                objective=s.objective,
            )
        )

        step("density")
        start, end = label_bounds(last, s.period)
        contours = _density(records, districts, end, s.threshold)

        pri = prioritise(
            records,
            districts,
            panel,
            emerging=emerging,
            budget_eur=s.budget_eur,
            objective=s.objective,
            config_file=s.config_file,
            lang=s.lang,
            threshold=s.threshold,
            seed=s.seed or 0,
            on_step=step,
            published=published,
            backtest=ahead,
            renovation=renovation,
        )

        backtest = pri.backtest
        if backtest is None or not backtest.scores["total"].sum() > 0:
            # nothing to score the ranking against: too few periods, or no new
            # occupation in any period it would predict
            notes.append(backtest_note(len(periods), backtest))
            backtest = None
        estates = protect_estates(
            estate_summary(records, districts, end, start),
            pri.estate_district,
            shared_last,
            s.threshold,
        )
    return Analysis(
        settings=s,
        records=records,
        districts=districts,
        comuni=comuni
        if comuni is not None
        else load_districts("comuni", all_comuni=True),
        panel=panel,
        published=published,
        shared_panel=shared,
        latest=latest,
        estates=estates,
        contours=contours,
        patrol_districts=pri.patrol_districts,
        patrol_estates=pri.patrol_estates,
        social=pri.social,
        plan=pri.plan,
        frontier=pri.frontier,
        backtest=backtest,
        links=links,
        moran=moran,
        withheld_districts=pri.withheld_districts,
        withheld_estates=pri.withheld_estates,
        notes=notes,
    )


def _has_dated_event(records: Records) -> bool:
    """Tell whether any record carries a date the district table can count."""
    columns = {
        "occupations": (S.DETECTED_ON, S.ENDED_ON),
        "evictions": (S.EVICTION_DATE,),
        "vacancies": (S.VACANT_SINCE, S.ENDED_ON),
    }
    for kind, cols in columns.items():
        table = getattr(records, kind)
        if table is None:
            continue
        for col in cols:
            if col in table and table[col].notna().any():
                return True
    return False


def _mark_comune_positions(records: Records, districts: gpd.GeoDataFrame) -> Records:
    """Label estates the one district rule places by their comune (``comune``).

    :func:`~geo_alloggi.overlay.aggregate` applies the same rule right after
    and warns about these estates; the warning is not repeated here.
    """
    from geo_alloggi.overlay import assign_districts

    estates = records.estates
    if len(estates) == 0 or S.COMUNE not in estates:
        return records
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        placed = assign_districts(estates, districts, id_column=S.ESTATE_ID)
    if (
        S.POSITION_SOURCE not in placed
        or not (placed[S.POSITION_SOURCE] == "comune").fillna(False).any()
    ):
        return records
    marked = estates.copy()
    marked[S.POSITION_SOURCE] = placed[S.POSITION_SOURCE]
    return dataclasses.replace(records, estates=marked)


def _hot_spots(
    panel: pd.DataFrame, districts: gpd.GeoDataFrame, last: Any, *, seed: int
) -> tuple[gpd.GeoDataFrame, Any, list[Note]]:
    """Gi* hot spots and global Moran's I of the last period.

    Returns the districts with the last period's counts and the hot-spot
    columns, Moran's result (None when it cannot be computed), and the notes
    saying what could not be computed and why. Warnings go to the caller
    (:func:`~geo_alloggi.pipeline._notes.collect_notes`).
    """
    from geo_alloggi.stats import global_moran

    try:
        hs = period_hotspots(panel, districts, last)
    except ValidationError:
        # too few districts with public units for a local statistic: the
        # layer keeps its columns, empty, and a note says what is missing
        latest = period_layer(panel, districts, last)
        return without_hot_spots(latest), None, [hotspot_note(latest)]
    with warnings.catch_warnings():
        # the same districts and islands as the hot spots: said once
        warnings.simplefilter("ignore", UserWarning)
        try:
            moran = global_moran(
                hs, S.OCCUPIED, units=S.UNITS, id_column=S.DISTRICT_ID, seed=seed
            )
        except ValidationError as exc:
            return hs, None, [moran_note(exc)]
    return hs, moran, []


def _trend(panel: pd.DataFrame, districts: gpd.GeoDataFrame) -> Any:
    """Emerging hot spots; their warning that they are not computed is dropped.

    The caller says it with the ``small.no_trend`` note (what the records
    have, what the trend needs); every other warning goes on.
    """
    emerging, said = warnings_of(trend, panel, districts)
    say_again(w for w in said if getattr(w[0], "key", "") != "trend.not_computed")
    return emerging


def _published_latest(
    latest: gpd.GeoDataFrame,
    emerging: gpd.GeoDataFrame | None,
    shared_last: pd.DataFrame,
) -> gpd.GeoDataFrame:
    """Return the latest period's layer as a meeting may see it, trend joined.

    Counts and rates are those of the published (suppressed) district table;
    the raw and smoothed rates of the statistics would give withheld counts
    back (units are public), so they stay out.
    """
    if emerging is not None:
        emerging_cols = [c for c in emerging.columns if c != "geometry"]
        latest = latest.merge(
            pd.DataFrame(emerging[emerging_cols]),
            on=S.DISTRICT_ID,
            how="left",
            suffixes=("", "_emerging"),
        )
    latest = latest.drop(columns=[S.RATE, S.RATE_EB], errors="ignore")
    shown = shared_last.set_index(S.DISTRICT_ID)
    for col in (*S.PANEL_MEASURES[1:], S.SUPPRESSED):  # units are public
        if col in shown:
            latest[col] = latest[S.DISTRICT_ID].map(shown[col])
    return latest


def _density(
    records: Records,
    districts: gpd.GeoDataFrame,
    end: pd.Timestamp,
    threshold: int,
) -> gpd.GeoDataFrame | None:
    """Density contours of the units occupied at ``end``.

    Only the contours are published: hexagon counts cut across districts and
    could give back a withheld district cell. None with fewer than
    ``threshold`` occupied units.
    """
    from geo_alloggi.stats import density_surface

    est = records.estates.set_index(S.ESTATE_ID).geometry
    occ = records.occupations
    ongoing = occ[
        (occ[S.DETECTED_ON] <= end) & (occ[S.ENDED_ON].isna() | (occ[S.ENDED_ON] > end))
    ]
    pts = gpd.GeoDataFrame(
        {S.RECORD_ID: ongoing[S.RECORD_ID].values},
        geometry=est.reindex(ongoing[S.ESTATE_ID]).values,
        crs=records.estates.crs,
    )
    pts = pts[pts.geometry.notna() & ~pts.geometry.is_empty]
    if len(pts) < threshold:
        return None
    return density_surface(pts, area=districts, min_count=threshold)
