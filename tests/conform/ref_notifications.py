"""A small notifications service speaking GOV.UK Notify's email interface, and its planted violations."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

from fastapi import FastAPI, Request

from ref_common import answer, authorised, base, body_of

TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
# Variants that still conform: Notify itself refuses query parameters it does not define.
ALSO_CONFORMING = {"refuses-page-size": "the list refuses page_size with a validation error, as Notify does"}
VIOLATIONS = {
    "send-200": "send answers 200 instead of 201",
    "send-missing-template": "the send response omits template",
    "status-not-in-list": "a notification's status is 'queued', which Notify does not define",
    "auth-not-enforced": "every operation answers without a token",
    "error-envelope": "validation errors answer {error} instead of {status_code, errors}",
    "invalid-address-accepted": "an invalid email address is accepted",
    "next-link-broken": "the next link leads to a 404",
    "created-at-number": "created_at is a number, not a string",
}


def _error(status: int, kind: str, message: str, variant: str | None):
    if variant == "error-envelope":
        return answer(status, {"error": message})
    return answer(status, {"status_code": status, "errors": [{"error": kind, "message": message}]})


def app(variant: str | None = None) -> FastAPI:
    api = FastAPI()
    sent: list[dict] = []

    def refuse(request: Request):
        if not authorised(request, variant != "auth-not-enforced"):
            return _error(403, "AuthError", "Unauthorized: authentication token must be provided", variant)
        return None

    def template(request: Request) -> dict:
        return {"id": TEMPLATE, "version": 1, "uri": f"{base(request)}/v2/template/{TEMPLATE}"}

    def shown(n: dict, request: Request) -> dict:
        out = {**n, "template": template(request)}
        if variant == "status-not-in-list":
            out["status"] = "queued"
        if variant == "created-at-number":
            out["created_at"] = 1700000000
        return out

    @api.post("/v2/notifications/email")
    async def send(request: Request):
        if (refused := refuse(request)) is not None:
            return refused
        body = await body_of(request)
        if body is None:
            return _error(400, "BadRequestError", "Invalid JSON supplied in POST data", variant)
        address = body.get("email_address")
        if not isinstance(address, str) or (not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address)
                                            and variant != "invalid-address-accepted"):
            return _error(400, "ValidationError", "email_address Not a valid email address", variant)
        if body.get("template_id") != TEMPLATE:
            return _error(400, "ValidationError", "template_id is a required property" if "template_id" not in body
                          else "Template not found", variant)
        n = {"id": str(uuid.uuid4()), "reference": body.get("reference"), "email_address": address, "type": "email",
             "status": "created", "body": "Hello openbook", "subject": "A test",
             "created_at": datetime.now(timezone.utc).isoformat()}
        sent.append(n)
        out = {"id": n["id"], "reference": n["reference"], "uri": f"{base(request)}/v2/notifications/{n['id']}",
               "content": {"body": n["body"], "subject": n["subject"], "from_email": "service@example.org"},
               "template": template(request), "scheduled_for": None}
        if variant == "send-missing-template":
            del out["template"]
        return answer(200 if variant == "send-200" else 201, out)

    @api.get("/v2/notifications/{notification_id}")
    def get(notification_id: str, request: Request):
        if (refused := refuse(request)) is not None:
            return refused
        found = next((n for n in sent if n["id"] == notification_id), None)
        if found is None:
            return _error(404, "NoResultFound", "No result found", variant)
        return answer(200, shown(found, request))

    @api.get("/v2/notifications")
    def listing(request: Request, older_than: str | None = None, reference: str | None = None, page_size: int = 250):
        if (refused := refuse(request)) is not None:
            return refused
        if variant == "refuses-page-size" and "page_size" in request.query_params:
            return _error(400, "ValidationError", "Additional properties are not allowed (page_size was unexpected)",
                          variant)
        rows = [n for n in reversed(sent) if reference is None or n["reference"] == reference]
        if older_than:
            ids = [n["id"] for n in rows]
            rows = rows[ids.index(older_than) + 1:] if older_than in ids else []
        page = rows[:max(page_size, 1)]
        links = {"current": str(request.url)}
        if len(rows) > len(page):
            path = "/v2/notification" if variant == "next-link-broken" else "/v2/notifications"
            links["next"] = f"{base(request)}{path}?page_size={page_size}&older_than={page[-1]['id']}"
        return answer(200, {"notifications": [shown(n, request) for n in page], "links": links})

    return api
