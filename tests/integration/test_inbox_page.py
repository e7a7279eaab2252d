"""The inbox page read by the database (issue 11) lists what the unpaginated queries list, in the same order."""

from __future__ import annotations

from engine.service import Engine
from tests.helpers.support import REQUEST


def _start(review: Engine, n: int) -> None:
    for i in range(n):
        review.start("review", "rita", {**REQUEST, "title": f"{'bcA'[i % 3]}-chairs {i:02d}"})


def test_group_pages_together_are_the_group_list_in_order(review: Engine) -> None:
    _start(review, 7)
    everything = [t.id for t in review.tasks_for("ralf", scope="group")]
    shown: list[str] = []
    for page in (1, 2, 3):
        found = review.inbox("ralf", view="group", page=page, size=3)
        assert (found.total, found.pages, found.counts) == (7, 3, {"mine": 0, "group": 7})
        shown += [t.id for t in found.tasks]
    assert shown == everything
    assert review.inbox("ralf", view="group", page=9, size=3).page == 3  # past the end: the last page


def test_sort_by_case_title_ignores_case_and_the_default_view_follows_the_counts(review: Engine) -> None:
    _start(review, 6)
    found = review.inbox("ralf", sort="case", size=25)
    assert found.view == "group"  # nothing is assigned to ralf, so the group list is shown
    titles = [t.case_title for t in found.tasks]
    assert titles == sorted(titles, key=str.lower)


def test_search_and_claimed_tasks(review: Engine) -> None:
    _start(review, 12)
    everything = review.tasks_for("ralf", scope="group")
    first = everything[0]
    review.claim(first.id, "ralf")
    mine = review.inbox("ralf", view="mine")
    assert [t.id for t in mine.tasks] == [first.id] and mine.counts == {"mine": 1, "group": 12}
    found = review.inbox("ralf", view="group", q="CHAIRS 1")  # in any letter case; 2 of the 12 titles
    assert found.total == 2
    assert sorted(t.case_title for t in found.tasks) == ["A-chairs 11", "c-chairs 10"]
    assert [t.id for t in found.tasks] == [t.id for t in everything if t.case_title in ("A-chairs 11", "c-chairs 10")]
    assert review.inbox("olga", view="group").total == 0
