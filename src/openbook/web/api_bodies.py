"""/api/v1/organisations: the public bodies in the book, each with its spend and findings."""

from __future__ import annotations

import ibis
from typing import Annotated

from fastapi import APIRouter

from openbook.web.deps import BookDep
from openbook.web.errors import ApiError
from openbook.web.listing import Format, json_response, key, rows_response
from openbook.web.models import listing, responses, row_model

router = APIRouter(prefix="/api/v1", tags=["organisations"])
_FIGURES = {"spend_gbp": (str, "Current spend in the book, £"), "spend_lines": (int, "Current payment lines"),
            "findings": (int, "Findings that concern the body"),
            "added_by": (str, "Who recorded the body, when a user added it (`openbook orgs add`); null for the registry's"),
            "added_at": (str, "When a user added the body; null for the registry's")}
Organisation = row_model("organisation", "Organisation", _FIGURES)
OrganisationDetail = row_model("organisation", "OrganisationDetail", {
    **_FIGURES, "first_paid_on": (str, "Earliest payment date"), "last_paid_on": (str, "Latest payment date"),
    "gbp_at_stake": (str, "£ at stake across its findings"), "sources": (int, "Current files published")})


def _with_figures(book):
    con = book.ibis()
    organisation, spend, finding = con.table("organisation"), con.table("spend_current"), con.table("finding")
    totals = spend.group_by("org_id").aggregate(
        spend_gbp=spend.amount_gbp.sum(), spend_lines=spend.count(), first_paid_on=spend.paid_on.min(),
        last_paid_on=spend.paid_on.max())
    concerns = finding.select(org_id=finding.org_ids.unnest(), gbp=finding.gbp_at_stake)
    found = concerns.group_by("org_id").aggregate(findings=concerns.count(), gbp_at_stake=concerns.gbp.sum())
    figures = [c for c in totals.columns if c != "org_id"]
    joined = organisation.left_join(totals, "org_id").select(organisation, *figures)
    joined = joined.left_join(found, "org_id").select(joined, "findings", "gbp_at_stake")
    if "body_added" in con.list_tables():  # a book made before bodies could be added has none
        added = con.table("body_added")
        joined = joined.left_join(added, "org_id").select(joined, "added_by", "added_at")
    else:
        joined = joined.mutate(added_by=ibis.null("string"), added_at=ibis.null("timestamp"))
    return joined.mutate(findings=joined.findings.coalesce(0), spend_lines=joined.spend_lines.coalesce(0))


@router.get("/organisations", summary="Public bodies in the book, with the spend and findings held for each",
            response_model=listing(Organisation), responses=responses(errors=(422,)))
def organisations(book: BookDep, format: Format = None):
    table = _with_figures(book).drop("first_paid_on", "last_paid_on", "gbp_at_stake")
    table = table.order_by([ibis.desc("spend_gbp"), "org_id"]).to_pyarrow()
    return rows_response(table, format, "organisations")


@router.get("/organisations/{org_id}", summary="One body (by id or name): its registry entry and headline figures",
            response_model=OrganisationDetail, responses=responses(downloads=False, errors=(404, 422)))
def organisation(org_id: Annotated[str, key("The body's id or name")], book: BookDep):
    resolved = book.resolve_org(org_id)
    if resolved is None:
        raise ApiError(404, "not-found", f"no body {org_id!r} in the book")
    table = _with_figures(book)
    row = table.filter(table.org_id == resolved).to_pyarrow().to_pylist()[0]
    source = book.ibis().table("source")
    current = source.filter((source.publisher == resolved) & (source.status == "current"))
    row["sources"] = current.count().to_pyarrow().as_py()
    return json_response(row)
