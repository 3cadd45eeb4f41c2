"""A deterministic fictional public sector and the messy files it publishes.

`generate` writes bodies, monthly spend files in five publishers' dialects and the truth
(planted duplicates, bad rows, per-file counts and sums) that ingest and the duplicate
detectors are tested against, and the rest of each body's open book (organograms,
contracts, systems, processes, cost registers, grants) with its own planted truth;
`generate_flat` writes one clean-layout CSV, optionally with planted invalid cells, for
validation benchmarks. Same arguments, same bytes.
"""

from .book import DATASETS
from .flat import generate_flat
from .generator import SynthResult, generate

__all__ = ["DATASETS", "SynthResult", "generate", "generate_flat"]
