"""A deterministic fictional public sector and the messy spend files it publishes.

`generate` writes bodies, monthly spend files in five publishers' dialects and the truth
(planted duplicates, bad rows, per-file counts and sums) that ingest and the duplicate
detectors are tested against; `generate_flat` writes one clean-layout CSV, optionally with
planted invalid cells, for validation benchmarks. Same arguments, same bytes.
"""

from .flat import generate_flat
from .generator import SynthResult, generate

__all__ = ["SynthResult", "generate", "generate_flat"]
