"""Four colleagues take a rotation from theme proposal through theme decision to an approved agreement,
only by clicking and typing in Danish, in a real Chromium; axe-core checks every page they see.

People (the demo users): Emma proposes and drafts (medarbejder), Sara qualifies (netværkssekretariatet),
Lene decides and approves (ledelsesteamet), Lars approves as Emma's own manager (egen leder).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.demo import DEMO_PASSWORD
from tests.e2e.conftest import ROOT, Visit, check_page

pytestmark = pytest.mark.skipif(not (ROOT / "processes" / "netvaerksturnus.bpmn").exists(),
                                reason="the rotation process is not in processes/ yet")

THEME = "Håndbog for netværksledere"


def sign_in(page: Any, visit: Visit, name: str) -> None:
    page.goto("/login")
    check_page(page, visit)
    page.get_by_label("Brugernavn").fill(name)
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/tasks"))
    check_page(page, visit)


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(re.compile(r"/login"))


def open_task(page: Any, visit: Visit, tab: str, step: str) -> None:
    """From the inbox tab ("Mine opgaver" / "Gruppens opgaver"), open the step of our case."""
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(tab)).click()
    check_page(page, visit)
    # The row of our case: other browser tests put cases of their own in the same inboxes.
    page.locator("tr", has_text=THEME).get_by_role("link", name=step).first.click()
    page.wait_for_selector(f"h1:has-text('{step}')")
    check_page(page, visit)


def complete(page: Any, visit: Visit) -> None:
    page.get_by_role("button", name="Afslut opgaven").click()
    page.wait_for_url(re.compile(r"/tasks(\?|$)"))
    assert page.get_by_text("er udført. Tak.").is_visible()
    check_page(page, visit)


def test_rotation_from_proposal_to_approved_agreement(person: Any) -> None:
    page, visit = person()

    # Emma proposes a theme from the start page.
    sign_in(page, visit, "emma")
    page.get_by_role("link", name="Start ny sag").click()
    page.wait_for_selector("h1")
    check_page(page, visit)
    # Other browser tests of the same server deploy processes of their own: then the start page lists them all.
    if page.get_by_role("link", name="Netværksturnus").count():
        page.get_by_role("link", name="Netværksturnus").click()
        page.wait_for_selector("form")
        check_page(page, visit)
    page.get_by_role("button", name="Start").click()  # empty: every required field is named
    summary = page.locator("#error-summary")
    assert summary.is_visible() and "Temaets titel skal udfyldes." in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"  # read out first
    check_page(page, visit)
    page.get_by_label("Temaets titel").fill(THEME)
    page.get_by_label("Problemstilling").fill("Erfaringer fra netværksledere går tabt.")
    page.get_by_label("Hvorfor er temaet vigtigt i Albertslund?").fill("Netværkene er bærende i organisationen.")
    page.get_by_label("Forventet produkt").fill("En håndbog.")
    page.get_by_label("Læring").check()
    page.get_by_label("Mellem").check()
    page.get_by_label("Normal").check()
    picker = page.get_by_label("Din egen leder")
    offered = picker.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert offered == ["", "lars"]  # managers only: not Emma herself, not the auditor, not the admin
    # Emma tries to name herself as her own manager anyway (a tampered form) and is refused.
    picker.evaluate("s => { s.add(new Option('Emma', 'emma')); s.value = 'emma'; }")
    page.get_by_role("button", name="Start").click()
    assert page.get_by_text("Din egen leder kan ikke være dig selv").first.is_visible()
    check_page(page, visit)
    page.get_by_label("Din egen leder").select_option("lars")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/cases/"))
    assert page.get_by_text("Sagen er startet.").is_visible()
    assert page.get_by_text("Kvalificér temaforslag").first.is_visible()
    check_page(page, visit)
    page.get_by_label("Skriv en kommentar").fill("Jeg glæder mig til at komme i gang.")
    page.get_by_role("button", name="Tilføj kommentar").click()
    assert page.get_by_text("Din kommentar er tilføjet.").is_visible()
    check_page(page, visit)
    sign_out(page)

    # Sara (secretariat) finds it among the group's tasks and qualifies it.
    sign_in(page, visit, "sara")
    open_task(page, visit, "Gruppens opgaver", "Kvalificér temaforslag")
    assert page.get_by_text(THEME).first.is_visible()
    page.get_by_label("Sekretariatets kvalificering").fill("Temaet passer til netværksstrukturen.")
    page.get_by_label("Indstilles til godkendelse").check()
    complete(page, visit)
    sign_out(page)

    # Lene (leadership team) takes the decision task and approves the theme.
    sign_in(page, visit, "lene")
    open_task(page, visit, "Gruppens opgaver", "Beslut tema")
    page.get_by_role("button", name="Tag opgaven").click()
    assert page.get_by_text("Opgaven er nu din.").is_visible()
    check_page(page, visit)
    page.get_by_label("Godkendt").check()
    page.get_by_label("Begrundelse").fill("Et vigtigt tema for hele kommunen.")
    complete(page, visit)
    sign_out(page)

    # Emma drafts the agreement; a wrong number is caught next to its field, nothing typed is lost.
    sign_in(page, visit, "emma")
    open_task(page, visit, "Mine opgaver", "Udkast til turnusaftale")
    page.get_by_label("Formål", exact=False).first.fill("At samle netværkslederes erfaringer.")
    page.get_by_label("Form: hvordan forløbet tilrettelægges").fill("To dage om ugen i sekretariatet.")
    page.get_by_label("Startdato").fill("2027-05-03")
    assert "uge 18" in page.locator("#f-start_date-week").inner_text()
    page.get_by_label("Slutdato").fill("2027-10-29")
    page.get_by_label("Timer om ugen frigjort fra basis").fill("50")
    page.get_by_label("Placering i perioden").fill("Sekretariatet for Netværksstrukturen")
    page.get_by_label("Kompetencemål").fill("Facilitering og skriftlig formidling.")
    page.get_by_label("Leverance").fill("Håndbog for netværksledere.")
    page.get_by_label("Tiltænkt formidlerrolle").fill("Oplæg for nye netværksledere.")
    page.get_by_role("button", name="Gem kladde").click()
    assert page.locator("#f-hours_per_week-error").is_visible()  # the draft is checked too
    check_page(page, visit)
    hours = page.get_by_label("Timer om ugen frigjort fra basis")
    assert hours.get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Placering i perioden").input_value() == "Sekretariatet for Netværksstrukturen"
    hours.fill("15")
    page.get_by_role("button", name="Gem kladde").click()
    assert page.get_by_text("Din kladde er gemt.").is_visible()
    check_page(page, visit)
    page.reload()
    assert page.get_by_label("Timer om ugen frigjort fra basis").input_value() == "15"
    complete(page, visit)
    sign_out(page)

    # Lars (Emma's own manager) approves.
    sign_in(page, visit, "lars")
    open_task(page, visit, "Mine opgaver", "Godkend turnusaftale (egen leder)")
    page.get_by_label("Godkendt").check()
    page.get_by_role("textbox", name=re.compile("^Kommentar")).fill("God aftale.")
    complete(page, visit)
    sign_out(page)

    # Lene approves for the leadership team.
    sign_in(page, visit, "lene")
    open_task(page, visit, "Gruppens opgaver", "Godkend turnusaftale (ledelsesteam)")
    page.get_by_label("Godkendt").check()
    page.get_by_role("textbox", name=re.compile("^Kommentar")).fill("Godkendt af ledelsesteamet.")
    complete(page, visit)
    sign_out(page)

    # Emma sees her case waiting for the agreed start date, with everything recorded.
    sign_in(page, visit, "emma")
    page.get_by_role("link", name="Mine sager").click()
    check_page(page, visit)
    page.locator("table a", has_text=THEME).first.click()  # other browser tests share the server's cases
    page.wait_for_url(re.compile(r"/cases/"))
    check_page(page, visit)
    body = page.locator("main").inner_text()
    assert "Godkend turnusaftale (egen leder)" in body and "God aftale." in body
    assert "3.5.2027 (uge 18)" in body
    assert "Jeg glæder mig til at komme i gang." in body

    # English on request.
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="My cases", exact=True).is_visible()
    check_page(page, visit)

    print("axe, moderate and minor:", sorted(set(visit.minor)))
    assert not visit.violations, "\n".join(visit.violations)
    csp = [m for m in visit.console if "Content Security Policy" in m or "Uncaught" in m]
    assert not csp, csp
    assert len(visit.checked) >= 25
