"""pyproject.toml states ranges and requirements.lock the exact versions inside them; nothing
platform-bound (uvloop, httptools) is required outright, and tests' tools stay in the test extra."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
REQUIREMENTS = [Requirement(r) for r in [*PROJECT["dependencies"],
                                         *(r for extra in PROJECT["optional-dependencies"].values() for r in extra)]]
LOCK = {canonicalize_name(name): version for name, _, version in
        (line.partition("==") for line in (ROOT / "requirements.lock").read_text().splitlines() if "==" in line)}


def test_every_requirement_is_a_range_whose_locked_version_it_admits():
    assert len(REQUIREMENTS) >= 25
    for requirement in REQUIREMENTS:
        operators = {spec.operator for spec in requirement.specifier}
        assert operators == {">=", "<"}, f"{requirement}: give a range, >=X,<Y"
        locked = LOCK.get(canonicalize_name(requirement.name))
        assert locked and requirement.specifier.contains(locked), f"{requirement}: locked {locked}"


def test_the_server_installs_everywhere_and_frictionless_is_for_tests_only():
    runtime = {canonicalize_name(Requirement(r).name): Requirement(r) for r in PROJECT["dependencies"]}
    assert "uvloop" not in runtime and "httptools" not in runtime and runtime["uvicorn"].extras == {"standard"}
    assert "frictionless" not in runtime
    assert "frictionless" in {canonicalize_name(Requirement(r).name) for r in PROJECT["optional-dependencies"]["test"]}
