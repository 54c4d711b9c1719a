"""A bundle's smaller files read in a forked child: same bundle, warnings, errors."""

from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path

import pandas as pd
import pytest

from geo_alloggi._errors import InputFileError
from geo_alloggi._forked import can_fork
from geo_alloggi.io import _overlap, read_bundle
from geo_alloggi.io._overlap import read_in_turn

TODAY = "2025-06-30"
BOX = (9.03, 45.38, 9.29, 45.59)

forks = pytest.mark.skipif(
    not can_fork(), reason="no os.fork here, or other threads run: read in process"
)

ESTATES = "codice_stabile;alloggi;gestore_note\nST1;10;x\nST2;0;y\nST3;4;z\n"
HEADERS = {
    "occupations": "codice_pratica;codice_stabile;data_rilevazione;data_fine;"
    "stato;nominativo",
    "evictions": "id_sgombero;codice_stabile;data_sgombero;esito;vulnerabile;"
    "lon;lat;telefono",
    "vacancies": "id_sfitto;codice_stabile;sfitto_dal;data_fine;motivo;costo;"
    "codice_fiscale",
}
# a good row, an impossible date, an unknown estate, a repeated id (per kind)
ROWS = {
    "occupations": [
        "P{i};ST1;01/02/2019;;in corso;Mario",
        "Q{i};ST1;31/02/2019;;in corso;Anna",
        "R{i};ST9;01/02/2019;;in corso;Ugo",
        "P{i};ST3;01/03/2019;;in corso;Lia",
    ],
    "evictions": [
        "E{i};ST1;05/05/2020;eseguito;sì;9,19;45,46;333",
        "F{i};ST3;05/05/2020;rinviato;no;19,0;2,0;334",
        "G{i};ST2;05/05/2020;eseguito;no;9,2;45,47;335",
        "H{i};ST1;30/02/2021;fallito;;9,2;45,47;336",
    ],
    "vacancies": [
        "V{i};ST1;01/01/2018;;lavori;1200,5;RSSMRA",
        "W{i};ST3;01/01/2018;01/01/2017;lavori;10;RSSMRB",
        "X{i};ST1;01/01/2018;;lavori;-3;RSSMRC",
    ],
}
NAMES = {"occupations": "occ.csv", "evictions": "evi.csv", "vacancies": "vac.csv"}


def files(folder: Path, *, largest: str, broken: tuple[str, ...] = ()) -> dict:
    """Write an estates file and three record files, ``largest`` the largest."""
    paths = {"estates": folder / "est.csv"}
    paths["estates"].write_text(ESTATES, encoding="utf-8")
    for kind, header in HEADERS.items():
        repeat = 40 if kind == largest else 5
        rows = [row.format(i=i) for i in range(repeat) for row in ROWS[kind]]
        if kind in broken:  # its required date column missing: a file-level error
            header = header.replace(";data_", ";data_x_").replace(";sfitto_", ";x_")
        path = folder / NAMES[kind]
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        paths[kind] = path
    return paths


def read(paths: dict, monkeypatch, *, fork: bool, pids: Path | None = None):
    """Read the bundle (forking or not) and return it with the warnings raised."""
    monkeypatch.setattr(_overlap, "FORK_MIN_BYTES", 1 if fork else 1 << 50)

    def study_area():  # called for the evictions, which have coordinates
        if pids is not None:
            with pids.open("a", encoding="utf-8") as out:
                out.write(f"{os.getpid()}\n")
        return BOX

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            bundle = read_bundle(**paths, today=TODAY, study_area=study_area)
        except InputFileError as exc:
            bundle = exc
    said = [(w.category, str(w.message)) for w in caught]
    return bundle, said


def no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def same_results(got, expected) -> None:
    assert list(got.results) == list(expected.results)
    for kind, res in expected.results.items():
        other = got.results[kind]
        pd.testing.assert_frame_equal(other.accepted, res.accepted)
        pd.testing.assert_frame_equal(other.quarantine, res.quarantine)
        for f in dataclasses.fields(res):
            if f.name not in ("accepted", "quarantine"):
                assert getattr(other, f.name) == getattr(res, f.name), f.name
    for name in ("estates", "occupations", "evictions", "vacancies"):
        pd.testing.assert_frame_equal(
            getattr(got.records, name), getattr(expected.records, name)
        )


@forks
@pytest.mark.parametrize("largest", ["occupations", "evictions", "vacancies"])
def test_forked_bundle_is_the_bundle_read_in_turn(tmp_path, monkeypatch, largest):
    paths = files(tmp_path, largest=largest)
    pids = tmp_path / "pids.txt"
    forked, said_forked = read(paths, monkeypatch, fork=True, pids=pids)
    # the evictions were read in another process when the parent read another file
    readers = {int(p) for p in pids.read_text(encoding="utf-8").split()}
    assert (os.getpid() in readers) == (largest == "evictions")
    assert len(readers) == 1
    assert no_child_left()

    alone, said_alone = read(paths, monkeypatch, fork=False)
    same_results(forked, alone)
    assert said_forked == said_alone
    # independently: every file quarantined rows, and each said its dropped
    # column, in the files' order
    assert all(len(r.quarantine) for r in forked.results.values())
    files_said = [message.split(":")[0] for _, message in said_forked]
    assert files_said == ["est.csv", "occ.csv", "evi.csv", "vac.csv"]
    assert len(forked.records.evictions) == (40 if largest == "evictions" else 5)


@forks
@pytest.mark.parametrize(
    ("largest", "broken", "first"),
    [
        ("occupations", ("evictions",), "evi.csv"),  # in the child
        ("occupations", ("occupations",), "occ.csv"),  # in the parent
        ("occupations", ("occupations", "evictions"), "occ.csv"),
        ("vacancies", ("evictions", "vacancies"), "evi.csv"),  # child's before
        ("vacancies", ("vacancies",), "vac.csv"),
        ("evictions", ("occupations", "evictions", "vacancies"), "occ.csv"),
    ],
)
def test_the_first_broken_file_raises_as_in_turn(
    tmp_path, monkeypatch, largest, broken, first
):
    paths = files(tmp_path, largest=largest, broken=broken)
    forked, said_forked = read(paths, monkeypatch, fork=True)
    assert no_child_left()
    alone, said_alone = read(paths, monkeypatch, fork=False)
    assert isinstance(forked, InputFileError)
    assert isinstance(alone, InputFileError)
    message = str(forked)
    assert message == str(alone)
    assert Path(message.split("'")[1]).name == first  # '<path>': problem; fix
    assert "\n" not in message
    # the warnings of the files before it, as in turn (a file lacking a
    # column fails before it says which columns it drops)
    assert said_forked == said_alone
    files_said = [m.split(":")[0] for _, m in said_forked]
    order = ["est.csv", "occ.csv", "evi.csv", "vac.csv"]
    assert files_said == order[: order.index(first)]


@forks
def test_the_smaller_files_are_read_in_a_child(tmp_path, monkeypatch):
    paths = {}
    for name, size in [("a", 30), ("b", 100), ("c", 20)]:
        paths[name] = tmp_path / name
        paths[name].write_bytes(b"x" * size)

    def read_pid(kind: str) -> tuple[str, int]:
        return kind, os.getpid()

    monkeypatch.setattr(_overlap, "FORK_MIN_BYTES", 50)
    got = read_in_turn(read_pid, paths)
    assert list(got) == ["a", "b", "c"]
    assert got["b"] == ("b", os.getpid())  # the largest, here
    assert got["a"][1] == got["c"][1] != os.getpid()
    # the others weigh 50 bytes together: a threshold above it reads all here
    monkeypatch.setattr(_overlap, "FORK_MIN_BYTES", 51)
    got = read_in_turn(read_pid, paths)
    assert {pid for _, pid in got.values()} == {os.getpid()}
