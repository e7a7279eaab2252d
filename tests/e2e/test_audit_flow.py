"""An auditor, in Danish, in a real Chromium: search → case → diagram → verify → export → statistics' heat view;
axe-core checks every page, and the diagrams must load under the app's strict CSP."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from engine.demo import DEMO_PASSWORD
from tests.e2e.conftest import ROOT, check_page

pytestmark = pytest.mark.skipif(not (ROOT / "processes" / "netvaerksturnus.bpmn").exists(),
                                reason="the rotation process is not in processes/ yet")

PROPOSAL = {"theme_title": "Revisionens testtema", "problem_description": "Et problem.",
            "local_relevance": "Relevant.", "expected_product": "En rapport", "network_type": "laering",
            "scope": "medium", "urgency": "normal", "manager": "lars"}


@pytest.fixture
def audited_case(live_server: str) -> str:
    """A case started and qualified through the engine the live server uses (found again by its title)."""
    from tests.e2e import conftest

    engine = conftest.LIVE_ENGINE[0]
    case_id = engine.start("netvaerksturnus", "emma", PROPOSAL)
    task = engine.case(case_id, None).open_tasks[0]
    engine.claim(task.id, "sara")
    engine.complete(task.id, "sara", {"qualification_comment": "Relevant.",
                                      "qualification_recommendation": "approve"})
    return case_id


def test_auditor_searches_reads_diagram_verifies_and_exports(person: Any, audited_case: str) -> None:
    page, visit = person()
    page.goto("/login")
    page.get_by_label("Brugernavn").fill("revisor")
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/tasks"))

    page.get_by_role("link", name="Revision").click()
    page.wait_for_selector("h1:has-text('Revision: find sager')")
    check_page(page, visit)
    page.get_by_label("Titlen indeholder").fill("Revisionens")
    page.get_by_label("Formål (skrives i adgangsloggen)").fill("Intern revision 2027")
    page.get_by_role("button", name="Søg").click()
    assert page.get_by_text("1 sag fundet").is_visible()
    check_page(page, visit)

    page.get_by_role("link", name="Revisionens testtema").click()
    page.wait_for_selector("#audit-diagram[data-loaded='true'], #audit-diagram[data-error]")
    assert page.get_attribute("#audit-diagram", "data-error") is None
    assert page.locator("#audit-diagram .run-done").count() >= 1, "completed steps are marked"
    assert page.locator("#audit-diagram .run-active").count() >= 1, "the waiting step is marked"
    assert page.locator("#audit-diagram .run-count").count() >= 1
    table = page.get_by_role("table", name="Sagens trin")
    assert table.get_by_text("Kvalificér temaforslag").count() >= 1
    assert page.get_by_text(re.compile("udførte trinnet “Kvalificér temaforslag”")).count() >= 1
    check_page(page, visit)

    page.get_by_role("button", name="Verificér").click()
    page.wait_for_selector("#verdict")
    assert page.get_by_text("Intakt").is_visible()
    check_page(page, visit)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^JSON \(komplet, kan verificeres")).click()
    doc = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert doc["case"]["id"] == audited_case and doc["events"]

    page.goto("/audit/")
    # the rotation's, not the first listed: other browser tests of the same server deploy processes of their own
    page.get_by_role("link", name=re.compile("^Statistik for .*etværksturnus")).first.click()
    page.wait_for_selector("#audit-diagram[data-loaded='true'], #audit-diagram[data-error]")
    assert page.get_attribute("#audit-diagram", "data-error") is None
    assert page.locator("#audit-diagram [class*='heat-']").count() >= 1, "steps are coloured by their class"
    assert page.locator("#heat-legend li").count() >= 2
    assert page.get_by_role("table", name=re.compile("Pr. trin|Per step")).get_by_text(
        "Kvalificér temaforslag").count() >= 1
    check_page(page, visit)
    page.get_by_label("mediantid brugt").check()
    page.get_by_role("button", name="Vis").click()
    page.wait_for_selector("#audit-diagram[data-loaded='true'], #audit-diagram[data-error]")
    check_page(page, visit)

    page.goto("/audit/access-log?actor=revisor")
    assert page.get_by_text("Intern revision 2027").count() >= 1
    check_page(page, visit)

    csp = [m for m in visit.console if "Content Security Policy" in m or "Refused" in m]
    assert not csp, csp
    assert not visit.violations, "\n".join(visit.violations)
