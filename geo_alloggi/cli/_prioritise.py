"""``geo-alloggi prioritise``: patrol ranking, renovation plan, scenarios, back-test.

Writes the tables for a coordination meeting as CSV (Italian Excel: ``;``,
decimal comma, BOM) and XLSX, with Italian headers by default, counts from 1
to ``config.suppression_threshold - 1`` shown as ``< N`` (and the scores,
which would give them back, left out) and formula-like cells neutralised by
:func:`geo_alloggi.io.write_table`.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from geo_alloggi.cli._common import console, err_console
from geo_alloggi.report import (
    backtest_table,
    priority_table,
    suppress_small_counts,
    write_both,
)

MIRROR_HELP = "Folder of official files (default: $GEO_ALLOGGI_DATA_MIRROR)."


def _load_records(
    synthetic: bool,
    seed: int,
    files: dict[str, Path | None],
    mirror: Path | None,
) -> Any:
    from geo_alloggi._errors import ValidationError

    given = {k: v for k, v in files.items() if v is not None}
    if given and synthetic:
        raise ValidationError("give either --synthetic or record files, not both")
    if not given:
        if not synthetic:
            raise ValidationError(
                "no records: give --estates/--occupations/--evictions/--vacancies "
                "files, or --synthetic for the SYNTHETIC demo"
            )
        from geo_alloggi.synthetic import make_demo

        with err_console.status("generating the SYNTHETIC demo ..."):
            return make_demo(seed=seed, messy=False, mirror=mirror)
    if "estates" not in given:
        raise ValidationError("--estates is required with record files")
    from geo_alloggi.io import load_records

    with err_console.status("reading record files ..."):
        return load_records(**given)


def prioritise(
    out_dir: Path = typer.Option(
        ..., "--out-dir", "-o", help="Folder for the CSV and XLSX tables."
    ),
    synthetic: bool = typer.Option(
        False, "--synthetic", help="Use the SYNTHETIC demo records."
    ),
    seed: int = typer.Option(0, help="Seed of the SYNTHETIC demo."),
    estates: Path | None = typer.Option(None, help="Estates file."),
    occupations: Path | None = typer.Option(None, help="Occupations file."),
    evictions: Path | None = typer.Option(None, help="Evictions file."),
    vacancies: Path | None = typer.Option(None, help="Vacancies file."),
    level: str = typer.Option(
        "study_area", help="District level: nil, municipi or study_area."
    ),
    period: str = typer.Option("year", help="year, quarter or month."),
    budget: list[float] = typer.Option(
        [10_000_000.0],
        "--budget",
        "-b",
        help="Renovation budget in euros; repeat for side-by-side scenarios.",
    ),
    config_file: Path | None = typer.Option(
        None,
        "--config",
        help="TOML with [priorities.patrol] weights and [priorities.renovation] "
        "costs; the ranking is also compared with the default weights.",
    ),
    lang: str = typer.Option("it", help="it (default) or en: headers and reasons."),
    allow_small: bool = typer.Option(
        False,
        "--allow-small",
        help="Do not suppress small counts (tables NOT for a meeting).",
    ),
    top: int = typer.Option(10, help="Rows of the ranking shown on screen."),
    mirror: Path | None = typer.Option(None, help=MIRROR_HELP),
) -> None:
    """Rank districts and estates for patrols; plan renovations under a budget.

    Writes to DIR: patrol_districts, patrol_estates, social_services,
    renovation_plan, renovation_summary, budget_scenarios (two or more
    --budget), weight_scenarios (with --config) and backtest, each as .csv
    and .xlsx. Counts below the suppression threshold show as "< 5" and the
    scores are left out unless --allow-small.
    """
    from geo_alloggi import config, priorities
    from geo_alloggi._errors import InputFileError, ValidationError
    from geo_alloggi._i18n import check_lang, fmt_number
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.overlay import aggregate
    from geo_alloggi.stats import emerging_hotspots

    check_lang(lang)
    if level not in ("nil", "municipi", "study_area"):
        raise ValidationError(
            f"--level {level!r} is not one of ['nil', 'municipi', 'study_area']"
        )
    for b in budget:
        if not math.isfinite(b) or b < 0:
            raise ValidationError(f"--budget {b!r} must be a number of euros >= 0")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputFileError(f"--out-dir {str(out_dir)!r} is a file; give a folder")
    weights = (
        priorities.PatrolWeights.from_toml(config_file)
        if config_file
        else priorities.PatrolWeights()
    )
    cost_model = (
        priorities.CostModel.from_toml(config_file)
        if config_file
        else priorities.CostModel()
    )
    records = _load_records(
        synthetic,
        seed,
        {
            "estates": estates,
            "occupations": occupations,
            "evictions": evictions,
            "vacancies": vacancies,
        },
        mirror,
    )
    threshold = None if allow_small else int(config.suppression_threshold)
    label = config.synthetic_label
    is_synth = bool(records.synthetic)

    with err_console.status(f"loading districts ({level}) ..."):
        districts = load_districts(level, mirror=mirror)
    with err_console.status("counting per district and period ..."):
        panel = aggregate(records, districts, period=period)
    periods = sorted(panel["period"].dropna().unique())
    if len(periods) < 2:
        raise ValidationError(
            f"the records span {len(periods)} {period}(s); at least 2 are needed"
        )

    def trend(part: pd.DataFrame) -> pd.DataFrame | None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                return emerging_hotspots(
                    part, "new_occupations", districts=districts, units="units"
                )
        except ValidationError as exc:
            warnings.warn(
                f"emerging hot spots not computed ({exc}); the trend scores 0",
                UserWarning,
                stacklevel=2,
            )
            return None

    with err_console.status("emerging hot spots ..."):
        emerging = trend(panel)
    estate_district = priorities.estate_districts(records.estates, districts)
    kw: dict[str, Any] = {"weights": weights, "lang": lang, "suppress_below": threshold}
    ranked = priorities.patrol_priority(
        panel,
        emerging=emerging,
        evictions=records.evictions,
        estate_district=estate_district,
        **kw,
    )
    epanel = priorities.estate_panel(records, period=period)
    last = str(periods[-1])
    eranked = priorities.patrol_priority(
        epanel,
        period=last if last in set(epanel["period"]) else None,
        emerging=emerging,
        evictions=records.evictions,
        estate_district=estate_district,
        **kw,
    )
    social = priorities.social_services(
        records.evictions,
        by="district_id",
        estate_district=estate_district,
        since=pd.Period(str(periods[-1])).start_time,
    )
    names = districts.set_index("district_id")["name"]
    social.insert(1, "name", social["district_id"].map(names))

    hot = (
        priorities.near_hot_spots(
            records.estates, districts, priorities.hot_districts(emerging)
        )
        if emerging is not None
        else None
    )
    with err_console.status("renovation plan (exact) ..."):
        cand = priorities.renovation_candidates(records, cost_model=cost_model, hot=hot)
        plan = priorities.renovation_plan(cand, budget[0])
        scenarios = (
            priorities.compare_plans(
                cand, {f"{fmt_number(b, 0, lang)} €": b for b in budget}
            )
            if len(budget) > 1
            else None
        )
    weight_table = None
    if config_file is not None:
        weight_table = priorities.compare_rankings(
            panel,
            {"default": priorities.PatrolWeights(), "config": weights},
            emerging=emerging,
            evictions=records.evictions,
            estate_district=estate_district,
        )
        weight_table.insert(1, "name", weight_table["district_id"].map(names))

    with err_console.status("back-test ..."):
        until = periods[-2]
        past = panel[panel["period"] <= until]
        bt = priorities.backtest(
            panel,
            until=until,
            area_km2=districts,
            emerging=trend(past),
            weights=weights,
        )
    bt_table = backtest_table(bt, lang)

    out_dir.mkdir(parents=True, exist_ok=True)
    meet: dict[str, Any] = {"lang": lang, "synthetic": is_synth, "label": label}

    def small(table: pd.DataFrame) -> pd.DataFrame:
        return (
            table
            if threshold is None
            else suppress_small_counts(table, threshold, lang)
        )

    written: list[Path] = []
    tables = {
        "patrol_districts": small(ranked),
        "patrol_estates": small(eranked),
        "social_services": small(social),
        "renovation_plan": plan.plan,
        "renovation_summary": plan.summary,
        "backtest": bt_table,
    }
    if scenarios is not None:
        tables["budget_scenarios"] = scenarios
    if weight_table is not None:
        tables["weight_scenarios"] = (
            weight_table
            if threshold is None
            else weight_table.drop(
                columns=[c for c in weight_table if c.startswith("priority_score")]
            )
        )
    for stem, table in tables.items():
        written += write_both(priority_table(table, **meet), out_dir, stem, lang=lang)

    if is_synth:
        console.print(f"[{label}] tables built from SYNTHETIC records")
    console.print(f"patrol priority, {level}, {periods[-1]}:")
    for row in ranked.head(top).itertuples():
        console.print(
            f"  {row.rank:>3}. {names.get(row.district_id, row.district_id)}"
            f" — {row.reasons}"
        )
    opt = plan.summary.set_index("method").loc["optimal"]
    console.print(
        f"renovation (budget {fmt_number(budget[0], 0, lang)} €): "
        f"{int(opt['units_recovered'])} units in {int(opt['estates_selected'])} "
        f"estates, {fmt_number(opt['risk_weighted_units'], 1, lang)} risk-weighted; "
        f"next 1 M€: +{int(opt['next_1m_units'])} units"
    )
    console.print(
        f"back-test {bt['until']} -> {bt['next_period']}: hit rate "
        f"{fmt_number(100 * bt['hit_rate'], 1, lang)}% of new occupations in the "
        f"top {bt['top_n']} areas, PAI {fmt_number(bt['pai'], 2, lang)}"
    )
    console.print(f"{len(written)} files written to {out_dir}")


def register(app: typer.Typer) -> None:
    """Add the ``prioritise`` command to the main app."""
    app.command("prioritise")(prioritise)
