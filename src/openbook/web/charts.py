"""Vega-Lite specs built with Altair from rows the pages already show (the table is the chart's twin)."""

from __future__ import annotations

from decimal import Decimal

import altair as alt


def _plain(rows: list[dict]) -> list[dict]:
    return [{k: float(v) if isinstance(v, Decimal) else (v.isoformat() if hasattr(v, "isoformat") else v)
             for k, v in row.items()} for row in rows]


def bar(rows: list[dict], category: str, value: str = "total_gbp", *, title: str, label: str = "£") -> dict:
    data = alt.Data(values=_plain(rows))
    chart = alt.Chart(data, title=title).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=label, axis=alt.Axis(format=",.0f")),
        y=alt.Y(f"{category}:N", sort="-x", title=None),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=",.2f")],
    ).properties(width="container", height=max(120, 22 * len(rows)))
    return chart.to_dict()


def monthly(rows: list[dict], *, title: str) -> dict:
    data = alt.Data(values=_plain(rows))
    chart = alt.Chart(data, title=title).mark_line(point=True).encode(
        x=alt.X("month:T", title=None), y=alt.Y("total_gbp:Q", title="£", axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("total_gbp:Q", format=",.2f")],
    ).properties(width="container", height=220)
    return chart.to_dict()
