"""The teaching chapters of ``docs/``, rendered as pages of the storefront.

The failure lab links each of its panels to the chapter that explains it; the
chapters are the Markdown files themselves, so the pages never differ from
what the repository holds. Links to other chapters stay links; links to source
files become plain text (the site does not serve its code); Mermaid diagrams
are drawn by the same script as the order pages.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from markdown_it import MarkdownIt

CHAPTER_FILE = re.compile(r"^(?P<name>[\w-]+)\.md$")


def chapter_names() -> list[str]:
    """Return the names of the chapters (``01-partial-failure`` ...), in order."""
    return sorted(path.stem for path in _directory().glob("*.md"))


def chapter_html(name: str) -> str:
    """Return chapter ``name`` as HTML; raise KeyError if there is none."""
    if name not in chapter_names():
        raise KeyError(name)
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    parser.add_render_rule("fence", _fence)
    tokens = parser.parse((_directory() / f"{name}.md").read_text())
    _anchor_headings(tokens)
    _rewrite_links(tokens)
    return parser.renderer.render(tokens, parser.options, {})


def _directory() -> Path:
    return Path(settings.BASE_DIR) / "docs"


def _fence(renderer, tokens, index, options, env) -> str:
    token = tokens[index]
    if token.info.strip() == "mermaid":
        return f'<pre class="mermaid">{escape(token.content)}</pre>\n'
    return renderer.fence(tokens, index, options, env)


def _anchor_headings(tokens) -> None:
    """Give each heading the id GitHub gives it, so ``README.md#try-it`` works."""
    for heading, inline in itertools.pairwise(tokens):
        if heading.type == "heading_open":
            slug = re.sub(r"[^\w\- ]", "", inline.content.strip().lower())
            heading.attrSet("id", slug.replace(" ", "-"))


def _rewrite_links(tokens) -> None:
    """Point chapter links at their pages; turn links to source files into text."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        kept, dropping = [], 0
        for child in token.children:
            if child.type == "link_open":
                target = _chapter_url(str(child.attrGet("href") or ""))
                if target is None:
                    dropping += 1
                    continue
                child.attrSet("href", target)
            elif child.type == "link_close" and dropping:
                dropping -= 1
                continue
            kept.append(child)
        token.children = kept


def _chapter_url(href: str) -> str | None:
    """Return where ``href`` leads on this site; None for a file it does not serve."""
    if re.match(r"^[a-z]+:", href) or href.startswith("#"):
        return href
    path, _, anchor = href.partition("#")
    match = CHAPTER_FILE.match(path)
    if match is None:
        return None
    url = reverse("storefront:chapter", args=[match["name"]])
    return f"{url}#{anchor}" if anchor else url
