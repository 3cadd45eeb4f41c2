"""Bodies named by an identifier the registry does not know: a foreign buyer, a funder by its org-id.

A contract or grant names its buyer or funder by an org-id.guide identifier (scheme-id, e.g.
XI-EIKA-188, GB-CHC-1079327). The registry and the book decide first, by identifier then by
name; a body they do not know but whose identifier is an org-id becomes a body of the book
under that org-id, with the name the file gives it, written with the file's rows (the source's
dialect lists the bodies its file added). A name alone never makes a body: names collide.
"""

from __future__ import annotations

import re
from collections.abc import Callable

ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]+-\S+$")  # the organisation table's own pattern


class Bodies:
    """Each identifier and name resolved once per file, and the bodies the file adds."""

    def __init__(self, resolve: Callable[[str], str | None]):
        self.resolve = resolve
        self.known: dict[tuple[str | None, str], str | None] = {}
        self.new: dict[str, dict] = {}

    def body(self, org_form: str | None, name: str) -> str | None:
        """The org_id of the body so identified or named, a new one for an unknown org-id, else None."""
        key = (org_form, name)
        if key not in self.known:
            org_id = next((found for k in (org_form, name) if k and (found := self.resolve(k))), None)
            if org_id is None and org_form and ORG_ID.match(org_form):
                org_id = org_form
                self.new.setdefault(org_id, {"org_id": org_id, "name": name or org_id, "kind": "other"})
            self.known[key] = org_id
        return self.known[key]

    def added(self, used: set[str | None]) -> list[dict]:
        """The new bodies some accepted row names, to be written with the file's rows."""
        return [body for org_id, body in self.new.items() if org_id in used]
