"""`--engine duckdb|spark` for the commands whose analyses are engine-neutral (analyse, duplicates,
savings): the same Ibis expressions on the book's DuckDB or on Spark over its Parquet lake."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from openbook.cli import render

EngineOption = Annotated[str, typer.Option(
    "--engine", help="duckdb (default): the book itself; spark: Spark over the book's Parquet lake "
                     "(needs openbook[spark] and Java). Findings are written to the book either way.",
    envvar="OPENBOOK_ENGINE")]
LakeOption = Annotated[Optional[Path], typer.Option(
    "--lake", help="With --engine spark: read this lake (from `openbook export --parquet`) instead of "
                   "writing one beside the book.")]
SparkConfOption = Annotated[Optional[list[str]], typer.Option(
    "--spark-conf", help="With --engine spark: a Spark setting key=value (repeatable); wins over "
                         "spark-defaults.conf and openbook's local defaults.")]


@contextmanager
def engine_in_use(book, engine: str, lake: Path | None, conf: list[str] | None, *, quiet: bool) -> Iterator[None]:
    """The book's analyses on the chosen engine for the duration; says which when it is Spark."""
    from openbook.store.engine import parse_conf, use_engine

    settings = parse_conf(conf)
    if engine == "spark" and not quiet:
        render.console.print("Starting Spark and reading the book's lake"
                             + (f" at [bold]{lake}[/]" if lake else " (written beside the book)") + " …")
    with use_engine(book, engine, lake=lake, conf=settings or None):
        if engine == "spark" and not quiet:
            from pyspark.sql import SparkSession

            master = SparkSession.getActiveSession().sparkContext.master
            render.console.print(f"Running on Spark ({master}); findings are saved to the book {book.path}.")
        yield
