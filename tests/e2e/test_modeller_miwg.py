"""The 21 MIWG reference diagrams from other tools, uploaded into the browser modeller as a process owner
would: each opens, saves again with every element id it had, and Validate answers with success or
element-level findings (never a server error, never a hang)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.conftest import miwg_files
from tests.e2e.conftest import AXE, Visit
from tests.helpers.modeller import axe, sign_in

FILES = miwg_files()
pytestmark = pytest.mark.skipif(not FILES, reason="MIWG corpus not present")

DATA = Path(__file__).parent / "data"
# What bpmn-js never draws, so the page lists it (and modeller-compat.js saves it unchanged): DI of a
# process that no pool shows (B.1.0, B.2.0) and an edge that names no flow (C.7.0), as counts of entries.
UNSHOWN = {"B.1.0.bpmn": 5, "B.2.0.bpmn": 14, "C.7.0.bpmn": 1}
# Signavio binds the prefix camunda: to Activiti's namespace; the page says it saves it as activiti:.
RENAMED = {"C.1.0.bpmn": "activiti: http://activiti.org/bpmn", "C.1.1.bpmn": "activiti: http://activiti.org/bpmn"}


def ids_of(xml: bytes) -> set[str]:
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    return {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}


def open_file(page: Any, path: Path) -> bool:
    page.evaluate("() => localStorage.clear()")
    page.goto("/modeller/new")  # a fresh modeller per file, so one file cannot spoil the next
    page.wait_for_selector("#modeller[data-ready='true']")
    page.set_input_files("#upload", str(path))
    page.wait_for_selector(f"#file-list button[data-file='{path.name}'][aria-current]")
    page.wait_for_selector("#modeller[data-ready='true'], #modeller[data-ready='error']")
    return page.get_attribute("#modeller", "data-ready") == "true"


def saved_xml(page: Any) -> str:
    return page.evaluate("() => turnusModeler.saveXML({format: true}).then(r => r.xml, e => 'ERROR ' + e)")


def notes(page: Any, kind: str) -> list[str]:
    return page.locator(f"#import-notes .notes--{kind} li").all_text_contents()


def test_every_miwg_file_opens_saves_with_all_ids_and_validates(browser: Any, modeller_server: Any) -> None:
    base, _engine = modeller_server
    context = browser.new_context(locale="da-DK", base_url=base, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, "paula")
    problems: list[str] = []
    for path in FILES:
        if not open_file(page, path):
            problems.append(f"{path.name}: did not open: {page.locator('#status').text_content()}")
            continue
        unshown, renamed = notes(page, "unshown"), notes(page, "renamed")
        if len(unshown) != UNSHOWN.get(path.name, 0):
            problems.append(f"{path.name}: lists {len(unshown)} elements as not shown: {unshown[:3]}")
        if renamed != ([RENAMED[path.name]] if path.name in RENAMED else []):
            problems.append(f"{path.name}: prefix notes {renamed}")
        saved = saved_xml(page)
        if saved.startswith("ERROR"):
            problems.append(f"{path.name}: could not be saved: {saved[:200]}")
            continue
        lost = ids_of(path.read_bytes()) - ids_of(saved.encode())
        if lost:
            problems.append(f"{path.name}: lost ids {sorted(lost)[:5]}")
        page.get_by_role("button", name="Valider").click()
        page.wait_for_selector("#modeller[data-validated]")
        if page.get_attribute("#modeller", "data-validated") == "errors":
            errors = page.locator("#errors li")
            if errors.count() == 0:
                problems.append(f"{path.name}: refused without a finding")
            elif not page.locator("#errors li[data-element-id]:not([data-element-id=''])").count() and not re.search(
                    r"\S", errors.first.text_content() or ""):
                problems.append(f"{path.name}: findings name nothing")
    context.close()
    assert len(FILES) == 21
    assert not problems, problems


def test_what_bpmn_js_never_draws_is_listed_and_kept(browser: Any, modeller_server: Any) -> None:
    """The smallest case of MIWG B.1.0/C.7.0: bpmn-js alone drops the DI it never drew; the page keeps it.

    When the first assertion starts failing, bpmn-js keeps such DI itself and KeepUnshownDi can go."""
    base, _engine = modeller_server
    path = DATA / "unshown-di.bpmn"
    context = browser.new_context(locale="da-DK", base_url=base)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    sign_in(page, "paula")
    assert open_file(page, path)
    visit = Visit()
    axe(page, visit)  # the notes above the canvas too
    assert not visit.violations, visit.violations
    bare = page.evaluate("""async (xml) => {
        const div = document.createElement('div'); document.body.appendChild(div);
        const m = new BpmnModeler({container: div, alignToOrigin: {alignOnSave: false}});
        await m.importXML(xml); const out = (await m.saveXML()).xml; m.destroy(); div.remove(); return out; }""",
                         path.read_text())
    assert ids_of(path.read_bytes()) - ids_of(bare.encode()) == {"poolless_start_di", "flowless_edge"}
    assert ids_of(path.read_bytes()) <= ids_of(saved_xml(page).encode())
    unshown = notes(page, "unshown")
    assert unshown == ["Outside every pool (poolless_start, poolless_start_di)", "(flowless_edge)"], unshown
    assert page.locator("#import-notes").is_visible()
    assert "gemmes uændret" in page.locator("#import-notes").inner_text()
    context.close()
