"""The README's Python blocks run as they are, each in a fresh process.

Each ```python block of README.md runs in a new interpreter whose working
folder is an empty temporary folder, with only the mirror of official data
set, as a reader pasting it into a new session would.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)


def test_readme_has_python_blocks():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_runs_in_a_fresh_process(index, mirror, tmp_path):
    code = BLOCKS[index]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GEO_ALLOGGI")},
        "GEO_ALLOGGI_DATA_MIRROR": str(mirror),
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "MPLBACKEND": "Agg",
    }
    res = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert res.returncode == 0, f"README block {index} failed:\n{res.stderr}"
    assert "Traceback" not in res.stderr
    # records are linked before they are counted: none is left uncounted for
    # lack of a link (the "563 of 10,218 occupations not counted")
    assert "not counted" not in res.stderr
    if "save_offline" in code:
        assert (tmp_path / "map.html").stat().st_size > 10_000
        assert "unlinked" in res.stdout  # the link report is printed
