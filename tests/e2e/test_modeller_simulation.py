"""Issue 28: the modeller's token simulation plays a model with an event subprocess, a link pair and a
compensation throw: its controls speak Danish, the start event's trigger starts a token, and the token goes
through the link (throw -> catch), the compensation handler and on to the end event (the simulation log)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Visit
from tests.helpers.coverage_samples import SIMULATION
from tests.helpers.diagrams import axe, needs_rotation, serve, signed_in
from tests.helpers.layout import with_diagram

pytestmark = needs_rotation


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    for base, engine in serve(tmp_path_factory.mktemp("modeller-simulation")):
        engine.deploy_files({"sim_coverage.bpmn": with_diagram(SIMULATION)}, "system")
        yield base, engine


def _log(page: Any) -> str:
    return page.locator(".bts-log").inner_text()


def test_the_simulation_plays_events_links_and_compensation_in_danish(browser: Any,
                                                                      server: tuple[str, Any]) -> None:
    base, _engine = server
    visit = Visit()
    context, page, errors = signed_in(browser, base, "paula", "da")
    page.goto("/modeller/sim_coverage/edit")
    page.wait_for_selector("#modeller[data-ready='true']")
    assert page.evaluate("() => turnusModeler.get('elementRegistry').get('note_start') !== undefined")
    page.locator("#simulate").click()
    page.wait_for_selector("#simulate[aria-pressed='true']")
    page.evaluate("() => turnusModeler.get('animation').setAnimationSpeed(10)")
    # The process's start event and the event subprocess's message start each offer "trigger".
    for element in ("s", "note_start"):
        pad = page.locator(f".djs-overlays[data-container-id='{element}'] .bts-context-pad")
        pad.first.wait_for(state="attached")
        assert pad.first.get_attribute("title") == "Udløs eventet"
    titles = page.eval_on_selector_all("[class*='bts-'][title]", "els => els.map(e => e.title)")
    assert "Nulstil simuleringen" in titles and "Tilføj pausepunkt" in titles, titles
    assert not [t for t in titles if "Simulation" in t or "pause point" in t], titles
    assert "Elementer, som simuleringen ikke understøtter" not in page.content()  # every element is supported
    page.locator(".djs-overlays[data-container-id='s'] .bts-context-pad").first.click()
    page.locator(".bts-toggle-log, [title='Vis/skjul simuleringsloggen']").first.click()
    page.wait_for_function("() => (document.querySelector('.bts-log')?.innerText || '').includes('Slut')",
                           timeout=30_000)
    log = _log(page)
    assert "Processen startede" in log
    for step in ("Forbered", "Book", "jump", "land", "pay", "Fortryd book", "Fortryd pay", "undo", "Slut"):
        assert step in log, (step, log)
    assert log.index("Fortryd pay") < log.index("Fortryd book")  # reverse order of completion
    assert log.index("jump") < log.index("land") < log.index("pay")  # the link went on at its catch
    axe(page, visit, exclude=("#canvas",))
    context.close()
    assert not visit.violations, visit.violations
    assert not errors, errors
