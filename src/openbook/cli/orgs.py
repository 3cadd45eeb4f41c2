"""`openbook orgs add|list|find`: the bodies the book knows, and those a user adds to it.

A body the registry lacks (an NHS trust, a parish council, a company) is recorded once with
`orgs add`; from then on its name and aliases resolve for --org and in every file's body column.
`orgs find` shows what a name would resolve to before a file is loaded.
"""

from __future__ import annotations

import getpass
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard

orgs_app = typer.Typer(help="Public bodies in the book: find one by name, add one the registry lacks.",
                       no_args_is_help=True)
app.add_typer(orgs_app, name="orgs")


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"


@orgs_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The body's official name.")],
    kind: Annotated[str, typer.Option("--kind", help="What sort of body: a code of the organisation_kinds list "
                                      "(nhs-trust, parish-council, company …).")],
    org_id: Annotated[Optional[str], typer.Option("--id", help="Its org-id when it has one (GB-NHS-RR8); "
                                                  "else it gets one in openbook's local scheme, ZZ-OPENBOOK-….")] = None,
    parent: Annotated[Optional[str], typer.Option("--parent", help="The body that sponsors or owns it (id or name).")] = None,
    population: Annotated[Optional[int], typer.Option("--population", help="Residents served, for per-head measures.")] = None,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="Another name files use for it "
                                                       "(repeat for several).")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who is adding it (default: your login name).")] = None,
    book: BookOption = DEFAULT_BOOK,
    as_json: JsonOption = False,
) -> None:
    """Record a body the registry lacks, with who added it and when."""
    from openbook.store import Book

    with guard(), Book(book) as opened:
        body = opened.add_body(name=name, kind=kind, org_id=org_id, parent=parent, population=population,
                               aliases=alias or [], added_by=by or _who())
        if as_json:
            render.print_json(body)
        else:
            render.console.print(f"Added {escape(body['org_id'])} {escape(body['name'])} ({body['kind']}), "
                                 f"by {escape(body['added_by'])}; its name now resolves for --org and in files.",
                                 highlight=False)


@orgs_app.command("list")
def list_(
    added: Annotated[bool, typer.Option("--added", help="Only the bodies users added.")] = False,
    book: BookOption = DEFAULT_BOOK,
    as_json: JsonOption = False,
) -> None:
    """The bodies in the book: the registry's and those added, marking which."""
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
        rows = opened.bodies(added_only=added)
    if as_json:
        render.print_json(rows)
        return
    table = Table(title=f"Bodies ({len(rows):,})", title_justify="left")
    for column in ("Org id", "Name", "Kind", "Source"):
        table.add_column(column, overflow="fold")
    for row in rows:
        source = f"added by {row['added_by']} on {row['added_at']:%Y-%m-%d}" if row["added"] else "registry"
        table.add_row(escape(row["org_id"]), escape(row["name"]), row["kind"], escape(source))
    render.console.print(table)


@orgs_app.command("find")
def find(
    text: Annotated[str, typer.Argument(help="A name, alias, abbreviation or id as a file writes it.")],
    book: BookOption = DEFAULT_BOOK,
    as_json: JsonOption = False,
) -> None:
    """The bodies a name could resolve to, how (exact, alias, variant, abbreviation, fuzzy) and a score."""
    from openbook.ingest.body_search import find_bodies
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
        matches = find_bodies(opened.org_index(), text)
    resolved = [m for m in matches if m.how != "fuzzy"]
    verdict = ("resolves" if len(resolved) == 1 else "ambiguous" if resolved
               else "nearest" if matches else "unknown")
    if as_json:
        render.print_json({"text": text, "verdict": verdict,
                           "org_id": resolved[0].org_id if verdict == "resolves" else None,
                           "matches": [m.as_dict() for m in matches]})
        return
    sentence = {
        "resolves": f"{text!r} resolves to {resolved[0].org_id} ({resolved[0].name})" if resolved else "",
        "ambiguous": f"{text!r} is ambiguous: it could be any of {len(resolved)} bodies, so it is never guessed; "
                     "give the org id (or add an alias to the body it means)",
        "nearest": f"{text!r} resolves to no body; the nearest names are below. If it is one of them, add the "
                   "name as an alias; if not, record it with `openbook orgs add`",
        "unknown": f"{text!r} resolves to no body, and no name comes near it; record it with `openbook orgs add`",
    }[verdict]
    render.console.print(escape(sentence), highlight=False)
    if matches:
        table = Table(title_justify="left")
        for column in ("Org id", "Name", "How", "Score"):
            table.add_column(column, justify="right" if column == "Score" else "left")
        for m in matches:
            table.add_row(escape(m.org_id), escape(m.name), m.how, str(m.score))
        render.console.print(table)
