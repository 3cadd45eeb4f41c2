"""What a block's scenario works with: a session that sends requests and checks every answer against
the interface document, and the report of checks it records."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from openbook.conform import schema
from openbook.conform.client import Client, Refused, Response

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass
class Check:
    id: str
    step: str
    aspect: str
    result: str
    detail: str = ""
    operation: str = ""  # the interface's operation the step exercised, e.g. POST /v1/payments


@dataclass
class Report:
    block: str
    version: str
    url: str
    started: str
    checks: list[Check] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    stopped: str = ""  # why the run ended early (budget, time), which makes it partial

    @property
    def result(self) -> str:
        if any(c.result == FAIL for c in self.checks):
            return "not conforming"
        return "incomplete" if self.stopped else "conforming"

    def counts(self) -> dict[str, int]:
        return {r: sum(1 for c in self.checks if c.result == r) for r in (PASS, FAIL, SKIP)}

    def as_dict(self) -> dict:
        return {"block": self.block, "version": self.version, "url": self.url, "started": self.started,
                "result": self.result, "counts": self.counts(), "requests": self.requests,
                "seconds": round(self.seconds, 3), "stopped": self.stopped,
                "checks": [asdict(c) for c in self.checks]}


def dig(value, *keys):
    """value[k1][k2]… or None wherever the path breaks (a response may be any shape)."""
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
            value = value[key]
        else:
            return None
    return value


class Session:
    """What a scenario uses: send a request and check the answer against the interface."""

    def __init__(self, report: Report, doc: dict, client: Client, token: str | None, fixtures: dict[str, str]):
        self.report, self.doc, self.client, self.token, self.fixtures = report, doc, client, token, fixtures
        self.run_id = uuid.uuid4().hex[:12]
        self.operations: dict[str, str] = {}  # step → the operation it sent first

    def unique(self, label: str) -> str:
        return f"openbook-{label}-{self.run_id}"

    def check(self, step: str, aspect: str, ok: bool | None, detail: str = "") -> bool:
        """Record one check: ok True passes, False fails, None is skipped (detail says why)."""
        result = SKIP if ok is None else PASS if ok else FAIL
        slug = re.sub(r"[^a-z0-9]+", "-", f"{step} {aspect}".casefold()).strip("-")
        self.report.checks.append(Check(slug, step, aspect, result, detail, self.operations.get(step, "")))
        return bool(ok)

    def _headers(self, auth: bool | str, headers: dict | None) -> dict:
        sent = dict(headers or {})
        bearer = auth if isinstance(auth, str) else self.token if auth else None
        if bearer:
            sent["Authorization"] = f"Bearer {bearer}"
        return sent

    def call(self, step: str, method: str, path: str, *, expect: tuple[int, ...], url: str | None = None,
             auth: bool | str = True, query: dict | None = None, body=None, form: dict | None = None,
             headers: dict | None = None) -> Response | None:
        """Send one request; check its status, then its body against the interface's schema for it."""
        self.operations.setdefault(step, f"{method} {path}")
        try:
            answer = self.client.request(method, url or path, query=query, json_body=body, form=form,
                                         headers=self._headers(auth, headers))
        except Refused as why:
            self.check(step, "answered", False, str(why))
            return None
        if not self.check(step, "status", answer.status in expect,
                          f"{answer.status} (expected {' or '.join(map(str, expect))})"):
            return answer
        wanted = schema.response_schema(self.doc, method, path, answer.status)
        if wanted is None:
            return answer
        aspect = "error envelope" if answer.status >= 400 else "response"
        value = answer.json
        if value is None:
            self.check(step, f"{aspect} is JSON", False, answer.body[:120].decode("utf-8", "replace"))
            return answer
        missing, other = schema.problems(wanted, value)
        self.check(step, f"{aspect} required fields", not missing, "; ".join(missing[:3]))
        self.check(step, f"{aspect} schema", not other, "; ".join(other[:3]))
        return answer

    def refused(self, step: str, method: str, path: str, *, url: str | None = None, body=None,
                form: dict | None = None, token: str | None = None) -> None:
        """Without credentials (or with a false token) the system must refuse: 401 or 403."""
        aspect = "refused with a false token" if token else "refused without credentials"
        self.operations.setdefault(step, f"{method} {path}")
        try:
            answer = self.client.request(method, url or path, json_body=body, form=form,
                                         headers=self._headers(token or False, None))
        except Refused as why:
            self.check(step, aspect, False, str(why))
            return
        self.check(step, aspect, answer.status in (401, 403), f"{answer.status} (expected 401 or 403)")

    def made(self, step: str, answer: Response | None, id_field: str) -> tuple[dict, str] | None:
        """The body of a successful create and the id it names, or a failed check: nothing to carry on with."""
        body = answer.json if answer is not None and 200 <= answer.status < 300 else None
        ident = dig(body, id_field)
        if not isinstance(ident, str) or not ident:
            self.check(step, f"gives {id_field}", False, "nothing to carry on with")
            return None
        return body, ident

    def retried(self, path: str, body: dict, key: str, id_field: str, expected: str) -> None:
        """The interface promises idempotency: the same Idempotency-Key and body give the same resource."""
        step = "retry with the same Idempotency-Key"
        again = self.call(step, "POST", path, body=body, headers={"Idempotency-Key": key}, expect=(200, 201))
        got = dig(again and again.json, id_field)
        self.check(step, "same resource", got == expected, f"{got!r} against {expected!r}")

    def read_back(self, step: str, path: str, url: str, id_field: str, expected: str) -> Response | None:
        """A created resource reads back as itself, and not without credentials."""
        got = self.call(step, "GET", path, url=url, expect=(200,))
        self.check(step, "same resource", dig(got and got.json, id_field) == expected)
        self.refused(step, "GET", path, url=url)
        return got

    def paginate(self, step: str, path: str, first: Response | None, *, size: int, more: bool,
                 items: Callable[[dict], list], next_link: Callable[[dict], str | None],
                 size_is_optional: bool = False) -> None:
        """Page one holds at most `size` items; when `more` exist, its next link opens page two, new items."""
        page = first.json if first is not None and first.status == 200 else None
        if not isinstance(page, dict):
            self.check(step, "next page link", None, "the first page did not answer")
            return
        seen = [i for i in (items(page) or []) if i is not None]
        link = next_link(page)
        if len(seen) > size:
            if size_is_optional and not link:
                self.check(step, "next page link", None, "the system ignores the page size (allowed); one page only")
                return
            self.check(step, "page size respected", False, f"{len(seen)} items on a page of {size}")
        if not link:
            self.check(step, "next page link", not more, "no next link although more items exist" if more else "")
            return
        if not isinstance(link, str):
            self.check(step, "next page link", False, f"the next link is not a string: {link!r}")
            return
        second = self.call(f"{step}, next page", "GET", path, url=link, expect=(200,))
        page2 = second.json if second is not None and second.status == 200 else None
        if isinstance(page2, dict):
            fresh = [i for i in (items(page2) or []) if i is not None]
            self.check(step, "next page brings new items", bool(fresh) and not set(fresh) & set(seen),
                       f"page one {seen[:3]}, page two {fresh[:3]}")
