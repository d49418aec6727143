"""The docs cannot drift: what a page names exists, what it quotes is still there.

Every page of ``docs/`` and the README: each file it links or names exists
(and each heading a link points at), each symbol it names is still defined
(in the file it says, when it says one), each excerpt it quotes is still in
its file, character for character, and each ``saga_demo`` scenario it tells
the reader to run runs and passes.
"""

from __future__ import annotations

import re

import pytest

from scenarios.registry import SCENARIOS
from tests.conftest import on_postgresql
from tests.docs.pages import (
    BASE_DIR,
    IDENTIFIER,
    IN_FILE,
    PAGES,
    all_definitions,
    anchors,
    code_spans,
    definitions,
    excerpts,
    is_path,
    local_links,
    module_member,
    packages,
    page_read,
    path_exists,
    scenarios_named,
    source_text,
)
from tests.scenarios.runs import saga_demo

IDS = [path.relative_to(BASE_DIR).as_posix() for path in PAGES]


@pytest.fixture(params=PAGES, ids=IDS)
def page(request):
    return page_read(request.param)


def test_every_link_of_a_page_leads_to_a_file_and_heading_that_exist(page):
    broken = []
    for target, anchor in local_links(page):
        path = (page.path.parent / target).resolve() if target else page.path
        if not path.exists():
            broken.append(target)
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target}#{anchor}")
    assert broken == []


def test_every_path_a_page_names_exists(page):
    missing = []
    for span in code_spans(page):
        path, _, test = span.partition("::")
        if not is_path(path) or "*" in path:
            continue
        test_name = test.split("[")[0].split("::")[-1]
        if not path_exists(path) or (
            test and test_name not in definitions(BASE_DIR / path)
        ):
            missing.append(span)
    assert missing == []


def test_every_symbol_a_page_names_is_still_defined(page):
    unknown = []
    for span in code_spans(page):
        if is_path(span.partition("::")[0]) or not IDENTIFIER.match(span):
            continue
        name = span.removesuffix("()")
        if not _defined(name, called=span.endswith("()")):
            unknown.append(span)
    assert unknown == []


def test_every_symbol_said_to_be_in_a_file_is_defined_there(page):
    misplaced = []
    for name, target in IN_FILE.findall(page.prose):
        path = (page.path.parent / target).resolve()
        if path.suffix != ".py" or not path.exists():
            continue  # a directory, or a broken link (reported above)
        if name not in definitions(path) and name.split(".")[-1] not in definitions(
            path
        ):
            misplaced.append(f"{name} in {target}")
    assert misplaced == []


def test_every_excerpt_is_still_in_its_file_exactly(page):
    stale = []
    for target, block in excerpts(page):
        path = (page.path.parent / target).resolve()
        if not path.is_file() or block.text not in path.read_text():
            first = block.text.strip().splitlines()[0] if block.text.strip() else ""
            stale.append(f"{target}: {first}")
    assert stale == []


NAMED = sorted(set().union(*(scenarios_named(page_read(path)) for path in PAGES)))


@pytest.mark.parametrize("scenario", NAMED)
def test_every_scenario_a_page_names_runs_and_passes(scenario):
    assert scenario in {s.name for s in SCENARIOS}, f"no scenario {scenario!r}"
    if on_postgresql():
        pytest.skip("saga_demo runs on its own SQLite file either way")
    run = saga_demo(scenario)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def _defined(name: str, *, called: bool) -> bool:
    """Return whether ``name`` is defined in the project, or at least appears in it.

    A module path of the project (``sagas.signals``) and a member of one of its
    classes (``Saga.idempotency_key``) must be defined; any other name (an
    error code, a setting, a fault point, Django's own API) must appear in the
    source, as a name or as a string.
    """
    head = name.partition(".")[0]
    if "." in name and head in packages() and module_member(name):
        return True
    if "." in name and head[:1].isupper() and head in all_definitions():
        return name in all_definitions() or ".".join(name.split(".")[-2:]) in (
            all_definitions()
        )
    if not called and not re.search(r"[_A-Z]|\.", name):
        return True  # an ordinary word in code voice ("created", "pay")
    pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
    return re.search(pattern, source_text()) is not None
