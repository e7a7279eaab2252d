"""`turnus tokens add/list/revoke` as an operator uses them; the token printed last is the one that works."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.api.conftest import TURNUS, turnus


def _run(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TURNUS, "--db", db, *args], capture_output=True, text=True, timeout=60, check=False)


def test_add_prints_the_token_last_list_never_shows_it_revoke_ends_it(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 't.db'}"
    turnus(db, "users", "add", "hr", "--role", "integration")
    out = turnus(db, "tokens", "add", "hr", "--name", "HR start", "--scope", "cases:write", "--expires-days", "30")
    first, secret = out.strip().splitlines()
    token_id = first.split("\t")[0]
    assert secret.startswith("tnu_") and "scopes=cases:write" in first
    listed = turnus(db, "tokens", "list", "hr")
    assert token_id in listed and secret not in listed and listed.rstrip().endswith("active")
    assert turnus(db, "tokens", "revoke", token_id).strip() == f"{token_id} revoked"
    assert turnus(db, "tokens", "list").rstrip().endswith("revoked")
    from engine.service import Engine

    eng = Engine.create(db)
    try:
        assert eng.token_user(secret) is None
    finally:
        eng.close()


def test_refusals_are_one_line_and_store_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 't.db'}"
    turnus(db, "users", "add", "hr", "--role", "integration")
    for args, words in [(("tokens", "add", "hr", "--scope", "everything"), "Unknown scope 'everything'"),
                        (("tokens", "add", "nobody"), "nobody"),
                        (("tokens", "add", "hr", "--expires-days", "0"), "--expires-days"),
                        (("tokens", "revoke", "no-such-id"), "No token")]:
        done = _run(db, *args)
        assert done.returncode == 1 and words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done
    assert turnus(db, "tokens", "list") == ""
