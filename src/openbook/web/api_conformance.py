"""/api/v1/conformance: the certificates loaded into the book, and per Lego block its standard
interface and who conforms to it (analyse/conformance.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from openbook.web.cache import Remember
from openbook.web.deps import BookDep
from openbook.web.listing import Format, OrgQuery, org_id, rows_response
from openbook.web.models import listing, model, responses

router = APIRouter(prefix="/api/v1/conformance", tags=["conformance"])
Certificate = model("ConformanceCertificate", {
    "org_id": (str, "Body"), "system": (str, "The body's system"), "block": (str, "Lego block"),
    "version": (str, "Interface version tested"), "result": (str, "conforming, not conforming or incomplete"),
    "issued": (str, "Date the certificate was issued"), "expires": (str, "Date it expires"),
    "system_url": (str, "The URL tested"), "cert_sha256": (str, "The certificate's SHA-256"),
    "file_name": (str, "The certificate file loaded"), "loaded_at": (str, "When it was loaded")},
    doc="One loaded conformance certificate (`openbook conform load`).")
BlockInterface = model("BlockInterface", {
    "block": (str, "Lego block"), "interface": (str, "Its interface document in standard/interfaces/"),
    "version": (str, "The interface's version"), "source": (str, "Where the interface comes from"),
    "licence": (str, "Its licence"), "conforming": (list[str], "Body: system, for each in-date conforming certificate"),
    "not_conforming": (list[str], "Body: system, for each in-date certificate that failed"),
    "expired": (list[str], "Body: system, for each expired certificate")},
    doc="A Lego block's standard interface and who conforms to it.")


@router.get("", summary="The conformance certificates loaded into the book",
            response_model=listing(Certificate), responses=responses())
def certificates(
    book: BookDep,
    remember: Remember,
    block: Annotated[str | None, Query(description="One block, e.g. payments", max_length=100)] = None,
    org: OrgQuery = None,
    format: Format = None,
):
    from openbook.analyse.conformance import certificates as read

    body = org_id(book, org)
    rows = [r for r in remember(("conformance",), lambda: read(book))
            if (not block or r["block"] == block) and (not body or r["org_id"] == body)]
    return rows_response(rows, format, "conformance")


@router.get("/blocks", summary="Each Lego block's standard interface, and who conforms and who does not",
            response_model=listing(BlockInterface), responses=responses(errors=(422,)))
def blocks(book: BookDep, remember: Remember, format: Format = None):
    from openbook.analyse.conformance import by_block

    def flat() -> list[dict]:
        def names(items):
            return [f"{x['org_id']}: {x['system']}" for x in items]

        return [{**b, "conforming": names(b["conforming"]), "not_conforming": names(b["not_conforming"]),
                 "expired": names(b["expired"])} for b in by_block(book)]

    return rows_response(remember(("conformance-blocks",), flat), format, "block-interfaces")
