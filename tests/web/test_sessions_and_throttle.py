"""Sign-out ends the session on the server; sign-in throttling locks out no one but the guesser."""

from __future__ import annotations

import dataclasses

from flask import Flask

from engine.clock import FixedClock
from engine.service import Engine
from tests.web.conftest import Client
from web import create_app
from web.settings import WebSettings

COOKIE = "turnus_session"


def _at(app: Flask, address: str) -> Client:
    client = Client(app)
    client.http.environ_base["REMOTE_ADDR"] = address
    return client


def _cookie(client: Client) -> str:
    found = client.http.get_cookie(COOKIE)
    assert found is not None
    return found.value


def test_a_copied_cookie_stops_working_at_sign_out(app: Flask, client: Client) -> None:
    assert client.login("ralf").status_code == 302
    copied = _cookie(client)
    assert client.post("/logout").status_code == 302
    thief = Client(app)
    thief.http.set_cookie(COOKIE, copied)
    response = thief.get("/tasks")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_signing_out_in_one_browser_leaves_the_other_signed_in(app: Flask, as_user: object) -> None:
    first, second = as_user("ralf"), as_user("ralf")  # type: ignore[operator]
    assert first.post("/logout").status_code == 302
    assert second.get("/tasks").status_code == 200


def test_a_session_ends_after_the_idle_time(client: Client, clock: FixedClock) -> None:
    client.login("ralf")
    clock.advance(minutes=59)
    assert client.get("/tasks").status_code == 200  # activity moves the idle deadline on
    clock.advance(minutes=59)
    assert client.get("/tasks").status_code == 200
    clock.advance(minutes=61)
    assert client.get("/tasks").status_code == 302


def test_a_session_ends_after_its_maximum_age_however_active(client: Client, clock: FixedClock) -> None:
    """The test settings: 60 minutes idle, 12 hours at most. Every gap below is inside the idle
    limit, so only the maximum age can end the session."""
    client.login("ralf")
    for _ in range(13):  # active every 55 minutes for 11 h 55 min: still signed in
        clock.advance(minutes=55)
        assert client.get("/tasks").status_code == 200
    clock.advance(minutes=4)  # 11 h 59 min since sign-in, 4 minutes since the last request
    assert client.get("/tasks").status_code == 200
    clock.advance(minutes=2)  # 12 h 1 min since sign-in, only 2 minutes idle
    response = client.get("/tasks")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_a_cookie_signed_with_the_key_but_naming_no_session_signs_nobody_in(app: Flask) -> None:
    forger = Client(app)
    with forger.http.session_transaction() as sess:
        sess["sid"] = "made-up"
        sess["user"] = "ralf"  # what the old cookie carried: no longer trusted
    assert forger.get("/tasks").status_code == 302


def test_wrong_passwords_lock_only_that_user_from_that_address(app: Flask) -> None:
    guesser = _at(app, "10.0.0.66")
    for _ in range(3):  # the test settings allow 3 failures per user and address
        assert guesser.login("ralf", "wrong-password").status_code == 401
    locked = guesser.login("ralf")
    assert locked.status_code == 429 and "For mange mislykkede" in locked.text
    assert _at(app, "10.0.0.7").login("ralf").status_code == 302  # ralf himself, at his own desk
    assert _at(app, "10.0.0.66").login("rosa").status_code == 302  # a colleague behind the same address


def test_a_correct_password_clears_the_count(app: Flask) -> None:
    client = _at(app, "10.0.0.8")
    for _ in range(2):
        client.login("ralf", "wrong-password")
    assert client.login("ralf").status_code == 302
    client.post("/logout")
    for _ in range(2):
        assert client.login("ralf", "wrong-password").status_code == 401
    assert client.login("ralf").status_code == 302


def test_one_address_trying_many_accounts_meets_the_looser_address_limit(engine: Engine,
                                                                          web_settings: WebSettings) -> None:
    app = create_app(engine, {"TESTING": True},
                     settings=dataclasses.replace(web_settings, login_max_failures_per_address=4))
    sprayer = _at(app, "10.0.0.99")
    for name in ("ralf", "rosa", "rita", "olga"):
        assert sprayer.login(name, "wrong-password").status_code == 401
    assert sprayer.login("admin").status_code == 429
    assert _at(app, "10.0.0.5").login("admin").status_code == 302


def test_the_lock_lifts_when_the_window_has_passed(app: Flask, clock: FixedClock) -> None:
    client = _at(app, "10.0.0.9")
    for _ in range(3):
        client.login("ralf", "wrong-password")
    assert client.login("ralf").status_code == 429
    clock.advance(seconds=599)
    assert client.login("ralf").status_code == 429
    clock.advance(seconds=2)  # the test settings' window is 600 s
    assert client.login("ralf").status_code == 302


def test_two_app_processes_on_one_database_share_the_count(db_url: str, engine: Engine, clock: FixedClock,
                                                           web_settings: WebSettings) -> None:
    other_engine = Engine.create(db_url, clock=clock)  # what a second gunicorn worker has: its own engine
    try:
        one = create_app(engine, {"TESTING": True}, settings=web_settings)
        two = create_app(other_engine, {"TESTING": True}, settings=web_settings)
        assert _at(one, "10.0.0.3").login("ralf", "wrong-password").status_code == 401
        assert _at(two, "10.0.0.3").login("ralf", "wrong-password").status_code == 401
        assert _at(one, "10.0.0.3").login("ralf", "wrong-password").status_code == 401
        assert _at(two, "10.0.0.3").login("ralf").status_code == 429
        signed_in = _at(one, "10.0.0.4")
        assert signed_in.login("rosa").status_code == 302
        moved = Client(two)  # the next request lands on the other worker
        moved.http.set_cookie(COOKIE, _cookie(signed_in))
        assert moved.get("/tasks").status_code == 200
        signed_in.post("/logout")
        assert moved.get("/tasks").status_code == 302  # signed out everywhere
    finally:
        other_engine.close()


def test_signing_in_again_ends_the_previous_session(app: Flask, client: Client) -> None:
    client.login("ralf")
    old = _cookie(client)
    client.refresh_token("/tasks")
    assert client.post("/login", {"username": "rosa", "password": "correct-horse-1"}).status_code == 302
    replay = Client(app)
    replay.http.set_cookie(COOKIE, old)
    assert replay.get("/tasks").status_code == 302
    assert "Rosa Reviewer" in client.get("/tasks").text
