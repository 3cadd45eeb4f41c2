"""Does a body's system speak a Lego block's standard interface? `openbook conform` runs the block's
interface (standard/interfaces/) against the system at a URL and issues a certificate.

The checks are written with the standard library's HTTP client and jsonschema rather than a
fuzzer: a conformance run must be bounded in requests and time, contact only the origin it was
given, and say exactly which promise of the interface each request tested.
"""

from __future__ import annotations

from openbook.conform.runner import BLOCKS, run
from openbook.conform.session import Report

__all__ = ["BLOCKS", "Report", "run"]
