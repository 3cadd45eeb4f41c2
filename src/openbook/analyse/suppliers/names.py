"""What a supplier's name and numbers reduce to before names are compared.

Published files spell one firm many ways: case, 'Ltd'/'Limited'/'LTD.', a leading 'The',
'&'/'and', stray spaces and punctuation, 'Smith, J' for 'J Smith'. None of these tells two
firms apart, so `name_parts` removes them and keeps the legal form aside. Registration
numbers are written as loosely ('1234567', 'SC 012345', 'GB 123 4567 89'); each is reduced
to one canonical form or rejected, never guessed. A number joins suppliers outright, so it must
be one: a VAT number passes HMRC's check digits (python-stdnum), and a company or charity
number, which carry none, must not be a placeholder ('12345678', '9999999') that a finance
system writes for firms that have none.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import OSA
from stdnum.gb import vat as gb_vat

# Trailing words that say what kind of legal entity a name is, longest first, and the one
# form each is reduced to. 'uk' and 'group' before them are kept: 'Kier Group' and 'Kier UK'
# are different companies.
_LEGAL_FORMS = (
    ("public limited company", "plc"), ("community interest company", "cic"),
    ("limited liability partnership", "llp"), ("limited", "ltd"), ("ltd", "ltd"), ("plc", "plc"),
    ("llp", "llp"), ("cic", "cic"), ("l t d", "ltd"), ("p l c", "plc"), ("l l p", "llp"),
)
_ABBREVIATIONS = {
    "svcs": "services", "servs": "services", "mgmt": "management", "intl": "international",
    "assoc": "association", "bros": "brothers", "dept": "department", "govt": "government",
}
# Payees that are not a supplier at all: a withheld name, a catch-all, a person under data
# protection. Each is left unresolved (supplier_id null) rather than made one giant supplier.
_WITHHELD = re.compile(
    r"^(redacted|redacted personal data|personal data|personal information|withheld|name withheld|"
    r"not disclosed|nd|n d|na|n a|none|unknown|various|various suppliers|sundry|sundries|"
    r"sundry creditors?|private individual|individual|individuals|employee|employees|staff|"
    r"confidential|data protection|data protection act|removed|redacted for data protection|"
    r"payee name withheld|supplier name withheld|xxx+|\W*)$")
_WITHHELD_WORDS = re.compile(r"\b(redacted|withheld|personal data|data protection|gdpr)\b")
_PUBLIC_WORDS = re.compile(
    r"\b(council|nhs|police|constabulary|hmrc|hm revenue|borough|ministry of|department for|"
    r"fire and rescue|combined authority|clinical commissioning|integrated care board|"
    r"county court|magistrates|pension fund)\b")


@dataclass(frozen=True)
class NameParts:
    """A name reduced for matching: `core` without legal form, `key` its sorted words."""

    core: str
    legal_form: str | None
    key: str

    @property
    def tokens(self) -> list[str]:
        return self.core.split()


def clean_text(name: str) -> str:
    """Lower case, '&' as 'and', apostrophes dropped, other punctuation as one space."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ").replace("+", " and ")
    text = re.sub(r"['\u2019`]", "", text)
    return re.sub(r"[\W_]+", " ", text).strip()


def name_parts(name: str) -> NameParts:
    words = clean_text(name).split()
    words = [_ABBREVIATIONS.get(w, w) for w in words]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    legal = None
    text = " ".join(words)
    for suffix, form in _LEGAL_FORMS:
        size = suffix.count(" ") + 1
        if len(words) <= size:
            continue
        tail = " ".join(words[-size:])
        # A slip in a long legal form ('Limietd', 'Community Interest Comany') is still the form.
        if tail == suffix or (len(suffix) >= 7 and OSA.distance(tail, suffix) <= 1):
            text, legal = " ".join(words[:-size]), form
            break
    # '(UK) Limited' and 'UK Ltd' are the same words once brackets go; a bare 'uk' before the
    # legal form stays part of the name.
    return NameParts(core=text, legal_form=legal, key=" ".join(sorted(text.split())))


def is_withheld(name: str | None) -> bool:
    """A payee name that hides or lacks the supplier ('REDACTED', 'Personal data', 'Various')."""
    if name is None:
        return True
    text = clean_text(name)
    return bool(_WITHHELD.match(text) or _WITHHELD_WORDS.search(text))


def looks_public(name: str) -> bool:
    """Whether a payee's name reads as a public body (a council, an NHS body, HMRC …)."""
    return bool(_PUBLIC_WORDS.search(clean_text(name)))


_COMPANY = re.compile(r"^([A-Z]{2})?(\d{1,8})$")
_COMPANY_PREFIXES = {"SC", "NI", "OC", "SO", "NC", "R0", "FC", "SF", "NF", "IP", "SP", "SL", "SE", "GE",
                     "LP", "NL", "RC", "SR", "NR", "NO", "IC", "CE", "CS", "SI"}


def company_number(text: str | None) -> str | None:
    """A Companies House number as eight characters ('1234567' → '01234567', 'sc 12345' →
    'SC012345'), or None when the text is not one."""
    if not text:
        return None
    value = re.sub(r"[\s.\-/]", "", str(text)).upper()
    value = value.removeprefix("GBCOH")
    match = _COMPANY.match(value)
    if not match:
        return None
    prefix, digits = match.group(1) or "", match.group(2)
    if prefix and prefix not in _COMPANY_PREFIXES:
        return None
    number = prefix + digits.zfill(8 - len(prefix))
    if len(number) != 8 or is_placeholder(digits):
        return None
    return number


def vat_number(text: str | None) -> str | None:
    """A UK VAT number as its nine digits ('GB 123 4567 89' → '123456789'), or None."""
    if not text:
        return None
    value = re.sub(r"[\s.\-]", "", str(text)).upper().removeprefix("GB")
    if re.fullmatch(r"\d{9}(\d{3})?", value) and gb_vat.is_valid(value) and not is_placeholder(value[:9]):
        return value[:9]  # a 12-digit number is a branch of the 9-digit registration
    return None


def charity_number(text: str | None) -> str | None:
    """An England & Wales (digits) or Scottish ('SC012345') charity number, or None."""
    if not text:
        return None
    value = re.sub(r"[\s.]", "", str(text)).upper()
    if re.fullmatch(r"\d{6,8}(-\d{1,2})?", value):
        number = value.split("-")[0]
    elif re.fullmatch(r"SC0\d{5}", value):
        number = value
    else:
        return None
    return None if is_placeholder(number.removeprefix("SC")) else number


def is_placeholder(digits: str) -> bool:
    """Zero, one digit repeated, or a run of consecutive digits up or down ('0123456', '87654321'):
    what a form is filled with when the real number is not known."""
    significant = digits.lstrip("0")
    if not significant or len(set(significant)) == 1:
        return True
    steps = {(int(b) - int(a)) for a, b in zip(digits, digits[1:])}
    return len(digits) >= 4 and steps in ({1}, {-1})


def org_id_numbers(org_id: str | None) -> tuple[str | None, str | None]:
    """(company number, charity number) from a published org-id such as 'GB-COH-01234567',
    'GB-CHC-1079327' or 'GB-SC-SC012345'; other schemes give (None, None)."""
    if not org_id:
        return None, None
    text = org_id.strip().upper()
    if text.startswith("GB-COH-"):
        return company_number(text[7:]), None
    if text.startswith("GB-CHC-"):
        return None, charity_number(text[7:])
    if text.startswith("GB-SC-"):
        return None, charity_number(text[6:])
    return None, None
