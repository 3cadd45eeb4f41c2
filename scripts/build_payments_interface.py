"""Trim GOV.UK Pay's published OpenAPI to the payments block's interface: create, get, cancel and
search payments, with the schemas they reference.

Run from the repository root with the published document's path (alphagov/pay-publicapi,
openapi/publicapi_spec.json). GOV.UK Pay's response schemas name no required fields; the fields
every payment response carries are added as `required` and listed under `x-openbook-own`, so what
is openbook's choice stays visible.

    python scripts/build_payments_interface.py PATH/publicapi_spec.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path("src/openbook/standard/interfaces/payments.openapi.json")
KEEP = {"/v1/payments": ("get", "post"), "/v1/payments/{paymentId}": ("get",),
        "/v1/payments/{paymentId}/cancel": ("post",)}
# openbook's own choice: what a payment and a page of results must carry to be usable at all.
REQUIRED = {
    "CreatePaymentResult": ["payment_id", "amount", "description", "reference", "state", "return_url",
                            "created_date", "_links"],
    "PaymentWithAllLinks": ["payment_id", "amount", "description", "reference", "state", "created_date", "_links"],
    "PaymentDetailForSearch": ["payment_id", "amount", "reference", "state"],
    "PaymentSearchResults": ["results", "count", "total", "page", "_links"],
    "PaymentState": ["status", "finished"],
    "ErrorResponse": ["code", "description"],
    "RequestError": ["code", "description"],
}


def _refs(node, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def trim(spec: dict) -> dict:
    paths = {path: {m: spec["paths"][path][m] for m in methods} for path, methods in KEEP.items()}
    schemas, names = spec["components"]["schemas"], set()
    _refs(paths, names)
    while True:  # the closure of every schema the kept operations reach
        more = set(names)
        for name in names:
            _refs(schemas[name], more)
        if more == names:
            break
        names = more
    kept = {name: dict(schemas[name]) for name in sorted(names)}
    for name, fields in REQUIRED.items():
        kept[name]["required"] = fields
    info = dict(spec["info"])
    info["x-source"] = ("GOV.UK Pay public API OpenAPI, alphagov/pay-publicapi @ 4d61e8986350, "
                        "openapi/publicapi_spec.json; trimmed to create, get, cancel and search payments")
    info["x-licence"] = "MIT, Crown Copyright (Government Digital Service)"
    return {
        "openapi": spec["openapi"], "info": info, "servers": spec["servers"],
        "security": [{"BearerAuth": []}], "paths": paths,
        "components": {"schemas": kept, "securitySchemes": spec["components"]["securitySchemes"]},
        "x-openbook-own": {
            "required": {name: fields for name, fields in REQUIRED.items()},
            "security": "Every operation requires the bearer token (GOV.UK Pay documents 401 for each).",
        },
    }


if __name__ == "__main__":
    source = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    OUT.write_text(json.dumps(trim(source), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
