"""Address parsing benchmark: throughput against the parser before issue 11.

The parser runs on the geocoder's hot path (once per distinct address), so
the layouts and comuni it learned in issue 11 must not cost much. Inputs are
official ds634 civic points of the mirror (``GEO_ALLOGGI_DATA_MIRROR``),
written as an office might (:func:`geo_alloggi.address.messy_address`, fixed
seed) and in every layout family of
:func:`geo_alloggi.address.address_in_layout`.

The baseline is ``geo_alloggi/address.py`` as it was at commit
``e80d8102`` (before issue 11), read from the repository's git history; where
git or that commit is missing, only our figures are reported. Besides time,
the share of layout-family addresses each parser reads right (street, number,
esponente and comune as written) is reported: the parse-level part of issue
11's check (the placed rate needs the geocoder, see ``bench_geocoding``).

Run: ``.venv/bin/python benchmarks/bench_address.py [--full]``, or
``bench_address.run(quick=...)`` from ``benchmarks/run.py``.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import compare, single

from geo_alloggi.address import (
    LAYOUT_FAMILIES,
    address_in_layout,
    messy_address,
    normalize_text,
    parse_address,
)

ROOT = Path(__file__).resolve().parents[1]
OLD_COMMIT = "e80d8102d40ecc09b84023b123676c0f2be5345b"
_DEFAULT_MIRROR = ROOT.parent / "shared" / "data" / "raw"
if not os.environ.get("GEO_ALLOGGI_DATA_MIRROR") and _DEFAULT_MIRROR.is_dir():
    os.environ["GEO_ALLOGGI_DATA_MIRROR"] = str(_DEFAULT_MIRROR)


def old_parser() -> ModuleType | None:
    """The address module before issue 11, from git history; None if unavailable."""
    try:
        text = subprocess.run(
            ["git", "show", f"{OLD_COMMIT}:geo_alloggi/address.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "address_before_issue11.py"
        path.write_text(text, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("address_before_issue11", path)
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def reference_points(n: int, seed: int) -> pd.DataFrame:
    """``n`` current ds634 civic points (type, name, number with esponente)."""
    from geo_alloggi.geocoding import reference_tables

    points, _ = reference_tables(street_lists=False)
    cur = points[
        (points["status"] == 2)
        & (points["entrance"] == "")
        & (points["source"] == "ds634")
    ].drop_duplicates(["codice_via", "housenumber"])
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(cur), size=min(n, len(cur)), replace=False)
    return cur.iloc[np.sort(pick)].reset_index(drop=True)


def _expected(housenumber: str) -> tuple[int, str]:
    digits = "".join(ch for ch in housenumber.split("/")[0] if ch.isdigit())
    rest = housenumber[len(digits) :]
    if rest.startswith("/"):
        rest = rest[1:].split("/")[0]
        rest = "".join(ch for ch in rest if ch.isdigit())
    return int(digits), rest.upper()


def read_right(
    parse: Callable[[str], Any], texts: list[str], pts: pd.DataFrame
) -> float:
    """Share (%) of texts whose street, number, esponente and comune read right."""
    ok = 0
    for text, t, name, h in zip(
        texts, pts["street_type"], pts["street_name"], pts["housenumber"], strict=True
    ):
        p = parse(text)
        number, suffix = _expected(str(h))
        comune = str(p.comune).upper()
        ok += (
            p.street_type == str(t).upper()
            and p.street_name == normalize_text(name)
            and p.housenumber == number
            and p.suffix == suffix
            and comune == "MILANO"
        )
    return 100.0 * ok / len(texts)


def interleaved(
    step: str,
    ours: Callable[[], Any],
    baseline: Callable[[], Any],
    *,
    baseline_name: str,
    n: int,
    repeat: int,
) -> dict[str, Any]:
    """Like :func:`_harness.compare`, the two run in turns: best of ``repeat``.

    On a shared machine the load changes between two runs of several seconds
    each; taking turns and the best time of each keeps the ratio honest.
    """
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for k, fn in enumerate((ours, baseline)):
            gc.collect()
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    row = compare(step, ours, baseline, baseline_name=baseline_name, n=n)
    row.update(
        seconds=best[0],
        baseline_seconds=best[1],
        time_ratio=best[0] / best[1],
        note=f"best of {repeat} runs taken in turns",
        addresses_per_s=n / best[0],
        baseline_addresses_per_s=n / best[1],
    )
    return row


def run(quick: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    n = 20000 if quick else 100000
    pts = reference_points(n, seed=11)
    rng = np.random.default_rng(5)
    messy = [
        messy_address(t, name, h, rng=rng, comune="Milano", postcode="20126")
        for t, name, h in zip(
            pts["street_type"], pts["street_name"], pts["housenumber"], strict=True
        )
    ]
    per_family = max(1, len(pts) // len(LAYOUT_FAMILIES))
    families = {
        lay: [
            address_in_layout(t, name, h, "Milano", lay)
            for t, name, h in zip(
                pts["street_type"][:per_family],
                pts["street_name"][:per_family],
                pts["housenumber"][:per_family],
                strict=True,
            )
        ]
        for lay in LAYOUT_FAMILIES
    }
    layouts = [a for texts in families.values() for a in texts]
    old = old_parser()
    repeat = 5
    for step, texts in (
        ("parse messy ds634 addresses", messy),
        ("parse ds634 addresses in every layout family", layouts),
    ):
        if old is not None:
            rows.append(
                interleaved(
                    step,
                    lambda texts=texts: [parse_address(a) for a in texts],
                    lambda texts=texts: [old.parse_address(a) for a in texts],
                    baseline_name=f"parse_address before issue 11 ({OLD_COMMIT[:8]})",
                    n=len(texts),
                    repeat=repeat,
                )
            )
        else:
            from _harness import measure

            seconds, _, _ = measure(
                lambda texts=texts: [parse_address(a) for a in texts]
            )
            rows.append(
                single(
                    f"{step}: throughput",
                    len(texts) / seconds,
                    "addresses/s",
                    n=len(texts),
                    note="no git history: no baseline",
                )
            )
    for lay, texts in families.items():
        if lay == "no_number":
            continue
        sub = pts.iloc[: len(texts)]
        note = ""
        if old is not None:
            note = f"before issue 11: {read_right(old.parse_address, texts, sub):.1f}%"
        rows.append(
            single(
                f"layout {lay}: street, number, comune read right",
                read_right(parse_address, texts, sub),
                "%",
                n=len(texts),
                note=note,
            )
        )
    return rows


if __name__ == "__main__":
    import json

    out = run(quick="--full" not in sys.argv)
    print(json.dumps(out, indent=1, default=str))
