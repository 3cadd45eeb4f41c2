"""OrgIndex.match says how a name resolves; bodies a user added defer to the registry's abbreviations."""

from __future__ import annotations

from openbook import standard

ROWS = [("X-A-1", "Office of Widget Control", ["Widget Office"]), ("X-A-2", "Leeds City Council", []),
        ("X-A-3", "Other Widget Council", ["Widget Office"])]


def test_match_names_the_tier_that_resolved_the_name():
    index = standard.OrgIndex(ROWS, fold_ids=True, closed=frozenset())
    assert index.match("x-a-1") == ("id", ["X-A-1"])
    assert index.match("OFFICE OF WIDGET CONTROL") == ("name", ["X-A-1"])
    assert index.match("widget office") == ("alias", ["X-A-1", "X-A-3"])
    assert index.match("Leeds") == ("variant", ["X-A-2"])
    assert index.match("OWC") == ("abbreviation", ["X-A-1", "X-A-3"])
    assert index.match("Nowhere") == ("", [])
    assert index.candidates("Leeds") == ["X-A-2"] and index.get("widget office") is None


def test_a_deferring_body_never_takes_an_abbreviation_another_holds():
    plain = standard.OrgIndex(ROWS, closed=frozenset())
    assert plain.get("OWC") is None  # two bodies share it: refused
    deferring = standard.OrgIndex(ROWS, closed=frozenset(), deferring=frozenset({"X-A-3"}))
    assert deferring.get("OWC") == "X-A-1"
    assert deferring.get("Other Widget Council") == "X-A-3"  # its name still resolves
    alone = standard.OrgIndex([ROWS[2]], closed=frozenset(), deferring=frozenset({"X-A-3"}))
    assert alone.get("OWC") == "X-A-3"  # a free abbreviation is still derived
