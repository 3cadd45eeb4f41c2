"""Suppliers across bodies: the many spellings of a payee resolved into one supplier table.

resolution.py resolves spellings in stages, strongest evidence first (a person's decisions,
register numbers, the same name, then spelling slips); names.py says what a name reduces to
before names are compared; matching.py proposes and guards the slips; table.py reads the book's
spellings and writes, reads and decides on its supplier table.
"""

from openbook.analyse.suppliers.resolution import ENGINES, NameRecord, Resolution, resolve_records
from openbook.analyse.suppliers.table import decide, gather_records, match, resolve, supplier, suppliers

__all__ = ["ENGINES", "NameRecord", "Resolution", "decide", "gather_records", "match", "resolve", "resolve_records",
           "supplier", "suppliers"]
