"""What renovation could buy: the vacant units to renovate, their cost and their risk.

:func:`vacancy_risk` estimates per estate the chance that a vacant unit is
occupied within 12 months (empirical Bayes); :func:`renovation_candidates`
lists the estates with vacant units a renovation would return to assignment,
priced by a :class:`CostModel`, with their owner and risk. The plans that
spend a budget on them are in :mod:`~geo_alloggi.priorities.plans`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._records import Records
from geo_alloggi._validate import require_columns, require_unique
from geo_alloggi.priorities._common import (
    PathLike,
    finite_nonnegative,
    read_toml_section,
    reject_unknown,
    require_records,
    source_label,
    to_dates,
)

__all__ = [
    "MAINTENANCE_PATTERN",
    "CostModel",
    "check_candidates",
    "renovation_candidates",
    "vacancy_risk",
]

#: Default pattern of vacancy reasons that a renovation fixes (case-insensitive).
MAINTENANCE_PATTERN = r"maint|manuten|ripristin|degrad|renovat|ristruttur"


@dataclass(frozen=True)
class CostModel:
    """Renovation cost: a fixed cost per estate site plus a cost per unit.

    Parameters
    ----------
    site_eur : float, optional
        Fixed cost of opening a site in an estate (design, safety plan, site
        set-up, common parts): default €60,000.
    unit_eur : float, optional
        Cost of bringing one vacant unit back to assignment standard
        (systems, bathroom, fixtures): default €25,000. Used only when neither
        ``unit_overrides`` nor the records' ``renovation_cost_eur`` give a cost.
    site_overrides, unit_overrides : mapping of str to float, optional
        Per-estate costs (``estate_id`` → euros) that win over everything else.

    Notes
    -----
    The defaults are planning assumptions of the order of the figures
    published for the 2020 Milan programme (about €132 million for units left
    empty for lack of maintenance and for neighbourhood regeneration); set
    them from the owner's own estimates. The per-unit cost of an estate is,
    in order of precedence: ``unit_overrides[estate_id]``; the mean of the
    ``renovation_cost_eur`` recorded for its candidate vacancies; ``unit_eur``.
    """

    site_eur: float = 60_000.0
    unit_eur: float = 25_000.0
    site_overrides: Mapping[str, float] = field(default_factory=dict)
    unit_overrides: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("site_eur", "unit_eur"):
            value = getattr(self, name)
            if not finite_nonnegative(value):
                raise ValidationError(
                    f"CostModel.{name}={value!r} must be a finite number >= 0"
                )
        if self.unit_eur <= 0:
            raise ValidationError(f"CostModel.unit_eur={self.unit_eur!r} must be > 0")
        for name in ("site_overrides", "unit_overrides"):
            for key, value in getattr(self, name).items():
                ok = finite_nonnegative(value)
                if not ok or (name == "unit_overrides" and value <= 0):
                    raise ValidationError(
                        f"CostModel.{name}[{key!r}]={value!r} must be a finite number "
                        f"{'> 0' if name == 'unit_overrides' else '>= 0'}"
                    )

    @classmethod
    def from_toml(
        cls, path: PathLike, *, section: str = "priorities.renovation"
    ) -> CostModel:
        """Read the cost model from the ``[priorities.renovation]`` TOML table.

        Example::

            [priorities.renovation]
            site_eur = 80000
            unit_eur = 30000
            [priorities.renovation.unit_overrides]
            "E-0012" = 45000

        Parameters
        ----------
        path : str or os.PathLike
            A TOML file.
        section : str, default 'priorities.renovation'
            Dotted name of the table holding the costs.

        Returns
        -------
        CostModel
            The cost model (defaults for keys the table leaves out).
        """
        values = dict(read_toml_section(path, section))
        reject_unknown(values, cls, "renovation setting")
        for name in ("site_overrides", "unit_overrides"):
            if name in values:
                values[name] = {str(k): float(v) for k, v in values[name].items()}
        return cls(**values)


# ---------------------------------------------------------------------------
# risk model


def _as_of(records: Records, as_of: Any) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of)
    dates = pd.concat(
        [
            to_dates(records.occupations[S.DETECTED_ON]),
            to_dates(records.vacancies[S.VACANT_SINCE]),
            to_dates(records.vacancies[S.ENDED_ON]),
            to_dates(records.evictions[S.EVICTION_DATE]),
        ]
    ).dropna()
    if dates.empty:
        raise ValidationError("records hold no dates: pass as_of explicitly")
    return dates.max()


def vacancy_risk(
    records: Records,
    *,
    as_of: Any = None,
    hot: pd.Series | None = None,
    horizon_days: int = 365,
) -> pd.DataFrame:
    """Estimate per estate the probability that a vacant unit is occupied in 12 months.

    Parameters
    ----------
    records : Records
        Canonical records (estates, vacancies, occupations).
    as_of : Any, optional
        Date of the estimate; only records known by then are used. Default:
        the latest date in the records.
    hot : pandas.Series or None, optional
        Boolean Series by ``estate_id``: estate in or near a hot spot (see
        :func:`near_hot_spots`). None: one stratum for all estates.
    horizon_days : int, optional
        Length of the window after a vacancy starts (default 365).

    Returns
    -------
    pandas.DataFrame
        One row per estate: ``estate_id``, ``hot``, ``vacancies_observed``
        (vacancies that began at least ``horizon_days`` before ``as_of``),
        ``occupied_within`` (of those, units with an occupation detected within
        the window), ``raw_rate``, ``prior_rate`` (pooled rate of the estate's
        stratum), ``prior_strength`` and ``risk`` (posterior mean).

    Notes
    -----
    Empirical-Bayes beta-binomial model. For estate *e* with *n* observed
    vacancies of which *k* were occupied within the window, the risk is
    ``(k + m·s) / (n + s)``: *m* is the pooled rate of the estate's stratum
    (in or near a hot spot, or not; the whole city when a stratum has no
    observations), ``(Σk + ½) / (Σn + 1)`` (Jeffreys), so estates near hot
    spots start from their own, higher, observed rate and no rate is exactly
    zero; *s* is the prior strength, from the method of moments
    across estates: between-estate variance τ² = max(v − m(1−m)·K/N, ε), with
    *v* the unit-weighted variance of the raw rates, *K* estates and *N*
    vacancies, and ``s = m(1−m)/τ² − 1`` clipped to [1, 1000]. Estates with
    no history get the prior rate; estates with a long one keep close to
    their own rate. A vacancy is linked to an occupation by
    ``(estate_id, unit_id)``.
    """
    records = require_records(records)
    when = _as_of(records, as_of)
    est_ids = records.estates[S.ESTATE_ID].astype(str)
    vac = records.vacancies
    occ = records.occupations
    require_columns(vac, [S.ESTATE_ID, S.UNIT_ID, S.VACANT_SINCE], "records.vacancies")
    require_columns(occ, [S.ESTATE_ID, S.UNIT_ID, S.DETECTED_ON], "records.occupations")
    per = _vacancy_outcomes(vac, occ, when, pd.Timedelta(days=horizon_days))
    out = pd.DataFrame({S.ESTATE_ID: est_ids.to_numpy()})
    out["vacancies_observed"] = (
        out[S.ESTATE_ID].map(per["size"]).fillna(0).astype("int64")
    )
    out["occupied_within"] = out[S.ESTATE_ID].map(per["sum"]).fillna(0).astype("int64")
    if hot is None:
        out["hot"] = False
    else:
        flags = pd.Series(hot).astype(bool)
        flags.index = flags.index.astype(str)
        out["hot"] = out[S.ESTATE_ID].map(flags).fillna(False).astype(bool)
    n = out["vacancies_observed"].to_numpy(float)
    k = out["occupied_within"].to_numpy(float)
    if n.sum() == 0:
        warn(
            f"no vacancy began at least {horizon_days} days before {when.date()}: "
            f"risk cannot be estimated from the records and is set to 0",
            "priorities.no_risk_history",
            days=horizon_days,
            date=when,
            stacklevel=2,
        )
        out["raw_rate"] = np.nan
        out["prior_rate"] = 0.0
        out["prior_strength"] = np.nan
        out[S.RISK] = 0.0
        return out
    raw, prior, strength = _beta_binomial_prior(n, k, out["hot"].to_numpy())
    out["raw_rate"] = raw
    out["prior_rate"] = prior
    out["prior_strength"] = strength
    out[S.RISK] = (k + prior * strength) / (n + strength)
    return out


def _vacancy_outcomes(
    vac: pd.DataFrame, occ: pd.DataFrame, when: pd.Timestamp, horizon: pd.Timedelta
) -> pd.DataFrame:
    """Per estate: vacancies observed for a whole horizon, and those occupied in it.

    Columns ``size`` (vacancies that began at least ``horizon`` before
    ``when``) and ``sum`` (of those, units with an occupation detected within
    the horizon, known by ``when``), indexed by ``estate_id``.

    A vacancy is occupied when the first occupation of its unit detected on
    or after its start (by ``when``) falls within the horizon: units are
    coded once from the few vacancies, so the many occupations are looked up,
    never joined on their text.
    """
    since = to_dates(vac[S.VACANT_SINCE])
    observed = (since.notna() & (since + horizon <= when)).to_numpy()
    estate_ids = vac[S.ESTATE_ID].astype(str)[observed].reset_index(drop=True)
    estates = estate_ids.to_numpy()
    units = vac[S.UNIT_ID].astype(str).to_numpy()[observed]
    start = since.to_numpy().astype("datetime64[ns]")[observed]
    # one integer per (estate, unit) of an observed vacancy; -1: no such unit
    e_index = pd.Index(pd.unique(estates))
    u_index = pd.Index(pd.unique(units))
    v_code = e_index.get_indexer(estates) * len(u_index) + u_index.get_indexer(units)
    detected = to_dates(occ[S.DETECTED_ON]).to_numpy().astype("datetime64[ns]")
    known = ~np.isnat(detected) & (detected <= when.to_datetime64())
    e_o = e_index.get_indexer(occ[S.ESTATE_ID].astype(str).to_numpy()[known])
    u_o = _positions(u_index, occ[S.UNIT_ID].astype(str).to_numpy()[known])
    keep = (e_o >= 0) & (u_o >= 0)
    o = pd.DataFrame(
        {"code": e_o[keep] * len(u_index) + u_o[keep], "at": detected[known][keep]}
    ).sort_values("at", kind="stable")
    v = pd.DataFrame({"code": v_code, "at": start, "k": np.arange(len(start))})
    first = pd.merge_asof(
        v.sort_values("at", kind="stable"),
        o.rename(columns={"at": "detected"}),
        left_on="at",
        right_on="detected",
        by="code",
        direction="forward",
    ).sort_values("k")
    hit = (first["detected"].to_numpy() <= start + horizon.to_timedelta64()).astype(
        "int64"
    )
    out = pd.DataFrame({S.ESTATE_ID: estate_ids, "hit": hit})
    return out.groupby(S.ESTATE_ID)["hit"].agg(["size", "sum"])


def _positions(index: pd.Index, values: np.ndarray) -> np.ndarray:
    """Return ``index.get_indexer(values)`` for text, matched by 64-bit hashes.

    Unit ids are many distinct strings: hashing each once in C and matching
    the integers is faster than matching the text itself. Every match is
    then compared as text, so two different ids never match; on any doubt
    (a mismatch, two index values with one hash, a value that cannot be
    hashed) the text is matched directly.
    """
    keys = index.to_numpy()
    try:
        own = pd.util.hash_array(keys, categorize=False)
        theirs = pd.util.hash_array(values, categorize=False)
    except (TypeError, ValueError):
        return index.get_indexer(values)
    by_hash = pd.Index(own)
    if not by_hash.is_unique:
        return index.get_indexer(values)
    found = by_hash.get_indexer(theirs)
    hit = found >= 0
    if not (values[hit] == keys[found[hit]]).all():
        return index.get_indexer(values)
    return found


def _beta_binomial_prior(
    n: np.ndarray, k: np.ndarray, hot: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Return the raw rates, the prior rate of each estate and the prior strength.

    See :func:`vacancy_risk` (Notes) for the model; ``n.sum()`` must be > 0.
    """
    total_n = n.sum()
    # pooled rates with Jeffreys' half-count, so that a stratum where no
    # vacancy was ever occupied still gets a small positive rate
    city = (k.sum() + 0.5) / (total_n + 1.0)
    prior = np.full(len(n), city)
    for flag in (True, False):
        mask = hot == flag
        if n[mask].sum() > 0:
            prior[mask] = (k[mask].sum() + 0.5) / (n[mask].sum() + 1.0)
    has = n > 0
    raw = np.where(has, k / np.where(has, n, 1), np.nan)
    m = np.clip(prior, 1e-6, 1 - 1e-6)
    # unit-weighted variance of raw rates around each estate's own prior mean
    var = float(np.sum(n[has] * (raw[has] - m[has]) ** 2) / total_n)
    binomial = float(np.sum(n[has] * m[has] * (1 - m[has]) / n[has]) / total_n)
    tau2 = max(var - binomial, 1e-6)
    mean_m = float(np.sum(n[has] * m[has]) / total_n)
    strength = float(np.clip(mean_m * (1 - mean_m) / tau2 - 1.0, 1.0, 1000.0))
    return raw, prior, strength


# ---------------------------------------------------------------------------
# candidates


def _candidate_vacancies(
    vacancies: pd.DataFrame, when: pd.Timestamp, reason_pattern: str | None
) -> pd.Series:
    since = to_dates(vacancies[S.VACANT_SINCE])
    end = (
        to_dates(vacancies[S.ENDED_ON])
        if S.ENDED_ON in vacancies
        else pd.Series(pd.NaT)
    )
    open_ = (since <= when) & (end.isna() | (end > when))
    if reason_pattern is not None and S.REASON in vacancies.columns:
        reason = vacancies[S.REASON].astype("string").fillna("").str.strip()
        # a few distinct reasons: each is matched once; a vacancy whose file
        # states no reason is kept (a file without reasons is not emptied)
        codes, distinct = pd.factorize(reason)
        matches = pd.Series(distinct, dtype="string").str.contains(
            reason_pattern, case=False, regex=True
        ) | (pd.Series(distinct, dtype="string") == "")
        open_ &= matches.to_numpy(dtype=bool)[codes]
    return open_


def renovation_candidates(
    records: Records,
    *,
    as_of: Any = None,
    cost_model: CostModel | None = None,
    risk: pd.Series | float | None = None,
    hot: pd.Series | None = None,
    reason_pattern: str | None = MAINTENANCE_PATTERN,
) -> pd.DataFrame:
    """One row per estate with vacant units that renovation would return to assignment.

    Parameters
    ----------
    records : Records
        Canonical records.
    as_of : Any, optional
        Date of the plan (default: the latest date in the records). A vacancy
        is a candidate if it began by then and had not ended.
    cost_model : CostModel or None, optional
        :class:`CostModel`; None: defaults.
    risk : pandas.Series, float or None, optional
        Probability that a vacant unit is occupied within 12 months: a Series
        by ``estate_id``, one number for all, or None to estimate it with
        :func:`vacancy_risk` (``hot`` passed through).
    hot : pandas.Series or None, optional
        Estates in or near hot spots, for :func:`vacancy_risk`; only with
        ``risk=None``.
    reason_pattern : str or None, optional
        Case-insensitive regular expression on the vacancy ``reason``: by
        default vacancies for lack of maintenance (English or Italian wording);
        a vacancy without a stated reason is kept; None keeps every vacancy.

    Returns
    -------
    pandas.DataFrame
        ``estate_id``, ``name``, ``owner`` (``Aler``, ``Comune-MM``; NA when
        the estates do not say), ``units`` (candidate vacant units),
        ``unit_cost_eur``, ``site_cost_eur``, ``risk``, ``source``
        (``"SYNTHETIC"`` for generated records); only estates with at least
        one candidate, sorted by id.

    Raises
    ------
    ValidationError
        ``hot`` given with ``risk`` (the risk is then not estimated, so
        ``hot`` cannot apply), a ``risk`` Series missing a candidate, or
        invalid costs or risks.
    """
    records = require_records(records)
    if hot is not None and risk is not None:
        raise ValidationError(
            "hot cannot apply when risk is given: hot only stratifies the risk "
            "that vacancy_risk estimates; pass one of them"
        )
    cm = cost_model if cost_model is not None else CostModel()
    when = _as_of(records, as_of)
    vac = records.vacancies
    require_columns(vac, [S.ESTATE_ID, S.VACANT_SINCE], "records.vacancies")
    mask = _candidate_vacancies(vac, when, reason_pattern).to_numpy()
    if not mask.any() and len(vac):
        warn(
            f"no vacancy open on {when.date()} matches "
            f"reason_pattern={reason_pattern!r}; reasons present: "
            f"{sorted(map(str, vac[S.REASON].dropna().unique()))[:5]!r}"
            if S.REASON in vac
            else f"no vacancy open on {when.date()}",
            "priorities.no_candidates",
            date=when,
            stacklevel=2,
        )
    cand = vac[mask]
    ids = cand[S.ESTATE_ID].astype(str)
    units = ids.value_counts().sort_index()
    out = pd.DataFrame(
        {S.ESTATE_ID: units.index.astype(str), S.UNITS: units.to_numpy()}
    )
    names = records.estates.set_index(records.estates[S.ESTATE_ID].astype(str))
    out[S.NAME] = out[S.ESTATE_ID].map(names[S.NAME]) if S.NAME in names else pd.NA
    out[S.OWNER] = (
        out[S.ESTATE_ID].map(names[S.OWNER]).astype("string")
        if S.OWNER in names
        else pd.Series(pd.NA, index=out.index, dtype="string")
    )
    out[S.UNIT_COST_EUR] = _unit_costs(out[S.ESTATE_ID], cand, cm)
    out[S.SITE_COST_EUR] = (
        out[S.ESTATE_ID].map(dict(cm.site_overrides)).fillna(cm.site_eur).astype(float)
    )
    if risk is None:
        est = vacancy_risk(records, as_of=when, hot=hot)
        out[S.RISK] = (
            out[S.ESTATE_ID].map(est.set_index(S.ESTATE_ID)[S.RISK]).fillna(0.0)
        )
    elif isinstance(risk, int | float):
        out[S.RISK] = float(risk)
    else:
        ser = pd.Series(risk).astype(float)
        ser.index = ser.index.astype(str)
        out[S.RISK] = out[S.ESTATE_ID].map(ser)
        if out[S.RISK].isna().any():
            miss = out.loc[out[S.RISK].isna(), S.ESTATE_ID].tolist()[:5]
            raise ValidationError(f"risk has no value for estate(s) {miss!r}")
    check_candidates(out, "candidates")
    out[S.SOURCE] = source_label(records)
    cols = [
        S.ESTATE_ID,
        S.NAME,
        S.OWNER,
        S.UNITS,
        S.UNIT_COST_EUR,
        S.SITE_COST_EUR,
        S.RISK,
        S.SOURCE,
    ]
    return out[cols].reset_index(drop=True)


def _unit_costs(estate_ids: pd.Series, cand: pd.DataFrame, cm: CostModel) -> pd.Series:
    """Cost per unit of each estate: override, else mean recorded cost, else default.

    ``cand`` holds the candidate vacancies; recorded costs <= 0 are ignored
    (with a warning).
    """
    recorded = pd.Series(dtype=float)
    if S.RENOVATION_COST in cand.columns:
        costs = pd.to_numeric(cand[S.RENOVATION_COST], errors="coerce")
        bad = costs.notna() & (costs <= 0)
        if bad.any():
            warn(
                f"{int(bad.sum())} vacancy cost(s) <= 0 ignored (renovation_cost_eur)",
                "priorities.bad_costs",
                n=int(bad.sum()),
                stacklevel=3,
            )
        costs = costs.where(costs > 0)
        recorded = costs.groupby(cand[S.ESTATE_ID].astype(str).to_numpy()).mean()
        recorded = recorded.dropna()
    unit_cost = estate_ids.map(recorded).fillna(cm.unit_eur)
    unit_cost = unit_cost.where(
        ~estate_ids.isin(list(cm.unit_overrides)),
        estate_ids.map(dict(cm.unit_overrides)),
    )
    return unit_cost.astype(float)


def check_candidates(cand: pd.DataFrame, argument: str) -> None:
    """Raise unless ``cand`` is a valid candidates table (ids, units, costs, risk).

    Parameters
    ----------
    cand : pandas.DataFrame
        The candidates table to check.
    argument : str
        Name of the argument, for the error message.
    """
    require_columns(
        cand, [S.ESTATE_ID, S.UNITS, S.UNIT_COST_EUR, S.SITE_COST_EUR, S.RISK], argument
    )
    require_unique(cand, S.ESTATE_ID, argument)
    r = cand[S.RISK].astype(float)
    if ((r < 0) | (r > 1) | r.isna()).any():
        raise ValidationError(
            f"{argument}['risk'] must lie in [0, 1]; got {r.tolist()[:5]!r}"
        )
    u = cand[S.UNITS]
    if (u < 0).any() or (u != np.floor(u)).any():
        raise ValidationError(f"{argument}['units'] must be whole numbers >= 0")
    if (cand[S.UNIT_COST_EUR] <= 0).any() or (cand[S.SITE_COST_EUR] < 0).any():
        raise ValidationError(
            f"{argument}: unit_cost_eur must be > 0 and site_cost_eur >= 0"
        )
