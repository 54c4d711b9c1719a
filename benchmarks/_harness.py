"""Measuring helpers shared by every ``benchmarks/bench_*.py`` module.

A benchmark module defines ``run(quick: bool) -> list[dict]``; each dict is one
row made by :func:`compare` (ours against a baseline run in the same process,
in the same run) or :func:`single` (a figure with no baseline, e.g. a load
time or an accuracy), so the harness can print ratios side by side.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def measure(fn: Callable[[], Any], *, repeat: int = 1) -> tuple[float, float, Any]:
    """Best wall time over ``repeat`` runs, and peak Python memory (MiB) of one run.

    Time is measured without tracemalloc (it slows code down); memory is the
    peak traced allocation of a separate single run.
    """
    best = float("inf")
    result: Any = None
    for _ in range(max(1, repeat)):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return best, peak / 2**20, result


def compare(
    step: str,
    ours: Callable[[], Any],
    baseline: Callable[[], Any],
    *,
    baseline_name: str,
    n: int,
    repeat: int = 1,
    note: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """Run ``ours`` and ``baseline`` on the same data; return one result row."""
    t, m, _ = measure(ours, repeat=repeat)
    bt, bm, _ = measure(baseline, repeat=repeat)
    return {
        "step": step,
        "n": n,
        "seconds": t,
        "peak_mib": m,
        "baseline": baseline_name,
        "baseline_seconds": bt,
        "baseline_peak_mib": bm,
        "time_ratio": t / bt if bt > 0 else None,
        "memory_ratio": m / bm if bm > 0 else None,
        "note": note,
        **extra,
    }


def single(
    step: str, value: float, unit: str, *, n: int = 0, note: str = "", **extra: Any
) -> dict[str, Any]:
    """A figure without a timed baseline (accuracy, size, load time...)."""
    return {"step": step, "n": n, "value": value, "unit": unit, "note": note, **extra}
