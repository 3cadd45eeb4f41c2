"""Booking (openbook's own interface): list open slots a page at a time, book one with an
Idempotency-Key, retry, read, cancel, and the refusals and errors on the way."""

from __future__ import annotations

from openbook.conform.session import Session, dig

SLOTS, BOOKINGS = "/v1/slots", "/v1/bookings"
ONE, CANCEL = "/v1/bookings/{booking_id}", "/v1/bookings/{booking_id}/cancel"


def scenario(s: Session) -> None:
    s.refused("list slots", "GET", SLOTS)
    s.refused("book a slot", "POST", BOOKINGS, body={"slot_id": "x", "reference": s.unique("refused")})
    s.refused("list slots", "GET", SLOTS, token="openbook-false-token")
    first = s.call("list slots, two a page", "GET", SLOTS, query={"page_size": 2}, expect=(200,))
    page = first.json if first is not None and first.status == 200 else {}
    slots = [x for x in dig(page, "slots") or [] if isinstance(x, dict)]
    s.paginate("list slots, two a page", SLOTS, first, size=2, more=bool(dig(page, "links", "next")) or len(slots) > 2,
               items=lambda p: [dig(x, "id") for x in p.get("slots") or [] if isinstance(x, dict)],
               next_link=lambda p: dig(p, "links", "next"))
    open_slot = next((x.get("id") for x in slots if isinstance(x.get("remaining"), int) and x["remaining"] > 0), None)
    if not isinstance(open_slot, str):
        s.check("book a slot", "an open slot to book", False, "the first page lists no slot with places left")
        return
    reference, key = s.unique("first"), s.unique("key")
    request = {"slot_id": open_slot, "reference": reference}
    made = s.call("book a slot", "POST", BOOKINGS, body=request, headers={"Idempotency-Key": key}, expect=(201,))
    if (found := s.made("book a slot", made, "id")) is None:
        return
    booking, booking_id = found
    s.check("book a slot", "confirmed, for the slot asked",
            booking.get("status") == "confirmed" and booking.get("slot_id") == open_slot,
            f"status {booking.get('status')!r}, slot {booking.get('slot_id')!r}")
    s.retried(BOOKINGS, request, key, "id", booking_id)
    one = ONE.replace("{booking_id}", booking_id)
    s.read_back("get the booking", ONE, one, "id", booking_id)
    s.call("get an unknown booking", "GET", ONE, url=ONE.replace("{booking_id}", s.unique("missing")), expect=(404,))
    s.call("book without a slot", "POST", BOOKINGS, body={"reference": s.unique("bad")}, expect=(422,))
    s.call("book an unknown slot", "POST", BOOKINGS, body={"slot_id": s.unique("noslot"), "reference": s.unique("bad2")},
           expect=(404,))
    cancel = CANCEL.replace("{booking_id}", booking_id)
    done = s.call("cancel the booking", "POST", CANCEL, url=cancel, expect=(200,))
    s.check("cancel the booking", "status is cancelled", dig(done and done.json, "status") == "cancelled")
    after = s.call("get the cancelled booking", "GET", ONE, url=one, expect=(200,))
    s.check("get the cancelled booking", "status is cancelled", dig(after and after.json, "status") == "cancelled")
    s.call("cancel it again", "POST", CANCEL, url=cancel, expect=(409,))
