"""Every extension point openbook offers; each hook returns classes and has no side effects."""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("openbook")


@hookspec
def register_importers():
    """Return a list of Importer classes (openbook.ingest.importers.Importer) for new publication formats."""
