"""People the municipality's directory vouches for (issue 25): who a sign-in's claims say someone is, and
bringing their Turnus account in line with it. The directory decides: groups and roles are replaced at every
sign-in, and every change goes into the administrators' log with before and after."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from engine import identity
from engine.audit import admin_log
from engine.cases import privileges
from engine.config import Settings
from engine.errors import Forbidden, InvalidInput, SettingInvalid
from engine.identity import User, key_of
from engine.store.tables import memberships, user_roles, users

log = logging.getLogger("turnus.directory")
SOURCES = ("oidc", "saml")


@dataclass(frozen=True)
class DirectoryPerson:
    login: str  # the id as the directory writes it
    subject: str  # the directory's own stable id for them
    display_name: str
    email: str | None
    groups: tuple[str, ...]  # as written
    roles: tuple[str, ...]


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.replace(";", ",").split(",") if v.strip()] if "," in value else [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)]


def person_from_claims(claims: Mapping[str, Any], settings: Settings) -> DirectoryPerson:
    """Who the OpenID Connect claims name. The user id is TURNUS_OIDC_USER_CLAIM, else ``sub``; groups are
    TURNUS_OIDC_GROUPS_CLAIM; roles come from the groups and the ``roles`` claim through TURNUS_OIDC_ROLE_MAP."""
    subject = str(claims.get("sub") or "")
    login = str(claims.get(settings.oidc_user_claim) or subject).strip()
    name = str(claims.get("name") or " ".join(str(claims.get(k, "")) for k in ("given_name", "family_name")).strip()
               or login)
    return _person(login, subject, name, claims.get("email"), _strings(claims.get(settings.oidc_groups_claim)),
                   _strings(claims.get("roles")), settings.role_map(), "TURNUS_OIDC_ROLE_MAP",
                   f"claim {settings.oidc_user_claim!r} or 'sub'")


def person_from_assertion(assertion: Mapping[str, Any], settings: Settings) -> DirectoryPerson:
    """Who a verified SAML assertion names: ``{"name_id": str, "attributes": {name: [values]}}`` (attributes
    under their Name and their FriendlyName). The user id is TURNUS_SAML_USER_ATTRIBUTE, else the NameID; roles
    come from the groups, roles and privileges attributes through TURNUS_SAML_ROLE_MAP."""
    subject = str(assertion.get("name_id") or "")
    attributes: Mapping[str, list[str]] = assertion.get("attributes") or {}

    def first(name: str) -> str:
        return next((v.strip() for v in attributes.get(name, []) if v and v.strip()), "") if name else ""

    login = first(settings.saml_user_attribute) or subject.strip()
    roles = [*attributes.get(settings.saml_roles_attribute, [])]
    if settings.saml_privileges_attribute:
        for value in attributes.get(settings.saml_privileges_attribute, []):
            roles.extend(privileges.decode(value))
    return _person(login, subject, first(settings.saml_name_attribute) or login,
                   first(settings.saml_email_attribute) or None,
                   [g for v in attributes.get(settings.saml_groups_attribute, []) for g in _strings(v)], roles,
                   settings.saml_roles(), "TURNUS_SAML_ROLE_MAP",
                   f"attribute {settings.saml_user_attribute!r} or the NameID")


def _person(login: str, subject: str, name: str, email: Any, group_values: list[str], role_values: list[str],
            role_map: dict[str, str], role_setting: str, id_source: str) -> DirectoryPerson:
    if not subject or not identity.NAME_RE.match(login):
        raise InvalidInput(f"The directory sent no usable user id ({id_source}: {login!r})",
                           reason="directory_no_id", claim=id_source)
    groups = []
    for group in group_values:
        if identity.NAME_RE.match(group.strip()):
            groups.append(group.strip())
        else:  # a group Turnus cannot name ("Alle medarbejdere") gives no tasks; it must not stop the sign-in
            log.warning("directory group %r of %s is not a valid Turnus group id and is left out", group, login)
    for role in role_map.values():
        if role not in identity.ROLES:
            raise SettingInvalid(f"{role_setting} names the role {role!r}: choose from {', '.join(identity.ROLES)}")
    values = [*groups, *role_values]
    roles = tuple(dict.fromkeys(role_map[v.lower()] for v in values if v.lower() in role_map))
    return DirectoryPerson(login, subject[:255], name[:200], str(email)[:320] if email else None,
                           tuple(dict.fromkeys(groups)), roles)


def sign_in(conn: Connection, person: DirectoryPerson, source: str, now: datetime) -> User:
    """Create the user at their first sign-in, else bring name, e-mail, groups and roles in line with the
    directory. A user an administrator disabled stays disabled: the directory does not overrule that."""
    key = key_of(person.login)
    actor = f"directory:{source}"
    row = conn.execute(select(users).where(users.c.name == key)).first()
    if row is not None and not row.active:
        raise Forbidden(f"{person.login} is disabled in Turnus", reason="directory_user_disabled", user=key)
    if row is None:
        conn.execute(insert(users).values(name=key, login=person.login, display_name=person.display_name,
                                          email=person.email, active=True, created_at=now, directory=source,
                                          subject=person.subject))
        admin_log.write(conn, now, actor, "user_added", f"user:{key}", "first sign-in with the directory",
                        login=person.login, subject=person.subject)
    else:
        changed = {k: v for k, v in {"display_name": person.display_name, "email": person.email,
                                     "directory": source, "subject": person.subject}.items()
                   if getattr(row, k) != v}
        if changed:
            # A local account the directory now vouches for loses its password: it signs in only there.
            values = {**changed, **({"password_hash": None} if row.directory is None else {})}
            conn.execute(update(users).where(users.c.name == key).values(**values))
            admin_log.write(conn, now, actor, "user_changed", f"user:{key}", "sign-in with the directory",
                            before={k: getattr(row, k) for k in changed}, after=changed)
    _replace(conn, now, actor, key, "groups", {key_of(g): g for g in person.groups})
    _replace(conn, now, actor, key, "roles", {r: r for r in person.roles})
    return identity.load_user(conn, key)


def _replace(conn: Connection, now: datetime, actor: str, key: str, what: str, wanted: dict[str, str]) -> None:
    table, column = (memberships, memberships.c.group_name) if what == "groups" else (user_roles, user_roles.c.role)
    before = sorted(conn.execute(select(column).where(table.c.user_name == key)).scalars())
    after = sorted(wanted)
    if before == after:
        return
    conn.execute(delete(table).where(table.c.user_name == key))
    for value, spelled in wanted.items():
        if what == "groups":
            identity.ensure_group(conn, value, spelled)
            conn.execute(insert(memberships).values(user_name=key, group_name=value))
        else:
            conn.execute(insert(user_roles).values(user_name=key, role=value))
    admin_log.write(conn, now, actor, f"user_{what}_replaced", f"user:{key}", "sign-in with the directory",
                    before=before, after=after)
