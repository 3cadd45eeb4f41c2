"""`openbook conform`: run a Lego block's standard interface against a system and issue a
certificate; verify a certificate; load certificates into the book."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import EXIT_OK, EXIT_REJECTED, BookOption, DEFAULT_BOOK, JsonOption, app, guard
from openbook.errors import UsageError

_STYLE = {"pass": "green", "fail": "bold red", "skip": "yellow"}


@app.command(no_args_is_help=True)
def conform(
    what: Annotated[str, typer.Argument(help="A block (payments, notifications, identity, booking), or "
                                             "`verify` or `load`.")],
    targets: Annotated[Optional[list[str]], typer.Argument(help="The system's URL after a block; certificate "
                                                                "files after verify or load.")] = None,
    token: Annotated[Optional[str], typer.Option("--token", envvar="OPENBOOK_CONFORM_TOKEN",
                                                 help="The bearer token the system expects.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Where the certificate (JSON and HTML) is written.")] = Path("."),
    org: Annotated[Optional[str], typer.Option("--org", help="The body whose system it is (recorded on the "
                                                             "certificate, or given when loading).")] = None,
    system: Annotated[Optional[str], typer.Option("--system", help="The system's name, e.g. its product.")] = None,
    fixture: Annotated[Optional[list[str]], typer.Option(
        "--fixture", help="KEY=VALUE the interface leaves to the system, e.g. template_id=… for notifications.")] = None,
    max_requests: Annotated[int, typer.Option("--max-requests", min=10, max=5000,
                                              help="The most requests the run sends.")] = 200,
    timeout: Annotated[float, typer.Option("--timeout", min=1, max=600, help="The most seconds the run takes.")] = 60,
    book: BookOption = DEFAULT_BOOK,
    as_json: JsonOption = False,
) -> None:
    """Test a system against a block's interface and write a certificate; `verify CERT…` checks
    certificates were not edited; `load CERT… --book B [--org BODY --system NAME]` records them.
    Exit status 0 when the system conforms (or every certificate verifies), 1 when it does not."""
    targets = targets or []
    with guard():
        if what == "verify":
            raise typer.Exit(_verify([Path(t) for t in targets], as_json))
        if what == "load":
            raise typer.Exit(_load(book, [Path(t) for t in targets], org, system, as_json))
        if len(targets) != 1:
            raise UsageError("give one URL: openbook conform BLOCK URL")
        raise typer.Exit(_run(what, targets[0], token, out, org, system, _fixtures(fixture or []),
                              max_requests, timeout, as_json))


def _fixtures(pairs: list[str]) -> dict[str, str]:
    fixtures = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--fixture {pair!r}: give KEY=VALUE")
        fixtures[key] = value
    return fixtures


def _run(block, url, token, out, org, system, fixtures, max_requests, timeout, as_json) -> int:
    from openbook.conform import certificate, run

    report = run(block, url, token, max_requests=max_requests, timeout=timeout, fixtures=fixtures)
    issued = certificate.issue(report, body=org, system=system)
    json_path, html_path = certificate.write(issued, out)
    if as_json:
        render.print_json({**report.as_dict(), "certificate": str(json_path), "sha256": issued["sha256"]})
    else:
        table = Table(title=f"{block} interface {report.version} against {report.url}")
        for column in ("Operation", "Step", "Check", "Result", "Detail"):
            table.add_column(column)
        for check in report.checks:
            table.add_row(escape(check.operation), escape(check.step), escape(check.aspect), f"[{_STYLE[check.result]}]{check.result}[/]",
                          escape(check.detail))
        render.console.print(table)
        counts = report.counts()
        render.console.print(
            f"[bold]{report.result}[/]: {counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped "
            f"in {report.requests} requests and {report.seconds:.1f} s"
            + (f" (stopped: {escape(report.stopped)})" if report.stopped else ""))
        render.console.print(f"Certificate: {escape(str(json_path))} and {escape(str(html_path))} "
                             f"(SHA-256 {issued['sha256'][:16]}…)")
    return EXIT_OK if report.result == "conforming" else EXIT_REJECTED


def _verify(paths: list[Path], as_json: bool) -> int:
    from openbook.conform import certificate

    if not paths:
        raise UsageError("give the certificate files: openbook conform verify CERT…")
    verdicts = [(path, certificate.verify(certificate.read(path))) for path in paths]
    if as_json:
        render.print_json([{"file": str(p), "intact": v.intact, "expired": v.expired, "message": v.message}
                           for p, v in verdicts])
    else:
        for path, verdict in verdicts:
            mark = "[green]ok[/]" if verdict.intact and not verdict.expired else "[bold red]NOT VALID[/]"
            render.console.print(f"{mark} {escape(str(path))}: {escape(verdict.message)}")
    return EXIT_OK if all(v.intact and not v.expired for _, v in verdicts) else EXIT_REJECTED


def _load(book_path: Path, paths: list[Path], org, system, as_json: bool) -> int:
    from openbook.conform.load import load
    from openbook.store import Book

    if not paths:
        raise UsageError("give the certificate files: openbook conform load CERT… --book B")
    with Book(book_path) as opened:
        rows = load(opened, paths, org=org, system=system)
    if as_json:
        render.print_json(rows)
    else:
        for row in rows:
            render.console.print(escape(f"Loaded {row['block']} {row['result']} for {row['system']} "
                                        f"({row['org_id']}), until {row['expires']}"))
    return EXIT_OK
