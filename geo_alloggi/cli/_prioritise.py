"""``geo-alloggi prioritise``: patrol ranking, renovation plan, scenarios, back-test.

Writes the tables for a coordination meeting as CSV (Italian Excel: ``;``,
decimal comma, BOM) and XLSX, with Italian headers by default, counts from 1
to ``config.suppression_threshold - 1`` shown as ``< N`` (and the scores,
which would give them back, left out) and formula-like cells neutralised by
:func:`geo_alloggi.io.write_table`.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from geo_alloggi.cli._common import (
    busy,
    console,
    count,
    current_lang,
    said,
    say,
    set_lang,
)
from geo_alloggi.report import (
    backtest_tables,
    linking_table,
    mark_withheld,
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
) -> tuple[Any, pd.DataFrame | None, tuple[str | None, str | None]]:
    """Return the records, their link counts (demo) and the span to count over.

    ``--synthetic`` takes the demo's records as ``geo-alloggi demo`` does
    (messy, then linked: :func:`geo_alloggi.pipeline.demo_records`), so both
    publish the same figures for the same seed.
    """
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
        from geo_alloggi.pipeline import demo_records

        with busy("cli.busy.demo"):
            demo = demo_records(seed=seed, mirror=mirror)
        return demo.records, demo.links, (demo.start, demo.end)
    if "estates" not in given:
        raise ValidationError("--estates is required with record files")
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.io import load_records

    # the official study area, loaded only for files with coordinates
    study_area = partial(load_districts, "study_area", mirror=mirror)
    with busy("cli.busy.reading_files"):
        records = load_records(
            estates=files.get("estates"),
            occupations=files.get("occupations"),
            evictions=files.get("evictions"),
            vacancies=files.get("vacancies"),
            study_area=study_area,
        )
    from geo_alloggi.pipeline import link_bundle

    # estates placed from their address, records linked by id, address or
    # coordinates: the same as 'overlay' and 'run'
    with busy("cli.busy.linking"):
        linked, links = link_bundle(records)
    return linked, links, (None, None)


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
    objective: str = typer.Option(
        "risk",
        help="What the renovation plan maximises: risk (expected occupations "
        "prevented) or units (homes returned).",
    ),
    config_file: Path | None = typer.Option(
        None,
        "--config",
        help='TOML with [priorities.patrol] weights (or weights = "calibrated") '
        "and [priorities.renovation] costs; the ranking is also compared with "
        "the default weights.",
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
    renovation_plan, renovation_summary (all owners, then each owner),
    renovation_frontier (units recovered against risk-weighted units),
    budget_scenarios (two or more
    --budget), weight_scenarios (with --config), backtest and
    backtest_summary (with four periods or more) and linking (records
    linked by estate id, address or coordinates), each as .csv and .xlsx.
    Counts below the suppression threshold show as "< 5" and the scores are
    left out unless --allow-small.
    """
    from geo_alloggi import config, priorities
    from geo_alloggi._errors import InputFileError, ValidationError
    from geo_alloggi._i18n import fmt_number
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.overlay import aggregate

    set_lang(lang)
    if level not in ("nil", "municipi", "study_area"):
        raise ValidationError(
            f"--level {level!r} is not one of ['nil', 'municipi', 'study_area']"
        )
    if objective not in priorities.OBJECTIVES:
        raise ValidationError(
            f"--objective {objective!r} is not one of {list(priorities.OBJECTIVES)!r}"
        )
    for b in budget:
        if not math.isfinite(b) or b < 0:
            raise ValidationError(f"--budget {b!r} must be a number of euros >= 0")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputFileError(f"--out-dir {str(out_dir)!r} is a file; give a folder")
    from geo_alloggi.pipeline import patrol_weights

    patrol_weights(config_file)  # a bad weight stops here, before the records load
    records, links, (start, end) = _load_records(
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

    with busy("cli.busy.districts", level=level):
        districts = load_districts(level, mirror=mirror)
    with busy("cli.busy.counting"):
        panel = aggregate(records, districts, period=period, start=start, end=end)
    periods = sorted(panel["period"].dropna().unique())
    if not periods:
        raise ValidationError(f"the records span no {period}: nothing to rank")

    from geo_alloggi.pipeline import prioritise as shared_priorities
    from geo_alloggi.pipeline import trend

    with busy("cli.busy.emerging"):
        emerging = trend(panel, districts)
    with busy("cli.busy.priorities"):
        pri = shared_priorities(
            records,
            districts,
            panel,
            emerging=emerging,
            budget_eur=budget[0],
            objective=objective,
            config_file=config_file,
            lang=lang,
            threshold=threshold,
        )
    ranked, eranked, social, plan = (
        pri.patrol_districts,
        pri.patrol_estates,
        pri.social,
        pri.plan,
    )
    names = districts.set_index("district_id")["name"]
    scenarios = (
        priorities.compare_plans(
            pri.candidates,
            {f"{fmt_number(b, 0, lang)} €": b for b in budget},
            objective=objective,
        )
        if len(budget) > 1
        else None
    )
    weight_table = None
    if config_file is not None:
        weight_table = priorities.compare_rankings(
            panel,
            {"default": priorities.PatrolWeights(), "config": pri.weights},
            emerging=emerging,
            evictions=records.evictions,
            estate_district=pri.estate_district,
        )
        weight_table.insert(1, "name", weight_table["district_id"].map(names))
    bt = pri.backtest

    out_dir.mkdir(parents=True, exist_ok=True)
    meet: dict[str, Any] = {"lang": lang, "synthetic": is_synth, "label": label}

    def small(
        table: pd.DataFrame, flags: pd.DataFrame | None = None, key: str = ""
    ) -> pd.DataFrame:
        if threshold is None:
            return table
        shown = suppress_small_counts(table, threshold, lang)
        return mark_withheld(shown, flags, id_column=key, lang=lang)

    written: list[Path] = []
    tables = {
        "patrol_districts": small(ranked, pri.withheld_districts, "district_id"),
        "patrol_estates": small(eranked, pri.withheld_estates, "estate_id"),
        "social_services": small(social),
        "renovation_plan": plan.plan,
        "renovation_summary": pd.concat(
            [plan.summary.assign(owner="all"), plan.by_owner], ignore_index=True
        ),
        "renovation_frontier": pri.frontier,
    }
    if bt is not None:
        tables["backtest"], tables["backtest_summary"] = backtest_tables(
            bt.to_frame(), bt.summary, lang
        )
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
    if links is not None:
        written += write_both(
            linking_table(links, lang=lang, synthetic=is_synth),
            out_dir,
            "linking",
            lang,
        )

    _say_results(
        ranked.head(top),
        names,
        plan.summary.set_index("method").loc["optimal"],
        synthetic=is_synth,
        level=level,
        last_period=periods[-1],
        budget=budget[0],
        objective=objective,
        unlinked=None if links is None else int(links["unlinked"].sum()),
    )
    if bt is not None:
        say("cli.prioritise.backtest", verdict=bt.verdict(lang))
    else:
        say(
            "cli.prioritise.no_backtest",
            n=count(len(periods)),
            period=said(f"cli.period.{period}"),
        )
    say("cli.files_written", n=count(len(written)), path=out_dir)


def _say_results(
    ranked: pd.DataFrame,
    names: pd.Series,
    optimal: pd.Series,
    *,
    synthetic: bool,
    level: str,
    last_period: Any,
    budget: float,
    objective: str,
    unlinked: int | None,
) -> None:
    """Say the top of the patrol ranking and the renovation plan on screen."""
    from geo_alloggi import config
    from geo_alloggi._i18n import fmt_number, fmt_period

    lang = current_lang()
    if synthetic:
        label = said("cli.synthetic", label=config.synthetic_label)
        console.print(
            f"[{label}] {said('cli.prioritise.synthetic')}",
            markup=False,
            highlight=False,
        )
    say("cli.prioritise.patrol", level=level, period=fmt_period(last_period, lang))
    for row in ranked.itertuples():
        console.print(
            f"  {row.rank:>3}. {names.get(row.district_id, row.district_id)}"
            f" — {row.reasons}",
            markup=False,
            highlight=False,
        )
    say(
        "cli.prioritise.renovation",
        budget=fmt_number(budget, 0, lang),
        objective=said(f"cli.objective.{objective}"),
        units=count(int(optimal["units_recovered"])),
        estates=count(int(optimal["estates_selected"])),
        risk=fmt_number(optimal["risk_weighted_units"], 1, lang),
        next_units=count(int(optimal["next_1m_units"])),
    )
    if unlinked is not None:
        say("cli.prioritise.unlinked", n=count(unlinked))


def register(app: typer.Typer) -> None:
    """Add the ``prioritise`` command to the main app."""
    app.command("prioritise")(prioritise)
