"""What users of a CLI expect: --version, shell completion, and a --json twin on every command
that prints something to read (all but `serve`, which prints one line and then serves)."""

from __future__ import annotations

import json

import typer

from openbook.cli import app

WITHOUT_JSON = {"serve"}


def _commands(group, prefix: str = "") -> dict:
    found = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (Typer may bring its own click)
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found[f"{prefix}{name}"] = command
    return found


def test_every_command_but_serve_has_a_json_twin():
    commands = _commands(typer.main.get_command(app))
    assert len(commands) >= 30 and {"token create", "peers group create", "demo"} <= set(commands)
    lacking = sorted(name for name, command in commands.items()
                     if not any("--json" in p.opts for p in command.params) and name not in WITHOUT_JSON)
    assert lacking == []


def test_version_and_completion(runner):
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.startswith("openbook ") and len(version.stdout.split()) == 2
    options = {opt for p in typer.main.get_command(app).params for opt in p.opts}
    assert {"--install-completion", "--show-completion"} <= options


def test_the_new_json_twins_answer_in_json(runner, tmp_path):
    book = str(tmp_path / "b.duckdb")
    init = json.loads(runner.invoke(app, ["init", "--book", book, "--json"]).stdout)
    assert init["book"] == book and init["bodies"] > 400
    created = json.loads(runner.invoke(app, ["token", "create", "--org", "Trafford Council", "--book", book,
                                             "--json"]).stdout)
    assert created["org_id"] == "GB-LAE-TRF" and created["token"].startswith(f"obk_{created['token_id']}_")
    revoked = json.loads(runner.invoke(app, ["token", "revoke", created["token_id"], "--book", book, "--json"]).stdout)
    assert revoked == {"token_id": created["token_id"], "revoked": True}
    followed = json.loads(runner.invoke(app, ["subscribe", "ann@example.org", "--org", "GB-LAE-TRF", "--book", book,
                                              "--json"]).stdout)
    assert (followed["email"], followed["org_id"]) == ("ann@example.org", "GB-LAE-TRF")
    removed = json.loads(runner.invoke(app, ["unsubscribe", "ann@example.org", "--book", book, "--json"]).stdout)
    assert removed == {"email": "ann@example.org", "removed": 1}
    template = json.loads(runner.invoke(app, ["template", "system", "--out", str(tmp_path / "s.csv"), "--json"]).stdout)
    assert template["files"][0] == str(tmp_path / "s.csv") and set(template["required"]) <= set(template["columns"])
    exported = json.loads(runner.invoke(app, ["export", "--book", book, "--csv", str(tmp_path / "csv"),
                                              "--json"]).stdout)
    assert exported[0]["format"] == "csv" and len(exported[0]["files"]) >= 10
