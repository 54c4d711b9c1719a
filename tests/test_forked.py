"""Work done in a forked child: its value comes back, a failed child is redone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo_alloggi.pipeline._forked import Forked


def write_pid(path: Path, text: str) -> dict[str, object]:
    path.write_text(text, encoding="utf-8")
    return {"pid": os.getpid(), "text": text}


def fail_in_child(parent: int, path: Path) -> str:
    if os.getpid() != parent:
        raise RuntimeError("the child fails")
    path.write_text("redone", encoding="utf-8")
    return "in process"


def fail_always() -> None:
    raise ValueError("bad input")


def test_value_and_files_come_from_the_child(tmp_path):
    with Forked(write_pid, tmp_path / "a.txt", "ciao") as job:
        got = job.result()
    assert got["text"] == "ciao"
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "ciao"
    if hasattr(os, "fork"):
        assert got["pid"] != os.getpid()
    assert job.result() is got  # asked twice: the same value


def test_failed_child_is_redone_in_process(tmp_path):
    job = Forked(fail_in_child, os.getpid(), tmp_path / "b.txt")
    assert job.result() == "in process"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "redone"


def test_error_raised_as_without_a_child():
    with pytest.raises(ValueError, match="bad input"):
        Forked(fail_always).result()


def test_error_in_parent_stops_the_child(tmp_path):
    with pytest.raises(KeyError), Forked(write_pid, tmp_path / "c.txt", "x") as job:
        raise KeyError("parent")
    assert job._pid is None  # reaped, not left running
