"""The plugin manager: built-ins from DEFAULT_PLUGINS, then installed `openbook` entry points.

Third-party entry points are not loaded under pytest, and `OPENBOOK_LOAD_PLUGINS=a,b` limits
them to the named distributions. A plugin that fails to import is reported and skipped.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from functools import cache

import pluggy

from openbook.plugins import hookspecs

hookimpl = pluggy.HookimplMarker("openbook")

DEFAULT_PLUGINS = (
    "openbook.ingest.importers",
    "openbook.ingest.lga_transparency",
    "openbook.ingest.organogram",
    "openbook.ingest.ocds",
    "openbook.ingest.grants_360",
    "openbook.ingest.contracts_register",
    "openbook.ingest.registers",
    "openbook.analyse.detectors",
    "openbook.analyse.measures",
)


@cache
def plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager("openbook")
    manager.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        manager.register(importlib.import_module(name), name)
    if not getattr(sys, "_called_from_test", False):
        _load_entry_points(manager)
    return manager


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    from importlib.metadata import entry_points

    allowed = {n.strip() for n in os.environ.get("OPENBOOK_LOAD_PLUGINS", "").split(",") if n.strip()}
    for entry in entry_points(group="openbook"):
        distribution = entry.dist.name if entry.dist else ""
        if entry.value in DEFAULT_PLUGINS or (allowed and distribution not in allowed):
            continue
        try:
            manager.register(entry.load(), entry.name)
        except Exception as error:  # noqa: BLE001 - a broken plugin must not stop openbook
            warnings.warn(f"openbook plugin {entry.name!r} ({distribution}) failed to load and was skipped: "
                          f"{error}", stacklevel=2)


def importers() -> list[type]:
    """Every registered importer class; two with the same name are an error."""
    found: dict[str, type] = {}
    for group in plugin_manager().hook.register_importers():
        for importer in group:
            if importer.name in found and found[importer.name] is not importer:
                raise RuntimeError(f"two importers claim the name {importer.name!r}")
            found[importer.name] = importer
    return list(found.values())


def detectors() -> list:
    """Every registered detector, in the order registered (built-ins first); two with the same name are an error."""
    found: dict[str, object] = {}
    for group in reversed(plugin_manager().hook.register_detectors()):  # pluggy calls the last registered first
        for detector in group:
            if detector.name in found:
                raise RuntimeError(f"two detectors claim the name {detector.name!r}")
            found[detector.name] = detector
    return list(found.values())


def measure_paths() -> list:
    """Every registered measure file, built-in and from plugins, in the order registered."""
    return [path for group in plugin_manager().hook.register_measures() for path in group]


def plugin_list() -> list[dict]:
    manager = plugin_manager()
    return [{"name": name, "hooks": sorted(h.name for h in manager.get_hookcallers(plugin) or [])}
            for name, plugin in manager.list_name_plugin()]
