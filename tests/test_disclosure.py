"""Disclosure control: primary and complementary suppression, derived values, audits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from geo_alloggi import ValidationError
from geo_alloggi.disclosure import TOTAL_ID, protect, suppress


def table(values: dict[str, list[int]], period: str = "2019", column: str = "occupied"):
    rows = []
    for parent, vals in values.items():
        for i, v in enumerate(vals):
            rows.append(
                {
                    "district_id": f"{parent}-{i}",
                    "parent_id": parent,
                    "period": period,
                    column: v,
                }
            )
    return pd.DataFrame(rows)


def shown(df: pd.DataFrame, column: str = "occupied") -> list:
    return [None if pd.isna(v) else int(v) for v in df[column]]


# --------------------------------------------------------------------------
# hand-made tables


def test_primary_and_next_smallest_complement_zeros_shown():
    t = table({"P": [0, 7, 12, 3, 9]})
    out = suppress(t, threshold=5)
    # 3 is primary; the smallest other non-zero cell (7) is the complement;
    # the zero stays visible
    assert shown(out) == [0, None, 12, None, 9]
    assert out["suppressed"].tolist() == ["", "occupied", "", "occupied", ""]
    # input untouched
    assert t["occupied"].tolist() == [0, 7, 12, 3, 9]


def test_two_primaries_need_no_complement():
    out = suppress(table({"P": [2, 3, 10]}), threshold=5)
    assert shown(out) == [None, None, 10]


def test_threshold_is_configurable():
    t = table({"P": [7, 12, 30, 40]})
    assert shown(suppress(t, threshold=5)) == [7, 12, 30, 40]
    # 7 primary at threshold 10, complement 12
    assert shown(suppress(t, threshold=10)) == [None, None, 30, 40]


def test_default_threshold_comes_from_config(monkeypatch):
    from geo_alloggi import config

    t = table({"P": [6, 12, 30, 40]})
    assert shown(suppress(t)) == [6, 12, 30, 40]
    monkeypatch.setattr(config, "suppression_threshold", 7)
    assert shown(suppress(t)) == [None, None, 30, 40]


def test_lone_small_cell_among_zeros_is_hidden_with_its_totals():
    out = suppress(table({"P": [0, 3, 0]}), threshold=5, totals=True)
    # the parent and grand totals (3) are small themselves, hence hidden: the
    # zeros can stay visible
    assert shown(out) == [0, None, 0, None, None]
    assert out["row_type"].tolist() == ["district"] * 3 + ["parent", "total"]


def test_single_child_parent_protected_through_the_grand_total():
    t = table({"P1": [3], "P2": [10, 20, 30]})
    out = suppress(t, threshold=5, totals=True)
    cells = out[out["row_type"] == "district"]
    parents = out[out["row_type"] == "parent"].set_index("district_id")
    grand = out[out["row_type"] == "total"]
    # P1's total equals its only cell, so it is hidden; the grand total (63)
    # would then give P1 = 63 - P2, so P2's total is hidden too, and P2's
    # total would equal the sum of its cells, so its smallest cell is hidden.
    assert shown(cells) == [None, None, 20, 30]
    assert parents["occupied"].isna().tolist() == [True, True]
    assert grand["district_id"].tolist() == [TOTAL_ID]
    assert int(grand["occupied"].iloc[0]) == 63


def test_small_parent_total_suppressed_when_totals_published():
    t = table({"P1": [1, 2, 0], "P2": [10, 20, 30], "P3": [8, 9]})
    out = suppress(t, threshold=5, totals=True)
    parents = out[out["row_type"] == "parent"].set_index("district_id")["occupied"]
    assert pd.isna(parents["P1"])  # 3 < 5
    # exactly one parent total hidden would be recovered from the grand total:
    # the smallest other parent total (P3 = 17) is hidden as well, with a cell
    assert pd.isna(parents["P3"])
    assert int(parents["P2"]) == 60
    p3 = out[(out["row_type"] == "district") & (out["parent_id"] == "P3")]
    assert p3["occupied"].isna().sum() == 1


def test_each_period_is_protected_separately():
    t = pd.concat([table({"P": [3, 8, 20]}, "2018"), table({"P": [8, 3, 20]}, "2019")])
    out = suppress(t, threshold=5)
    assert shown(out) == [None, None, 20, None, None, 20]


def test_rate_and_change_follow_their_counts():
    t = pd.DataFrame(
        {
            "district_id": ["A", "A", "A", "B", "B", "B", "C", "C", "C"],
            "parent_id": "P",
            "period": ["2018", "2019", "2020"] * 3,
            "occupied": [10, 3, 12, 20, 4, 25, 30, 30, 30],
            "units": [100] * 9,
            "occupied_per_100": [10.0, 3.0, 12.0, 20.0, 4.0, 25.0, 30.0, 30.0, 30.0],
            "occupied_change": [0, -7, 9, 0, -16, 21, 0, 0, 0],
        }
    )
    out = suppress(t, threshold=5).set_index(["district_id", "period"])
    # 2019: A=3 and B=4 primary
    assert out["occupied"].isna().to_dict() == {
        ("A", "2018"): False,
        ("A", "2019"): True,
        ("A", "2020"): False,
        ("B", "2018"): False,
        ("B", "2019"): True,
        ("B", "2020"): False,
        ("C", "2018"): False,
        ("C", "2019"): False,
        ("C", "2020"): False,
    }
    assert out.loc[("A", "2019"), "occupied_per_100"] is pd.NA
    # the change into and out of a suppressed period is suppressed
    assert out.loc[("A", "2019"), "occupied_change"] is pd.NA
    assert out.loc[("A", "2020"), "occupied_change"] is pd.NA
    assert out.loc[("C", "2020"), "occupied_change"] == 0
    assert out.loc[("A", "2020"), "suppressed"] == "occupied_change"
    assert (
        out.loc[("A", "2019"), "suppressed"]
        == "occupied,occupied_per_100,occupied_change"
    )
    # units are public
    assert out["units"].notna().all()


def test_first_period_change_cannot_reveal_a_small_previous_stock():
    t = pd.DataFrame(
        {
            "district_id": ["A", "B", "C"],
            "parent_id": "P",
            "period": "2014",
            "occupied": [10, 20, 30],
            "occupied_change": [7, 0, 0],  # previous stocks: 3, 20, 30
        }
    )
    out = suppress(t, threshold=5)
    assert out["occupied"].notna().all()
    # 3 would be 10 - 7; its complement (the smallest other previous stock, B)
    assert out["occupied_change"].isna().tolist() == [True, True, False]


def test_suppressed_cells_are_na_never_zero_and_dtype_kept():
    t = table({"P": [1, 1, 1, 50]})
    out = suppress(t, threshold=5)
    assert str(out["occupied"].dtype) == "Int64"
    assert out["occupied"].isna().sum() == 3
    assert (out["occupied"].fillna(-1) != 0).all()
    assert out.attrs["suppressed"] is True
    assert out.attrs["threshold"] == 5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"threshold": 0}, "threshold"), ({"columns": ("nothing",)}, "count columns")],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        suppress(table({"P": [1, 2]}), **kwargs)


def test_negative_counts_refused():
    with pytest.raises(ValidationError, match="non-negative"):
        suppress(table({"P": [-1, 2]}), threshold=5)


# --------------------------------------------------------------------------
# audit: no suppressed value recoverable from what is shown


def audit(values: list[list[int]], threshold: int) -> None:
    """Check with linear programming that each hidden number keeps a range >= 1.

    Unknowns: hidden cells, hidden parent totals, hidden grand total; known:
    shown cells and totals; equations: each parent total = sum of its cells,
    grand total = sum of parent totals; all unknowns >= 0.
    """
    t = table({f"P{i}": v for i, v in enumerate(values)})
    out = suppress(t, threshold=threshold, totals=True)
    cells = out[out["row_type"] == "district"].reset_index(drop=True)
    parents = out[out["row_type"] == "parent"].set_index("district_id")["occupied"]
    grand = out[out["row_type"] == "total"]["occupied"].iloc[0]
    # nothing small is shown
    for v in [
        *cells["occupied"].dropna(),
        *parents.dropna(),
        *([grand] if pd.notna(grand) else []),
    ]:
        assert not (1 <= int(v) < threshold)
    names: list[str] = []
    index: dict[str, int] = {}

    def var(name: str) -> int:
        if name not in index:
            index[name] = len(names)
            names.append(name)
        return index[name]

    equations: list[tuple[dict[int, float], float]] = []
    for i in range(len(values)):
        p = f"P{i}"
        coeffs: dict[int, float] = {}
        rhs = 0.0
        sub = cells[cells["parent_id"] == p]
        for did, v in zip(sub["district_id"], sub["occupied"], strict=True):
            if pd.isna(v):
                coeffs[var(did)] = coeffs.get(var(did), 0) + 1.0
            else:
                rhs -= int(v)
        if pd.isna(parents[p]):
            coeffs[var(p)] = -1.0
        else:
            rhs += int(parents[p])
        equations.append((coeffs, rhs))
    coeffs = {}
    rhs = 0.0
    for i in range(len(values)):
        p = f"P{i}"
        if pd.isna(parents[p]):
            coeffs[var(p)] = 1.0
        else:
            rhs -= int(parents[p])
    if pd.isna(grand):
        coeffs[var("G")] = -1.0
    else:
        rhs += int(grand)
    equations.append((coeffs, rhs))
    if not names:
        return
    a_eq = np.zeros((len(equations), len(names)))
    b_eq = np.zeros(len(equations))
    for r, (cf, rh) in enumerate(equations):
        for j, c in cf.items():
            a_eq[r, j] = c
        b_eq[r] = rh
    for j, name in enumerate(names):
        c = np.zeros(len(names))
        c[j] = 1.0
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert lo.status == 0, (values, name)
        top = np.inf if hi.status == 3 else -hi.fun
        assert top - lo.fun >= 1 - 1e-7, (values, name, lo.fun, top)


def test_audit_of_the_hand_made_cases():
    audit([[3], [10, 20, 30]], 5)
    audit([[1, 2, 0], [10, 20, 30], [8, 9]], 5)
    audit([[0, 3, 0], [7]], 5)


small_counts = st.integers(min_value=0, max_value=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(
        st.lists(small_counts, min_size=1, max_size=5), min_size=1, max_size=4
    ),
    threshold=st.integers(min_value=2, max_value=6),
)
def test_no_suppressed_value_is_recoverable(values, threshold):
    audit(values, threshold)


def test_protect_is_deterministic_and_order_based():
    v = np.array([5, 3, 5, 20])
    g = np.zeros(4, dtype=int)
    cells, parents, grand = protect(v, g, threshold=5)
    # ties broken by position: the first 5 is the complement
    assert cells.tolist() == [True, True, False, False]
    assert parents.tolist() == [False]
    assert grand is False


def test_districts_without_parents_get_only_a_grand_total():
    t = table({"P": [3, 8, 20]}).drop(columns="parent_id")
    out = suppress(t, threshold=5, totals=True)
    assert out["row_type"].tolist() == ["district"] * 3 + ["total"]
    assert shown(out) == [None, None, 20, 31]
