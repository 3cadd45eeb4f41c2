"""One confidence floor for every reader of classified spend: function costs, measures and savings.

Before it, the function and measure detectors counted every classified line (a floor of 0) while
the savings model used 0.6, so a line could be administration on one page and not on another.
"""

from __future__ import annotations

import ibis.expr.types as ir

# Lines openbook classified less surely than this are left out. At 0.6 a team's name is enough; a
# word that only usually means a function (0.5) or a body's purpose (0.3) is not. A code the
# publisher gave, or a user's mapping, carries no doubt of openbook's (confidence null or 1) and stays.
CONFIDENCE_FLOOR = 0.6


def sure(spend: ir.Table, floor: float = CONFIDENCE_FLOOR) -> ir.Table:
    """The rows of a classified table whose function is at least as sure as the floor."""
    if floor <= 0:
        return spend
    return spend.filter(spend.classification_confidence.isnull() | (spend.classification_confidence >= floor))
