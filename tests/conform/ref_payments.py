"""A small payments service speaking GOV.UK Pay's interface, and its planted violations."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse

from ref_common import answer, authorised, base, body_of, new_id

# Where the off-origin variants send the run: a test points it at a listener of its own that counts
# whether anything arrived.
ELSEWHERE = {"url": "http://payments.example.org"}
VIOLATIONS = {
    "create-200": "create answers 200 instead of 201",
    "get-missing-reference": "get omits the required reference",
    "amount-as-string": "amount is a string, not an integer",
    "auth-not-enforced": "every operation answers without a token",
    "next-link-broken": "the next-page link leads to a 404",
    "next-link-same-page": "the next-page link repeats page one",
    "next-link-off-origin": "the next-page link points at another origin",
    "redirect-elsewhere": "get answers with a redirect to another origin",
    "not-idempotent": "a retry with the same Idempotency-Key makes a second payment",
    "error-envelope": "not-found answers {message} instead of {code, description}",
    "cancel-ignored": "cancel answers 204 but the payment stays created",
    "cancel-twice": "cancelling a cancelled payment answers 204 again",
    "validation-500": "a payment without an amount is a 500",
}


def app(variant: str | None = None) -> FastAPI:
    api = FastAPI()
    payments: dict[str, dict] = {}
    keys: dict[str, str] = {}

    def refuse(request: Request):
        if not authorised(request, variant != "auth-not-enforced"):
            return answer(401, {"code": "P0920", "description": "Credentials are required to access this resource"})
        return None

    def shown(payment: dict, request: Request) -> dict:
        out = dict(payment)
        href = f"{base(request)}/v1/payments/{payment['payment_id']}"
        out["_links"] = {"self": {"href": href, "method": "GET"}, "cancel": {"href": f"{href}/cancel", "method": "POST"}}
        if variant == "amount-as-string":
            out["amount"] = str(out["amount"])
        return out

    def not_found():
        if variant == "error-envelope":
            return answer(404, {"message": "not found"})
        return answer(404, {"code": "P0200", "description": "Not found"})

    @api.post("/v1/payments")
    async def create(request: Request):
        if (refused := refuse(request)) is not None:
            return refused
        body = await body_of(request)
        if body is None:
            return answer(400, {"code": "P0197", "description": "Unable to parse JSON"})
        for name, kind in (("amount", int), ("description", str), ("reference", str), ("return_url", str)):
            if not isinstance(body.get(name), kind):
                if variant == "validation-500":
                    return answer(500, {"code": "P0999", "description": "oops"})
                return answer(422, {"code": "P0101", "description": f"Missing mandatory attribute: {name}", "field": name})
        key = request.headers.get("idempotency-key")
        if key and key in keys and variant != "not-idempotent":
            return answer(200, shown(payments[keys[key]], request))
        payment = {"payment_id": new_id("pay"), "amount": body["amount"], "description": body["description"],
                   "reference": body["reference"], "return_url": body["return_url"], "language": "en",
                   "created_date": datetime.now(timezone.utc).isoformat(), "payment_provider": "sandbox",
                   "state": {"status": "created", "finished": False}, "delayed_capture": False, "moto": False}
        payments[payment["payment_id"]] = payment
        if key:
            keys[key] = payment["payment_id"]
        return answer(200 if variant == "create-200" else 201, shown(payment, request))

    @api.get("/v1/payments")
    def search(request: Request, display_size: int = 500, page: int = 1):
        if (refused := refuse(request)) is not None:
            return refused
        if display_size < 1 or page < 1:
            return answer(422, {"code": "P0401", "description": "Invalid parameters"})
        rows = sorted(payments.values(), key=lambda p: p["payment_id"], reverse=True)
        if variant == "next-link-same-page":
            page = 1
        chunk = rows[(page - 1) * display_size: page * display_size]
        links = {"self": {"href": f"{base(request)}/v1/payments?display_size={display_size}&page={page}", "method": "GET"}}
        if page * display_size < len(rows):
            nxt = f"{base(request)}/v1/payments?display_size={display_size}&page={page + 1}"
            if variant == "next-link-broken":
                nxt = f"{base(request)}/v1/payment?display_size={display_size}&page={page + 1}"
            elif variant == "next-link-off-origin":
                nxt = f"{ELSEWHERE['url']}/v1/payments?display_size={display_size}&page={page + 1}"
            links["next_page"] = {"href": nxt, "method": "GET"}
        return answer(200, {"total": len(rows), "count": len(chunk), "page": page, "_links": links,
                            "results": [shown(p, request) for p in chunk]})

    @api.get("/v1/payments/{payment_id}")
    def get(payment_id: str, request: Request):
        if (refused := refuse(request)) is not None:
            return refused
        if payment_id not in payments:
            return not_found()
        if variant == "redirect-elsewhere":
            return RedirectResponse(f"{ELSEWHERE['url']}/v1/payments/{payment_id}", status_code=307)
        out = shown(payments[payment_id], request)
        if variant == "get-missing-reference":
            out.pop("reference")
        return answer(200, out)

    @api.post("/v1/payments/{payment_id}/cancel")
    def cancel(payment_id: str, request: Request):
        if (refused := refuse(request)) is not None:
            return refused
        if payment_id not in payments:
            return not_found()
        payment = payments[payment_id]
        if payment["state"]["finished"] and variant != "cancel-twice":
            return answer(400, {"code": "P0501", "description": "Cancellation of payment failed"})
        if variant != "cancel-ignored":
            payment["state"] = {"status": "cancelled", "finished": True, "code": "P0040",
                                "message": "Payment was cancelled by the service"}
        return Response(status_code=204)

    return api
