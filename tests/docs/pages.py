"""Read the teaching pages as the drift test needs: links, names, excerpts, commands.

A page names a file with a relative Markdown link or a path in backticks,
names a symbol in backticks (``order_transition()``, ``Saga.idempotency_key``,
``SAGA_LEASE_SECONDS``), quotes code in a fenced block right after a
paragraph that links its file and ends with a colon, and names scenarios as
``saga_demo <scenario>``.
"""

from __future__ import annotations

import ast
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PAGES = [*sorted((BASE_DIR / "docs").glob("*.md")), BASE_DIR / "README.md"]

FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`")
# "`name` in [file](link)": a symbol said to live in that file.
IN_FILE = re.compile(r"`([\w.]+)(?:\(\))?` in \[[^\]]*\]\(([^)#\s]+)\)")
SCENARIO = re.compile(r"saga_demo ([a-z][a-z-]+)")
PATH_LIKE = re.compile(r"^[\w.-]+(/[\w.*-]*)+/?$")
FILE_NAME = re.compile(r"^[\w-]+\.(py|md|toml|html|js|css)$")
IDENTIFIER = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*(\(\))?$")
# Languages whose blocks are commands or pictures, never excerpts of a file.
NOT_EXCERPTS = {"sh", "bash", "console", "mermaid", "json", "http"}
SOURCE_SUFFIXES = {".py", ".html", ".toml", ".js", ".css", ".txt", ".cfg", ".ini"}
SKIPPED_DIRS = {".venv", "docs", "node_modules", "staticfiles", ".git", "__pycache__"}


@dataclass(frozen=True)
class Block:
    """A fenced block and the paragraph just before it."""

    language: str
    text: str
    intro: str


@dataclass(frozen=True)
class Page:
    """One page, split into its prose and its fenced blocks."""

    path: Path
    prose: str
    blocks: tuple[Block, ...]

    @property
    def name(self) -> str:
        return self.path.relative_to(BASE_DIR).as_posix()


def page_read(path: Path) -> Page:
    """Return ``path`` split into prose and blocks."""
    text = path.read_text()
    blocks, prose, last = [], [], 0
    for match in FENCE.finditer(text):
        before = text[last : match.start()]
        prose.append(before)
        intro = before.rstrip("\n").split("\n\n")[-1]
        blocks.append(Block(match.group(1), match.group(2), intro))
        last = match.end()
    prose.append(text[last:])
    return Page(path, "\n".join(prose), tuple(blocks))


def local_links(page: Page) -> list[tuple[str, str]]:
    """Return ``(target, anchor)`` of every link to a file of the repository."""
    links = []
    for target in LINK.findall(page.prose):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        links.append((path, anchor))
    return links


def code_spans(page: Page) -> list[str]:
    """Return every inline code span of the page's prose."""
    return CODE.findall(page.prose)


def excerpts(page: Page) -> list[tuple[str, Block]]:
    """Return ``(file, block)`` for every block that quotes a file of the repository."""
    found = []
    for block in page.blocks:
        if block.language in NOT_EXCERPTS or not block.intro.rstrip().endswith(":"):
            continue
        files = [
            target
            for target, _ in _links_in(block.intro)
            if not target.endswith(".md") and not target.endswith("/")
        ]
        if files:
            found.append((files[-1], block))
    return found


def _links_in(text: str) -> list[tuple[str, str]]:
    links = []
    for target in LINK.findall(text):
        if not re.match(r"^[a-z]+:", target):
            path, _, anchor = target.partition("#")
            links.append((path, anchor))
    return links


def scenarios_named(page: Page) -> set[str]:
    """Return the ``saga_demo`` scenarios the page tells its reader to run."""
    text = page.path.read_text()
    return {name for name in SCENARIO.findall(text) if not name.startswith("-")}


def anchors(path: Path) -> set[str]:
    """Return the anchors GitHub gives the headings of the Markdown file ``path``."""
    slugs = set()
    for heading in re.findall(r"^#+ (.+)$", page_read(path).prose, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        slugs.add(slug)
    return slugs


# -- the code the pages are about ---------------------------------------------------


@functools.cache
def source_files() -> tuple[Path, ...]:
    """Return every source file of the project (not the pages themselves)."""
    files = []
    for directory, subdirectories, names in os.walk(BASE_DIR):
        # Pruned in place: os.walk then never descends into the virtualenv.
        subdirectories[:] = [d for d in subdirectories if d not in SKIPPED_DIRS]
        for name in names:
            path = Path(directory) / name
            if path.suffix in SOURCE_SUFFIXES or name in {"Makefile", "run", "run-dev"}:
                files.append(path)
    return tuple(sorted(files))


@functools.cache
def source_text() -> str:
    """Return the text of every source file, for names only found as strings."""
    return "\n".join(path.read_text(errors="replace") for path in source_files())


@functools.cache
def definitions(path: Path) -> frozenset[str]:
    """Return the names defined in the Python file ``path``, members included.

    Functions, classes, assignments, annotated fields, and ``self.x`` attributes;
    a member also counts as ``Class.member``.
    """
    names: set[str] = set()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        names.add(leaf.id)
                    elif isinstance(leaf, ast.Attribute):
                        names.add(leaf.attr)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for member in node.body:
                for name in _member_names(member):
                    names.add(f"{node.name}.{name}")
    return frozenset(names)


def _member_names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


@functools.cache
def all_definitions() -> frozenset[str]:
    """Return every name defined in the project's Python files."""
    names: set[str] = set()
    for path in source_files():
        if path.suffix == ".py":
            names |= definitions(path)
    return frozenset(names)


def is_path(span: str) -> bool:
    """Return whether a code span names a file or folder of the repository."""
    if FILE_NAME.match(span):
        return True
    if not PATH_LIKE.match(span):
        return False
    parts = span.rstrip("/").split("/")
    first, last = parts[0], parts[-1]
    return span.endswith("/") or "." in last or (BASE_DIR / first).is_dir()


def path_exists(span: str) -> bool:
    """Return whether the file or folder ``span`` names exists (a bare file name:
    anywhere in the project)."""
    if FILE_NAME.match(span):
        return any(path.name == span for path in source_files()) or any(
            path.name == span for path in BASE_DIR.glob("*")
        )
    return (BASE_DIR / span).exists()


@functools.cache
def packages() -> frozenset[str]:
    """Return the project's top-level Python packages."""
    return frozenset(
        path.parent.name for path in BASE_DIR.glob("*/__init__.py") if path.is_file()
    )


def module_member(dotted: str) -> bool:
    """Return whether ``a.b.c`` is a module of the project, or a name defined in one."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        base = BASE_DIR.joinpath(*parts[:cut])
        module = base.with_suffix(".py")
        if not module.is_file() and (base / "__init__.py").is_file():
            module = base / "__init__.py"
        if not module.is_file():
            continue
        rest = parts[cut:]
        return (
            not rest
            or ".".join(rest) in definitions(module)
            or (rest[-1] in definitions(module))
        )
    return False
