"""What ``overlay``, ``validate`` and ``prioritise`` print speaks the user's language.

Italian by default, English with ``--lang en``: counts, progress, warnings
(``avviso:``), the files written. No English operator line and no Python name
reaches an Italian user. The commands run as a user runs them (subprocess) on
small hand-made record files whose counts are known.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

#: Lines the commands printed in English before they spoke the catalogue.
ENGLISH = re.compile(
    r"rows read|quarantined|records linked|linked to an estate|districts x|"
    r"periods \(|written:|files written|suppression at|not counted|loading |"
    r"reading |placing |counting |patrol priority|renovation \(|back-test|"
    r"estates for the id|columns outside|\bwarning\b|SYNTHETIC records|"
    r"\bunits\b|\bestates\b|\boccupations\b|\bevictions\b|\bvacancies\b"
)
#: What would betray Python to a user: tracebacks, warning classes, reprs.
PYTHON = re.compile(r"Traceback|Warning\b|warnings\.warn|<[a-z_.]+ object|\{'|\.py\b")

N_ESTATES = 8
YEARS = (2021, 2022, 2023, 2024)


@pytest.fixture(scope="module")
def record_files(tmp_path_factory) -> dict[str, Path]:
    """Eight estates in Milan, four years of records, one bad and one stray row.

    Occupations: 3 per estate and year (96), plus one row with an impossible
    date and one naming an estate that does not exist (both quarantined when
    the estates file is given). Every file carries a personal-data column
    (``nominativo``), dropped with a warning.
    """
    folder = tmp_path_factory.mktemp("records")
    i = np.arange(N_ESTATES)
    pd.DataFrame(
        {
            "estate_id": [f"E{k}" for k in i],
            "name": [f"Stabile {k}" for k in i],
            "comune": "Milano",
            "owner": "Aler",
            "units": 100,
            "lon": 9.13 + 0.015 * (i % 4),
            "lat": 45.45 + 0.03 * (i // 4),
        }
    ).to_csv(folder / "estates.csv", index=False)
    occ = [
        (f"O{e}-{y}-{k}", f"E{e}", f"U{e}{y}{k}", f"{y}-0{k + 2}-15", "Rossi")
        for e in i
        for y in YEARS
        for k in range(3)
    ]
    occ += [
        ("BAD", "E0", "U0", "2022-02-31", "Bianchi"),
        ("STRAY", "E99", "U1", "2022-05-01", "Verdi"),
    ]
    pd.DataFrame(
        occ, columns=["record_id", "estate_id", "unit_id", "detected_on", "nominativo"]
    ).to_csv(folder / "occupations.csv", index=False)
    pd.DataFrame(
        [
            (f"X{e}", f"E{e}", f"U{e}20210", "2024-06-01", "executed", False, "Neri")
            for e in i
        ],
        columns=[
            "record_id",
            "estate_id",
            "unit_id",
            "date",
            "outcome",
            "vulnerable",
            "nominativo",
        ],
    ).to_csv(folder / "evictions.csv", index=False)
    pd.DataFrame(
        [
            (f"V{e}", f"E{e}", f"W{e}", "2021-02-01", "lack of maintenance", 30000)
            for e in i
        ],
        columns=[
            "record_id",
            "estate_id",
            "unit_id",
            "since",
            "reason",
            "renovation_cost_eur",
        ],
    ).to_csv(folder / "vacancies.csv", index=False)
    kinds = ("estates", "occupations", "evictions", "vacancies")
    return {k: folder / f"{k}.csv" for k in kinds}


def run_cli(*args: str, mirror: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "geo_alloggi", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def said(*args: str | Path, mirror: Path) -> list[str]:
    """Run a command that succeeds; return every non-empty line the user saw."""
    res = run_cli(*map(str, args), mirror=mirror)
    assert res.returncode == 0, res.stderr
    return [ln for ln in (res.stdout + res.stderr).splitlines() if ln.strip()]


def assert_italian(lines: list[str]) -> None:
    # file names and paths are the user's own words
    bare = [re.sub(r"\S*/\S*|\S+\.(?:csv|xlsx|gpkg)\b", "", ln) for ln in lines]
    english = [ln for ln in bare if ENGLISH.search(ln)]
    assert english == []
    python = [ln for ln in lines if PYTHON.search(ln)]
    assert python == []


def test_validate_speaks_italian(record_files, mirror, tmp_path):
    lines = said(
        "validate",
        "occupazioni",
        record_files["occupations"],
        "--estates",
        record_files["estates"],
        "-o",
        tmp_path,
        mirror=mirror,
    )
    n = N_ESTATES * len(YEARS) * 3 + 2
    assert f"stabili per il controllo dei codici: {N_ESTATES}" in lines
    # the stray row names an unknown estate: quarantined by the id check
    assert f"occupazioni: {n} righe lette, {n - 2} accettate, 2 in quarantena" in lines
    assert "motivi più frequenti (come nel file di quarantena):" in lines
    assert "colonne fuori dallo schema, non lette: nominativo" in lines
    assert f"accettate: {tmp_path / 'accepted.csv'}" in lines
    assert f"quarantena: {tmp_path / 'quarantine.csv'}" in lines
    warned = [ln for ln in lines if ln.startswith("avviso: ")]
    assert any("nominativo" in ln for ln in warned)
    # the reasons are quoted as the quarantine file writes them: in Italian too
    assert_italian(lines)


def test_validate_speaks_english_on_request(record_files, mirror, tmp_path):
    lines = said(
        "validate",
        "occupations",
        record_files["occupations"],
        "-o",
        tmp_path,
        "--lang",
        "en",
        mirror=mirror,
    )
    n = N_ESTATES * len(YEARS) * 3 + 2
    assert f"occupations: {n} rows read, {n - 1} accepted, 1 quarantined" in lines
    assert f"accepted: {tmp_path / 'accepted.csv'}" in lines
    assert not any("quarantena" in ln or ln.startswith("avviso") for ln in lines)


def test_overlay_speaks_italian(record_files, mirror, tmp_path):
    files = [f"--{k}={v}" for k, v in record_files.items()]
    lines = said(
        "overlay",
        *files,
        "--level",
        "nil",
        "--period",
        "month",
        "--start",
        "2021-01",
        "--end",
        "2024-12",
        "-o",
        tmp_path,
        mirror=mirror,
    )
    n = N_ESTATES * len(YEARS) * 3 + 2
    # the bad date and the unknown estate are quarantined on reading
    assert (
        f"occupazioni da occupations.csv: {n} righe lette, {n - 2} accettate, "
        "2 in quarantena, colonne fuori dallo schema scartate: 1"
    ) in lines
    assert f"occupazioni: {n - 2} record su {n - 2} collegati a uno stabile" in lines
    # 88 NIL x 48 months, in Italian digits
    assert "nil: 88 quartieri × 48 periodi (mese) = 4.224 righe" in lines
    assert any(ln.startswith("riservatezza, soglia 5: ") for ln in lines)
    stem = tmp_path / "overlay_nil_month"
    for suffix in (".gpkg", ".csv", "_totals.csv"):
        assert f"scritto: {stem}{suffix}" in lines
    assert any(ln.startswith("avviso: ") for ln in lines)
    assert_italian(lines)


def test_prioritise_speaks_italian(record_files, mirror, tmp_path):
    files = [f"--{k}={v}" for k, v in record_files.items()]
    lines = said(
        "prioritise",
        *files,
        "--level",
        "nil",
        "-b",
        "500000",
        "-o",
        tmp_path,
        mirror=mirror,
    )
    assert "priorità di pattugliamento, nil, 2024:" in lines
    renovation = [ln for ln in lines if ln.startswith("ristrutturazione (")]
    assert len(renovation) == 1
    assert renovation[0].startswith(
        "ristrutturazione (budget 500.000 €, obiettivo: rischio"
    )
    # the stray occupation was quarantined on reading: every record read links
    assert any(ln.startswith("record non collegati: 0 (") for ln in lines)
    assert any(ln.startswith("verifica sul passato: ") for ln in lines) or any(
        ln.startswith("nessuna verifica sul passato: ") for ln in lines
    )
    written = len([p for p in tmp_path.iterdir() if p.suffix in (".csv", ".xlsx")])
    assert f"{written} file scritti in {tmp_path}" in lines
    # ranking lines: district names and reasons (already in the meeting's words)
    assert_italian(lines)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_validate_quarantine_reasons_in_the_commands_language(
    record_files, mirror, tmp_path, lang
):
    """quarantine.csv and the summary quoting it give the reasons in ``--lang``.

    Before: ``unknown estate_id ... (not in the estates given)`` for an Italian user.
    """
    lines = said(
        "validate", "occupazioni", record_files["occupations"],
        "--estates", record_files["estates"], "-o", tmp_path, "--lang", lang,
        mirror=mirror,
    )  # fmt: skip
    sep = ";" if lang == "it" else ","
    table = pd.read_csv(tmp_path / "quarantine.csv", sep=sep, encoding="utf-8-sig")
    reasons = " | ".join(table["reason"].astype(str))
    quoted = " | ".join(ln for ln in lines if ln.startswith("   "))
    italian, english = "sconosciuto (non tra gli stabili forniti)", "not in the estates"
    if lang == "it":
        assert italian in reasons and english not in reasons
        assert "sconosciuto" in quoted and "unknown" not in quoted
    else:
        assert english in reasons and italian not in reasons
