"""The REST API under /api/v1: one router made of one small module per resource.

Every list filters, pages by cursor and downloads (format=csv|json|parquet|xlsx); every failure
answers in the one error envelope (web/app.py); the OpenAPI document is at /api/v1/openapi.json.
"""

from __future__ import annotations

from fastapi import APIRouter

from openbook.web import (api_aggregates, api_bodies, api_conformance, api_findings, api_measures, api_records,
                          api_savings, api_sources, api_spend, api_suppliers)
from openbook.web.downloads import FORMATS
from openbook.web.http_extras import stable_operation_ids

RESOURCES = (api_bodies, api_spend, api_suppliers, api_records, api_findings, api_aggregates, api_savings, api_sources,
             api_measures, api_conformance)
router = APIRouter()
for _module in RESOURCES:
    stable_operation_ids(_module.router)  # getSpend, getSuppliersBySupplierId, …: fixed by method and path
    router.include_router(_module.router)

__all__ = ["router", "FORMATS", "RESOURCES"]
