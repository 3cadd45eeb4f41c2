"""What one payment line buys: a product of the catalogue, with a confidence, or nothing.

Three rules, strongest first (docs/systems-inference.md):

1. the payee is one of the product's suppliers (or former names) and the line's expense type or
   description names the product ("Academy", "iTrent") — 0.9 — or names its service ("council
   tax", "payroll") on a line that looks like software spend — 0.8 (a body paying its own
   business rates to a firm that also sells revenues software is not buying the software);
2. the line names a product distinctive enough to stand alone ("iTrent", "Office 365"), whoever is
   paid (a reseller, often) — 0.75;
3. the payee is a supplier that sells essentially one product to public bodies, and the line looks
   like software spend (licence, support, hosting…) — 0.7 — or, for suppliers marked `any`, is any
   payment to them — 0.6.

A product's exclude words veto it: a supplier name shared with an unrelated firm (a vehicle-hire
company, a care home) or a supplier's other business (franking machines) never counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openbook.analyse.systems_inference.catalogue import Product, normalise, products

# Words that say a line pays for software or a managed IT service, matched on normalised text.
SOFTWARE = re.compile(
    r"\b(software|licen[cs]es?|saas|hosting|hosted|subscriptions?|support and maintenance|maintenance and support|"
    r"annual support|annual maintenance|software maintenance|it support|ict support|system support|"
    r"systems support|cloud|application|applications|it services?|ict services?|computer|computing|"
    r"it maintenance|ict maintenance|it equipment|ict|managed service)\b")
# The parts of a system's cost a line may name.
_COMPONENTS = (
    ("hosting", re.compile(r"\b(hosting|hosted|cloud|saas|data cent(re|er)|managed service)\b")),
    ("support", re.compile(r"\b(support|maintenance|upgrade|helpdesk)\b")),
    ("licence", re.compile(r"\b(licen[cs]es?|subscriptions?|renewal)\b")),
)
CONFIDENCE = {"named": 0.9, "service": 0.8, "alone": 0.75, "software": 0.7, "any": 0.6}


@dataclass(frozen=True)
class Match:
    product: Product
    rule: str  # named | alone | software | any
    confidence: float
    component: str  # licence | support | hosting | other


def _has(text: str, word: str) -> bool:
    return f" {word} " in f" {text} "


def component(text: str) -> str:
    for name, pattern in _COMPONENTS:
        if pattern.search(text):
            return name
    return "other"


def looks_like_software(text: str) -> bool:
    return bool(SOFTWARE.search(text))


def _supplier_products(supplier: str) -> list[Product]:
    return [p for p in products() if any(_has(supplier, name) for name in p.supplier_names)]


class Matcher:
    """Matches lines; a supplier name's candidate products are worked out once per spelling."""

    def __init__(self) -> None:
        self._by_supplier: dict[str, list[Product]] = {}

    def candidates(self, supplier_name: str | None) -> list[Product]:
        supplier = normalise(supplier_name)
        if supplier not in self._by_supplier:
            self._by_supplier[supplier] = _supplier_products(supplier) if supplier else []
        return self._by_supplier[supplier]

    def match(self, supplier_name: str | None, expense_type: str | None, description: str | None) -> Match | None:
        supplier = normalise(supplier_name)
        text = normalise(f"{expense_type or ''} ; {description or ''}")
        both = f"{supplier} {text}"

        def allowed(product: Product) -> bool:
            return not any(_has(both, word) for word in product.exclude_words)

        def found(product: Product, rule: str) -> Match:
            return Match(product, rule, CONFIDENCE[rule], component(text))

        candidates = [p for p in self.candidates(supplier_name) if allowed(p)]
        software = looks_like_software(text)
        for rule, words in (("named", lambda p: p.product_words + p.names_alone),
                            ("service", lambda p: p.service_words if software else ())):
            scored = [(sum(len(w) for w in words(p) if _has(text, w)), -i, p) for i, p in enumerate(candidates)]
            scored = [s for s in scored if s[0]]
            if scored:
                return found(max(scored, key=lambda s: s[:2])[2], rule)
        for product in products():
            if any(_has(text, word) for word in product.names_alone) and allowed(product):
                return found(product, "alone")
        for product in candidates:
            if product.default == "any" or (product.default == "software" and software):
                return found(product, "software" if software else "any")
        return None
