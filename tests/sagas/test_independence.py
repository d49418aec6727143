"""The engine stands alone: it imports Django, the standard library and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import sagas

ENGINE = Path(sagas.__file__).parent


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_engine_imports_nothing_of_this_project():
    allowed = {"sagas", "django", *sys.stdlib_module_names}
    foreign = {
        str(path.relative_to(ENGINE)): sorted(imported_roots(path) - allowed)
        for path in ENGINE.rglob("*.py")
    }
    assert {path: names for path, names in foreign.items() if names} == {}


def test_the_package_offers_the_names_of_its_public_module():
    from sagas import api

    assert sorted(sagas.__all__) == sorted(api.__all__)
    assert sagas.Saga is api.Saga and sagas.saga_start is api.saga_start
