"""Extension points: openbook's own importers register through the same hooks as plugins."""

from openbook.plugins.manager import hookimpl, importers, measure_paths, plugin_list

__all__ = ["hookimpl", "importers", "measure_paths", "plugin_list"]
