"""The API reference (docs/api.md) lists every public name of geo_alloggi."""

import re
from pathlib import Path

import geo_alloggi

API = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_api_page_lists_the_whole_public_api():
    listed = set(re.findall(r"^   (\w+)$", API.read_text(encoding="utf-8"), re.M))
    public = set(geo_alloggi.__all__) - {"__version__"}
    assert public - listed == set()
    assert listed - public == set()
