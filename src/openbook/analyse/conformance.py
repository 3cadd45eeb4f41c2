"""Which bodies' systems speak a Lego block's standard interface, from the certificates loaded into
the book (`openbook conform load`). The capability map, the savings model and the Lego-blocks page
read it.

A cell of the map is *not conforming* when any in-date certificate for it failed, *conforming* when
in-date certificates exist and all passed, and *untested* otherwise (an expired certificate tests
nothing today).
"""

from __future__ import annotations

from datetime import date

from openbook import standard
from openbook.store.book import Book

CONFORMING, NOT_CONFORMING, UNTESTED = "conforming", "not conforming", "untested"


def certificates(book: Book) -> list[dict]:
    """Every loaded certificate's row (none in a book made before conformance was recorded)."""
    if not book.query("SELECT 1 FROM duckdb_tables() WHERE table_name = 'conformance' AND schema_name = 'main'"):
        return []
    cursor = book.con.execute("SELECT * FROM conformance ORDER BY block, org_id, system")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _in_date(row: dict, today: date) -> bool:
    return row["expires"] >= today


def marks(book: Book, *, today: date | None = None) -> dict[tuple[str, str], str]:
    """(body, block) → conforming or not conforming; a pair absent here is untested."""
    today = today or date.today()
    found: dict[tuple[str, str], str] = {}
    for row in certificates(book):
        if not _in_date(row, today):
            continue
        key = (row["org_id"], row["block"])
        passed = row["result"] == CONFORMING
        found[key] = NOT_CONFORMING if found.get(key) == NOT_CONFORMING or not passed else CONFORMING
    return found


def by_block(book: Book | None, *, today: date | None = None) -> list[dict]:
    """Each block with a standard interface: the interface, and who conforms and who not."""
    today = today or date.today()
    rows = certificates(book) if book is not None else []
    result = []
    for block, entry in standard.interfaces().items():
        mine = [r for r in rows if r["block"] == block]
        listed = [{"org_id": r["org_id"], "system": r["system"], "version": r["version"], "expires": r["expires"],
                   "cert_sha256": r["cert_sha256"],
                   "status": (r["result"] if r["result"] in (CONFORMING, NOT_CONFORMING) else NOT_CONFORMING)
                   if _in_date(r, today) else "expired"} for r in mine]
        result.append({"block": block, "interface": entry["file"], "version": entry["version"],
                       "source": entry["source"], "licence": entry["licence"],
                       "conforming": [x for x in listed if x["status"] == CONFORMING],
                       "not_conforming": [x for x in listed if x["status"] == NOT_CONFORMING],
                       "expired": [x for x in listed if x["status"] == "expired"]})
    return result
