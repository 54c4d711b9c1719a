"""End-to-end: the whole ``geo-alloggi run`` against a hand-written baseline.

Inputs (SYNTHETIC, seeded): the estates of :func:`geo_alloggi.synthetic.make_demo`
(real current civic points of the official ds634 release, real addresses,
known positions) and record files written the way offices write them
(``;``, cp1252, Italian headers, dd/mm/yyyy), whose rows carry **no estate
id**, only an address: the estate's official spelling for 40 % of the rows,
else one of five messy spellings of it
(:func:`geo_alloggi.address.messy_address`: abbreviations, dropped first
names, typos, case, comune and postcode written in varied forms). ``n``
occupations (resampled from the demo's, dates and all, spread over all the
units of their estate) plus ``n / 10`` evictions and ``n / 10`` vacancies.

Both sides run in a fresh interpreter (``subprocess``), timed per stage by the
child, wall time and peak resident memory (``ru_maxrss``) by the parent. In
full mode the two sides run :data:`ROUNDS` times, alternated, and each side's
fastest round is reported (the one least disturbed by the machine's other
work: on a shared 2-CPU machine one run's wall time varies by 15 % or more);
the note gives every round's times and the median and worst of the per-round
ratios. After
its work each side writes the positions it gave every record, for the scoring
below; that file is bookkeeping of the benchmark, not work of either side, so
its writing time (wall and CPU, measured by the child) is taken out of both
sides' totals (ours writes 1.2M rows there, the baseline the rows it placed):

* **ours**: ``geo-alloggi run`` on a ``run.toml`` (the console script's
  entry point, called in the child; progress to stderr): reading and validating,
  geocoding and linking by address, overlay, hot spots, emerging hot spots,
  density, priorities, renovation plan, back-test, and the meeting bundle
  (offline HTML map, PNG and PDF map, CSV and XLSX tables, GeoPackage,
  summary, manifest);
* **baseline**, hand-written: ``pandas.read_csv`` of the three files, an
  exact (case-insensitive) address merge on the official ds634 points read
  from the mirror, ``geopandas.sjoin`` on the NIL, ``groupby`` counts per NIL
  and year, ``esda.G_Local(star=True)`` on the last year, a ``folium``
  choropleth saved as HTML.

Both report the share of records placed within 30 m of their true estate;
ours also the share of the records the baseline places that it places within
30 m of the same point. Targets: ours at most 1.5x the baseline's time, and at
least 95 % of what the baseline places placed there too.

Run: ``python benchmarks/run.py --only end_to_end [--quick]``; quick mode
50,000 occupations, full mode 1,000,000.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import single

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

_DEFAULT_MIRROR = REPO.parent / "shared" / "data" / "raw"
if not os.environ.get("GEO_ALLOGGI_DATA_MIRROR") and _DEFAULT_MIRROR.is_dir():
    os.environ["GEO_ALLOGGI_DATA_MIRROR"] = str(_DEFAULT_MIRROR)

LABEL = "SYNTHETIC"
#: Rounds of both sides, alternated, in full mode (quick mode: one).
ROUNDS = 3
OFFICIAL_SHARE = 0.4
SPELLINGS = 5
WITHIN_M = 30.0

# ---------------------------------------------------------------------------
# inputs


def make_inputs(folder: Path, n: int, *, seed: int = 0) -> dict[str, Any]:
    """Write estates, occupations, evictions, vacancies and ``run.toml``.

    Returns the truth: record id -> true estate id, per kind, and the estates'
    positions.
    """
    import warnings

    from geo_alloggi.address import messy_address
    from geo_alloggi.synthetic import make_demo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        demo = make_demo(seed=seed, messy=False)
    est = demo.estates.reset_index(drop=True)
    rng = np.random.default_rng(seed)
    # the spellings of each estate's address: the official one, then messy ones
    names = np.empty((len(est), 1 + SPELLINGS), dtype=object)
    names[:, 0] = est["address"].to_numpy()
    from geo_alloggi.geocoding import reference_tables

    pts = reference_tables()[0]
    pts = pts[(pts["status"] == 2) & (pts["source"] == "ds634")]
    parts = pts.drop_duplicates(["lon", "lat"]).set_index(["lon", "lat"])
    for i, row in est.iterrows():
        key = (row["lon"], row["lat"])
        if key in parts.index:
            p = parts.loc[key]
            t, s, h = p["street_type"], p["street_name"], p["housenumber"]
        else:  # Cinisello Balsamo: no official points; split the written address
            *words, h = str(row["address"]).split()
            t, s = words[0], " ".join(words[1:])
        for j in range(SPELLINGS):
            names[i, 1 + j] = messy_address(t, s, h, rng=rng, comune=str(row["comune"]))
    estate_row = pd.Series(np.arange(len(est)), index=est["estate_id"].to_numpy())

    def spell(estate_ids: np.ndarray) -> np.ndarray:
        rows = estate_row[estate_ids].to_numpy()
        which = np.where(
            rng.random(len(rows)) < OFFICIAL_SHARE,
            0,
            rng.integers(1, 1 + SPELLINGS, len(rows)),
        )
        return names[rows, which]

    units = est.set_index("estate_id")["units"]

    def unit(estate_ids: np.ndarray) -> np.ndarray:
        # resampled records spread over all the units of their estate
        k = (rng.random(len(estate_ids)) * units[estate_ids].to_numpy()).astype(int)
        return np.char.add(
            np.char.add(estate_ids.astype(str), "-U"), np.char.zfill(k.astype(str), 4)
        )

    def day(s: pd.Series) -> pd.Series:
        return pd.to_datetime(s).dt.strftime("%d/%m/%Y").fillna("")

    truth: dict[str, Any] = {"estates": est[["estate_id", "lon", "lat"]]}
    comune = est.set_index("estate_id")["comune"]

    occ = demo.occupations.sample(n, replace=True, random_state=seed)
    occ_ids = np.char.add("OCC", np.arange(n).astype(str))
    pd.DataFrame(
        {
            "id_verbale": occ_ids,
            "indirizzo": spell(occ["estate_id"].to_numpy()),
            "comune": comune[occ["estate_id"]].to_numpy(),
            "codice_alloggio": unit(occ["estate_id"].to_numpy()),
            "data_rilevazione": day(occ["detected_on"]).to_numpy(),
            "data_liberazione": day(occ["ended_on"]).to_numpy(),
            "stato": occ["status"].map({"ongoing": "in corso", "ended": "liberato"}),
            "fonte": LABEL,
        }
    ).to_csv(folder / "occupazioni.csv", sep=";", index=False, encoding="cp1252")
    truth["occupations"] = pd.Series(occ["estate_id"].to_numpy(), index=occ_ids)

    m = max(n // 10, 1)
    ev = demo.evictions.sample(m, replace=True, random_state=seed + 1)
    ev_ids = np.char.add("SGO", np.arange(m).astype(str))
    pd.DataFrame(
        {
            "id_sgombero": ev_ids,
            "indirizzo": spell(ev["estate_id"].to_numpy()),
            "comune": comune[ev["estate_id"]].to_numpy(),
            "codice_alloggio": unit(ev["estate_id"].to_numpy()),
            "data_sgombero": day(ev["date"]).to_numpy(),
            "esito": ev["outcome"]
            .map(
                {
                    "executed": "eseguito",
                    "scheduled": "programmato",
                    "postponed": "rinviato",
                    "failed": "fallito",
                }
            )
            .to_numpy(),
            "nucleo_fragile": np.where(ev["vulnerable"].to_numpy(bool), "sì", "no"),
            "fonte": LABEL,
        }
    ).to_csv(folder / "sgomberi.csv", sep=";", index=False, encoding="cp1252")
    truth["evictions"] = pd.Series(ev["estate_id"].to_numpy(), index=ev_ids)

    vac = demo.vacancies.sample(m, replace=True, random_state=seed + 2)
    vac_ids = np.char.add("SFI", np.arange(m).astype(str))
    pd.DataFrame(
        {
            "id_sfitto": vac_ids,
            "indirizzo": spell(vac["estate_id"].to_numpy()),
            "comune": comune[vac["estate_id"]].to_numpy(),
            "codice_alloggio": unit(vac["estate_id"].to_numpy()),
            "sfitto_dal": day(vac["since"]).to_numpy(),
            "data_fine": day(vac["ended_on"]).to_numpy(),
            "motivo": vac["reason"].to_numpy(),
            "costo_stimato": vac["renovation_cost_eur"].to_numpy(),
            "fonte": LABEL,
        }
    ).to_csv(
        folder / "sfitti.csv", sep=";", decimal=",", index=False, encoding="cp1252"
    )
    truth["vacancies"] = pd.Series(vac["estate_id"].to_numpy(), index=vac_ids)

    est.drop(columns="geometry").rename(
        columns={
            "estate_id": "codice_stabile",
            "name": "nome_stabile",
            "address": "indirizzo",
            "owner": "ente_gestore",
            "units": "alloggi",
            "lon": "longitudine",
            "lat": "latitudine",
            "source": "fonte",
        }
    )[
        [
            "codice_stabile",
            "nome_stabile",
            "indirizzo",
            "comune",
            "ente_gestore",
            "alloggi",
            "longitudine",
            "latitudine",
            "fonte",
        ]
    ].to_csv(
        folder / "stabili.csv", sep=";", decimal=",", index=False, encoding="cp1252"
    )
    (folder / "run.toml").write_text(
        "[records]\n"
        "synthetic = true\n"
        'estates = "stabili.csv"\n'
        'occupations = "occupazioni.csv"\n'
        'evictions = "sgomberi.csv"\n'
        'vacancies = "sfitti.csv"\n'
        "[records.columns.occupations]\n"
        '"id_verbale" = "record_id"\n'
        "[records.columns.evictions]\n"
        '"id_sgombero" = "record_id"\n'
        "[records.columns.vacancies]\n"
        '"id_sfitto" = "record_id"\n'
        "[analysis]\n"
        'period = "year"\n'
        "seed = 0\n",
        encoding="utf-8",
    )
    truth["distinct_spellings"] = len(pd.unique(names.ravel()))
    return truth


# ---------------------------------------------------------------------------
# the two sides, each in its own interpreter


def _ours(folder: Path) -> dict[str, Any]:
    """Run ``geo-alloggi run`` (its entry point, here); stage times and links."""
    t0, c0 = time.perf_counter(), time.process_time()
    import geo_alloggi.linking as linking
    import geo_alloggi.pipeline as pipeline
    import geo_alloggi.pipeline._run as run_module
    from geo_alloggi.cli import main

    stages: list[tuple[str, float, float]] = [("import", t0, c0)]
    links: list[pd.DataFrame] = []
    files: list[Path] = []
    link_records = linking.link_records

    def keep_links(table: pd.DataFrame, *args: Any, **kwds: Any) -> Any:
        res = link_records(table, *args, **kwds)
        links.append(res.records[["record_id", "estate_id", "link_method"]].copy())
        return res

    write_bundle = run_module.write_bundle

    def timed_bundle(*args: Any, **kwds: Any) -> Any:
        stages.append(
            (
                "meeting bundle (HTML, PNG, PDF, CSV, XLSX, GPKG)",
                time.perf_counter(),
                time.process_time(),
            )
        )
        return write_bundle(*args, **kwds)

    run_pipeline = pipeline.run

    def timed_run(*args: Any, on_step: Any = None, **kwds: Any) -> Any:
        def both(name: str, i: int, n: int) -> None:
            stages.append((name, time.perf_counter(), time.process_time()))
            if on_step is not None:
                on_step(name, i, n)

        files.extend(run_pipeline(*args, on_step=both, **kwds))
        return files

    linking.link_records = keep_links  # type: ignore[assignment]
    run_module.write_bundle = timed_bundle  # type: ignore[assignment]
    pipeline.run = timed_run  # type: ignore[assignment]
    sys.argv = ["geo-alloggi", "run", str(folder / "run.toml")]
    sys.argv += ["--out-dir", str(folder / "out")]
    try:
        main()  # as the console script: progress on stderr, its ending
    except SystemExit as exc:
        if exc.code:
            raise
    stages.append(("end", time.perf_counter(), time.process_time()))
    return {
        "stages": _durations(stages),
        "stages_cpu": _durations(stages, cpu=True),
        **_score_file(pd.concat(links), folder / "ours_links.csv"),
        "files": sorted(str(p.relative_to(folder / "out")) for p in files),
    }


def _baseline(folder: Path) -> dict[str, Any]:
    """The hand-written analysis: read_csv, exact merge, sjoin, groupby, Gi*, folium."""
    t0, c0 = time.perf_counter(), time.process_time()
    import zipfile

    import esda
    import folium
    import geopandas as gpd
    from libpysal.weights import Queen

    mirror = Path(os.environ["GEO_ALLOGGI_DATA_MIRROR"])
    stages: list[tuple[str, float, float]] = [("import", t0, c0)]

    def mark(name: str) -> None:
        stages.append((name, time.perf_counter(), time.process_time()))

    mark("read_csv (3 files)")
    kw = {"sep": ";", "encoding": "cp1252", "dtype": str}
    occ = pd.read_csv(folder / "occupazioni.csv", **kw)
    ev = pd.read_csv(folder / "sgomberi.csv", **kw)
    vac = pd.read_csv(folder / "sfitti.csv", **kw)
    mark("read official points (ds634)")

    with zipfile.ZipFile(mirror / "milano_civici_ds634_20200302.zip") as z:
        civ = pd.read_csv(
            z.open("CIVICI_20200302.CSV"),
            sep=";",
            decimal=",",
            usecols=[
                "CODICE_VIA",
                "NUMEROCOMPLETO",
                "STATOCIVICO",
                "LONG_WGS84",
                "LAT_WGS84",
            ],
            dtype={"NUMEROCOMPLETO": str},
        )
        via = pd.read_csv(z.open("VIARIO_20200302.CSV"), sep=";", encoding="latin-1")
        tipo = pd.read_csv(z.open("TIPOVIA.CSV"), sep=";", encoding="latin-1")
    civ = civ[civ["STATOCIVICO"] == 2]
    via = via.merge(tipo, left_on="TIPO", right_on="CODICE", how="left")
    civ = civ.merge(via[["CODICE_VIA", "DESC_ESTESA", "DESCRITTIVO"]], on="CODICE_VIA")
    civ["key"] = (
        (
            civ["DESC_ESTESA"].fillna("")
            + " "
            + civ["DESCRITTIVO"]
            + " "
            + civ["NUMEROCOMPLETO"]
        )
        .str.upper()
        .str.strip()
    )
    civ = civ.drop_duplicates("key")[["key", "LONG_WGS84", "LAT_WGS84"]]
    mark("exact address merge")

    placed = {}
    for name, t in (("occupations", occ), ("evictions", ev), ("vacancies", vac)):
        t["key"] = t["indirizzo"].str.upper().str.strip()
        placed[name] = t.merge(civ, on="key", how="inner")
    mark("sjoin on the NIL")

    nil = gpd.read_file(mirror / "milano_nil_pgt2030_wgs84.geojson")[
        ["ID_NIL", "NIL", "geometry"]
    ]
    joined = {}
    for name, t in placed.items():
        g = gpd.GeoDataFrame(
            t,
            geometry=gpd.points_from_xy(t["LONG_WGS84"], t["LAT_WGS84"]),
            crs="EPSG:4326",
        )
        joined[name] = gpd.sjoin(g, nil, predicate="within")
    mark("groupby per NIL and year")

    o = joined["occupations"]
    detected = pd.to_datetime(o["data_rilevazione"], format="%d/%m/%Y")
    ended = pd.to_datetime(o["data_liberazione"], format="%d/%m/%Y")
    year_end = pd.Timestamp(f"{detected.dt.year.max()}-12-31")
    new = o.groupby(["ID_NIL", detected.dt.year]).size()
    occupied = o[(detected <= year_end) & ~(ended <= year_end)].groupby("ID_NIL").size()
    e = joined["evictions"]
    ev_year = pd.to_datetime(e["data_sgombero"], format="%d/%m/%Y").dt.year
    evicted = e[e["esito"] == "eseguito"].groupby(["ID_NIL", ev_year]).size()
    vacant = joined["vacancies"].groupby("ID_NIL").size()
    latest = nil.assign(occupied=nil["ID_NIL"].map(occupied).fillna(0))
    mark("esda Gi* (999 permutations)")

    w = Queen.from_dataframe(latest, use_index=False)
    w.transform = "r"
    gi = esda.G_Local(
        latest["occupied"].to_numpy(float),
        w,
        star=True,
        permutations=999,
        seed=0,
        n_jobs=1,  # as ours; the default forks workers on the shared cores
    )
    latest["gi_z"] = gi.Zs
    mark("folium map")

    m = folium.Map(location=[45.46, 9.19], zoom_start=11)
    folium.Choropleth(
        latest.to_json(),
        data=latest,
        columns=["ID_NIL", "occupied"],
        key_on="feature.properties.ID_NIL",
        fill_color="YlOrRd",
        legend_name="occupati (SYNTHETIC)",
    ).add_to(m)
    out = folder / "baseline"
    out.mkdir(exist_ok=True)
    m.save(out / "map.html")
    mark("end")
    points = pd.concat(
        [
            t[
                [
                    *[c for c in t.columns if c.startswith("id_")][:1],
                    "LONG_WGS84",
                    "LAT_WGS84",
                ]
            ].set_axis(["record_id", "lon", "lat"], axis=1)
            for t in placed.values()
        ]
    )
    return {
        "stages": _durations(stages),
        "stages_cpu": _durations(stages, cpu=True),
        **_score_file(points, folder / "baseline_points.csv"),
        "counts": {
            "new": int(new.sum()),
            "evicted": int(evicted.sum()),
            "vacant": int(vacant.sum()),
        },
    }


def _score_file(frame: pd.DataFrame, path: Path) -> dict[str, float]:
    """Write the positions scored below; the seconds it took, wall and CPU."""
    t0, c0 = time.perf_counter(), time.process_time()
    frame.to_csv(path, index=False)
    return {
        "score_file_seconds": time.perf_counter() - t0,
        "score_file_cpu": time.process_time() - c0,
    }


def _durations(
    stages: list[tuple[str, float, float]], *, cpu: bool = False
) -> dict[str, float]:
    """Seconds (wall, or CPU) spent in each stage: to the next one ("end" last)."""
    k = 2 if cpu else 1
    return {a[0]: round(b[k] - a[k], 3) for a, b in itertools.pairwise(stages)}


def _child(side: str, folder: Path) -> tuple[dict[str, Any], float, float]:
    """Run one side in a fresh interpreter; its report, wall time, peak RSS (MiB)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), side, str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"{side} failed:\n{err[-3000:]}")
    report = json.loads(out.strip().splitlines()[-1])
    # the scoring file is the benchmark's bookkeeping, not the side's work
    wall -= report["score_file_seconds"]
    return report, wall, report.get("maxrss_mib", float("nan"))


# ---------------------------------------------------------------------------
# scoring


def _metres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True)
    return t.transform(lon, lat)


def score(folder: Path, truth: dict[str, Any]) -> dict[str, float]:
    """Shares of records placed within 30 m of their true estate, both sides."""
    est = truth["estates"].set_index("estate_id")
    true_id = pd.concat([truth[k] for k in ("occupations", "evictions", "vacancies")])
    tx, ty = _metres(
        est.loc[true_id.to_numpy(), "lon"].to_numpy(float),
        est.loc[true_id.to_numpy(), "lat"].to_numpy(float),
    )
    true_xy = pd.DataFrame({"x": tx, "y": ty}, index=true_id.index)
    n = len(true_id)

    ours = pd.read_csv(folder / "ours_links.csv", dtype=str).set_index("record_id")
    ours = ours[ours["link_method"] != "unlinked"]
    pos = est.reindex(ours["estate_id"].to_numpy())
    ox, oy = _metres(pos["lon"].to_numpy(float), pos["lat"].to_numpy(float))
    ours_xy = pd.DataFrame({"x": ox, "y": oy}, index=ours.index)

    base = pd.read_csv(folder / "baseline_points.csv", dtype={"record_id": str})
    base = base.drop_duplicates("record_id").set_index("record_id")
    bx, by = _metres(base["lon"].to_numpy(float), base["lat"].to_numpy(float))
    base_xy = pd.DataFrame({"x": bx, "y": by}, index=base.index)

    def within(a: pd.DataFrame, b: pd.DataFrame) -> pd.Series:
        b = b.reindex(a.index)
        return np.hypot(a["x"] - b["x"], a["y"] - b["y"]) <= WITHIN_M

    ours_ok = within(ours_xy, true_xy)
    base_ok = within(base_xy, true_xy)
    agree = within(base_xy, ours_xy.reindex(base_xy.index))
    return {
        "records": n,
        "ours_within_30m_pct": 100 * float(ours_ok.sum()) / n,
        "baseline_within_30m_pct": 100 * float(base_ok.sum()) / n,
        "baseline_placed_pct": 100 * len(base_xy) / n,
        "ours_where_baseline_places_pct": 100 * float(agree.mean())
        if len(agree)
        else float("nan"),
    }


# ---------------------------------------------------------------------------


def run(quick: bool) -> list[dict]:
    n = 50_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="bench_e2e_") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        truth = make_inputs(folder, n)
        made = time.perf_counter() - t0
        load0 = os.getloadavg()
        rounds = []
        for _ in range(1 if quick else ROUNDS):
            rounds.append((_child("ours", folder), _child("baseline", folder)))
        load1 = os.getloadavg()
        scores = score(folder, truth)
    # each side's fastest round: the least disturbed by the machine's other work
    ours, ours_wall, ours_rss = min((r[0] for r in rounds), key=lambda c: c[1])
    base, base_wall, base_rss = min((r[1] for r in rounds), key=lambda c: c[1])
    ratios = [o[1] / b[1] for o, b in rounds]
    records = scores["records"]
    note = (
        f"{LABEL}; {n:,} occupations + {n // 10:,} evictions + {n // 10:,} vacancies, "
        f"address only ({OFFICIAL_SHARE:.0%} official spelling, "
        f"{truth['distinct_spellings']:,} distinct spellings); fresh interpreters; "
        f"best of {len(rounds)} alternated rounds per side (ours "
        + ", ".join(f"{o[1]:.1f}" for o, _ in rounds)
        + " s; baseline "
        + ", ".join(f"{b[1]:.1f}" for _, b in rounds)
        + f" s; ratio per round median {float(np.median(ratios)):.2f}, "
        f"worst {max(ratios):.2f}); "
        f"load average {load0[0]:.1f} -> {load1[0]:.1f}; writing the scoring file "
        f"({ours['score_file_seconds']:.1f} s ours, {base['score_file_seconds']:.1f} s "
        "baseline) not counted; target <= 1.5x"
    )
    row = {
        "step": "end-to-end: geo-alloggi run (bundle with PNG, PDF, XLSX)",
        "n": records,
        "seconds": ours_wall,
        "peak_mib": ours_rss,
        "baseline": "read_csv + exact merge on ds634 + sjoin + groupby + esda Gi* "
        "+ folium",
        "baseline_seconds": base_wall,
        "baseline_peak_mib": base_rss,
        "time_ratio": ours_wall / base_wall,
        "cpu_seconds": ours["cpu_seconds"],
        "baseline_cpu_seconds": base["cpu_seconds"],
        "cpu_ratio": ours["cpu_seconds"] / base["cpu_seconds"],
        "memory_ratio": ours_rss / base_rss,
        "note": note + " (peak = resident set, MiB)",
        "stages": ours["stages"],
        "baseline_stages": base["stages"],
        "files": ours["files"],
        "inputs_seconds": made,
        "score_file_seconds": ours["score_file_seconds"],
        "baseline_score_file_seconds": base["score_file_seconds"],
        **scores,
    }
    rows = [row]
    for key, label in (
        ("ours_within_30m_pct", "end-to-end: ours, records within 30 m of true estate"),
        (
            "baseline_within_30m_pct",
            "end-to-end: baseline, records within 30 m of true estate",
        ),
        (
            "ours_where_baseline_places_pct",
            "end-to-end: of what the baseline places, ours within 30 m of it",
        ),
    ):
        rows.append(
            single(
                label,
                scores[key],
                "%",
                n=records,
                note="target >= 95%" if key == "ours_where_baseline_places_pct" else "",
            )
        )
    for side, report in (("ours", ours), ("baseline", base)):
        for name, secs in report["stages"].items():
            cpu = report["stages_cpu"][name]
            rows.append(
                single(
                    f"end-to-end stage ({side}): {name}",
                    secs,
                    "s",
                    n=records,
                    note=f"CPU {cpu:.2f} s",
                    cpu_seconds=cpu,
                )
            )
    return rows


def _main_child(side: str, folder: Path) -> None:
    import resource

    report = (_ours if side == "ours" else _baseline)(folder)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report["maxrss_mib"] = usage.ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    report["cpu_seconds"] = (
        usage.ru_utime
        + usage.ru_stime
        + children.ru_utime
        + children.ru_stime
        - report["score_file_cpu"]
    )
    print(json.dumps(report))


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) == 3 and sys.argv[1] in ("ours", "baseline"):
        _main_child(sys.argv[1], Path(sys.argv[2]))
    else:
        for r in run(quick="--full" not in sys.argv):
            print(r)
