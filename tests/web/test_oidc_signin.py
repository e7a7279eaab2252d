"""Signing in with the directory by OpenID Connect (issue 25), against a real provider process, HTTP level:
the directory decides who someone is and what they may do; every refusal is a Danish page, creates nothing,
and is never a 500."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient

from engine.service import Engine
from tests.helpers.directory import CLIENT_ID, authorize, directory_app, misbehave, set_person
from tests.helpers.oidc_provider import free_port, start_provider

ANNE = "Anne.Hansen@albertslund.dk"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    proc, url = start_provider()
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def site(db_url: str, tmp_path: Path, issuer: str) -> Iterator[tuple[FlaskClient, Engine]]:
    misbehave(issuer, "")
    app, engine = directory_app(db_url, tmp_path, issuer)
    yield app.test_client(), engine
    engine.close()


def _anne(issuer: str, groups: list[str], roles: list[str] | None = None) -> None:
    set_person(issuer, "sub-anne", preferred_username=ANNE, name="Anne Hansen", email="anne@albertslund.dk",
               groups=groups, roles=roles or [])


def _danish(page: str) -> None:
    assert "Du blev ikke logget ind" in page and "Traceback" not in page


def test_the_sign_in_page_offers_the_directory(site: tuple[FlaskClient, Engine]) -> None:
    client, _ = site
    page = client.get("/login").text
    assert "Log ind med Albertslund" in page and 'name="password"' in page


def test_first_sign_in_creates_the_user_and_the_directory_decides_groups_and_roles(
        site: tuple[FlaskClient, Engine], issuer: str) -> None:
    client, engine = site
    _anne(issuer, ["Netvaerkssekretariat", "turnus-revision"])
    callback, asked = authorize(client, "sub-anne")
    assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"][0]
    assert asked["state"][0] and asked["nonce"][0] and asked["client_id"] == [CLIENT_ID]
    done = client.get(callback)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    anne = engine.user("anne.hansen@albertslund.dk")
    assert anne.written_id == ANNE and anne.display_name == "Anne Hansen"
    assert anne.groups == {"netvaerkssekretariat", "turnus-revision"} and anne.roles == {"auditor"}
    assert client.get("/tasks").status_code == 200

    _anne(issuer, ["turnus-ejere"])  # moved out of the secretariat in the directory
    other = site[0].application.test_client()
    assert other.get(authorize(other, "sub-anne")[0]).status_code == 302
    anne = engine.user(ANNE)
    assert anne.groups == {"turnus-ejere"} and anne.roles == {"process-owner"}
    engine.add_user("revisor", roles=["auditor"])
    changes = [(e.action, e.details) for e in engine.admin_log("revisor", "user:anne.hansen@albertslund.dk")]
    assert ("user_groups_replaced", {"before": ["netvaerkssekretariat", "turnus-revision"],
                                     "after": ["turnus-ejere"]}) in changes
    assert ("user_roles_replaced", {"before": ["auditor"], "after": ["process-owner"]}) in changes
    assert ("user_added", {"login": ANNE, "subject": "sub-anne"}) in changes


def test_a_directory_user_cannot_sign_in_with_a_password(site: tuple[FlaskClient, Engine], issuer: str) -> None:
    from engine.passwords import hash_password

    client, engine = site
    engine.add_user("anne.hansen@albertslund.dk", password_hash=hash_password("old-local-password"))
    _anne(issuer, [])
    assert client.get(authorize(client, "sub-anne")[0]).status_code == 302  # the directory takes the account over
    fresh = client.application.test_client()
    token = fresh.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = fresh.post("/login", data={"username": ANNE, "password": "old-local-password", "csrf_token": token})
    assert refused.status_code == 401


def test_sign_out_ends_the_session_and_goes_to_the_provider(site: tuple[FlaskClient, Engine], issuer: str) -> None:
    client, _ = site
    _anne(issuer, [])
    client.get(authorize(client, "sub-anne")[0])
    token = client.get("/tasks").text.split('name="csrf_token" value="')[1].split('"')[0]
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 302 and out.headers["Location"].startswith(f"{issuer}/oauth2/end_session?")
    assert "post_logout_redirect_uri=http%3A%2F%2Flocalhost%2Flogin" in out.headers["Location"]
    assert "id_token_hint=" in out.headers["Location"]
    assert client.get("/tasks").status_code == 302  # signed out here


def test_back_channel_logout_ends_that_persons_sessions(site: tuple[FlaskClient, Engine], issuer: str) -> None:
    client, _ = site
    _anne(issuer, [])
    client.get(authorize(client, "sub-anne")[0])
    assert client.get("/tasks").status_code == 200
    port = free_port()  # the provider's server calls Turnus's endpoint over HTTP, so Turnus listens for real
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, client.application, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    target = f"http://127.0.0.1:{port}/auth/oidc/backchannel-logout"
    try:
        unsigned = requests.post(f"{issuer}/test/backchannel-logout", timeout=10,
                                 json={"target": target, "aud": CLIENT_ID, "sub": "sub-anne", "signed": False})
        assert unsigned.json()["status"] == 400 and client.get("/tasks").status_code == 200
        wrong_aud = requests.post(f"{issuer}/test/backchannel-logout", timeout=10,
                                  json={"target": target, "aud": "other-app", "sub": "sub-anne"})
        assert wrong_aud.json()["status"] == 400 and client.get("/tasks").status_code == 200
        ok = requests.post(f"{issuer}/test/backchannel-logout", timeout=10,
                           json={"target": target, "aud": CLIENT_ID, "sub": "sub-anne"})
        assert ok.json()["status"] == 200 and '"ended": 1' in ok.json()["body"].replace(":1", ": 1")
    finally:
        server.shutdown()
    assert client.get("/tasks").status_code == 302  # the server-side session is gone


@pytest.mark.parametrize(("mode", "reason"), [("expired", "id_token_expired"), ("unsigned", "id_token"),
                                             ("wrong_aud", "id_token"), ("wrong_iss", "id_token")])
def test_a_bad_id_token_is_refused_in_danish_and_creates_nothing(site: tuple[FlaskClient, Engine], issuer: str,
                                                                mode: str, reason: str,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    client, engine = site
    _anne(issuer, ["netvaerkssekretariat"])
    callback, _ = authorize(client, "sub-anne")
    misbehave(issuer, mode)
    with caplog.at_level("WARNING", logger="turnus.web.oidc"):
        refused = client.get(callback)
    assert refused.status_code == 400 and f'data-reason="{reason}"' in refused.text
    _danish(refused.text)
    assert any(f"refused ({reason})" in r.getMessage() for r in caplog.records)
    assert engine.users() == [] and client.get("/tasks").status_code == 302


def test_wrong_or_missing_state_is_refused(site: tuple[FlaskClient, Engine], issuer: str) -> None:
    client, engine = site
    _anne(issuer, [])
    callback, _ = authorize(client, "sub-anne")
    stranger = client.application.test_client()  # another browser: it never started this sign-in
    refused = stranger.get(callback)
    assert refused.status_code == 400 and 'data-reason="state"' in refused.text
    _danish(refused.text)
    missing = client.get(callback.split("&state=")[0] if "&state=" in callback else callback.split("state=")[0])
    assert missing.status_code == 400
    assert engine.users() == []


def test_a_replayed_code_is_refused(site: tuple[FlaskClient, Engine], issuer: str) -> None:
    client, engine = site
    _anne(issuer, [])
    callback, _ = authorize(client, "sub-anne")
    before = client.get_cookie("turnus_session")
    assert before is not None
    assert client.get(callback).status_code == 302
    thief = client.application.test_client()  # the same cookie and the same code, a second time
    thief.set_cookie("turnus_session", before.value)
    replayed = thief.get(callback)
    assert replayed.status_code == 400 and 'data-reason="code"' in replayed.text
    _danish(replayed.text)
    assert len(engine.users()) == 1


def test_a_provider_that_is_down_or_slow_is_a_page_not_a_500(db_url: str, tmp_path: Path) -> None:
    app, engine = directory_app(db_url, tmp_path, f"http://127.0.0.1:{free_port()}")  # nobody listens
    down = app.test_client().get("/auth/oidc/login")
    assert down.status_code == 503 and 'data-reason="provider_down"' in down.text
    _danish(down.text)
    engine.close()
    silent = socket.socket()  # accepts the connection and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        app, engine = directory_app(db_url, tmp_path, f"http://127.0.0.1:{silent.getsockname()[1]}")
        slow = app.test_client().get("/auth/oidc/login")
        assert slow.status_code == 503 and 'data-reason="provider_slow"' in slow.text
        engine.close()
    finally:
        silent.close()


def test_a_provider_claiming_another_issuer_is_refused(db_url: str, tmp_path: Path, issuer: str) -> None:
    misbehave(issuer, "", claimed_issuer="http://evil.example")
    app, engine = directory_app(db_url, tmp_path, issuer)
    try:
        refused = app.test_client().get("/auth/oidc/login")
    finally:
        misbehave(issuer, "")
        engine.close()
    assert refused.status_code == 400 and 'data-reason="wrong_issuer"' in refused.text
    _danish(refused.text)


def test_local_login_can_be_switched_off(db_url: str, tmp_path: Path, issuer: str) -> None:
    app, engine = directory_app(db_url, tmp_path, issuer, local_login=False)
    client = app.test_client()
    page = client.get("/login").text
    assert "Log ind med Albertslund" in page and 'name="password"' not in page
    assert client.post("/login", data={"username": "x", "password": "y"}).status_code in (400, 403)
    engine.close()
