"""The figures a body's costs are divided by: population served and staff, each with where it came from.

The registry's figures come first (a user can correct them with an organisation file); where
it has no staff figure, the body's own latest organogram gives one (senior posts plus junior
FTE), so that central bodies can be compared per employee from what they publish.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from openbook.store.book import Book


def body_context(book: Book) -> ir.Table:
    """org_id, name, kind, population_served, staff_fte, staff_source, staff_as_of — one row per body."""
    con = book.ibis()
    organisation = con.table("organisation").select("org_id", "name", "kind", "population_served", "staff_fte")
    posts = con.table("post")
    latest = posts.group_by("org_id").aggregate(staff_as_of=posts.as_of.max())
    current = posts.join(latest, [posts.org_id == latest.org_id, posts.as_of == latest.staff_as_of])
    published = current.group_by([posts.org_id, latest.staff_as_of]).aggregate(
        organogram_fte=current.fte.coalesce(1.0).sum())
    joined = organisation.left_join(published, organisation.org_id == published.org_id)
    from_registry = joined.staff_fte.notnull()
    return joined.select(
        "org_id", "name", "kind", "population_served",
        staff_fte=ibis.ifelse(from_registry, joined.staff_fte, joined.organogram_fte),
        staff_source=ibis.ifelse(from_registry, "registry",
                                 ibis.ifelse(joined.organogram_fte.notnull(), "organogram", None)),
        staff_as_of=ibis.ifelse(from_registry, None, joined.staff_as_of),
    )
