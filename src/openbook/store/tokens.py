"""Write access to the book: one API token per body, stored as a SHA-256 hash, and the publication log.

Reads are public; writing needs a token issued for the body being written. The secret is shown
once when created and never stored; a revoked token stops working at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from openbook.store.book import Book

PREFIX = "obk"


@dataclass(frozen=True)
class Token:
    token_id: str
    org_id: str


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(book: Book, org: str, label: str | None = None) -> str:
    """A new token for a body; returns the secret (`obk_<id>_<secret>`), the only time it is seen."""
    org_id = book.require_org(org, option="--org")
    token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    book.con.execute("INSERT INTO api_token VALUES (?, ?, ?, ?, ?, NULL)",
                     [token_id, org_id, _hash(secret), label, _now()])
    return f"{PREFIX}_{token_id}_{secret}"


def verify_token(book: Book, presented: str | None) -> Token | None:
    """The token's id and body if it is valid and not revoked, else None (constant-time compare)."""
    if not presented:
        return None
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    _, token_id, secret = parts
    rows = book.query("SELECT org_id, token_sha256 FROM api_token WHERE token_id = ? AND revoked_at IS NULL",
                      [token_id])
    if not rows or not hmac.compare_digest(rows[0][1], _hash(secret)):
        return None
    return Token(token_id, rows[0][0])


def revoke_token(book: Book, token_id: str) -> bool:
    updated = book.con.execute("UPDATE api_token SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL "
                               "RETURNING token_id", [_now(), token_id]).fetchall()
    return bool(updated)


def list_tokens(book: Book) -> list[dict]:
    return book._dicts("SELECT token_id, org_id, label, created_at, revoked_at FROM api_token ORDER BY created_at")


def log_publication(book: Book, *, org_id: str | None, token_id: str | None, sha256: str | None,
                    file_name: str | None, status: str, counts: tuple[int, int, int, int] | None = None,
                    message: str | None = None) -> None:
    read, accepted, quarantined, structural = counts or (None, None, None, None)
    book.con.execute("INSERT INTO publication_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [_now(), org_id, token_id, sha256, file_name, status, read, accepted, quarantined,
                      structural, message])


def publication_log(book: Book, org_id: str | None = None) -> list[dict]:
    where, params = ("WHERE org_id = ?", [org_id]) if org_id else ("", [])
    return book._dicts(f"SELECT * FROM publication_log {where} ORDER BY published_at DESC", params)
