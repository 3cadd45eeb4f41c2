"""The documents and scenarios shipped in the package are the repository's own, unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "src" / "openbook" / "web" / "content"
ORIGINALS = {"methodology.md": "docs/methodology.md", "savings.md": "docs/savings.md",
             "measures.md": "docs/measures.md", "alerts.md": "docs/alerts.md",
             "conformance.md": "docs/conformance.md", "systems-inference.md": "docs/systems-inference.md",
             **{f"scenarios/{p.name}": f"scenarios/{p.name}" for p in sorted((ROOT / "scenarios").glob("*.toml"))}}
REFRESH = ("cp docs/methodology.md docs/savings.md docs/measures.md docs/alerts.md docs/conformance.md docs/systems-inference.md "
           "src/openbook/web/content/ && "
           "cp scenarios/*.toml src/openbook/web/content/scenarios/")


@pytest.mark.parametrize("copy,original", sorted(ORIGINALS.items()))
def test_the_packaged_copy_equals_the_original(copy, original):
    assert (CONTENT / copy).exists(), f"{copy} is not shipped; run: {REFRESH}"
    assert (CONTENT / copy).read_bytes() == (ROOT / original).read_bytes(), f"{copy} is stale; run: {REFRESH}"


def test_nothing_is_shipped_that_has_no_original():
    shipped = {str(p.relative_to(CONTENT)) for p in CONTENT.rglob("*") if p.is_file()}
    assert shipped == set(ORIGINALS)
