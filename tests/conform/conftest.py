"""One real uvicorn server carries every reference system and planted violation for the session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ref_server import serving  # noqa: E402


@pytest.fixture(scope="session")
def reference_url():
    with serving() as url:
        yield url
