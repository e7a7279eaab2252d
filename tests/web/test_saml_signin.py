"""Signing in with the directory by SAML 2.0 (issue 25), against a real identity provider process (pysaml2's own
Server), HTTP level: the directory decides who someone is and what they may do; every refusal is a Danish page,
creates nothing, is logged, and is never a 500."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask.testing import FlaskClient

from engine.cases import privileges
from engine.service import Engine
from tests.helpers.oidc_provider import free_port
from tests.helpers.saml import idp_answer, misbehave, person, saml_app
from tests.helpers.saml_idp import start_idp

ANNE = "Anne.Hansen@albertslund.dk"


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_idp(tmp_path_factory.mktemp("idp"))
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def site(db_url: str, tmp_path: Path, idp: str) -> Iterator[tuple[FlaskClient, Engine]]:
    misbehave(idp, "")
    app, engine = saml_app(db_url, tmp_path, idp)
    yield app.test_client(), engine
    engine.close()


def _anne(idp: str, groups: list[str], roles: list[str] | None = None, privileges: str | None = None) -> None:
    person(idp, "anne", "nid-7f3a-anne", ANNE, "Anne Hansen", "anne@albertslund.dk", groups, roles, privileges)


def _danish(page: str) -> None:
    assert "Du blev ikke logget ind" in page and "Traceback" not in page


def _sign_in(client: FlaskClient, idp: str, next_page: str = "") -> str:
    done = client.post("/auth/saml/acs", data=idp_answer(client, "anne", next_page))
    assert done.status_code == 302, done.text
    return done.headers["Location"]


def test_the_sign_in_page_offers_saml(site: tuple[FlaskClient, Engine]) -> None:
    page = site[0].get("/login").text
    assert "Log ind med Albertslund AD FS" in page and 'href="/auth/saml/login?next=/"' in page


def test_the_metadata_describes_turnus_as_a_signing_service_provider(site: tuple[FlaskClient, Engine]) -> None:
    from saml2.md import entity_descriptor_from_string

    client, engine = site
    answer = client.get("/auth/saml/metadata")
    assert answer.status_code == 200 and answer.mimetype == "application/samlmetadata+xml"
    descriptor = entity_descriptor_from_string(answer.data)
    assert descriptor.entity_id == "http://localhost/auth/saml/metadata"
    assert descriptor.signature is not None  # signed with Turnus's key
    sp = descriptor.spsso_descriptor[0]
    assert sp.authn_requests_signed == "true" and sp.want_assertions_signed == "true"
    assert [(a.binding, a.location) for a in sp.assertion_consumer_service] == [
        ("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", "http://localhost/auth/saml/acs")]
    assert {s.location for s in sp.single_logout_service} == {"http://localhost/auth/saml/sls"}
    ours = Path(str(engine.settings.saml_sp_cert_file)).read_text().split("-----")[2].replace("\n", "")
    assert {k.key_info.x509_data[0].x509_certificate.text.replace("\n", "") for k in sp.key_descriptor} == {ours}


def test_first_sign_in_creates_the_user_and_the_directory_decides_groups_and_roles(
        site: tuple[FlaskClient, Engine], idp: str) -> None:
    client, engine = site
    _anne(idp, ["Netvaerkssekretariat", "turnus-revision"])
    assert _sign_in(client, idp, next_page="/tasks") == "/tasks"
    anne = engine.user("anne.hansen@albertslund.dk")
    assert anne.written_id == ANNE and anne.display_name == "Anne Hansen"
    assert anne.groups == {"netvaerkssekretariat", "turnus-revision"} and anne.roles == {"auditor"}
    assert client.get("/tasks").status_code == 200

    _anne(idp, ["turnus-ejere"])  # moved out of the secretariat in the directory
    other = client.application.test_client()
    _sign_in(other, idp)
    anne = engine.user(ANNE)
    assert anne.groups == {"turnus-ejere"} and anne.roles == {"process-owner"}
    engine.add_user("revisor", roles=["auditor"])
    entries = engine.admin_log("revisor", "user:anne.hansen@albertslund.dk")
    changes = [(e.action, e.details) for e in entries]
    assert ("user_groups_replaced", {"before": ["netvaerkssekretariat", "turnus-revision"],
                                     "after": ["turnus-ejere"]}) in changes
    assert ("user_roles_replaced", {"before": ["auditor"], "after": ["process-owner"]}) in changes
    assert ("user_added", {"login": ANNE, "subject": "nid-7f3a-anne"}) in changes
    assert {e.actor for e in entries} == {"directory:saml"}


def test_a_kombit_privilege_list_gives_a_role(site: tuple[FlaskClient, Engine], idp: str) -> None:
    client, engine = site
    granted = privileges.encode({"urn:dk:gov:saml:cvrNumberIdentifier:11931316": [
        "http://kombit.dk/roles/turnus/admin/1", "http://kombit.dk/roles/turnus/ukendt/1"]})
    _anne(idp, [], privileges=granted)
    _sign_in(client, idp)
    assert engine.user(ANNE).roles == {"admin"}


def test_an_encrypted_assertion_is_decrypted_with_turnus_s_key(site: tuple[FlaskClient, Engine], idp: str) -> None:
    client, engine = site
    _anne(idp, ["netvaerkssekretariat"])
    misbehave(idp, "encrypted")
    form = idp_answer(client, "anne")
    assert "EncryptedAssertion" in base64.b64decode(form["SAMLResponse"]).decode()
    assert client.post("/auth/saml/acs", data=form).status_code == 302
    assert engine.user(ANNE).groups == {"netvaerkssekretariat"}


def test_a_directory_user_cannot_sign_in_with_a_password(site: tuple[FlaskClient, Engine], idp: str) -> None:
    from engine.passwords import hash_password

    client, engine = site
    engine.add_user("anne.hansen@albertslund.dk", password_hash=hash_password("old-local-password"))
    _anne(idp, [])
    _sign_in(client, idp)  # the directory takes the account over
    fresh = client.application.test_client()
    token = fresh.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = fresh.post("/login", data={"username": ANNE, "password": "old-local-password", "csrf_token": token})
    assert refused.status_code == 401


@pytest.mark.parametrize(("mode", "reason"), [("unsigned", "saml_signature"), ("response_only", "saml_signature"),
                                             ("wrong_audience", "saml_audience"), ("expired", "saml_expired")])
def test_a_bad_assertion_is_refused_in_danish_and_creates_nothing(site: tuple[FlaskClient, Engine], idp: str,
                                                                 mode: str, reason: str,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    client, engine = site
    _anne(idp, ["netvaerkssekretariat"])
    misbehave(idp, mode)
    form = idp_answer(client, "anne")
    with caplog.at_level("WARNING", logger="turnus.web.saml"):
        refused = client.post("/auth/saml/acs", data=form)
    assert refused.status_code == 400 and f'data-reason="{reason}"' in refused.text
    _danish(refused.text)
    assert any(f"refused ({reason})" in r.getMessage() for r in caplog.records)
    assert engine.users() == [] and client.get("/tasks").status_code == 302


def test_a_replayed_or_unsolicited_response_is_refused(site: tuple[FlaskClient, Engine], idp: str) -> None:
    client, engine = site
    _anne(idp, [])
    form = idp_answer(client, "anne")
    stranger = client.application.test_client()  # another browser: it never asked for this
    unsolicited = stranger.post("/auth/saml/acs", data=form)
    assert unsolicited.status_code == 400 and 'data-reason="saml_unsolicited"' in unsolicited.text
    _danish(unsolicited.text)
    assert engine.users() == []

    before = client.get_cookie("turnus_saml", path="/auth/saml/")  # the sign-ins this browser started
    assert before is not None
    assert client.post("/auth/saml/acs", data=form).status_code == 302
    again = client.post("/auth/saml/acs", data=form)  # the same browser: its request was answered already
    assert again.status_code == 400 and 'data-reason="saml_unsolicited"' in again.text
    thief = client.application.test_client()  # the cookie from before, and the same response, a second time
    thief.set_cookie("turnus_saml", before.value, path="/auth/saml/")
    replayed = thief.post("/auth/saml/acs", data=form)
    assert replayed.status_code == 400 and 'data-reason="replayed"' in replayed.text
    _danish(replayed.text)
    assert thief.get("/tasks").status_code == 302 and len(engine.users()) == 1


def test_the_sign_in_survives_a_cross_site_post_without_the_session_cookie(site: tuple[FlaskClient, Engine],
                                                                          idp: str) -> None:
    """Browsers leave the SameSite=Lax session cookie out of the IdP page's POST; the sign-in must not need it."""
    client, engine = site
    _anne(idp, [])
    form = idp_answer(client, "anne", next_page="/tasks")
    client.delete_cookie("turnus_session")
    done = client.post("/auth/saml/acs", data=form)
    assert done.status_code == 302 and done.headers["Location"] == "/tasks"
    assert client.get("/tasks").status_code == 200 and engine.user(ANNE).display_name == "Anne Hansen"


def test_garbage_instead_of_a_response_is_a_page_not_a_500(site: tuple[FlaskClient, Engine]) -> None:
    client, _ = site
    client.get("/auth/saml/login")
    laughs = base64.b64encode(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;'
                              b'&a;&a;&a;&a;&a;&a;&a;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:'
                              b'protocol">&b;</samlp:Response>').decode()  # entities: defusedxml refuses them
    for junk in ("", "bm90IHhtbA==", "<<<", laughs):
        refused = client.post("/auth/saml/acs", data={"SAMLResponse": junk})
        assert refused.status_code == 400 and 'data-reason="saml_invalid"' in refused.text


def test_sign_out_goes_to_the_idp_and_comes_back(site: tuple[FlaskClient, Engine], idp: str) -> None:
    client, _ = site
    _anne(idp, [])
    _sign_in(client, idp)
    token = client.get("/tasks").text.split('name="csrf_token" value="')[1].split('"')[0]
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 302 and out.headers["Location"].startswith(f"{idp}/slo?")
    asked = parse_qs(urlsplit(out.headers["Location"]).query)
    assert asked["SAMLRequest"] and asked["Signature"] and asked["SigAlg"]  # signed by the redirect binding
    assert client.get("/tasks").status_code == 302  # signed out here already
    back = requests.get(out.headers["Location"], allow_redirects=False, timeout=10)  # the IdP checks our signature
    assert back.status_code == 302 and back.headers["Location"].startswith("http://localhost/auth/saml/sls?")
    assert "nid-7f3a-anne" in requests.get(f"{idp}/test/logouts", timeout=5).json()
    parts = urlsplit(back.headers["Location"])
    done = client.get(f"{parts.path}?{parts.query}")
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert "Du er også logget ud af kommunens login" in client.get("/login").text


def test_the_idp_can_sign_someone_out_but_only_with_a_signed_request(site: tuple[FlaskClient, Engine],
                                                                    idp: str) -> None:
    client, _ = site
    _anne(idp, [])
    _sign_in(client, idp)
    other = client.application.test_client()  # a second browser of Anne's
    _sign_in(other, idp)
    forged = requests.post(f"{idp}/test/logout", json={"name_id": "nid-7f3a-anne", "signed": False},
                           timeout=10).json()["url"]
    parts = urlsplit(forged)
    refused = client.get(f"{parts.path}?{parts.query}")
    assert refused.status_code == 400 and 'data-reason="saml_logout"' in refused.text
    assert client.get("/tasks").status_code == 200 and other.get("/tasks").status_code == 200

    signed = requests.post(f"{idp}/test/logout", json={"name_id": "nid-7f3a-anne"}, timeout=10).json()["url"]
    parts = urlsplit(signed)
    answer = client.get(f"{parts.path}?{parts.query}")
    assert answer.status_code == 302 and answer.headers["Location"].startswith(f"{idp}/slo?SAMLResponse=")
    assert client.get("/tasks").status_code == 302 and other.get("/tasks").status_code == 302


def test_an_idp_that_is_down_slow_or_not_saml_is_a_page_not_a_500(db_url: str, tmp_path: Path) -> None:
    app, engine = saml_app(db_url, tmp_path, f"http://127.0.0.1:{free_port()}", register=False)  # nobody listens
    down = app.test_client().get("/auth/saml/login")
    assert down.status_code == 503 and 'data-reason="idp_down"' in down.text
    _danish(down.text)
    assert app.test_client().get("/auth/saml/metadata").status_code == 200  # ours needs no IdP
    engine.close()
    silent = socket.socket()  # accepts the connection and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        app, engine = saml_app(db_url, tmp_path, f"http://127.0.0.1:{silent.getsockname()[1]}", register=False)
        slow = app.test_client().get("/auth/saml/login")
        assert slow.status_code == 503 and 'data-reason="idp_slow"' in slow.text
        engine.close()
    finally:
        silent.close()
    junk = tmp_path / "not-metadata.xml"
    junk.write_text("<html>Sign in</html>")
    app, engine = saml_app(db_url, tmp_path, "", register=False, saml_idp_metadata=str(junk))
    broken = app.test_client().get("/auth/saml/login")
    assert broken.status_code == 503 and 'data-reason="idp_metadata"' in broken.text
    _danish(broken.text)
    engine.close()


def test_saml_needs_turnus_s_own_key_and_a_valid_role_map(tmp_path: Path) -> None:
    from engine.config import Settings
    from engine.errors import SettingInvalid

    with pytest.raises(SettingInvalid, match="TURNUS_SAML_SP_KEY_FILE"):
        Settings(saml_idp_metadata="https://adfs.example/metadata.xml")
    with pytest.raises(SettingInvalid, match="TURNUS_SAML_ROLE_MAP entry 'auditor'"):
        Settings(saml_role_map="auditor").saml_roles()


def test_openid_connect_and_saml_can_both_be_offered(db_url: str, tmp_path: Path, idp: str) -> None:
    oidc = f"http://127.0.0.1:{free_port()}"  # its discovery is read at the first sign-in, not for the page
    app, engine = saml_app(db_url, tmp_path, idp, register=False, oidc_issuer=oidc, oidc_client_id="turnus",
                           oidc_name="Entra ID")
    page = app.test_client().get("/login")
    assert "Log ind med Entra ID" in page.text and "Log ind med Albertslund AD FS" in page.text
    form_action = page.headers["Content-Security-Policy"].split("form-action")[1].split(";")[0]
    assert oidc in form_action and idp in form_action  # signing out may end at either
    engine.close()
