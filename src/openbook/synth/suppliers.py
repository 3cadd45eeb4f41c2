"""The supplier pool: fictional firms, charities and sole traders, and how files misspell them.

Each supplier has a canonical name and four *forms* (the canonical one and three variants:
Ltd/Limited, upper case, 'The ', '&'/'and', a trailing space, a one-letter typo ...). A body
keeps one form per supplier (publishers copy names from their own vendor master), so the
same firm is spelt differently by different bodies, as in real files. Names are unique under
`name_key`, which every variant except the typo preserves; typos are checked against every
key, so each written name maps back to exactly one supplier.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import vocab

FORMS = 4
_LEGAL_TOKENS = {"ltd", "limited", "plc", "llp", "uk", "cic"}
_SUFFIX_SWAPS = {
    "Ltd": ("Limited", "LTD", "Ltd."), "Limited": ("Ltd", "LTD", "Ltd."), "PLC": ("plc", "Plc"),
    "LLP": ("Llp",), "CIC": ("Cic",),
}
_PUNCT = "().,'/-\""


def name_key(name: str) -> str:
    """Case, legal suffix, 'The', '&'/'and', spacing and word order do not change the key."""
    s = name.lower().replace("&", " and ")
    for c in _PUNCT:
        if c in s:
            s = s.replace(c, " ")
    words = [w for w in s.split() if w not in _LEGAL_TOKENS]
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(sorted(words))


@dataclass
class SupplierPool:
    canonical: np.ndarray  # object array of str
    forms: np.ndarray  # object array (FORMS, n): forms[0] is canonical
    company_number: list[str]
    category: np.ndarray  # int8 index into vocab.CATEGORIES
    postcode: np.ndarray
    vat: np.ndarray
    cdf: np.ndarray  # Zipf-like popularity by rank
    national: np.ndarray  # rank -> supplier for the firms every body uses

    def __len__(self) -> int:
        return len(self.canonical)

    @staticmethod
    def key(i: int) -> str:
        return f"SUP-{i:06d}"

    def draw(self, rng: np.random.Generator, n: int, local: np.ndarray) -> np.ndarray:
        """`n` supplier indices: half from the national ranking, half from the body's own."""
        rank = np.searchsorted(self.cdf, rng.random(n))
        np.minimum(rank, len(self.cdf) - 1, out=rank)
        return np.where(rng.random(n) < 0.5, self.national[rank], local[rank])


def pool_size(rows: int) -> int:
    return int(min(200_000, max(300, rows // 50)))


def make_pool(n: int, seed: int) -> SupplierPool:
    rng = np.random.default_rng([seed, 202])
    keys: set[str] = set()
    canon: list[str] = []
    cats: list[int] = []
    numbers: list[str] = []
    cat_p = np.array(vocab.CATEGORY_WEIGHTS, float)
    cat_p /= cat_p.sum()
    while len(canon) < n:
        batch = rng.integers(0, 1 << 30, size=(4096, 8))
        cat_draw = rng.choice(len(cat_p), size=4096, p=cat_p)
        for r, c in zip(batch.tolist(), cat_draw.tolist()):
            name, number = _invent(r, vocab.CATEGORIES[c])
            k = name_key(name)
            if k in keys:  # small name spaces fill up at 200k: fall back to the big one
                name, number = _invent(r, vocab.CATEGORIES[c], partnership=True)
                k = name_key(name)
                if k in keys:
                    continue
            keys.add(k)
            canon.append(name)
            cats.append(c)
            numbers.append(number)
            if len(canon) == n:
                break
    forms = np.empty((FORMS, n), dtype=object)
    trng = np.random.default_rng([seed, 203])
    picks = trng.integers(0, 1 << 30, size=(n, 4)).tolist()
    for i, name in enumerate(canon):
        forms[:, i] = _forms(name, picks[i], keys)
    r = rng.integers(0, 1 << 30, size=(n, 3)).tolist()
    postcode = np.array([_postcode(x) for x in r], dtype=object)
    vat = np.array([_vat(x) if numbers[i] and x[2] % 5 else "" for i, x in enumerate(r)], dtype=object)
    ranks = np.arange(n)
    w = 1.0 / (ranks + 3.0) ** 1.05
    cdf = np.cumsum(w)
    cdf /= cdf[-1]
    return SupplierPool(
        canonical=forms[0].copy(), forms=forms, company_number=numbers,
        category=np.array(cats, dtype=np.int8), postcode=postcode, vat=vat,
        cdf=cdf, national=rng.permutation(n),
    )


def _invent(r: list[int], cat: str, partnership: bool = False) -> tuple[str, str]:
    stems, trades = vocab.STEMS, vocab.TRADES[cat]
    kind = 60 + r[7] % 15 if partnership else r[0] % 100
    stem = stems[r[1] % len(stems)]
    if kind < 55:  # company: 'Ashdown Consulting Ltd'
        legal = vocab.LEGAL[r[3] % len(vocab.LEGAL)]
        name = f"{stem} {trades[r[2] % len(trades)]} {legal}"
    elif kind < 75:  # partnership of two names: 'Hartley & Quayle Ltd'
        other = vocab.SURNAMES[r[4] % len(vocab.SURNAMES)]
        legal = vocab.LEGAL[r[3] % len(vocab.LEGAL)]
        tail = "" if r[5] % 3 else f" {trades[r[2] % len(trades)]}"
        if partnership and r[6] % 2:  # three names ('Hartley, Quayle & Moss LLP'): room for 200k
            third = vocab.SURNAMES[r[6] // 2 % len(vocab.SURNAMES)]
            name = f"{stem}, {other} & {third}{tail} {legal}"
        else:
            name = f"{stem} & {other}{tail} {legal}"
    elif kind < 88:  # charity: 'Northmoor Carers Group'
        place = vocab.PLACES[r[4] % len(vocab.PLACES)] if r[5] % 2 else stem
        form = vocab.CHARITY_FORMS[r[2] % len(vocab.CHARITY_FORMS)]
        name = f"{place} {trades[r[3] % len(trades)]} {form}" if r[6] % 4 == 0 else f"{place} {form}"
        return name, _company_number(r, "") if r[7] % 5 < 2 else ""
    else:  # sole trader: 'Pemberton, J' or 'Alan Pemberton t/a Pemberton Tutors'
        first = vocab.FIRST_NAMES[r[4] % len(vocab.FIRST_NAMES)]
        sur = vocab.SURNAMES[r[2] % len(vocab.SURNAMES)]
        style = r[5] % 3
        if style == 0:
            return f"{sur}, {first[0]}", ""
        if style == 1:
            return f"{first} {sur}", ""
        return f"{first} {sur} t/a {stem} {trades[r[3] % len(trades)]}", ""
    if r[7] % 100 < 15:
        return name, ""
    return name, _company_number(r, legal)


def _company_number(r: list[int], legal: str) -> str:
    if legal == "LLP":
        return f"OC{r[6] % 1_000_000:06d}"
    pick = r[6] % 20
    if pick == 0:
        return f"SC{r[5] % 1_000_000:06d}"
    if pick == 1:
        return f"NI{r[5] % 1_000_000:06d}"
    return f"{r[5] % 14_000_000:08d}"


def _vat(x: list[int]) -> str:  # 'GB 123 4567 89' or '123456789': both are seen
    # Seven digits and HMRC's two check digits (weights 8..2, the total a multiple of 97), so the
    # number passes the check a reader applies before trusting it.
    stem = f"{x[1] % 9_000_000 + 1_000_000}"
    check = -sum(w * int(d) for w, d in zip(range(8, 1, -1), stem)) % 97
    number = f"{stem}{check:02d}"
    if x[2] % 2:
        return f"GB {number[:3]} {number[3:7]} {number[7:]}"
    return number


def _postcode(x: list[int]) -> str:
    area = ("NM", "KF", "SX", "HW", "WY", "FM", "GW", "OH", "LV", "QM")[x[0] % 10]
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{area}{x[1] % 30 + 1} {x[2] % 10}{letters[x[0] // 10 % 20]}{letters[x[1] // 30 % 20]}"


def _forms(name: str, r: list[int], keys: set[str]) -> list[str]:
    out = [name]
    options = _transforms(name)
    # A seeded rotation of the applicable transforms; take the first that give new strings.
    k = r[0] % len(options)
    order = options[k:] + options[:k]
    for t in order:
        if len(out) == FORMS:
            break
        v = _apply(t, name, r)
        if v is None or v in out:
            continue
        if t == "typo":
            k = name_key(v)
            if k in keys:
                continue
            keys.add(k)
        out.append(v)
    filler = [name + " ", name.upper() + " ", name.lower(), name.lower() + " "]
    for v in filler:
        if len(out) == FORMS:
            break
        if v not in out:
            out.append(v)
    return out


def _transforms(name: str) -> list[str]:
    t = ["upper", "space", "typo"]
    last = name.rsplit(" ", 1)[-1]
    if last in _SUFFIX_SWAPS:
        t += ["suffix", "suffix2", "drop_suffix", "the"]
    elif last in vocab.CHARITY_FORMS or name.endswith(" Company"):
        t.append("the")
    if " & " in name or " and " in name:
        t.append("and")
    if ", " in name and len(name.rsplit(", ", 1)[1]) == 1:  # 'Pemberton, J'
        t.append("reorder")
    return t


def _apply(t: str, name: str, r: list[int]) -> str | None:
    if t == "upper":
        return name.upper()
    if t == "space":
        return name + " " if r[1] % 2 else name.replace(" ", "  ", 1)
    if t == "the":
        return name[4:] if name.startswith("The ") else "The " + name
    if t in ("suffix", "suffix2"):
        head, last = name.rsplit(" ", 1)
        swaps = _SUFFIX_SWAPS[last]
        return f"{head} {swaps[(r[2] + (t == 'suffix2')) % len(swaps)]}"
    if t == "drop_suffix":
        return name.rsplit(" ", 1)[0]
    if t == "and":
        return name.replace(" & ", " and ", 1) if " & " in name else name.replace(" and ", " & ", 1)
    if t == "reorder":  # 'Pemberton, J' -> 'J Pemberton'
        sur, ini = name.split(", ", 1)
        return f"{ini} {sur}"
    if t == "typo":
        words = name.split(" ")
        idx = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if not idx:
            return None
        wi = idx[r[3] % len(idx)]
        w = words[wi]
        p = 1 + r[2] % (len(w) - 2)
        how = r[1] % 3
        if how == 0 and w[p] != w[p + 1]:
            w = w[:p] + w[p + 1] + w[p] + w[p + 2:]  # transpose
        elif how == 1:
            w = w[:p] + w[p + 1:]  # drop a letter
        else:
            w = w[:p] + w[p] + w[p:]  # double a letter
        words[wi] = w
        return " ".join(words)
    raise ValueError(t)


# How publishers write a payee they withhold (planted as duplicate look-alikes); each is its own
# name in the supplier truth, keyed 'withheld:<label>', since nothing says who stands behind it.
WITHHELD = ("REDACTED", "Redacted - personal data", "Name withheld", "Personal information",
            "Individual", "DETAILS REDACTED", "Personal expenses - name withheld")


def write_truth(pool: SupplierPool, path: Path) -> None:
    """Every name the generator may write for each supplier (a superset of those in files), and
    the withheld payees' labels.

    Bodies with an upper-case house style write `form.upper()`, so those are listed too.
    Lines are joined by hand (csv.writer is 3x slower at 200k suppliers x 8 names).
    """
    def esc(s: str) -> str:
        return '"' + s.replace('"', '""') + '"' if ("," in s or '"' in s) else s

    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write("variant_name,supplier_key,canonical_name,company_number\n")
        lines = []
        for i in range(len(pool)):
            tail = f",{pool.key(i)},{esc(pool.canonical[i])},{pool.company_number[i]}\n"
            forms = pool.forms[:, i].tolist()
            for v in dict.fromkeys(forms + [x.upper() for x in forms]):
                lines.append(esc(v) + tail)
            if len(lines) > 50_000:
                f.write("".join(lines))
                lines.clear()
        for label in WITHHELD:
            for v in dict.fromkeys((label, label.upper())):
                lines.append(f"{esc(v)},withheld:{label.lower()},{esc(label)},\n")
        f.write("".join(lines))


def names_with_truth(n: int, seed: int = 42) -> list[tuple[str, str, str, str]]:
    """`n` distinct supplier names as files write them, each with its true supplier.

    Rows are (variant_name, supplier_key, canonical_name, company_number), the columns of
    truth/suppliers.csv: every form of each supplier and its upper-case spelling, supplier
    after supplier, until `n` names. For measuring entity resolution on names alone at any
    scale without writing spend files.
    """
    suppliers = max(1, n // 5)  # about 6.7 names per supplier; grow the pool if short
    while True:
        pool = make_pool(suppliers, seed)
        out: list[tuple[str, str, str, str]] = []
        for i in range(len(pool)):
            forms = pool.forms[:, i].tolist()
            for v in dict.fromkeys(forms + [x.upper() for x in forms]):
                out.append((v, pool.key(i), pool.canonical[i], pool.company_number[i]))
            if len(out) >= n:
                return out[:n]
        suppliers *= 2


def pairwise_scores(labels: list, truth: list) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering against the true clustering.

    Over every pair of items: precision is the share of pairs put together that truly belong
    together, recall the share of truly-together pairs put together. Items labelled None
    (withheld) are each their own cluster.
    """
    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    labels = [("none", i) if label is None else label for i, label in enumerate(labels)]
    both = Counter(zip(labels, truth))
    together = sum(pairs(v) for v in both.values())
    predicted = sum(pairs(v) for v in Counter(labels).values())
    actual = sum(pairs(v) for v in Counter(truth).values())
    return (together / predicted if predicted else 1.0, together / actual if actual else 1.0)
