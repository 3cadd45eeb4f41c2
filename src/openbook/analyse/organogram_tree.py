"""The reporting tree of each organogram snapshot, and whether its junior staff add up.

A snapshot is one body at one date: its senior posts (from the senior file) and its junior
groups (from the junior file), joined by post reference. The tree shows how many layers the body
has, which reporting lines loop or point nowhere, and, for each senior post, whether the junior
pay bill under it agrees with the 'Salary Cost of Reports' the senior file publishes.

The published cost is rounded to the nearest £100,000 for teams of fewer than five, so such
teams reconcile within £50,000; larger teams within `RELATIVE_TOLERANCE` of the pay bill range
(junior pay is published as a scale, so the bill is a range: FTE × minimum … FTE × maximum).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openbook.store.book import Book

SMALL_TEAM_FTE = Decimal(5)
SMALL_TEAM_TOLERANCE = Decimal(50_000)
RELATIVE_TOLERANCE = Decimal("0.10")
POST_COLUMNS = ("org_id", "body_name", "as_of", "post_ref", "reports_to", "is_senior", "is_top", "level", "fte",
                "pay_floor_gbp", "pay_ceiling_gbp", "salary_cost_of_reports_gbp", "title", "source_sha256",
                "source_line")


@dataclass
class TreeIssue:
    """One reporting problem at one row: a code from the problem catalogue and where it is."""

    code: str
    post_ref: str | None
    value: str | None
    source_sha256: str
    source_line: int
    detail: str = ""


@dataclass
class Reconciliation:
    """A senior post's junior staff against the salary cost of reports it publishes."""

    post_ref: str
    source_sha256: str
    source_line: int
    junior_groups: int
    junior_fte: Decimal
    pay_bill_low: Decimal | None
    pay_bill_high: Decimal | None
    published: Decimal | None
    tolerance: Decimal
    status: str  # reconciled | mismatch | not-published | pay-unknown


@dataclass
class Snapshot:
    org_id: str | None
    body_name: str | None
    as_of: date
    senior_posts: int = 0
    junior_groups: int = 0
    junior_fte: Decimal = Decimal(0)
    layers: int = 0
    top_posts: int = 0
    issues: list[TreeIssue] = field(default_factory=list)
    reconciliations: list[Reconciliation] = field(default_factory=list)

    def count(self, code: str) -> int:
        return sum(1 for issue in self.issues if issue.code == code)

    @property
    def unreconciled(self) -> int:
        return sum(1 for r in self.reconciliations if r.status == "mismatch")

    def summary(self) -> dict:
        return {
            "org_id": self.org_id, "body_name": self.body_name, "as_of": self.as_of,
            "senior_posts": self.senior_posts, "junior_groups": self.junior_groups, "junior_fte": self.junior_fte,
            "layers": self.layers, "top_posts": self.top_posts,
            "posts_in_cycles": self.count("reporting-cycle"), "reports_to_unknown": self.count("reports-to-unknown"),
            "juniors_under_unknown": self.count("junior-reports-to-unknown"),
            "duplicate_refs": self.count("post-ref-duplicate"),
            "reconciled": sum(1 for r in self.reconciliations if r.status == "reconciled"),
            "unreconciled": self.unreconciled,
        }


def snapshots(posts: Iterable[dict]) -> list[Snapshot]:
    """Every (body, date) snapshot among these posts, with its tree and reconciliation.

    A body not in the registry has no org_id; its snapshot is keyed by the name as written.
    """
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for post in posts:
        groups[(post.get("org_id") or "", post.get("body_name") if not post.get("org_id") else "",
                post["as_of"])].append(post)
    built = [_snapshot(rows) for _, rows in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or "",
                                                                                       item[0][2]))]
    return built


def book_snapshots(book: Book, org: str | None = None) -> list[Snapshot]:
    """The snapshots of every post in the book (or one body's, by org id or name as written)."""
    sql = f"SELECT {', '.join(POST_COLUMNS)} FROM post"
    params: list = []
    if org:
        org_id = book.resolve_org(org) or org
        sql += " WHERE org_id = ? OR body_name = ?"
        params = [org_id, org]
    return snapshots(book._dicts(sql + " ORDER BY source_sha256, source_line", params))


def _snapshot(rows: list[dict]) -> Snapshot:
    first = rows[0]
    snap = Snapshot(first.get("org_id"), first.get("body_name"), first["as_of"])
    seniors = [r for r in rows if r["is_senior"]]
    juniors = [r for r in rows if not r["is_senior"]]
    snap.senior_posts, snap.junior_groups = len(seniors), len(juniors)
    snap.junior_fte = sum((_decimal(r.get("fte")) for r in juniors), Decimal(0))
    snap.top_posts = sum(1 for r in seniors if r.get("is_top"))
    by_ref: dict[str, list[dict]] = defaultdict(list)
    for row in seniors:
        if row.get("post_ref"):
            by_ref[row["post_ref"]].append(row)
    for ref, same in by_ref.items():
        if len(same) > 1:
            for row in same:
                snap.issues.append(_issue("post-ref-duplicate", row, ref, str(len(same))))
    parents = {ref: {r["reports_to"] for r in same if r.get("reports_to")} for ref, same in by_ref.items()}
    for row in seniors:
        target = row.get("reports_to")
        if target and target not in by_ref:
            snap.issues.append(_issue("reports-to-unknown", row, target))
    for cycle in _cycles(parents):
        loop = " → ".join(cycle + [cycle[0]])
        for ref in cycle:
            for row in by_ref[ref]:
                snap.issues.append(_issue("reporting-cycle", row, ref, loop))
    for row in juniors:
        target = row.get("reports_to")
        if seniors and (not target or target not in by_ref):
            snap.issues.append(_issue("junior-reports-to-unknown", row, target or ""))
    snap.layers = _layers(by_ref, parents, seniors) + (1 if juniors else 0)
    if juniors and seniors:
        snap.reconciliations = _reconcile(by_ref, juniors)
        for rec in snap.reconciliations:
            if rec.status == "mismatch":
                snap.issues.append(TreeIssue("reports-cost-mismatch", rec.post_ref, str(rec.published),
                                             rec.source_sha256, rec.source_line,
                                             f"{rec.pay_bill_low}–{rec.pay_bill_high} ± {rec.tolerance}"))
    return snap


def _issue(code: str, row: dict, value: str | None, detail: str = "") -> TreeIssue:
    return TreeIssue(code, row.get("post_ref"), value, row["source_sha256"], row["source_line"], detail)


def _cycles(parents: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of posts that report round in a loop (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(parents):
        if start in index:
            continue
        work = [(start, iter(sorted(parents.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c in parents), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(parents.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in parents.get(node, ()):
                    found.append(sorted(component))
    return found


def _layers(by_ref: dict[str, list[dict]], parents: dict[str, set[str]], seniors: list[dict]) -> int:
    """Senior layers: the longest chain down from a top post (or the deepest council level)."""
    children: dict[str, set[str]] = defaultdict(set)
    for ref, ups in parents.items():
        for up in ups:
            children[up].add(ref)
    tops = [ref for ref, same in by_ref.items() if any(r.get("is_top") for r in same)]
    depth = {ref: 1 for ref in tops}
    queue = list(tops)
    while queue:
        ref = queue.pop()
        for child in children.get(ref, ()):
            if child not in depth:  # first reach wins; loops never extend the count
                depth[child] = depth[ref] + 1
                queue.append(child)
    levels = [r["level"] for r in seniors if r.get("level")]
    return max([*depth.values(), *levels, 1 if seniors else 0])


def _reconcile(by_ref: dict[str, list[dict]], juniors: list[dict]) -> list[Reconciliation]:
    under: dict[str, list[dict]] = defaultdict(list)
    for row in juniors:
        if row.get("reports_to"):
            under[row["reports_to"]].append(row)
    results = []
    for ref, same in sorted(by_ref.items()):
        senior = same[0]
        published = senior.get("salary_cost_of_reports_gbp")
        groups = under.get(ref, [])
        if not groups and not published:
            continue
        fte = sum((_decimal(r.get("fte")) for r in groups), Decimal(0))
        complete = all(r.get("pay_floor_gbp") is not None and r.get("pay_ceiling_gbp") is not None for r in groups)
        low = sum((_decimal(r.get("fte")) * r["pay_floor_gbp"] for r in groups), Decimal(0)) if complete else None
        high = sum((_decimal(r.get("fte")) * r["pay_ceiling_gbp"] for r in groups), Decimal(0)) if complete else None
        if published is None:
            status, tolerance = "not-published", Decimal(0)
        elif low is None:
            status, tolerance = "pay-unknown", Decimal(0)
        else:
            tolerance = SMALL_TEAM_TOLERANCE if fte < SMALL_TEAM_FTE else (high * RELATIVE_TOLERANCE).quantize(
                Decimal("0.01"))
            status = "reconciled" if low - tolerance <= published <= high + tolerance else "mismatch"
        results.append(Reconciliation(ref, senior["source_sha256"], senior["source_line"], len(groups), fte,
                                      _money(low), _money(high), published, tolerance, status))
    return results


def _decimal(value: float | int | None) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _money(value: Decimal | None) -> Decimal | None:
    return value.quantize(Decimal("0.01")) if value is not None else None
