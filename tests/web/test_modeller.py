"""The process owners' workspace over HTTP: who may reach it, validate/deploy findings, versions, migration."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from engine.service import Engine
from tests.web.conftest import ROOT, password_hash, start_review

REVIEW = (ROOT / "tests" / "integration" / "processes" / "review.bpmn").read_text()
GET_ROUTES = ["/modeller", "/modeller/new", "/modeller/new/blank.bpmn", "/modeller/review/edit",
              "/modeller/review/1/edit", "/modeller/review/1/files/review.bpmn", "/modeller/review/versions",
              "/modeller/review/migrate"]
POST_JSON = ["/modeller/validate", "/modeller/deploy"]


@pytest.fixture
def owners(engine: Engine) -> Engine:
    engine.add_user("paula", display_name="Paula Owner", roles=["process-owner"], password_hash=password_hash())
    engine.add_user("audrey", display_name="Audrey Auditor", roles=["auditor"], password_hash=password_hash())
    return engine


def _post_json(client: Any, path: str, files: dict[str, str]) -> Any:
    return client.http.post(path, data=json.dumps({"files": files}), content_type="application/json",
                            headers={"X-CSRFToken": client.token})


@pytest.mark.parametrize("who", ["rita", "ralf", "audrey"])
def test_participants_and_auditors_reach_no_modeller_route(owners: Engine, as_user: Any, who: str) -> None:
    c = as_user(who)
    for path in GET_ROUTES:
        assert c.get(path).status_code == 403, path
    for path in POST_JSON:
        assert _post_json(c, path, {"review.bpmn": REVIEW}).status_code == 403, path
    assert c.post("/modeller/review/migrate", {"to": "1", "action": "apply"}).status_code == 403
    assert "/modeller" not in c.get("/tasks").text  # no menu entry either


@pytest.mark.parametrize("who", ["paula", "admin"])
def test_process_owners_and_admins_reach_every_route(owners: Engine, as_user: Any, who: str) -> None:
    c = as_user(who)
    for path in GET_ROUTES:
        assert c.get(path).status_code == 200, path
    assert 'href="/modeller"' in c.get("/tasks").text


def test_signed_out_is_sent_to_sign_in(owners: Engine, client: Any) -> None:
    assert client.get("/modeller").status_code == 302


def test_validate_returns_element_findings_and_deploy_refuses_without_storing(owners: Engine, as_user: Any) -> None:
    c = as_user("paula")
    broken = REVIEW.replace('decision == "approve"', 'decision == = "approve"')
    res = _post_json(c, "/modeller/validate", {"review.bpmn": broken})
    assert res.status_code == 200 and res.json["ok"] is False
    errors = [f for f in res.json["findings"] if f["severity"] == "error"]
    assert errors and errors[0]["element_id"] in ("f_yes", "decided"), errors
    res = _post_json(c, "/modeller/deploy", {"review.bpmn": broken})
    assert res.status_code == 422 and res.json["findings"]
    assert [v.version for v in owners.versions_of("review")] == [1]
    ok = _post_json(c, "/modeller/validate", {"review.bpmn": REVIEW})
    assert ok.json["ok"] is True and ok.json["keys"] == ["review"]


def test_deploy_new_version_then_unchanged(owners: Engine, as_user: Any) -> None:
    c = as_user("paula")
    v2 = REVIEW.replace('label="Decision"', 'label="Verdict"')
    res = _post_json(c, "/modeller/deploy", {"review.bpmn": v2})
    assert res.status_code == 200 and res.json["deployed"] == [{"key": "review", "version": 2, "status": "new"}]
    again = _post_json(c, "/modeller/deploy", {"review.bpmn": v2})
    assert again.json["deployed"][0]["status"] == "unchanged"
    page = c.get("/modeller/review/versions").text
    assert "paula" in page and "decision" in page


@pytest.mark.parametrize("body", [b"not json", b'{"files": []}', b'{"files": {"x.txt": "a"}}',
                                  b'{"files": {"../a.bpmn": "<x/>"}}', b'{"files": {"a.bpmn": "<not xml"}}'])
def test_bad_bodies_are_refused_with_a_message_never_500(owners: Engine, as_user: Any, body: bytes) -> None:
    c = as_user("paula")
    res = c.http.post("/modeller/deploy", data=body, content_type="application/json",
                      headers={"X-CSRFToken": c.token})
    assert res.status_code in (400, 422) and res.json["message"]
    assert [v.version for v in owners.versions_of("review")] == [1]


def test_json_posts_need_the_csrf_header(owners: Engine, as_user: Any) -> None:
    c = as_user("paula")
    res = c.http.post("/modeller/validate", data=json.dumps({"files": {"review.bpmn": REVIEW}}),
                      content_type="application/json")
    assert res.status_code == 400


def test_migrate_page_dry_run_then_apply(owners: Engine, as_user: Any) -> None:
    case_id = start_review(owners)
    c = as_user("paula")
    _post_json(c, "/modeller/deploy", {"review.bpmn": REVIEW.replace('label="Decision"', 'label="Verdict"')})
    c.refresh_token("/modeller/review/migrate")
    dry = c.post("/modeller/review/migrate", {"to": "2", "from": "1", "action": "dry-run"})
    assert dry.status_code == 200 and case_id in dry.text and owners.case(case_id, None).version == 1
    done = c.post("/modeller/review/migrate", {"to": "2", "from": "1", "action": "apply"})
    assert re.search(r"version 1 (til|to) 2", done.text) and owners.case(case_id, None).version == 2
    bad = c.post("/modeller/review/migrate", {"to": "x", "action": "apply"})
    assert bad.status_code == 400
