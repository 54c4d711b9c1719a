"""Root pytest configuration: point tests and notebooks at the mirror of official data.

CI exports ``GEO_ALLOGGI_DATA_MIRROR`` (absolute path); a developer's checkout that
sits next to ``shared/data/raw`` works without setting anything. Notebook kernels
started by nbmake inherit the variable.
"""

from __future__ import annotations

import os
from pathlib import Path

_DEFAULT_MIRROR = Path(__file__).resolve().parent.parent / "shared" / "data" / "raw"

if not os.environ.get("GEO_ALLOGGI_DATA_MIRROR") and _DEFAULT_MIRROR.is_dir():
    os.environ["GEO_ALLOGGI_DATA_MIRROR"] = str(_DEFAULT_MIRROR)
