from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

# Until the project is installed into the venv (pip install -e .), import it from the source tree.
if importlib.util.find_spec("openbook") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real published files in ../shared/data; tests that need them skip where it is absent."""
    path = (Path(__file__).parents[2] / ".." / "shared" / "data").resolve()
    if not path.is_dir():
        pytest.skip("shared data not present")
    return path
