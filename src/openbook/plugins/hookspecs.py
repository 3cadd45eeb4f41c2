"""Every extension point openbook offers; each hook returns classes and has no side effects."""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("openbook")


@hookspec
def register_importers():
    """Return a list of Importer classes (openbook.ingest.importers.Importer) for new publication formats."""


@hookspec
def register_measures():
    """Return a list of paths to declarative measure files (TOML, as in docs/measures.md)."""


@hookspec
def register_detectors():
    """Return a list of Detector objects (openbook.analyse.findings.Detector) for new duplication or waste questions."""
