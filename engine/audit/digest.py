"""A signed digest of every case's chain head, kept outside the database.

Someone with write access to the database can rewrite a case's events, recompute every hash and
re-anchor the case row, or delete a case whole: the chain alone cannot show that. A digest taken
earlier and signed with HMAC-SHA256 under a key the database never holds can: every case it lists must
still exist, and its event at the digest's sequence number must still carry the same hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from engine.audit.chain import VerifyFailure
from engine.errors import InvalidInput
from engine.store.tables import case_events, cases

FORMAT = "turnus-chain-digest"
MIN_KEY_BYTES = 16


def load_key(path: str | None) -> bytes:
    """The signing key from its file (``TURNUS_AUDIT_KEY_FILE``); refused when unset, unreadable or short."""
    if not path:
        raise InvalidInput("No digest signing key: set TURNUS_AUDIT_KEY_FILE to a file outside the database "
                           "holding a secret, e.g. `head -c 32 /dev/urandom > /etc/turnus/audit.key`")
    try:
        key = Path(path).read_bytes().strip()
    except OSError as err:
        raise InvalidInput(f"Cannot read the digest key file {path}: {err.strerror}") from None
    if len(key) < MIN_KEY_BYTES:
        raise InvalidInput(f"The digest key in {path} is too short: use at least {MIN_KEY_BYTES} bytes")
    return key


def _body(doc: dict[str, Any]) -> bytes:
    return json.dumps({k: v for k, v in doc.items() if k != "signature"}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False).encode()


def _sign(key: bytes, doc: dict[str, Any]) -> str:
    return hmac.new(key, _body(doc), hashlib.sha256).hexdigest()


def make_digest(conn: Connection, key: bytes, now: datetime) -> dict[str, Any]:
    heads = {r.id: [r.last_event_seq, r.last_event_hash]
             for r in conn.execute(select(cases.c.id, cases.c.last_event_seq, cases.c.last_event_hash))}
    doc: dict[str, Any] = {"format": FORMAT, "version": 1, "created_at": now.isoformat(), "case_count": len(heads),
                           "heads": heads}
    doc["signature"] = _sign(key, doc)
    return doc


def parse_digest(text: str | bytes, key: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InvalidInput(f"The digest is not JSON: {err}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("heads"), dict):
        raise InvalidInput(f"Not a Turnus chain digest (expected \"format\": \"{FORMAT}\")")
    if not hmac.compare_digest(str(doc.get("signature", "")), _sign(key, doc)):
        raise InvalidInput("The digest's signature does not match: it was edited, or signed with another key")
    return doc


def check_against(conn: Connection, doc: dict[str, Any]) -> list[VerifyFailure]:
    """Cases of a (verified) digest that were deleted or whose chain no longer holds the digest's head."""
    taken = doc.get("created_at", "?")
    failures = []
    for case_id, head in sorted(doc["heads"].items()):
        seq, digest_hash = int(head[0]), str(head[1])
        if conn.execute(select(cases.c.id).where(cases.c.id == case_id)).first() is None:
            failures.append(VerifyFailure(case_id, None, f"the case was deleted (the digest of {taken} lists it "
                                                         f"with {seq} events)"))
            continue
        if seq == 0:
            continue
        now_hash = conn.execute(select(case_events.c.hash).where(case_events.c.case_id == case_id,
                                                                 case_events.c.seq == seq)).scalar()
        if now_hash is None:
            failures.append(VerifyFailure(case_id, seq, f"the event the digest of {taken} ends on is gone"))
        elif now_hash != digest_hash:
            failures.append(VerifyFailure(case_id, seq, f"the chain was rewritten: this event's hash differs "
                                                        f"from the digest of {taken}"))
    return failures
