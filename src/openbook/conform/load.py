"""Certificates into the book's `conformance` table: one row per body, system and block, the latest
certificate replacing an earlier one for the same three."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from openbook.conform import certificate as cert
from openbook.errors import UsageError
from openbook.store.book import Book


def load(book: Book, paths: list[Path], *, org: str | None = None, system: str | None = None,
         today: date | None = None) -> list[dict]:
    """Verify each certificate and record it; a certificate edited since it was issued is refused."""
    rows = []
    for path in paths:
        certificate = cert.read(path)
        verdict = cert.verify(certificate, today=today)
        if not verdict.intact:
            raise UsageError(f"{path}: {verdict.message}; nothing was loaded")
        body = org or certificate.get("body")
        name = system or certificate.get("system")
        if not body or not name:
            raise UsageError(f"{path}: the certificate names no body or system; give --org and --system")
        rows.append({"org_id": book.require_org(body, option="--org"), "system": name,
                     "block": certificate["block"], "version": certificate["interface"]["version"],
                     "result": certificate["result"], "issued": certificate["issued"],
                     "expires": certificate["expires"], "system_url": certificate["system_url"],
                     "cert_sha256": certificate["sha256"], "file_name": Path(path).name})
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    with book.transaction():
        for row in rows:
            book.query(
                "INSERT OR REPLACE INTO conformance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [row["org_id"], row["system"], row["block"], row["version"], row["result"], row["issued"],
                 row["expires"], row["system_url"], row["cert_sha256"], row["file_name"], loaded_at])
    return rows
