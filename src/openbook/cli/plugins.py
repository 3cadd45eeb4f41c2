"""`openbook plugins`: the importers registered, built-in and installed."""

from __future__ import annotations

from openbook.cli import render
from openbook.cli.app import JsonOption, app, guard


@app.command()
def plugins(as_json: JsonOption = False) -> None:
    """List the registered importers, built-in and installed, with the problem codes they emit."""
    from openbook.plugins import importers

    with guard():
        rows = [{"name": i.name, "title": i.title, "dataset": i.dataset, "module": i.__module__,
                 "problems": list(i.problems)} for i in importers()]
        render.print_json(rows) if as_json else render.importer_table(rows)
