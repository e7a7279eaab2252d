"""Turnus wired to a real SAML identity provider process (tests/helpers/saml_idp.py), for the SAML sign-in tests."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask
from flask.testing import FlaskClient

from engine.config import Settings
from engine.service import Engine
from tests.helpers.saml_idp import make_keypair
from web import create_app
from web.settings import WebSettings

UPN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"
NAME = "http://schemas.microsoft.com/identity/claims/displayname"
EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
GROUPS = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
ROLES = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"
PRIVILEGES = "dk:gov:saml:attribute:Privileges_intermediate"
ROLE_MAP = "turnus-revision=auditor,turnus-ejere=process-owner,http://kombit.dk/roles/turnus/admin/1=admin"


def saml_settings(idp: str, keys: Path, base_url: str = "http://localhost", **overrides: Any) -> Settings:
    key, cert = make_keypair(keys, "sp")
    values: dict[str, Any] = {"saml_idp_metadata": f"{idp}/metadata", "saml_sp_key_file": str(key),
                              "saml_sp_cert_file": str(cert), "saml_user_attribute": UPN,
                              "saml_privileges_attribute": PRIVILEGES, "saml_role_map": ROLE_MAP,
                              "saml_name": "Albertslund AD FS", "saml_timeout_seconds": 1.0, "base_url": base_url}
    return Settings(**{**values, **overrides})


def saml_app(db_url: str, tmp: Path, idp: str, register: bool = True, **overrides: Any) -> tuple[Flask, Engine]:
    """Turnus with SAML on, and (``register``) registered at the IdP from its own /auth/saml/metadata."""
    engine = Engine.create(db_url, settings=saml_settings(idp, tmp / "keys", **overrides))
    web = WebSettings(secret_key="saml-test", instance_dir=tmp / "instance", cookie_secure=False, timer_interval=0)
    app = create_app(engine, settings=web)
    if register:
        metadata = app.test_client().get("/auth/saml/metadata")
        assert metadata.status_code == 200, metadata.text
        requests.post(f"{idp}/test/sp", data=metadata.data, timeout=10).raise_for_status()
    return app, engine


def set_person(idp: str, uid: str, name_id: str, **attributes: list[str]) -> None:
    """What the directory says about ``uid`` from now on: its NameID and attributes (by their names)."""
    requests.put(f"{idp}/users/{uid}", json={"name_id": name_id, "attributes": attributes},
                 timeout=5).raise_for_status()


def person(idp: str, uid: str, name_id: str, upn: str, name: str, email: str, groups: list[str],
           roles: list[str] | None = None, privileges: str | None = None) -> None:
    attributes = {UPN: [upn], NAME: [name], EMAIL: [email], GROUPS: groups, ROLES: roles or []}
    if privileges:
        attributes[PRIVILEGES] = [privileges]
    set_person(idp, uid, name_id, **attributes)


def misbehave(idp: str, mode: str) -> None:
    requests.post(f"{idp}/test/misbehave", json={"mode": mode}, timeout=5).raise_for_status()


def idp_answer(client: FlaskClient, uid: str, next_page: str = "") -> dict[str, str]:
    """Start the sign-in in Turnus and sign ``uid`` in at the IdP; returns the form the IdP's page would post
    to Turnus's ACS (SAMLResponse, RelayState)."""
    start = client.get("/auth/saml/login" + (f"?next={next_page}" if next_page else ""))
    assert start.status_code == 302, start.text
    page = requests.get(start.headers["Location"], timeout=10)
    assert page.status_code == 200, page.text
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text)
    assert ticket is not None
    answer = requests.post(f"{_origin(start.headers['Location'])}/sso/login",
                           data={"ticket": ticket.group(1), "user": uid}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert 'action="http://localhost/auth/saml/acs"' in answer.text
    return {k: html.unescape(v) for k, v in re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"',
                                                       answer.text)}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
