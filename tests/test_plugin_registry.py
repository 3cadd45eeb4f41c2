"""The built-ins are plugins: pyproject's entry points name exactly DEFAULT_PLUGINS, and detectors
register through `register_detectors` as importers and measures do."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from openbook.analyse.detectors import run
from openbook.analyse.findings import Detector, Finding
from openbook.errors import UsageError
from openbook.plugins import detectors, hookimpl, plugin_list
from openbook.plugins.manager import DEFAULT_PLUGINS, plugin_manager

ROOT = Path(__file__).resolve().parents[1]


def test_entry_points_name_the_default_plugins_in_order():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    entry_points = declared["project"]["entry-points"]["openbook"]
    assert list(entry_points.values()) == list(DEFAULT_PLUGINS)


def test_built_in_detectors_register_through_the_hook():
    assert [d.name for d in detectors()] == ["payments", "functions", "workforce", "systems", "margins", "prices",
                                             "measures"]
    assert all(callable(d.findings) and d.question.endswith("?") for d in detectors())
    assert any(p["name"] == "openbook.analyse.detectors" and "register_detectors" in p["hooks"] for p in plugin_list())


def _plugin(name: str, found: list[Finding]):
    class Plugin:
        @hookimpl
        def register_detectors(self):
            return [Detector(name, "Which rows does the test plugin flag?", lambda book: found)]

    return Plugin()


def test_a_plugin_detector_runs_and_its_findings_are_stored(book):
    finding = Finding(kind="plugin-kind", detector="plugin", org_ids=["XX-ONE"], title="One flagged",
                      gbp_at_stake=Decimal("12.50"), formula="12.50", confidence=0.5, evidence=[("ab" * 32, 3)])
    manager = plugin_manager()
    manager.register(_plugin("plugin", [finding]), "test-detector")
    try:
        assert [d.name for d in detectors()][-1] == "plugin"  # after the built-ins
        assert run(book, ["plugin"]) == {"plugin": 1}
    finally:
        manager.unregister(name="test-detector")
    assert book.query("SELECT detector, kind, gbp_at_stake FROM finding") == [("plugin", "plugin-kind",
                                                                                 Decimal("12.50"))]
    assert "plugin" not in [d.name for d in detectors()]
    with pytest.raises(UsageError, match="unknown detector 'plugin'"):
        run(book, ["plugin"])


def test_two_detectors_with_one_name_are_an_error():
    manager = plugin_manager()
    manager.register(_plugin("payments", []), "test-detector")
    try:
        with pytest.raises(RuntimeError, match="two detectors claim the name 'payments'"):
            detectors()
    finally:
        manager.unregister(name="test-detector")
