"""The one place that opens DuckDB connections and writes the book.

A source file is loaded in one transaction keyed by its SHA-256: the same bytes again change
nothing, a failed or killed load leaves the book as it was (DuckDB rolls back an uncommitted
transaction on the next open), and a corrected re-publication of the same body and period
supersedes the earlier version while both stay in `source`.

Only writers open the book file itself, one process at a time (a second waits its turn). Closing
a writable book publishes a read copy of it; a read-only Book opens the current copy, so reading
never keeps a writer out (store/snapshots.py says why and how).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from openbook import standard
from openbook.errors import BookError, UsageError
from openbook.store import added_bodies, judged, schema, snapshots

DEFAULT_BOOK = Path("openbook.duckdb")
# DuckDB settings a user can give every book this process opens (the CLI's --memory-limit and
# --temp-directory set them too): at national scale the limit keeps the machine usable, and
# DuckDB spills what does not fit into the temporary directory (by default `<book>.tmp`).
SETTINGS = {"memory_limit": "OPENBOOK_MEMORY_LIMIT", "temp_directory": "OPENBOOK_TEMP_DIRECTORY"}
LOCK_WAIT_SECONDS = 600  # how long a writer waits for another to finish
UPDATE_BLOCK_ROWS = 2_000_000  # rows per transaction in an update of a whole table (see Book._row_blocks)


@dataclass
class SourceRecord:
    """What the book keeps about one file; mirrors the standard's `source` table."""

    sha256: str
    path: str
    file_name: str
    size_bytes: int
    dataset: str
    adapter: str
    format: str
    encoding: str | None = None
    dialect: dict | None = None
    publisher: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_structural: int = 0
    amount_accepted_pence: int = 0
    status: str = "current"
    supersedes: str | None = None
    superseded_by: str | None = None
    rejection_code: str | None = None
    rejection_message: str | None = None
    options: dict | None = None
    loaded_at: datetime | None = None


class Book:
    """A DuckDB book file created from the standard's schemas."""

    def __init__(self, path: Path | str = DEFAULT_BOOK, *, read_only: bool = False, memory_limit: str | None = None,
                 copy: snapshots.Snapshot | None = None, wait: float | None = None):
        """Writable: the book itself, waiting while another process writes it (OPENBOOK_LOCK_WAIT seconds).
        `wait` overrides that many seconds. Read-only: its current read copy (store/snapshots.py), or
        `copy` if given; the book itself only when no copy is as new and no process writes it."""
        self.path = Path(path)
        self.read_only, self.snapshot, self._view = read_only, copy, False
        self.publishes = not read_only  # whether closing publishes a read copy (see close)
        if read_only and not self.path.exists() and copy is None:
            raise BookError(f"no book at {self.path}; create one with `openbook init --book {self.path}`")
        self.con = self._connect_reader() if read_only else self._connect_writer(wait)
        for setting, variable in SETTINGS.items():
            value = memory_limit if setting == "memory_limit" and memory_limit else os.environ.get(variable)
            if value:
                try:
                    self.con.execute(f"SET {setting} = ?", [value])
                except duckdb.Error as error:
                    self.con.close()
                    raise BookError(f"{variable}={value!r} is not a valid DuckDB {setting}: {error}") from None
        if not read_only:
            # The default (16 MB of WAL) checkpoints after every few files and re-compresses the
            # same row groups again and again (a third of ingest time on monthly files); 64 MB
            # keeps most of that gain and DuckDB's memory bounded. The book checkpoints on close.
            self.con.execute("SET checkpoint_threshold = '64MB'")
        if not read_only:
            self.ensure_schema()
        else:
            self._check_schema()
        self._org_index: dict[str, str] | None = None
        self._transaction_open = False
        self.engine = None  # an Ibis backend analyses read through instead (store/engine.py)

    def _connect_writer(self, wait: float | None) -> duckdb.DuckDBPyConnection:
        wait = float(os.environ.get("OPENBOOK_LOCK_WAIT", LOCK_WAIT_SECONDS)) if wait is None else wait
        deadline = time.monotonic() + wait
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.Error as error:
                if not snapshots.is_locked(error) or time.monotonic() >= deadline:
                    held = f" (another process has held it for {wait:g} s; OPENBOOK_LOCK_WAIT sets how long to wait)" \
                        if snapshots.is_locked(error) else ""
                    raise BookError(f"cannot open the book {self.path} to write it{held}: {error}") from None
            time.sleep(0.2)

    def _connect_reader(self) -> duckdb.DuckDBPyConnection:
        if self.snapshot is not None:  # the copy the caller chose, and no other (never the book itself)
            try:
                return duckdb.connect(str(self.snapshot.path), read_only=True)
            except duckdb.Error as error:
                raise BookError(f"cannot open the read copy {self.snapshot.path}: {error}") from None
        for _ in range(5):  # a copy may be pruned between reading the pointer and opening it: read it again
            copy = snapshots.current(self.path)
            try:
                if copy is not None and snapshots.is_fresh(self.path, copy):
                    self.snapshot = copy
                    return duckdb.connect(str(copy.path), read_only=True)
                try:
                    return duckdb.connect(str(self.path), read_only=True)
                except duckdb.Error as error:
                    if not snapshots.is_locked(error):
                        raise
                    if copy is None:
                        raise BookError(f"the book {self.path} is being written by another process and has no read "
                                        "copy yet; try again when that write finishes") from None
                    self.snapshot = copy  # the last version published: consistent, if not the newest
                    return duckdb.connect(str(copy.path), read_only=True)
            except duckdb.Error as error:
                if self.snapshot is None or self.snapshot.path.exists():
                    raise BookError(f"cannot open the book {self.path}: {error}") from None
                self.snapshot = None
        raise BookError(f"cannot open the book {self.path}: its read copies changed five times while opening it")

    @contextmanager
    def memory_capped(self, limit: str) -> Iterator[None]:
        """DuckDB's memory limit lowered for a bulk load, then restored (it spills beyond it)."""
        previous = self.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        self.con.execute(f"SET memory_limit = '{limit}'")
        try:
            yield
        finally:
            self.con.execute(f"SET memory_limit = '{previous}'")

    def cursor(self) -> Book:
        """A Book on its own cursor of this connection: one per web request or thread (DuckDB's rule)."""
        view = object.__new__(Book)
        view.__dict__.update(self.__dict__)
        view.con = self.con.cursor()
        view._transaction_open = False
        view._view = True
        return view

    def checkpoint(self) -> None:
        self.con.execute("CHECKPOINT")

    def close(self) -> None:
        """Closing a writable book publishes what it committed as the new read copy (store/snapshots.py)."""
        if self.publishes and not self._view and self.path.exists():
            try:
                self.con.execute("CHECKPOINT")
                snapshots.publish(self.path)
            except (duckdb.Error, OSError):
                pass  # the book is intact; readers see the previous copy until the next write publishes
        self.con.close()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema and organisations -------------------------------------------------------

    def ensure_schema(self) -> None:
        for statement in schema.ddl() + judged.DDL:
            self.con.execute(statement)
        self._add_new_columns()
        # Bodies the shipped registry gained since the book was made join it (none is changed).
        held = {row[0] for row in self.con.execute("SELECT org_id FROM organisation").fetchall()}
        missing = [org for org in standard.organisation_registry() if org["org_id"] not in held]
        if missing:
            self.upsert_organisations(missing)

    def _check_schema(self) -> None:
        """A book opened read-only cannot gain what the standard added since it was made: say so
        at once, rather than fail on the first query that reads a missing table or field."""
        lacking = sorted(self._missing(), key=lambda pair: pair[1] is not None)  # whole tables first
        missing = [table if field is None else f"{table}.{field['name']}" for table, field in lacking]
        if missing:
            self.con.close()
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise BookError(f"the book {self.path} was made by an earlier openbook and lacks {shown}; "
                            f"open it once writable to bring it up to date: `openbook init --book {self.path}`")

    def _add_new_columns(self) -> None:
        """A book made by an earlier version gains the fields the standard has added since (as NULLs)."""
        for table, field in self._missing():
            if field is not None:
                self.con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{field["name"]}" {schema.column_type(field)}')

    def _missing(self) -> list[tuple[str, dict | None]]:
        """The standard's tables (field None) and fields this book does not have."""
        existing: dict[str, set[str]] = {}
        for table, column in self.con.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'").fetchall():
            existing.setdefault(table, set()).add(column)
        missing: list[tuple[str, dict | None]] = []
        for table in standard.table_names():
            if table not in existing:
                missing.append((table, None))
                continue
            missing += [(table, field) for field in standard.load_schema(table)["fields"]
                        if field["name"] not in existing[table]]
        return missing

    def upsert_organisations(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert or update organisations by org_id; returns how many rows were written."""
        names = schema.field_names("organisation")
        records = list(rows)
        if not records:
            return 0
        table = pa.table({
            "org_id": pa.array([r["org_id"] for r in records], pa.string()),
            "name": pa.array([r.get("name") for r in records], pa.string()),
            "kind": pa.array([r.get("kind") for r in records], pa.string()),
            "parent_id": pa.array([r.get("parent_id") for r in records], pa.string()),
            "population_served": pa.array([r.get("population_served") for r in records], pa.int64()),
            "staff_fte": pa.array([r.get("staff_fte") for r in records], pa.float64()),
            "aliases": pa.array([list(r.get("aliases") or []) for r in records], pa.list_(pa.string())),
        })
        updates = ", ".join(f"{n} = excluded.{n}" for n in names if n != "org_id")
        self.con.register("_organisations", table)
        try:
            self.con.execute(f"INSERT INTO organisation BY NAME SELECT * FROM _organisations "
                             f"ON CONFLICT (org_id) DO UPDATE SET {updates}")
        finally:
            self.con.unregister("_organisations")
        self._org_index = None
        return len(records)

    def org_index(self) -> standard.OrgIndex:
        """Normalised names, aliases and ids → org_id: what resolve_org looks up (see lookup_org)."""
        if self._org_index is None:
            added = frozenset(added_bodies.added_ids(self))
            self._org_index = build_org_index(self.con.execute(
                "SELECT org_id, name, aliases FROM organisation ORDER BY org_id").fetchall(),
                deferring=added | standard.listed_only())
        return self._org_index

    def resolve_org(self, name_or_id: str) -> str | None:
        """The org_id a body's name, alias or id refers to, or None."""
        return lookup_org(self.org_index(), name_or_id)

    def require_org(self, name_or_id: str, *, option: str | None = None) -> str:
        """The org_id a body's name, alias or id refers to, or a usage error naming what was given.

        `option` names the command-line option the text came from (`--org`), so the sentence
        points at it.
        """
        org_id = self.resolve_org(name_or_id)
        index = self.org_index()  # the registry and the bodies users added
        if org_id is None and len(candidates := [(o, index.names[o]) for o in index.candidates(name_or_id)]) > 1:
            prefix = f"{option} " if option else ""
            raise UsageError(f"{prefix}{standard.AmbiguousOrganisation(name_or_id, candidates)}")
        if org_id is None:
            if option:
                raise UsageError(f"{option} {name_or_id!r} is not a body in the book")
            raise UsageError(f"no body {name_or_id!r} in the book (give an org id or a registered name)")
        return org_id

    def add_body(self, *, name: str, kind: str, added_by: str, org_id: str | None = None, parent: str | None = None,
                 population: int | None = None, aliases: list[str] | None = None) -> dict:
        """Record a body the registry lacks, with who added it (see store/added_bodies.py)."""
        return added_bodies.add_body(self, name=name, kind=kind, added_by=added_by, org_id=org_id, parent=parent,
                                     population=population, aliases=aliases)

    def bodies(self, *, added_only: bool = False) -> list[dict]:
        """Every body in the book, each marked `added` (by a user) or not (the registry)."""
        return added_bodies.bodies(self, added_only=added_only)

    def rows_without_body(self) -> dict[str, int]:
        """Rows stored with an empty org_id, by table: the book's invariant is that there are none."""
        return added_bodies.rows_without_body(self)

    def unresolved_bodies(self, *, limit: int = 20) -> list[dict]:
        """Body names that quarantined rows, each with the command that fixes it."""
        return added_bodies.unresolved_bodies(self, limit=limit)

    # -- sources --------------------------------------------------------------------------

    def source(self, sha256: str) -> dict | None:
        rows = self._dicts("SELECT * FROM source WHERE sha256 = ?", [sha256])
        return rows[0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything written inside is committed together, or rolled back if anything raises.

        Inside a transaction already open on this book, it joins that one: the failure then
        propagates to whoever opened it, which rolls the whole of it back.
        """
        if self._transaction_open:
            yield
            return
        self.con.execute("BEGIN TRANSACTION")
        self._transaction_open = True
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")
        finally:
            self._transaction_open = False

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open: a failure inside must then reach whoever opened it."""
        return self._transaction_open

    @contextmanager
    def loading(self) -> Iterator[Loader]:
        """One transaction for one file: everything or nothing (inside a `group`, the group's)."""
        with self.transaction():
            yield Loader(self)

    @contextmanager
    def group(self) -> Iterator[None]:
        """Several files in one transaction: each still all or nothing, one commit (one fsync)."""
        with self.transaction():
            yield

    def record_source(self, record: SourceRecord) -> None:
        """Write the source row; the caller has already written its records in this transaction."""
        record.loaded_at = record.loaded_at or datetime.now(timezone.utc).replace(tzinfo=None)
        if record.status == "current" and record.period_start and record.publisher:
            older = self.con.execute(
                "SELECT sha256 FROM source WHERE status = 'current' AND dataset = ? AND publisher = ? "
                "AND period_start = ? AND period_end = ? AND sha256 <> ? ORDER BY loaded_at DESC",
                [record.dataset, record.publisher, record.period_start, record.period_end, record.sha256],
            ).fetchall()
            replaced = [sha for (sha,) in older if self._is_republication(record.sha256, sha)]
            if replaced:
                record.supersedes = replaced[0]
                self.con.execute(
                    f"UPDATE source SET status = 'superseded', superseded_by = ? "
                    f"WHERE sha256 IN ({', '.join('?' for _ in replaced)})", [record.sha256, *replaced])
        names = schema.field_names("source")
        values = {**record.__dict__, "amount_accepted_gbp": _pence_to_decimal_text(record.amount_accepted_pence)}
        values["dialect"] = json.dumps(record.dialect) if record.dialect is not None else None
        values["options"] = json.dumps(record.options) if record.options is not None else None
        self.con.execute(
            f"INSERT INTO source ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            [values.get(n) for n in names])

    def _is_republication(self, new: str, old: str) -> bool:
        """A correction repeats most of the lines it corrects; two halves of a month share none.

        Same body and period is not enough: publishers split a month across files, and a card
        file and a supplier file cover the same months. At least half of the smaller file's
        lines (by reference, date and amount) must reappear in the other.
        """
        shared, smaller = self.con.execute(
            """WITH a AS (SELECT txn_ref, paid_on, amount_gbp FROM spend WHERE source_sha256 = ?),
                    b AS (SELECT txn_ref, paid_on, amount_gbp FROM spend WHERE source_sha256 = ?)
               SELECT (SELECT count(*) FROM (SELECT * FROM a INTERSECT ALL SELECT * FROM b)),
                      least((SELECT count(*) FROM a), (SELECT count(*) FROM b))""", [new, old]).fetchone()
        return smaller > 0 and shared * 2 >= smaller

    def forget_rejection(self, sha256: str) -> None:
        """A rejected file may be retried (say, after adding a header synonym)."""
        self.con.execute("DELETE FROM source WHERE sha256 = ? AND status = 'rejected'", [sha256])
        self.con.execute("DELETE FROM quarantine WHERE source_sha256 = ?", [sha256])

    def reload_needed(self, sha256: str) -> bool:
        """A current file whose quarantined body names now resolve (see added_bodies) is loaded again."""
        return added_bodies.resolves_quarantined_bodies(self, sha256)

    def forget_source(self, sha256: str) -> None:
        """Remove a loaded file's rows, problems and source row, so that it is loaded again: only inside
        the transaction that loads it again, so that a failure leaves the earlier load in place."""
        for table in standard.table_names():
            if table != "source" and "source_sha256" in schema.field_names(table):
                self.con.execute(f'DELETE FROM "{table}" WHERE source_sha256 = ?', [sha256])
        self.con.execute("DELETE FROM source WHERE sha256 = ?", [sha256])

    # -- reading ---------------------------------------------------------------------------

    def status(self) -> dict:
        """Sources by dataset and status, current spend, problems by code, and classification coverage."""
        total, lines, bodies = self.con.execute(
            "SELECT coalesce(sum(amount_gbp), 0), count(*), count(DISTINCT org_id) FROM spend_current").fetchone()
        sources = self._dicts(
            "SELECT dataset, status, count(*) AS files, coalesce(sum(rows_read), 0) AS rows_read, "
            "coalesce(sum(rows_accepted), 0) AS accepted, coalesce(sum(rows_quarantined), 0) AS quarantined, "
            "coalesce(sum(rows_structural), 0) AS structural FROM source GROUP BY ALL ORDER BY ALL")
        problems = self._dicts(
            "SELECT severity, code, count(DISTINCT (source_sha256, source_line)) AS rows FROM quarantine "
            "GROUP BY ALL ORDER BY severity, rows DESC, code")
        coverage = self.classification_coverage("spend", "amount_gbp", by="org_id")
        return {"book": str(self.path), "total_gbp": total, "lines": lines, "bodies": bodies,
                "sources": sources, "problems": problems, "unresolved_bodies": self.unresolved_bodies(),
                "rows_without_body": self.rows_without_body(),
                "classification": {"overall": coverage["overall"], "bodies": coverage["groups"]}}

    def problems(self, *, file: str | None = None, code: str | None = None, everything: bool = False,
                 limit: int | None = 50) -> tuple[list[dict], int]:
        """Quarantine rows joined to their file; returns (rows, total before the limit)."""
        where, params = ["TRUE"], []
        if not everything:
            where.append("q.severity = 'error'")
        if code:
            where.append("q.code = ?")
            params.append(code)
        if file:
            where.append("(s.file_name = ? OR s.path = ? OR s.sha256 LIKE ?)")
            params += [file, file, f"{file}%"]
        base = (f"FROM quarantine q JOIN source s ON s.sha256 = q.source_sha256 WHERE {' AND '.join(where)}")
        total = self.con.execute(f"SELECT count(*) {base}", params).fetchone()[0]
        rows = self._dicts(
            f"SELECT s.file_name, s.path, q.source_sha256, q.source_line, q.severity, q.code, q.column_name, "
            f"q.column_number, q.raw_value, q.message, q.raw_row {base} "
            f"ORDER BY s.path, q.source_line, q.column_number NULLS FIRST"
            + (f" LIMIT {int(limit)}" if limit else ""), params)
        return rows, total

    def findings(self, *, kind: str | None = None, org: str | None = None, limit: int | None = None,
                 headlined: bool = False) -> list[dict]:
        """Stored findings, largest £ first, those that still need review after the rest; optionally of
        one kind or concerning one body, or (headlined) only those needing no review or confirmed on one."""
        where, params = ["TRUE"], []
        if headlined:
            where.append("(NOT coalesce(needs_review, false) OR status = 'confirmed')")
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if org:
            where.append("list_contains(org_ids, ?)")
            params.append(org)
        return self._dicts(f"SELECT * FROM finding WHERE {' AND '.join(where)} "
                           "ORDER BY (coalesce(needs_review, false) AND status = 'open'), gbp_at_stake DESC, "
                           "finding_id" + (f" LIMIT {int(limit)}" if limit else ""), params)

    # -- classification (the pass itself is analyse/classify/apply.py; these are its reads and writes) --------

    def forget_judged_values(self, rules_sha256: str) -> None:
        """Forget the values judged under other rules (see store/judged.py)."""
        judged.forget_other_rules(self, rules_sha256)

    def unjudged_values(self, table: str, field: str, uncoded_only: bool = False) -> pa.Table:
        """The distinct values of one field that rules read, over rows not coded by their publisher,
        less those judged before (see store/judged.py); with `uncoded_only`, over the rows no pass
        has coded."""
        return judged.unjudged_values(self, table, field, f"NOT {_publisher_coded(table)}"
                                      + (" AND t.classified_by IS NULL" if uncoded_only else ""))

    def classification_pass(self, table: str) -> str | None:
        """The rules fingerprint of the last pass over a table that finished, if the book keeps one."""
        return judged.finished_pass(self, table)

    def set_classification_pass(self, table: str, rules_sha256: str | None) -> None:
        judged.set_finished_pass(self, table, rules_sha256)

    def keep_judged_values(self, table: str, field: str, rules_sha256: str, values: pa.Table) -> None:
        judged.keep_judged(self, table, field, rules_sha256, values)

    def judged_pairs(self, table: str, field: str) -> tuple[pa.Table, list[tuple[int | None, int | None]]]:
        return judged.judged_pairs(self, table, field)

    def classification_combos(self, table: str, fields: list[str], matched: list[pa.Table],
                              amount: str | None, uncoded_only: bool = False) -> pa.Table:
        """Rows not coded by their publisher, counted by the pair numbers their fields' values map to.

        `matched[i]` maps values of `fields[i]` to a pair (0 where none matches). Each combination
        carries its current rows and their £ gross (credits at their size), so the pass can say how
        much work each rule did without reading the table again. With `uncoded_only`, only the
        rows no pass has coded are counted.
        """
        uncoded = " AND t.classified_by IS NULL" if uncoded_only else ""
        gross = f'coalesce(sum(abs(t."{amount}")) FILTER (WHERE {_CURRENT}), 0)' if amount else "NULL::DECIMAL(18,2)"
        with self._registered(matched) as names:
            pairs = ", ".join(f"coalesce({n}.pair, 0) AS pair{i}" for i, n in enumerate(names))
            return self.con.execute(
                f"SELECT {pairs}, count(*) FILTER (WHERE {_CURRENT}) AS rows, {gross} AS gbp "
                f'FROM "{table}" t LEFT JOIN source src ON src.sha256 = t.source_sha256 {_pair_joins(fields, names)} '
                f"WHERE NOT {_publisher_coded(table)}{uncoded} GROUP BY ALL ORDER BY ALL").fetch_arrow_table()

    def apply_classification(self, table: str, fields: list[str], matched: list[pa.Table], mapping: pa.Table,
                             uncoded_only: bool = False) -> None:
        """Set function, capability, classified_by and confidence from a mapping of pair combinations.

        In each block of rows (see `_row_blocks`), in one transaction: codes a file gave itself
        are marked 'publisher' and kept; everything an earlier pass set is cleared; then rows
        whose fields' pairs (see classification_combos) are a combination in the mapping take its
        codes. Rows in no combination stay unclassified, never dropped. A pass stopped midway
        leaves each row with the codes of the earlier pass or of this one; the next pass finishes.
        With `uncoded_only` the codes earlier passes set are kept (they are the same rules').
        """
        with self._registered([*matched, mapping]) as names:
            *values, combos = names
            on = " AND ".join(f"{combos}.pair{i} = coalesce({n}.pair, 0)" for i, n in enumerate(values))
            capability = "capability = m.capability, " if _has_capability(table) else ""
            for first, last in self._row_blocks(table):
                block, rows = f"rowid BETWEEN {first} AND {last}", f"t.rowid BETWEEN {first} AND {last}"
                with self.transaction():
                    self.con.execute(
                        f'UPDATE "{table}" SET classified_by = \'publisher\', '
                        f"classification_confidence = coalesce(classification_confidence, 1) "
                        f"WHERE classified_by IS NULL AND {_has_code(table)} AND {block}")
                    if not uncoded_only:
                        self.con.execute(
                            f'UPDATE "{table}" SET function = NULL, {_capability_null(table)} classified_by = NULL, '
                            f"classification_confidence = NULL "
                            f"WHERE (classified_by LIKE 'rules:%' OR classified_by LIKE 'user:%') AND {block}")
                    if mapping.num_rows and fields:
                        self.con.execute(
                            f'UPDATE "{table}" SET function = m.function, {capability}'
                            f"classified_by = m.classified_by, classification_confidence = m.classification_confidence "
                            f"FROM (SELECT t.rowid AS rid, {combos}.* FROM \"{table}\" t {_pair_joins(fields, values)} "
                            f"JOIN {combos} ON {on} WHERE t.classified_by IS NULL AND {rows}) m "
                            f'WHERE "{table}".rowid = m.rid')

    def _row_blocks(self, table: str) -> Iterator[tuple[int, int]]:
        """The first and last rowid of each block of UPDATE_BLOCK_ROWS rows of a table.

        DuckDB holds an update's old values in memory until it commits (about 200 bytes a row
        for the four classification columns): 20 GB for one update of 100M rows. Committing a
        block at a time keeps it to a few hundred MB at any size.
        """
        (end,) = self.con.execute(f'SELECT coalesce(max(rowid) + 1, 0) FROM "{table}"').fetchone()
        for start in range(0, max(end, 1), UPDATE_BLOCK_ROWS):
            yield start, start + UPDATE_BLOCK_ROWS - 1

    @contextmanager
    def _registered(self, tables: list[pa.Table]) -> Iterator[list[str]]:
        """Arrow tables visible to SQL as _arrow0, _arrow1, … for the length of a block."""
        names = [f"_arrow{i}" for i in range(len(tables))]
        for name, table in zip(names, tables):
            self.con.register(name, table)
        try:
            yield names
        finally:
            for name in names:
                self.con.unregister(name)

    def classification_coverage(self, table: str = "spend", amount: str | None = "amount_gbp",
                                by: str | None = None) -> dict:
        """Current rows and £ (gross) classified and not, overall or by one column ('org_id', 'function').

        A row counts as classified when it has a function or a capability. The two parts always
        add up to the whole, to the penny.
        """
        classified = _has_code(table, "t.")
        gross = f'abs(t."{amount}")' if amount else "NULL::DECIMAL(18,2)"
        select = (f"count(*) AS rows, count(*) FILTER (WHERE {classified}) AS rows_classified, "
                  f"coalesce(sum({gross}), 0) AS gbp, coalesce(sum({gross}) FILTER (WHERE {classified}), 0) "
                  f"AS gbp_classified")
        base = f'FROM "{table}" t LEFT JOIN source src ON src.sha256 = t.source_sha256 WHERE {_CURRENT}'
        overall = self._dicts(f"SELECT {select} {base}")[0]
        result: dict = {"table": table, "overall": overall}
        if by:
            result["groups"] = self._dicts(f'SELECT t."{by}" AS {by}, {select} {base} GROUP BY ALL '
                                           f"ORDER BY gbp DESC, rows DESC, {by} NULLS LAST")
        return result

    def record_classification_mapping(self, *, name: str, path: str, sha256: str, text: str, rules: int) -> None:
        """Keep a user's mapping file as-is (text and SHA-256) as the current 'classification' source."""
        lines = len(text.splitlines())
        with self.transaction():
            self.con.execute("UPDATE source SET status = 'superseded', superseded_by = ? "
                             "WHERE dataset = 'classification' AND status = 'current' AND sha256 <> ?", [sha256, sha256])
            self.con.execute("DELETE FROM source WHERE sha256 = ? AND dataset = 'classification'", [sha256])
            self.record_source(SourceRecord(
                sha256=sha256, path=path, file_name=name, size_bytes=len(text.encode("utf-8")),
                dataset="classification", adapter="user-mapping", format="csv", encoding="utf-8",
                rows_read=lines, rows_accepted=rules, rows_structural=lines - rules, options={"text": text}))

    def drop_classification_mapping(self) -> None:
        """Stop applying the current user mapping; it stays in `source` as superseded, for the record."""
        self.con.execute("UPDATE source SET status = 'superseded' WHERE dataset = 'classification' "
                         "AND status = 'current'")

    def classification_mapping(self) -> dict | None:
        """The user mapping in force: {'name', 'sha256', 'text'}, or None."""
        rows = self._dicts("SELECT file_name AS name, sha256, options ->> 'text' AS text FROM source "
                           "WHERE dataset = 'classification' AND status = 'current' ORDER BY loaded_at DESC LIMIT 1")
        return rows[0] if rows else None

    # -- suppliers -------------------------------------------------------------------------

    def assign_suppliers(self, suppliers: pa.Table, assignment: pa.Table) -> int:
        """Replace the supplier table and set spend.supplier_id from (name, company number) → id;
        spellings not in the assignment get null. Returns spend rows updated.

        The supplier table is replaced in one transaction, then spend is updated a block of rows
        per transaction (see `_row_blocks`); a run stopped midway is finished by the next.
        """
        with self.loading():
            self.con.execute("DELETE FROM supplier")
            with self._registered([suppliers]) as (table,):
                self.con.execute(f"INSERT INTO supplier BY NAME SELECT * FROM {table}")
        updated = 0
        with self._registered([assignment]) as (table,):
            for first, last in self._row_blocks("spend"):
                with self.loading():
                    # One pass over the block: the join finds each row's id, or null for a withheld name.
                    updated += self.con.execute(
                        "UPDATE spend SET supplier_id = m.supplier_id FROM ("
                        f"  SELECT s.rowid AS rid, a.supplier_id FROM spend s LEFT JOIN {table} a"
                        "  ON a.supplier_name = s.supplier_name"
                        "  AND a.supplier_company_number IS NOT DISTINCT FROM s.supplier_company_number"
                        f"  WHERE s.rowid BETWEEN {first} AND {last}"
                        ") m WHERE spend.rowid = m.rid AND spend.supplier_id IS DISTINCT FROM m.supplier_id"
                    ).fetchone()[0]
        return updated

    def add_supplier_decision(self, decision: pa.Table) -> None:
        """Record a person's decision about suppliers (see supplier_decision); never rewritten."""
        with self.loading() as loader:
            loader.add_records("supplier_decision", decision)

    def supplier_decisions(self) -> list[dict]:
        return self._dicts("SELECT * FROM supplier_decision ORDER BY decided_at, decision_id")

    def suppliers(self, *, supplier_id: str | None = None, limit: int | None = None) -> list[dict]:
        """Suppliers with their current spend total, largest first."""
        where, params = ("WHERE s.supplier_id = ?", [supplier_id]) if supplier_id else ("", [])
        return self._dicts(
            "SELECT s.*, coalesce(t.total_gbp, 0) AS total_gbp, coalesce(t.bodies, 0) AS bodies FROM supplier s "
            "LEFT JOIN (SELECT supplier_id, sum(amount_gbp) AS total_gbp, count(DISTINCT org_id) AS bodies "
            "FROM spend_current WHERE supplier_id IS NOT NULL GROUP BY ALL) t USING (supplier_id) "
            f"{where} ORDER BY total_gbp DESC, s.lines DESC, s.supplier_id" + (f" LIMIT {int(limit)}" if limit else ""),
            params)

    def replace_rows(self, table: str, rows: pa.Table, where: str, params: list | None = None) -> int:
        """Delete the rows of a results table matching `where`, then insert `rows`, in one transaction.

        For re-computable analysis results (measures, the value index): a run replaces its own
        earlier rows and nothing else. Returns the rows inserted.
        """
        with self.transaction():
            self.con.execute(f'DELETE FROM "{table}" WHERE {where}', params or [])
            if rows.num_rows:
                self.con.register("_replacement", rows)
                try:
                    self.con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _replacement')
                finally:
                    self.con.unregister("_replacement")
        return rows.num_rows

    @staticmethod
    def scratch_connection() -> duckdb.DuckDBPyConnection:
        """A private in-memory DuckDB for working tables (Splink's) that must not enter the book."""
        return duckdb.connect(":memory:")

    def _dicts(self, sql: str, params: list | None = None) -> list[dict]:
        rel = self.con.execute(sql, params or [])
        names = [d[0] for d in rel.description]
        return [dict(zip(names, row)) for row in rel.fetchall()]

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def ibis(self):
        """The Ibis backend analyses read through: this book's DuckDB, or the engine in use
        (`store.engine.use_engine`), so the same expressions run on Spark."""
        if self.engine is not None:
            return self.engine
        import ibis

        return ibis.duckdb.from_connection(self.con)


_CURRENT = "coalesce(src.status, 'current') = 'current'"


def _pair_joins(fields: list[str], names: list[str]) -> str:
    """Each field's value joined to its registered value → pair table (see classification_combos)."""
    return " ".join(f'LEFT JOIN {n} ON {n}.value = t."{f}"' for f, n in zip(fields, names))


def _has_capability(table: str) -> bool:
    return "capability" in schema.field_names(table)


def _has_code(table: str, alias: str = "") -> str:
    """A row carries a code (function, or capability where the table has one)."""
    extra = f" OR {alias}capability IS NOT NULL" if _has_capability(table) else ""
    return f"({alias}function IS NOT NULL{extra})"


def _publisher_coded(table: str) -> str:
    return f"(t.classified_by IS NOT DISTINCT FROM 'publisher' OR (t.classified_by IS NULL AND {_has_code(table, 't.')}))"


def _capability_null(table: str) -> str:
    return "capability = NULL," if _has_capability(table) else ""


class Loader:
    """Writes one file's records and problems inside the open transaction."""

    def __init__(self, book: Book):
        self.book = book
        self.con = book.con

    def add_spend(self, table: pa.Table, source_sha256: str) -> None:
        self._insert("spend", table, "*, ? AS source_sha256", [source_sha256])

    def add_records(self, table_name: str, table: pa.Table) -> None:
        """Rows of any standard table, already typed by `ingest.records.to_arrow`."""
        if table_name not in standard.table_names():
            raise KeyError(f"no table {table_name!r} in the standard")
        self._insert(f'"{table_name}"', table)

    def add_problems(self, table: pa.Table) -> None:
        if table.num_rows:
            self._insert("quarantine", table)

    def _insert(self, target: str, table: pa.Table, columns: str = "*", params: list | None = None) -> None:
        self.con.register("_batch", table)
        try:
            self.con.execute(f"INSERT INTO {target} BY NAME SELECT {columns} FROM _batch", params or [])
        finally:
            self.con.unregister("_batch")

    def add_organisations(self, rows: list[dict]) -> int:
        return self.book.upsert_organisations(rows)

    def add_missing_organisations(self, rows: list[dict]) -> int:
        """Bodies an importer met that the book lacks; one the book already has is left as it is."""
        fresh = [r for r in rows if not self.book.con.execute(
            "SELECT 1 FROM organisation WHERE org_id = ?", [r["org_id"]]).fetchone()]
        return self.book.upsert_organisations(fresh)


def build_org_index(rows: Iterable[tuple[str, str, list[str] | None]],
                    deferring: frozenset[str] = frozenset()) -> standard.OrgIndex:
    """(org_id, name, aliases) rows → the lookup_org index (standard.registry: a shared name is no match;
    the abbreviations of bodies users added give way to the registry's)."""
    return standard.OrgIndex(rows, fold_ids=True, deferring=deferring)


def lookup_org(index: standard.OrgIndex, name_or_id: str) -> str | None:
    """An org_id from an org_index: by id, name, alias, council short name or abbreviation; None if unknown
    or ambiguous."""
    return index.get(name_or_id)


def pence_array(pence: list[int]) -> pa.Array:
    """Exact DECIMAL(18,2) Arrow array from integer pence, without a float in between."""
    values = np.asarray(pence, dtype=np.int64)
    words = np.empty(2 * len(values), dtype=np.int64)
    words[0::2] = values
    words[1::2] = values >> 63  # sign-extend into the high 64 bits of each 128-bit value
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(values), [None, pa.py_buffer(words.tobytes())])


def _pence_to_decimal_text(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    whole, frac = divmod(abs(pence), 100)
    return f"{sign}{whole}.{frac:02d}"
