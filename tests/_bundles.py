"""Bundles shared by tests: the raw warnings a run saw, kept beside its folder."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class _WarningLog(logging.Handler):
    """Collect the raw text of every warning a run kept as a note or logged."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # "note <key> restates: <message>" / "not published (<Category>): <message>"
        self.messages.append(record.getMessage().split(": ", 1)[-1])


@contextmanager
def warning_log() -> Iterator[list[str]]:
    """Yield the list of raw warning messages the pipeline saw during the block."""
    logger = logging.getLogger("geo_alloggi.pipeline._notes")
    handler = _WarningLog()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@dataclass(frozen=True)
class Bundle:
    """A bundle written once for the whole test session."""

    path: Path
    files: list[Path]
    warnings: list[str]
