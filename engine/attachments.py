"""Files attached to a case or a task: stored in the database, typed by their content, read per object.

The type a browser claims is never trusted: ``sniff`` reads the first bytes (and, for Office files,
the zip directory) and only an allow-list of document and image types is accepted. Reading checks that
the reader takes part in the case, and is logged in the access log like any read of case data.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from engine import identity
from engine.cases import commands, queries
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleCase
from engine.store.tables import attachments, cases

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE2_TYPES = {"doc": "application/msword", "xls": "application/vnd.ms-excel",
               "ppt": "application/vnd.ms-powerpoint"}
_OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_ODF_TYPES = frozenset({"application/vnd.oasis.opendocument.text",
                        "application/vnd.oasis.opendocument.spreadsheet",
                        "application/vnd.oasis.opendocument.presentation"})
_TEXT_TYPES = {"txt": "text/plain; charset=utf-8", "md": "text/plain; charset=utf-8",
               "csv": "text/csv; charset=utf-8"}
ALLOWED_DESCRIPTION = "PDF, PNG, JPEG, GIF, WebP, Word, Excel, PowerPoint, OpenDocument, or text (.txt, .csv, .md)"


@dataclass(frozen=True)
class Attachment:
    id: str
    case_id: str | None
    task_id: str | None
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    content: bytes | None = None


def _extension(file_name: str) -> str:
    return file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""


def sniff(content: bytes, file_name: str) -> str:
    """The content type of an allowed file, judged by its bytes; raises InvalidInput otherwise."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"PK\x03\x04"):
        kind = _zip_kind(content)
        if kind:
            return kind
    if content.startswith(_OLE2) and _extension(file_name) in _OLE2_TYPES:
        return _OLE2_TYPES[_extension(file_name)]
    if _extension(file_name) in _TEXT_TYPES and b"\x00" not in content:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return _TEXT_TYPES[_extension(file_name)]
    raise InvalidInput(f"The file type is not allowed. Allowed: {ALLOWED_DESCRIPTION}")


def _zip_kind(content: bytes) -> str | None:
    """An Office Open XML or OpenDocument type, read from the zip directory only (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    declared = archive.read("mimetype").decode("ascii", "replace").strip()
                    if declared in _ODF_TYPES:
                        return declared
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML_TYPES.items():
                    if any(n.startswith(prefix) for n in names):
                        return kind
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    return None


def clean_file_name(file_name: str) -> str:
    """The last path component, without control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", file_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".")
    if len(name) > 255:
        stem, _, ext = name.rpartition(".")
        name = (stem[: 250 - len(ext)] + "." + ext) if stem and len(ext) < 10 else name[:255]
    return name or "file"


def _write(engine: Any) -> Any:
    return engine.db.connect().execution_options(turnus_write=True)


def store(engine: Any, actor: str, file_name: str, content: bytes, *, task_id: str | None = None,
          case_id: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Attachment:
    """Store a file for a task the actor may work on, a case they take part in, or (neither given)
    for a case they are about to start; returns it without its content."""
    if not content:
        raise InvalidInput("The file is empty")
    if len(content) > max_bytes:
        raise InvalidInput(f"The file is too large: at most {max_bytes // (1024 * 1024)} MB")
    content_type = sniff(content, file_name)
    now = engine.clock.now()
    with _write(engine) as conn, conn.begin():
        user = identity.load_user(conn, actor)
        if not identity.may_mutate(user):
            raise Forbidden("Your role is read-only: you can read cases, but not add files", reason="read_only")
        if task_id is not None:
            row = commands.task_row(conn, task_id)
            if row.state != "open" or not identity.may_work(user, commands.access_of(conn, row, engine.versions)):
                raise Forbidden(f"You may not add files to task {task_id}", reason="no_files_here")
            case_id = row.case_id
        elif case_id is not None:
            _require_reader(conn, user, case_id)
        item = Attachment(str(uuid.uuid4()), case_id, task_id, clean_file_name(file_name), content_type,
                          len(content), hashlib.sha256(content).hexdigest(), actor, now)
        conn.execute(insert(attachments).values(
            id=item.id, case_id=item.case_id, task_id=item.task_id, file_name=item.file_name,
            content_type=item.content_type, size=item.size, sha256=item.sha256, content=content,
            uploaded_by=actor, uploaded_at=now))
        if case_id is not None:
            _audit_added(conn, now, actor, case_id, [item])
    return item


def _audit_added(conn: Connection, now: datetime, actor: str, case_id: str, items: list[Attachment]) -> None:
    """A file added to a case is part of its history: one event per file, in the same transaction."""
    _audit(conn, now, case_id, [("attachment_added", actor, item, {}) for item in items], "added")


def _audit(conn: Connection, now: datetime, case_id: str, changes: list[tuple[str, str, Attachment, dict[str, Any]]],
           verb: str, case: Any = None) -> None:
    case = case if case is not None else commands.case_row(conn, case_id)
    events = commands._writer(commands.Ctx(conn, now, None), case)  # type: ignore[arg-type]
    for kind, actor, item, more in changes:
        events.add(kind, actor, task_id=item.task_id, attachment_id=item.id, file_name=item.file_name,
                   content_type=item.content_type, size=item.size, sha256=item.sha256, **more)
    try:
        commands._bump(commands.Ctx(conn, now, None), case, events)  # type: ignore[arg-type]
    except StaleCase:
        raise Conflict(f"The case changed while the file was {verb}; please try again", reason="file_race") from None


MAX_REASON = 500


def remove(engine: Any, actor: str, attachment_id: str, reason: str = "") -> Attachment:
    """Delete a file (its content is gone for good) and record that in the case's history: the event keeps
    the name, size and SHA-256, so the history still says exactly which file it was. Allowed to the
    uploader or an administrator while the case is running; never to read-only roles."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"The reason can have at most {MAX_REASON} characters")
    with _write(engine) as conn, conn.begin():
        row = conn.execute(select(*_META).where(attachments.c.id == str(attachment_id))).first()
        if row is None:
            raise NotFound(f"No attachment {attachment_id!r}")
        user = identity.load_user(conn, actor)
        if not identity.may_mutate(user):
            raise Forbidden("Your role is read-only: you can read cases, but not remove files", reason="read_only")
        case = commands.case_row(conn, row.case_id) if row.case_id else None
        if row.case_id is not None:
            _require_reader(conn, user, row.case_id)
        if not identity.may_remove_attachment(user, row.uploaded_by, case.status if case else None):
            if case is not None and case.status != "running":
                raise Forbidden(f"The case is {case.status}: its files can no longer be removed", reason="case_closed")
            raise Forbidden("Only the person who added the file, or an administrator, may remove it",
                            reason="file_remove_not_yours")
        item = _from_row(row, False)
        conn.execute(delete(attachments).where(attachments.c.id == item.id))
        if case is not None:
            _audit(conn, engine.clock.now(), case.id, [("attachment_removed", actor, item, {"reason": reason})],
                   "removed", case)
        return item


def link_to_case(engine: Any, actor: str, attachment_ids: list[str], case_id: str) -> int:
    """Tie files uploaded with a start form to the case that form started; returns how many."""
    if not attachment_ids:
        return 0
    with _write(engine) as conn, conn.begin():
        linked = [_from_row(r, False) for r in conn.execute(select(*_META).where(
            attachments.c.id.in_(attachment_ids), attachments.c.uploaded_by == actor,
            attachments.c.case_id.is_(None)).order_by(attachments.c.uploaded_at, attachments.c.id))]
        if not linked:
            return 0
        conn.execute(update(attachments).where(attachments.c.id.in_([a.id for a in linked]))
                     .values(case_id=case_id))
        _audit_added(conn, engine.clock.now(), actor, case_id, linked)
        return len(linked)


def _require_reader(conn: Connection, user: identity.User, case_id: str) -> Any:
    case = conn.execute(select(cases.c.id, cases.c.started_by).where(cases.c.id == case_id)).first()
    if case is None:
        raise NotFound(f"No case {case_id!r}")
    people, groups = queries.participants(conn, case_id)
    if not identity.may_read_case(user, people, groups):
        raise Forbidden(f"You do not take part in case {case_id}", reason="not_participant")
    return case


def _from_row(row: Any, with_content: bool) -> Attachment:
    return Attachment(row.id, row.case_id, row.task_id, row.file_name, row.content_type, row.size, row.sha256,
                      row.uploaded_by, row.uploaded_at, bytes(row.content) if with_content else None)


_META = [c for c in attachments.c if c.name != "content"]


def get(engine: Any, actor: str, attachment_id: str, *, with_content: bool = True,
        purpose: str = "case work") -> Attachment:
    """One attachment, if the actor may read it: a participant of its case, or its uploader while it
    belongs to no case yet. Reading the content is logged in the access log."""
    columns = [attachments] if with_content else _META
    with _write(engine) as conn, conn.begin():
        row = conn.execute(select(*columns).where(attachments.c.id == str(attachment_id))).first()
        if row is None:
            raise NotFound(f"No attachment {attachment_id!r}")
        user = identity.load_user(conn, actor)
        subject = None
        if row.case_id is None:
            if row.uploaded_by != actor and not user.has_role("admin"):
                raise Forbidden(f"Attachment {attachment_id} is not yours", reason="file_not_yours")
        else:
            subject = _require_reader(conn, user, row.case_id).started_by
        if with_content:
            queries.log_access(conn, actor, "read_attachment", row.id, purpose, subject, engine.clock.now())
        return _from_row(row, with_content)


def for_case(engine: Any, actor: str, case_id: str) -> list[Attachment]:
    """The case's attachments (without content), oldest first, if the actor takes part in the case."""
    with engine.db.connect() as conn, conn.begin():
        _require_reader(conn, identity.load_user(conn, actor), case_id)
        return listed(conn, case_id)


def listed(conn: Connection, case_id: str) -> list[Attachment]:
    """The case's attachments without content, oldest first; the caller has checked the reader."""
    rows = conn.execute(select(*_META).where(attachments.c.case_id == case_id)
                        .order_by(attachments.c.uploaded_at, attachments.c.id))
    return [_from_row(r, False) for r in rows]
