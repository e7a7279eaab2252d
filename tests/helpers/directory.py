"""Turnus wired to a real OpenID provider process (tests/helpers/oidc_provider.py), for the sign-in tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from flask import Flask
from flask.testing import FlaskClient

from engine.config import Settings
from engine.service import Engine
from web import create_app
from web.settings import WebSettings

CLIENT_ID = "turnus"
ROLE_MAP = "turnus-revision=auditor,turnus-ejere=process-owner"


def directory_settings(issuer: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"oidc_issuer": issuer, "oidc_client_id": CLIENT_ID, "oidc_client_secret": "s3cret",
                              "oidc_role_map": ROLE_MAP, "oidc_name": "Albertslund", "oidc_timeout_seconds": 1.0}
    return Settings(**{**values, **overrides})


def directory_app(db_url: str, tmp: Path, issuer: str, **overrides: Any) -> tuple[Flask, Engine]:
    engine = Engine.create(db_url, settings=directory_settings(issuer, **overrides))
    web = WebSettings(secret_key="directory-test", instance_dir=tmp / "instance", cookie_secure=False,
                      timer_interval=0)
    return create_app(engine, settings=web), engine


def set_person(issuer: str, sub: str, **claims: Any) -> None:
    """What the directory says about ``sub`` from now on (the provider's own user store)."""
    requests.put(f"{issuer}/users/{sub}", json=claims, timeout=5).raise_for_status()


def misbehave(issuer: str, mode: str, claimed_issuer: str = "") -> None:
    """Make the provider send bad ID tokens (``mode``) or name another issuer in discovery; "" is normal."""
    requests.post(f"{issuer}/test/misbehave", json={"id_token": mode, "issuer": claimed_issuer},
                  timeout=5).raise_for_status()


def authorize(client: FlaskClient, sub: str) -> tuple[str, dict[str, list[str]]]:
    """Start the sign-in in Turnus and pick ``sub`` at the provider; returns the callback path with its query
    and what Turnus asked the provider for."""
    start = client.get("/auth/oidc/login")
    assert start.status_code == 302, start.text
    asked = parse_qs(urlsplit(start.headers["Location"]).query)
    answer = requests.post(start.headers["Location"], data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}", asked
