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


def peer_shares(rows: list[dict], category: str, *, title: str) -> dict:
    """A body's share of spend per group (bars) against the median share of its peers (black ticks)."""
    data = alt.Data(values=_plain(rows))
    base = alt.Chart(data, title=title).encode(y=alt.Y(f"{category}:N", sort="-x", title=None))
    tooltip = [alt.Tooltip(f"{category}:N"), alt.Tooltip("share:Q", format=".1%", title="this body"),
               alt.Tooltip("peer_median_share:Q", format=".1%", title="peer median")]
    bars = base.mark_bar(color="#9dc3e6").encode(
        x=alt.X("share:Q", title="share of the body's spend (tick: peer median)", axis=alt.Axis(format="%")),
        tooltip=tooltip)
    ticks = base.mark_tick(color="#0b0c0c", thickness=3, size=18).encode(x="peer_median_share:Q", tooltip=tooltip)
    return (bars + ticks).properties(width="container", height=max(120, 22 * len(rows))).to_dict()


def months_published(rows: list[dict], *, title: str) -> dict:
    """One cell per month from the first file to the last: published (with its lines) or not."""
    values = [{**r, "status": "published" if r["files"] else "no current file"} for r in _plain(rows)]
    chart = alt.Chart(alt.Data(values=values), title=title).mark_rect(stroke="#ffffff").encode(
        x=alt.X("month:O", timeUnit="yearmonth", title=None, axis=alt.Axis(format="%b %Y", labelAngle=-45)),
        color=alt.Color("status:N", title=None, scale=alt.Scale(domain=["published", "no current file"],
                                                                range=["#00703c", "#d4351c"])),
        tooltip=[alt.Tooltip("month:T", format="%B %Y"), alt.Tooltip("status:N"),
                 alt.Tooltip("rows_accepted:Q", title="rows accepted"),
                 alt.Tooltip("rows_quarantined:Q", title="rows quarantined")],
    ).properties(width="container", height=40)
    return chart.to_dict()


def deciles(rows: list[dict], value: str, *, title: str, label: str, cuts: list[float]) -> dict:
    """Bodies ranked by their figure (one dot each, opening the body's page), decile boundaries as dashed
    rules, outliers in red.

    Dots rather than bars so that a logarithmic scale (used when the figures span more than 50×,
    as per-employee costs across kinds of body do) stays honest.
    """
    values = [r[value] for r in rows if r[value]]
    log = bool(values) and min(values) > 0 and max(values) / min(values) > 50
    scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    axis_title = f"{label} (log scale)" if log else label
    dots = alt.Chart(alt.Data(values=_plain(rows))).mark_circle(size=70, opacity=1, cursor="pointer").encode(
        href=alt.Href("href:N"),
        x=alt.X("name:N", sort=alt.EncodingSortField(field=value, order="ascending"), title=None,
                axis=alt.Axis(labels=len(rows) <= 40, labelAngle=-60, labelLimit=160)),
        y=alt.Y(f"{value}:Q", title=axis_title, scale=scale),
        color=alt.Color("flag:N", title=None, scale=alt.Scale(domain=["outlier among its peers", "within its peers",
                                                                      "too few peers to compare"],
                                                              range=["#d4351c", "#1d70b8", "#505a5f"])),
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("kind:N"), alt.Tooltip(f"{value}:Q", format=",.4~f"),
                 alt.Tooltip("decile:Q"), alt.Tooltip("flag:N")],
    )
    marks = [{"decile": f"{10 * (i + 1)}th percentile", "cut": c} for i, c in enumerate(cuts) if c > 0 or not log]
    rules = alt.Chart(alt.Data(values=marks)).mark_rule(strokeDash=[4, 3], color="#505a5f").encode(
        y=alt.Y("cut:Q", scale=scale), tooltip=[alt.Tooltip("decile:N"), alt.Tooltip("cut:Q", format=",.4~f")])
    return alt.layer(rules, dots, title=title).properties(width="container", height=300).to_dict()


def monthly_trend(rows: list[dict], missing: list, *, title: str) -> dict:
    """Spend per month as a line that breaks where a month was not published (a gap, not a zero)."""
    values = _plain(rows) + [{"month": m.isoformat(), "total_gbp": None, "lines": None} for m in missing]
    values.sort(key=lambda r: r["month"])
    chart = alt.Chart(alt.Data(values=values), title=title).mark_line(point=True).encode(
        x=alt.X("month:T", timeUnit="yearmonth", title=None, axis=alt.Axis(format="%b %Y", tickCount="month")),
        y=alt.Y("total_gbp:Q", title="£", axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("month:T", timeUnit="yearmonth", format="%B %Y"),
                 alt.Tooltip("total_gbp:Q", format=",.2f"), alt.Tooltip("lines:Q")],
    ).properties(width="container", height=220)
    return chart.to_dict()


def measure_deciles(rows: list[dict], *, title: str, label: str, cuts: list[float]) -> dict:
    """A measure's bodies ranked by value (one dot each, opening the body's scorecard), the deciles of the
    bodies shown as dashed rules, and the body a reader chose (`flag` 'this body') in green; a log scale
    where the values span more than 50× (central bodies' costs per employee dwarf councils')."""
    values = [r["value"] for r in rows if r["value"]]
    log = bool(values) and min(values) > 0 and max(values) / min(values) > 50
    scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    dots = alt.Chart(alt.Data(values=_plain(rows))).mark_circle(size=80, opacity=1, cursor="pointer").encode(
        href=alt.Href("href:N"),
        x=alt.X("name:N", sort=alt.EncodingSortField(field="value", order="ascending"), title=None,
                axis=alt.Axis(labels=len(rows) <= 40, labelAngle=-60, labelLimit=160)),
        y=alt.Y("value:Q", title=f"{label} (log scale)" if log else label, scale=scale),
        color=alt.Color("flag:N", title=None, scale=alt.Scale(
            domain=["this body", "ranked", "not ranked: too few comparators"], range=["#00703c", "#1d70b8", "#b1b4b6"])),
        size=alt.condition(alt.datum.flag == "this body", alt.value(220), alt.value(80)),
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("value:Q", format=",.4~f"), alt.Tooltip("decile:Q"),
                 alt.Tooltip("peer_group:N", title="compared with")],
    )
    marks = [{"decile": f"{10 * (i + 1)}th percentile", "cut": c} for i, c in enumerate(cuts)]
    rules = alt.Chart(alt.Data(values=marks)).mark_rule(strokeDash=[4, 3], color="#505a5f").encode(
        y=alt.Y("cut:Q", scale=scale), tooltip=[alt.Tooltip("decile:N"), alt.Tooltip("cut:Q", format=",.4~f")])
    return alt.layer(rules, dots, title=title).properties(width="container", height=300).to_dict()


def funnel(rows: list[dict], *, title: str) -> dict | None:
    """A funnel plot: each ranked body's value as a ratio to its peers' median (1 = at the peer value)
    against its precision (effective lines, 1 ÷ relative standard error²), with the 95% and 99.8%
    control limits as curves. Bodies with few lines sit at the wide mouth, where large ratios are noise."""
    points = [{**r, "ratio": r["value"] / r["peer_median"], "lines": 1 / r["rel_se"] ** 2} for r in _plain(rows)
              if r.get("rel_se") and r.get("peer_median") and r.get("limits")]
    if not points:
        return None
    low, high = min(p["lines"] for p in points), max(p["lines"] for p in points)
    grid = [low * (high / low) ** (i / 59) for i in range(60)] if high > low else [low]
    curves = [{"lines": n, "limit": name, "ratio": 1 + sign * z / n ** 0.5}
              for n in grid for name, z in (("95%", 1.959964), ("99.8%", 3.090232)) for sign in (1, -1)]
    for curve in curves:
        curve["series"] = f"{curve['limit']}{'+' if curve['ratio'] >= 1 else '-'}"
    scale = alt.Scale(type="log")
    lines = alt.Chart(alt.Data(values=curves)).mark_line(strokeDash=[4, 3]).encode(
        x=alt.X("lines:Q", scale=scale, title="precision: effective number of lines (log scale)"),
        y=alt.Y("ratio:Q", title="value ÷ peer median"), detail="series:N",
        color=alt.Color("limit:N", title="control limit", scale=alt.Scale(domain=["95%", "99.8%"],
                                                                        range=["#f47738", "#d4351c"])))
    dots = alt.Chart(alt.Data(values=points)).mark_circle(size=80, opacity=1, cursor="pointer").encode(
        href=alt.Href("href:N"), x=alt.X("lines:Q", scale=scale), y=alt.Y("ratio:Q"),
        shape=alt.Shape("limits:N", title="against the limits"),
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("value:Q", format=",.4~f"),
                 alt.Tooltip("peer_median:Q", format=",.4~f"), alt.Tooltip("limits:N"), alt.Tooltip("rank_text:N")])
    rule = alt.Chart(alt.Data(values=[{"ratio": 1}])).mark_rule(color="#505a5f").encode(y="ratio:Q")
    return alt.layer(lines, rule, dots, title=title).properties(width="container", height=300).to_dict()
