"""The web inbox: a thin Flask app on the engine's service layer.

``create_app()`` with no arguments builds everything from the environment (what gunicorn runs:
``gunicorn 'web:create_app()'``); tests pass their own engine and config.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from web.settings import WebSettings, load_web_settings, secret_key

if TYPE_CHECKING:  # imported when an app is built: the `turnus` console script lives in this package too
    from flask import Flask

    from engine.service import Engine


def create_app(engine: Engine | None = None, config: Mapping[str, Any] | None = None,
               settings: WebSettings | None = None) -> Flask:
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from engine import logs
    from engine.errors import SettingInvalid
    from engine.service import Engine
    from web import (
        audit,
        auth,
        cases,
        errors,
        health,
        i18n,
        inbox,
        metrics,
        notifications,
        oidc,
        oidc_client,
        present,
        saml,
        saml_client,
        security,
        start,
        tasks,
        tracing,
    )
    from web.admin import bp as admin_bp
    from web.modeller import bp as modeller_bp

    web = settings or load_web_settings()
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=web.cookie_secure,
        SESSION_COOKIE_NAME="turnus_session",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=web.session_minutes),
        MAX_CONTENT_LENGTH=web.max_upload_bytes + 1024 * 1024,  # the file plus the rest of the form
        WTF_CSRF_TIME_LIMIT=None,  # tokens live as long as the session (a long form is not lost)
        TEMPLATES_AUTO_RELOAD=False,
    )
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(web)
    if web.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=web.trusted_proxies,  # type: ignore[method-assign]
                                x_proto=web.trusted_proxies, x_host=web.trusted_proxies)
    try:
        app.extensions["turnus.engine"] = engine or Engine.create()
    except SettingInvalid as err:  # one clear line in the server's log instead of a traceback deep in a request
        logging.getLogger("turnus").error("Turnus is not starting: %s", err)
        raise
    app.extensions["turnus.settings"] = web
    logs.configure(app.extensions["turnus.engine"].settings.log_format)
    tracing.init_tracing(app)  # first: every later hook and log line of the request has its id
    metrics.init_metrics(app)
    i18n.init_i18n(app)
    present.init_filters(app)
    options = app.extensions["turnus.engine"].settings
    origins = [o for o in (oidc_client.origin(options), saml_client.origin(options)) if o]
    security.init_security(app, " ".join(dict.fromkeys(origins)) or None)
    errors.init_errors(app)
    auth.init_auth(app)
    oidc_client.init_oidc(app, options)
    saml_client.init_saml(app, options)
    for blueprint in (inbox.bp, tasks.bp, cases.bp, start.bp, modeller_bp, audit.bp, notifications.bp, health.bp,
                      metrics.bp, admin_bp, oidc.bp, saml.bp):
        app.register_blueprint(blueprint)
    from web.api.setup import init_api

    init_api(app)
    return app
