"""`turnus audit export|digest|verify --against|live|check-export|purge-access-log` through the real CLI."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from engine.service import Engine
from engine.store.tables import cases
from tests.helpers.cli import web_turnus
from tests.helpers.support import REQUEST, erase_case


def test_export_digest_and_verify_against(review: Engine, db_url: str, tmp_path: Path) -> None:
    cid = review.start("review", "rita", REQUEST)
    other = review.start("review", "rita", {**REQUEST, "title": "Other"})
    out = web_turnus(db_url, "audit", "export", cid, "--format", "json")
    assert out.returncode == 0, out.stderr
    path = tmp_path / "case.json"
    path.write_text(out.stdout, encoding="utf-8")
    checked = web_turnus(db_url, "audit", "check-export", str(path))
    assert checked.returncode == 0 and checked.stdout.startswith("intact"), checked.stderr
    csv = web_turnus(db_url, "audit", "export", cid, "--format", "csv")
    assert csv.returncode == 0 and csv.stdout.startswith("case_id,seq")
    xes = web_turnus(db_url, "audit", "export", "--format", "xes", "--definition", "review", "--since", "2020-01-01")
    assert xes.returncode == 0 and xes.stdout.count("<trace>") == 2
    bad = web_turnus(db_url, "audit", "export", "--format", "json")
    assert bad.returncode == 1 and bad.stderr.startswith("error: --format json needs a CASE id")

    assert web_turnus(db_url, "audit", "digest").stderr.startswith("error: No digest signing key")
    key = tmp_path / "audit.key"
    key.write_bytes(b"s" * 32)
    env = {"TURNUS_AUDIT_KEY_FILE": str(key)}
    digest = tmp_path / "digest.json"
    made = web_turnus(db_url, "audit", "digest", "--out", str(digest), env=env)
    assert made.returncode == 0, made.stderr
    assert web_turnus(db_url, "audit", "verify", "--against", str(digest), env=env).returncode == 0
    with review.db.begin() as conn:
        erase_case(conn, other)
    found = web_turnus(db_url, "audit", "verify", "--against", str(digest), env=env)
    assert found.returncode == 1 and other in found.stderr and "deleted" in found.stderr
    assert web_turnus(db_url, "audit", "verify").returncode == 0, "the chain alone does not see a deleted case"

    counted = web_turnus(db_url, "audit", "live")  # the statistics still count the erased case's start
    assert counted.returncode == 1 and "statistics of element 'classify'" in counted.stderr, counted.stderr
    assert web_turnus(db_url, "audit", "live", cid).returncode == 0
    with review.db.begin() as conn:
        conn.execute(update(cases).where(cases.c.id == cid).values(status="completed"))
    live = web_turnus(db_url, "audit", "live", cid)
    assert live.returncode == 1 and "status is 'completed'" in live.stderr

    purged = web_turnus(db_url, "audit", "purge-access-log")
    assert purged.returncode == 0 and purged.stdout.strip() == "0 entries deleted"
    log = web_turnus(db_url, "audit", "access-log", "--actor", "operator")
    assert "export_case_json" in log.stdout and "export_xes" in log.stdout
