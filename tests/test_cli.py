"""The command line, run as a user would (subprocess), with exit codes and messages."""

from __future__ import annotations

import os
import subprocess
import sys

from geo_alloggi import __version__


def run_cli(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "geo_alloggi", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def test_help_and_version():
    res = run_cli("--help")
    assert res.returncode == 0 and "data" in res.stdout and "districts" in res.stdout
    res = run_cli("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"geo-alloggi {__version__}"


def test_data_list_with_mirror(mirror):
    res = run_cli(
        "data", "list", env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "200"}
    )
    assert res.returncode == 0, res.stderr
    for name in ("nil", "municipi", "comuni", "civici", "stradario", "anncsu"):
        assert name in res.stdout
    assert "mirror" in res.stdout and "CC BY 4.0" in res.stdout


def test_districts_summary(mirror):
    res = run_cli(
        "districts",
        "summary",
        env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "200"},
    )
    assert res.returncode == 0, res.stderr
    assert "89 districts" in res.stdout
    assert "Cinisello Balsamo" in res.stdout and "Milano" in res.stdout
    assert "symmetric difference" in res.stdout


def test_missing_data_is_one_clear_line(tmp_path):
    """No mirror, empty cache, no network: exit code 2 and one line, no traceback."""
    env = {"GEO_ALLOGGI_DATA_MIRROR": str(tmp_path / "empty-mirror")}
    (tmp_path / "empty-mirror").mkdir()
    res = run_cli("districts", "summary", env=env)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: dataset ")
    assert "https://" in lines[0] and "GEO_ALLOGGI_DATA_MIRROR" in lines[0]


def test_unknown_command_is_usage_error():
    res = run_cli("frobnicate")
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_run_example_config_end_to_end(mirror, tmp_path):
    """The README's `geo-alloggi run examples/run.toml` on the SYNTHETIC examples."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "run.toml"
    out = tmp_path / "bundle"
    res = run_cli(
        "run",
        str(example),
        "--out-dir",
        str(out),
        env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror)},
    )
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert "fonte" in res.stderr  # the dropped column is named in a warning
    for name in (
        "map.html",
        "layers.gpkg",
        "summary.md",
        "manifest.json",
        "tables/patrol_districts.csv",
    ):
        assert (out / name).is_file(), name
    assert "SYNTHETIC" in (out / "summary.md").read_text(encoding="utf-8")


def test_run_with_bad_config_is_one_line(tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text('[records]\nestates = "missing.csv"\n', encoding="utf-8")
    res = run_cli("run", str(cfg), "--out-dir", str(tmp_path / "out"))
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "does not exist" in lines[0]


def test_districts_summary_with_more_comuni_reports_the_clipped_overlaps(mirror):
    res = run_cli(
        "districts",
        "summary",
        "--comuni",
        "Milano,Cinisello Balsamo",
        "--comuni",
        "Sesto San Giovanni",
        env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "200"},
    )
    assert res.returncode == 0, res.stderr
    assert "90 districts" in res.stdout and "Sesto San Giovanni" in res.stdout
    assert "SESTO-SAN-GIOVANNI 0.284 km²" in " ".join(res.stdout.split())
    res = run_cli(
        "districts",
        "summary",
        "--comuni",
        "Bergamo",
        env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror)},
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "'Bergamo' is not one of the 133 comuni" in res.stderr


def test_data_list_counts_civic_points_per_comune(mirror, anncsu_mirror):
    res = run_cli(
        "data", "list", env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "250"}
    )
    assert res.returncode == 0, res.stderr
    out = " ".join(res.stdout.split())
    assert "Milano │ ds634 │ 52,224 │ 52,224 (100%)" in out  # current ds634 numbers
    assert "anncsu_civici not available" in out
    assert "no civic-number points for Cinisello Balsamo from any" in out
    assert "--osm" in out and "--online" in out
    # with the FIXTURE Indirizzario in the mirror (made-up points)
    res = run_cli(
        "data",
        "list",
        "--comuni",
        "Milano,Cinisello Balsamo,Bresso",
        env={"GEO_ALLOGGI_DATA_MIRROR": str(anncsu_mirror), "COLUMNS": "250"},
    )
    assert res.returncode == 0, res.stderr
    out = " ".join(res.stdout.split())
    assert "2025-03-01" in out  # the release, read from INDIR_LOMB_20250301.csv
    assert "Cinisello Balsamo │ anncsu │ 19 │ 16 (84%)" in out
    assert "Milano │ anncsu │ 6 │ 5 (83%)" in out
    assert "no civic-number points for Bresso from any" in out
