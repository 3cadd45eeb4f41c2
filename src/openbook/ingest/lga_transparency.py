"""Local Government Transparency Code datasets in the LGA schemas, kept row by row as published.

Councils publish a dozen datasets beside spend (counter fraud, land and buildings, parking,
pay multiple, senior salaries, trade union facility time …), all in LGA schemas that start
`OrganisationLabel, OrganisationURI`. Until a dedicated table models one of them, its rows go
to the `transparency` table with every column as written, so nothing published is lost and
each figure still traces to its file and line. Formats with a dedicated importer (organisation
charts) claim their files more strongly than this one does.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from openbook.errors import FileRejected

from openbook.ingest.base import Importer, IngestContext, load_records
from openbook.ingest.problems import Problem
from openbook.ingest.reader import cell_text
from openbook.ingest.records import Records
from openbook.plugins.manager import hookimpl

if TYPE_CHECKING:
    from openbook.ingest.report import IngestReport

# The column that tells each dataset apart, first match wins.
SIGNATURES = (
    ("TotalOccasionsFraudPowers", "counter-fraud"),
    ("UPRN", "land-and-building-assets"),
    ("OnStreetIncomeParking", "parking-account"),
    ("ParkingSpaces", "parking-spaces"),
    ("PayMultipleFactor", "pay-multiple"),
    ("RemunerationBand", "senior-salary-bands"),
    ("Salary", "senior-salaries"),
    ("TotalRepresentativeCount", "trade-union-facility-time"),
    ("Level", "organisation-chart"),
)
_KEYS = {"organisationlabel", "organisationuri"}


def dataset_of(header: list[str]) -> str:
    names = {h.strip() for h in header}
    return next((dataset for column, dataset in SIGNATURES if column in names), "lga-transparency")


class LgaTransparencyImporter(Importer):
    name = "lga-transparency"
    title = "Local Government Transparency Code datasets in the LGA schemas (kept as published)"
    dataset = "transparency"
    problems = ("unknown-organisation", "date-invalid", "extra-cell", "header-row", "blank-row", "no-data-rows")

    @classmethod
    def claims(cls, head: list[list[str]]) -> float:
        if not head:
            return 0.0
        first = {cell.strip().casefold().lstrip("\ufeff") for cell in head[0]}
        return 0.6 if _KEYS <= first else 0.0

    def ingest(self, context: IngestContext) -> IngestReport:
        records = Records()
        header: list[str] = []
        path = context.label
        for line, cells in context.rows:
            values = [cell_text(c).strip() for c in cells]
            records.rows_read += 1
            if not header:
                header = [v.lstrip("\ufeff") for v in values]
                records.problem(Problem("header-row", line, path=path, raw_row=values))
                continue
            if not any(values):
                records.problem(Problem("blank-row", line, path=path, raw_row=values))
                continue
            self._row(context, records, header, line, values)
        structural = sum(1 for p in records.problems if p.severity == "structural")
        if records.rows_read == structural:
            raise FileRejected("no-data-rows", "the file has a header but no rows")
        dataset = dataset_of(header)
        for row in records.tables.get("transparency", []):
            row["dataset"] = dataset
        bodies = {row["org_id"] for row in records.tables.get("transparency", [])}
        records.publisher = context.default_org or (bodies.pop() if len(bodies) == 1 else None)
        dates = sorted(r["effective_date"] for r in records.tables.get("transparency", []) if r["effective_date"])
        if dates:
            records.period = (dates[0], dates[-1])
        records.dialect = {"header_line": 1, "dataset": dataset, "columns": header}
        return load_records(context, records, "transparency")

    def _row(self, context: IngestContext, records: Records, header: list[str], line: int,
             values: list[str]) -> None:
        path = context.label
        if len(values) > len(header) and any(values[len(header):]):
            extra = [v for v in values[len(header):] if v]
            records.problem(Problem("extra-cell", line, None, len(header) + 1, extra[0], str(len(extra)),
                                    path=path, raw_row=values))
            return
        row = dict(zip(header, values + [""] * (len(header) - len(values))))
        label, uri = row.get("OrganisationLabel", ""), row.get("OrganisationURI", "")
        org_id = context.default_org or context.resolve_org(label) or (context.resolve_org(uri) if uri else None)
        if org_id is None:
            records.problem(Problem("unknown-organisation", line, "OrganisationLabel", header.index("OrganisationLabel") + 1,
                                    label, path=path, raw_row=values))
            return
        effective = None
        if row.get("EffectiveDate"):
            try:
                effective = date.fromisoformat(row["EffectiveDate"])
            except ValueError:
                records.problem(Problem("date-invalid", line, "EffectiveDate", header.index("EffectiveDate") + 1,
                                        row["EffectiveDate"], "expected YYYY-MM-DD, as the LGA schemas require",
                                        path=path, raw_row=values))
                return
        kept = {k: v for k, v in row.items() if k not in ("OrganisationLabel", "OrganisationURI", "EffectiveDate", "Period")}
        records.add("transparency", line, {
            "org_id": org_id, "effective_date": effective, "period": row.get("Period") or None,
            "organisation_label": label or None, "organisation_uri": uri or None, "record": kept,
        })


@hookimpl
def register_importers():
    return [LgaTransparencyImporter]
