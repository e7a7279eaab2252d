"""The embedded default's demo people: one per role and group of the rotation process.

Only for the demo and tests; the README lists them. Their password is DEMO_PASSWORD.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import InvalidInput

DEMO_PASSWORD = "turnus-demo"

# The repository's processes/ folder, found from this file rather than the working directory, so that
# `turnus demo` deploys the rotation from any folder.
DEFAULT_PROCESSES = Path(__file__).resolve().parent.parent / "processes"

# name, display name, groups, roles
DEMO_USERS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("emma", "Emma Madsen (medarbejder)", (), ()),
    ("mikkel", "Mikkel Holm (medarbejder)", (), ()),
    ("lars", "Lars Larsen (egen leder)", ("leder",), ()),
    ("sara", "Sara Nielsen (netværkssekretariatet)", ("netvaerkssekretariat",), ()),
    ("lene", "Lene Berg (ledelsesteamet)", ("ledelsesteam",), ()),
    ("peter", "Peter Dahl (ledelsesteamet)", ("ledelsesteam",), ()),
    ("paula", "Paula Jensen (procesejer)", (), ("process-owner",)),
    ("revisor", "Rikke Vestergaard (revisor)", (), ("auditor",)),
    ("admin", "Administrator", (), ("admin",)),
)

# group id, the name people read in "waiting on"
DEMO_GROUPS: tuple[tuple[str, str], ...] = (
    ("leder", "Ledere"),
    ("netvaerkssekretariat", "Netværkssekretariatet"),
    ("ledelsesteam", "Ledelsesteamet"),
)


def seed(engine: object) -> list[str]:
    """Add the demo users and name their groups (idempotent); returns the users' names."""
    # argon2 only when seeding, not for every command that imports this module for DEFAULT_PROCESSES
    from engine.passwords import hash_password

    password_hash = hash_password(DEMO_PASSWORD)
    for group, display in DEMO_GROUPS:
        engine.name_group(group, display)  # type: ignore[attr-defined]
    names = []
    for name, display, groups, roles in DEMO_USERS:
        engine.add_user(name, display_name=display, groups=groups, roles=roles,  # type: ignore[attr-defined]
                        password_hash=password_hash)
        names.append(name)
    return names


def set_up(engine: object, folder: Path) -> list[str]:
    """The embedded default: demo users, and every definition in ``folder`` deployed; returns report lines."""
    if not folder.is_dir():
        raise InvalidInput(f"no processes folder at {folder}: pass --processes DIR (a folder of .bpmn/.dmn files)")
    names = seed(engine)
    lines = [f"deployed {result.key} {result.version} {result.status}"
             for result in engine.deploy_paths([folder], "system")]  # type: ignore[attr-defined]
    lines.append(f"demo users: {', '.join(names)} (password: {DEMO_PASSWORD})")
    return lines
