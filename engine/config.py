"""Every setting of Turnus, declared once, read from the environment.

Defaults run on one machine with no set-up (SQLite file under ./instance). Each setting is
documented here and nowhere else; README.md points to this file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from engine.errors import SettingInvalid


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    # SQLAlchemy URL of the database. SQLite (WAL mode) by default; for PostgreSQL use
    # postgresql+psycopg://user@host:5432/dbname.
    database_url: str = field(
        default_factory=lambda: _env("TURNUS_DATABASE_URL", "sqlite:///instance/turnus.db")
    )
    # Wall-clock seconds one script or expression may run before the case goes into an incident.
    sandbox_timeout: float = field(default_factory=lambda: float(_env("TURNUS_SANDBOX_TIMEOUT", "2")))
    # Address-space limit of a sandbox worker process, in MiB (stops memory bombs).
    sandbox_memory_mb: int = field(default_factory=lambda: int(_env("TURNUS_SANDBOX_MEMORY_MB", "512")))
    # Number of pre-forked sandbox worker processes per engine process.
    sandbox_workers: int = field(default_factory=lambda: int(_env("TURNUS_SANDBOX_WORKERS", "2")))
    # Live workflows each thread of a long-running process (web, worker) keeps for the next command on their
    # case, so that command need not restore it (engine/cases/live_cache.py): about 70 KB each for a rotation
    # case. The least recently used is dropped first; 0 keeps none.
    live_cases: int = field(default_factory=lambda: max(0, int(_env("TURNUS_LIVE_CASES", "500"))))
    # Largest BPMN/DMN file accepted by deploy, in bytes.
    max_definition_bytes: int = field(
        default_factory=lambda: int(_env("TURNUS_MAX_DEFINITION_BYTES", str(5 * 1024 * 1024)))
    )
    # Work budget of one command (engine/runtime/budget.py): task state changes it may cause, and wall
    # seconds it may run. Past either, the command is rolled back and the case gets an incident. A rotation
    # command takes a few hundred steps; the write lock is held at most about this long.
    work_max_steps: int = field(default_factory=lambda: int(_env("TURNUS_WORK_MAX_STEPS", "20000")))
    work_max_seconds: float = field(default_factory=lambda: float(_env("TURNUS_WORK_MAX_SECONDS", "5")))
    # Bytes of case data (as JSON) a command may leave a case with: a script that builds a 50 MB string would
    # otherwise be stored in every later state row. A command that grows the data past it is rolled back and
    # the case gets an incident naming the limit (a start stores no case).
    max_case_data_bytes: int = field(
        default_factory=lambda: int(_env("TURNUS_MAX_CASE_DATA_BYTES", str(1024 * 1024))))
    # Seconds a command waits for a lock another command holds (SQLite busy timeout, PostgreSQL lock_timeout)
    # before it gives up with "busy, try again" (exit 1, HTTP 503): longer than the work budget, so a
    # command queued behind a runaway still runs once the runaway is stopped.
    lock_wait_seconds: float = field(default_factory=lambda: float(_env("TURNUS_LOCK_WAIT_SECONDS", "30")))
    # How often a command retries after an optimistic-lock conflict on a case it did not lose.
    conflict_retries: int = field(default_factory=lambda: int(_env("TURNUS_CONFLICT_RETRIES", "8")))
    # File holding the secret that signs chain-head digests (`turnus audit digest`). Keep it outside the
    # database and out of the database user's reach; unset, digest commands refuse to run.
    audit_key_file: str | None = field(default_factory=lambda: os.environ.get("TURNUS_AUDIT_KEY_FILE") or None)
    # IANA time zone in which zone-less date-times are read: due and follow-up dates of user tasks (a plain
    # date means the end of that day there) and computed timer dates without an offset.
    time_zone: str = field(default_factory=lambda: _env("TURNUS_TIME_ZONE", DEFAULT_TIME_ZONE))
    # Days an access-log entry is kept; older ones are deleted by the timer thread / `turnus audit
    # purge-access-log` (about six months by default, common Danish public-sector practice).
    access_log_retention_days: int = field(
        default_factory=lambda: int(_env("TURNUS_ACCESS_LOG_RETENTION_DAYS", "183"))
    )
    # Who fires timers and sends mail: "thread" (the embedded default: a thread inside `turnus serve`) or
    # "workers" (separate `turnus worker` processes, any number, on any machine; web processes run none).
    # Any other value is refused at start-up (the CLI and `turnus serve` exit 1, the web factory logs it and
    # does not start): a typo would otherwise silently run a timer thread in every web process.
    timers: str = field(default_factory=lambda: _env("TURNUS_TIMERS", "thread"))
    # Longest a timer thread or worker sleeps between two looks at the database (seconds). It normally wakes
    # at the earliest due time, or earlier when a command says so (LISTEN/NOTIFY on PostgreSQL; on SQLite
    # in-process, and other processes' commits within a second via PRAGMA data_version); this bounds the wait
    # for a wake-up that was lost (e.g. a NOTIFY while a worker's connection was being re-made).
    # How the processes log: "text" (Python's default lines) or "json" (one JSON object per line, with time,
    # level, logger, message, request id, user, case id and command: for the municipality's log collector).
    log_format: str = field(default_factory=lambda: _env("TURNUS_LOG_FORMAT", "text"))
    worker_max_sleep: float = field(default_factory=lambda: float(_env("TURNUS_WORKER_MAX_SLEEP", "30")))
    # Address the links in mails start with (the inbox as its users reach it).
    base_url: str = field(default_factory=lambda: _env("TURNUS_BASE_URL", "http://127.0.0.1:5000").rstrip("/"))
    # SMTP server for notification mails. Unset (the embedded default): mails are written to the log and kept
    # for the page /mail, where each user reads their own.
    smtp_host: str | None = field(default_factory=lambda: os.environ.get("TURNUS_SMTP_HOST") or None)
    # Its port; 587 suits STARTTLS, 465 SSL, 25 none.
    smtp_port: int = field(default_factory=lambda: int(_env("TURNUS_SMTP_PORT", "587")))
    # starttls | ssl | none.
    smtp_security: str = field(default_factory=lambda: _env("TURNUS_SMTP_SECURITY", "starttls"))
    # User name for SMTP AUTH (unset: no authentication).
    smtp_user: str | None = field(default_factory=lambda: os.environ.get("TURNUS_SMTP_USER") or None)
    # Its password: TURNUS_SMTP_PASSWORD, or better the path of a file holding it in TURNUS_SMTP_PASSWORD_FILE
    # (never in the repository or the unit file).
    smtp_password: str | None = field(default_factory=lambda: _secret("TURNUS_SMTP_PASSWORD"))
    # Sender address of the mails.
    mail_from: str = field(default_factory=lambda: _env("TURNUS_MAIL_FROM", "turnus@localhost"))
    # Attempts at sending one mail before it is given up (shown to administrators on /mail).
    mail_max_attempts: int = field(default_factory=lambda: int(_env("TURNUS_MAIL_MAX_ATTEMPTS", "6")))
    # Seconds before the first retry of a failed mail; each further retry waits twice as long.
    mail_retry_seconds: float = field(default_factory=lambda: float(_env("TURNUS_MAIL_RETRY_SECONDS", "30")))
    # Seconds a sender may hold a mail it claimed; past that another sender takes it over (the first one died).
    mail_claim_seconds: float = field(default_factory=lambda: float(_env("TURNUS_MAIL_CLAIM_SECONDS", "300")))
    # Webhooks (`turnus webhooks`, /api/v1/webhooks): seconds one delivery's HTTP request may take (connecting and
    # reading the answer) before it counts as failed; kept short because one sender posts them one after another.
    webhook_timeout_seconds: float = field(default_factory=lambda: float(_env("TURNUS_WEBHOOK_TIMEOUT_SECONDS", "5")))
    # Attempts at one delivery before it is "failed" (listed to administrators on /admin/mail and by
    # `turnus webhooks deliveries --failed`).
    webhook_max_attempts: int = field(default_factory=lambda: int(_env("TURNUS_WEBHOOK_MAX_ATTEMPTS", "8")))
    # Seconds before the first retry of a failed delivery; each further retry waits twice as long, at most
    # webhook_retry_max_seconds.
    webhook_retry_seconds: float = field(default_factory=lambda: float(_env("TURNUS_WEBHOOK_RETRY_SECONDS", "30")))
    webhook_retry_max_seconds: float = field(
        default_factory=lambda: float(_env("TURNUS_WEBHOOK_RETRY_MAX_SECONDS", "3600")))
    # Seconds a sender may hold a delivery it claimed; past that another sender takes it over (the first one
    # died). Longer than a batch of deliveries at the timeout (engine/webhooks/delivery.py BATCH).
    webhook_claim_seconds: float = field(default_factory=lambda: float(_env("TURNUS_WEBHOOK_CLAIM_SECONDS", "300")))
    # Hour of the day (in time_zone) from which the daily digest of each user who chose one is sent.
    digest_hour: int = field(default_factory=lambda: int(_env("TURNUS_DIGEST_HOUR", "7")))

    # --- signing in with the municipality's directory, OpenID Connect (issue 25; README "Sign in with the
    # directory"). Unset issuer: no directory, local passwords only.
    # The provider's issuer URL exactly as its discovery document says (Entra ID:
    # https://login.microsoftonline.com/TENANT/v2.0); Turnus reads ISSUER/.well-known/openid-configuration.
    oidc_issuer: str | None = field(default_factory=lambda: (os.environ.get("TURNUS_OIDC_ISSUER") or "").rstrip("/")
                                    or None)
    # The client (application) id Turnus is registered under at the provider.
    oidc_client_id: str = field(default_factory=lambda: _env("TURNUS_OIDC_CLIENT_ID", ""))
    # Its secret: TURNUS_OIDC_CLIENT_SECRET, or better a file holding it in TURNUS_OIDC_CLIENT_SECRET_FILE.
    oidc_client_secret: str | None = field(default_factory=lambda: _secret("TURNUS_OIDC_CLIENT_SECRET"))
    # Scopes asked for (space-separated).
    oidc_scopes: str = field(default_factory=lambda: _env("TURNUS_OIDC_SCOPES", "openid profile email"))
    # The ID-token claim that is the Turnus user id, as the directory writes it; when the token lacks it, "sub".
    oidc_user_claim: str = field(default_factory=lambda: _env("TURNUS_OIDC_USER_CLAIM", "preferred_username"))
    # The claim listing the person's groups (each becomes a Turnus group, replaced at every sign-in).
    oidc_groups_claim: str = field(default_factory=lambda: _env("TURNUS_OIDC_GROUPS_CLAIM", "groups"))
    # Which claim values (of the groups claim or the "roles" claim) give which Turnus role:
    # "turnus-revision=auditor,turnus-ejere=process-owner". Values not listed give no role.
    oidc_role_map: str = field(default_factory=lambda: _env("TURNUS_OIDC_ROLE_MAP", ""))
    # The sign-in button's label: "Log ind med <name>".
    oidc_name: str = field(default_factory=lambda: _env("TURNUS_OIDC_NAME", "kommunens login"))
    # Seconds Turnus waits for the provider (discovery, keys, token) before it tells the person it is down.
    oidc_timeout_seconds: float = field(default_factory=lambda: float(_env("TURNUS_OIDC_TIMEOUT_SECONDS", "5")))

    # --- signing in with the municipality's directory, SAML 2.0 (issue 25; README "Sign in with the directory",
    # "SAML"). Unset metadata: no SAML. OpenID Connect and SAML can both be on; each offers its own button.
    # The identity provider's metadata: an https:// URL (AD FS: https://adfs.example/FederationMetadata/2007-06/
    # FederationMetadata.xml; Entra ID: the enterprise application's "App Federation Metadata Url") or a file path.
    # It must describe one identity provider; its signing certificate is what assertions are checked against.
    saml_idp_metadata: str | None = field(default_factory=lambda: os.environ.get("TURNUS_SAML_IDP_METADATA") or None)
    # Turnus's entity id (the "identifier" the IdP knows it by); by default BASE_URL/auth/saml/metadata.
    saml_sp_entity_id: str = field(default_factory=lambda: _env("TURNUS_SAML_SP_ENTITY_ID", ""))
    # PEM files of Turnus's own key and certificate: AuthnRequests and logout messages are signed with it, and an
    # IdP may encrypt assertions to it. Required when the metadata is set. Make a pair that lasts ten years with
    # openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj /CN=turnus -keyout sp.key -out sp.crt
    saml_sp_key_file: str | None = field(default_factory=lambda: os.environ.get("TURNUS_SAML_SP_KEY_FILE") or None)
    saml_sp_cert_file: str | None = field(default_factory=lambda: os.environ.get("TURNUS_SAML_SP_CERT_FILE") or None)
    # The attribute (its Name, or its FriendlyName) that is the Turnus user id as the directory writes it; empty:
    # the assertion's NameID. The subject Turnus remembers for single logout is always the NameID.
    saml_user_attribute: str = field(default_factory=lambda: _env("TURNUS_SAML_USER_ATTRIBUTE", ""))
    # The person's display name and e-mail address (Entra ID's and AD FS's usual claim URIs by default).
    saml_name_attribute: str = field(default_factory=lambda: _env(
        "TURNUS_SAML_NAME_ATTRIBUTE", "http://schemas.microsoft.com/identity/claims/displayname"))
    saml_email_attribute: str = field(default_factory=lambda: _env(
        "TURNUS_SAML_EMAIL_ATTRIBUTE", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"))
    # The attribute listing the person's groups (each value a Turnus group, replaced at every sign-in).
    saml_groups_attribute: str = field(default_factory=lambda: _env(
        "TURNUS_SAML_GROUPS_ATTRIBUTE", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"))
    # The attribute listing the person's roles (Entra ID's app roles); its values and the groups go through the
    # role map.
    saml_roles_attribute: str = field(default_factory=lambda: _env(
        "TURNUS_SAML_ROLES_ATTRIBUTE", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"))
    # An OIO Basic Privilege Profile attribute (KOMBIT's adgangsstyring: base64 of a PrivilegeList XML), e.g.
    # dk:gov:saml:attribute:Privileges_intermediate. Each Privilege in it goes through the role map too.
    # Empty: none is read.
    saml_privileges_attribute: str = field(default_factory=lambda: _env("TURNUS_SAML_PRIVILEGES_ATTRIBUTE", ""))
    # Which attribute values give which Turnus role, in TURNUS_OIDC_ROLE_MAP's form (VALUE=ROLE, comma-separated).
    saml_role_map: str = field(default_factory=lambda: _env("TURNUS_SAML_ROLE_MAP", ""))
    # The SAML sign-in button's label: "Log ind med <name>".
    saml_name: str = field(default_factory=lambda: _env("TURNUS_SAML_NAME", "kommunens login"))
    # Seconds Turnus waits for remote IdP metadata before it tells the person the directory is down.
    saml_timeout_seconds: float = field(default_factory=lambda: float(_env("TURNUS_SAML_TIMEOUT_SECONDS", "5")))
    # 0 hides the password form (everyone signs in with the directory); local accounts still work in the CLI.
    local_login: bool = field(default_factory=lambda: _env("TURNUS_LOCAL_LOGIN", "1") not in ("0", "false", "no"))

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def saml_enabled(self) -> bool:
        return bool(self.saml_idp_metadata)

    def role_map(self) -> dict[str, str]:
        """TURNUS_OIDC_ROLE_MAP as {claim value (lower-case): role}; an entry without '=' is refused."""
        return parse_role_map(self.oidc_role_map, "TURNUS_OIDC_ROLE_MAP")

    def saml_roles(self) -> dict[str, str]:
        """TURNUS_SAML_ROLE_MAP, read like TURNUS_OIDC_ROLE_MAP."""
        return parse_role_map(self.saml_role_map, "TURNUS_SAML_ROLE_MAP")

    def __post_init__(self) -> None:
        if self.timers not in TIMER_MODES:
            raise SettingInvalid(f"TURNUS_TIMERS={self.timers!r} is not known: set it to "
                                 f"{' or '.join(TIMER_MODES)} (or leave it unset for thread)")
        if self.log_format not in ("text", "json"):
            raise SettingInvalid(f"TURNUS_LOG_FORMAT={self.log_format!r} is not known: set it to text or json")
        if self.saml_enabled and not (self.saml_sp_key_file and self.saml_sp_cert_file):
            raise SettingInvalid("TURNUS_SAML_IDP_METADATA is set but TURNUS_SAML_SP_KEY_FILE and "
                                 "TURNUS_SAML_SP_CERT_FILE are not: Turnus signs its SAML requests with that key "
                                 "(engine/config.py says how to make one)")


TIMER_MODES = ("thread", "workers")


def parse_role_map(text: str, setting: str) -> dict[str, str]:
    """A role map ("turnus-revision=auditor,turnus-ejere=process-owner") as {value (lower-case): role}; an
    entry without '=' is refused, naming ``setting``."""
    out: dict[str, str] = {}
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        value, sep, role = entry.partition("=")
        if not sep or not value.strip() or not role.strip():
            raise SettingInvalid(f"{setting} entry {entry!r} is not VALUE=ROLE (e.g. turnus-revision=auditor)")
        out[value.strip().lower()] = role.strip()
    return out


DEFAULT_TIME_ZONE = "Europe/Copenhagen"


def _secret(name: str) -> str | None:
    """A secret from NAME_FILE (a path; trailing newline dropped) or else from NAME."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read().rstrip("\r\n")
    return os.environ.get(name) or None


def load_settings() -> Settings:
    return Settings()


@lru_cache(maxsize=8)
def _zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """The zone in which zone-less date-times are read (``time_zone``, TURNUS_TIME_ZONE).

    Called by every command (engine_time): reads the one variable, not all settings (which would also read the SMTP
    password file each time)."""
    return _zone_named(_env("TURNUS_TIME_ZONE", DEFAULT_TIME_ZONE))
