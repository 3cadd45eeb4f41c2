"""`openbook token create|list|revoke`: who may publish to the book for which body."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard
from openbook.errors import UsageError

token_app = typer.Typer(help="API tokens for publishing: one body each, stored hashed.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def create(
    org: Annotated[str, typer.Option("--org", help="The body the token publishes for (id or name).")],
    label: Annotated[Optional[str], typer.Option("--label", help="Who or what holds the token.")] = None,
    book: BookOption = DEFAULT_BOOK,
    as_json: JsonOption = False,
) -> None:
    """Create a token for one body; it is printed once and only its hash is kept."""
    from openbook.store import Book
    from openbook.store.tokens import create_token

    with guard(), Book(book) as opened:
        secret = create_token(opened, org, label)
        if as_json:
            render.print_json({"org_id": opened.resolve_org(org), "token_id": secret.split("_")[1], "label": label,
                               "token": secret})
            return
        render.console.print(f"Token for {opened.resolve_org(org)} (shown once; keep it secret):")
        render.console.print(secret, highlight=False, soft_wrap=True)


@token_app.command("list")
def list_(book: BookOption = DEFAULT_BOOK, as_json: JsonOption = False) -> None:
    """Tokens by id, body and label, with when each was created or revoked (never the secret)."""
    from openbook.store import Book
    from openbook.store.tokens import list_tokens

    with guard(), Book(book) as opened:
        rows = list_tokens(opened)
    if as_json:
        render.print_json(rows)
    else:
        render.simple_table("API tokens", rows, ["token_id", "org_id", "label", "created_at", "revoked_at"])


@token_app.command("revoke")
def revoke(token_id: Annotated[str, typer.Argument(help="The token's id (the part after obk_).")],
           book: BookOption = DEFAULT_BOOK, as_json: JsonOption = False) -> None:
    """Revoke a token at once; publishing with it is refused from then on."""
    from openbook.store import Book
    from openbook.store.tokens import revoke_token

    with guard(), Book(book) as opened:
        if not revoke_token(opened, token_id):
            raise UsageError(f"no active token {token_id!r}")
        if as_json:
            render.print_json({"token_id": token_id, "revoked": True})
            return
        render.console.print(f"Revoked {token_id}.")
