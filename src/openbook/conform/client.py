"""A bounded HTTP client that talks to one origin only.

A conformance run is pointed at somebody's live system: it sends at most `max_requests` requests,
stops at its deadline, never follows a redirect, and refuses any link (a next page, an endpoint
named in metadata) on another scheme, host or port.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit


class Refused(Exception):
    """A request that could not be made: off the origin, or the system did not answer."""


class Stopped(Exception):
    """The run's budget of requests or time is spent: what is left untested makes the run partial."""


@dataclass
class Response:
    method: str
    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def json(self):
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return parts.scheme, parts.hostname.lower(), parts.port or (443 if parts.scheme == "https" else 80)


class Client:
    def __init__(self, base_url: str, *, max_requests: int, timeout: float, request_timeout: float = 10.0):
        self.base = base_url.rstrip("/")
        self.origin = origin(self.base)
        self.max_requests = max_requests
        self.deadline = time.monotonic() + timeout
        self.request_timeout = request_timeout
        self.sent = 0

    def url(self, path_or_url: str) -> str:
        """A path is appended to the base URL (which may carry a prefix); a link is resolved against it."""
        if path_or_url.startswith("/"):
            return self.base + path_or_url
        return urljoin(self.base + "/", path_or_url)

    def request(self, method: str, path_or_url: str, *, query: dict | None = None, json_body=None,
                form: dict | None = None, headers: dict | None = None) -> Response:
        url = self.url(path_or_url)
        if origin(url) != self.origin:
            raise Refused(f"{url} is not on the system's origin {self.base}; it was not contacted")
        if self.sent >= self.max_requests:
            raise Stopped(f"the run's budget of {self.max_requests} requests is spent")
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Stopped("the run's time is up")
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if query:
            target += ("&" if parts.query else "?") + urlencode(query)
        sent_headers = {"Accept": "application/json", "User-Agent": "openbook-conform"}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent_headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form).encode()
            sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
        sent_headers.update(headers or {})
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = kind(parts.hostname, parts.port, timeout=min(self.request_timeout, left))
        self.sent += 1
        try:
            connection.request(method, target, body=body, headers=sent_headers)
            answer = connection.getresponse()
            data = answer.read(2_000_000)
            return Response(method, url, answer.status, {k.lower(): v for k, v in answer.getheaders()}, data)
        except (OSError, http.client.HTTPException) as error:
            raise Refused(f"{method} {url} failed: {error}") from None
        finally:
            connection.close()
