"""Old import path of :mod:`geo_alloggi.maps._offline` (single-file offline HTML).

The offline renderer moved into the ``maps`` package, its only user; this
module keeps ``from geo_alloggi._offline import ...`` working.
"""

from geo_alloggi.maps._offline import (
    OfflineError,
    RawHTML,
    Shared,
    SharedList,
    asset_block,
    deterministic_ids,
    find_remote_references,
    render_offline,
    resource_text,
)

__all__ = [
    "OfflineError",
    "RawHTML",
    "Shared",
    "SharedList",
    "asset_block",
    "deterministic_ids",
    "find_remote_references",
    "render_offline",
    "resource_text",
]
