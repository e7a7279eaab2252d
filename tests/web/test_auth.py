"""Signing in and out, language, headers (sessions and the throttle: test_sessions_and_throttle.py)."""

from __future__ import annotations

from flask import Flask

from tests.web.conftest import Client


def test_login_page_is_danish_by_default(client: Client) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="da">' in page.text
    assert "Log ind" in page.text and "Brugernavn" in page.text


def test_pages_need_sign_in(client: Client) -> None:
    for path in ("/", "/tasks", "/cases", "/start", "/start/review", "/tasks/x", "/cases/x", "/attachments/x"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location.startswith("/login?next="), path


def test_sign_in_and_out(client: Client) -> None:
    response = client.login("ralf")
    assert response.status_code == 302 and response.location == "/"
    assert "Ralf Reviewer" in client.get("/tasks").text
    assert client.post("/logout").status_code == 302
    assert client.get("/tasks").status_code == 302


def test_sign_in_takes_user_back_to_the_page_asked_for(client: Client) -> None:
    client.refresh_token()
    response = client.post("/login", data={"username": "ralf", "password": "correct-horse-1", "next": "/cases"})
    assert response.location == "/cases"


def test_sign_in_never_redirects_off_site(client: Client) -> None:
    client.refresh_token()
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post("/login", data={"username": "ralf", "password": "correct-horse-1", "next": target})
        assert response.location == "/", target
        client.refresh_token("/tasks")
        client.post("/logout")
        client.refresh_token()


def test_wrong_password_and_unknown_user_read_the_same(client: Client) -> None:
    wrong = client.login("ralf", "nope-nope-nope")
    unknown = client.login("nobody", "nope-nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "Brugernavn eller adgangskode er forkert." in wrong.text
    assert "Brugernavn eller adgangskode er forkert." in unknown.text


def test_head_request_is_not_a_failed_sign_in(client: Client) -> None:
    for _ in range(5):
        assert client.http.head("/login").status_code == 200
    assert client.login("ralf").status_code == 302


def test_sign_out_needs_post_and_csrf(client: Client) -> None:
    client.login("ralf")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.get("/tasks").status_code == 200


def test_login_without_csrf_token_is_refused(client: Client) -> None:
    response = client.post("/login", {"username": "ralf", "password": "correct-horse-1"}, csrf=False)
    assert response.status_code == 400
    assert "Formularen er udløbet" in response.text


def test_session_cookie_flags(client: Client) -> None:
    client.refresh_token()
    response = client.post("/login", data={"username": "ralf", "password": "correct-horse-1"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_session_is_renewed_on_sign_in(client: Client) -> None:
    before = client.refresh_token()
    client.post("/login", data={"username": "ralf", "password": "correct-horse-1"})
    assert client.refresh_token("/tasks") != before  # nothing from before sign-in (the old token) carries over


def test_security_headers(client: Client) -> None:
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


def test_language_switch(client: Client) -> None:
    client.refresh_token()
    response = client.post("/language", {"lang": "en", "next": "/login"})
    assert response.status_code == 302 and response.location == "/login"
    page = client.get("/login")
    assert '<html lang="en">' in page.text and "User name" in page.text
    client.login("ralf")  # the choice survives signing in
    assert "My tasks" in client.get("/tasks").text


def test_language_switch_refuses_unknown_language(client: Client) -> None:
    client.refresh_token()
    assert client.post("/language", {"lang": "xx"}).status_code == 400
    assert client.post("/language", {"lang": "en"}, csrf=False).status_code == 400


def test_removed_account_is_signed_out(app: Flask, client: Client) -> None:
    client.login("olga")
    engine = app.extensions["turnus.engine"]
    from sqlalchemy import update

    from engine.store.tables import users

    with engine.db.begin() as conn:
        conn.execute(update(users).where(users.c.name == "olga").values(active=False))
    assert client.get("/tasks").status_code == 302


def test_static_assets_are_served(client: Client) -> None:
    assert client.get("/static/turnus.css").status_code == 200
    assert client.get("/static/turnus.js").status_code == 200
