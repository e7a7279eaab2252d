"""A real OpenID Connect provider for the sign-in tests: PyPI's ``oidc-provider-mock`` (authlib's authorization
server: discovery, JWKS, authorization code, ID tokens signed with its own RSA key) in a process of its own.

Run as ``python -m tests.helpers.oidc_provider PORT``. Two test-only routes sit beside the provider's:
- ``POST /test/misbehave`` ``{"id_token": MODE, "issuer": URL}`` makes the token endpoint hand out a bad ID token
  (``expired``, ``unsigned``, ``wrong_aud``, ``wrong_iss``; ``""`` back to normal): what a broken or hostile
  provider would send, signed with the provider's real key unless the mode is ``unsigned``; ``issuer`` makes
  discovery name another issuer.
- ``POST /test/backchannel-logout`` ``{"target", "aud", "sub" | "sid", "signed"}`` sends an OpenID Connect
  back-channel logout token, signed with the provider's key, to Turnus's endpoint and returns its answer.

``start_provider`` starts it on a free port and waits until discovery answers.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
_MODE: dict[str, str] = {"id_token": "", "issuer": ""}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_provider(port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """The provider process and its issuer URL (http://127.0.0.1:PORT)."""
    import requests

    port = port or free_port()
    env = {**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "tests.helpers.oidc_provider", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return proc, issuer
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the OpenID provider did not start on port {port}")


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims_of(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


def _sign(claims: dict[str, Any], signed: bool = True) -> str:
    import flask
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    if not signed:
        return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    jwk = flask.g.oidc_provider_mock_storage.jwk
    key = RSAKey.import_key(jwk.as_dict(is_private=True))
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _spoil(token: str, mode: str) -> str:
    claims = _claims_of(token)
    if mode == "expired":
        claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    elif mode == "wrong_aud":
        claims["aud"] = "someone-else"
    elif mode == "wrong_iss":
        claims["iss"] = "http://evil.example"
    return _sign(claims, signed=mode != "unsigned")


def build_app() -> Any:
    import flask
    import requests
    from oidc_provider_mock import app as provider_app

    app = provider_app(require_nonce=True)

    @app.post("/test/misbehave")
    def misbehave() -> Any:
        ask = flask.request.get_json() or {}
        _MODE.update(id_token=str(ask.get("id_token", "")), issuer=str(ask.get("issuer", "")))
        return "", 204

    @app.after_request
    def spoil_token(response: flask.Response) -> flask.Response:
        if _MODE["issuer"] and flask.request.path == "/.well-known/openid-configuration":
            response.set_data(json.dumps({**json.loads(response.get_data()), "issuer": _MODE["issuer"]}))
        mode = _MODE["id_token"]
        if mode and flask.request.path == "/oauth2/token" and response.status_code == 200:
            body = json.loads(response.get_data())
            if "id_token" in body:
                body["id_token"] = _spoil(body["id_token"], mode)
                response.set_data(json.dumps(body))
        return response

    @app.post("/test/backchannel-logout")
    def send_logout() -> Any:
        ask = flask.request.get_json() or {}
        now = int(time.time())
        claims = {"iss": flask.request.host_url.rstrip("/"), "aud": ask["aud"], "iat": ask.get("iat", now),
                  "jti": str(uuid.uuid4()), "events": {"http://schemas.openid.net/event/backchannel-logout": {}}}
        claims.update({k: ask[k] for k in ("sub", "sid", "nonce") if k in ask})
        token = _sign(claims, signed=ask.get("signed", True))
        answer = requests.post(ask["target"], data={"logout_token": token}, timeout=5)
        return flask.jsonify(status=answer.status_code, body=answer.text)

    return app


if __name__ == "__main__":
    from werkzeug.serving import make_server

    make_server("127.0.0.1", int(sys.argv[1]), build_app(), threaded=True).serve_forever()
