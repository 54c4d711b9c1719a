"""Run every benchmark side by side with its baseline; write JSON and a markdown table.

Usage::

    python benchmarks/run.py --quick            # about 4 minutes on 2 CPUs
    python benchmarks/run.py                    # full sizes
    python benchmarks/run.py --only geocoding   # one module

Each ``benchmarks/bench_<topic>.py`` defines ``run(quick: bool) -> list[dict]``
(rows made with ``benchmarks/_harness.py``). Results go to
``benchmarks/results/latest.json`` and ``benchmarks/results/latest.md``
(``--out`` to change the folder), with the machine they ran on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

DEFAULT_MIRROR = HERE.parent.parent / "shared" / "data" / "raw"


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    import numpy
    import pandas

    import geo_alloggi

    mem_gib = None
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
        mem_gib = round(kib / 2**20, 1)
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gib": mem_gib,
        "geo_alloggi": geo_alloggi.__version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def _fmt(value: object, digits: int = 3) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def markdown(results: list[dict], info: dict[str, object]) -> str:
    """Two tables: timed comparisons (with ratios) and single figures."""
    lines = [
        f"Measured {info['date']} on {info['cpus']} CPUs, {info['memory_gib']} GiB, "
        f"Python {info['python']} ({info['platform']}); load average (1, 5, 15 "
        f"min) {info.get('load_average_start', '')} at the start, "
        f"{info.get('load_average', '')} at the end.",
        "",
        "| module | step | n | ours (s) | baseline | baseline (s) | time ratio | "
        "CPU ratio | ours peak MiB | baseline peak MiB |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "baseline" in r:
            lines.append(
                f"| {r['module']} | {r['step']} | {r['n']:,} | {_fmt(r['seconds'])} | "
                f"{r['baseline']} | {_fmt(r['baseline_seconds'])} | "
                f"{_fmt(r['time_ratio'])} | {_fmt(r.get('cpu_ratio'))} | "
                f"{_fmt(r['peak_mib'])} | "
                f"{_fmt(r['baseline_peak_mib'])} |"
            )
    singles = [r for r in results if "value" in r]
    if singles:
        lines += [
            "",
            "| module | figure | value | unit | note |",
            "|---|---|---:|---|---|",
        ]
        for r in singles:
            lines.append(
                f"| {r['module']} | {r['step']} | {_fmt(r['value'], 4)} "
                f"| {r['unit']} | {r.get('note', '')} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, about 4 minutes"
    )
    parser.add_argument("--only", action="append", help="run only these modules")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)

    if not os.environ.get("GEO_ALLOGGI_DATA_MIRROR") and DEFAULT_MIRROR.is_dir():
        os.environ["GEO_ALLOGGI_DATA_MIRROR"] = str(DEFAULT_MIRROR)

    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.only:
        modules = [m for m in modules if m.removeprefix("bench_") in args.only]
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    results: list[dict] = []
    failures = 0
    for name in modules:
        t0 = time.perf_counter()
        print(f"[{name}] running ({'quick' if args.quick else 'full'}) ...", flush=True)
        try:
            rows = importlib.import_module(name).run(quick=args.quick)
        except Exception:
            failures += 1
            traceback.print_exc()
            continue
        for row in rows:
            results.append({"module": name.removeprefix("bench_"), **row})
        print(f"[{name}] done in {time.perf_counter() - t0:.1f} s", flush=True)

    info = machine()
    info["load_average_start"] = load_start
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {"machine": info, "quick": args.quick, "results": results}
    (args.out / "latest.json").write_text(json.dumps(payload, indent=2, default=str))
    table = markdown(results, info)
    (args.out / "latest.md").write_text(table)
    print()
    print(table)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
