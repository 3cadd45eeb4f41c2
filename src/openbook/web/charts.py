"""Vega-Lite specs built with Altair from rows the pages already show (the table is the chart's twin)."""

from __future__ import annotations

from decimal import Decimal

import altair as alt


# £1.2bn, £350m, £12,000: axis labels a reader takes in at a glance (the table has the exact figures).
_SHORT_POUNDS = ("abs(datum.value) >= 1e9 ? '£' + format(datum.value / 1e9, ',.1~f') + 'bn' : "
                 "abs(datum.value) >= 1e6 ? '£' + format(datum.value / 1e6, ',.1~f') + 'm' : "
                 "'£' + format(datum.value, ',.0f')")


def _plain(rows: list[dict]) -> list[dict]:
    return [{k: float(v) if isinstance(v, Decimal) else (v.isoformat() if hasattr(v, "isoformat") else v)
             for k, v in row.items()} for row in rows]


def bar(rows: list[dict], category: str, value: str = "total_gbp", *, title: str, label: str = "£",
        href: str | None = None, selected: str | None = None) -> dict:
    """Horizontal bars, largest first; `href` names a field holding the link each bar opens, and the
    bar whose category is `selected` stands out (the one a page is filtered to)."""
    data = alt.Data(values=_plain(rows))
    extra = {"href": alt.Href(f"{href}:N")} if href else {}
    if selected is not None:
        extra["color"] = alt.condition(alt.datum[category] == selected, alt.value("#00703c"), alt.value("#4c78a8"))
    chart = alt.Chart(data, title=title).mark_bar(cursor="pointer" if href else "default").encode(
        x=alt.X(f"{value}:Q", title=label, axis=alt.Axis(format=",.0f")),
        y=alt.Y(f"{category}:N", sort="-x", title=None),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=",.2f")],
        **extra,
    ).properties(width="container", height=max(120, 22 * len(rows)))
    return chart.to_dict()


def heatmap(rows: list[dict], x: str, y: str, value: str, *, title: str, href: str, x_title: str, y_title: str,
            tooltip: list[str]) -> dict:
    """A grid of cells coloured by `value`; each cell opens the rows behind it (`href` field)."""
    data = alt.Data(values=_plain(rows))
    chart = alt.Chart(data, title=title).mark_rect(cursor="pointer", stroke="white", strokeWidth=1).encode(
        x=alt.X(f"{x}:N", title=x_title, axis=alt.Axis(labelAngle=-40, labelLimit=180)),
        y=alt.Y(f"{y}:N", title=y_title, axis=alt.Axis(labelLimit=240)),
        color=alt.Color(f"{value}:Q", title="£ a year", scale=alt.Scale(scheme="greens", type="sqrt"),
                        legend=alt.Legend(format=",.0f")),
        href=alt.Href(f"{href}:N"),
        tooltip=[alt.Tooltip(f"{t}:{'Q' if t.endswith(('_gbp', 'users', 'systems')) else 'N'}",
                             **({"format": ",.0f"} if t.endswith("_gbp") else {})) for t in tooltip],
    ).properties(width="container", height=max(200, 20 * len({r[y] for r in rows})))
    return chart.to_dict()


def savings_years(rows: list[dict], *, title: str) -> dict:
    """Net saving each year as bars, cumulative NPV as a line over them: where the lines cross zero is break-even."""
    data = alt.Data(values=_plain(rows))
    base = alt.Chart(data, title=title).encode(x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(color="#00703c").encode(
        y=alt.Y("net_saving_gbp:Q", title="£", axis=alt.Axis(labelExpr=_SHORT_POUNDS)),
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("net_saving_gbp:Q", title="Net saving", format=",.0f")])
    line = base.mark_line(point=True, color="#1d4ed8").encode(
        y=alt.Y("cumulative_npv_gbp:Q"),
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("cumulative_npv_gbp:Q", title="Cumulative NPV", format=",.0f")])
    return alt.layer(bars, line).properties(width="container", height=260).to_dict()


def monthly(rows: list[dict], *, title: str) -> dict:
    data = alt.Data(values=_plain(rows))
    chart = alt.Chart(data, title=title).mark_line(point=True).encode(
        x=alt.X("month:T", title=None), y=alt.Y("total_gbp:Q", title="£", axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("total_gbp:Q", format=",.2f")],
    ).properties(width="container", height=220)
    return chart.to_dict()
