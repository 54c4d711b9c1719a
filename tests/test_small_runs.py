"""Any file that reads gives a bundle: small, sparse and odd record sets through `run`.

The contract, through the command a user runs: a meeting bundle (exit code 0,
``manifest.json`` written), or one clear error line (exit code 2); never a
traceback. What needs more data than the records hold (change, trends, hot
spots, the back-test, map classes) is left out with a note saying what is
missing, in Italian by default.

The estates are real civic points of the SYNTHETIC example file, so records
land in real districts; the official boundaries are loaded once (cached) and
reused by every example.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo_alloggi.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
POOL = pd.read_csv(EXAMPLES / "estates.csv", sep=";", dtype=str)
SAN_SIRO = POOL[POOL["nome_stabile"] == "Quartiere San Siro"].index.tolist()
# estates in different districts: one per distinct name (San Siro, Gratosoglio...)
SPREAD = POOL.drop_duplicates("nome_stabile").index.tolist()

HOSTILE_NAMES = (
    '=HYPERLINK("http://evil","x")',
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    '"; DROP TABLE stabili; --',
    "Città <b>è</b> & «ù»",
    "+39 02 1234",
    "",
)


def _estates(rows: list[int], names: dict[int, str] | None = None) -> pd.DataFrame:
    est = POOL.loc[rows].copy()
    for i, name in (names or {}).items():
        est.loc[i, "nome_stabile"] = name
    return est.drop(columns=["fonte"])


def _write_run(
    folder: Path,
    estates: pd.DataFrame,
    occupations: list[tuple] | None,
    *,
    evictions: list[tuple] | None = None,
    vacancies: list[tuple] | None = None,
    period: str = "year",
    level: str = "study_area",
) -> Path:
    """Write record files with Italian headers and a run.toml; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    estates.to_csv(folder / "stabili.csv", sep=";", index=False)
    lines = ["[records]", "synthetic = true", 'estates = "stabili.csv"']
    tables = {
        "occupations": (
            occupations,
            [
                "id_verbale",
                "codice_stabile",
                "codice_alloggio",
                "data_rilevazione",
                "data_liberazione",
            ],
        ),
        "evictions": (
            evictions,
            ["id_sgombero", "codice_stabile", "data_sgombero", "esito", "fragile"],
        ),
        "vacancies": (
            vacancies,
            ["codice_stabile", "codice_alloggio", "sfitto_dal", "data_fine", "costo"],
        ),
    }
    for kind, (rows, header) in tables.items():
        if rows is None:
            continue
        pd.DataFrame(rows, columns=header).to_csv(
            folder / f"{kind}.csv", sep=";", index=False
        )
        lines.append(f'{kind} = "{kind}.csv"')
    lines += ["", "[districts]", f'level = "{level}"']
    lines += ["", "[analysis]", f'period = "{period}"', ""]
    path = folder / "run.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _run(config: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    """Run the CLI in this process; return exit code, stdout and stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            main(["run", str(config), "--out-dir", str(out), *extra])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, stdout.getvalue(), stderr.getvalue()


def _bundle_or_one_error(code: int, out: Path, err: str) -> None:
    """The contract: a bundle, or one clear error line."""
    if code == 0:
        assert (out / "manifest.json").is_file()
        assert (out / "map.html").is_file()
        assert (out / "summary.md").is_file()
        return
    errors = [
        ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning")
    ]
    assert code == 2, err
    assert len(errors) == 1 and errors[0].startswith("error: "), err


def _notes(out: Path) -> str:
    text = (out / "summary.md").read_text(encoding="utf-8")
    return text.split("## Note", 1)[1]


# ---------------------------------------------------------------------------
# the cases of the issue


def test_one_period_two_districts_no_vacancies_no_evictions(tmp_path):
    """Records of one year in two districts still give a bundle, with notes."""
    rows = [SAN_SIRO[0], SAN_SIRO[1], SPREAD[3]]
    occ = [
        (f"V{i}", POOL.loc[rows[i % 3], "codice_stabile"], f"U{i}", "15/03/2019", "")
        for i in range(9)
    ]
    config = _write_run(tmp_path / "in", _estates(rows), occ)
    out = tmp_path / "out"
    code, _, err = _run(config, out)
    assert code == 0, err
    assert "Traceback" not in err
    notes = _notes(out)
    # what is missing, said in Italian
    assert "un solo periodo (2019)" in notes
    assert "servono almeno 3 quartieri con alloggi pubblici, i dati ne hanno 2" in notes
    assert "servono almeno 4 periodi, i dati ne hanno 1" in notes
    table = pd.read_csv(
        out / "tables" / "districts_by_year.csv", sep=";", encoding="utf-8-sig"
    )
    assert set(table["Periodo"].astype(str)) == {"2019"}


def test_two_estates_over_two_years(tmp_path):
    """The traceback of issue 11 (string-dtype reduction in the report) is gone."""
    rows = SAN_SIRO[:2]
    occ = [
        ("V1", POOL.loc[rows[0], "codice_stabile"], "U1", "10/02/2018", ""),
        ("V2", POOL.loc[rows[1], "codice_stabile"], "U2", "11/05/2018", "01/02/2019"),
        ("V3", POOL.loc[rows[1], "codice_stabile"], "U3", "03/03/2019", ""),
    ]
    config = _write_run(tmp_path / "in", _estates(rows), occ)
    code, _, err = _run(config, tmp_path / "out")
    assert code == 0, err
    notes = _notes(tmp_path / "out")
    assert "Punti caldi (Gi*) e indice di Moran non calcolati" in notes
    assert "Tendenze (punti caldi emergenti) non calcolate" in notes


def test_six_estates_over_three_years_in_english(tmp_path):
    rows = SPREAD[:6]
    occ = [
        (f"V{i}", POOL.loc[rows[i % 6], "codice_stabile"], f"U{i}", day, "")
        for i, day in enumerate(
            ["01/02/2017", "01/06/2017", "01/02/2018", "05/09/2018", "01/02/2019"] * 2
        )
    ]
    config = _write_run(tmp_path / "in", _estates(rows), occ)
    text = config.read_text(encoding="utf-8") + '\n[output]\nlang = "en"\n'
    config.write_text(text, encoding="utf-8")
    code, _, err = _run(config, tmp_path / "out")
    assert code == 0, err
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "## Notes" in summary


def test_records_without_any_date_stop_with_one_line(tmp_path):
    config = _write_run(tmp_path / "in", _estates(SAN_SIRO[:3]), occupations=None)
    code, _, err = _run(config, tmp_path / "out")
    _bundle_or_one_error(code, tmp_path / "out", err)
    assert code == 2
    assert "no dated event" in err


def test_estate_named_like_a_formula_with_a_link(tmp_path):
    """Text from the records never stops the bundle (it stays text)."""
    rows = SAN_SIRO[:2] + SPREAD[4:6]
    names = {rows[0]: HOSTILE_NAMES[0], rows[1]: HOSTILE_NAMES[1]}
    occ = [
        (f"V{i}", POOL.loc[rows[i % 4], "codice_stabile"], f"U{i}", "15/03/2019", "")
        for i in range(8)
    ]
    config = _write_run(tmp_path / "in", _estates(rows, names), occ)
    out = tmp_path / "out"
    code, _, err = _run(config, out)
    assert code == 0, err
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html


# ---------------------------------------------------------------------------
# property: small random record sets


@st.composite
def record_sets(draw: st.DrawFn) -> dict:
    rows = draw(
        st.lists(st.sampled_from(SPREAD + SAN_SIRO[:4]), min_size=1, max_size=5)
    )
    rows = list(dict.fromkeys(rows))
    names = {
        i: draw(st.sampled_from(HOSTILE_NAMES))
        for i in rows
        if draw(st.booleans()) and draw(st.booleans())
    }
    est = _estates(rows, names)
    # some estates without coordinates: placed by their address, or not at all
    for i in rows:
        if draw(st.integers(0, 4)) == 0:
            est.loc[i, ["longitudine", "latitudine"]] = ""
    est["alloggi"] = [draw(st.integers(1, 120)) for _ in rows]
    ids = est["codice_stabile"].tolist()
    year0 = draw(st.integers(2016, 2020))
    n_years = draw(st.integers(1, 3))

    def day() -> str:
        y = year0 + draw(st.integers(0, n_years - 1))
        return f"{draw(st.integers(1, 28)):02d}/{draw(st.integers(1, 12)):02d}/{y}"

    occ = [
        (f"V{k}", draw(st.sampled_from(ids)), f"U{k}", day(), "")
        for k in range(draw(st.integers(0, 8)))
    ]
    evictions = None
    if draw(st.booleans()):
        evictions = [
            (
                f"S{k}",
                draw(st.sampled_from(ids)),
                day(),
                draw(st.sampled_from(["eseguito", "rinviato"])),
                draw(st.sampled_from(["sì", "no", ""])),
            )
            for k in range(draw(st.integers(0, 3)))
        ]
    vacancies = None
    if draw(st.booleans()):
        vacancies = [
            (
                draw(st.sampled_from(ids)),
                f"W{k}",
                day(),
                "",
                draw(st.sampled_from(["25.000", "", "12000,50"])),
            )
            for k in range(draw(st.integers(0, 3)))
        ]
    return {
        "estates": est,
        "occupations": occ if occ or draw(st.booleans()) else None,
        "evictions": evictions,
        "vacancies": vacancies,
        "period": draw(st.sampled_from(["year", "year", "quarter"])),
        "level": draw(st.sampled_from(["study_area", "municipi"])),
    }


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(record_sets())
def test_small_random_record_sets_give_a_bundle_or_one_error(case):
    with tempfile.TemporaryDirectory() as folder:
        config = _write_run(
            Path(folder) / "in",
            case["estates"],
            case["occupations"],
            evictions=case["evictions"],
            vacancies=case["vacancies"],
            period=case["period"],
            level=case["level"],
        )
        out = Path(folder) / "out"
        code, _, err = _run(config, out)
        assert "Traceback" not in err
        _bundle_or_one_error(code, out, err)
