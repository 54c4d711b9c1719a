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
