"""`openbook measures`, `openbook peers` and `openbook index`: bodies against their peers, priced, and scored."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard
from openbook.errors import UsageError

PeersOption = Annotated[str, typer.Option("--peers", help="Compare with bodies of the same 'kind', the same "
                                          "'sector', the k nearest 'neighbours', or a saved group's name.")]


@app.command()
def measures(
    book: BookOption = DEFAULT_BOOK,
    measure: Annotated[Optional[str], typer.Option("--measure", help="Only this measure (its id).")] = None,
    org: Annotated[Optional[str], typer.Option("--org", help="Only this body (org id or name).")] = None,
    peers: PeersOption = "kind",
    basis: Annotated[Optional[str], typer.Option("--basis", help="per-head, per-fte or real (or e.g. "
                                                 "per-head,real); default: each measure's own.")] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="Financial year to show, e.g. 2024-25 "
                                                  "(default: the year with most bodies).")] = None,
    centile: Annotated[float, typer.Option("--centile", help="Target centile for savings (default 10).")] = 10,
    neighbours: Annotated[int, typer.Option("--k", help="Nearest neighbours to compare with.")] = 10,
    deflator: Annotated[Optional[Path], typer.Option("--deflator", help="A GDP deflator CSV "
                                                     "(financial_year,index) for --basis real.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every declared measure for every body: value, rank and decile among its peers, and the saving
    at the peers' target centile."""
    from openbook.analyse.findings import save_findings
    from openbook.analyse.measures import load_measures
    from openbook.analyse.measures.bases import parse_basis
    from openbook.analyse.measures.findings import measure_findings
    from openbook.analyse.measures.runner import MeasureSettings, run, save_results, unknown_measure
    from openbook.store import Book

    with guard():
        if not 0 < centile < 100:
            raise UsageError(f"--centile {centile:g} must be between 0 and 100")
        chosen = load_measures()
        if measure:
            chosen = [m for m in chosen if m.id == measure] or _raise(unknown_measure(measure, chosen))
        settings = MeasureSettings(target_centile=centile / 100, neighbours=neighbours)
        with Book(book) as opened:
            org_id = _resolve(opened, org)
            results = run(opened, measures=chosen, comparator=peers, basis=parse_basis(basis, deflator_file=deflator),
                          settings=settings)
            save_results(opened, results)
            if peers == "kind" and basis is None and measure is None:
                save_findings(opened, "measures", measure_findings(opened, results))
        from openbook.analyse.measures.payload import measures_payload
        from openbook.cli.measures_render import print_measures

        if as_json:
            render.print_json(measures_payload(results, org_id, period))
        else:
            print_measures(results, org_id, period)


peers_app = typer.Typer(help="Comparator groups: bodies a user chooses to be compared with each other.",
                        no_args_is_help=True)
group_app = typer.Typer(help="Save, list and delete named comparator groups.", no_args_is_help=True)
peers_app.add_typer(group_app, name="group")
app.add_typer(peers_app, name="peers")


@peers_app.command("show")
def peers_show(
    org: Annotated[str, typer.Argument(help="The body (org id or name).")],
    book: BookOption = DEFAULT_BOOK,
    neighbours: Annotated[int, typer.Option("--k", help="How many nearest neighbours.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """A body's nearest neighbours on population, staff and total spend, nearest first."""
    from openbook.analyse.measures.comparators import nearest_neighbours
    from openbook.analyse.measures.runner import neighbour_context
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
        org_id = _resolve(opened, org)
        context, names = neighbour_context(opened)
        found = nearest_neighbours(context, k=neighbours).get(org_id, [])
        rows = [{"org_id": o, "name": names.get(o, o), "distance": round(d, 4), **context[o]} for o, d in found]
        if as_json:
            render.print_json({"org_id": org_id, "features": context.get(org_id), "neighbours": rows})
            return
        table = Table(title=f"Nearest neighbours of {names.get(org_id, org_id)} (standardised Euclidean distance "
                            "on population, staff and annual spend)", title_justify="left")
        for column in ("Body", "Distance", "Population", "Staff (FTE)", "Spend a year"):
            table.add_column(column, justify="left" if column == "Body" else "right")
        for row in rows:
            table.add_row(row["name"], f"{row['distance']:.3f}", _num(row["population_served"]),
                          _num(row["staff_fte"]), render.gbp(row["total_gbp"]) if row["total_gbp"] else "–")
        render.console.print(table)


@group_app.command("create")
def group_create(
    name: Annotated[str, typer.Argument(help="The group's name.")],
    orgs: Annotated[list[str], typer.Argument(help="Its bodies (org ids or names).")],
    book: BookOption = DEFAULT_BOOK,
    as_json: JsonOption = False,
) -> None:
    """Save a comparator group (replacing one of the same name)."""
    from openbook.analyse.measures.comparators import create_group
    from openbook.store import Book

    with guard(), Book(book) as opened:
        members = create_group(opened, name, orgs)
        if as_json:
            render.print_json({"name": name, "members": members})
            return
        render.console.print(f"Saved group [bold]{name}[/] with {len(members)} bodies; use it with "
                             f"`openbook measures --peers {name!r}`.")


@group_app.command("list")
def group_list(book: BookOption = DEFAULT_BOOK, as_json: JsonOption = False) -> None:
    """List the saved comparator groups and their bodies."""
    from openbook.analyse.measures.comparators import groups
    from openbook.store import Book

    with guard(), Book(book) as opened:  # writable: a book from before groups gains the table
        saved = groups(opened)
        if as_json:
            render.print_json(saved)
            return
        if not saved:
            render.console.print("No comparator groups saved yet; `openbook peers group create NAME ORG ORG …`.")
        for name, members in saved.items():
            render.console.print(f"[bold]{name}[/] ({len(members)}): {', '.join(members)}", soft_wrap=True)


@group_app.command("delete")
def group_delete(name: Annotated[str, typer.Argument(help="The group's name.")], book: BookOption = DEFAULT_BOOK,
                 as_json: JsonOption = False) -> None:
    """Delete a saved comparator group."""
    from openbook.analyse.measures.comparators import delete_group
    from openbook.store import Book

    with guard(), Book(book) as opened:
        if not delete_group(opened, name):
            raise UsageError(f"no comparator group {name!r}; `openbook peers group list` shows them")
        if as_json:
            render.print_json({"name": name, "deleted": True})
            return
        render.console.print(f"Deleted group [bold]{name}[/].")


@app.command("index")
def index_(
    book: BookOption = DEFAULT_BOOK,
    level: Annotated[str, typer.Option("--level", help="service (a body's function), body, function or sector.")] = "body",
    weights: Annotated[Optional[Path], typer.Option("--weights", help="A weights file like "
                                                    "standard/value_index.toml.")] = None,
    peers: PeersOption = "kind",
    as_json: JsonOption = False,
) -> None:
    """The public value index: cost efficiency, duplication, openness and shared blocks, with the weights shown."""
    from openbook.analyse import value_index
    from openbook.analyse.measures.runner import run
    from openbook.store import Book

    with guard():
        if level not in value_index.LEVELS:
            raise UsageError(f"--level {level!r} is not one of {', '.join(value_index.LEVELS)}")
        chosen = value_index.load_weights(weights)
        with Book(book) as opened:
            levels = value_index.compute(opened, run(opened, comparator=peers), chosen)
            value_index.save_index(opened, levels, chosen)
        from openbook.cli.measures_render import print_index

        if as_json:
            render.print_json({"level": level, "peers": peers, "weights": chosen["weights"],
                               "weights_source": chosen["source"],
                               "weights_sha256": chosen["sha256"], "rows": levels[level]})
        else:
            print_index(levels[level], chosen, level)


def _resolve(book, org: str | None) -> str | None:
    if org is None:
        return None
    return book.require_org(org)


def _raise(error: Exception):
    raise error


def _num(value) -> str:
    return "–" if value is None else f"{value:,.0f}"
