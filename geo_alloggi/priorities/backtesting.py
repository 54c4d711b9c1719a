"""Back-test the published patrol ranking against naive rules over rolling origins.

:func:`backtest` ranks the areas at each origin with what was known then —
the published weights, the eviction records, the emerging hot spots as they
were computed then — and scores the ranking on the next period's new
occupations: hit rate and PAI (predictive accuracy index) of the top 10% of
areas. Naive rules are scored in the same run (new occupations of the last
period, occupied stock, last period's Gi* hot spots, random), and so are the
weights calibrated walk-forward on earlier origins
(:func:`~geo_alloggi.priorities.calibration.calibrate_patrol_weights`).
:func:`compare_rankings` ranks the same areas under several weightings, side
by side.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._i18n import check_lang, fmt_number, fmt_period, t
from geo_alloggi.priorities._common import area_id_column
from geo_alloggi.priorities._evidence import (
    COMPONENTS,
    Evidence,
    evidence_periods,
    is_synthetic,
    measures,
    prepare,
    rolling_origins,
    top_areas,
    top_count,
    weighted_score,
)
from geo_alloggi.priorities.calibration import (
    GRID_STEP,
    CalibratedWeights,
    walk_forward,
)
from geo_alloggi.priorities.patrol import PatrolWeights, patrol_priority

__all__ = [
    "NAIVE_RULES",
    "RANKINGS",
    "Backtest",
    "backtest",
    "compare_rankings",
    "evidence_periods",
    "rolling_origins",
]

#: Rankings a back-test may score, in the order of its tables.
RANKINGS: tuple[str, ...] = (
    "published",
    "calibrated",
    "default",
    "new_occupations",
    "occupied",
    "hotspots",
    "random",
)

#: The naive rules: one measure each, or chance.
NAIVE_RULES: tuple[str, ...] = ("new_occupations", "occupied", "hotspots", "random")

#: Level of the bootstrap interval over origins.
INTERVAL_LEVEL = 0.90

#: With fewer origins the interval is their minimum and maximum.
MIN_BOOTSTRAP_ORIGINS = 5

_MEASURES = (S.HIT_RATE, S.PAI)


@dataclass(frozen=True)
class Backtest:
    """A back-test: every ranking at every origin, and the summary over origins.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per ranking × origin: ``ranking`` (a name of
        :data:`RANKINGS`), ``origin`` (the last period the ranking saw),
        ``scored_period``, ``periods_seen`` (periods up to the origin: below
        10 the trend's Mann–Kendall test says little), ``components`` (the
        score components it used,
        ``+``-joined: for the weighted rankings those with a weight and an
        input at that origin), ``weight_<component>`` (NaN for naive rules),
        ``areas``, ``top_n``, ``hits``, ``total``, ``hit_rate``,
        ``area_share``, ``pai`` and ``flagged`` (the flagged ids,
        comma-joined).
    summary : pandas.DataFrame
        One row per ranking: ``origins``, ``hit_rate_mean``/``_low``/``_high``,
        ``pai_mean``/``_low``/``_high`` (90% bootstrap interval over origins,
        or min–max with fewer than 5: ``interval`` says which) and
        ``published_higher_share`` (share of origins where the published
        ranking had the higher PAI).
    weights : PatrolWeights or None
        The published weights (None: calibrated walk-forward at each origin).
    calibration : CalibratedWeights or None
        The walk-forward calibration, when run.
    top_share : float
        Share of areas flagged.
    synthetic : bool
        The panel is SYNTHETIC.
    """

    scores: pd.DataFrame
    summary: pd.DataFrame
    weights: PatrolWeights | None
    calibration: CalibratedWeights | None
    top_share: float = 0.10
    synthetic: bool = False

    def to_frame(self) -> pd.DataFrame:
        """One row per ranking × origin (a copy of :attr:`scores`).

        Returns
        -------
        pandas.DataFrame
            The scores, one row per ranking × origin.
        """
        return self.scores.copy()

    def verdict(self, lang: str = "it") -> str:
        """Say in plain words which ranking predicted best, and by how much.

        When a naive rule beat the published ranking that comes first; then
        the other weightings against the published one, the weights the
        calibration would use now, what PAI means and how many tests were run.

        Parameters
        ----------
        lang : str, default 'it'
            Language of the text: ``"it"`` or ``"en"``.

        Returns
        -------
        str
            The verdict, a few sentences.
        """
        return _verdict(self, check_lang(lang))


def backtest(
    panel: pd.DataFrame,
    *,
    area_km2: pd.Series | pd.DataFrame,
    weights: PatrolWeights | Mapping[str, Any] | Literal["calibrated"] | None = None,
    emerging: pd.DataFrame | None = None,
    hotspots: pd.DataFrame | None = None,
    evictions: pd.DataFrame | None = None,
    estate_district: pd.Series | None = None,
    calibrate: bool = True,
    origins: Sequence[Any] | None = None,
    top_share: float = 0.10,
    grid_step: float = GRID_STEP,
    n_boot: int = 2000,
    seed: int = 0,
    round_hits_to: int | None = None,
    id_column: str | None = None,
) -> Backtest:
    """Back-test the published patrol ranking and naive rules over rolling origins.

    At each origin every ranking sees the records up to it and flags the top
    ``top_share`` of areas; it is scored on the next period's new occupations.

    Parameters
    ----------
    panel : pd.DataFrame
        One row per area × period with ``occupied`` and ``new_occupations``:
        :func:`geo_alloggi.overlay.aggregate` for districts, complete and not
        suppressed. ``source`` marks SYNTHETIC records.
    area_km2 : pandas.Series or pandas.DataFrame
        km² of each area: a Series by id, or a frame with the id (a column,
        else its index) and ``area_km2`` (a district layer).
    weights : PatrolWeights, mapping of str to object, {'calibrated'} or None, optional
        The published weights (:class:`PatrolWeights`, a mapping, None for
        the defaults), or ``"calibrated"``: at each origin the weights
        calibrated on earlier origins, as a run configured with
        ``weights = "calibrated"`` would have published them.
    emerging : pandas.DataFrame or None, optional
        Emerging-hotspot categories as computed at each origin (what the
        pipeline's trend step gave with the periods up to it): rows with the
        area id, ``period`` (the origin) and ``emerging_category``. An origin
        without rows ranks without the trend, as the pipeline did when the
        periods were too few. None: no trend anywhere.
    hotspots : pandas.DataFrame or None, optional
        Gi* z of each origin's cross-section (the hot-spot map of that
        period): rows with the area id, ``period`` and ``gi_z``. None: the
        hot-spot rule is not scored.
    evictions : pandas.DataFrame or None, optional
        Eviction records (as for :func:`patrol_priority`); at each origin only
        those dated before the next period begins are seen.
    estate_district : pandas.Series or None, optional
        ``estate_id`` → ``district_id``, to place evictions in districts.
    calibrate : bool, optional
        Score the weights calibrated walk-forward on earlier origins
        (``calibrated``; out of sample). Implied by ``weights="calibrated"``,
        which then scores the defaults as ``default``.
    origins : sequence of object or None, optional
        Origins to test; default :func:`rolling_origins` (yearly: every year
        from the third on; monthly and quarterly: the last 12).
    top_share : float, optional
        Share of areas flagged, default 10% (at least one area).
    grid_step : float, optional
        Step of the calibration grid.
    n_boot, seed : int, optional
        Bootstrap resamples of the origins and their seed: the same seed
        gives the same intervals.
    round_hits_to : int or None, optional
        Round the hits of every ranking to the nearest multiple of this
        before the hit rate and PAI are computed (tables for meetings: the
        suppression threshold). Exact hits over several overlapping sets of
        flagged areas would give back district counts the district table
        withholds. None: exact.
    id_column : str or None, optional
        Area id column; default ``district_id``, else ``estate_id``.

    Returns
    -------
    Backtest
        Per ranking × origin (``.to_frame()``), the summary over origins and
        a plain-words verdict (``.verdict(lang)``).

    Raises
    ------
    ValidationError
        On a missing column, an unknown origin, a table without its origin
        (``period``) column, too few periods, or bad options.

    Warns
    -----
    UserWarning
        Fewer than 3 origins: the figures say little.

    Notes
    -----
    PAI (predictive accuracy index, Chainey, Tompson and Uhlig 2008) is the
    hit rate divided by the flagged share of the territory, areas in km²:
    above 1 the flagged areas hold more of the next period's occupations than
    their share of the territory. The random rule is scored by its expected
    value: hit rate and area share both top_n / areas, PAI 1. The naive rules
    rank by one measure of the origin, ties by id, as the patrol score does.
    Pending evictions at an origin are those the records date within the
    origin's period: what was scheduled beyond it cannot be told from the
    records without peeking at later outcomes.
    """
    fixed: PatrolWeights | None = None
    if isinstance(weights, str):
        if weights != "calibrated":
            raise ValidationError(
                f"weights={weights!r}: give PatrolWeights, a mapping, None or "
                "'calibrated'"
            )
    else:
        fixed = PatrolWeights.coerce(
            weights, accepted="a PatrolWeights, a mapping, None or 'calibrated'"
        )
    published_walks = fixed is None
    if not isinstance(n_boot, int) or n_boot < 1:
        raise ValidationError(f"n_boot={n_boot!r} must be a whole number >= 1")
    if round_hits_to is not None and (
        not isinstance(round_hits_to, int) or round_hits_to < 1
    ):
        raise ValidationError(
            f"round_hits_to={round_hits_to!r} must be a whole number >= 1 or None"
        )
    walks = calibrate or published_walks
    _idc, chosen, evidence = prepare(
        panel,
        area_km2=area_km2,
        emerging=emerging,
        hotspots=hotspots,
        evictions=evictions,
        estate_district=estate_district,
        origins=origins,
        top_share=top_share,
        id_column=id_column,
        calibrate=walks,
    )
    if len(chosen) < 3:
        warn(
            f"only {len(chosen)} origin(s) to back-test: the figures say little "
            "(at least 3 are needed)",
            "priorities.few_origins",
            n=len(chosen),
            minimum=3,
            stacklevel=2,
        )
    calibration = None
    fitted: dict[Any, PatrolWeights] = {}
    if walks:
        fitted, table, now, fitted_on = walk_forward(
            evidence, chosen, top_share=top_share, grid_step=grid_step
        )
        calibration = CalibratedWeights(
            weights=now,
            defaults=PatrolWeights(),
            fitted_on=fitted_on,
            walk_forward=table,
            grid_step=grid_step,
            synthetic=is_synthetic(panel),
        )
    rows: list[dict[str, Any]] = []
    for origin in chosen:
        ev = evidence[origin]
        n = top_count(len(ev.ids), top_share)
        weighted = {"published": fitted[origin] if fixed is None else fixed}
        if calibrate and fixed is not None:
            weighted["calibrated"] = fitted[origin]
        if fixed != PatrolWeights():
            weighted["default"] = PatrolWeights()
        for name, w in weighted.items():
            rows.append(_weighted_row(name, ev, w, n, round_hits_to))
        rows += _naive_rows(ev, n, round_hits_to)
    scores = pd.DataFrame(rows)
    return Backtest(
        scores=scores,
        summary=_summarise(scores, n_boot=n_boot, seed=seed),
        weights=fixed,
        calibration=calibration,
        top_share=float(top_share),
        synthetic=is_synthetic(panel),
    )


def _row(
    name: str,
    ev: Evidence,
    components: str,
    top: np.ndarray | None,
    round_hits_to: int | None,
) -> dict[str, Any]:
    """One row of the scores: the ranking's figures at the origin of ``ev``.

    ``top`` are the flagged areas (None: the random rule, by expectation).
    """
    return {
        S.RANKING: name,
        S.ORIGIN: ev.origin,
        S.SCORED_PERIOD: ev.scored,
        S.PERIODS_SEEN: ev.periods_seen,
        S.COMPONENTS: components,
        S.AREAS: len(ev.ids),
        **(measures(ev, top, round_hits_to) if top is not None else {}),
        S.FLAGGED: ",".join(ev.ids[top]) if top is not None else "",
    }


def _weighted_row(
    name: str, ev: Evidence, w: PatrolWeights, n: int, round_hits_to: int | None
) -> dict[str, Any]:
    wd = w.as_dict()
    score = weighted_score(ev.components, [wd[c] for c in COMPONENTS])
    used = "+".join(c for c in COMPONENTS if c in ev.active and wd[c] > 0)
    row = _row(name, ev, used, top_areas(score, ev.ids, n), round_hits_to)
    row.update({f"weight_{c}": wd[c] for c in COMPONENTS})
    return row


def _naive_rows(
    ev: Evidence, n: int, round_hits_to: int | None
) -> list[dict[str, Any]]:
    """Score the naive rules at one origin: one measure each, and chance."""
    rules: list[tuple[str, str, np.ndarray | None]] = [
        ("new_occupations", "new_occupations", ev.new),
        ("occupied", "occupied", ev.occupied),
        ("hotspots", "gi_z", ev.gi_z),
    ]
    out = [
        _row(name, ev, used, top_areas(signal, ev.ids, n), round_hits_to)
        for name, used, signal in rules
        if signal is not None
    ]
    total, share = float(ev.outcome.sum()), n / len(ev.ids)
    chance = _row("random", ev, "", None, None)
    chance.update(
        {
            S.TOP_N: n,
            S.HITS: total * share,
            S.TOTAL: total,
            S.HIT_RATE: share if total > 0 else float("nan"),
            S.AREA_SHARE: share,
            S.PAI: 1.0 if total > 0 else float("nan"),
        }
    )
    out.append(chance)
    return out


def _interval(values: np.ndarray, idx: np.ndarray | None) -> tuple[float, float]:
    """90% bootstrap interval of the mean (``idx``: resampled origins), or min–max."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return float("nan"), float("nan")
    if idx is None:
        return float(finite.min()), float(finite.max())
    with warnings.catch_warnings():  # a resample of NaN origins only
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(values[idx], axis=1)
    means = means[np.isfinite(means)]
    tail = (1 - INTERVAL_LEVEL) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)


def _summarise(scores: pd.DataFrame, *, n_boot: int, seed: int) -> pd.DataFrame:
    """Mean, interval and published-higher share of every ranking over the origins.

    Every ranking is resampled with the same bootstrap draws of origins.
    """
    origins = list(dict.fromkeys(scores[S.ORIGIN]))
    k = len(origins)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, k, size=(n_boot, k)) if k >= MIN_BOOTSTRAP_ORIGINS else None
    by = {
        name: part.set_index(S.ORIGIN).reindex(origins)
        for name, part in scores.groupby(S.RANKING, sort=False)
    }
    published = by["published"][S.PAI].to_numpy(float)
    rows = []
    for name in [r for r in RANKINGS if r in by]:
        part = by[name]
        row: dict[str, Any] = {
            S.RANKING: name,
            S.ORIGINS: int(part[S.PAI].notna().sum()),
        }
        for m in _MEASURES:
            values = part[m].to_numpy(float)
            low, high = _interval(values, idx)
            finite = values[np.isfinite(values)]
            row[f"{m}_mean"] = float(finite.mean()) if len(finite) else float("nan")
            row[f"{m}_low"], row[f"{m}_high"] = low, high
        row[S.INTERVAL] = "bootstrap" if idx is not None else "minmax"
        other = part[S.PAI].to_numpy(float)
        both = np.isfinite(published) & np.isfinite(other)
        row[S.PUBLISHED_HIGHER] = (
            float(np.mean(published[both] > other[both]))
            if name != "published" and both.any()
            else float("nan")
        )
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# verdict in words


def _verdict(bt: Backtest, lang: str) -> str:
    summ = bt.summary.set_index(S.RANKING)
    scores = bt.scores

    def num(x: float, digits: int = 2) -> str:
        return fmt_number(x, digits, lang)

    def pct(x: float) -> str:
        return fmt_number(100 * x, 1, lang)

    def name(r: str) -> str:
        return t(f"ranking.{r}", lang)

    def beats(a: str, b: str) -> int:
        """Origins where ranking ``a`` had a higher PAI than ranking ``b``."""
        pa = scores[scores[S.RANKING] == a].set_index(S.ORIGIN)[S.PAI]
        pb = scores[scores[S.RANKING] == b].set_index(S.ORIGIN)[S.PAI]
        return int((pa > pb.reindex(pa.index)).sum())

    pub = summ.loc["published"]
    naive = summ.loc[[r for r in NAIVE_RULES if r in summ.index]]
    best = str(naive["pai_mean"].fillna(-np.inf).idxmax())
    rule = summ.loc[best]
    n = int(pub[S.ORIGINS])
    fields = {
        "rule": name(best),
        "pai_rule": num(rule["pai_mean"]),
        "pai_pub": num(pub["pai_mean"]),
        "diff": num(abs(rule["pai_mean"] - pub["pai_mean"])),
        "hit_rule": pct(rule["hit_rate_mean"]),
        "hit_pub": pct(pub["hit_rate_mean"]),
        "low": num(pub["pai_low"]),
        "high": num(pub["pai_high"]),
        "n": n,
    }
    if rule["pai_mean"] > pub["pai_mean"]:
        parts = [t("verdict.naive_wins", lang, wins=beats(best, "published"), **fields)]
    else:
        parts = [
            t("verdict.published_wins", lang, wins=beats("published", best), **fields)
        ]
    for other in ("calibrated", "default"):
        if other in summ.index:
            r = summ.loc[other]
            diff = r["pai_mean"] - pub["pai_mean"]
            parts.append(
                t(
                    "verdict.other",
                    lang,
                    rule=name(other),
                    pai=num(r["pai_mean"]),
                    low=num(r["pai_low"]),
                    high=num(r["pai_high"]),
                    diff=("+" if diff > 0 else "") + num(diff),
                )
            )
    if bt.calibration is not None:
        parts.append(
            t(
                "verdict.calibrated_now",
                lang,
                now=_weights_text(bt.calibration.weights, lang),
                default=_weights_text(bt.calibration.defaults, lang),
            )
        )
        if bt.calibration.synthetic:
            parts.append(t("verdict.synthetic", lang))
    parts.append(t("verdict.pai", lang, share=num(100 * bt.top_share, 0)))
    origins = [fmt_period(o, lang) for o in dict.fromkeys(scores[S.ORIGIN])]
    span = origins[0] if len(origins) == 1 else f"{origins[0]}–{origins[-1]}"
    parts.append(
        t(
            "verdict.tests",
            lang,
            n=len(origins),
            origins=span,
            interval=t(f"interval.{pub[S.INTERVAL]}", lang),
        )
    )
    return " ".join(parts)


def _weights_text(w: PatrolWeights, lang: str) -> str:
    """``alloggi occupati 0,35, nuove occupazioni 0,30, ...``."""
    wd = w.as_dict()
    return ", ".join(
        f"{t(f'component.{c}', lang)} {fmt_number(wd[c], 2, lang)}" for c in COMPONENTS
    )


# ---------------------------------------------------------------------------
# weightings side by side


def compare_rankings(
    panel: pd.DataFrame,
    weightings: Mapping[str, PatrolWeights | Mapping[str, Any]],
    *,
    emerging: pd.DataFrame | pd.Series | None = None,
    evictions: pd.DataFrame | None = None,
    estate_district: pd.Series | None = None,
    period: Any = None,
    id_column: str | None = None,
) -> pd.DataFrame:
    """Rank the same areas under several weightings, side by side.

    Parameters
    ----------
    panel : pd.DataFrame
        As for :func:`patrol_priority`.
    weightings : mapping of str to (PatrolWeights or mapping of str to object)
        Scenario name → weights (at least one).
    emerging : pandas.DataFrame, pandas.Series or None, default None
        As for :func:`patrol_priority`.
    evictions : pandas.DataFrame or None, default None
        As for :func:`patrol_priority`.
    estate_district : pandas.Series or None, default None
        As for :func:`patrol_priority`.
    period : object, default None
        As for :func:`patrol_priority`.
    id_column : str or None, default None
        As for :func:`patrol_priority`.

    Returns
    -------
    pandas.DataFrame
        One row per area: the id, ``rank_<scenario>`` and
        ``priority_score_<scenario>`` for each scenario, and with two or more
        scenarios ``rank_change`` (rank in the first minus rank in the last),
        sorted by the first scenario's rank.
    """
    if not weightings:
        raise ValidationError("weightings must name at least one scenario")
    idc = area_id_column(panel, id_column)
    merged: pd.DataFrame | None = None
    names = list(weightings)
    for scenario in names:
        ranked = patrol_priority(
            panel,
            weights=weightings[scenario],
            emerging=emerging,
            evictions=evictions,
            estate_district=estate_district,
            period=period,
            id_column=id_column,
        )
        part = ranked[[idc, S.PRIORITY_RANK, S.PRIORITY_SCORE]].rename(
            columns={
                S.PRIORITY_RANK: f"rank_{scenario}",
                S.PRIORITY_SCORE: f"priority_score_{scenario}",
            }
        )
        merged = part if merged is None else merged.merge(part, on=idc, how="outer")
    assert merged is not None
    if len(names) > 1:
        merged["rank_change"] = merged[f"rank_{names[0]}"] - merged[f"rank_{names[-1]}"]
    return merged.sort_values([f"rank_{names[0]}", idc], ignore_index=True)
