"""A fresh clone, as a new user gets it: the README's commands in a new shell.

The repository is cloned into a temporary folder next to a ``shared/data/raw``
that links to the mirror of official data, as the project lays it out. The
Makefile's ``data`` step (what ``make demo`` and ``make test`` run on first
use) imports it into a per-user cache of its own; then, in a new shell with
no ``GEO_ALLOGGI_*`` variable set and from another folder, the commands of the
README find the data, and a small record file gives a meeting bundle.

The existing environment is reused (no new venv): the clone goes first on
``PYTHONPATH``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.prefix) / "bin" / "geo-alloggi"


@pytest.fixture(scope="module")
def clone(tmp_path_factory, mirror) -> dict:
    """The clone, its user's cache, and the environment of a new shell."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True
    ).returncode:
        pytest.skip("the project is not a git checkout")
    work = tmp_path_factory.mktemp("newuser")
    repo = work / "geo_alloggi"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", f"file://{ROOT}", str(repo)],
        check=True,
        capture_output=True,
    )
    (work / "shared" / "data").mkdir(parents=True)
    (work / "shared" / "data" / "raw").symlink_to(mirror, target_is_directory=True)
    import matplotlib

    env = {k: v for k, v in os.environ.items() if not k.startswith("GEO_ALLOGGI")}
    env.update(
        {
            "PYTHONPATH": str(repo),
            "XDG_CACHE_HOME": str(work / "user-cache"),  # a new user's cache
            "MPLCONFIGDIR": matplotlib.get_configdir(),
            "MPLBACKEND": "Agg",
            "COLUMNS": "200",
        }
    )
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    return {"repo": repo, "work": work, "env": env, "cwd": elsewhere}


def _cli(clone: dict, *args: str) -> subprocess.CompletedProcess:
    command = (
        [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "geo_alloggi"]
    )
    return subprocess.run(
        [*command, *args],
        cwd=clone["cwd"],
        env=clone["env"],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def imported(clone) -> dict:
    """Run the Makefile's first-use import (or the command it runs, without make)."""
    stamp = Path(sys.prefix) / ".installed"
    env = clone["env"]
    if shutil.which("make") and SCRIPT.exists():
        res = subprocess.run(
            [
                "make",
                "--no-print-directory",
                "data",
                f"VENV={sys.prefix}",
                "-o",
                str(stamp),
            ],
            cwd=clone["repo"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    else:
        raw = clone["work"] / "shared" / "data" / "raw"
        res = _cli(clone, "data", "import", str(raw), "--quiet")
    assert res.returncode == 0, res.stderr
    assert "official data:" in res.stdout
    return clone


def test_the_clone_is_what_runs(imported):
    res = subprocess.run(
        [sys.executable, "-c", "import geo_alloggi; print(geo_alloggi.__file__)"],
        cwd=imported["cwd"],
        env=imported["env"],
        capture_output=True,
        text=True,
    )
    assert res.stdout.strip().startswith(str(imported["repo"]))


def test_help_and_data_list_find_the_cache(imported):
    res = _cli(imported, "--help")
    assert res.returncode == 0 and "data" in res.stdout
    res = _cli(imported, "data", "list")
    assert res.returncode == 0, res.stderr
    rows = [ln for ln in res.stdout.splitlines() if ln.startswith("│ ")]
    by_name = {ln.split("│")[1].strip(): ln for ln in rows}
    # every dataset of the mirror comes from the cache, none from the network
    for name in ("nil", "municipi", "comuni", "civici", "stradario", "anncsu"):
        assert "│ cache " in by_name[name], res.stdout


def test_districts_summary_in_a_new_shell(imported):
    res = _cli(imported, "districts", "summary", "--level", "study_area")
    assert res.returncode == 0, res.stderr
    assert "89 districts" in res.stdout


def test_geocode_and_validate_the_examples(imported):
    examples = imported["repo"] / "examples"
    res = _cli(imported, "geocode", str(examples / "estates.csv"), "--out", "geo.csv")
    assert res.returncode == 0, res.stderr
    assert "geocodificati 153 indirizzi" in " ".join(res.stdout.split())
    res = _cli(
        imported,
        "validate",
        "occupations",
        str(examples / "occupations.csv"),
        "--out-dir",
        "check",
    )
    assert res.returncode == 0, res.stderr
    assert "0 in quarantena" in res.stdout


def test_a_small_file_gives_a_bundle(imported):
    """Item 5 on the clone: two estates, one year of records, no other file."""
    examples = imported["repo"] / "examples"
    folder = imported["cwd"] / "small"
    folder.mkdir()
    est = pd.read_csv(examples / "estates.csv", sep=";", dtype=str).head(2)
    est.to_csv(folder / "stabili.csv", sep=";", index=False)
    pd.DataFrame(
        {
            "id_verbale": ["V1", "V2"],
            "codice_stabile": est["codice_stabile"].tolist(),
            "data_rilevazione": ["01/02/2019", "01/06/2019"],
        }
    ).to_csv(folder / "occupazioni.csv", sep=";", index=False)
    (folder / "run.toml").write_text(
        '[records]\nestates = "stabili.csv"\noccupations = "occupazioni.csv"\n',
        encoding="utf-8",
    )
    res = _cli(imported, "run", "small/run.toml", "--out-dir", "small/out")
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    out = folder / "out"
    assert (out / "manifest.json").is_file() and (out / "map.html").is_file()
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "un solo periodo" in summary
