"""`openbook classify`: set function and capability on every row the rules or a user's mapping can."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard


@app.command()
def classify(
    book: BookOption = DEFAULT_BOOK,
    mapping: Annotated[Optional[Path], typer.Option(
        "--mapping", help="Your own mapping CSV (table, field, match, value, function, capability); it beats "
                          "the built-in rules, is kept in the book and is reused by later passes.")] = None,
    no_mapping: Annotated[bool, typer.Option("--no-mapping", help="Stop applying the mapping kept in the "
                                                                 "book (it stays on record).")] = False,
    top: Annotated[int, typer.Option("--top", help="Rules to list, by £ classified.")] = 15,
    as_json: JsonOption = False,
) -> None:
    """Classify every row by function and capability; print coverage and the rules that did the work."""
    from openbook.analyse.classify import classify_book
    from openbook.errors import UsageError
    from openbook.store import Book

    with guard():
        if mapping and no_mapping:
            raise UsageError("choose --mapping FILE or --no-mapping, not both")
        with Book(book) as opened:
            report = classify_book(opened, mapping, drop_mapping=no_mapping)
        payload = render.classification_json(report)
        render.print_json(payload) if as_json else render.classification(payload, top=top)
