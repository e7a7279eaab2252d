"""The OpenID Connect client (issue 25), through authlib: discovery, the authorization-code flow with PKCE (S256),
``state`` and ``nonce``, the ID token checked against the provider's keys, RP-initiated and back-channel logout.

Every call to the provider has a bounded timeout (TURNUS_OIDC_TIMEOUT_SECONDS). What goes wrong is raised as
``SignInRefused`` with a reason the sign-in page explains; nothing here decides who a person is (the engine does).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app

from engine.config import Settings

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_MAX_AGE = 300  # seconds: a logout token older than this is refused (it may be a replay)


class SignInRefused(Exception):
    """A sign-in (or logout token) the provider's answer does not allow; ``reason`` picks the page's text."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def init_oidc(app: Flask, settings: Settings) -> None:
    """Register the provider when TURNUS_OIDC_ISSUER and _CLIENT_ID are set (discovery happens at first use)."""
    if not settings.oidc_enabled:
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    oauth.register(
        "directory", client_id=settings.oidc_client_id, client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256",
                       "default_timeout": settings.oidc_timeout_seconds},
    )
    app.extensions["turnus.oidc"] = oauth.create_client("directory")


def origin(settings: Settings) -> str | None:
    """scheme://host[:port] of the issuer (its end-session endpoint lives there: Entra ID, AD FS), or None."""
    if not settings.oidc_enabled:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(str(settings.oidc_issuer))
    return f"{parts.scheme}://{parts.netloc}"


def client() -> Any | None:
    return current_app.extensions.get("turnus.oidc")


def _issuer() -> str:
    return str(current_app.extensions["turnus.engine"].settings.oidc_issuer)


def metadata() -> dict[str, Any]:
    """The provider's discovery document, fetched once per process; its issuer must be the configured one."""
    import requests

    oidc = client()
    try:
        found = oidc.load_server_metadata()
    except requests.Timeout as err:
        raise SignInRefused("provider_slow", str(err)) from None
    except (requests.RequestException, ValueError) as err:
        raise SignInRefused("provider_down", str(err)) from None
    if found.get("issuer", "").rstrip("/") != _issuer():
        oidc.server_metadata.pop("_loaded_at", None)  # look again next time: the provider may be fixed
        raise SignInRefused("wrong_issuer", f"discovery says {found.get('issuer')!r}, expected {_issuer()!r}")
    return found


def authorize_redirect(redirect_uri: str) -> Any:
    metadata()
    import requests

    try:
        return client().authorize_redirect(redirect_uri)
    except requests.RequestException as err:
        raise SignInRefused("provider_down", str(err)) from None


def finish_sign_in() -> tuple[dict[str, Any], str | None]:
    """Check ``state``, exchange the code (PKCE verifier included) and check the ID token: signature against the
    JWKS, issuer, audience, expiry, nonce. Returns (claims, the raw ID token for the logout hint)."""
    import requests
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
    from joserfc.errors import ExpiredTokenError, JoseError

    metadata()
    try:
        token = client().authorize_access_token(claims_options={"iss": {"essential": True, "values": [_issuer()]}},
                                                leeway=60)
    except MismatchingStateError as err:
        raise SignInRefused("state", str(err)) from None
    except OAuthError as err:
        raise SignInRefused("code" if err.error == "invalid_grant" else "provider_error",
                            f"{err.error}: {err.description}") from None
    except ExpiredTokenError as err:
        raise SignInRefused("id_token_expired", str(err)) from None
    except JoseError as err:
        raise SignInRefused("id_token", f"{type(err).__name__}: {err}") from None
    except requests.Timeout as err:
        raise SignInRefused("provider_slow", str(err)) from None
    except requests.RequestException as err:
        raise SignInRefused("provider_down", str(err)) from None
    claims = token.get("userinfo")
    if not claims:
        raise SignInRefused("id_token", "the provider sent no ID token")
    return dict(claims), token.get("id_token")


def end_session_url(post_logout_redirect_uri: str, id_token_hint: str | None) -> str | None:
    """Where the browser goes to sign out at the provider too; None when it has no end-session endpoint or
    cannot be reached (the local session is ended anyway)."""
    if client() is None:
        return None
    try:
        endpoint = metadata().get("end_session_endpoint")
    except SignInRefused:
        return None
    if not endpoint:
        return None
    from authlib.common.urls import add_params_to_uri

    params = [("post_logout_redirect_uri", post_logout_redirect_uri), ("client_id", client().client_id)]
    if id_token_hint:
        params.append(("id_token_hint", id_token_hint))
    return str(add_params_to_uri(endpoint, params))


def verify_logout_token(token: str) -> dict[str, Any]:
    """OpenID Connect Back-Channel Logout 1.0, section 2.6: signed by the provider's key, our audience, its
    issuer, recent, the logout event, ``sub`` or ``sid``, and no ``nonce``."""
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet
    from joserfc.jws import JWSRegistry

    found = metadata()
    algorithms = found.get("id_token_signing_alg_values_supported") or ["RS256"]
    try:
        keys = KeySet.import_key_set(client().fetch_jwk_set())
        decoded = jwt.decode(token, keys, registry=JWSRegistry(algorithms=[a for a in algorithms if a != "none"]))
    except (JoseError, ValueError) as err:
        raise SignInRefused("logout_token", f"{type(err).__name__}: {err}") from None
    claims = dict(decoded.claims)
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    issued = claims.get("iat")
    fresh = isinstance(issued, int | float) and abs(time.time() - issued) <= LOGOUT_TOKEN_MAX_AGE
    problems = [
        claims.get("iss") != _issuer() and "wrong issuer",
        client().client_id not in audiences and "wrong audience",
        not fresh and "too old or no iat",
        BACKCHANNEL_EVENT not in (claims.get("events") or {}) and "not a logout event",
        not (claims.get("sub") or claims.get("sid")) and "neither sub nor sid",
        "nonce" in claims and "has a nonce",
    ]
    wrong = [p for p in problems if p]
    if wrong:
        raise SignInRefused("logout_token", ", ".join(wrong))
    return claims
