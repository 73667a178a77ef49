"""The examples of the analysts' API pages (docs/api/*.md) run as doctests on
the real shared data: a page whose example no longer matches what orbwatch
returns fails here."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parent.parent / "docs" / "api").glob("*.md"))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_every_capability_has_a_page():
    names = {p.stem for p in PAGES}
    assert {"catalog", "conjunctions", "maneuvers", "proximity", "forensics", "debris",
            "conduct"} <= names


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_examples(page, shared_data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = doctest.testfile(str(page), module_relative=False, globs={"DATA": shared_data},
                              optionflags=FLAGS, report=True, verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) of {page.name} failed (see above)"
    if page.stem != "README":
        assert result.attempted >= 3, f"{page.name} has too few runnable examples"
