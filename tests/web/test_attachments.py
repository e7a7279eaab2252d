"""Files on tasks and cases: typed by content, size-limited, readable only by those taking part."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from engine import attachments
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.service import Engine
from tests.web.conftest import PROPOSAL, open_task, start_widgets

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})


@pytest.mark.parametrize(("content", "name", "kind"), [
    (PDF, "plan.pdf", "application/pdf"),
    (PDF, "misnamed.exe", "application/pdf"),  # the bytes decide, not the name
    (PNG, "photo.png", "image/png"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "photo.jpg", "image/jpeg"),
    (b"GIF89a" + b"\x00" * 10, "anim.gif", "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "pic.webp", "image/webp"),
    (DOCX, "agreement.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (ODT, "agreement.odt", "application/vnd.oasis.opendocument.text"),
    ("Æblegrød og kage\n".encode(), "notes.txt", "text/plain; charset=utf-8"),
    (b"a;b\n1;2\n", "hours.csv", "text/csv; charset=utf-8"),
])
def test_sniff_allows_documents_and_images(content: bytes, name: str, kind: str) -> None:
    assert attachments.sniff(content, name) == kind


@pytest.mark.parametrize(("content", "name"), [
    (b"<html><script>alert(1)</script></html>", "page.html"),
    (b"<html><script>alert(1)</script></html>", "page.pdf"),  # a claimed type is not trusted
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image.svg"),
    (b"MZ\x90\x00" + b"\x00" * 60, "setup.exe"),
    (b"\x7fELF" + b"\x00" * 60, "tool.pdf"),
    (_zip({"evil.js": b"x"}), "archive.zip"),
    (b"text with a \x00 nul", "notes.txt"),
    (b"\xff\xfe\xfd", "notes.txt"),
])
def test_sniff_refuses_everything_else(content: bytes, name: str) -> None:
    with pytest.raises(InvalidInput):
        attachments.sniff(content, name)


def test_clean_file_name() -> None:
    assert attachments.clean_file_name("../../etc/passwd") == "passwd"
    assert attachments.clean_file_name("C:\\Users\\x\\plan.pdf") == "plan.pdf"
    assert attachments.clean_file_name("a\x00b\nc.pdf") == "abc.pdf"
    assert attachments.clean_file_name("") == "file"
    assert len(attachments.clean_file_name("x" * 400 + ".pdf")) <= 255


def test_store_and_read_per_object(engine: Engine) -> None:
    case_id = start_widgets(engine)
    task_id = open_task(engine, case_id)
    item = attachments.store(engine, "ralf", "evidence.pdf", PDF, task_id=task_id)
    assert item.case_id == case_id and item.size == len(PDF) and item.content_type == "application/pdf"
    assert attachments.get(engine, "rita", item.id).content == PDF  # the proposer takes part
    with pytest.raises(Forbidden):
        attachments.get(engine, "olga", item.id)
    with pytest.raises(NotFound):
        attachments.get(engine, "ralf", "nope")
    with pytest.raises(Forbidden):  # only those who may work the task may add files to it
        attachments.store(engine, "olga", "x.pdf", PDF, task_id=task_id)
    with pytest.raises(InvalidInput):
        attachments.store(engine, "ralf", "big.pdf", PDF + b"x" * 100, task_id=task_id, max_bytes=50)
    with pytest.raises(InvalidInput):
        attachments.store(engine, "ralf", "empty.pdf", b"", task_id=task_id)
    assert [a.id for a in attachments.for_case(engine, "ralf", case_id)] == [item.id]


def test_files_before_a_case_exists_belong_to_their_uploader(engine: Engine) -> None:
    item = attachments.store(engine, "rita", "plan.pdf", PDF)
    assert attachments.get(engine, "rita", item.id).case_id is None
    with pytest.raises(Forbidden):
        attachments.get(engine, "ralf", item.id)
    case_id = start_widgets(engine, plan=item.id)
    assert attachments.link_to_case(engine, "olga", [item.id], case_id) == 0  # not hers
    assert attachments.link_to_case(engine, "rita", [item.id], case_id) == 1
    assert attachments.get(engine, "ralf", item.id).case_id == case_id  # now every participant reads it


def test_upload_on_a_task_form_and_download(engine: Engine, as_user: Any) -> None:
    case_id = start_widgets(engine)
    task_id = open_task(engine, case_id)
    ralf = as_user("ralf")
    response = ralf.post(f"/tasks/{task_id}", {"action": "complete", "verdict": "ok",
                                               "evidence": (io.BytesIO(PDF), "evidence.pdf", "text/html")},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    attachment_id = engine.case(case_id, None).data["evidence"]
    download = as_user("rita").get(f"/attachments/{attachment_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"  # sniffed, not the browser's text/html
    assert download.headers["Content-Disposition"].startswith('attachment; filename="evidence.pdf"')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert as_user("olga").get(f"/attachments/{attachment_id}").status_code == 403
    assert ralf.get("/attachments/nope").status_code == 404
    case_page = ralf.get(f"/cases/{case_id}").text
    assert "evidence.pdf" in case_page and f"/attachments/{attachment_id}" in case_page


def test_upload_refusals_keep_the_form(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_widgets(engine))
    ralf = as_user("ralf")
    bad_type = ralf.post(f"/tasks/{task_id}", {"action": "complete", "note": "kept",
                                               "evidence": (io.BytesIO(b"<html></html>"), "x.pdf")},
                         content_type="multipart/form-data")
    assert bad_type.status_code == 400
    assert "denne filtype er ikke tilladt" in bad_type.text and 'value="kept"' in bad_type.text
    assert "Verdict skal udfyldes." in bad_type.text  # the other problems are listed too
    too_big = ralf.post(f"/tasks/{task_id}", {"action": "complete", "verdict": "ok",
                                              "evidence": (io.BytesIO(PDF + b"x" * 300_000), "big.pdf")},
                        content_type="multipart/form-data")
    assert too_big.status_code in (400, 413)
    forged = ralf.post(f"/tasks/{task_id}", {"action": "complete", "verdict": "ok", "keep-file-evidence": "nope"})
    assert forged.status_code == 400 and "filen findes ikke længere" in forged.text


def test_upload_survives_a_failed_submission(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_widgets(engine))
    ralf = as_user("ralf")
    first = ralf.post(f"/tasks/{task_id}", {"action": "complete", "evidence": (io.BytesIO(PDF), "e.pdf")},
                      content_type="multipart/form-data")
    assert first.status_code == 400 and "e.pdf" in first.text and 'name="keep-file-evidence"' in first.text
    kept = first.text.split('name="keep-file-evidence" value="')[1].split('"')[0]
    second = ralf.post(f"/tasks/{task_id}", {"action": "complete", "verdict": "ok", "keep-file-evidence": kept})
    assert second.status_code == 302


def test_upload_on_the_start_form(engine: Engine, as_user: Any) -> None:
    rita = as_user("rita")
    data = {k: str(v) for k, v in PROPOSAL.items() if k != "urgent"}
    response = rita.post("/start/widgets", {**data, "plan": (io.BytesIO(DOCX), "plan.docx")},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    case_id = response.location.rsplit("/", 1)[1]
    plan = engine.case(case_id, None).data["plan"]
    item = attachments.get(engine, "ralf", plan, with_content=False)
    assert item.case_id == case_id and item.file_name == "plan.docx"


def _removal_events(engine: Engine, case_id: str) -> list[Any]:
    return [e for e in engine.history(case_id, None) if e.kind == "attachment_removed"]


def test_the_uploader_removes_a_file_and_the_history_keeps_which_file_it_was(engine: Engine, as_user) -> None:
    from tests.web.conftest import start_review

    case_id = start_review(engine)
    item = attachments.store(engine, "rita", "forkert.pdf", PDF, case_id=case_id)
    rita = as_user("rita")
    page = rita.get(f"/cases/{case_id}")
    assert f"/attachments/{item.id}/remove" in page.text and "Fjern fil" in page.text
    assert rita.post(f"/attachments/{item.id}/remove", {"reason": "Forkert fil"}, csrf=False).status_code == 400
    assert attachments.for_case(engine, "rita", case_id), "a refused request removes nothing"
    done = rita.post(f"/attachments/{item.id}/remove", {"reason": "Forkert fil"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cases/{case_id}#files-title")
    with pytest.raises(NotFound):
        attachments.get(engine, "rita", item.id)
    [event] = _removal_events(engine, case_id)
    assert (event.actor, event.payload["file_name"], event.payload["sha256"], event.payload["reason"]) == (
        "rita", "forkert.pdf", item.sha256, "Forkert fil")
    assert engine.verify(case_id) == []
    engine.add_user("revisor", roles=["auditor"], password_hash=None)
    timeline = as_user("admin").get(f"/audit/cases/{case_id}").text
    assert "fjernede filen “forkert.pdf”" in timeline and "Forkert fil" in timeline


def test_only_the_uploader_or_an_admin_removes_and_only_while_the_case_runs(engine: Engine, as_user) -> None:
    from tests.web.conftest import start_review

    case_id = start_review(engine)
    first = attachments.store(engine, "rita", "a.pdf", PDF, case_id=case_id)
    second = attachments.store(engine, "rita", "b.pdf", PDF, case_id=case_id)
    engine.add_user("revisor", roles=["auditor"])
    for who, message in (("ralf", "Only the person who added"), ("revisor", "read-only"),
                         ("olga", "do not take part")):
        with pytest.raises(Forbidden, match=message):
            attachments.remove(engine, who, first.id)
    ralf = as_user("ralf")
    assert f"/attachments/{first.id}/remove" not in ralf.get(f"/cases/{case_id}").text
    refused = ralf.post(f"/attachments/{first.id}/remove", {"reason": "x"})
    assert refused.status_code == 403 and "Kun den, der tilføjede filen" in refused.text
    assert len(attachments.for_case(engine, "rita", case_id)) == 2 and _removal_events(engine, case_id) == []
    attachments.remove(engine, "admin", first.id, "Personoplysninger")
    task = open_task(engine, case_id)
    engine.claim(task, "ralf")
    engine.complete(task, "ralf", {"decision": "reject", "reason": "no"})
    with pytest.raises(Forbidden, match="The case is completed"):
        attachments.remove(engine, "rita", second.id)
    assert [a.id for a in attachments.for_case(engine, "rita", case_id)] == [second.id]
    assert [e.actor for e in _removal_events(engine, case_id)] == ["admin"]
    with pytest.raises(NotFound):
        attachments.remove(engine, "admin", first.id)
