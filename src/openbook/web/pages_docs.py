"""The methodology as pages: how findings and savings are worked out, readable beside the figures.

The Markdown ships inside the package (web/content/, copies of docs/methodology.md,
docs/savings.md, docs/measures.md, docs/alerts.md and docs/systems-inference.md that tests/web/test_content.py keeps equal to the originals), so an installed
openbook serves them with no checkout beside it; the taxonomy page is rendered from the code lists
themselves, as docs/taxonomy.md is. markdown-it-py (CommonMark, already pinned with Rich) renders
them with raw HTML off, so nothing in a document can inject markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt
from starlette.exceptions import HTTPException

from openbook.web.pages import render
from openbook.web.page_parts import page_router

router = page_router()
CONTENT = Path(__file__).parent / "content"
# slug → the Markdown file it renders ("" is /methodology itself); taxonomy comes from the code lists.
DOCUMENTS = {"": "methodology.md", "savings": "savings.md", "measures": "measures.md", "alerts": "alerts.md",
             "systems-inference": "systems-inference.md", "taxonomy": "taxonomy.md", "conformance": "conformance.md"}


@dataclass(frozen=True)
class Document:
    slug: str
    title: str
    html: str
    contents: tuple[tuple[str, str], ...]  # (anchor, heading) of each section


def _markdown(name: str) -> str:
    if name == "taxonomy.md":
        from openbook.standard.taxonomy import taxonomy_markdown

        return taxonomy_markdown()
    return (CONTENT / name).read_text(encoding="utf-8")


def anchor(text: str) -> str:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", text.lower()).strip().replace(" ", "-")


@lru_cache(maxsize=None)
def document(slug: str) -> Document:
    """A document rendered once per process: headings get anchors, links between documents become page links."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(_markdown(DOCUMENTS[slug]))
    pages = {name: f"/methodology/{s}".rstrip("/") for s, name in DOCUMENTS.items()}
    title, contents = "", []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            text = tokens[i + 1].content.replace("`", "")
            token.attrSet("id", anchor(text))
            if token.tag == "h1" and not title:
                title = text
            elif token.tag == "h2":
                contents.append((anchor(text), text))
        for child in token.children or ():
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                target, _, fragment = href.partition("#")
                if target in pages:
                    child.attrSet("href", pages[target] + (f"#{fragment}" if fragment else ""))
                elif target.endswith(".md"):
                    # A document not shipped with the package: keep the words, drop the dead link.
                    child.tag, child.attrs = "span", {}
                    _closing(token.children, child).tag = "span"
    first = next((i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h1"), None)
    if first is not None:
        del tokens[first:first + 3]  # the page's own <h1> carries the title
    html = md.renderer.render(tokens, md.options, {})
    return Document(slug, title, html, tuple(contents))


def _closing(children, opening):
    depth = 0
    for child in children[children.index(opening):]:
        depth += child.nesting if child.type.startswith("link_") else 0
        if child.type == "link_close" and depth == 0:
            return child
    raise ValueError("a link without its end")


@router.get("/methodology", response_class=HTMLResponse)
@router.get("/methodology/{slug}", response_class=HTMLResponse)
def methodology(request: Request, slug: str = ""):
    if slug not in DOCUMENTS:
        raise HTTPException(404, f"There is no methodology page {slug!r}; the pages are: "
                                 + ", ".join(f"/methodology/{s}".rstrip("/") for s in DOCUMENTS) + ".")
    shown = document(slug)
    others = [(f"/methodology/{s}".rstrip("/"), document(s).title) for s in DOCUMENTS]
    return render(request, "methodology.html", title=shown.title, doc=shown, others=others,
                  here=f"/methodology/{slug}".rstrip("/"))
