"""openbook: the verbs users type. Thin: parse arguments, call the library, render with Rich.

This module only assembles: each command module registers its verbs on `cli.app.app`, in the
order `openbook --help` lists them."""

from __future__ import annotations

from openbook.cli import (  # noqa: F401  (each registers its commands)
    book,
    demo,
    plugins,
    analyse,
    serve,
    tokens,
    organograms,
    orgs,
    classify,
    margins,
    templates,
    payments,
    suppliers,
    savings,
    measures,
    measures_totals,
    alerts,
    quality,
    review,
    conform,
)
from openbook.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
