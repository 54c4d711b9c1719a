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

#: Best CPU time (s) of the last :func:`measure` call.
last_cpu_seconds = float("nan")


def peak_mib(fn: Callable[[], Any]) -> float:
    """Peak traced Python allocation (MiB) of one run of ``fn``."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def measure(fn: Callable[[], Any], *, repeat: int = 1) -> tuple[float, float, Any]:
    """Best wall time over ``repeat`` runs, and peak Python memory (MiB) of one run.

    Time is measured without tracemalloc (it slows code down); memory is the
    peak traced allocation of a separate single run. The best CPU time of the
    process over the same runs is kept in :data:`last_cpu_seconds` (steadier
    than wall time on a shared machine).
    """
    global last_cpu_seconds
    best = float("inf")
    best_cpu = float("inf")
    result: Any = None
    for _ in range(max(1, repeat)):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    last_cpu_seconds = best_cpu
    return best, peak_mib(fn), result


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
    """Run ``ours`` and ``baseline`` on the same data; return one result row.

    The ``repeat`` timed runs alternate (ours, baseline, ours, ...) so that a
    slow spell of a shared machine falls on both sides; each side's best wall
    and CPU time is kept, and every round's wall times (``rounds``: ours,
    baseline). Memory is measured in one more run of each.
    """
    walls = [float("inf"), float("inf")]
    cpus = [float("inf"), float("inf")]
    rounds = []
    for _ in range(max(1, repeat)):
        this = []
        for side, fn in enumerate((ours, baseline)):
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            this.append(time.perf_counter() - t0)
            walls[side] = min(walls[side], this[-1])
            cpus[side] = min(cpus[side], time.process_time() - c0)
        rounds.append([round(x, 4) for x in this])
    (t, bt), (cpu, bcpu) = walls, cpus
    m, bm = peak_mib(ours), peak_mib(baseline)
    return {
        "step": step,
        "n": n,
        "seconds": t,
        "peak_mib": m,
        "baseline": baseline_name,
        "baseline_seconds": bt,
        "baseline_peak_mib": bm,
        "time_ratio": t / bt if bt > 0 else None,
        "cpu_seconds": cpu,
        "baseline_cpu_seconds": bcpu,
        "cpu_ratio": cpu / bcpu if bcpu > 0 else None,
        "memory_ratio": m / bm if bm > 0 else None,
        "note": note,
        "rounds": rounds,
        **extra,
    }


def single(
    step: str, value: float, unit: str, *, n: int = 0, note: str = "", **extra: Any
) -> dict[str, Any]:
    """A figure without a timed baseline (accuracy, size, load time...)."""
    return {"step": step, "n": n, "value": value, "unit": unit, "note": note, **extra}
