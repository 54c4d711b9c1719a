"""Back-test of the published patrol ranking, naive rules, walk-forward calibration.

Hand-made district panels with planted trends (twenty 1 km² districts, eight
years) stand in for SYNTHETIC records: every expected figure below is counted
from the planted numbers, not from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo_alloggi import _schema as S
from geo_alloggi._errors import InputFileError, ValidationError
from geo_alloggi.priorities import (
    NAIVE_RULES,
    Backtest,
    PatrolWeights,
    backtest,
    calibrate_patrol_weights,
    patrol_priority,
    rolling_origins,
)
from geo_alloggi.priorities.calibration import simplex_grid
from geo_alloggi.report import backtest_tables

IDS = [f"D{i:02d}" for i in range(20)]
YEARS = list(range(2016, 2024))  # origins 2018..2022
AREAS = pd.DataFrame({S.DISTRICT_ID: IDS, S.AREA_KM2: 1.0})


def _panel(rows: dict[str, list[tuple[int, int]]], *, base=(5, 1)) -> pd.DataFrame:
    """District × year panel: ``rows[id][t] = (occupied, new)``; others ``base``."""
    out = []
    for t, year in enumerate(YEARS):
        for d in IDS:
            occ, new = rows[d][t] if d in rows else base
            out.append(
                {
                    S.DISTRICT_ID: d,
                    S.PERIOD: str(year),
                    S.OCCUPIED: occ,
                    S.NEW_OCCUPATIONS: new,
                    S.SOURCE: "SYNTHETIC",
                }
            )
    return pd.DataFrame(out)


def _naive_wins_panel() -> pd.DataFrame:
    """D00 has the biggest occupied stock but no new occupations; D03 and D07
    grow every year: new occupations alone flag the right two districts, the
    default weights flag D00 and D03."""
    return _panel(
        {
            "D00": [(60, 0)] * len(YEARS),
            "D03": [(5, 4 + 4 * t) for t in range(len(YEARS))],
            "D07": [(5, 3 + 4 * t) for t in range(len(YEARS))],
        }
    )


def _published_wins_panel() -> pd.DataFrame:
    """D01 (stock 40, 20 new a year) is where next year's occupations come.
    D02 has a little more stock and never a new occupation; D03 has 21 new
    occupations in even years and none in odd ones. Each single measure is
    misled some years, the default weighting never."""
    rows = {
        "D01": [(40, 20)] * len(YEARS),
        "D02": [(42, 0)] * len(YEARS),
        "D03": [(0, 21 if y % 2 == 0 else 0) for y in YEARS],
    }
    return _panel(rows, base=(2, 0))


def _top(panel: pd.DataFrame, period: str, column: str, n: int) -> list[str]:
    """Independent naive rule: the ``n`` largest values of ``column``, ties by id."""
    rows = panel[panel[S.PERIOD] == period].sort_values(
        [column, S.DISTRICT_ID], ascending=[False, True]
    )
    return rows[S.DISTRICT_ID].head(n).tolist()


def _scored(
    panel: pd.DataFrame, period: str, flagged: list[str]
) -> tuple[float, float]:
    """Hit rate and PAI of ``flagged`` on ``period`` (all districts 1 km²)."""
    rows = panel[panel[S.PERIOD] == period].set_index(S.DISTRICT_ID)
    hit = rows.loc[flagged, S.NEW_OCCUPATIONS].sum() / rows[S.NEW_OCCUPATIONS].sum()
    return float(hit), float(hit / (len(flagged) / len(IDS)))


# ---------------------------------------------------------------------------
# origins, grid


def test_rolling_origins_follow_the_period_kind():
    years = [str(y) for y in range(2014, 2026)]
    assert rolling_origins(years) == [str(y) for y in range(2016, 2025)]
    assert rolling_origins(years[:3]) == []
    months = [f"{y}-{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)]
    got = rolling_origins(months)
    assert got == months[-13:-1] and len(got) == 12  # last 12, one month apart
    quarters = [f"{y}Q{q}" for y in (2023, 2024) for q in (1, 2, 3, 4)]
    assert rolling_origins(quarters) == quarters[2:-1]  # fewer than 12: from the 3rd


def test_simplex_grid_has_the_corners_and_sums_to_one():
    grid = simplex_grid(0.25)
    assert len(grid) == math.comb(4 + 3, 3) == 35
    assert np.allclose(grid.sum(axis=1), 1.0)
    for k in range(4):
        corner = np.eye(4)[k]
        assert any(np.array_equal(row, corner) for row in grid)
    with pytest.raises(ValidationError, match="grid_step"):
        simplex_grid(0.3)


# ---------------------------------------------------------------------------
# the back-test on planted trends


@pytest.fixture(scope="module")
def naive_wins() -> tuple[pd.DataFrame, Backtest]:
    panel = _naive_wins_panel()
    return panel, backtest(panel, area_km2=AREAS, seed=1)


def test_every_ranking_is_scored_at_every_origin(naive_wins):
    panel, bt = naive_wins
    origins = [str(y) for y in range(2018, 2023)]
    scores = bt.to_frame()
    assert list(dict.fromkeys(scores[S.ORIGIN])) == origins
    expected = {"published", "calibrated", "new_occupations", "occupied", "random"}
    assert set(scores[S.RANKING]) == expected  # no Gi* given: no hot-spot rule
    for _name, part in scores.groupby(S.RANKING):
        assert part[S.ORIGIN].tolist() == origins
    assert (bt.summary[S.ORIGINS] == 5).all()
    assert (
        scores[S.SCORED_PERIOD].astype(int) == scores[S.ORIGIN].astype(int) + 1
    ).all()
    # two of twenty areas flagged (10%); each row scored on the next year
    assert (scores[S.TOP_N] == 2).all()
    for row in scores[scores[S.RANKING] == "new_occupations"].itertuples():
        flagged = _top(panel, row.origin, S.NEW_OCCUPATIONS, 2)
        assert row.flagged.split(",") == flagged
        hit, pai = _scored(panel, row.scored_period, flagged)
        assert row.hit_rate == pytest.approx(hit) and row.pai == pytest.approx(pai)
    for row in scores[scores[S.RANKING] == "occupied"].itertuples():
        assert row.flagged.split(",") == _top(panel, row.origin, S.OCCUPIED, 2)
    chance = scores[scores[S.RANKING] == "random"]
    assert chance[S.HIT_RATE].tolist() == pytest.approx([0.1] * 5)
    assert (chance[S.PAI] == 1.0).all()


def test_published_row_is_exactly_the_published_ranking(naive_wins):
    panel, bt = naive_wins
    for row in bt.to_frame().query("ranking == 'published'").itertuples():
        ranked = patrol_priority(panel[panel[S.PERIOD] <= row.origin])
        assert row.flagged.split(",") == ranked[S.DISTRICT_ID].head(2).tolist()
        assert row.components == "occupied+new_occupations"  # no trend, no evictions
        assert row.weight_occupied == 0.35 and row.weight_evictions == 0.15


def test_naive_rule_that_wins_comes_first(naive_wins):
    panel, bt = naive_wins
    summ = bt.summary.set_index(S.RANKING)
    # independent: new occupations flag D03 and D07, the default weights D00 and D03
    pai_new = np.mean(
        [_scored(panel, str(y + 1), ["D03", "D07"])[1] for y in range(2018, 2023)]
    )
    pai_pub = np.mean(
        [_scored(panel, str(y + 1), ["D00", "D03"])[1] for y in range(2018, 2023)]
    )
    assert summ.loc["new_occupations", "pai_mean"] == pytest.approx(pai_new)
    assert summ.loc["published", "pai_mean"] == pytest.approx(pai_pub)
    assert summ.loc["new_occupations", S.PUBLISHED_HIGHER] == 0.0
    text = bt.verdict("en")
    assert text.startswith("A simple rule predicted better than the published ranking")
    assert '"new occupations in the last period"' in text.split(".")[0]
    diff = f"{pai_new - pai_pub:.2f}"
    assert f"({diff} more;" in text
    assert "in 5 of 5 tests" in text
    assert bt.verdict().startswith("Una regola semplice ha previsto meglio")
    assert "PAI" in text and "1 is no better than chance" in text


def test_published_ranking_that_wins_comes_first():
    panel = _published_wins_panel()
    bt = backtest(panel, area_km2=AREAS, top_share=0.05, calibrate=False)
    summ = bt.summary.set_index(S.RANKING)
    even = {"2018", "2020", "2022"}  # origins where D03 had 21 new occupations
    for row in bt.to_frame().itertuples():
        if row.ranking == "published":
            assert row.flagged == "D01"
        elif row.ranking == "occupied":
            assert row.flagged == "D02"
        elif row.ranking == "new_occupations":
            assert row.flagged == ("D03" if row.origin in even else "D01")
    # independent: after an even year D01 holds 20 of 20, after an odd 20 of 41
    assert summ.loc["published", "hit_rate_mean"] == pytest.approx(
        (3 * 1 + 2 * 20 / 41) / 5
    )
    assert summ.loc["new_occupations", "hit_rate_mean"] == pytest.approx(
        (2 * 20 / 41) / 5
    )
    assert summ.loc["occupied", "hit_rate_mean"] == 0.0
    text = bt.verdict("en")
    assert text.startswith("The published ranking predicted better than the simple")
    assert '"new occupations in the last period"' in text
    assert "did better in 3 of 5 tests" in text  # ties the other two
    assert summ.loc["occupied", S.PUBLISHED_HIGHER] == 1.0
    assert summ.loc["new_occupations", S.PUBLISHED_HIGHER] == 0.6


def test_intervals_bootstrap_over_origins_or_min_max():
    panel = _naive_wins_panel()
    a = backtest(panel, area_km2=AREAS, calibrate=False, seed=3)
    b = backtest(panel, area_km2=AREAS, calibrate=False, seed=3)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    summ = a.summary.set_index(S.RANKING)
    assert (summ[S.INTERVAL] == "bootstrap").all()  # 5 origins
    for name, row in summ.iterrows():
        values = a.scores.loc[a.scores[S.RANKING] == name, S.PAI]
        assert values.min() - 1e-9 <= row["pai_low"] <= row["pai_mean"]
        assert row["pai_mean"] <= row["pai_high"] <= values.max() + 1e-9
    few = backtest(
        panel, area_km2=AREAS, calibrate=False, origins=["2019", "2020", "2021"]
    )
    fs = few.summary.set_index(S.RANKING)
    assert (fs[S.INTERVAL] == "minmax").all()
    pai = few.scores[few.scores[S.RANKING] == "occupied"][S.PAI]
    assert fs.loc["occupied", "pai_low"] == pai.min()
    assert fs.loc["occupied", "pai_high"] == pai.max()
    with pytest.warns(UserWarning, match="only 2 origin"):
        backtest(panel, area_km2=AREAS, calibrate=False, origins=["2019", "2020"])


def test_hits_rounded_for_meetings():
    panel = _naive_wins_panel()
    bt = backtest(panel, area_km2=AREAS, calibrate=False, round_hits_to=5)
    hits = bt.scores.loc[bt.scores[S.RANKING] != "random", S.HITS]
    assert (hits % 5 == 0).all()
    row = bt.scores[bt.scores[S.RANKING] == "new_occupations"].iloc[0]
    exact = _scored(panel, row[S.SCORED_PERIOD], ["D03", "D07"])[0] * row[S.TOTAL]
    assert row[S.HITS] == 5 * math.floor(exact / 5 + 0.5)


# ---------------------------------------------------------------------------
# what the ranking could know at each origin


def _evictions(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            S.RECORD_ID: [f"EV{i}" for i in range(len(rows))],
            S.DISTRICT_ID: [r[0] for r in rows],
            S.EVICTION_DATE: pd.to_datetime([r[1] for r in rows]),
            S.OUTCOME: [r[2] for r in rows],
            S.VULNERABLE: False,
        }
    )


def test_evictions_and_trend_only_as_known_then():
    panel = _naive_wins_panel()
    known = _evictions([("D05", "2019-06-01", "postponed")] * 3)
    later = pd.concat([known, _evictions([("D09", "2020-03-01", "scheduled")] * 9)])
    emerging = pd.DataFrame(
        {
            S.DISTRICT_ID: IDS,
            S.PERIOD: "2020",
            S.EMERGING: ["New Hot Spot"] * 2 + ["No Pattern Detected"] * 18,
        }
    )
    kw = {"area_km2": AREAS, "calibrate": False, "emerging": emerging}
    kw["top_share"] = 0.25  # five areas: room for the evictions' district
    a = backtest(panel, evictions=known, **kw).to_frame()
    b = backtest(panel, evictions=later, **kw).to_frame()
    pub_a = a[a[S.RANKING] == "published"].set_index(S.ORIGIN)
    pub_b = b[b[S.RANKING] == "published"].set_index(S.ORIGIN)
    # the eviction dated 2020 is unknown at the 2019 origin, seen at 2020
    assert pub_a.loc["2019", S.FLAGGED] == pub_b.loc["2019", S.FLAGGED]
    assert "D09" not in pub_a.loc["2020", S.FLAGGED]
    assert "D09" in pub_b.loc["2020", S.FLAGGED]
    # each origin ranks as patrol_priority did with what was known then
    for origin, row in pub_b.iterrows():
        cut = pd.Timestamp(int(origin) + 1, 1, 1)
        ranked = patrol_priority(
            panel[panel[S.PERIOD] <= origin],
            evictions=later[later[S.EVICTION_DATE] < cut],
            emerging=emerging[emerging[S.PERIOD] == origin]
            if origin == "2020"
            else None,
        )
        assert row[S.FLAGGED].split(",") == ranked[S.DISTRICT_ID].head(5).tolist()
    assert pub_b.loc["2020", S.COMPONENTS] == (
        "occupied+new_occupations+trend+evictions"
    )
    assert pub_b.loc["2019", S.COMPONENTS] == "occupied+new_occupations+evictions"
    assert (pub_b[S.PERIODS_SEEN] == [3, 4, 5, 6, 7]).all()


def test_signals_must_say_their_origin():
    panel = _naive_wins_panel()
    flat = pd.DataFrame({S.DISTRICT_ID: IDS, S.EMERGING: "No Pattern Detected"})
    with pytest.raises(ValidationError, match="'period' column"):
        backtest(panel, area_km2=AREAS, emerging=flat)
    with pytest.raises(ValidationError, match="not periods of the panel"):
        backtest(panel, area_km2=AREAS, origins=["2023"])
    with pytest.raises(ValidationError, match="area_km2 lacks"):
        backtest(panel, area_km2=AREAS.iloc[1:])
    with pytest.raises(ValidationError, match="at least 4"):
        backtest(panel[panel[S.PERIOD] <= "2018"], area_km2=AREAS)
    with pytest.raises(ValidationError, match="weights='best'"):
        backtest(panel, area_km2=AREAS, weights="best")  # type: ignore[arg-type]


def test_hot_spot_rule_orders_by_gi_z():
    panel = _naive_wins_panel()
    z = {d: float(i) for i, d in enumerate(IDS)}  # D19 highest, then D18
    gi = pd.DataFrame(
        [
            {S.DISTRICT_ID: d, S.PERIOD: str(y), S.GI_Z: z[d]}
            for y in range(2018, 2023)
            for d in IDS
        ]
    )
    gi.loc[gi[S.DISTRICT_ID] == "D19", S.GI_Z] = np.nan  # not analysed: last
    bt = backtest(panel, area_km2=AREAS, hotspots=gi, calibrate=False)
    rows = bt.scores[bt.scores[S.RANKING] == "hotspots"]
    assert len(rows) == 5
    assert (rows[S.FLAGGED] == "D18,D17").all()
    assert set(bt.summary[S.RANKING]) >= set(NAIVE_RULES)


# ---------------------------------------------------------------------------
# weights from evidence


def test_calibration_is_walk_forward_and_out_of_sample():
    panel = _naive_wins_panel()
    cal = calibrate_patrol_weights(panel, area_km2=AREAS)
    wf = cal.walk_forward
    assert wf[S.ORIGIN].tolist() == [str(y) for y in range(2018, 2023)]
    # at 2018 the fit saw the origins 2016 and 2017 only (scored 2017 and 2018)
    assert wf["training"].tolist() == [2, 3, 4, 5, 6]
    # changing the last year changes no fitted weight: it is never trained on
    changed = panel.copy()
    last = changed[S.PERIOD] == "2023"
    changed.loc[last, S.NEW_OCCUPATIONS] = changed.loc[
        last, S.NEW_OCCUPATIONS
    ].to_numpy()[::-1]
    again = calibrate_patrol_weights(changed, area_km2=AREAS).walk_forward
    weights = [c for c in wf.columns if c.startswith("weight_")]
    pd.testing.assert_frame_equal(wf[weights], again[weights])
    pd.testing.assert_frame_equal(wf.iloc[:-1], again.iloc[:-1])
    assert wf[S.PAI].iloc[-1] != again[S.PAI].iloc[-1]
    # the planted signal is the new occupations: every fit weighs them most
    assert (wf["weight_new_occupations"] > wf["weight_occupied"]).all()
    assert cal.weights.new_occupations > cal.weights.occupied
    assert cal.defaults == PatrolWeights()
    assert cal.synthetic is True
    table = cal.to_frame()
    assert table["component"].tolist() == list(PatrolWeights().as_dict())
    assert table["default"].tolist() == [0.35, 0.30, 0.20, 0.15]
    assert table["calibrated"].sum() == pytest.approx(1.0)


def test_calibrated_ranking_against_every_rule_and_the_defaults():
    panel = _naive_wins_panel()
    bt = backtest(panel, area_km2=AREAS, weights="calibrated")
    names = set(bt.summary[S.RANKING])
    # the published ranking is the walk-forward one; the defaults are scored too
    assert names == {"published", "default", "new_occupations", "occupied", "random"}
    assert bt.weights is None and bt.calibration is not None
    pub = bt.to_frame().query("ranking == 'published'").set_index(S.ORIGIN)
    wf = bt.calibration.walk_forward.set_index(S.ORIGIN)
    assert pub[S.PAI].tolist() == pytest.approx(wf[S.PAI].tolist())
    assert pub["weight_new_occupations"].tolist() == (
        wf["weight_new_occupations"].tolist()
    )
    assert "default weights" in bt.verdict("en")
    # with fixed weights the calibrated row sits next to them, out of sample
    fixed = backtest(panel, area_km2=AREAS)
    cal = fixed.to_frame().query("ranking == 'calibrated'").set_index(S.ORIGIN)
    assert cal[S.PAI].tolist() == pytest.approx(wf[S.PAI].tolist())
    assert "calibrated weights" in fixed.verdict("en")
    assert "Weights fitted on SYNTHETIC records" in fixed.verdict("en")
    assert PatrolWeights() == PatrolWeights(0.35, 0.30, 0.20, 0.15)  # untouched


# ---------------------------------------------------------------------------
# tables for meetings, configuration


def test_backtest_tables_in_both_languages(naive_wins):
    _, bt = naive_wins
    per_origin, summary = backtest_tables(bt.to_frame(), bt.summary, "en")
    assert per_origin.columns[:2].tolist() == ["Ranking", "Origin"]
    assert {"Hit rate", "PAI", "Active components"} <= set(per_origin.columns)
    assert "published" in set(per_origin["Ranking"])
    assert "Mean PAI" in summary.columns and len(summary) == 5
    it_rows, it_summary = backtest_tables(bt.to_frame(), bt.summary, "it")
    assert {"Classifica", "Origine", "Tasso di successo", "PAI"} <= set(it_rows.columns)
    assert "pubblicata" in set(it_rows["Classifica"])
    assert set(it_summary["Intervallo"]) == {"bootstrap al 90%"}
    assert not {"hits", "flagged"} & set(per_origin.columns)


def test_run_configuration_accepts_calibrated_weights(tmp_path):
    from geo_alloggi.pipeline import patrol_weights

    cfg = tmp_path / "run.toml"
    cfg.write_text('[priorities.patrol]\nweights = "calibrated"\n', encoding="utf-8")
    assert patrol_weights(cfg) == "calibrated"
    cfg.write_text("[priorities.patrol]\noccupied = 1.0\n", encoding="utf-8")
    assert patrol_weights(cfg) == PatrolWeights(occupied=1.0)
    cfg.write_text(
        '[priorities.patrol]\nweights = "calibrated"\ntrend = 0.5\n', encoding="utf-8"
    )
    with pytest.raises(InputFileError, match="together with"):
        patrol_weights(cfg)
    cfg.write_text('[priorities.patrol]\nweights = "best"\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="calibrated"):
        patrol_weights(cfg)
    assert patrol_weights(None) == PatrolWeights()


def test_cli_ranks_with_calibrated_weights(tmp_path, capsys):
    """``weights = "calibrated"`` in the configuration: the ranking uses them."""
    from geo_alloggi.cli import main
    from tests.test_priorities import _write_record_files

    files = _write_record_files(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text('[priorities.patrol]\nweights = "calibrated"\n', encoding="utf-8")
    out = tmp_path / "out"
    args = ["prioritise", "--out-dir", str(out), "--level", "nil", "--lang", "en"]
    for kind, path in files.items():
        args += [f"--{kind}", path]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--config", str(config), "--allow-small"])
    assert exc.value.code in (0, None)
    summary = pd.read_csv(out / "backtest_summary.csv", dtype=str, encoding="utf-8-sig")
    # the published ranking is the calibrated one; the defaults are scored beside
    assert summary["Ranking"].tolist()[:2] == ["published", "default weights"]
    per_origin = pd.read_csv(out / "backtest.csv", dtype=str, encoding="utf-8-sig")
    published = per_origin[per_origin["Ranking"] == "published"]
    weights = published[[c for c in per_origin if c.startswith("Weight:")]]
    assert weights.astype(float).sum(axis=1).round(9).eq(1.0).all()  # a grid point
    said = " ".join(capsys.readouterr().out.split())
    assert "Weights the calibration would use now" in said
