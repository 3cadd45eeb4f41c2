"""A conformance run: the block's scenario drives a session against the system, within the run's
budget of requests and time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

from openbook import standard
from openbook.conform.client import Client, Stopped, origin
from openbook.conform.session import Report, Session
from openbook.errors import UsageError

BLOCKS = ("payments", "notifications", "identity", "booking")


def _scenario(block: str) -> Callable[[Session], None]:
    from openbook.conform.scenarios import booking, identity, notifications, payments

    return {"payments": payments.scenario, "notifications": notifications.scenario,
            "identity": identity.scenario, "booking": booking.scenario}[block]


def run(block: str, url: str, token: str | None = None, *, max_requests: int = 200, timeout: float = 60.0,
        fixtures: dict[str, str] | None = None) -> Report:
    """Run the block's interface against the system at `url`: at most `max_requests` requests and
    `timeout` seconds, to that URL's origin only."""
    if block not in BLOCKS:
        raise UsageError(f"no interface for the block {block!r}; the blocks with one are {', '.join(BLOCKS)}")
    try:
        origin(url)
    except ValueError as error:
        raise UsageError(str(error)) from None
    entry = standard.interfaces()[block]
    doc = standard.interface(block)
    report = Report(block, entry["version"], url.rstrip("/"),
                    datetime.now(timezone.utc).replace(microsecond=0).isoformat())
    client = Client(url, max_requests=max_requests, timeout=timeout)
    session = Session(report, doc, client, token, {**doc.get("x-openbook-fixtures", {}), **(fixtures or {})})
    began = time.monotonic()
    try:
        _scenario(block)(session)
    except Stopped as why:
        report.stopped = str(why)
    report.requests, report.seconds = client.sent, time.monotonic() - began
    return report
