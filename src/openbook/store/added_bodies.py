"""Bodies the registry lacks, recorded by a user, and the book's rule that every row names a body.

The functions take the open `Book` (store/book.py, which calls them through its methods).

An NHS trust, a parish council or a company that pays or is paid public money may be missing
from the shipped registry. A user records it once (`openbook orgs add`); it becomes an
`organisation` row like any other, so its name and aliases resolve for `--org` and for the body
column of every importer, and `body_added` keeps who added it and when.

Ids. A body given no id gets one in openbook's local scheme, ``ZZ-OPENBOOK-<NAME>``: ``ZZ`` is
an ISO 3166-1 code reserved for user assignment, which names no country, and org-id.guide's
lists all start with a country code or its own ``XI``/``XM``; so no org-id.guide identifier can
ever take this form. Give ``--id`` when the body has a real one (``GB-NHS-RR8``, ``GB-COH-…``).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from openbook import standard
from openbook.errors import UsageError

LOCAL_SCHEME = "ZZ-OPENBOOK"
_ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]+-\S+$")  # the organisation schema's pattern
# Tables whose rows may name a body outside the registry by the publisher's own identifier instead.
_OTHER_BODY_ID = {"contract": "buyer_id", "grant": "funder_id"}


def local_org_id(name: str, taken: set[str]) -> str:
    """An id in openbook's local scheme from the body's name, numbered when the name is taken."""
    stem = re.sub(r"[^A-Z0-9]+", "-", standard.normalise_org_name(name).upper()).strip("-")[:60] or "BODY"
    org_id, number = f"{LOCAL_SCHEME}-{stem}", 2
    while org_id in taken:
        org_id, number = f"{LOCAL_SCHEME}-{stem}-{number}", number + 1
    return org_id


def add_body(book, *, name: str, kind: str, added_by: str, org_id: str | None = None,
             parent: str | None = None, population: int | None = None, aliases: list[str] | None = None) -> dict:
    """Record one body the book lacks; a usage error, in words, when it would clash or is malformed."""
    name = name.strip()
    if not name:
        raise UsageError("a body needs a name")
    kinds = {row["code"] for row in standard.code_list("organisation_kinds")}
    if kind not in kinds:
        raise UsageError(f"--kind {kind!r} is not an organisation kind; one of: {', '.join(sorted(kinds))}")
    if population is not None and population < 0:
        raise UsageError(f"--population {population} cannot be negative")
    aliases = [a.strip() for a in aliases or [] if a.strip()]
    index = book.org_index()
    for label in (name, *aliases):
        how, found = index.match(label)
        if found:
            named = "; ".join(f"{o} ({index.names[o]})" for o in found)
            raise UsageError(f"{label!r} already names {named} in the book (by {how}); "
                             "add nothing, or choose a name no body goes by")
    taken = {row[0] for row in book.query("SELECT org_id FROM organisation")}
    if org_id:
        org_id = org_id.strip()
        if not _ORG_ID.match(org_id):
            raise UsageError(f"--id {org_id!r} is not an org-id (SCHEME-REGISTER-ID, e.g. GB-NHS-RR8); "
                             f"leave it out for one in openbook's local scheme ({LOCAL_SCHEME}-…)")
        if org_id in taken:
            raise UsageError(f"--id {org_id} is already a body in the book")
    else:
        org_id = local_org_id(name, taken)
    parent_id = book.require_org(parent, option="--parent") if parent else None
    body = {"org_id": org_id, "name": name, "kind": kind, "parent_id": parent_id, "population_served": population,
            "staff_fte": None, "aliases": aliases}
    added_at = datetime.now(timezone.utc).replace(tzinfo=None)
    with book.transaction():
        book.upsert_organisations([body])
        book.con.execute("INSERT INTO body_added VALUES (?, ?, ?)", [org_id, added_by, added_at])
    return {**body, "added": True, "added_by": added_by, "added_at": added_at}


def _held(book) -> bool:
    """A book made before bodies could be added, opened read-only, has no body_added table: none added."""
    return bool(book.query("SELECT 1 FROM duckdb_tables() WHERE table_name = 'body_added' AND schema_name = 'main'"))


def added_ids(book) -> list[str]:
    return [row[0] for row in book.query("SELECT org_id FROM body_added")] if _held(book) else []


def bodies(book, *, added_only: bool = False) -> list[dict]:
    """Bodies in the book (registry and added), each marked `added` with who added it and when."""
    if not _held(book):
        return [] if added_only else book._dicts(
            "SELECT *, false AS added, NULL AS added_by, NULL::TIMESTAMP AS added_at FROM organisation "
            "ORDER BY name, org_id")
    where = "WHERE b.org_id IS NOT NULL" if added_only else ""
    return book._dicts(
        "SELECT o.*, b.org_id IS NOT NULL AS added, b.added_by, b.added_at FROM organisation o "
        f"LEFT JOIN body_added b USING (org_id) {where} ORDER BY o.name, o.org_id")


def rows_without_body(book) -> dict[str, int]:
    """Rows stored with an empty org_id, by table (the book's invariant: none).

    An empty string is never a body. A missing org_id is allowed only where the row names its
    body by the publisher's own identifier (a contract's buyer_id, a grant's funder_id).
    """
    found = {}
    for table in standard.table_names():
        fields = {f["name"] for f in standard.load_schema(table)["fields"]}
        if "org_id" not in fields or table == "organisation":
            continue
        other = _OTHER_BODY_ID.get(table)
        missing = f"org_id IS NULL AND coalesce({other}, '') = ''" if other in fields else "org_id IS NULL"
        (count,) = book.query(f"SELECT count(*) FROM \"{table}\" WHERE trim(org_id) = '' OR ({missing})")[0]
        if count:
            found[table] = count
    return found


def unresolved_bodies(book, *, limit: int = 20) -> list[dict]:
    """Body names that quarantined rows because the book knows no such body, most rows first, each
    with the command that fixes it: record the body, or load the file under --org."""
    rows = book._dicts(
        "SELECT coalesce(q.raw_value, '') AS name, count(DISTINCT (q.source_sha256, q.source_line)) AS rows, "
        "count(DISTINCT q.source_sha256) AS files, min(q.message) AS message, min(s.path) AS example_path "
        "FROM quarantine q JOIN source s ON s.sha256 = q.source_sha256 "
        "WHERE q.code = 'unknown-organisation' AND s.status <> 'superseded' "
        f"GROUP BY ALL ORDER BY rows DESC, name LIMIT {int(limit)}")
    for row in rows:
        row["fix"] = (f"openbook orgs add {_quoted(row['name'])} --kind KIND" if row["name"]
                      else f"openbook ingest {_quoted(row['example_path'])} --org BODY")
    return rows


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'" if re.search(r"[^\w./-]", text) else text


def resolves_quarantined_bodies(book, sha256: str) -> bool:
    """Whether a current file quarantined rows for a body name the book now resolves (one added since):
    loading the file again then accepts them. A superseded file stays as it is."""
    names = book.query("SELECT DISTINCT q.raw_value FROM quarantine q JOIN source s ON s.sha256 = q.source_sha256 "
                       "WHERE q.source_sha256 = ? AND s.status = 'current' AND q.code = 'unknown-organisation' "
                       "AND coalesce(q.raw_value, '') <> ''", [sha256])
    return any(book.resolve_org(name) for (name,) in names)
