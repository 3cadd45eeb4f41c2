"""Notifications (GOV.UK Notify's email operations): send, read its status, list a page at a time,
and the validation, not-found and authentication errors in Notify's envelope."""

from __future__ import annotations

import uuid

from openbook.conform.session import Session, dig

SEND, ONE, LIST = "/v2/notifications/email", "/v2/notifications/{notification_id}", "/v2/notifications"


def scenario(s: Session) -> None:
    template, address = s.fixtures["template_id"], s.fixtures["email_address"]

    def email(reference: str, **change) -> dict:
        return {"email_address": address, "template_id": template, "reference": reference,
                "personalisation": {"name": "openbook"}, **change}

    s.refused("send an email", "POST", SEND, body=email(s.unique("refused")))
    s.refused("list notifications", "GET", LIST, token="openbook-false-token")
    reference = s.unique("first")
    sent = s.call("send an email", "POST", SEND, body=email(reference), expect=(201,))
    if (found := s.made("send an email", sent, "id")) is None:
        return
    made, notification_id = found
    s.check("send an email", "names the template and reference",
            dig(made, "template", "id") == template and made.get("reference") == reference,
            f"template {dig(made, 'template', 'id')!r}, reference {made.get('reference')!r}")
    one = ONE.replace("{notification_id}", notification_id)
    got = s.read_back("get the notification", ONE, one, "id", notification_id)
    kind = dig(got and got.json, "type")
    s.check("get the notification", "an email", kind == "email", f"type {kind!r}")
    s.call("get an unknown notification", "GET", ONE, url=ONE.replace("{notification_id}", str(uuid.uuid4())),
           expect=(404,))
    s.call("send to an invalid address", "POST", SEND, body=email(s.unique("bad"), email_address="not-an-address"),
           expect=(400,))
    without = {k: v for k, v in email(s.unique("bad2")).items() if k != "template_id"}
    s.call("send without a template", "POST", SEND, body=without, expect=(400,))
    s.call("send a second email", "POST", SEND, body=email(s.unique("second")), expect=(201,))
    mine = s.call("list by reference", "GET", LIST, query={"reference": reference}, expect=(200,))
    ids = [dig(n, "id") for n in dig(mine and mine.json, "notifications") or [] if isinstance(n, dict)]
    s.check("list by reference", "finds the email", notification_id in ids, f"{len(ids)} listed")
    step = "list notifications, one a page"
    first = s.call(step, "GET", LIST, query={"page_size": 1}, expect=(200, 400))
    if first is not None and first.status == 400:  # Notify itself refuses parameters it does not define
        s.check(step, "next page link", None, "the system refuses page_size (allowed): its pages hold more "
                                              "notifications than a run sends, so the next link is untested")
        return
    s.paginate("list notifications, one a page", LIST, first, size=1, more=True, size_is_optional=True,
               items=lambda page: [dig(n, "id") for n in page.get("notifications") or [] if isinstance(n, dict)],
               next_link=lambda page: dig(page, "links", "next"))
