"""Docs cannot drift from code: the problem catalogue is generated, every command is in the README."""

from __future__ import annotations

from pathlib import Path

import typer.main

from openbook.cli import app
from openbook.ingest.problems import PROBLEM_TYPES, catalogue_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_problem_catalogue_doc_is_generated_from_the_code():
    # Regenerate with: python -c "from openbook.ingest.problems import catalogue_markdown as c; open('docs/problems.md','w').write(c())"
    assert (ROOT / "docs" / "problems.md").read_text(encoding="utf-8") == catalogue_markdown()


def test_every_problem_code_is_a_stable_kebab_slug():
    assert all(code == code.lower() and " " not in code and "_" not in code for code in PROBLEM_TYPES)
    assert len(PROBLEM_TYPES) >= 30


def test_every_cli_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = typer.main.get_command(app).commands
    assert set(commands) >= {"init", "ingest", "validate", "status", "problems", "export", "demo", "synth"}
    missing = [name for name in commands if f"openbook {name}" not in readme]
    assert missing == []


def test_readme_starts_with_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.index("make run"), readme.index("make test")
    assert max(setup) < readme.index("## What you can do")
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_taxonomy_doc_is_generated_from_the_code_lists():
    # Regenerate with: python -c "from openbook.standard.taxonomy import taxonomy_markdown as t; open('docs/taxonomy.md','w').write(t())"
    from openbook.standard.taxonomy import taxonomy_markdown

    assert (ROOT / "docs" / "taxonomy.md").read_text(encoding="utf-8") == taxonomy_markdown()
