"""write_datasets(): every body's open book beyond spend, and the truth planted in it.

Plans come first and in a fixed order (workforces, contracts, systems, open-book
contracts), because they feed each other; then a few cells per dataset are spoilt (when
`defects`), the truth is computed from the rows as they will be written, and only the
chosen datasets' files and truth are written.
"""

from __future__ import annotations

from pathlib import Path

from .book import BAD_RECORD_COLUMNS, BOOK_FILE_COLUMNS, Sector, Sheet, bad_record_rows, book_file_row, spoil_some, write_csv
from .contracts import REGISTER_DEFECTS, ContractBook, ocds_file_row, ocds_package, plan_general, register_sheet, spoil_ocds, write_ocds
from .costbook import MARGINS_TRUTH, cost_sheet, margins_truth, plan_open_book, spoil_registers
from .grants import GRANT_DEFECTS, funders, grant_sheet
from .staff import (ORGANOGRAM_TRUTH, TOP_HEAVY_TRUTH, lga_sheet, lga_truth, organogram_sheets, organogram_truth,
                    plan_workforce, top_heavy_truth)
from .software_spend import TRUTH as SOFTWARE_TRUTH, software_sheets
from .systems import PROCESS_DEFECTS, SYSTEM_DEFECTS, SYSTEMS_TRUTH, plan_systems, process_sheet, system_sheet, systems_truth

JUNIOR_DEFECTS = (
    ("Number of Posts in FTE", "value-missing", lambda old, rng: ""),
    ("Payscale Minimum (£)", "type-error", lambda old, rng: f"£{int(old) // 1000}k"),
    ("Reporting Senior Post", "unknown-code", lambda old, rng: old[:-3] + "999"),
)
LGA_DEFECTS = (("SalaryBand", "type-error", lambda old, rng: f"c. £{int(old.split(' - ')[0]) // 1000}k"),)


def write_datasets(sector: Sector, datasets: tuple[str, ...]) -> int:
    """Write the chosen datasets (other than spend) under `sector.out_dir`; return files written."""
    chosen = set(datasets) - {"spend"}
    if not chosen:
        return 0
    out: Path = sector.out_dir
    spoil = sector.defects
    bodies = sector.bodies
    truth: dict[str, tuple[list[str], list[list]]] = {}
    sheets: dict[str, list[Sheet]] = {}
    extra_bad: list[list] = []
    extra_files: list[list] = []

    # -- plans -------------------------------------------------------------------------
    rng = sector.rng("top-heavy")
    staffed = [b for b in bodies if b.sector != "local"]
    planted = {b.index for b in rng.sample(staffed, max(min(3, len(staffed)), round(0.4 * len(staffed))))}
    staff = {b.org_id: plan_workforce(sector, b, b.index in planted) for b in staffed}
    book = ContractBook()
    for b in bodies:
        plan_general(sector, book, b)
    systems, shared = plan_systems(sector, book)
    open_books = plan_open_book(sector, book, staff)
    registers = [cost_sheet(sector, ob) for ob in open_books]  # also sets each contract's value

    # -- organograms -------------------------------------------------------------------
    pairs = {org: organogram_sheets(sector, wf) for org, wf in staff.items()}
    charts = [lga_sheet(sector, b) for b in bodies if b.sector == "local"]
    if spoil:
        spoil_some(sector.rng("organogram-defects"), [j for p in pairs.values() for _s, j in p], list(JUNIOR_DEFECTS), 3)
        spoil_some(sector.rng("lga-defects"), charts, list(LGA_DEFECTS), 1)
    org_rows, heavy_rows = [], []
    for org, wf in staff.items():
        for (sen, jun), (date, _s, _j) in zip(pairs[org], wf.snapshots):
            org_rows += organogram_truth(sen, jun, date)
            heavy_rows += top_heavy_truth(sen, jun, wf.scheme)
    org_rows += [lga_truth(c) for c in charts]
    sheets["organogram"] = [s for p in pairs.values() for pair in p for s in pair] + charts
    truth["organogram"] = ("organograms", ORGANOGRAM_TRUTH, org_rows)
    truth["organogram:top"] = ("top_heavy", TOP_HEAVY_TRUTH, heavy_rows)

    # -- systems and processes ---------------------------------------------------------
    by_body = {b.org_id: [s for s in systems if s.body is b] for b in bodies}
    sys_sheets = [system_sheet(sector, b, by_body[b.org_id]) for b in bodies]
    proc_sheets = [process_sheet(sector, b, by_body[b.org_id]) for b in bodies]
    if spoil:
        spoil_some(sector.rng("systems-defects"), sys_sheets, list(SYSTEM_DEFECTS), 2)
        spoil_some(sector.rng("processes-defects"), proc_sheets, list(PROCESS_DEFECTS), 2)
    sheets["systems"], sheets["processes"] = sys_sheets, proc_sheets
    truth["systems"] = ("systems", SYSTEMS_TRUTH, systems_truth(sector, sys_sheets, shared))
    # Payments naming software products: systems the demo infers from spend (never spoilt).
    software, software_truth = software_sheets(sector)
    truth["systems:software"] = ("software_systems", SOFTWARE_TRUTH, software_truth)

    # -- cost registers ----------------------------------------------------------------
    if spoil:
        spoil_registers(sector, registers)
    sheets["cost_registers"] = registers
    truth["cost_registers"] = ("margins", MARGINS_TRUTH, [
        row for ob, sheet in zip(open_books, registers) for row in margins_truth(sector, sheet, ob, staff[ob.body.org_id])])

    # -- contracts ---------------------------------------------------------------------
    packages = {b.org_id: ocds_package(sector, b, book.by_org.get(b.org_id, [])) for b in bodies}
    rng = sector.rng("registers")
    councils = [b for b in bodies if b.sector == "local"]
    keep = [b for b in councils if rng.random() < 0.5] or councils[:1]
    reg_sheets = [register_sheet(sector, b, book.by_org.get(b.org_id, [])) for b in keep]
    ocds_bad = spoil_ocds(sector, packages, book.by_org) if spoil else []
    if spoil:
        spoil_some(sector.rng("register-defects"), reg_sheets, list(REGISTER_DEFECTS), 2)
    sheets["contracts"] = reg_sheets
    if "contracts" in chosen:
        extra_bad += ocds_bad
        for org, package in packages.items():
            bad = {int(r[3].split("/")[2]) for r in ocds_bad if r[1] == f"contracts/{org}.json"}
            extra_files.append(ocds_file_row(org, package, bad))

    # -- grants ------------------------------------------------------------------------
    grant_sheets = [s for s in (grant_sheet(sector, b) for b in funders(sector)) if s is not None]
    if spoil:
        spoil_some(sector.rng("grants-defects"), grant_sheets, list(GRANT_DEFECTS), 3)
    sheets["grants"] = grant_sheets

    # -- write -------------------------------------------------------------------------
    written = []
    for dataset, group in sheets.items():
        if dataset in chosen:
            for s in group:
                s.write(out, "\r\n" if dataset == "organogram" else "\n")
                written.append(s)
    if "contracts" in chosen:
        for org, package in packages.items():
            write_ocds(out, org, package)
    for key, (name, header, rows) in truth.items():
        if key.split(":")[0] in chosen:
            write_csv(out / "truth" / f"{name}.csv", header, rows)
    write_csv(out / "truth" / "bad_records.csv", BAD_RECORD_COLUMNS, bad_record_rows(written) + extra_bad)
    write_csv(out / "truth" / "book_files.csv", BOOK_FILE_COLUMNS,
              [book_file_row(s) for s in written if s.dataset != "organogram"] + extra_files)
    if "systems" in chosen:
        for s in software:
            s.write(out)
    return len(written) + (len(packages) if "contracts" in chosen else 0) + (len(software) if "systems" in chosen else 0)
