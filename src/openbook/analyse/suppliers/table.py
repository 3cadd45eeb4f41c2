"""The supplier table in the book: resolving every spelling the book holds, reading the result, and
a person's decisions (confirm, merge, split) that every later resolution keeps.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import time
from datetime import datetime, timezone

import pyarrow as pa
from rapidfuzz import fuzz, process

from openbook.analyse.suppliers.names import company_number, name_parts, org_id_numbers, vat_number
from openbook.analyse.suppliers.resolution import NameRecord, Progress, Resolution, resolve_records
from openbook.errors import UsageError
from openbook.ingest.records import to_arrow
from openbook.store.book import Book

def gather_records(book: Book) -> list[NameRecord]:
    """Distinct spellings from spend (with their numbers), contracts and grants."""
    records: list[NameRecord] = []
    for name, company_raw, lines, vat, postcode, previous in book.query(
            "SELECT supplier_name, supplier_company_number, count(*), mode(supplier_vat_number), "
            "mode(supplier_postcode), mode(supplier_id) FROM spend WHERE supplier_name IS NOT NULL "
            "GROUP BY ALL ORDER BY 1, 2 NULLS FIRST"):
        records.append(NameRecord(name=name, company_raw=company_raw, lines=lines,
                                  company=company_number(company_raw), vat=vat_number(vat),
                                  postcode=postcode, previous_id=previous))
    seen = {r.name for r in records}
    others = book.query(
        "SELECT supplier_name, supplier_id FROM contract WHERE supplier_name IS NOT NULL "
        "UNION SELECT recipient_name, recipient_id FROM \"grant\" WHERE recipient_name IS NOT NULL ORDER BY 1, 2")
    for name, org_id in others:
        company, charity = org_id_numbers(org_id)
        if name in seen and not (company or charity):
            continue  # already a spend spelling; nothing new to add
        records.append(NameRecord(name=name, company=company, charity=charity, in_spend=False))
        seen.add(name)
    return records


def resolve(book: Book, *, engine: str = "auto", spark_conf: dict[str, str] | None = None,
            progress: Progress | None = None) -> Resolution:
    """Resolve every spelling in the book and write the supplier table and spend.supplier_id.

    With engine "spark" the similar-name proposals run on Spark (the session of spark-submit or
    a notebook, or one openbook starts with `spark_conf`); the names are read from the book and
    the ids written back to it, as on DuckDB.
    """
    tick = progress or (lambda stage, fraction: None)
    scratch = Book.scratch_connection
    if engine == "spark":
        from openbook.store.engine import spark_session

        session = spark_session(spark_conf)  # before reading: a missing Java says so at once
        scratch = lambda: session  # noqa: E731
    elif spark_conf:
        raise UsageError("--spark-conf applies to --engine spark only")
    started = time.perf_counter()
    records = gather_records(book)
    tick("read names", 1.0)
    read = time.perf_counter() - started
    result = resolve_records(records, decisions=book.supplier_decisions(), resolve_org=book.resolve_org,
                             engine=engine, scratch=scratch, progress=progress)
    started = time.perf_counter()
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    for row in result.suppliers:
        row["resolved_at"] = now
    assignment = pa.table({
        "supplier_name": pa.array([a[0] for a in result.assignment], pa.string()),
        "supplier_company_number": pa.array([a[1] for a in result.assignment], pa.string()),
        "supplier_id": pa.array([a[2] for a in result.assignment], pa.string()),
    })
    book.assign_suppliers(to_arrow("supplier", result.suppliers, ""), assignment)
    tick("write", 1.0)
    result.seconds = {"read": read, **result.seconds, "write": time.perf_counter() - started}
    return result


def suppliers(book: Book, *, top: int | None = 20) -> list[dict]:
    """Suppliers by current spend, with their spellings and lines."""
    return book.suppliers(limit=top)


def supplier(book: Book, supplier_id: str) -> dict:
    rows = book.query("SELECT supplier_id FROM supplier WHERE supplier_id = ?", [supplier_id])
    if not rows:
        raise UsageError(f"no supplier {supplier_id!r} in the book; see `openbook suppliers list` "
                         f"or `openbook suppliers match NAME`")
    return book.suppliers(supplier_id=supplier_id)[0]


def match(book: Book, text: str, *, limit: int = 10) -> list[dict]:
    """The suppliers whose spellings are nearest to `text` (rapidfuzz over every alias)."""
    rows = book.query("SELECT supplier_id, canonical_name, aliases, company_number FROM supplier")
    number = company_number(text)
    choices, owners = [], []
    for supplier_id, canonical, aliases, number_of in rows:
        if number and number_of == number:
            choices.append(name_parts(text).core)  # a register number matches outright
        else:
            choices.append(None)
        owners.append((supplier_id, canonical))
        for alias in aliases or []:
            choices.append(name_parts(alias).core)
            owners.append((supplier_id, canonical, alias))
    query = name_parts(text).core
    best: dict[str, dict] = {}
    for choice, score, index in process.extract(query, choices, scorer=fuzz.token_sort_ratio,
                                                limit=max(limit * 8, 50), processor=None):
        owner = owners[index]
        if choice is None or owner[0] in best:
            continue
        best[owner[0]] = {"supplier_id": owner[0], "canonical_name": owner[1],
                          "matched": owner[2] if len(owner) > 2 else owner[1], "score": round(score, 1)}
    return sorted(best.values(), key=lambda r: (-r["score"], r["supplier_id"]))[:limit]


def decide(book: Book, action: str, supplier_id: str, *, other: str | None = None,
           split_names: list[str] | None = None, by: str | None = None, note: str | None = None) -> dict:
    """Record a person's decision about a supplier; it holds on every later resolution."""
    subject = supplier(book, supplier_id)
    names, other_names, other_id = list(subject["aliases"]), [], None
    if action == "split":
        wanted = list(dict.fromkeys(split_names or []))
        unknown = [n for n in wanted if n not in names]
        if not wanted or unknown:
            raise UsageError(f"--name must be spellings of {supplier_id}; not among its names: "
                             f"{', '.join(map(repr, unknown)) or '(none given)'}; its names are: "
                             f"{', '.join(map(repr, names))}")
        if len(wanted) == len(names):
            raise UsageError(f"splitting every name off {supplier_id} leaves nothing behind; "
                             f"name some of its spellings, not all")
        names, other_names = wanted, [n for n in names if n not in wanted]
    elif action == "merge":
        if not other or other == supplier_id:
            raise UsageError("merge needs two different supplier ids")
        other_names, other_id = list(supplier(book, other)["aliases"]), other
    elif action != "confirm":
        raise UsageError(f"unknown decision {action!r}")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    text = "\n".join([action, supplier_id, other_id or "", *names, "--", *other_names, now.isoformat()])
    record = {
        "decision_id": f"dec-{hashlib.sha256(text.encode()).hexdigest()[:12]}", "action": action,
        "supplier_id": supplier_id, "other_supplier_id": other_id, "names": names,
        "other_names": other_names, "decided_by": by or _who(), "decided_at": now, "note": note,
    }
    book.add_supplier_decision(to_arrow("supplier_decision", [record], ""))
    return record


def _who() -> str:
    try:
        return os.environ.get("OPENBOOK_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"

