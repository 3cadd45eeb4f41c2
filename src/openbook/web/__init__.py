"""Publish and explore the book: server-rendered pages, a REST API under /api/v1, downloads.

Every page has a machine twin under /api/v1 and every list downloads as CSV, JSON, Parquet
and Excel (Datasette's rule); charts are Vega-Lite specs built with Altair and drawn by the
package's own copy of vega-embed, so nothing is fetched from a CDN.
"""

from openbook.web.app import create_app

__all__ = ["create_app"]
