"""What happened to one file, and the one rule its counts obey.

Every row a file holds ends in exactly one place: a record (accepted), a quarantined row, or a
structural row (headers, blanks, totals). `Counts` carries the four numbers and is the only
place the rule `rows read = accepted + quarantined + structural` is checked; every importer
checks it before writing, so a file whose rows do not add up is never loaded. The CLI, the API
and the pages all show the same `IngestReport`, through `report_json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa

from openbook.errors import ReconciliationError
from openbook.ingest.amounts import format_pence
from openbook.ingest.problems import Problem

PROBLEMS_KEPT_IN_REPORT = 1000


@dataclass
class Counts:
    """A file's rows by where they ended up."""

    rows_read: int = 0
    accepted: int = 0
    quarantined: int = 0
    structural: int = 0

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.accepted + self.quarantined + self.structural

    def check(self, where: str) -> None:
        """Raise ReconciliationError, naming `where` (the file), unless the counts add up."""
        if not self.reconciles:
            raise ReconciliationError(f"{where}: rows read {self.rows_read} != accepted {self.accepted} + "
                                      f"quarantined {self.quarantined} + structural {self.structural}")


@dataclass
class IngestReport:
    """What happened to one file; the same numbers the CLI, API and pages show."""

    path: str
    sha256: str
    status: str  # loaded | unchanged | rejected | checked
    dataset: str = "spend"
    publisher: str | None = None
    format: str | None = None
    encoding: str | None = None
    rows_read: int = 0
    accepted: int = 0
    quarantined: int = 0
    structural: int = 0
    amount_pence: int = 0
    period: tuple[date, date] | None = None
    supersedes: str | None = None
    rejection: Problem | None = None
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0
    problem_counts: dict[str, int] = field(default_factory=dict)
    # Accepted amounts with no pound figure (a currency without a user's rate), by currency: left out of £.
    not_in_pounds: dict[str, str] = field(default_factory=dict)
    traceback: str | None = None  # for an internal-error rejection, shown with --debug only
    # Which published column filled which field, with its match score (see headers.HeaderMap.scored).
    columns: list[dict] = field(default_factory=list)

    @property
    def counts(self) -> Counts:
        return Counts(self.rows_read, self.accepted, self.quarantined, self.structural)

    @counts.setter
    def counts(self, counts: Counts) -> None:
        self.rows_read, self.accepted = counts.rows_read, counts.accepted
        self.quarantined, self.structural = counts.quarantined, counts.structural

    @property
    def reconciles(self) -> bool:
        return self.counts.reconciles

    @property
    def partial(self) -> bool:
        return self.problems_total > len(self.problems)

    def note(self, problems: list[Problem]) -> None:
        """Count every problem a user should see; keep the first PROBLEMS_KEPT_IN_REPORT of them."""
        interesting = [p for p in problems if p.severity != "structural"]
        self.problems_total += len(interesting)
        room = PROBLEMS_KEPT_IN_REPORT - len(self.problems)
        if room > 0:
            self.problems.extend(interesting[:room])


def unchanged_report(label: str, known: dict) -> IngestReport:
    """The report for bytes the book already holds: loading them again changes nothing."""
    return IngestReport(label, known["sha256"], "unchanged", dataset=known["dataset"], publisher=known["publisher"],
                        rows_read=known["rows_read"], accepted=known["rows_accepted"],
                        quarantined=known["rows_quarantined"], structural=known["rows_structural"])


def report_json(report: IngestReport, *, include_problems: bool = False) -> dict:
    """The report as the CLI's --json and the publish API give it."""
    payload = {
        "path": report.path, "sha256": report.sha256, "status": report.status, "dataset": report.dataset,
        "publisher": report.publisher, "rows_read": report.rows_read, "accepted": report.accepted,
        "quarantined": report.quarantined, "structural": report.structural,
        "amount_gbp": format_pence(report.amount_pence), "reconciles": report.reconciles,
        "problem_counts": report.problem_counts, "supersedes": report.supersedes,
        "rejection": report.rejection.as_dict() if report.rejection else None,
    }
    if include_problems:
        payload["problems"] = [p.as_dict() for p in report.problems]
        payload["problems_total"] = report.problems_total
        payload["partial"] = report.partial
        payload["columns"] = report.columns
    return payload


def problem_table(problems: list[Problem], sha: str, table_name: str) -> pa.Table:
    """Problems as rows of the book's `problem` table."""
    return pa.table({
        "source_sha256": pa.array([sha] * len(problems), pa.string()),
        "source_line": pa.array([p.line for p in problems], pa.int64()),
        "table_name": pa.array([table_name] * len(problems), pa.string()),
        "severity": pa.array([p.severity if p.severity != "file" else "error" for p in problems], pa.string()),
        "code": pa.array([p.code for p in problems], pa.string()),
        "column_name": pa.array([p.column_name for p in problems], pa.string()),
        "column_number": pa.array([p.column_number for p in problems], pa.int64()),
        "raw_value": pa.array([p.value for p in problems], pa.string()),
        "message": pa.array([p.message for p in problems], pa.string()),
        "raw_row": pa.array([p.raw_row for p in problems], pa.list_(pa.string())),
    })
