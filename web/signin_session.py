"""The moment someone is signed in, however they proved it (password, OpenID Connect, SAML): the old session
ends, nothing from before carries over but the language, and the new session's token goes into the cookie."""

from __future__ import annotations

from flask import session

from engine import logs
from web.deps import engine
from web.i18n import LANGUAGES


def fresh_session() -> None:
    """Drop everything from the cookie but the language choice."""
    lang = session.get("lang")
    session.clear()
    if lang in LANGUAGES:
        session["lang"] = lang


def begin_session(user_name: str, token: str, **kept: object) -> None:
    """Signing in again (perhaps as someone else) ends the old session on the server; ``kept`` is what sign-out
    needs later (which directory, its session ids)."""
    previous = session.get("sid")
    if isinstance(previous, str):
        engine().close_session(previous)
    fresh_session()
    session.update(sid=token, **kept)
    session.permanent = True
    logs.bind(user=user_name)
