"""A sweep for words in the wrong language: the modeller, the auditor's case page, the statistics page and the
migration page on the shipped rotation. In Danish no English UI word remains in the visible text, the
aria-labels or the titles; in English the same controls are English. axe-clean in both. And a refusal with
three errors (Camunda's invoice example cut down) shows one sentence per error, the library's words in a
details element."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, Visit
from tests.helpers.diagrams import axe, needs_rotation, serve, signed_in

pytestmark = needs_rotation

PROPOSAL = {"theme_title": "Ordtest", "problem_description": "Erfaringerne er ikke skrevet ned.",
            "local_relevance": "Nye ledere starter forfra.", "expected_product": "En håndbog",
            "network_type": "laering", "scope": "medium", "urgency": "normal", "manager": "lars"}
INVOICE = ROOT / "tests" / "fixtures" / "refusals" / "invoice_three_errors.bpmn"

# The page's words: visible text, aria-labels, titles, placeholders and alt texts. bpmn.io's "Powered by"
# watermark stays as its licence requires; the diagram's own labels and a case's data are the process's words.
WORDS = """() => {
  const skip = (e) => e.closest('.bjs-powered-by, .djs-container svg, .timeline__details, #stats-table tbody');
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || skip(el) || el.closest('script, style, [hidden]')) { continue; }
    if (n.nodeValue.trim()) { out.push(n.nodeValue.trim()); }
  }
  document.querySelectorAll('[aria-label], [title], [placeholder], [alt]').forEach((e) => {
    if (skip(e)) { return; }
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (e.getAttribute(a)) { out.push(e.getAttribute(a)); }
    }
  });
  return out;
}"""
# English that must not be on a Danish page: what the sweep found (token simulation, the properties
# panel, the zoom controls) and the words of the pages' own controls ("Version" is Danish too).
ENGLISH = ["Zoom in", "Zoom out", "Whole diagram", "Fit", "Token Simulation", "Reset", "Export",
           "Validate", "Deploy", "Download", "Properties", "General", "Search", "Close", "Set animation speed",
           "Slow", "Fast", "Toggle", "Section", "Open pop-up", "Create new", "list item", "Move left",
           "Move right", "Statistics", "Heat view", "Timeline", "Verify", "Intact", "running", "finished",
           "Migrate", "Dry run", "Changed since", "Steps", "Cases", "the", "and", "is", "of", "with", "this"]
# Danish that must not be on an English page: the same controls.
DANISH = ["Zoom ind", "Zoom ud", "Hele diagrammet", "Flyt til venstre", "Tokensimulering", "Nulstil simuleringen",
          "Valider", "Udrul", "Egenskaber", "Generelt", "Søg i diagrammet", "Hovedmenu", "Eksport", "Tidslinje",
          "Varmekort", "Statistik", "Prøvekørsel", "igangværende", "afsluttede", "Ændret siden", "Afsnittet",
          "Animationens hastighed", "og", "er", "ikke", "på", "med"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    yield from serve(tmp_path_factory.mktemp("words-sweep"))


def _found(words: list[str], texts: list[str]) -> list[str]:
    hits = []
    for w in words:
        pattern = re.compile(rf"(?<![\wæøåÆØÅ]){re.escape(w)}(?![\wæøåÆØÅ])")
        hits += [f"{w!r} in {t[:80]!r}" for t in texts if pattern.search(t)]
    return hits


def _pages(browser: Any, base: str, case_id: str, lang: str, visit: Visit) -> dict[str, list[str]]:
    """Each page's words, after its diagram has loaded (and, in the modeller, the panels have opened)."""
    texts: dict[str, list[str]] = {}
    context, page, errors = signed_in(browser, base, "paula", lang)
    page.goto("/modeller/netvaerksturnus/edit")
    page.wait_for_selector("#modeller[data-ready='true']")
    page.locator("#simulate").click()  # the token simulation's controls are there only when it is on
    page.wait_for_selector("#simulate[aria-pressed='true']")
    texts["modeller"] = page.evaluate(WORDS)
    axe(page, visit, exclude=("#canvas",))
    page.goto("/modeller/netvaerksturnus/migrate")
    page.wait_for_selector("#audit-diagram[data-loaded='true']")
    texts["migration"] = page.evaluate(WORDS)
    axe(page, visit)
    context.close()
    assert not errors, errors
    context, page, errors = signed_in(browser, base, "revisor", lang)
    page.goto(f"/audit/cases/{case_id}?verify=1")
    page.wait_for_selector("#audit-diagram[data-loaded='true']")
    texts["case"] = page.evaluate(WORDS)
    axe(page, visit)
    page.goto("/audit/statistics/netvaerksturnus")
    page.wait_for_selector("#audit-diagram[data-loaded='true']")
    texts["statistics"] = page.evaluate(WORDS)
    axe(page, visit)
    context.close()
    assert not errors, errors
    return texts


@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_words_in_the_other_language_on_the_diagram_pages(browser: Any, server: tuple[str, Any],
                                                              lang: str) -> None:
    base, engine = server
    case_id = engine.start("netvaerksturnus", "emma", PROPOSAL)
    visit = Visit()
    texts = _pages(browser, base, case_id, lang, visit)
    assert set(texts) == {"modeller", "migration", "case", "statistics"}
    for name, found in texts.items():
        assert found, name
        wrong = _found(ENGLISH if lang == "da" else DANISH, found)
        assert not wrong, (name, wrong)
    # and the pages do speak the chosen language
    everything = [t for found in texts.values() for t in found]
    expected = ["Zoom ind", "Hele diagrammet", "Tokensimulering", "Udrul"] if lang == "da" else \
        ["Zoom in", "Whole diagram", "Token Simulation", "Deploy"]
    assert not [w for w in expected if not _found([w], everything)], expected
    assert not visit.violations, visit.violations


@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_refusal_with_three_errors_is_a_list_of_sentences_with_the_library_s_words_apart(
        browser: Any, server: tuple[str, Any], lang: str) -> None:
    base, _engine = server
    visit = Visit()
    context, page, errors = signed_in(browser, base, "paula", lang)
    page.goto("/modeller/new")
    page.wait_for_selector("#modeller[data-ready='true']")
    page.set_input_files("#upload", str(INVOICE))
    page.wait_for_function("() => turnusModeler.get('elementRegistry').get('archive')")
    page.locator("#deploy").click()
    page.wait_for_selector("#modeller[data-deployed='refused']")
    items = page.locator("#errors > li")
    assert items.count() == 3
    sentences = [items.nth(i).locator("button, :scope").first.inner_text().split("\n")[0] for i in range(3)]
    for s in sentences:
        assert s.endswith("."), sentences
    if lang == "da":
        assert not _found(ENGLISH, sentences), sentences
    detail = page.locator("#errors details")
    assert detail.count() == 1  # the condition's compiler message, kept apart
    summary = detail.locator("summary")
    assert summary.inner_text() == ("Den oprindelige besked (på engelsk)" if lang == "da"
                                    else "The original message (in English)")
    summary.click()
    assert "SyntaxError" in detail.locator("pre").inner_text()
    axe(page, visit, exclude=("#canvas",))
    context.close()
    assert not visit.violations, visit.violations
    assert not [e for e in errors if "status of 422" not in e], errors  # the refusal itself is a 422


def test_a_file_that_will_not_open_is_said_in_danish_with_bpmn_io_s_words_apart(
        browser: Any, server: tuple[str, Any], tmp_path: Any) -> None:
    base, _engine = server
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<definitions", encoding="utf-8")
    context, page, _errors = signed_in(browser, base, "paula", "da")
    page.goto("/modeller/new")
    page.wait_for_selector("#modeller[data-ready='true']")
    page.set_input_files("#upload", str(broken))
    page.wait_for_selector("#modeller[data-ready='error']")
    assert page.locator("#status").inner_text() == ("Filen kunne ikke åbnes: modelleringsværktøjet kan ikke læse "
                                                    "den som et diagram.")
    notes = page.locator("#import-notes details")
    notes.locator("summary").click()
    assert notes.locator("pre").inner_text().strip()  # bpmn.io's own (English) message
    context.close()
