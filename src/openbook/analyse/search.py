"""Find a body or a supplier by name: exact names first, then names that start with the words typed.

Case-insensitive over names, aliases and ids (a supplier's every published spelling), ranked
exact (0), prefix (1), a word of the name starting with it (2), anywhere in the name (3); larger
spend first within a rank. Run in DuckDB so a national supplier table is not read into Python.
"""

from __future__ import annotations

from openbook.store.book import Book

MIN_LENGTH = 2

_RANK = """CASE
    WHEN lower(name) = $q OR lower(id) = $q OR list_contains(list_transform(names, lambda a: lower(a)), $q) THEN 0
    WHEN starts_with(lower(name), $q) OR len(list_filter(names, lambda a: starts_with(lower(a), $q))) > 0 THEN 1
    WHEN contains(' ' || lower(name), ' ' || $q)
      OR len(list_filter(names, lambda a: contains(' ' || lower(a), ' ' || $q))) > 0 THEN 2
    ELSE 3 END"""
_MATCH = ("(contains(lower(name), $q) OR contains(lower(id), $q) "
          "OR len(list_filter(names, lambda a: contains(lower(a), $q))) > 0)")


def bodies(book: Book, text: str, *, limit: int = 50) -> list[dict]:
    """Bodies whose name, alias or id contains `text`, best match first, with their current spend."""
    sql = f"""
        WITH candidate AS (
            SELECT o.org_id AS id, o.name, coalesce(o.aliases, []) AS names, o.kind,
                   t.total_gbp, coalesce(t.lines, 0) AS lines
            FROM organisation o LEFT JOIN (
                SELECT org_id, sum(amount_gbp) AS total_gbp, count(*) AS lines FROM spend_current GROUP BY ALL
            ) t USING (org_id))
        SELECT id AS org_id, name, kind, total_gbp, lines, names AS aliases, {_RANK} AS rank
        FROM candidate WHERE {_MATCH}
        ORDER BY rank, total_gbp DESC NULLS LAST, name, org_id LIMIT {int(limit)}"""
    return _dicts(book, sql, text)


def suppliers(book: Book, text: str, *, limit: int = 50) -> list[dict]:
    """Suppliers whose canonical name, any published spelling or id contains `text`, best match first."""
    sql = f"""
        WITH candidate AS (
            SELECT s.supplier_id AS id, s.canonical_name AS name, coalesce(s.aliases, []) AS names,
                   t.total_gbp, coalesce(t.bodies, 0) AS bodies
            FROM supplier s LEFT JOIN (
                SELECT supplier_id, sum(amount_gbp) AS total_gbp, count(DISTINCT org_id) AS bodies
                FROM spend_current WHERE supplier_id IS NOT NULL GROUP BY ALL
            ) t ON t.supplier_id = s.supplier_id)
        SELECT id AS supplier_id, name AS canonical_name, total_gbp, bodies, names AS aliases, {_RANK} AS rank
        FROM candidate WHERE {_MATCH}
        ORDER BY rank, total_gbp DESC NULLS LAST, name, supplier_id LIMIT {int(limit)}"""
    return _dicts(book, sql, text)


def _dicts(book: Book, sql: str, text: str) -> list[dict]:
    result = book.con.execute(sql, {"q": text.strip().lower()})
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]
