"""Fixtures for the web inbox: an engine on a fresh SQLite file, people, processes, signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.clock import FixedClock
from engine.service import Engine
from tests.conftest import migrated
from web import create_app
from web.settings import WebSettings

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
PASSWORD = "correct-horse-1"
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
_HASH: list[str] = []
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def password_hash() -> str:
    """PASSWORD as Argon2id with argon2-cffi's cheapest parameters. The engine verifies a hash by the parameters
    it names (engine/passwords.py), so sign-in runs the same code; with the recommended ones each of the
    suite's sign-ins cost ~0.1 s of CPU. A password an administrator sets is hashed with the recommended ones
    (tests/web/test_admin.py signs in with one)."""
    if not _HASH:
        _HASH.append(PasswordHasher.from_parameters(profiles.CHEAPEST).hash(PASSWORD))
    return _HASH[0]


class Client:
    """A test client that signs in and sends the CSRF token with every POST."""

    def __init__(self, app: Flask):
        self.app = app
        self.http: FlaskClient = app.test_client()
        self.token = ""

    def refresh_token(self, path: str = "/login") -> str:
        page = self.http.get(path)
        found = CSRF_RE.search(page.text)
        assert found, f"no CSRF token on {path}: {page.status_code}"
        self.token = found.group(1)
        return self.token

    def login(self, name: str, password: str = PASSWORD) -> TestResponse:
        self.refresh_token("/login")
        response = self.http.post("/login", data={"username": name, "password": password, "csrf_token": self.token})
        if response.status_code == 302:
            self.refresh_token("/tasks")
        return response

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.http.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> TestResponse:
        payload = dict(data or {})
        if csrf:
            payload.setdefault("csrf_token", self.token)
        return self.http.post(path, data=payload, **kwargs)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def engine(db_url: str, clock: FixedClock, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """SQLite always; PostgreSQL too when TURNUS_TEST_POSTGRES_URL is set (tests/conftest.py's db_url)."""
    eng = Engine.create(migrated(db_url, tmp_path_factory), clock=clock)
    eng.deploy_paths([ROOT / "tests" / "integration" / "processes" / "review.bpmn",
                      HERE / "processes" / "widgets.bpmn"], actor="system")
    people = [("rita", "Rita Requester", ()), ("ralf", "Ralf Reviewer", ("reviewers",)),
              ("rosa", "Rosa Reviewer", ("reviewers",)), ("olga", "Olga Outsider", ())]
    for name, display, groups in people:
        eng.add_user(name, display_name=display, groups=groups, password_hash=password_hash())
    eng.add_user("admin", display_name="Admin", roles=["admin"], password_hash=password_hash())
    yield eng
    eng.close()


@pytest.fixture
def web_settings(tmp_path: Path) -> WebSettings:
    return WebSettings(secret_key="test-secret", instance_dir=tmp_path / "instance", cookie_secure=True,
                       session_minutes=60, session_max_hours=12, login_max_failures=3, login_window_seconds=600,
                       max_upload_bytes=200_000, trusted_proxies=0, timer_interval=0, page_size=5)


@pytest.fixture
def app(engine: Engine, web_settings: WebSettings) -> Flask:
    return create_app(engine, {"TESTING": True}, settings=web_settings)


@pytest.fixture
def client(app: Flask) -> Client:
    return Client(app)


@pytest.fixture
def as_user(app: Flask) -> Any:
    """as_user("ralf") -> a Client signed in as ralf."""
    def make(name: str) -> Client:
        c = Client(app)
        assert c.login(name).status_code == 302
        return c
    return make


REQUEST = {"title": "New chairs", "amount": "300", "needed_by": "2027-05-01", "urgent": "true"}


def start_review(engine: Engine, by: str = "rita", **data: Any) -> str:
    return engine.start("review", by, {"title": "New chairs", "amount": 300, "needed_by": "2027-05-01", **data})


# widgets.bpmn's start form, filled in: every kind of field the inbox renders
PROPOSAL = {"title": "Handbook for network leaders", "manager": "olga", "hours": 10, "start_date": "2027-05-03",
            "size": "medium", "network": "learning", "description": "Collect\nwhat we learned", "urgent": True}


def start_widgets(engine: Engine, by: str = "rita", **data: Any) -> str:
    return engine.start("widgets", by, {**PROPOSAL, **data})


def open_task(engine: Engine, case_id: str) -> str:
    view = engine.case(case_id, None)
    return view.open_tasks[0].id
