"""Deploying from the modeller: an unchanged diagram makes no version, and the heading names the process and
the version that is now the newest. On the shipped rotation, in Danish and in English, axe-clean."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Visit
from tests.helpers.diagrams import axe, needs_rotation, serve, signed_in, words

pytestmark = needs_rotation


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    yield from serve(tmp_path_factory.mktemp("deploy"))


def deploy(page: Any) -> str:
    page.evaluate("() => { delete document.getElementById('modeller').dataset.deployed; }")
    page.locator("#deploy").click()
    page.wait_for_selector("#modeller[data-deployed='ok']")
    return page.locator("#status").inner_text()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_deploying_the_unchanged_rotation_keeps_the_version_and_a_change_names_the_new_one(
        browser: Any, server: tuple[str, Any], lang: str) -> None:
    base, engine = server
    t = words(lang)
    visit = Visit()
    context, page, errors = signed_in(browser, base, "paula", lang)
    before = max(v.version for v in engine.versions_of("netvaerksturnus"))
    page.goto("/modeller/netvaerksturnus/edit")
    page.wait_for_selector("#modeller[data-ready='true']")
    heading = page.locator("h1")
    assert heading.inner_text() == f"Netværksturnus, version {before}"
    axe(page, visit, exclude=("#canvas",))

    # bpmn-js writes the file back in its own way; the meaning is the same, so no version is made.
    assert deploy(page) == t(f"Ingen ændringer — version {before} er stadig den nyeste.",
                             f"No changes — version {before} is still the latest.")
    assert max(v.version for v in engine.versions_of("netvaerksturnus")) == before
    assert heading.inner_text() == f"Netværksturnus, version {before}"

    # A changed label is a change of meaning: a new version, and the heading says so at once.
    page.evaluate("() => { const m = turnusModeler; const el = m.get('elementRegistry').get('qualify_theme');"
                  " m.get('modeling').updateLabel(el, 'Kvalificér temaforslaget " + lang + "'); }")
    assert f"version {before + 1}" in deploy(page)
    assert max(v.version for v in engine.versions_of("netvaerksturnus")) == before + 1
    assert heading.inner_text() == f"Netværksturnus, version {before + 1}"
    assert f"Netværksturnus, version {before + 1}" in page.title()
    axe(page, visit, exclude=("#canvas",))
    context.close()
    assert not visit.violations, visit.violations
    assert not errors, errors
