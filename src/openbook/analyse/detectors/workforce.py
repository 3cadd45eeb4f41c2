"""Top-heavy management, from organograms: layers, spans of control, senior pay share, repeated roles.

A snapshot's posts are small (hundreds of senior posts, junior posts in groups), so the tree is
walked in Python after one Ibis read; every figure keeps the posts it came from.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from openbook import standard
from openbook.analyse.findings import Finding
from openbook.store.book import Book

_TWO = Decimal(2)


@dataclass(frozen=True)
class WorkforceSettings:
    """Declared thresholds; docs/methodology.md explains each."""

    target_span: int = 6  # staff a manager can lead; fewer managers than staff / this is the norm
    min_unit_staff: float = 5  # units smaller than this (all FTE) are too small to judge
    min_excess_managers: int = 1  # a unit needs at least this many managers beyond the norm
    repeated_role_min_bodies: int = 3  # the same senior role in this many bodies is a repeated role
    latest_only: bool = True  # only each body's latest snapshot


@dataclass
class Post:
    org_id: str
    as_of: object
    post_ref: str | None
    title: str
    grade: str | None
    function: str | None
    unit: str | None
    reports_to: str | None
    fte: float
    pay_mid: Decimal | None
    is_senior: bool
    evidence: tuple[str, int]


def load_posts(book: Book, settings: WorkforceSettings = WorkforceSettings()) -> list[Post]:
    posts = book.ibis().table("post")
    if settings.latest_only:
        latest = posts.group_by("org_id").aggregate(latest=posts.as_of.max())
        posts = posts.join(latest, [posts.org_id == latest.org_id, posts.as_of == latest.latest]).select(posts)
    rows = posts.order_by(["org_id", "as_of", "source_sha256", "source_line"]).to_pyarrow().to_pylist()
    return [Post(r["org_id"], r["as_of"], r["post_ref"], r["title"] or "", r["grade"], r["function"], r["unit"],
                 r["reports_to"], float(r["fte"] if r["fte"] is not None else 1.0),
                 _midpoint(r["pay_floor_gbp"], r["pay_ceiling_gbp"]), bool(r["is_senior"]),
                 (r["source_sha256"], r["source_line"])) for r in rows]


def _midpoint(floor: Decimal | None, ceiling: Decimal | None) -> Decimal | None:
    """The middle of a pay band; None (missing, never £0) where no pay was disclosed.

    Organograms write undisclosed pay as 0 or as a blank; a band of 0 to 0 is no pay disclosed,
    and a £0 in a median would pull it down for every post whose pay is a secret.
    """
    floor = floor if floor else None  # 0 is how many publishers write 'not disclosed'
    ceiling = ceiling if ceiling else None
    if floor is None and ceiling is None:
        return None
    if floor is None or ceiling is None:
        return floor if ceiling is None else ceiling
    return (floor + ceiling) / _TWO


def snapshots(posts: list[Post]) -> dict[tuple[str, object], list[Post]]:
    grouped: dict[tuple[str, object], list[Post]] = defaultdict(list)
    for post in posts:
        grouped[(post.org_id, post.as_of)].append(post)
    return grouped


def body_profile(posts: list[Post]) -> dict:
    """One snapshot's shape: layers, spans, managers per staff, senior pay share, admin share."""
    senior = [p for p in posts if p.is_senior]
    refs = {p.post_ref for p in senior if p.post_ref}
    reports: dict[str, float] = defaultdict(float)
    for post in posts:
        if post.reports_to in refs:
            reports[post.reports_to] += post.fte if not post.is_senior else 1
    spans = [reports.get(p.post_ref, 0.0) for p in senior if p.post_ref]
    managers = [s for s in spans if s > 0]
    staff = sum(p.fte for p in posts)
    pay = [(p.pay_mid * Decimal(str(p.fte)), p.is_senior) for p in posts if p.pay_mid is not None]
    pay_bill = sum((amount for amount, _ in pay), Decimal(0))
    senior_pay = sum((amount for amount, is_senior in pay if is_senior), Decimal(0))
    admin = set(standard_admin_functions())
    classified = [p for p in posts if p.function]
    return {
        "senior_posts": len(senior), "staff_fte": staff, "layers": _layers(senior),
        "mean_span": sum(managers) / len(managers) if managers else None,
        "median_span": median(managers) if managers else None,
        "managers_per_100_staff": 100 * len(senior) / staff if staff else None,
        "pay_bill_gbp": pay_bill.quantize(Decimal("0.01")),
        "senior_pay_share": float(senior_pay / pay_bill) if pay_bill else None,
        "undisclosed_pay_posts": sum(1 for p in posts if p.pay_mid is None),
        "admin_share": (sum(p.fte for p in classified if p.function in admin) / sum(p.fte for p in classified)
                        if classified else None),
    }


def standard_admin_functions() -> tuple[str, ...]:
    return tuple(row["code"] for row in standard.code_list("functions") if row["kind"] == "admin")


def _layers(senior: list[Post]) -> int:
    """Depth of the senior tree from its top post(s); a cycle stops the walk rather than looping."""
    parent = {p.post_ref: p.reports_to for p in senior if p.post_ref}
    deepest = 0
    for ref in parent:
        depth, seen, current = 0, set(), ref
        while current in parent and current not in seen:
            seen.add(current)
            depth += 1
            current = parent[current]
        deepest = max(deepest, depth)
    return deepest


def profiles(book: Book, settings: WorkforceSettings = WorkforceSettings()) -> list[dict]:
    """Each body's latest snapshot profile, for the pages and for comparison with peers."""
    result = []
    for (org_id, as_of), posts in sorted(snapshots(load_posts(book, settings)).items(), key=lambda i: str(i[0])):
        result.append({"org_id": org_id, "as_of": as_of, **body_profile(posts)})
    return result


def unit_findings(book: Book, settings: WorkforceSettings = WorkforceSettings()) -> list[Finding]:
    """Units with more senior managers than their staff need at the target span of control.

    Excess managers = senior posts − ceil(staff they lead / target span), at least one manager;
    £ at stake = excess × the unit's median senior pay midpoint (undisclosed pay counts as none).
    """
    found = []
    for (org_id, as_of), posts in snapshots(load_posts(book, settings)).items():
        units: dict[str, list[Post]] = defaultdict(list)
        for post in posts:
            units[post.unit or "(no unit)"].append(post)
        juniors_under: dict[str, float] = defaultdict(float)
        for post in posts:
            if not post.is_senior and post.reports_to:
                juniors_under[post.reports_to] += post.fte
        for unit, members in sorted(units.items()):
            managers = [p for p in members if p.is_senior]
            # Staff led are the junior posts reporting to the unit's senior posts, wherever the
            # junior file placed them; a unit whose seniors lead no published juniors (a board,
            # a council chart of the top three tiers) cannot be judged and is left out.
            led = sum(juniors_under.get(p.post_ref, 0.0) for p in managers if p.post_ref)
            if not managers or led == 0 or led + len(managers) < settings.min_unit_staff:
                continue
            needed = max(1, math.ceil(led / settings.target_span))
            excess = len(managers) - needed
            if excess < settings.min_excess_managers:
                continue
            pays = sorted(p.pay_mid for p in managers if p.pay_mid is not None)
            pay = pays[len(pays) // 2] if pays else Decimal(0)
            at_stake = (pay * excess).quantize(Decimal("0.01"))
            led_by = {p.post_ref for p in managers}
            members = managers + [p for p in posts if not p.is_senior and p.reports_to in led_by]
            found.append(Finding(
                kind="top-heavy-unit", detector="workforce", org_ids=[org_id], key=f"{as_of}:{unit}",
                title=(f"{unit} ({org_id}, {as_of}) has {len(managers)} senior posts leading {led:g} staff: "
                       f"{excess} more than a span of {settings.target_span} needs"),
                description=("Spans of control this narrow add management layers and cost. Check whether the "
                             "unit's junior staff are published under another unit, and whether the senior "
                             "posts are specialists rather than managers, before drawing conclusions."),
                gbp_at_stake=at_stake,
                formula=(f"({len(managers)} senior posts − ceil({led:g} staff / {settings.target_span})) "
                         f"× median senior pay £{pay:,.2f} = £{at_stake:,.2f}"),
                confidence=0.6 if pays else 0.4,
                evidence=[p.evidence for p in members],
                needs_review=True,  # measured on the labelled corpus: no genuine finding (docs/methodology.md)
            ))
    return found


_GRADE = re.compile(r"\s+")
_TITLE_NOISE = re.compile(r"\b(of|and|the|for|&|interim|acting|deputy|assistant|head|chief|senior)\b|[^a-z ]")


def role_pattern(title: str) -> str:
    """A title reduced to its function words: 'Director of Finance & Commercial' → 'commercial director finance'."""
    words = _TITLE_NOISE.sub(" ", title.casefold()).split()
    return " ".join(sorted(set(words)))


_HEAD_TITLE = re.compile(r"\b(chief executive|permanent (under )?secretary|accounting officer|chief constable|"
                         r"chair(man|woman|person)?|vice chair|director general and chief executive|"
                         r"head of paid service|vice chancellor|registrar general)\b")


_VACANT = re.compile(r"\b(not in post|vacant|vacancy|unfilled)\b")  # a vacancy is no role held


def heads_of_body(posts: list[Post]) -> list[Post]:
    """The posts that lead a body (one snapshot): the tops of its senior tree (reporting to no
    published senior post) and any whose title says it leads the body (a chief executive, a chair).
    Every body has them, so they are never a role duplicated across bodies."""
    senior = [p for p in posts if p.is_senior]
    refs = {p.post_ref for p in senior if p.post_ref}
    return [p for p in senior if (p.reports_to not in refs) or _HEAD_TITLE.search(p.title.casefold())]


def repeated_role_findings(book: Book, settings: WorkforceSettings = WorkforceSettings()) -> list[Finding]:
    """The same senior role (function, grade and title pattern) held separately in many bodies.

    £ at stake = the pay of every copy beyond one (an upper bound: a shared function still needs
    some of them); rests on disclosed pay only.
    """
    groups: dict[tuple, list[Post]] = defaultdict(list)
    posts = load_posts(book, settings)
    heads = {post.evidence for group in snapshots(posts).values() for post in heads_of_body(group)}
    for post in posts:
        # Every body needs its own head: a chief executive in each is no duplication.
        if post.is_senior and post.function in standard_admin_functions() and post.evidence not in heads \
                and not _VACANT.search(post.title.casefold()):
            grade = _GRADE.sub(" ", (post.grade or "").strip().casefold())
            groups[(post.function, grade, role_pattern(post.title))].append(post)
    found = []
    for (function, grade, pattern), posts in sorted(groups.items()):
        bodies = sorted({p.org_id for p in posts})
        if len(bodies) < settings.repeated_role_min_bodies or not pattern:
            continue
        pays = sorted(p.pay_mid for p in posts if p.pay_mid is not None)
        typical = pays[len(pays) // 2] if pays else Decimal(0)
        at_stake = (typical * (len(posts) - 1)).quantize(Decimal("0.01"))
        found.append(Finding(
            kind="repeated-senior-role", detector="workforce", org_ids=bodies, key=f"{function}:{grade}:{pattern}",
            title=f"{len(bodies)} bodies each employ a {posts[0].title} ({grade or 'grade not given'}, {function})",
            description=("The same senior administrative role is held separately in each body. A shared "
                         "function would need fewer of them; how many fewer is for the savings model."),
            gbp_at_stake=at_stake,
            formula=(f"({len(posts)} posts − 1) × median pay £{typical:,.2f} = £{at_stake:,.2f}" if pays else
                     f"({len(posts)} posts − 1) × pay not disclosed: nothing priced, £0.00"),
            confidence=0.5 if pays else 0.3,
            evidence=[p.evidence for p in posts],
            needs_review=True,  # measured on the labelled corpus: no genuine finding (docs/methodology.md)
        ))
    return found


def findings(book: Book, settings: WorkforceSettings = WorkforceSettings()) -> list[Finding]:
    return unit_findings(book, settings) + repeated_role_findings(book, settings)
