"""Work done in a forked child: its value comes back, a failed child is redone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo_alloggi._forked import Forked, can_fork


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
    if can_fork():
        assert got["pid"] != os.getpid()
    assert job.result() is got  # asked twice: the same value


def test_failed_child_is_redone_in_process(tmp_path):
    job = Forked(fail_in_child, os.getpid(), tmp_path / "b.txt")
    assert job.result() == "in process"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "redone"


def test_error_raised_as_without_a_child():
    with pytest.raises(ValueError, match="bad input"):
        Forked(fail_always).result()


def test_error_raised_inside_the_block_as_without_a_child():
    """The child's error, raised again by ``result`` in the block, leaves it as is."""
    with pytest.raises(ValueError, match="bad input"), Forked(fail_always) as job:
        job.result()


def test_error_in_parent_stops_the_child(tmp_path):
    with pytest.raises(KeyError), Forked(write_pid, tmp_path / "c.txt", "x") as job:
        raise KeyError("parent")
    assert job._pid is None  # reaped, not left running


def test_no_fork_beside_other_threads(tmp_path):
    """A process with another Python thread does the work itself (no fork)."""
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        got = Forked(write_pid, tmp_path / "d.txt", "solo").result()
    finally:
        stop.set()
        other.join()
    assert got == {"pid": os.getpid(), "text": "solo"}


def test_single_threaded_process_forks(tmp_path):
    """In a fresh single-threaded interpreter the work runs in a child process."""
    import subprocess
    import sys

    code = (
        "import os, pathlib, sys\n"
        "from geo_alloggi._forked import Forked\n"
        "def f(p):\n"
        "    pathlib.Path(p).write_text('x')\n"
        "    return os.getpid()\n"
        "print(int(Forked(f, sys.argv[1]).result() != os.getpid()))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "e.txt")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == ("1" if hasattr(os, "fork") else "0")
    assert (tmp_path / "e.txt").read_text() == "x"
