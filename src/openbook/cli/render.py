"""Rich output for the CLI: progress, reconciliation, problems, status. No logic lives here."""

from __future__ import annotations

import json
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openbook.formatting import gbp
from openbook.ingest.amounts import format_pence
from openbook.ingest.report import report_json  # noqa: F401 - the CLI's --json shows the library's report
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# Piped output (CI logs, files) is not cut to 80 columns: tables keep their figures whole.
console = Console(width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True)


def error(message: str) -> None:
    # Messages are plain text: a file name or an install line may hold [brackets] Rich would eat.
    errors.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)


def print_json(payload: object) -> None:
    console.print_json(json.dumps(payload, default=_json_default))


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


class IngestProgress:
    """One bar over files, with the rows read so far and the rate."""

    def __init__(self, files: int, *, quiet: bool = False):
        self.quiet = quiet
        self.rows = 0
        self.started = time.perf_counter()
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rows]} rows · {task.fields[rate]} rows/s"), TimeElapsedColumn(),
            console=errors, disable=quiet, transient=False,
        )
        self.task = self.progress.add_task("ingest", total=files, rows="0", rate="0")

    def __enter__(self) -> IngestProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, path: Path) -> None:
        self.progress.update(self.task, description=_short(path.name))

    def advance(self, rows: int) -> None:
        self.rows += rows
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        self.progress.update(self.task, rows=f"{self.rows:,}", rate=f"{self.rows / elapsed:,.0f}")

    def finish(self, report) -> None:
        self.progress.advance(self.task)


def _short(name: str, width: int = 28) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def reconciliation(reports: list, limit: int = 60) -> None:
    wide = console.width >= 120  # the publisher column only where it fits
    table = Table(title="Reconciliation: rows read = accepted + quarantined + structural", title_justify="left")
    numbers = ("Read", "Accepted", "Quarantined", "Structural", "£ accepted")
    for column in ("File", "Status", *(("Publisher",) if wide else ()), *numbers):
        # Figures are never cut (they wrap if they must); a long file name is shortened instead.
        table.add_column(column, justify="right" if column in numbers else "left",
                         overflow="ellipsis" if column == "File" else "fold", no_wrap=column == "File")
    totals = [0, 0, 0, 0, 0]
    for index, r in enumerate(reports):
        totals = [a + b for a, b in zip(totals, (r.rows_read, r.accepted, r.quarantined, r.structural,
                                                  r.amount_pence))]
        if index < limit:
            status = r.status if r.status != "rejected" else f"[red]{r.rejection.code}[/]"
            table.add_row(Path(r.path).name, status, *((r.publisher or "",) if wide else ()), f"{r.rows_read:,}",
                          f"{r.accepted:,}", f"{r.quarantined:,}", f"{r.structural:,}",
                          gbp(r.amount_pence, pence=True))
    if len(reports) > limit:
        table.add_row(f"… {len(reports) - limit:,} more files", *[""] * (len(table.columns) - 1))
    table.add_section()
    table.add_row(f"{len(reports):,} files", "", *(("",) if wide else ()), *(f"{t:,}" for t in totals[:4]),
                  gbp(totals[4], pence=True))
    console.print(table)
    not_in_pounds(reports)
    if any(not r.reconciles for r in reports):
        error("some files do not reconcile; this is a bug in openbook, please report it")


def not_in_pounds(reports: list) -> None:
    """Say which accepted amounts the £ column leaves out: other currencies, with no rate given."""
    left: dict[str, Decimal] = {}
    for report in reports:
        for code, amount in (getattr(report, "not_in_pounds", None) or {}).items():
            left[code] = left.get(code, Decimal(0)) + Decimal(amount)
    if left:
        shown = ", ".join(f"{code or 'no currency'} {amount:,.2f}" for code, amount in sorted(left.items()))
        console.print(f"£ accepted leaves out amounts in other currencies, which have no pound figure: {shown}. "
                      "Give a rate to count them, e.g. `--fx EUR=0.86` (pounds per unit).", highlight=False)


def problems_of(report) -> None:
    if report.rejection:
        console.print(report.rejection.render(), highlight=False, soft_wrap=True)
    for problem in report.problems:
        console.print(problem.render(), highlight=False, soft_wrap=True)
    if report.partial:
        console.print(f"showing {len(report.problems):,} of {report.problems_total:,} problems in {report.path}; "
                      f"full list: `openbook validate {report.path} --json`", style="yellow")


def problem_rows(rows: list[dict], total: int, file: str | None) -> None:
    table = Table(title="Quarantine", title_justify="left")
    for column in ("File", "Line", "Column", "Problem", "Value", "Message"):
        table.add_column(column, justify="right" if column == "Line" else "left", overflow="fold")
    for row in rows:
        table.add_row(_short(row["file_name"] or "", 32), str(row["source_line"] or ""), row["column_name"] or "",
                      row["code"], row["raw_value"] or "", row["message"] or "")
    console.print(table)
    if len(rows) < total:
        where = f" --file {file}" if file else ""
        console.print(f"showing {len(rows):,} of {total:,} problems; full list: "
                      f"`openbook problems{where} --limit 0 --json`", style="yellow")


def status(summary: dict) -> None:
    console.print(f"[bold]{summary['book']}[/]: {summary['lines']:,} spend lines from "
                  f"{summary['bodies']:,} bodies, {gbp(summary['total_gbp'])} current spend")
    sources = Table(title="Sources", title_justify="left")
    for column in ("Dataset", "Status", "Files", "Rows read", "Accepted", "Quarantined", "Structural"):
        sources.add_column(column, justify="left" if column in {"Dataset", "Status"} else "right")
    for row in summary["sources"]:
        sources.add_row(row["dataset"], row["status"], f"{row['files']:,}", f"{row['rows_read']:,}",
                        f"{row['accepted']:,}", f"{row['quarantined']:,}", f"{row['structural']:,}")
    console.print(sources)
    codes = Table(title="Problems by code", title_justify="left")
    for column in ("Severity", "Code", "Rows"):
        codes.add_column(column, justify="right" if column == "Rows" else "left")
    for row in summary["problems"]:
        codes.add_row(row["severity"], row["code"], f"{row['rows']:,}")
    console.print(codes)
    unresolved_bodies(summary.get("unresolved_bodies") or [], summary.get("rows_without_body") or {})
    if summary.get("classification") and summary["classification"]["overall"]["rows"]:
        classification_status(summary["classification"])


def unresolved_bodies(rows: list[dict], without_body: dict[str, int]) -> None:
    """Rows quarantined for a body the book lacks, and the command that fixes each."""
    if rows:
        table = Table(title="Bodies the book lacks (rows quarantined as unknown-organisation)", title_justify="left")
        for column in ("Name in the file", "Rows", "Files", "Fix"):
            table.add_column(column, justify="right" if column in {"Rows", "Files"} else "left", overflow="fold")
        for row in rows:
            table.add_row(escape(row["name"] or "(blank)"), f"{row['rows']:,}", f"{row['files']:,}", escape(row["fix"]))
        console.print(table)
        console.print("Record each body with `openbook orgs add` (`openbook orgs find NAME` shows the nearest "
                      "bodies, in case the name is one of them), or load the file with --org; then load it again.",
                      highlight=False)
    for table_name, count in sorted(without_body.items()):
        console.print(f"[bold red]{count:,} {table_name} rows are stored with no body[/] (org_id empty)", highlight=False)


def where_money_goes(totals: dict, tops: dict[str, list[dict]]) -> None:
    console.print(f"\n[bold]Where the money goes[/]: {gbp(totals['total_gbp'])} in {totals['lines']:,} "
                  f"payment lines from {totals['bodies']:,} bodies")
    titles = {"org_id": "Top bodies", "supplier_name": "Top suppliers (as published)",
              "expense_type": "Top expense types"}
    for dimension, rows in tops.items():
        table = Table(title=titles.get(dimension, dimension), title_justify="left")
        table.add_column("Name")
        table.add_column("£", justify="right")
        table.add_column("Share", justify="right")
        table.add_column("Lines", justify="right")
        for row in rows:
            label = row.get("name") or row[dimension] or "(blank)"
            table.add_row(_short(str(label), 48), gbp(row["total_gbp"]), f"{row['share']:.1%}", f"{row['lines']:,}")
        console.print(table)


def importer_table(rows: list[dict]) -> None:
    table = Table(title="Importers", title_justify="left")
    for column in ("Name", "Dataset", "Title", "Module", "Problem codes"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["name"], row["dataset"], row["title"], row["module"], str(len(row["problems"])))
    console.print(table)


def _share(part, whole) -> str:
    return f"{part / whole:.1%}" if whole else "–"


def classification_json(report) -> dict:
    """The classification report as plain data: coverage per table, by function, and rule by rule."""
    tables = []
    for t in report.tables:
        tables.append({
            "table": t.table, "rows": t.rows, "rows_classified": t.rows_classified,
            "rows_unclassified": t.rows - t.rows_classified, "gbp": t.gbp, "gbp_classified": t.gbp_classified,
            "gbp_unclassified": t.gbp - t.gbp_classified, "by_function": t.by_function,
            "rules": [{"rule": u.label, "sets": u.sets, "code": u.code, "rows": u.rows, "gbp": u.gbp}
                      for u in t.rules],
        })
    return {"mapping": report.mapping, "tables": tables,
            "note": "£ is gross (credits count at their size); rows and £ are of current publications"}


def classification(payload: dict, *, top: int = 15) -> None:
    if payload["mapping"]:
        m = payload["mapping"]
        console.print(f"Your mapping [bold]{m['name']}[/] ({m['rules']:,} rules, sha256 {m['sha256'][:12]}…) "
                      f"came first.")
    cover = Table(title="Classification coverage (current rows; £ gross)", title_justify="left")
    for column in ("Table", "Rows", "Classified", "Share", "£", "£ classified", "Share of £"):
        cover.add_column(column, justify="left" if column == "Table" else "right")
    for t in payload["tables"]:
        cover.add_row(t["table"], f"{t['rows']:,}", f"{t['rows_classified']:,}", _share(t["rows_classified"], t["rows"]),
                      gbp(t["gbp"]), gbp(t["gbp_classified"]), _share(t["gbp_classified"], t["gbp"]))
    console.print(cover)
    for t in payload["tables"]:
        if not t["rows"]:
            continue
        functions = Table(title=f"{t['table']}: by function", title_justify="left")
        for column in ("Function", "Rows", "£", "Share of £"):
            functions.add_column(column, justify="left" if column == "Function" else "right")
        for row in t["by_function"]:
            functions.add_row(row["function"] or "(no function)", f"{row['rows']:,}", gbp(row["gbp"]),
                              _share(row["gbp"], t["gbp"]))
        console.print(functions)
        rules = Table(title=f"{t['table']}: the rules that did most of the work", title_justify="left")
        for column in ("Rule", "Sets", "Code", "Rows", "£", "Share of £"):
            rules.add_column(column, justify="right" if column in {"Rows", "£", "Share of £"} else "left")
        for use in t["rules"][:top]:
            rules.add_row(use["rule"], use["sets"], use["code"], f"{use['rows']:,}", gbp(use["gbp"]),
                          _share(use["gbp"], t["gbp"]))
        console.print(rules)
        if len(t["rules"]) > top:
            console.print(f"showing {top} of {len(t['rules']):,} rules; all of them: `openbook classify --json`",
                          style="yellow")


def classified_line(report) -> None:
    """One line after ingest: how much of the spend the classification pass could place."""
    spend = report.table("spend")
    if spend.rows:
        errors.print(f"Classified {_share(spend.rows_classified, spend.rows)} of spend lines and "
                     f"{_share(spend.gbp_classified, spend.gbp)} of £ by function or capability; "
                     f"details: `openbook classify`.", highlight=False)


def classification_status(coverage: dict) -> None:
    table = Table(title="Spend classified by function or capability (current rows; £ gross)", title_justify="left")
    for column in ("Body", "Rows", "Classified", "Share", "£", "£ classified", "Share of £"):
        table.add_column(column, justify="left" if column == "Body" else "right")
    for row in [*coverage["bodies"], {**coverage["overall"], "org_id": "All bodies"}]:
        if row["org_id"] == "All bodies":
            table.add_section()
        table.add_row(row["org_id"] or "(no body)", f"{row['rows']:,}", f"{row['rows_classified']:,}",
                      _share(row["rows_classified"], row["rows"]), gbp(row["gbp"]), gbp(row["gbp_classified"]),
                      _share(row["gbp_classified"], row["gbp"]))
    console.print(table)


class StepProgress:
    """A spinner naming the step under way, for work measured in steps rather than rows."""

    def __init__(self, *, quiet: bool = False):
        from rich.progress import SpinnerColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), TimeElapsedColumn(),
                                 console=errors, disable=quiet, transient=True)
        self.task = self.progress.add_task("starting", total=None)

    def __enter__(self) -> StepProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def step(self, name: str) -> None:
        self.progress.update(self.task, description=name)


def detector_counts(counts: dict[str, int]) -> None:
    console.print("Findings stored: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))


def findings_table(rows: list[dict], *, detail: bool = False) -> None:
    if not rows:
        console.print("No findings. Run `openbook analyse` after ingesting spend, organograms, systems or "
                      "cost registers; a detector with nothing to read finds nothing.")
        return
    table = Table(title="Findings, largest £ at stake first (those that need review last)", show_lines=detail)
    table.add_column("£ at stake", justify="right")
    table.add_column("kind")
    table.add_column("bodies")
    table.add_column("finding", overflow="fold")
    table.add_column("conf.", justify="right")
    table.add_column("rows", justify="right")
    for row in rows:
        text = row["title"] + (f"\n[dim]{row['formula']}[/]" if detail else "")
        bodies = ", ".join(row["org_ids"][:3]) + (f" +{len(row['org_ids']) - 3}" if len(row["org_ids"]) > 3 else "")
        kind = row["kind"] + ("\n[yellow]needs review[/]" if row.get("needs_review") and row["status"] == "open" else "")
        table.add_row(gbp(row["gbp_at_stake"]), kind, bodies, text, f"{row['confidence']:.2f}",
                      f"{len(row['evidence']):,}")
    console.print(table)


def simple_table(title: str, rows: list[dict], columns: list[str]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*["" if row.get(c) is None else str(row.get(c)) for c in columns])
    console.print(table)
