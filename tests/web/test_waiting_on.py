""""Waiting on" says what a case waits for: a group by its name, a timer by its name and due time,
and a finished case its end date — on the case page and in My cases."""

from __future__ import annotations

from typing import Any

from engine.clock import FixedClock
from engine.service import Engine
from tests.web.conftest import open_task, start_review


def _waiting_on_timer(engine: Engine) -> str:
    case_id = start_review(engine, title="Chairs", needed_by="2027-05-03")
    engine.complete(open_task(engine, case_id), "ralf", {"decision": "approve"})
    engine.complete(open_task(engine, case_id), "rita", {})
    return case_id


def test_a_case_waiting_on_a_timer_says_what_for_and_when(engine: Engine, as_user: Any) -> None:
    case_id = _waiting_on_timer(engine)
    rita = as_user("rita")
    page = rita.get(f"/cases/{case_id}").text
    expected = "Needed-by date reached 3.5.2027 kl. 08.00"  # 08:00 Copenhagen time, Danish format
    assert expected in page and "Ingen lige nu" not in page
    assert f"Venter på {expected}" in page  # the phase too
    assert expected in rita.get("/cases").text


def test_a_finished_case_shows_its_end_date(engine: Engine, as_user: Any, clock: FixedClock) -> None:
    case_id = _waiting_on_timer(engine)
    clock.advance(days=69)  # 9.5.2027, 11.00 in Copenhagen
    engine.fire_timers()
    rita = as_user("rita")
    page = rita.get(f"/cases/{case_id}").text
    assert "<dt>Afsluttet</dt><dd>9.5.2027 kl. 11.00</dd>" in page
    assert "Intet: sagen er afsluttet." in page
    assert "Afsluttet 9.5.2027" in rita.get("/cases").text


def test_groups_are_shown_by_their_name_not_their_id(engine: Engine, as_user: Any) -> None:
    engine.name_group("reviewers", "Indkøbsudvalget")
    case_id = start_review(engine, title="Chairs")
    rita = as_user("rita")
    assert "Indkøbsudvalget" in rita.get(f"/cases/{case_id}").text
    cases = rita.get("/cases").text
    assert "Review request: Indkøbsudvalget" in cases and "reviewers" not in cases
