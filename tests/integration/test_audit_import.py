"""`audit import`: a JSON export loaded into an empty database gives back the same events, verified first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.errors import Conflict, InvalidInput, NotFound
from engine.service import Engine
from tests.helpers.cli import web_turnus
from tests.helpers.support import PROCESSES, REQUEST


@pytest.fixture
def empty_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind as the source."""
    if not db_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'archive.db'}"
        return
    from tests.conftest import _pg_schema

    schema = _pg_schema()
    yield next(schema)
    schema.close()


def _worked_case(review: Engine, title: str) -> str:
    cid = review.start("review", "rita", {**REQUEST, "title": title})
    [task] = [t for t in review.tasks_for("ralf") if t.case_id == cid]
    review.claim(task.id, "ralf")
    review.comment(cid, "ralf", "Ser fornuftigt ud")
    review.complete(task.id, "ralf", {"decision": "approve", "reason": "Fits the budget"})
    return cid


def test_export_import_export_gives_the_same_document(review: Engine, empty_url: str) -> None:
    cid, other = _worked_case(review, "New chairs"), _worked_case(review, "Old chairs")
    exported = review.export_case(cid, "audrey", "json")
    archive = Engine.create(empty_url)
    try:
        assert archive.import_case(exported) == (cid, len(json.loads(exported)["events"]))
        assert archive.verify(cid) == []
        assert [p for p in archive.check_live_state(cid) if "no stored workflow state" in p], "said, not hidden"
        view = archive.case(cid, None)
        assert (view.status, view.data["reason"]) == ("running", "Fits the budget"), "read from its events"
        assert json.loads(archive.export_case(cid, None, "json")) == json.loads(exported), "the same events"
        with pytest.raises(Conflict, match="already in this database"):
            archive.import_case(exported)
        archive.add_user("admin", roles=["admin"])
        with pytest.raises(Conflict, match="imported from an audit export"):
            archive.cancel(cid, "admin", "test")
        doc = json.loads(review.export_case(other, "audrey", "json"))
        doc["events"][2]["actor"] = "mallory"
        with pytest.raises(InvalidInput, match=r"chain is broken, nothing was imported: .*event 3"):
            archive.import_case(json.dumps(doc))
        with pytest.raises(NotFound):
            archive.case(other, None)
        # The imported definition version is a real one: deploys after it get the next ids, cases start on it.
        assert [r.status for r in archive.deploy_paths([PROCESSES / "review.bpmn"], "system")] == ["unchanged"]
        assert [r.status for r in archive.deploy_paths([PROCESSES / "loop.bpmn"], "system")] == ["new"]
        archive.add_user("rita")
        assert archive.case(archive.start("review", "rita", REQUEST), None).status == "running"
    finally:
        archive.close()


def test_the_statistics_count_imported_history(review: Engine, empty_url: str) -> None:
    cid = _worked_case(review, "New chairs")
    exported = review.export_case(cid, "audrey", "json")
    archive = Engine.create(empty_url)
    try:
        archive.import_case(exported)
        archive.add_user("audrey", roles=["auditor"])
        _, found = archive.element_stats("audrey", "review")
        runs = {s.element_id: (s.cases, s.runs, s.median_seconds) for s in found}
        # The events came back; the tasks did not, so there are no times spent (as a recount would find).
        assert runs == {"classify": (1, 1, None), "review_task": (1, 1, None), "decided": (1, 1, None)}
        assert {f.reason for f in archive.check_live_state()} == {"no_state"}, "and the counters agree"
    finally:
        archive.close()


def test_an_import_into_a_database_with_other_definitions_is_refused(review: Engine, empty_url: str) -> None:
    cid = _worked_case(review, "New chairs")
    exported = review.export_case(cid, "audrey", "json")
    archive = Engine.create(empty_url)
    try:
        archive.deploy_paths([PROCESSES / "loop.bpmn"], "system")  # takes definition id 1, review's id here
        with pytest.raises(Conflict, match="import into an empty database"):
            archive.import_case(exported)
        with pytest.raises(NotFound):
            archive.case(cid, None)
    finally:
        archive.close()


def test_cli_import(review: Engine, tmp_path: Path) -> None:
    cid = _worked_case(review, "New chairs")
    path = tmp_path / "case.json"
    path.write_text(review.export_case(cid, "audrey", "json"), encoding="utf-8")
    target = f"sqlite:///{tmp_path / 'cli-archive.db'}"
    done = web_turnus(target, "audit", "import", str(path))
    assert done.returncode == 0 and done.stdout.startswith(f"{cid} imported ("), done.stderr
    again = web_turnus(target, "audit", "import", str(path))
    assert again.returncode == 1 and "already in this database" in again.stderr
