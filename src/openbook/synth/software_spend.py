"""Payments for software that name the product, so the demo shows systems inferred from spend.

No fictional body declares a licensing, electoral or online-forms system, so these cells can
only come from inference. Each council pays one real product of the catalogue (standard/
products.csv) for each of the three capabilities: an annual licence and quarterly support, in
the LGA transparency layout councils use, in a file of its own (the spend files stay byte-for-byte as they
were). Two decoys per sector test the rules: a van hire from a firm sharing a software house's
name (never a system) and a licence from a software house the catalogue does not know (listed
for review, not guessed). truth/software_systems.csv lists what inference must find.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .book import PENNY, URI_BASE, Sector, Sheet, add_months

HEADER = ["Body name", "Body", "Date", "Transaction Number", "Amount", "Supplier Name", "Expenses Type",
          "Detailed Expenses Type", "Narrative"]
TRUTH = ["org_id", "capability", "product_id", "year", "annual_gbp", "lines", "expected"]
# capability → (product_id, supplier as paid, the product's name in descriptions), per product on offer
PRODUCTS = {
    "licensing": (("idox-uniform", "Idox Software Ltd", "Uniform"),
                  ("nec-assure", "NEC Software Solutions UK Ltd", "Assure")),
    "registration": (("idox-xpress", "Idox Software Ltd", "Xpress"),
                     ("democracy-counts", "Democracy Counts Ltd", "electoral management system")),
    "forms": (("granicus-firmstep", "Granicus (Firmstep)", "AchieveForms"),),
}
DECOYS = (("Northgate Vehicle Hire Ltd", "Vehicle hire", "Van hire for waste services", "excluded"),
          ("Brightwater Systems Ltd", "Software licences", "Annual software licence renewal", "unmatched"))


def software_sheets(sector: Sector) -> tuple[list[Sheet], list[list]]:
    """One sheet per council and the truth rows: what each council's payments say it runs."""
    sheets, truth = [], []
    councils = [b for b in sector.bodies if b.sector == "local"]
    for n, b in enumerate(councils):
        rng = sector.rng("software-spend", b.index)
        sheet = Sheet(f"software_spend/{b.org_id}.csv", "software_spend", b.org_id, HEADER, amount_column="amount_gbp")
        scale = Decimal(max(b.population_served or 100_000, 10_000)) / Decimal(100_000)
        for capability, offers in PRODUCTS.items():
            product_id, supplier, name = offers[rng.randrange(len(offers))]
            licence = (Decimal(rng.randint(8_000, 30_000)) * scale).quantize(PENNY)
            support = (licence * Decimal("0.05")).quantize(PENNY)
            paid = [(sector.start + dt.timedelta(days=rng.randint(3, 20)), licence, "Software licences",
                     f"{name} annual licence")]
            for quarter in range(0, len(sector.months), 3):
                paid.append((add_months(sector.start, quarter) + dt.timedelta(days=rng.randint(21, 27)), support,
                             "IT support and maintenance", f"{name} support and maintenance"))
            for k, (day, amount, expense, description) in enumerate(paid):
                day = min(day, sector.end)
                sheet.add(_row(b, day, f"SW-{b.index}-{capability[:3]}-{k}", f"{amount}", supplier, expense,
                               description), protect=True)
            for year in sorted({d.year for d, *_ in paid}):
                rows = [a for d, a, *_ in paid if min(d, sector.end).year == year]
                truth.append([b.org_id, capability, product_id, year, f"{sum(rows)}", len(rows), "inferred"])
        if n < len(DECOYS):
            supplier, expense, description, expected = DECOYS[n]
            amount = Decimal(rng.randint(2_000, 9_000))
            day = sector.start + dt.timedelta(days=40)
            sheet.add(_row(b, day, f"SW-{b.index}-decoy", f"{amount}.00", supplier, expense, description), protect=True)
            truth.append([b.org_id, "", "", day.year, f"{amount}.00", 1, expected])
        sheets.append(sheet)
    return sheets, truth


def _row(b, day: dt.date, ref: str, amount: str, supplier: str, expense: str, description: str) -> list[str]:
    return [b.display_name or b.name, f"{URI_BASE}/id/{b.org_id}", day.isoformat(), ref, amount, supplier,
            "Supplies and Services", expense, description]
