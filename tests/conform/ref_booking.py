"""A small booking service speaking openbook's booking interface, and its planted violations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fastapi import FastAPI, Request

from ref_common import answer, authorised, base, body_of, new_id

VIOLATIONS = {
    "create-200": "booking answers 200 instead of 201",
    "not-idempotent": "a retry with the same Idempotency-Key books twice",
    "auth-not-enforced": "every operation answers without a token",
    "next-link-broken": "the next link leads to a 404",
    "cancel-twice": "cancelling a cancelled booking answers 200",
    "missing-created-at": "a booking omits created_at",
    "error-envelope": "not-found answers FastAPI's {detail} instead of {error: {code, message}}",
    "remaining-string": "a slot's remaining places are a string",
    "status-unknown": "a booking's status is 'booked', which the interface does not define",
}


def app(variant: str | None = None) -> FastAPI:
    api = FastAPI()
    start = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
    slots = [{"id": f"slot-{i}", "service": "Bulky waste collection", "capacity": 3, "remaining": 3,
              "start": (start + timedelta(hours=i)).isoformat(), "end": (start + timedelta(hours=i, minutes=30)).isoformat()}
             for i in range(5)]
    bookings: dict[str, dict] = {}
    keys: dict[str, str] = {}

    def error(status: int, code: str, message: str):
        if variant == "error-envelope" and status == 404:
            return answer(404, {"detail": "Not Found"})
        return answer(status, {"error": {"code": code, "message": message}})

    def refuse(request: Request):
        if not authorised(request, variant != "auth-not-enforced"):
            return error(401, "unauthorised", "A bearer token is required")
        return None

    def shown(b: dict) -> dict:
        out = dict(b)
        if variant == "missing-created-at":
            del out["created_at"]
        if variant == "status-unknown" and out["status"] == "confirmed":
            out["status"] = "booked"
        return out

    @api.get("/v1/slots")
    def list_slots(request: Request, page_size: int = 20, cursor: str = "0"):
        if (refused := refuse(request)) is not None:
            return refused
        if not cursor.isdigit() or not 1 <= page_size <= 100:
            return error(422, "invalid", "page_size is 1 to 100; cursor comes from a next link")
        at = int(cursor)
        page = slots[at: at + page_size]
        if variant == "remaining-string":
            page = [{**s, "remaining": str(s["remaining"])} for s in page]
        links = {"self": str(request.url), "next": None}
        if at + page_size < len(slots):
            path = "/v1/slot" if variant == "next-link-broken" else "/v1/slots"
            links["next"] = f"{base(request)}{path}?page_size={page_size}&cursor={at + page_size}"
        return answer(200, {"slots": page, "links": links})

    @api.post("/v1/bookings")
    async def create(request: Request):
        if (refused := refuse(request)) is not None:
            return refused
        body = await body_of(request)
        if body is None or not isinstance(body.get("slot_id"), str) or not body.get("reference"):
            return error(422, "invalid", "slot_id and reference are required")
        key = request.headers.get("idempotency-key")
        if key and key in keys and variant != "not-idempotent":
            return answer(200, shown(bookings[keys[key]]))
        slot = next((s for s in slots if s["id"] == body["slot_id"]), None)
        if slot is None:
            return error(404, "no-such-slot", "No such slot")
        if slot["remaining"] < 1:
            return error(409, "full", "The slot is full")
        slot["remaining"] -= 1
        b = {"id": new_id("bk"), "slot_id": slot["id"], "reference": body["reference"], "status": "confirmed",
             "created_at": datetime.now(timezone.utc).isoformat(), "cancelled_at": None}
        bookings[b["id"]] = b
        if key:
            keys[key] = b["id"]
        return answer(200 if variant == "create-200" else 201, shown(b))

    @api.get("/v1/bookings/{booking_id}")
    def get(booking_id: str, request: Request):
        if (refused := refuse(request)) is not None:
            return refused
        if booking_id not in bookings:
            return error(404, "no-such-booking", "No such booking")
        return answer(200, shown(bookings[booking_id]))

    @api.post("/v1/bookings/{booking_id}/cancel")
    def cancel(booking_id: str, request: Request):
        if (refused := refuse(request)) is not None:
            return refused
        b = bookings.get(booking_id)
        if b is None:
            return error(404, "no-such-booking", "No such booking")
        if b["status"] == "cancelled" and variant != "cancel-twice":
            return error(409, "already-cancelled", "The booking is already cancelled")
        if b["status"] != "cancelled":
            next(s for s in slots if s["id"] == b["slot_id"])["remaining"] += 1
        b.update(status="cancelled", cancelled_at=datetime.now(timezone.utc).isoformat())
        return answer(200, shown(b))

    return api
