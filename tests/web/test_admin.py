"""The operator's console over HTTP: every /admin route for every role, the incident list and page, and its
three actions with their refusals (no reason, bad data, another administrator first) in both languages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from engine.cases.incidents import IncidentRaised
from engine.service import Engine
from tests.web.conftest import ROOT, password_hash

ROLES = {"anonymous": None, "employee": "rita", "reviewer": "ralf", "auditor": "audrey", "process-owner": "paula",
         "admin": "admin"}


@pytest.fixture
def broken(engine: Engine) -> str:
    """A case stopped by an incident: its script divides by zero."""
    engine.add_user("paula", display_name="Paula Owner", roles=["process-owner"], password_hash=password_hash())
    engine.add_user("audrey", display_name="Audrey Auditor", roles=["auditor"], password_hash=password_hash())
    engine.add_user("anna", display_name="Anna Admin", roles=["admin"], password_hash=password_hash())
    engine.deploy_paths([ROOT / "tests" / "integration" / "processes" / "incident.bpmn"], actor="system")
    case_id = engine.start("incident", "rita", {})
    [task] = engine.tasks_for("rita")
    with pytest.raises(IncidentRaised):
        engine.complete(task.id, "rita", {"divisor": 0})
    return case_id


def _english(c: Any) -> Any:
    assert c.post("/language", {"lang": "en"}).status_code == 302
    return c


def _routes(case_id: str) -> tuple[list[str], list[str]]:
    gets = ["/admin", "/admin/incidents", f"/admin/incidents/{case_id}", "/admin/deployments",
            "/admin/workers", "/admin/users", "/admin/users/ralf", "/admin/add-user",
            "/admin/mail"]
    posts = [f"/admin/incidents/{case_id}/{action}" for action in ("retry", "correct", "cancel")]
    posts += ["/admin/deployments/incident/suspend", "/admin/users/ralf/disable", "/admin/add-user",
              "/admin/users/ralf/edit",
              "/admin/mail/00000000-0000-0000-0000-000000000000/discard",
              "/admin/mail/webhook/msg_00000000000000000000000000000000/discard"]
    return gets, posts


def test_the_matrix_covers_every_admin_route(app: Flask, broken: str) -> None:
    """A route added to the blueprint without a line in _routes fails here."""
    adapter = app.url_map.bind("localhost")
    gets, posts = _routes(broken)
    covered = {(adapter.match(p, method="GET", return_rule=True)[0].rule, "GET") for p in gets}
    covered |= {(adapter.match(p, method="POST", return_rule=True)[0].rule, "POST") for p in posts}
    routes = {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == covered


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_route_for_every_role(engine: Engine, broken: str, client: Any, as_user: Any,
                                          role: str) -> None:
    """Anonymous people are sent to sign in; everyone but an administrator is refused (403) on every route,
    sees no menu entry, and changes nothing; an administrator reaches every page and sees the open count."""
    name = ROLES[role]
    c = as_user(name) if name else client
    if not name:
        c.refresh_token("/login")
    admin = role == "admin"
    gets, posts = _routes(broken)
    for path in gets:
        res = c.get(path)
        assert res.status_code == (200 if admin else 403 if name else 302), (path, res.status_code)
        if not name:
            assert res.headers["Location"].startswith("/login")
    if name:
        menu = c.get("/tasks").text
        assert ('href="/admin"' in menu) is admin
        if admin:
            assert '<span class="menu-count">1' in menu
    if not admin:
        token = engine.incident(broken, "admin").token
        for path in posts:
            res = c.post(path, {"token": token, "reason": "because", "data": '{"divisor": 4}', "name": "mallory",
                                "display_name": "Mallory", "roles": "admin"})
            assert res.status_code == (403 if name else 302), (path, res.status_code)
        assert engine.incident(broken, "admin") is not None  # nothing changed
        assert all(d.suspension is None for d in engine.deployments("admin"))
        assert engine.password_hash("ralf") is not None
        assert "mallory" not in {u.name for u in engine.users()}
        assert "admin" not in engine.user("ralf").roles


def test_list_filters_and_detail_shows_error_data_and_cause(broken: str, as_user: Any) -> None:
    c = _english(as_user("admin"))
    page = c.get("/admin/incidents").text
    assert "Compute share" in page and "ZeroDivisionError" in page and f"/admin/incidents/{broken}" in page
    assert f"/admin/incidents/{broken}" not in c.get("/admin/incidents?process=review").text
    assert f"/admin/incidents/{broken}" not in c.get("/admin/incidents?age=1h").text
    assert f"/admin/incidents/{broken}" in c.get("/admin/incidents?element=compute").text
    detail = c.get(f"/admin/incidents/{broken}").text
    assert "ZeroDivisionError" in detail and "line 4" in detail and "Rita Requester" in detail
    assert "completing a task" in detail and 'id="case-data"' in detail
    assert '"element": "compute"' in detail and "admin-incident.js" in detail


def test_correct_and_retry_then_a_second_admin_is_told_clearly(engine: Engine, broken: str, as_user: Any) -> None:
    admin, anna = _english(as_user("admin")), _english(as_user("anna"))
    token = engine.incident(broken, "admin").token
    anna.get(f"/admin/incidents/{broken}")
    refused = admin.post(f"/admin/incidents/{broken}/correct",
                         {"token": token, "reason": " ", "data": '{"divisor": 4}'})
    assert refused.status_code == 400 and "Give a reason" in refused.text
    refused = admin.post(f"/admin/incidents/{broken}/correct", {"token": token, "reason": "typo", "data": "[1"})
    assert refused.status_code == 400 and "JSON object" in refused.text
    done = admin.post(f"/admin/incidents/{broken}/correct",
                      {"token": token, "reason": "Divisor typed as 0", "data": '{"divisor": 4}'})
    assert done.status_code == 302 and done.headers["Location"] == "/admin/incidents"
    assert "The data was corrected" in admin.get("/admin/incidents").text
    view = engine.case(broken, None)
    assert view.status == "completed" and view.data["share"] == 25
    late = anna.post(f"/admin/incidents/{broken}/retry", {"token": token, "reason": "me too"})
    assert late.status_code == 409 and "another administrator has already dealt with it" in late.text
    assert "no open incident" in anna.get(f"/admin/incidents/{broken}").text.lower()


def test_failed_retry_and_cancel(engine: Engine, broken: str, as_user: Any) -> None:
    admin = _english(as_user("admin"))
    token = engine.incident(broken, "admin").token
    again = admin.post(f"/admin/incidents/{broken}/retry", {"token": token, "reason": "once more"})
    assert again.status_code == 409 and "failed again" in again.text
    stale = admin.post(f"/admin/incidents/{broken}/cancel", {"token": token, "reason": "withdrawn"})
    assert stale.status_code == 409 and "changed since you opened it" in stale.text
    fresh = engine.incident(broken, "admin").token
    assert admin.post(f"/admin/incidents/{broken}/cancel", {"token": fresh, "reason": "withdrawn"}).status_code == 302
    assert engine.case(broken, None).status == "cancelled"
    assert [e.payload.get("reason") for e in engine.history(broken, None) if e.kind == "case_cancelled"] == [
        "withdrawn"]


def test_the_console_speaks_danish_by_default(broken: str, as_user: Any) -> None:
    page = as_user("admin").get("/admin/incidents").text
    assert "<h1>Hændelser</h1>" in page and "1 åben hændelse" in page
    detail = as_user("anna").get(f"/admin/incidents/{broken}").text
    assert "Ret data og prøv igen" in detail and "da en opgave blev udført" in detail


def test_suspend_shows_on_the_start_page_refusal_and_resume(engine: Engine, broken: str, as_user: Any) -> None:
    admin = _english(as_user("admin"))
    page = admin.get("/admin/deployments").text
    assert "Scripts that can fail (incident)" in page and "Running cases" in page
    refused = admin.post("/admin/deployments/incident/suspend", {"reason": ""})
    assert refused.status_code == 400 and "Give a reason" in refused.text
    done = admin.post("/admin/deployments/incident/suspend", {"reason": "Script is being fixed"})
    assert done.status_code == 302
    page = admin.get("/admin/deployments").text
    assert "Suspended by Admin" in page and "Script is being fixed" in page and "Resume Scripts" in page
    again = admin.post("/admin/deployments/incident/suspend", {"reason": "twice"})
    assert again.status_code == 409 and "already suspended" in again.text
    rita = as_user("rita")  # Danish: the start refusal names who, why, and that running cases go on
    start = rita.post("/start/incident", {})
    assert start.status_code == 409 and "har sat den i bero (Script is being fixed)" in start.text
    assert engine.incident(broken, "admin") is not None  # the running case is still there
    assert admin.post("/admin/deployments/incident/resume", {"reason": "Fixed"}).status_code == 302
    assert rita.post("/start/incident", {}).status_code == 302


def test_workers_and_timers_page(engine: Engine, broken: str, as_user: Any) -> None:
    admin = _english(as_user("admin"))
    assert "No timer loop is running" in admin.get("/admin/workers").text
    engine.register_worker("thread")
    page = admin.get("/admin/workers").text
    assert "thread in the web server" in page and "No timer loop is running" not in page
    assert "No timer is due within the hour." in page


def test_disable_a_user_ends_their_sign_in_and_lists_tasks(engine: Engine, broken: str, as_user: Any,
                                                          client: Any) -> None:
    admin, ralf = _english(as_user("admin")), as_user("ralf")
    assert "Ralf Reviewer" in admin.get("/admin/users?q=ral").text
    assert "Rita Requester" not in admin.get("/admin/users?q=ral").text
    assert admin.post("/admin/users/ralf/disable", {"reason": ""}).status_code == 400
    done = admin.post("/admin/users/ralf/disable", {"reason": "Left"})
    assert done.status_code == 302
    page = admin.get("/admin/users/ralf").text
    assert "is disabled" in page and 'id="user-status">disabled' in page
    assert ralf.get("/tasks").status_code == 302  # the open session ended
    assert client.login("ralf").status_code != 302  # and a new sign-in is refused
    again = admin.post("/admin/users/ralf/disable", {"reason": "again"})
    assert again.status_code == 409 and "already disabled" in again.text
    myself = admin.post("/admin/users/admin/disable", {"reason": "oops"})
    assert myself.status_code == 409 and "cannot disable yourself" in myself.text
    assert admin.post("/admin/users/ralf/enable", {"reason": "Back"}).status_code == 302
    assert client.login("ralf").status_code == 302
    rita = admin.get("/admin/users/rita").text
    assert "Enter numbers" in rita  # her open personal task, to hand over


def test_failed_mail_is_listed_and_discarded_with_a_reason(engine: Engine, broken: str, as_user: Any) -> None:
    from sqlalchemy import update

    from engine.notify.outbox import enqueue
    from engine.store.tables import outbox

    with engine.db.begin() as conn:
        mail_id = enqueue(conn, "task_assigned", "rita", engine.clock.now(), status="failed")
        conn.execute(update(outbox).where(outbox.c.id == mail_id).values(last_error="550 no such mailbox"))
    admin = _english(as_user("admin"))
    assert "550 no such mailbox" in admin.get("/admin/mail").text
    assert admin.post(f"/admin/mail/{mail_id}/discard", {"reason": ""}).status_code == 400
    assert admin.post(f"/admin/mail/{mail_id}/discard", {"reason": "Old"}).status_code == 302
    page = admin.get("/admin/mail").text
    assert "The mail is discarded." in page and "550 no such mailbox" not in page
    late = admin.post(f"/admin/mail/{mail_id}/resend", {"reason": "again"})
    assert late.status_code == 409 and "dealt with meanwhile" in late.text


def test_add_a_user_who_then_signs_in_and_shows_their_last_sign_in(engine: Engine, broken: str, as_user: Any,
                                                                    client: Any) -> None:
    admin = as_user("admin")
    page = admin.get("/admin/users").text
    assert 'href="/admin/add-user"' in page and "Tilføj en bruger" in page
    form = {"name": "sofie", "display_name": "Sofie Sekretær", "email": "sofie@albertslund.dk",
            "groups": ["reviewers"], "new_groups": "sekretariat", "roles": ["process-owner"],
            "password": "et-godt-kodeord", "reason": "Ny i sekretariatet"}
    done = admin.post("/admin/add-user", form)
    assert done.status_code == 302 and done.headers["Location"] == "/admin/users/sofie"
    sofie = engine.person("admin", "sofie")
    assert (sofie.display_name, sofie.email) == ("Sofie Sekretær", "sofie@albertslund.dk")
    assert set(sofie.groups) == {"reviewers", "sekretariat"} and set(sofie.roles) == {"process-owner"}
    page = admin.get("/admin/users/sofie").text
    assert 'id="last-sign-in">aldrig' in page and "Procesejer" in page
    assert client.login("sofie", password="et-godt-kodeord").status_code == 302
    page = admin.get("/admin/users/sofie").text
    assert re.search(r'id="last-sign-in">\d{1,2}\.\d{1,2}\.\d{4}', page), page
    [entry] = [e for e in engine.admin_log("admin") if e.action == "user_added"]
    assert entry.reason == "Ny i sekretariatet" and entry.details["after"]["groups"] == ["reviewers", "sekretariat"]
    assert entry.details["password"] is True and "et-godt-kodeord" not in str(entry.details)


@pytest.mark.parametrize(("change", "status", "message"), [
    ({"name": "ralf"}, 409, "Der findes allerede en bruger"),
    ({"name": "Ny Bruger"}, 400, "kan ikke bruges som id"),
    ({"display_name": "  "}, 400, "Skriv brugerens navn"),
    ({"email": "ikke-en-adresse"}, 400, "er ikke en e-mailadresse"),
    ({"roles": ["superuser"]}, 400, "Der er ingen rolle"),
    ({"password": "kort"}, 400, "mindst 8 tegn"),
    ({"reason": ""}, 400, "Angiv en begrundelse"),
])
def test_adding_a_user_is_refused_clearly_and_creates_nothing(engine: Engine, broken: str, as_user: Any,
                                                               change: dict, status: int, message: str) -> None:
    before = {u.name: (u.display_name, u.groups, u.roles) for u in engine.users()}
    form = {"name": "sofie", "display_name": "Sofie", "email": "", "roles": [], "password": "", "reason": "Ny",
            **change}
    res = as_user("admin").post("/admin/add-user", form)
    assert res.status_code == status and message in res.text, res.text
    assert 'value="' + form["display_name"] + '"' in res.text or not form["display_name"].strip()  # kept
    assert {u.name: (u.display_name, u.groups, u.roles) for u in engine.users()} == before


def test_edit_name_groups_and_roles_audited_with_before_and_after(engine: Engine, broken: str,
                                                                   as_user: Any) -> None:
    admin, ralf = as_user("admin"), as_user("ralf")
    assert "Ralf" in ralf.get("/tasks").text
    before = engine.user("ralf")
    form = {"display_name": "Ralf Rådgiver", "email": "ralf@albertslund.dk", "groups": [],
            "new_groups": "ledelse", "roles": ["auditor"], "reason": "Skiftet til revisionen"}
    done = admin.post("/admin/users/ralf/edit", form)
    assert done.status_code == 302
    after = engine.user("ralf")
    assert after.display_name == "Ralf Rådgiver" and after.groups == {"ledelse"} and after.roles == {"auditor"}
    assert "Ralf Rådgiver" in admin.get("/admin/users?q=ral").text  # the cached directory shows it at once
    [entry] = [e for e in engine.admin_log("admin") if e.action == "user_changed"]
    assert set(entry.details["before"]["groups"]) == set(before.groups)
    assert entry.details["after"] == {"display_name": "Ralf Rådgiver", "email": "ralf@albertslund.dk",
                                      "groups": ["ledelse"], "roles": ["auditor"]}
    again = admin.post("/admin/users/ralf/edit", form)
    assert again.status_code == 409 and "Intet at ændre" in again.text
    myself = admin.post("/admin/users/admin/edit", {"display_name": "Admin", "roles": [], "reason": "oops"})
    assert myself.status_code == 409 and "din egen administratorrolle" in myself.text
    assert "admin" in engine.user("admin").roles
    assert admin.post("/admin/users/nobody/edit", form).status_code == 404
