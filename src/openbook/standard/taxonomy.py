"""The function taxonomy and capability list as a Markdown page (docs/taxonomy.md is generated from this).

Regenerate with:
    python -c "from openbook.standard.taxonomy import taxonomy_markdown as t; open('docs/taxonomy.md','w').write(t())"
"""

from __future__ import annotations

from openbook import standard


def _cell(text: str) -> str:
    return (text or "–").replace("|", "\\|")


def taxonomy_markdown() -> str:
    """docs/taxonomy.md: every function with its crosswalk, then every capability, from the CSVs."""
    lines = [
        "# Functions and capabilities",
        "",
        "Generated from `src/openbook/standard/codes/functions.csv` and `capabilities.csv`; do not edit by hand.",
        "",
        "A row of spend, a post, a contract, a grant or a system is classified by **function** (what the",
        "money or the staff are for) and, where it buys one, by **capability** (the Lego block it is built",
        "from). Admin functions are the back-office layer that could be shared; frontline functions are",
        "service areas. The crosswalk columns map each function to the UK Government Functional",
        "Standards (GovS), the APQC Process Classification Framework category, the CIPFA SeRCOP service",
        "line and the COFOG division or group; a dash means no mapping is offered. The rules that set",
        "these codes are in `src/openbook/standard/classification/` and described in",
        "[classification.md](classification.md).",
        "",
    ]
    functions = standard.code_list("functions")
    for kind, title in (("admin", "Admin and managerial functions"), ("frontline", "Frontline service areas"),
                        ("transfer", "Transfers, financing and balance sheet (never administration)")):
        lines += [f"## {title}", "", "| Code | Function | GovS | APQC PCF | SeRCOP | COFOG | What it covers |",
                  "|---|---|---|---|---|---|---|"]
        for row in functions:
            if row["kind"] == kind:
                lines.append(f"| `{row['code']}` | {_cell(row['label'])} | {_cell(row['govs'])} | {_cell(row['apqc'])} "
                             f"| {_cell(row['sercop'])} | {_cell(row['cofog'])} | {_cell(row['description'])} |")
        lines.append("")
    lines += ["## Capabilities", "", "| Code | Capability | What it does | Examples |", "|---|---|---|---|"]
    for row in standard.code_list("capabilities"):
        lines.append(f"| `{row['code']}` | {_cell(row['label'])} | {_cell(row['description'])} | {_cell(row['examples'])} |")
    return "\n".join(lines) + "\n"
