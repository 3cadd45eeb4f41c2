"""`openbook alerts run|list`, `openbook subscribe`, `unsubscribe` and `subscriptions`: sudden changes
and persistent worst-decile bodies, emailed once to whoever follows the body or measure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard, org_option
from openbook.errors import UsageError

alerts_app = typer.Typer(help="Alerts: sudden changes in spend and bodies stuck in their peers' worst tenth.",
                         no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
OrgOption = Annotated[Optional[str], typer.Option("--org", help="A body (id or name).")]
MeasureOption = Annotated[Optional[str], typer.Option("--measure", help="A measure id.")]


@alerts_app.command("run")
def run(
    book: BookOption = DEFAULT_BOOK,
    outbox: Annotated[Optional[Path], typer.Option("--outbox", help="Write one .eml per subscriber into this "
                                                   "folder instead of sending (the demo uses demo/outbox).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Compute the alerts, store them, and email each subscriber the ones it has not had.

    Sends by SMTP when OPENBOOK_SMTP_HOST is set (see docs/alerts.md); --outbox writes files instead.
    """
    from openbook.analyse.alerts import compute_alerts, save_alerts, stored_alerts
    from openbook.mail import SmtpSettings, deliver
    from openbook.store import Book

    with guard():
        smtp = SmtpSettings.from_env()
        with Book(book) as opened:
            with render.StepProgress(quiet=as_json) as progress:
                progress.step("computing alerts")
                save_alerts(opened, compute_alerts(opened))
                rows = stored_alerts(opened)
                delivered = []
                if outbox is not None or smtp is not None:
                    progress.step("delivering")
                    delivered = deliver(opened, outbox=outbox, smtp=smtp)
        if as_json:
            render.print_json({"alerts": rows, "delivered": delivered})
            return
        _alerts_table(rows)
        for d in delivered:
            render.console.print(f"{d['email']}: {d['alerts']} alert{'s' if d['alerts'] != 1 else ''} "
                                 f"→ {d['where']}", highlight=False)
        if outbox is None and smtp is None:
            render.console.print("Nothing sent: give --outbox DIR, or set OPENBOOK_SMTP_HOST to send by email.")
        elif not delivered:
            render.console.print("No subscriber has a new alert.")


@alerts_app.command("list")
def list_(book: BookOption = DEFAULT_BOOK, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Show the alerts computed by the last `openbook alerts run`."""
    from openbook.analyse.alerts import stored_alerts
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
        rows = stored_alerts(opened, org_option(opened, org))
    render.print_json(rows) if as_json else _alerts_table(rows)


@app.command()
def subscribe(
    email: Annotated[str, typer.Argument(help="Where to send the alerts.")],
    org: OrgOption = None,
    measure: MeasureOption = None,
    book: BookOption = DEFAULT_BOOK,
    as_json: JsonOption = False,
) -> None:
    """Follow one body (--org) or one measure (--measure): its new alerts are emailed to EMAIL."""
    from openbook.analyse.alerts import subscribe as add
    from openbook.store import Book

    with guard(), Book(book) as opened:
        row = add(opened, email, org_id=org_option(opened, org), measure_id=measure)
        if as_json:
            render.print_json(row)
            return
        render.console.print(f"{row['email']} follows {row['org_id'] or 'measure ' + row['measure_id']}.",
                             highlight=False)


@app.command()
def unsubscribe(
    email: Annotated[str, typer.Argument(help="The address to stop.")],
    org: OrgOption = None,
    measure: MeasureOption = None,
    book: BookOption = DEFAULT_BOOK,
    as_json: JsonOption = False,
) -> None:
    """Stop alerts to EMAIL: all of them, or only those of one body or measure."""
    from openbook.analyse.alerts import unsubscribe as remove
    from openbook.store import Book

    with guard(), Book(book) as opened:
        count = remove(opened, email, org_id=org_option(opened, org), measure_id=measure)
        if not count:
            raise UsageError(f"{email} follows nothing that matches")
        if as_json:
            render.print_json({"email": email, "removed": count})
            return
        render.console.print(f"Removed {count} subscription{'s' if count != 1 else ''} of {email}.", highlight=False)


@app.command()
def subscriptions(book: BookOption = DEFAULT_BOOK, as_json: JsonOption = False) -> None:
    """List who follows which body or measure."""
    from openbook.analyse.alerts import subscriptions as listed
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
        rows = listed(opened)
    if as_json:
        render.print_json(rows)
        return
    table = Table(title=f"{len(rows)} subscriptions", title_justify="left")
    for column in ("Email", "Body", "Measure", "Since"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["email"], r["org_name"] or r["org_id"] or "", r["measure_id"] or "",
                      f"{r['created_at']:%Y-%m-%d}")
    render.console.print(table)


def _alerts_table(rows: list[dict]) -> None:
    if not rows:
        render.console.print("No alerts.")
        return
    table = Table(title=f"{len(rows)} alerts", title_justify="left", show_lines=True)
    table.add_column("Alert", overflow="fold")
    table.add_column("Context", overflow="fold")
    for r in rows:
        table.add_row(f"[bold]{r['title']}[/]\n{r['alert_id']}", r["context"] or "")
    render.console.print(table)
