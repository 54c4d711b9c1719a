"""The notebooks' shape: a planner's question answered step by step, committed clean.

Running them is nbmake's job (``pytest --nbmake notebooks``); this checks, without
running anything, what a reviewer would otherwise check by eye.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _cells(path: Path) -> list:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return nb.cells


def test_at_least_five_notebooks_including_the_one_from_your_files():
    names = {p.stem for p in NOTEBOOKS}
    assert len(names) >= 5, names
    assert "05_dai_vostri_file_alla_mappa" in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    for cell in _cells(path):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: outputs committed"
            assert cell.execution_count is None, f"{path.name}: execution count kept"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_question_on_top_answer_at_the_end(path):
    cells = _cells(path)
    markdown = [c for c in cells if c.cell_type == "markdown"]
    assert len(markdown) >= 6, f"{path.name}: {len(markdown)} markdown cells"
    assert cells[0].cell_type == "markdown" and "**Domanda.**" in cells[0].source
    # the answer: a "Risposta" heading, then only code cells that print it
    heading = max(
        i
        for i, c in enumerate(cells)
        if c.cell_type == "markdown" and "## Risposta" in c.source
    )
    tail = cells[heading + 1 :]
    assert tail, f"{path.name}: nothing after the answer heading"
    assert all(c.cell_type == "code" for c in tail)
    assert "print(" in tail[-1].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_synthetic_records_are_announced(path):
    cells = _cells(path)
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    uses_records = "make_demo" in code or "examples" in code
    if uses_records:
        assert "SYNTHETIC" in cells[0].source, f"{path.name}: say SYNTHETIC on top"
