"""Heavy imports in a background thread: modules warmed, errors kept, fork unharmed."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading

import pytest

from geo_alloggi._forked import Forked
from geo_alloggi.pipeline._imports import HEAVY_MODULES, imports_ahead

MISSING = "geo_alloggi_no_such_module_for_tests"


def test_modules_are_imported_and_the_thread_is_gone():
    before = threading.active_count()
    with imports_ahead(["colorsys", "geo_alloggi.stats"]):
        pass
    assert "colorsys" in sys.modules
    assert "geo_alloggi.stats" in sys.modules
    assert threading.active_count() == before


def test_heavy_modules_are_what_the_statistics_import():
    # the hot spots import esda when they run, libpysal with geo_alloggi.stats
    assert set(HEAVY_MODULES) == {"geo_alloggi.stats", "esda"}
    for name in HEAVY_MODULES:
        importlib.import_module(name)


def test_a_failed_import_is_quiet_then_fails_again_where_used(caplog):
    caplog.set_level(logging.DEBUG, logger="geo_alloggi.pipeline._imports")
    with imports_ahead([MISSING, "json"]):
        pass
    assert MISSING not in sys.modules
    assert f"importing {MISSING} ahead failed" in caplog.text
    with pytest.raises(ModuleNotFoundError, match=MISSING):
        importlib.import_module(MISSING)


def test_an_error_in_the_block_still_joins_the_thread():
    before = threading.active_count()
    with pytest.raises(ValueError, match="bad"), imports_ahead(["json"]):
        raise ValueError("bad")
    assert threading.active_count() == before


def child_pid() -> int:
    return os.getpid()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_child_still_forks_after_the_block():
    if threading.active_count() > 1:
        pytest.skip("another thread runs in this test process")
    with imports_ahead(["json"]):
        pass
    with Forked(child_pid) as job:
        assert job.result() != os.getpid()  # done in a child
