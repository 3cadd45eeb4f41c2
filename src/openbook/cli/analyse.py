"""`openbook analyse` and `openbook findings`: run the detectors, then read what they found."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard, org_option
from openbook.cli.engines import EngineOption, LakeOption, SparkConfOption, engine_in_use


@app.command()
def analyse(
    book: BookOption = DEFAULT_BOOK,
    only: Annotated[Optional[list[str]], typer.Option("--only", help="Run only this detector (repeatable).")] = None,
    top: Annotated[int, typer.Option("--top", help="Findings to show, largest £ first.")] = 20,
    engine: EngineOption = "duckdb",
    lake: LakeOption = None,
    spark_conf: SparkConfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run every detector over the book, store the findings, and show the largest by £."""
    from openbook.analyse.detectors import run
    from openbook.store import Book

    with guard():
        with Book(book) as opened, engine_in_use(opened, engine, lake, spark_conf, quiet=as_json):
            with render.StepProgress(quiet=as_json) as progress:
                counts = run(opened, only, progress=progress.step)
            rows = opened.findings(kind=None, limit=top)
        if as_json:
            render.print_json({"counts": counts, "findings": rows})
        else:
            render.detector_counts(counts)
            render.findings_table(rows)


@app.command()
def findings(
    book: BookOption = DEFAULT_BOOK,
    kind: Annotated[Optional[str], typer.Option("--kind", help="Only findings of this kind.")] = None,
    org: Annotated[Optional[str], typer.Option("--org", help="Only findings concerning this body (id or name).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many, largest £ first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List stored findings, largest £ first, with the formula and the rows behind each."""
    from openbook.store import Book

    with guard():
        with Book(book, read_only=True) as opened:
            rows = opened.findings(kind=kind, org=org_option(opened, org), limit=limit)
        if as_json:
            render.print_json(rows)
        else:
            render.findings_table(rows, detail=True)
