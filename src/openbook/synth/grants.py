"""Grants: a 360Giving CSV for some councils and central funders.

Recipients are the voluntary and community organisations the body already pays (its
favourite firms in the 'grants' category), named as in its spend files. A charity gets
the org-id GB-CHC-<number>, a company GB-COH-<number>, anyone else a 360G- identifier.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .bodies import Body
from .book import Sector, Sheet
from .contracts import is_vcse

GRANT_HEADER = ["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
                "Recipient Org:Identifier", "Recipient Org:Name", "Recipient Org:Charity Number",
                "Funding Org:Identifier", "Funding Org:Name", "Grant Programme:Title"]
LOCAL_PROGRAMMES = ("Community Grants", "Voluntary Sector Grants", "Holiday Activities and Food Programme",
                    "Cost of Living Support Fund", "Arts and Culture Fund", "Neighbourhood Improvement Fund")
CENTRAL_PROGRAMMES = ("Capacity Building Fund", "Innovation Fund", "Community Partnerships Programme",
                      "Skills and Inclusion Fund")
PURPOSES = ("to run weekly sessions for older residents", "to deliver a summer holiday activities programme",
            "towards core running costs", "to train volunteers", "to provide advice on debt and benefits",
            "to refurbish the community hall", "to run a youth mentoring project", "to expand a food bank")
GRANT_DEFECTS = (
    ("Amount Awarded", "value-missing", lambda old, rng: ""),
    ("Award Date", "date-invalid", lambda old, rng: old[:5] + "02-30"),
    ("Amount Awarded", "type-error", lambda old, rng: "to be confirmed"),
)


def funders(sector: Sector) -> list[Body]:
    """Councils and central funders publish grants; about two in three of them here."""
    rng = sector.rng("grants-funders")
    eligible = [b for b in sector.bodies if b.sector == "local" or b.kind in ("executive-ndpb", "ministerial-department")]
    chosen = [b for b in eligible if rng.random() < 0.65]
    return chosen or eligible[:1]


def grant_sheet(sector: Sector, b: Body) -> Sheet | None:
    rng = sector.rng("grants", b.index)
    view = sector.suppliers(b)
    recipients = view.favourites("grants", 60)
    if not recipients:
        return None
    local = b.sector == "local"
    programmes = LOCAL_PROGRAMMES if local else CENTRAL_PROGRAMMES
    median, lo, hi = (3_000, 500, 100_000) if local else (40_000, 5_000, 2_000_000)
    code = b.org_id.removeprefix("XX-SYNTH-")
    days = (sector.end - sector.start).days + 1
    sheet = Sheet(f"grants/{b.org_id}.csv", "grants", b.org_id, GRANT_HEADER, amount_column="Amount Awarded")
    for n in range(1, rng.randrange(30, 121) + 1):
        s = recipients[min(int(rng.expovariate(0.08)), len(recipients) - 1)]
        name = view.name(s)
        charity, number = "", sector.pool.company_number[s]
        if is_vcse(sector, s):
            charity = str(1_000_000 + s * 7919 % 190_000)
            identifier = f"GB-CHC-{charity}"
        elif number:
            identifier = f"GB-COH-{number}"
        else:
            identifier = f"360G-synth-{sector.pool.key(s)}"
        amount = Decimal(max(lo, min(hi, round(rng.lognormvariate(0, 0.9) * median))))
        if rng.random() < 0.2:
            amount += Decimal(rng.randrange(1, 100)) / 100
        programme = rng.choice(programmes)
        sheet.add([f"360G-synth-{code}-{n:05d}", f"{programme} grant to {name.strip()}",
                   f"{name.strip()}: {rng.choice(PURPOSES)}", "GBP", f"{amount}",
                   (sector.start + dt.timedelta(days=rng.randrange(days))).isoformat(), identifier, name, charity,
                   b.org_id, b.name, programme])
    return sheet
