"""Progress of a run: the named steps, logged and passed to a callback."""

from __future__ import annotations

import logging
from collections.abc import Callable

__all__ = ["STEPS", "StepCallback", "step_reporter"]

log = logging.getLogger(__package__)  # "geo_alloggi.pipeline", as users see it

#: Called with (step name, step number from 1, number of steps).
StepCallback = Callable[[str, int, int], None]

STEPS = [
    "districts",
    "records",
    "geocoding and linking",
    "overlay per district and period",
    "hot spots",
    "emerging hot spots",
    "density",
    "back-test",
    "patrol priorities",
    "renovation plan",
]


def step_reporter(
    on_step: StepCallback | None, names: list[str]
) -> Callable[[str], None]:
    """Report each step by name: its number comes from its place in ``names``."""

    def step(name: str) -> None:
        i = names.index(name) + 1
        log.info("step %d/%d: %s", i, len(names), name)
        if on_step is not None:
            on_step(name, i, len(names))

    return step
