"""Open Contracting (OCDS) releases and records into the contract table, read as a stream.

What one contract row is: each contract in a release (its suppliers and award date from the
award it names by awardID) and each award that no contract of that release names. So an award
and the contract signed on it are one row, never two, and the value is the contract's when it
has one, else the award's. Several suppliers on one award stay on that one row (supplier_names,
supplier_ids): the value is counted once, never split or repeated per supplier.

Which releases count: releases are events, so a package may state the same award in its award
release and again in its contract release. Within a file, a row is kept only if no later
release (by release date, then position) of the same ocid restates the same award and contract,
and an award-only row gives way to any row for a contract signed on that award. A release all
of whose rows are restated later is structural (`ocds-release-superseded`); a release with no
award or contract (planning, tender) is structural (`ocds-tender-only`): the contract table
holds contracts, not notices, but every such release is counted (the source's dialect says how
many). A record is read through its compiledRelease, the current state.

Who bought: the body the registry knows by the buyer's identifier or name; else, when the buyer
carries an identifier in an org-id.guide scheme (identifier.scheme + identifier.id, e.g.
XI-EIKA-188), that org-id, and the body is added to the book under it with its published name
(the source's dialect lists the bodies its file added, so who added each is on record). A buyer
known only by a name outside the registry is kept by name with a warning. A release that names
no buyer takes it from another release of the same ocid in the file; with none, it is
quarantined (`buyer-missing`): a contract of nobody's cannot be counted against a body.

Money: every ISO 4217 currency is kept with its amount (value_amount, value_currency); value_gbp
is filled only for GBP or a currency the user gave a rate for (`--fx EUR=0.86`, recorded in the
source's options). A code outside ISO 4217 quarantines the release (`currency-invalid`).

`source_line` is the 1-based position of the release or record in the file (in JSON Lines, its
line); `source_item` numbers the contract rows made from it. `rows_read` counts releases and
records, so it reconciles as accepted + quarantined + structural like any file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openbook.errors import FileRejected
from openbook.ingest.amounts import AmountError
from openbook.ingest.base import Importer, IngestContext, load_records
from openbook.ingest.jsonstream import is_json_lines, iter_items, text, top_level_shape
from openbook.ingest.money import currency_tally, exact_amount, in_pounds, iso_currency
from openbook.ingest.parties import ORG_ID, Bodies
from openbook.ingest.problems import Problem
from openbook.ingest.records import Records
from openbook.plugins.manager import hookimpl

if TYPE_CHECKING:
    from openbook.ingest.report import IngestReport

HEAD_BYTES = 1 << 16
PROGRESS_EVERY = 1000
# Keys only a release has at its top level (a record has ocid, releases and compiledRelease).
RELEASE_FIELDS = frozenset({"id", "date", "tag", "initiationType", "buyer", "planning", "tender", "awards",
                            "contracts", "parties", "language"})
ORG_ID_SCHEME = re.compile(r"^[A-Z]{2}-[A-Z0-9]+$")  # org-id.guide list codes: GB-COH, UA-EDR, MX-RFC …
CPV = re.compile(r"^[0-9]{8}(-[0-9])?$")
_ITEMS = {"release package": "releases.item", "record package": "records.item", "release": "", "record": "",
          "list": "item"}
_EARLIEST = datetime.min.replace(tzinfo=UTC)


class OcdsImporter(Importer):
    name = "ocds"
    title = "Open Contracting Data Standard: release and record packages, releases, records, JSON Lines"
    dataset = "contract"
    problems = (
        "json-invalid", "json-no-records", "ocds-shape-unknown", "ocds-not-a-release", "ocds-record-uncompiled",
        "amount-not-a-number", "currency-invalid", "date-invalid",
        "buyer-missing", "buyer-not-in-registry", "currency-missing", "amount-rounded", "value-not-read",
        "ocds-tender-only", "ocds-release-superseded",
    )

    @classmethod
    def claims(cls, head: list[list[str]]) -> float:
        return 0.0

    @classmethod
    def claims_json(cls, head: str) -> float:
        if re.search(r'"(compiledRelease|versionedRelease)"\s*:', head) or re.search(r'"ocid"\s*:\s*"', head):
            return 1.0
        if re.search(r'"(releases|records)"\s*:\s*\[', head):
            return 0.9 if re.search(r'"(publishedDate|uri|publisher)"\s*:', head) else 0.5
        # A single release whose ocid comes after 64 KiB of tender and contracts.
        named = set(re.findall(r'"(initiationType|tag|awards|contracts|tender|planning|packageInfo)"\s*:', head))
        return 0.8 if len(named) >= 2 else 0.0

    def ingest(self, context: IngestContext) -> IngestReport:
        records = Records()
        shape, items = read_units(context)
        units: list[Unit] = []
        parties = Parties(context.resolve_org, (context.record.options or {}).get("fx") or {})
        for line, item in enumerate(items, start=1):
            units.append(map_unit(line, item, parties, context.label))
            if context.progress and line % PROGRESS_EVERY == 0:
                context.progress(PROGRESS_EVERY)
        if not units:
            raise FileRejected("json-no-records", "the file holds no OCDS releases or records")
        if context.progress:
            context.progress(len(units) % PROGRESS_EVERY)
        lend_buyers(units, context.label, final=True)
        supersede(units)
        records.rows_read = len(units)
        for unit in units:
            settle(unit, records, context.label)
        records.summarise("contract", amount="value_gbp", day="release_date", default_org=context.default_org)
        accepted = records.tables.get("contract", [])
        records.bodies = parties.added({row["org_id"] for row in accepted})
        records.dialect = {"shape": shape, "units": sorted({u.kind for u in units if u.kind}),
                           "tender_only": sum(1 for u in units if u.tender_only),
                           "currencies": currency_tally(accepted, "value_amount", "value_currency", "value_gbp"),
                           "bodies_added": [body["org_id"] for body in records.bodies]}
        return load_records(context, records, self.dataset)


# -- reading ----------------------------------------------------------------------------

def read_units(context: IngestContext) -> tuple[str, Iterator[Any]]:
    """(the file's shape, its releases or records one at a time)."""
    with open(context.path, "rb") as fh:
        head = fh.read(HEAD_BYTES).decode("utf-8", errors="replace")
    if is_json_lines(head):
        return "JSON Lines", iter_items(context.path, "", multiple_values=True)
    shape, keys = top_level_shape(context.path, _decide)
    if shape is None:
        shape = _undecided(keys)
    if shape is None:
        raise FileRejected("ocds-shape-unknown", "not an OCDS release, record, package or list of them: its "
                           f"top-level keys are {', '.join(keys[:12]) or 'none'}")
    return shape, iter_items(context.path, _ITEMS[shape])


def _decide(keys: list[str]) -> str | None:
    """The document's kind as soon as its top-level keys so far settle it, else None."""
    last = keys[-1]
    if last == "records":
        return "record package"
    if last in ("compiledRelease", "versionedRelease"):
        return "record"
    if last in RELEASE_FIELDS:
        return "release"
    if "releases" in keys and {"uri", "publishedDate"} & set(keys):
        return "release package"
    return None


def _undecided(keys: list[str]) -> str | None:
    """The kind once every top-level key is known (a record may list its releases before its ocid)."""
    if "releases" in keys:
        return "record" if "ocid" in keys else "release package"
    return "release" if "ocid" in keys else None


def unit_kind(item: Any) -> str | None:
    """'release', 'record', or None when the item is neither (a package inside a list, a number …)."""
    if not isinstance(item, dict):
        return None
    if "compiledRelease" in item or "versionedRelease" in item or ("releases" in item and "ocid" in item):
        return "record"
    if "releases" in item or "records" in item:
        return None
    if "ocid" in item or RELEASE_FIELDS & item.keys():
        return "release"
    return None


# -- mapping ----------------------------------------------------------------------------

class Parties(Bodies):
    """The file's buyers as bodies (see parties.py), and the user's rates for pounds."""

    def __init__(self, resolve: Callable[[str], str | None], rates: dict[str, str]):
        super().__init__(resolve)
        self.rates = rates


@dataclass
class Unit:
    """One release or record read from the file, and the contract rows and problems it made."""

    line: int
    kind: str | None
    ocid: str = ""
    release_id: str = ""
    instant: datetime = _EARLIEST
    tags: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    keys: list[tuple] = field(default_factory=list)  # (ocid, award id, contract id) per row
    problems: list[Problem] = field(default_factory=list)
    superseded_by: str = ""
    buyer: tuple[str, str, str | None] | None = None  # (name, identifier, org_id) when the release names one
    needs_buyer: bool = False  # it has contract rows but names no buyer

    @property
    def raw(self) -> list[str]:
        return [self.ocid, self.release_id, ",".join(self.tags)]

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @property
    def tender_only(self) -> bool:
        """Read cleanly, but a planning or tender notice: no award or contract to record."""
        return self.kind is not None and not self.failed and not self.superseded_by and not self.rows


def map_unit(line: int, item: Any, parties: Parties, label: str) -> Unit:
    kind = unit_kind(item)
    unit = Unit(line, kind)
    if kind is None:
        what = type(item).__name__ if not isinstance(item, dict) else "a package or unknown object"
        unit.problems.append(Problem("ocds-not-a-release", line, value=None, detail=what, path=label))
        return unit
    if kind == "release":
        _read_release(unit, item, parties, label)
        return unit
    compiled = item.get("compiledRelease")
    unit.ocid = text(item.get("ocid")) or text((compiled or {}).get("ocid"))
    if isinstance(compiled, dict):
        _read_release(unit, compiled, parties, label)
        unit.tags = ["compiled"]
        return unit
    embedded = [r for r in item.get("releases") or [] if isinstance(r, dict) and RELEASE_FIELDS & r.keys()]
    if not embedded:
        unit.problems.append(Problem("ocds-record-uncompiled", line, "compiledRelease", path=label,
                                     raw_row=unit.raw))
        return unit
    _compile_embedded(unit, embedded, parties, label)
    return unit


def _compile_embedded(unit: Unit, releases: list[dict], parties: Parties, label: str) -> None:
    """A record without a compiledRelease: its embedded releases, each award and contract at its latest."""
    parts = []
    for release in releases:
        part = Unit(unit.line, "release")
        _read_release(part, release, parties, label)
        parts.append(part)
    lend_buyers(parts, label, final=False)
    supersede(parts)
    unit.ocid = unit.ocid or next((p.ocid for p in parts if p.ocid), "")
    unit.buyer = next((p.buyer for p in sorted(parts, key=lambda p: (p.instant, p.line), reverse=True)
                       if p.buyer), None)
    unit.needs_buyer = any(p.needs_buyer for p in parts if not p.superseded_by)
    unit.tags = ["record"]
    unit.instant = max((p.instant for p in parts), default=_EARLIEST)
    for part in parts:
        unit.problems.extend(part.problems)
        if not part.superseded_by:
            unit.rows.extend(part.rows)
            unit.keys.extend(part.keys)
    for item, row in enumerate(unit.rows, start=1):
        row["source_item"] = item


def _read_release(unit: Unit, release: dict, parties: Parties, label: str) -> None:
    reader = _ReleaseReader(unit, release, label, parties.rates)
    unit.ocid = text(release.get("ocid")) or unit.ocid
    unit.release_id = text(release.get("id"))
    tags = release.get("tag")
    unit.tags = [text(t) for t in (tags if isinstance(tags, list) else [tags]) if text(t)]
    unit.instant = _instant(release.get("date"))
    buyer_name, buyer_id, org_id = reader.buyer(parties)
    if buyer_name or buyer_id:
        unit.buyer = (buyer_name, buyer_id, org_id)
    pairs = reader.pairs()
    if not pairs:
        return
    if unit.buyer is None:
        unit.needs_buyer = True  # another release of the ocid may name it: see lend_buyers
    elif org_id is None:
        reader.problem("buyer-not-in-registry", "buyer.name", buyer_name or buyer_id)
    tender = release.get("tender") if isinstance(release.get("tender"), dict) else {}
    tender_value, tender_currency = reader.value(tender.get("value"), "tender.value", context=True)
    release_date = unit.instant.date() if unit.instant != _EARLIEST else None
    for item, (award, contract, where) in enumerate(pairs, start=1):
        row = reader.row(award, contract, where, tender)
        row.update(org_id=org_id, buyer_name=buyer_name or None, buyer_id=buyer_id or None,
                   ocid=unit.ocid or None, release_id=unit.release_id or None, release_date=release_date,
                   release_tag=unit.tags, tender_value_amount=tender_value,
                   tender_value_currency=tender_currency or None, source_item=item)
        unit.rows.append(row)
        award_key = text((award or {}).get("id")) or text((contract or {}).get("awardID"))
        contract_key = text((contract or {}).get("id")) if contract else ""
        if contract and not contract_key:
            contract_key = f"#{unit.line}.{item}"  # a contract without an id is never the same as another
        if not award_key and not contract:
            award_key = f"#{unit.line}.{item}"
        unit.keys.append((unit.ocid, award_key, contract_key))


class _ReleaseReader:
    """Reads one release's parts into contract rows, collecting problems at the release's line."""

    def __init__(self, unit: Unit, release: dict, label: str, rates: dict[str, str]):
        self.unit, self.release, self.label, self.rates = unit, release, label, rates
        self.parties = {text(p.get("id")): p for p in _dicts(release.get("parties")) if text(p.get("id"))}

    def problem(self, code: str, column: str, value: object = None, detail: str = "") -> None:
        self.unit.problems.append(Problem(code, self.unit.line, column, None, None if value is None else str(value),
                                          detail, path=self.label, raw_row=self.unit.raw))

    def pairs(self) -> list[tuple[dict | None, dict | None, str]]:
        """(award, contract, where) for each contract, then each award no contract names."""
        awards = _dicts(self.release.get("awards"))
        contracts = _dicts(self.release.get("contracts"))
        by_id = {text(a.get("id")): a for a in awards if text(a.get("id"))}
        named = {text(c.get("awardID")) for c in contracts}
        pairs = [(by_id.get(text(c.get("awardID"))), c, f"contracts[{i}]") for i, c in enumerate(contracts)]
        pairs += [(a, None, f"awards[{i}]") for i, a in enumerate(awards)
                  if not text(a.get("id")) or text(a.get("id")) not in named]
        return pairs

    def buyer(self, parties: Parties) -> tuple[str, str, str | None]:
        """(name, identifier, org_id or None): the buyer, else the procuring entity.

        The identifier is the org-id (scheme-id) of its identifier or additional identifiers, else
        its party id as published.
        """
        reference = self.release.get("buyer") if isinstance(self.release.get("buyer"), dict) else None
        if reference is None:
            roles = [p for p in self.parties.values() if "buyer" in (p.get("roles") or [])]
            tender = self.release.get("tender") if isinstance(self.release.get("tender"), dict) else {}
            reference = roles[0] if roles else tender.get("procuringEntity") or {}
        party = self.parties.get(text(reference.get("id")), {})
        name = _say(reference, "name") or _say(party, "name") or _say(reference.get("identifier"), "legalName")
        org_form = _party_org_id(reference, party)
        identifier = org_form or text(reference.get("id"))
        return name, identifier, parties.body(org_form, name) if (org_form or name) else None

    def value(self, value: object, where: str, *, context: bool = False) -> tuple[Decimal | None, str]:
        """(amount, currency) of an OCDS Value, reporting what cannot be read at its JSON path.

        A value given only as context (the tender's estimate) with a currency outside ISO 4217 is
        left blank with a warning: the contract's own value still stands.
        """
        if not isinstance(value, dict):
            return None, ""
        raw, published = value.get("amount"), text(value.get("currency"))
        try:
            read = exact_amount(raw)
        except AmountError as error:
            self.problem("amount-not-a-number", f"{where}.amount", raw, error.detail)
            return None, iso_currency(published) or published
        currency = iso_currency(published) or published
        if read is None:
            return None, currency
        amount, rounded = read
        if rounded:
            self.problem("amount-rounded", f"{where}.amount", raw, str(amount))
        if not published:
            self.problem("currency-missing", f"{where}.currency", raw)
        elif iso_currency(published) is None and context:
            self.problem("value-not-read", f"{where}.currency", published, "an ISO 4217 currency code")
            return None, ""
        elif iso_currency(published) is None:
            self.problem("currency-invalid", f"{where}.currency", published)
        return amount, currency

    def day(self, value: object, where: str) -> date | None:
        published = text(value)
        if not published:
            return None
        try:
            return datetime.fromisoformat(published).date()
        except ValueError:
            pass
        try:
            return date.fromisoformat(published[:10])
        except ValueError:
            self.problem("date-invalid", where, published, "OCDS dates are ISO 8601, e.g. 2019-04-01T00:00:00Z")
            return None

    def row(self, award: dict | None, contract: dict | None, where: str, tender: dict) -> dict:
        award, contract = award or {}, contract or {}
        if _has_amount(contract.get("value")) or not award:
            amount, currency = self.value(contract.get("value"), f"{where}.value")
        else:
            award_where = where if where.startswith("awards") else f"awards[id={text(award.get('id'))}]"
            amount, currency = self.value(award.get("value"), f"{award_where}.value")
        period = contract.get("period") if isinstance(contract.get("period"), dict) else None
        period = period or (award.get("contractPeriod") if isinstance(award.get("contractPeriod"), dict) else {})
        start = self.day(period.get("startDate"), f"{where}.period.startDate")
        end = self.day(period.get("endDate"), f"{where}.period.endDate")
        awarded = self.day(award.get("date") or contract.get("dateSigned"), f"{where}.date")
        names, ids = self.suppliers(award.get("suppliers") or contract.get("suppliers"))
        cpv_codes = _cpv_codes(contract, award, tender)
        return {
            "contract_ref": text(contract.get("id")) or text(award.get("id")) or self.unit.ocid,
            "title": _first_text(contract, award, tender, key="title"),
            "description": _first_text(contract, award, tender, key="description"),
            "supplier_id": ids[0] if ids else None, "supplier_name": names[0] if names else None,
            "supplier_names": names, "supplier_ids": ids,
            "value_amount": amount, "value_currency": currency or None,
            "value_gbp": in_pounds(amount, currency, self.rates),
            "start_date": start, "end_date": end, "awarded_on": awarded,
            "cpv": next((c for c in cpv_codes if CPV.match(c)), None), "cpv_codes": cpv_codes,
            "procurement_method": text(tender.get("procurementMethod")) or None,
            "status": text(contract.get("status")) or text(award.get("status")) or None,
            "award_id": text(award.get("id")) or text(contract.get("awardID")) or None,
        }

    def suppliers(self, suppliers: object) -> tuple[list[str], list[str | None]]:
        names, ids = [], []
        for supplier in _dicts(suppliers):
            party = self.parties.get(text(supplier.get("id")), {})
            names.append(_say(supplier, "name") or _say(party, "name") or text(supplier.get("id")))
            ids.append(_party_org_id(supplier, party))
        return names, ids


def _dicts(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _has_amount(value: object) -> bool:
    return isinstance(value, dict) and value.get("amount") not in (None, "")


def _first_text(*parts: dict, key: str) -> str | None:
    return next((_say(p, key) for p in parts if _say(p, key)), None)


def _say(part: object, key: str) -> str:
    """A text field, or its language variant (OCDS writes `title_en`, `title_fr` for translations)."""
    if not isinstance(part, dict):
        return ""
    found = text(part.get(key)) or text(part.get(f"{key}_en"))
    return found or next((text(v) for k, v in part.items() if k.startswith(f"{key}_") and text(v)), "")


def _party_org_id(reference: dict, party: dict) -> str | None:
    """The party's first identifier (as referenced, then as listed) in org-id form, preferring one
    that can be a body's id (no spaces)."""
    candidates = [reference.get("identifier"), party.get("identifier"),
                  *_dicts(party.get("additionalIdentifiers")), *_dicts(reference.get("additionalIdentifiers"))]
    forms = [found for c in candidates if (found := _org_id(c))]
    return next((f for f in forms if ORG_ID.match(f)), forms[0] if forms else None)


def _org_id(identifier: object) -> str | None:
    """An OCDS identifier in org-id form (GB-COH-01234567), only when its scheme is an org-id list code."""
    if not isinstance(identifier, dict):
        return None
    scheme, ident = text(identifier.get("scheme")).strip().upper(), text(identifier.get("id")).strip()
    if not ident or not ORG_ID_SCHEME.match(scheme):
        return None
    return ident if ident.upper().startswith(scheme + "-") else f"{scheme}-{ident}"


def _cpv_codes(*parts: dict) -> list[str]:
    """Every CPV code on the parts' items, main classifications first, each once, as published."""
    codes: list[str] = []
    for part in parts:
        for item in _dicts(part.get("items")):
            found = [item.get("classification"), *(item.get("additionalClassifications") or [])]
            for classification in _dicts(found):
                code = text(classification.get("id"))
                if text(classification.get("scheme")).upper() == "CPV" and code and code not in codes:
                    codes.append(code)
    return codes


def _instant(value: object) -> datetime:
    """A release date as an instant to order releases by; undated releases sort first."""
    published = text(value)
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return _EARLIEST
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- which releases count ---------------------------------------------------------------

def lend_buyers(units: list[Unit], label: str, *, final: bool) -> None:
    """Rows of a release that names no buyer take the latest buyer another release of its ocid names.

    A release still without one is quarantined (`buyer-missing`) once the whole file is read (final).
    """
    buyers: dict[str, tuple[str, str, str | None]] = {}
    for unit in sorted(units, key=lambda u: (u.instant, u.line)):
        if unit.buyer and unit.ocid:
            buyers[unit.ocid] = unit.buyer
    for unit in units:
        if not unit.needs_buyer:
            continue
        lent = buyers.get(unit.ocid)
        if lent is None:
            if final:
                unit.problems.append(Problem("buyer-missing", unit.line, "buyer", path=label, raw_row=unit.raw))
            continue
        name, identifier, org_id = lent
        if org_id is None:
            unit.problems.append(Problem("buyer-not-in-registry", unit.line, "buyer.name", None, name or identifier,
                                         path=label, raw_row=unit.raw))
        for row in unit.rows:
            if row["org_id"] is None and row["buyer_name"] is None and row["buyer_id"] is None:
                row.update(org_id=org_id, buyer_name=name or None, buyer_id=identifier or None)
        unit.needs_buyer = False


def supersede(units: list[Unit]) -> None:
    """Drop rows a later release of the same ocid restates; mark releases left with none.

    Only releases that read cleanly take part: a quarantined release supersedes nothing.
    """
    live = [u for u in units if u.kind == "release" and u.rows and not u.failed]
    last: dict[tuple, tuple[datetime, int]] = {}
    signed: set[tuple[str, str]] = set()
    for unit in live:
        for key in unit.keys:
            order = (unit.instant, unit.line)
            last[key] = max(last.get(key, order), order)
            if key[2] and key[1]:
                signed.add((key[0], key[1]))
    by_line = {u.line: u for u in live}
    for unit in live:
        kept = [(row, key) for row, key in zip(unit.rows, unit.keys, strict=True)
                if last[key] == (unit.instant, unit.line) and not (not key[2] and (key[0], key[1]) in signed)]
        if kept:
            unit.rows, unit.keys = [r for r, _ in kept], [k for _, k in kept]
            continue
        later = max((last[k] for k in unit.keys), key=lambda order: order)
        restating = by_line.get(later[1])
        if restating is not None and restating is not unit:
            unit.superseded_by = f"by release {restating.release_id or restating.line}"
        else:
            unit.superseded_by = "by a contract signed on the same award"
        unit.rows, unit.keys = [], []


def settle(unit: Unit, records: Records, label: str) -> None:
    """Decide the unit's one fate: accepted (its rows), quarantined (its errors) or structural."""
    if unit.failed:
        for problem in unit.problems:
            records.problem(problem)
        return
    if unit.superseded_by:
        records.problem(Problem("ocds-release-superseded", unit.line, detail=f" ({unit.superseded_by})",
                                path=label, raw_row=unit.raw))
        return
    if not unit.rows:
        tags = ", ".join(unit.tags) or "none"
        records.problem(Problem("ocds-tender-only", unit.line, detail=f" (tag: {tags})", path=label,
                                raw_row=unit.raw))
        return
    for problem in unit.problems:
        records.problem(problem)
    for row in unit.rows:
        records.add("contract", unit.line, row)


@hookimpl
def register_importers():
    return [OcdsImporter]
