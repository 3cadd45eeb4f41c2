"""The built-in importers, registered through the same `register_importers` hook a plugin uses.

Registering openbook's own formats through the hook keeps the hook always exercised. What an
importer is (`Importer`) and what it is handed (`IngestContext`) live in base.py; they are
named here too, where a plugin author looks first.
"""

from __future__ import annotations

from openbook.ingest.base import Importer, IngestContext
from openbook.ingest.organisations import OrganisationImporter
from openbook.ingest.uk_spend import SpendImporter
from openbook.plugins.manager import hookimpl


@hookimpl
def register_importers():
    return [SpendImporter, OrganisationImporter]


__all__ = ["Importer", "IngestContext", "OrganisationImporter", "SpendImporter", "register_importers"]
