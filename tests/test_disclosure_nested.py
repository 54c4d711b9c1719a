"""Nested suppression: estates published beside a protected district table."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_alloggi.disclosure import suppress, suppress_nested, withheld

T = 5


def _districts(values: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district_id": list(values),
            "period": "2025",
            "parent_id": "P",
            "occupied": list(values.values()),
        }
    )


def test_withheld_reads_na_and_listed_cells():
    prot = suppress(_districts({"A": 3, "B": 8, "C": 20}), threshold=T)
    table = pd.DataFrame({"id": ["C", "A", "B", "X"]})
    flags = withheld(table, prot, key="id", columns={"occupied": "occupied"})
    assert list(flags["occupied"]) == [False, True, True, False]


def test_nested_by_hand():
    """A=3 (primary) and B=8 (its complement) are withheld; C=20 shown."""
    prot = suppress(_districts({"A": 3, "B": 8, "C": 20}), threshold=T)
    est = pd.DataFrame(
        {
            "estate_id": ["a1", "b1", "b2", "c1", "c2", "c3"],
            "district_id": ["A", "B", "B", "C", "C", "C"],
            "occupied": [3, 8, 0, 17, 3, 0],
        }
    )
    out = suppress_nested(
        est,
        prot,
        parent_key="district_id",
        columns={"occupied": "occupied"},
        threshold=T,
    )
    shown = dict(zip(out["estate_id"], out["occupied"], strict=True))
    # a1 small; b1 would rebuild B; c2 small and c1 its complement inside C;
    # zeros stay shown
    assert pd.isna(shown["a1"]) and pd.isna(shown["b1"])
    assert pd.isna(shown["c1"]) and pd.isna(shown["c2"])
    assert shown["b2"] == 0 and shown["c3"] == 0
    assert list(out["suppressed"]) == [
        "occupied",
        "occupied",
        "",
        "occupied",
        "occupied",
        "",
    ]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("ABCD"), st.integers(0, 30)), min_size=1, max_size=25
    )
)
def test_nothing_withheld_can_be_given_back(estates):
    """Shown estates never rebuild a withheld district, nor reveal an estate."""
    est = pd.DataFrame(
        {
            "estate_id": [f"e{i}" for i in range(len(estates))],
            "district_id": [d for d, _ in estates],
            "occupied": [v for _, v in estates],
        }
    )
    sums = est.groupby("district_id")["occupied"].sum()
    prot = suppress(_districts(sums.to_dict()), threshold=T)
    out = suppress_nested(
        est,
        prot,
        parent_key="district_id",
        columns={"occupied": "occupied"},
        threshold=T,
    )
    dist = prot.set_index("district_id")["occupied"]
    for d, part in out.groupby("district_id"):
        hidden = part["occupied"].isna()
        shown = part.loc[~hidden, "occupied"]
        # no small estate shown
        assert not shown.between(1, T - 1).any()
        if pd.isna(dist[d]):
            # a withheld district with something in it keeps a hidden estate
            if sums[d] > 0:
                assert hidden.any()
        else:
            # a shown district never has exactly one hidden estate
            assert hidden.sum() != 1
