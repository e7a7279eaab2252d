"""The rotation as its participants see it in the inbox: what is shown before a validation error is shown
after it, no raw identifiers, and "waiting on" names the start date it waits for."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC

import pytest
from flask import Flask

from engine.clock import FixedClock
from engine.service import Engine
from tests.helpers.rotation import (
    EMPLOYEE,
    LEADER,
    MANAGER,
    PROCESSES,
    SECRETARY,
    Rotation,
    at,
)
from tests.web.conftest import Client, password_hash
from web import create_app
from web.settings import WebSettings

READONLY = re.compile(r'<p class="readonly-label">(.*?)</p>\s*<p class="readonly-value">(.*?)</p>', re.S)


@pytest.fixture
def rotation_app(db_url: str, web_settings: WebSettings) -> Iterator[tuple[Rotation, Flask]]:
    clock = FixedClock(at("2027-01-04T09:00+01:00").astimezone(UTC))
    engine = Engine.create(db_url, clock=clock)
    engine.deploy_paths([PROCESSES], actor="system")
    for name, groups in ((EMPLOYEE, ()), (MANAGER, ("leder",)), (SECRETARY, ("netvaerkssekretariat",)),
                         (LEADER, ("ledelsesteam",))):
        engine.add_user(name, display_name=name.title(), groups=groups, password_hash=password_hash())
    engine.name_group("netvaerkssekretariat", "Netværkssekretariatet")
    engine.name_group("ledelsesteam", "Ledelsesteamet")
    app = create_app(engine, {"TESTING": True}, settings=web_settings)
    yield Rotation(engine, clock).start(), app
    engine.close()


def _signed_in(app: Flask, name: str) -> Client:
    client = Client(app)
    assert client.login(name).status_code == 302
    return client


def _context_survives_an_error(rotation: Rotation, app: Flask, element_id: str) -> list[tuple[str, str]]:
    task = rotation.tasks(element_id)[0]
    who = task.assignee or LEADER
    if task.assignee is None:
        rotation.engine.claim(task.id, who)
    client = _signed_in(app, who)
    before = READONLY.findall(client.get(f"/tasks/{task.id}").text)
    refused = client.post(f"/tasks/{task.id}", {"action": "complete"})  # required fields left empty
    assert refused.status_code == 400
    assert READONLY.findall(refused.text) == before
    return before


def test_read_only_context_is_shown_after_a_validation_error(rotation_app: tuple[Rotation, Flask]) -> None:
    rotation, app = rotation_app
    rotation.do("qualify_theme", {"qualification_comment": "Relevant og afgrænset.",
                                  "qualification_recommendation": "approve"})
    shown = dict(_context_survives_an_error(rotation, app, "decide_theme"))
    assert shown["Temaets titel"] == "Håndbog for netværksledere"
    assert shown["Sekretariatets indstilling"] == "Indstilles til godkendelse"
    rotation.do("decide_theme", theme_decision="approved", theme_decision_reason="Et godt tema.")
    shown = dict(_context_survives_an_error(rotation, app, "draft_agreement"))
    assert shown["Forslag: timer om ugen fra basis"] == "15"


def test_the_case_page_shows_no_raw_identifiers(rotation_app: tuple[Rotation, Flask]) -> None:
    rotation, app = rotation_app
    html = _signed_in(app, EMPLOYEE).get(f"/cases/{rotation.case_id}").text
    assert "<dt>employee</dt>" not in html  # the initiator variable
    assert "Netværkssekretariatet" in html and "netvaerkssekretariat" not in html
    cases = _signed_in(app, EMPLOYEE).get("/cases").text
    assert "Kvalificér temaforslag: Netværkssekretariatet" in cases


def test_waiting_for_the_start_date(rotation_app: tuple[Rotation, Flask]) -> None:
    rotation, app = rotation_app
    rotation.theme_approved().agreement_approved()  # the agreement starts 1.3.2027
    employee = _signed_in(app, EMPLOYEE)
    page = employee.get(f"/cases/{rotation.case_id}").text
    assert "Startdato 1.3.2027 kl. 08.00" in page and "Ingen lige nu" not in page
    assert "Startdato 1.3.2027 kl. 08.00" in employee.get("/cases").text


def test_the_early_end_report_is_marked_optional(rotation_app: tuple[Rotation, Flask]) -> None:
    rotation, app = rotation_app
    rotation.in_period()
    inbox = _signed_in(app, EMPLOYEE).get("/tasks").text
    assert "Meld tidlig afslutning (valgfri)" in inbox
    assert "Valgfri (lukker af sig selv: 14 dage før slutdato)" in inbox
