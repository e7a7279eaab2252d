"""The auditors' pages: search, a case's timeline/diagram/verify/exports, the access log, "my data";
read-only, refused to everybody else, and malformed queries answered with a message, not a 500."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import update

from engine.audit import export
from engine.service import Engine
from engine.store.tables import case_events, cases
from tests.web.conftest import open_task, password_hash, start_review

FORM_RE = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]+)"', re.I)


@pytest.fixture
def auditor(engine: Engine, as_user):
    engine.add_user("revisor", display_name="Rikke Revisor", roles=["auditor"], password_hash=password_hash())
    return as_user("revisor")


@pytest.fixture
def done_case(engine: Engine) -> str:
    cid = start_review(engine, title="Nye stole")
    task = open_task(engine, cid)
    engine.claim(task, "ralf")
    engine.complete(task, "ralf", {"decision": "approve", "reason": "Inden for budget"})
    return cid


def test_auditor_finds_the_case_reads_its_timeline_verifies_and_exports(auditor, done_case: str) -> None:
    page = auditor.get("/audit/?q=stole&purpose=Intern+revision")
    assert page.status_code == 200 and '<p role="status">1 sag fundet</p>' in page.text
    assert f"/audit/cases/{done_case}" in page.text
    case = auditor.get(f"/audit/cases/{done_case}")
    assert case.status_code == 200
    text = case.text
    assert "Rita Requester" in text and "Ralf Reviewer" in text
    assert "Inden for budget" in text  # the reason, shown as the change it made
    assert 'id="audit-diagram"' in text and 'id="steps-table"' in text
    verified = auditor.get(f"/audit/cases/{done_case}?verify=1")
    assert 'id="verdict"' in verified.text and "notice--success" in verified.text
    exported = auditor.get(f"/audit/cases/{done_case}/export.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    meta, events = export.load_json(exported.data)
    assert export.verify_events(meta, events) is None
    csv = auditor.get(f"/audit/cases/{done_case}/export.csv")
    assert csv.status_code == 200 and csv.text.startswith("case_id,seq")
    assert auditor.get(f"/audit/cases/{done_case}/print").status_code == 200
    xml = auditor.get(case.text.split('data-xml="')[1].split('"')[0])
    assert xml.status_code == 200 and b"definitions" in xml.data
    log = auditor.get("/audit/access-log?actor=revisor")
    for action in ("search_cases", "read_case", "export_case_json", "export_case_csv"):
        assert action in log.text
    assert "Intern revision" in log.text


def test_verify_names_an_edited_event(auditor, engine: Engine, done_case: str) -> None:
    with engine.db.begin() as conn:
        conn.execute(update(case_events).where(case_events.c.case_id == done_case, case_events.c.seq == 3)
                     .values(actor="mallory"))
    page = auditor.get(f"/audit/cases/{done_case}?verify=1")
    assert "notice--warning" in page.text and "Brudt ved hændelse 3:" in page.text
    assert "Hændelsens indhold er ændret" in page.text and "content was changed" not in page.text  # all Danish


def test_verify_names_a_stored_state_that_disagrees_in_danish(auditor, engine: Engine, done_case: str) -> None:
    with engine.db.begin() as conn:
        conn.execute(update(cases).where(cases.c.id == done_case).values(status="cancelled"))
    page = auditor.get(f"/audit/cases/{done_case}?verify=1")
    assert "notice--warning" in page.text
    assert "Sagens status er “Annulleret”, men hændelserne siger “I gang”." in page.text
    assert "but the events say" not in page.text


def test_audit_pages_offer_no_way_to_change_anything(auditor, done_case: str) -> None:
    for path in ("/audit/", f"/audit/cases/{done_case}", f"/audit/cases/{done_case}?verify=1",
                 "/audit/access-log", "/audit/statistics/review", "/audit/my-data", f"/audit/cases/{done_case}/print"):
        page = auditor.get(path)
        assert page.status_code == 200, path
        assert set(FORM_RE.findall(page.text)) <= {"/logout", "/language"}, path
    assert auditor.post(f"/audit/cases/{done_case}").status_code == 405


def test_everybody_else_is_refused(as_user, done_case: str) -> None:
    rita = as_user("rita")
    for path in ("/audit/", f"/audit/cases/{done_case}", f"/audit/cases/{done_case}/export.json",
                 "/audit/access-log", "/audit/statistics/review"):
        assert rita.get(path).status_code == 403, path
    assert 'href="/audit/"' not in rita.get("/tasks").text


def test_malformed_queries_get_a_message_not_a_500(auditor) -> None:
    not_a_date = "“{}” er ikke en dato: skriv den som åååå-mm-dd."
    not_a_number = "“{}” er ikke et helt tal fra 1 til 100000."
    for path, message in (("/audit/?from=31-12-2027", not_a_date.format("31-12-2027")),
                          ("/audit/?version=-1", not_a_number.format("-1")),
                          ("/audit/?page=abc", not_a_number.format("abc")),
                          ("/audit/?version=9999999999", not_a_number.format("9999999999")),
                          ("/audit/access-log?from=yesterday", not_a_date.format("yesterday")),
                          ("/audit/access-log?page=0", not_a_number.format("0"))):
        page = auditor.get(path)
        assert page.status_code == 400, path
        assert message in page.text, path
    assert auditor.get("/audit/?status=weird&key=nope").status_code == 200


def test_my_data_shows_when_and_why_but_not_who(as_user, auditor, done_case: str) -> None:
    auditor.get(f"/audit/cases/{done_case}?purpose=Aktindsigt+2027")
    rita = as_user("rita")
    page = rita.get("/audit/my-data")
    assert page.status_code == 200
    assert "Nye stole" in page.text and "Aktindsigt 2027" in page.text
    assert "revisor" not in page.text.lower().replace("revision", "")


def _heat(text: str) -> dict:
    return json.loads(text.split('<script type="application/json" id="audit-heat">')[1].split("</script>")[0])


def test_statistics_table_and_heat_view(auditor, engine: Engine, done_case: str) -> None:
    start_review(engine, title="Stadig åben")  # passed the start and the script, not the review
    page = auditor.get("/audit/statistics/review")
    assert page.status_code == 200 and "<meter" in page.text and 'id="stats-table"' in page.text
    xml = auditor.get(page.text.split('data-xml="')[1].split('"')[0])
    assert xml.status_code == 200 and b'id="review_task"' in xml.data, "the diagram of this version"
    heat = _heat(page.text)
    assert heat["classes"]["classify"] == 4 and heat["classes"]["review_task"] == 0, "2 cases vs 1 case"
    assert heat["labels"]["classify"] == "2" and 'id="heat-legend"' in page.text
    by_time = auditor.get("/audit/statistics/review?by=time")
    heat = _heat(by_time.text)
    assert set(heat["classes"]) == {"review_task"}, "only user tasks have a time spent"
    assert 'value="time" checked' in by_time.text
    assert _heat(auditor.get("/audit/statistics/review?by=nonsense").text) == _heat(page.text)


def test_a_file_added_to_a_case_is_an_audit_event(auditor, engine: Engine, done_case: str) -> None:
    from engine import attachments

    item = attachments.store(engine, "rita", "tilbud.pdf", b"%PDF-1.4 test", case_id=done_case)
    [event] = [e for e in engine.history(done_case, None) if e.kind == "attachment_added"]
    assert (event.actor, event.payload["file_name"], event.payload["sha256"]) == ("rita", "tilbud.pdf", item.sha256)
    assert engine.verify(done_case) == []
    page = auditor.get(f"/audit/cases/{done_case}")
    assert "tilbud.pdf" in page.text and item.sha256 in page.text


def test_a_data_change_reads_as_who_why_and_before_after(auditor, engine: Engine) -> None:
    cid = start_review(engine, title="Nye borde")
    engine.add_user("boss", roles=["admin"])
    engine.set_data(cid, "boss", {"amount": 450}, "Tilbuddet blev dyrere")
    text = auditor.get(f"/audit/cases/{cid}").text
    assert "boss ændrede sagens data" in text
    assert "Tilbuddet blev dyrere" in text and "300 → 450" in text
