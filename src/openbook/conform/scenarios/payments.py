"""Payments (GOV.UK Pay's interface): create with an Idempotency-Key, retry, get, search a page at a
time, cancel, and the errors and refusals on the way."""

from __future__ import annotations

from openbook.conform.session import Session, dig

PAYMENTS, ONE = "/v1/payments", "/v1/payments/{paymentId}"
CANCEL = "/v1/payments/{paymentId}/cancel"


def _payment(reference: str) -> dict:
    return {"amount": 1234, "description": "openbook conformance run", "reference": reference,
            "return_url": "https://example.org/return"}


def scenario(s: Session) -> None:
    s.refused("create a payment", "POST", PAYMENTS, body=_payment(s.unique("refused")))
    s.refused("search payments", "GET", PAYMENTS)
    s.refused("search payments", "GET", PAYMENTS, token="openbook-false-token")
    reference, key = s.unique("first"), s.unique("key")
    step = "create a payment"
    created = s.call(step, "POST", PAYMENTS, body=_payment(reference), headers={"Idempotency-Key": key}, expect=(201,))
    if (found := s.made(step, created, "payment_id")) is None:
        return
    made, payment_id = found
    s.check(step, "echoes amount and reference", made.get("amount") == 1234 and made.get("reference") == reference,
            f"amount {made.get('amount')!r}, reference {made.get('reference')!r}")
    s.retried(PAYMENTS, _payment(reference), key, "payment_id", payment_id)
    one = ONE.replace("{paymentId}", payment_id)
    s.read_back("get the payment", ONE, one, "payment_id", payment_id)
    s.call("get an unknown payment", "GET", ONE, url=ONE.replace("{paymentId}", s.unique("missing")), expect=(404,))
    invalid = {k: v for k, v in _payment(s.unique("invalid")).items() if k != "amount"}
    s.call("create a payment without an amount", "POST", PAYMENTS, body=invalid, expect=(400, 422))
    s.call("create a second payment", "POST", PAYMENTS, body=_payment(s.unique("second")),
           headers={"Idempotency-Key": s.unique("key2")}, expect=(201,))
    first = s.call("search payments, one a page", "GET", PAYMENTS, query={"display_size": 1}, expect=(200,))
    s.paginate("search payments, one a page", PAYMENTS, first, size=1, more=True,
               items=lambda page: [dig(r, "payment_id") for r in page.get("results") or [] if isinstance(r, dict)],
               next_link=lambda page: dig(page, "_links", "next_page", "href"))
    cancel = CANCEL.replace("{paymentId}", payment_id)
    s.call("cancel the payment", "POST", CANCEL, url=cancel, expect=(204,))
    after = s.call("get the cancelled payment", "GET", ONE, url=one, expect=(200,))
    status = dig(after and after.json, "state", "status")
    s.check("get the cancelled payment", "state is cancelled", status == "cancelled", f"state.status {status!r}")
    s.call("cancel it again", "POST", CANCEL, url=cancel, expect=(400, 409))
