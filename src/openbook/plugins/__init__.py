"""Extension points: openbook's own importers register through the same hooks as plugins."""

from openbook.plugins.manager import detectors, hookimpl, importers, measure_paths, plugin_list

__all__ = ["detectors", "hookimpl", "importers", "measure_paths", "plugin_list"]
