"""An incident's whole life in a real Chromium, in Danish and English: a script divides by zero when a person
completes a task → the administrator sees the count in the menu, finds it in /admin, reads the error on the page
with the step marked on the diagram → corrects the data and retries → it is gone, and the case history says who
did what and why. A second incident is cancelled in English. axe-core checks every page; keyboard only."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.cases.incidents import IncidentRaised
from engine.demo import DEMO_PASSWORD
from tests.e2e.conftest import ROOT, Visit, check_page

DIVIDE = ROOT / "tests" / "e2e" / "data" / "divide.bpmn"


@pytest.fixture
def engine(live_server: str) -> Any:
    from tests.e2e import conftest

    eng = conftest.LIVE_ENGINE[0]
    eng.deploy_paths([DIVIDE], "system")
    return eng


def _sign_in(page: Any, visit: Visit, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Brugernavn").fill(name)
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_label("Adgangskode").press("Enter")
    page.wait_for_url(re.compile(r"/tasks"))
    check_page(page, visit)


def _press(page: Any, locator: Any) -> None:
    """Reach the control with the keyboard: focus it, then press Enter, as a keyboard user does after Tab."""
    locator.focus()
    page.keyboard.press("Enter")


def test_incident_raised_listed_corrected_retried_gone_and_audited(person: Any, engine: Any) -> None:
    case_id = engine.start("divide", "emma", {})
    [task] = [t for t in engine.tasks_for("emma") if t.case_id == case_id]

    # Emma enters 0: the script fails, nothing is saved, and she is told so.
    page, visit = person()
    _sign_in(page, visit, "emma")
    page.goto(f"/tasks/{task.id}")
    page.get_by_label("Divisor").fill("0")
    _press(page, page.get_by_role("button", name="Afslut opgaven"))
    page.wait_for_selector("h1:has-text('Trinnet kunne ikke afsluttes')")
    assert engine.incident(case_id, "admin") is not None

    admin, visit = person()
    _sign_in(admin, visit, "admin")
    menu = admin.get_by_role("link", name=re.compile(r"^Administration \d+ (åben hændelse|åbne hændelser)$"))
    _press(admin, menu)
    admin.wait_for_selector("h1:has-text('Administration')")
    check_page(admin, visit)
    _press(admin, admin.get_by_role("link", name="Hændelser"))
    admin.get_by_label("Proces").select_option("divide")
    _press(admin, admin.get_by_role("button", name="Filtrér"))
    admin.wait_for_url(re.compile(r"process=divide"))
    check_page(admin, visit)
    row = admin.locator("#incidents tbody tr", has=admin.locator(f"a[href='/admin/incidents/{case_id}']"))
    assert "ZeroDivisionError" in row.inner_text() and "Beregn andel" in row.inner_text()
    _press(admin, row.get_by_role("link"))

    admin.wait_for_selector("#audit-diagram[data-loaded='true'], #audit-diagram[data-error]")
    assert admin.get_attribute("#audit-diagram", "data-error") is None
    assert admin.get_attribute("#audit-diagram", "data-marked") == "compute"
    assert admin.locator("#audit-diagram .incident-at").count() == 1, "the failed step is marked"
    assert "ZeroDivisionError" in admin.inner_text("#incident-error")
    assert '"divisor"' not in admin.inner_text("#case-data")  # the failed completion saved nothing
    check_page(admin, visit)

    admin.get_by_label("De variable der skal ændres, som JSON").fill('{"divisor": 4}')
    reason = admin.locator("#correct-reason")
    reason.fill("Emma tastede 0 ved en fejl")
    _press(admin, admin.get_by_role("button", name="Ret og prøv igen"))
    admin.wait_for_url(re.compile(r"/admin/incidents$"))
    assert admin.get_by_text("Data blev rettet, og trinnet kørte igen").is_visible()
    assert admin.locator(f"a[href='/admin/incidents/{case_id}']").count() == 0, "gone from the list"
    check_page(admin, visit)

    view = engine.case(case_id, None)
    assert view.status == "completed" and view.data["share"] == 25 and view.incident is None
    admin.goto(f"/audit/cases/{case_id}")
    timeline = admin.locator("section[aria-labelledby='timeline-title']").inner_text()
    assert "Emma tastede 0 ved en fejl" in timeline and "ændrede sagens data" in timeline
    kinds = [(e.kind, e.actor) for e in engine.history(case_id, None)]
    assert ("incident_raised", "emma") in kinds and ("data_changed", "admin") in kinds
    assert ("incident_resolved", "admin") in kinds and engine.verify(case_id) == []
    assert not visit.violations, visit.violations


def test_second_incident_cancelled_in_english(person: Any, engine: Any) -> None:
    case_id = engine.start("divide", "mikkel", {})
    [task] = [t for t in engine.tasks_for("mikkel") if t.case_id == case_id]
    with pytest.raises(IncidentRaised):
        engine.complete(task.id, "mikkel", {"divisor": 0})
    admin, visit = person()
    _sign_in(admin, visit, "admin")
    _press(admin, admin.get_by_role("button", name="English"))
    admin.wait_for_selector("html[lang='en']")
    admin.goto(f"/admin/incidents/{case_id}")
    admin.wait_for_selector("#audit-diagram[data-loaded='true'], #audit-diagram[data-error]")
    assert admin.get_by_role("heading", name="The error").is_visible()
    check_page(admin, visit)
    _press(admin, admin.get_by_role("button", name="Cancel the case"))  # no reason: the browser asks for one
    assert admin.url.endswith(f"/admin/incidents/{case_id}")
    admin.locator("#cancel-reason").fill("Request withdrawn by Mikkel")
    _press(admin, admin.get_by_role("button", name="Cancel the case"))
    admin.wait_for_url(re.compile(r"/admin/incidents$"))
    assert admin.get_by_text("The case is cancelled.").is_visible()
    check_page(admin, visit)
    # Reloading the old page now says plainly that the incident is gone.
    admin.goto(f"/admin/incidents/{case_id}")
    assert admin.get_by_role("heading", name="No open incident").is_visible()
    cancelled = [e for e in engine.history(case_id, None) if e.kind == "case_cancelled"]
    assert cancelled[0].payload["reason"] == "Request withdrawn by Mikkel" and cancelled[0].actor == "admin"
    assert not visit.violations, visit.violations


def test_every_console_page_is_axe_clean_in_both_languages(person: Any, engine: Any) -> None:
    admin, visit = person()
    _sign_in(admin, visit, "admin")
    for heading in ("Udrulninger", "Arbejdsprocesser og timere", "Brugere", "Udgående post"):
        _press(admin, admin.get_by_role("navigation").get_by_role("link", name=re.compile(r"^Administration")))
        _press(admin, admin.get_by_role("link", name=heading))
        admin.wait_for_selector(f"h1:has-text('{heading}')")
        check_page(admin, visit)
    _press(admin, admin.get_by_role("button", name="English"))
    admin.wait_for_selector("html[lang='en']")
    for path, heading in (("/admin/deployments", "Deployments"), ("/admin/workers", "Workers and timers"),
                          ("/admin/users", "Users"), ("/admin/users/emma", "Emma Madsen (medarbejder)"),
                          ("/admin/mail", "Outgoing mail")):
        admin.goto(path)
        admin.wait_for_selector(f"h1:has-text('{heading}')")
        check_page(admin, visit)
    assert not visit.violations, visit.violations
