"""The figures a body's costs are divided by: population served and staff, each with where it came from.

The registry's figures come first (a user can correct them with an organisation file); where
it has no staff figure, the body's own latest organogram gives one (senior posts plus junior
FTE), so that central bodies can be compared per employee from what they publish.

A staff count divides only spend it is near: an organogram snapshot more than `STAFF_WITHIN_DAYS`
from the spend (a 2011 organogram against 2014-15 spend) gives no per-employee figure at all,
rather than one for a body of another size. The registry's figure has no date and is taken as
the body's size now.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from openbook.store.book import Book

STAFF_WITHIN_DAYS = 365  # an organogram counts staff for spend at most this far from its snapshot


def staff_near(staff_as_of: ir.Value, first: ir.Value, last: ir.Value) -> ir.BooleanValue:
    """Whether a staff count dated `staff_as_of` (null: the registry's, undated) may divide spend
    paid between `first` and `last`: the snapshot lies within 12 months of that period."""
    window = ibis.interval(days=STAFF_WITHIN_DAYS)
    return staff_as_of.isnull() | ((staff_as_of.cast("date") >= first.cast("date") - window)
                                   & (staff_as_of.cast("date") <= last.cast("date") + window))


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
