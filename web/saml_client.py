"""The SAML 2.0 service provider (issue 25), through pysaml2: the configuration it is built from, AuthnRequests by
the redirect binding, assertions checked (signed assertion required, our audience, in time, in response to a
request this browser made), single logout both ways.

pysaml2 parses every SAML message with defusedxml (no entities, no DTDs, no network) and checks signatures with
the xmlsec1 program. The identity provider's metadata is read at first use and again after METADATA_MAX_AGE (its
signing certificate may roll over); remote metadata is fetched with a bounded timeout. What goes wrong is raised
as ``SamlRefused`` with a reason the refusal page explains; who the person is, the engine decides.
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

from engine.config import Settings
from engine.errors import SettingInvalid

METADATA_MAX_AGE = 12 * 3600  # seconds before the IdP's metadata is read again
CLOCK_SKEW = 60  # seconds of difference between the IdP's clock and ours that are tolerated
_lock = threading.Lock()


class SamlRefused(Exception):
    """A SAML message Turnus does not accept; ``reason`` picks the page's text."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Assertion:
    """What a verified assertion says, in the form the engine reads (``claims``)."""

    name_id: str  # the NameID as XML, for the logout request
    subject: str
    attributes: dict[str, list[str]]
    session_index: str | None
    assertion_id: str
    request_id: str  # the AuthnRequest it answers
    valid_until: float  # epoch seconds: after this the assertion is dead anyway

    @property
    def claims(self) -> dict[str, Any]:
        return {"name_id": self.subject, "attributes": self.attributes}


def endpoints(settings: Settings) -> dict[str, str]:
    base = settings.base_url
    return {"entity_id": settings.saml_sp_entity_id or f"{base}/auth/saml/metadata",
            "acs": f"{base}/auth/saml/acs", "sls": f"{base}/auth/saml/sls"}


def sp_config(settings: Settings, with_idp: bool = True) -> dict[str, Any]:
    """pysaml2's configuration of Turnus as a service provider (without the IdP: enough for our metadata)."""
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

    xmlsec = shutil.which("xmlsec1")
    if xmlsec is None:
        raise SettingInvalid("SAML sign-in needs the xmlsec1 program: apt-get install xmlsec1")
    where = endpoints(settings)
    keys = {"key_file": settings.saml_sp_key_file, "cert_file": settings.saml_sp_cert_file}
    config: dict[str, Any] = {
        "entityid": where["entity_id"], "xmlsec_binary": xmlsec, **keys, "encryption_keypairs": [keys],
        "signing_algorithm": SIG_RSA_SHA256, "digest_algorithm": DIGEST_SHA256,
        "accepted_time_diff": CLOCK_SKEW, "allow_unknown_attributes": True,
        "http_client_timeout": settings.saml_timeout_seconds,
        "service": {"sp": {
            "name": "Turnus",
            "endpoints": {"assertion_consumer_service": [(where["acs"], BINDING_HTTP_POST)],
                          "single_logout_service": [(where["sls"], BINDING_HTTP_REDIRECT),
                                                    (where["sls"], BINDING_HTTP_POST)]},
            "want_assertions_signed": True,  # a signed response around an unsigned assertion is not enough
            "want_response_signed": False,  # AD FS and Entra ID sign the assertion by default, not the response
            "allow_unsolicited": False,  # only answers to a request this browser started (no IdP-initiated)
            "authn_requests_signed": True,
            "logout_requests_signed": True,
            "logout_responses_signed": True,
        }},
    }
    if with_idp:
        source = str(settings.saml_idp_metadata)
        remote = source.startswith(("https://", "http://"))
        config["metadata"] = {"remote": [{"url": source}]} if remote else {"local": [source]}
    return config


class _Provider:
    """The pysaml2 client of one web process, built at first use and again when the metadata is old."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client: Any = None
        self.idp: str = ""
        self.loaded_at = 0.0

    def get(self) -> tuple[Any, str]:
        with _lock:
            if self.client is None or time.monotonic() - self.loaded_at > METADATA_MAX_AGE:
                self.client, self.idp = _build(self.settings)
                self.loaded_at = time.monotonic()
            return self.client, self.idp


def _build(settings: Settings) -> tuple[Any, str]:
    import requests
    from saml2.client import Saml2Client
    from saml2.config import SPConfig
    from saml2.httpbase import ConnectionError as Unreachable
    from saml2.mdstore import SourceNotFound

    config = SPConfig()
    try:
        config.load(sp_config(settings))
    except requests.Timeout as err:
        raise SamlRefused("idp_slow", str(err)) from None
    except Unreachable as err:  # pysaml2's own, wrapping requests' (a connect timeout among them)
        raise SamlRefused("idp_slow" if "timed out" in str(err) else "idp_down", str(err)) from None
    except (requests.RequestException, SourceNotFound, OSError) as err:
        raise SamlRefused("idp_down", f"{type(err).__name__}: {err}") from None
    except Exception as err:  # metadata that is not SAML metadata: pysaml2 raises many kinds
        raise SamlRefused("idp_metadata", f"{type(err).__name__}: {err}") from None
    client = Saml2Client(config=config)
    idps = list(client.metadata.identity_providers())
    if len(idps) != 1:
        raise SamlRefused("idp_metadata", f"the metadata describes {len(idps)} identity providers, not one")
    # pysaml2 reads this IdP-side switch for every request it parses, a LogoutRequest from the IdP included: with
    # it, one without a valid signature is refused instead of ending someone's session.
    config._idp_want_authn_requests_signed = True
    return client, idps[0]


def init_saml(app: Flask, settings: Settings) -> None:
    if settings.saml_enabled:
        sp_config(settings, with_idp=False)  # xmlsec1 missing: say so at start, not at the first sign-in
        app.extensions["turnus.saml"] = _Provider(settings)


def enabled() -> bool:
    return "turnus.saml" in current_app.extensions


def provider() -> tuple[Any, str]:
    return current_app.extensions["turnus.saml"].get()  # type: ignore[no-any-return]


def origin(settings: Settings) -> str | None:
    """scheme://host[:port] of remote metadata (AD FS and Entra ID sign out on the host that serves it)."""
    source = settings.saml_idp_metadata or ""
    if not source.startswith(("https://", "http://")):
        return None
    parts = urlsplit(source)
    return f"{parts.scheme}://{parts.netloc}"


def sp_metadata(settings: Settings) -> str:
    """Turnus's own metadata (entity id, ACS, SLO, its certificate for signing and encryption), signed."""
    from saml2.config import SPConfig
    from saml2.metadata import create_metadata_string

    config = SPConfig()
    config.load(sp_config(settings, with_idp=False))
    found = create_metadata_string(None, config=config, sign=True)
    return found.decode() if isinstance(found, bytes) else str(found)


def login_url(relay_state: str) -> tuple[str, str]:
    """(request id, the IdP's single sign-on URL with the signed AuthnRequest)."""
    client, idp = provider()
    request_id, info = client.prepare_for_authenticate(entityid=idp, relay_state=relay_state)
    return str(request_id), dict(info["headers"])["Location"]


def finish_sign_in(saml_response: str, outstanding: dict[str, str]) -> Assertion:
    """Check the IdP's answer posted to the ACS: signature on the assertion against the IdP's metadata, audience
    (our entity id), destination (our ACS), time, and that it answers one of ``outstanding`` (request id → where
    to go)."""
    from saml2 import BINDING_HTTP_POST
    from saml2.response import StatusError, UnsolicitedResponse
    from saml2.sigver import SigverError
    from saml2.validate import ResponseLifetimeExceed, ToEarly

    client, _ = provider()
    if not saml_response:
        raise SamlRefused("saml_invalid", "no SAMLResponse in the form")
    try:
        response = client.parse_authn_request_response(saml_response, BINDING_HTTP_POST, outstanding=outstanding)
    except UnsolicitedResponse as err:
        raise SamlRefused("saml_unsolicited", str(err)) from None
    except SigverError as err:
        raise SamlRefused("saml_signature", f"{type(err).__name__}: {err}") from None
    except (ResponseLifetimeExceed, ToEarly) as err:
        raise SamlRefused("saml_expired", f"{type(err).__name__}: {err}") from None
    except StatusError as err:
        raise SamlRefused("saml_status", f"{type(err).__name__}: {err}") from None
    except Exception as err:  # pysaml2 raises bare Exceptions for a wrong audience or destination, and more
        reason = "saml_audience" if "AudienceRestriction" in str(err) else "saml_invalid"
        raise SamlRefused(reason, f"{type(err).__name__}: {err}") from None
    if response is None or response.assertion is None or response.name_id is None:
        raise SamlRefused("saml_invalid", "the response holds no usable assertion")
    attributes: dict[str, list[str]] = {}
    for statement in response.assertion.attribute_statement:
        for attribute in statement.attribute:
            values = [str(v.text) for v in attribute.attribute_value if v.text is not None]
            for key in {attribute.name, attribute.friendly_name} - {None, ""}:
                attributes.setdefault(key, []).extend(values)
    info = response.session_info()
    until = float(info.get("not_on_or_after") or 0) or time.time() + 3600
    return Assertion(response.name_id.to_string().decode(), str(response.name_id.text or "").strip(), attributes,
                     info.get("session_index"), str(response.assertion.id), str(response.in_response_to),
                     until + CLOCK_SKEW)


def logout_url(name_id_xml: str, session_index: str | None, relay_state: str) -> str | None:
    """The IdP's single logout URL with a signed LogoutRequest for this person, or None when the IdP has no
    redirect-binding SLO or cannot be reached (the Turnus session is ended anyway)."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import name_id_from_string

    try:
        client, idp = provider()
    except SamlRefused:
        return None
    services = client.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
    if not services:
        return None
    destination = services[0]["location"]
    _, request = client.create_logout_request(destination, idp, name_id=name_id_from_string(name_id_xml),
                                              session_indexes=[session_index] if session_index else None,
                                              sign=False)  # the redirect binding signs the query string instead
    info = client.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination, relay_state, sign=True)
    return str(dict(info["headers"])["Location"])


def idp_logout(args: dict[str, str], post: bool) -> tuple[str, list[str], str]:
    """A LogoutRequest from the IdP (signature required): (NameID value, session indexes, where to send the
    browser with our signed LogoutResponse)."""
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

    client, _ = provider()
    binding = BINDING_HTTP_POST if post else BINDING_HTTP_REDIRECT
    try:
        parsed = client.parse_logout_request(args.get("SAMLRequest", ""), binding,
                                             relay_state=args.get("RelayState"), sigalg=args.get("SigAlg"),
                                             signature=args.get("Signature"))
    except Exception as err:  # unsigned, badly signed, from another issuer, not XML
        raise SamlRefused("saml_logout", f"{type(err).__name__}: {err}") from None
    if parsed is None or parsed.message.name_id is None:
        raise SamlRefused("saml_logout", "the logout request names nobody")
    message = parsed.message
    response = client.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
    target = client.response_args(message, [BINDING_HTTP_REDIRECT])["destination"]
    info = client.apply_binding(BINDING_HTTP_REDIRECT, str(response), target, args.get("RelayState", ""),
                                response=True, sign=True)
    return (str(message.name_id.text or "").strip(), [str(s.text) for s in message.session_index if s.text],
            str(dict(info["headers"])["Location"]))


def logout_finished(args: dict[str, str], post: bool) -> bool:
    """The IdP's LogoutResponse to ours: True when it says the person is signed out there too."""
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.samlp import STATUS_SUCCESS

    try:
        client, _ = provider()
        response = client.parse_logout_request_response(args.get("SAMLResponse", ""),
                                                        BINDING_HTTP_POST if post else BINDING_HTTP_REDIRECT)
    except Exception:  # the local session has ended already; this only decides what the page says
        return False
    return bool(response and response.response.status.status_code.value == STATUS_SUCCESS)
