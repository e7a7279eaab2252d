"""Settings of the web inbox, each declared once with what it does, read from the environment.

The engine's own settings (database URL, sandbox limits) live in engine/config.py; these are only
what the web layer adds. Defaults suit the embedded default on one machine.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _flag(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class WebSettings:
    # Key that signs session cookies and CSRF tokens. Set it in production (the same value in every web
    # process). Without it, a random key is generated once and kept in $TURNUS_INSTANCE_DIR/secret_key.
    secret_key: str | None = field(default_factory=lambda: os.environ.get("TURNUS_SECRET_KEY") or None)
    # Folder for files the embedded default generates (the secret key); never inside the repository.
    instance_dir: Path = field(default_factory=lambda: Path(_env("TURNUS_INSTANCE_DIR", "instance")))
    # Send the session cookie only over HTTPS. On by default; `turnus serve` (plain HTTP on one machine)
    # turns it off unless this is set explicitly.
    cookie_secure: bool = field(default_factory=lambda: _flag("TURNUS_COOKIE_SECURE", True))
    # Minutes a signed-in session lasts without activity. Sessions are kept in the database: signing out
    # ends one on the server at once, so a copied cookie is worth nothing afterwards.
    session_minutes: int = field(default_factory=lambda: int(_env("TURNUS_SESSION_MINUTES", "480")))
    # Hours a session lasts at most, however active: then the user signs in again.
    session_max_hours: int = field(default_factory=lambda: int(_env("TURNUS_SESSION_MAX_HOURS", "12")))
    # Failed sign-ins allowed for one user name from one client address within the window below; then
    # that pair is refused until the window ends. The same user from elsewhere, and others from the same
    # address, can still sign in. Counted in the database, so every web process shares the count.
    login_max_failures: int = field(default_factory=lambda: int(_env("TURNUS_LOGIN_MAX_FAILURES", "5")))
    # Failed sign-ins allowed from one client address (any user names) within the window: a looser limit
    # against one machine trying many accounts. Behind a shared NAT, raise it rather than lower it.
    login_max_failures_per_address: int = field(
        default_factory=lambda: int(_env("TURNUS_LOGIN_MAX_FAILURES_PER_ADDRESS", "50")))
    # The window (seconds) over which failed sign-ins are counted, and how long a lock-out lasts.
    login_window_seconds: int = field(default_factory=lambda: int(_env("TURNUS_LOGIN_WINDOW_SECONDS", "900")))
    # Largest file accepted as an attachment, in bytes.
    max_upload_bytes: int = field(
        default_factory=lambda: int(_env("TURNUS_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))))
    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto headers are trusted
    # (0: none). Needed behind nginx etc. so rate limits see the real client address.
    trusted_proxies: int = field(default_factory=lambda: int(_env("TURNUS_TRUSTED_PROXIES", "0")))
    # Longest sleep (seconds) of the in-process timer thread of `turnus serve`, which otherwise wakes at the next
    # due time or when a command sets an earlier one. 0 turns it off; TURNUS_TIMERS=workers (engine/config.py)
    # does too, for `turnus worker` processes.
    timer_interval: float = field(default_factory=lambda: float(_env("TURNUS_TIMER_INTERVAL", "30")))
    # Client networks that may read /metrics without a token (comma-separated, CIDR): the Prometheus server's.
    # Others need a bearer token with the scope `metrics`. Behind a proxy, set TURNUS_TRUSTED_PROXIES so the
    # scraper's own address is the one compared.
    metrics_allow: str = field(default_factory=lambda: _env("TURNUS_METRICS_ALLOW", "127.0.0.0/8,::1/128"))
    # Rows shown per page in the task lists and My cases.
    page_size: int = field(default_factory=lambda: int(_env("TURNUS_PAGE_SIZE", "50")))


def load_web_settings() -> WebSettings:
    return WebSettings()


def secret_key(settings: WebSettings) -> str:
    """The configured key, or one generated once and kept (mode 0600) in the instance folder."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.instance_dir / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key
