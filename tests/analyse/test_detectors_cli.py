"""`openbook analyse` runs every detector and stores findings; `openbook findings` reads them back."""

from __future__ import annotations

import json
from decimal import Decimal

from openbook.analyse.detectors import run
from openbook.cli import app
from openbook.plugins import detectors


def _districts(writer):
    for i, per_head in enumerate([1, 2, 3, 4, 5, 20], start=1):
        writer.organisation(f"XX-D{i}", "district-council", population=100_000, name=f"District {i}")
        writer.spend(f"XX-D{i}", Decimal(per_head * 100_000), function="finance")


def test_every_detector_loads_and_runs_on_a_book(writer, book):
    _districts(writer)
    counts = run(book)
    assert set(counts) == {d.name for d in detectors()}
    assert counts["functions"] == 3
    assert run(book, ["functions"]) == {"functions": 3}  # re-computable: replaced, not added


def test_analyse_then_findings_by_kind_and_body(writer, book, runner):
    _districts(writer)
    path = str(book.path)
    book.close()
    result = runner.invoke(app, ["analyse", "--book", path])
    assert result.exit_code == 0, result.output
    assert "function-cost-above-peers" in result.output and "£1,650,000.00" in result.output
    listed = runner.invoke(app, ["findings", "--book", path, "--org", "District 6", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["org_ids"], r["gbp_at_stake"]) for r in rows] == [(["XX-D6"], "1650000.00")]
    unknown = runner.invoke(app, ["analyse", "--book", path, "--only", "astrology"])
    assert unknown.exit_code == 2 and "unknown detector" in unknown.output
