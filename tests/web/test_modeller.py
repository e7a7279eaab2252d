"""The process owners' workspace over HTTP: who may reach it, validate/deploy findings, versions, migration."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask

from engine.service import Engine
from tests.web.conftest import ROOT, password_hash, start_review

REVIEW = (ROOT / "tests" / "integration" / "processes" / "review.bpmn").read_text()
GET_ROUTES = ["/modeller", "/modeller/new", "/modeller/new/blank.bpmn", "/modeller/review/edit",
              "/modeller/review/1/edit", "/modeller/review/1/files/review.bpmn", "/modeller/review/versions",
              "/modeller/review/migrate", "/modeller/review/1/diagram.bpmn"]
POST_JSON = ["/modeller/validate", "/modeller/deploy"]
POST_FORM = {"/modeller/review/migrate": {"to": "1", "action": "dry-run"}}
ROLES = {"anonymous": None, "employee": "rita", "reviewer": "ralf", "auditor": "audrey", "process-owner": "paula",
         "admin": "admin"}


@pytest.fixture
def owners(engine: Engine) -> Engine:
    engine.add_user("paula", display_name="Paula Owner", roles=["process-owner"], password_hash=password_hash())
    engine.add_user("audrey", display_name="Audrey Auditor", roles=["auditor"], password_hash=password_hash())
    return engine


def _post_json(client: Any, path: str, files: dict[str, str]) -> Any:
    return client.http.post(path, data=json.dumps({"files": files}), content_type="application/json",
                            headers={"X-CSRFToken": client.token})


def test_the_matrix_covers_every_modeller_route(app: Flask) -> None:
    """A route added to the blueprint without a line in GET_ROUTES/POST_JSON/POST_FORM fails here."""
    adapter = app.url_map.bind("localhost")
    covered = {(adapter.match(path, method="GET", return_rule=True)[0].rule, "GET") for path in GET_ROUTES}
    covered |= {(adapter.match(path, method="POST", return_rule=True)[0].rule, "POST")
                for path in [*POST_JSON, *POST_FORM]}
    routes = {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("modeller.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == covered


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(owners: Engine, client: Any, as_user: Any, role: str) -> None:
    """Anonymous people are sent to sign in; employees, reviewers and auditors are refused (403) on every
    route and see no menu entry; process owners and admins reach every route. Nothing is deployed."""
    name = ROLES[role]
    c = as_user(name) if name else client
    if not name:
        c.refresh_token("/login")
    owner = role in ("process-owner", "admin")
    expected = 200 if owner else 302 if not name else 403
    for path in GET_ROUTES:
        res = c.get(path)
        assert res.status_code == expected, (path, res.status_code)
        if not name:
            assert res.headers["Location"].startswith("/login")
    for path in POST_JSON:
        assert _post_json(c, path, {"review.bpmn": REVIEW}).status_code == expected, path
    for path, form in POST_FORM.items():
        assert c.post(path, form).status_code == expected, path
    if name:
        assert ('href="/modeller"' in c.get("/tasks").text) is owner
    assert [v.version for v in owners.versions_of("review")] == [1]  # deploying the same file changes nothing


def test_editor_page_allows_only_its_own_nonce_for_style_elements(owners: Engine, as_user: Any) -> None:
    c = as_user("paula")
    first, second = c.get("/modeller/review/edit"), c.get("/modeller/review/edit")
    nonces = []
    for page in (first, second):
        csp = page.headers["Content-Security-Policy"]
        found = re.search(r"style-src-elem 'self' 'nonce-([\w-]+)'(;|$)", csp)
        assert found and "script-src 'self';" in csp, csp
        assert f'data-style-nonce="{found.group(1)}"' in page.text
        nonces.append(found.group(1))
    assert nonces[0] != nonces[1]
    assert "style-src-elem" not in c.get("/modeller").headers["Content-Security-Policy"]


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
    assert res.status_code == 200 and [{k: d[k] for k in ("key", "version", "status")}
                                       for d in res.json["deployed"]] == [{"key": "review", "version": 2,
                                                                            "status": "new"}]
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
    assert res.status_code == 400 and "genindlæs siden" in res.json["message"]


def test_too_large_or_refused_json_is_answered_in_json(owners: Engine, as_user: Any) -> None:
    """The editor shows the server's message: a body past the cap is 413 with words, not an HTML page."""
    big = REVIEW.replace("</bpmn:definitions>", "<!--" + "x" * 1_400_000 + "--></bpmn:definitions>")
    res = _post_json(as_user("paula"), "/modeller/deploy", {"review.bpmn": big})
    assert res.status_code == 413 and res.json == {"ok": False, "findings": [],
                                                   "message": "For stor: Det, der blev sendt, er for stort."}
    res = _post_json(as_user("rita"), "/modeller/validate", {"review.bpmn": REVIEW})
    assert res.status_code == 403 and res.json["message"].startswith("Ikke tilladt")
    assert [v.version for v in owners.versions_of("review")] == [1]


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


def test_migrate_page_shows_the_target_version_s_diagram_and_its_changes_in_words(owners: Engine,
                                                                                   as_user: Any) -> None:
    c = as_user("paula")
    first = c.get("/modeller/review/migrate")
    assert "Version 1 er den første version" in first.text
    assert 'data-xml="/modeller/review/1/diagram.bpmn"' in first.text
    _post_json(c, "/modeller/deploy", {"review.bpmn": REVIEW.replace('label="Decision"', 'label="Verdict"')})
    page = c.get("/modeller/review/migrate")
    assert 'data-xml="/modeller/review/2/diagram.bpmn"' in page.text
    assert "Ændret siden version 1" in page.text and 'aria-describedby="migrate-changes' in page.text
    xml = c.get("/modeller/review/2/diagram.bpmn")
    assert xml.status_code == 200 and b"Verdict" in xml.data
    assert c.get("/modeller/review/9/diagram.bpmn").status_code == 404
