"""`openbook template`: blank files for the publications openbook defines (systems, processes,
supplier cost registers, budgets), generated from the standard's schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from openbook.cli import render
from openbook.cli.app import JsonOption, app, guard


@app.command()
def template(
    table: Annotated[str, typer.Argument(help="The table: system, process, cost_line or budget.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv (with a README.md beside it) or xlsx "
                                     "(a README sheet and drop-down lists for coded fields).")] = "csv",
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Where to write (default: TABLE.csv "
                                                "or TABLE.xlsx here).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a blank template to fill in: the header, and each field's meaning, type and codes."""
    from openbook.ingest.templates import check_table, template_fields, write_template

    with guard():
        check_table(table)
        written = write_template(table, out or Path(f"{table}.{fmt}"), fmt, force=force)
        fields = template_fields(table)
        required = [f.name for f in fields if f.required]
        if as_json:
            render.print_json({"table": table, "files": [str(p) for p in written],
                               "columns": [f.name for f in fields], "required": required})
            return
        render.console.print(f"Wrote {', '.join(f'[bold]{p}[/]' for p in written)}: {len(fields)} columns, "
                             f"required: {', '.join(required)}.")
        render.console.print(f"Fill one row per record, then `openbook validate {written[0]}` and "
                             f"`openbook ingest {written[0]}`.", highlight=False)
