"""A real SAML 2.0 identity provider for the sign-in tests: pysaml2's own ``saml2.server.Server`` in a process of
its own, behind a small Flask app, with a key and certificate made at test time (``make_keypair``).

Run as ``python -m tests.helpers.saml_idp PORT DIR`` (DIR holds its key pair). Its routes:
- ``GET /metadata``: the IdP's metadata (its signing certificate, SSO and SLO by the redirect binding);
- ``GET /sso``: receives the SP's AuthnRequest (its signature is required) and shows a sign-in form;
  ``POST /sso/login`` with ``ticket`` and ``user`` signs that person in: an auto-posting form to the SP's ACS;
- ``GET /slo``: receives the SP's signed LogoutRequest and answers with a signed LogoutResponse.
Test-only routes:
- ``POST /test/sp`` (body: the SP's metadata XML) is how the IdP learns the SP, as an administrator would;
- ``PUT /users/ID`` ``{"name_id", "attributes": {name: [values]}}`` is what the directory says about ID;
- ``POST /test/misbehave`` ``{"mode": …}``: ``unsigned`` (nothing signed), ``response_only`` (the response
  signed, the assertion not), ``wrong_audience``, ``expired``; ``encrypted`` (signed and encrypted to the SP, not
  a fault: what AD FS sends when the SP's metadata has an encryption key); ``""`` back to normal;
- ``POST /test/logout`` ``{"name_id", "session_index", "signed"}``: an IdP-initiated LogoutRequest, as a URL;
- ``GET /test/logouts``: the NameIDs the SP asked the IdP to sign out.

``start_idp`` starts it on a free port and waits until its metadata answers.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def make_keypair(directory: Path, name: str) -> tuple[Path, Path]:
    """An RSA key and a self-signed certificate for ``name``, valid today (never committed: made per run)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2)).sign(key, hashes.SHA256()))
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def start_idp(directory: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """The IdP process and its base URL (http://127.0.0.1:PORT); its metadata is BASE/metadata."""
    import requests

    from tests.helpers.oidc_provider import free_port

    port = port or free_port()
    make_keypair(directory, "idp")
    proc = subprocess.Popen([sys.executable, "-m", "tests.helpers.saml_idp", str(port), str(directory)], cwd=ROOT,
                            env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/metadata", timeout=1).ok:
                return proc, base
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the SAML identity provider did not start on port {port}")


def _config(base: str, directory: Path, sp_metadata: Path | None) -> dict[str, Any]:
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT

    config: dict[str, Any] = {
        "entityid": f"{base}/metadata", "xmlsec_binary": shutil.which("xmlsec1"),
        "key_file": str(directory / "idp.key"), "cert_file": str(directory / "idp.crt"),
        "service": {"idp": {
            "name": "Test IdP",
            "endpoints": {"single_sign_on_service": [(f"{base}/sso", BINDING_HTTP_REDIRECT)],
                          "single_logout_service": [(f"{base}/slo", BINDING_HTTP_REDIRECT)]},
            "want_authn_requests_signed": True,
            "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            "policy": {"default": {"lifetime": {"minutes": 15}, "name_form": NAME_FORMAT_URI}},
        }},
    }
    if sp_metadata is not None:
        config["metadata"] = {"local": [str(sp_metadata)]}
    return config


def build_app(base: str, directory: Path) -> Any:
    import flask
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.config import IdPConfig
    from saml2.metadata import create_metadata_string
    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
    from saml2.server import Server

    app = flask.Flask(__name__)
    state: dict[str, Any] = {"mode": "", "users": {}, "tickets": {}, "logouts": [], "server": None, "sp": None}

    def server() -> Server:
        if state["server"] is None:
            sp = directory / "sp-metadata.xml"
            config = IdPConfig()
            config.load(_config(base, directory, sp if sp.exists() else None))
            state["server"] = Server(config=config)
        return state["server"]

    @app.get("/metadata")
    def metadata() -> Any:
        config = IdPConfig()
        config.load(_config(base, directory, None))
        found = create_metadata_string(None, config=config)
        return flask.Response(found, mimetype="text/xml")

    @app.post("/test/sp")
    def learn_sp() -> Any:
        (directory / "sp-metadata.xml").write_bytes(flask.request.get_data())
        state["server"] = None
        state["sp"] = next(iter(server().metadata.service_providers()))
        return "", 204

    @app.put("/users/<uid>")
    def set_user(uid: str) -> Any:
        state["users"][uid] = flask.request.get_json()
        return "", 204

    @app.post("/test/misbehave")
    def misbehave() -> Any:
        state["mode"] = str((flask.request.get_json() or {}).get("mode", ""))
        return "", 204

    @app.get("/sso")
    def sso() -> Any:
        args = flask.request.args
        parsed = server().parse_authn_request(args["SAMLRequest"], BINDING_HTTP_REDIRECT, relay_state=args.get(
            "RelayState"), sigalg=args.get("SigAlg"), signature=args.get("Signature"))
        ticket = secrets.token_urlsafe(16)
        state["tickets"][ticket] = (parsed.message, args.get("RelayState", ""))
        return (f'<!DOCTYPE html><html lang="en"><head><title>Test IdP</title></head><body><main><h1>Test IdP</h1>'
                f'<form method="post" action="/sso/login"><input type="hidden" name="ticket" value="{ticket}">'
                '<label for="user">User</label> <input id="user" name="user">'
                '<button type="submit">Sign in at the IdP</button></form></main></body></html>')

    @app.post("/sso/login")
    def sso_login() -> Any:
        message, relay_state = state["tickets"].pop(flask.request.form["ticket"])
        person = state["users"][flask.request.form["user"]]
        mode = state["mode"]
        sp = message.issuer.text
        destination = message.assertion_consumer_service_url or server().metadata.assertion_consumer_service(
            sp, BINDING_HTTP_POST)[0]["location"]
        with _issued_earlier(1800 if mode == "expired" else 0):  # expired: issued 30 min ago, valid 20 min
            response = _answer(server(), person, message, destination, sp, mode)
        info = server().apply_binding(BINDING_HTTP_POST, str(response), destination, relay_state, response=True)
        return info["data"]

    @app.get("/slo")
    def slo() -> Any:
        args = flask.request.args
        parsed = server().parse_logout_request(args["SAMLRequest"], BINDING_HTTP_REDIRECT,
                                               relay_state=args.get("RelayState"), sigalg=args.get("SigAlg"),
                                               signature=args.get("Signature"))
        state["logouts"].append(parsed.message.name_id.text)
        response = server().create_logout_response(parsed.message, [BINDING_HTTP_REDIRECT], sign=False)
        target = server().response_args(parsed.message, [BINDING_HTTP_REDIRECT])["destination"]
        info = server().apply_binding(BINDING_HTTP_REDIRECT, str(response), target, args.get("RelayState", ""),
                                      response=True, sign=True)
        return flask.redirect(dict(info["headers"])["Location"])

    @app.post("/test/logout")
    def idp_initiated_logout() -> Any:
        ask = flask.request.get_json() or {}
        sp = state["sp"]
        target = server().metadata.single_logout_service(sp, BINDING_HTTP_REDIRECT, "spsso")[0]["location"]
        _, request = server().create_logout_request(
            target, sp, name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=ask["name_id"]),
            session_indexes=[ask["session_index"]] if ask.get("session_index") else None, sign=False)
        info = server().apply_binding(BINDING_HTTP_REDIRECT, str(request), target, "", sign=ask.get("signed", True))
        return flask.jsonify(url=dict(info["headers"])["Location"])

    @app.get("/test/logouts")
    def logouts() -> Any:
        return flask.jsonify(state["logouts"])

    return app


def _answer(server: Any, person: dict[str, Any], message: Any, destination: str, sp: str, mode: str) -> Any:
    from saml2.assertion import Policy
    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID

    return server.create_authn_response(
        {k: list(v) for k, v in person.get("attributes", {}).items()}, message.id, destination,
        "https://someone-else.example/sp" if mode == "wrong_audience" else sp,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=person["name_id"]),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
        sign_assertion=mode not in ("unsigned", "response_only"), sign_response=mode == "response_only",
        encrypt_assertion=mode == "encrypted",  # to the certificate in the SP's metadata, as AD FS does
        release_policy=Policy({"default": {"lifetime": {"minutes": -10 if mode == "expired" else 15}}}))


@contextlib.contextmanager
def _issued_earlier(seconds: int) -> Iterator[None]:
    """Make the assertion's NotBefore and the other instants ``seconds`` earlier, as if it had been delayed."""
    import saml2.assertion

    real = saml2.assertion.instant
    if seconds:
        saml2.assertion.instant = lambda *a, **k: real(*a, **({**k, "time_stamp": k.get("time_stamp") or
                                                                    time.time() - seconds}))
    try:
        yield
    finally:
        saml2.assertion.instant = real


if __name__ == "__main__":
    from werkzeug.serving import make_server

    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    make_server("127.0.0.1", port, build_app(f"http://127.0.0.1:{port}", folder), threaded=True).serve_forever()
