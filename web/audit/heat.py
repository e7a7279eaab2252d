"""The heat view of a version's statistics: each element's class (0 = least … 4 = most) and the legend."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

CLASSES = 5
METRICS = ("cases", "time")  # how many cases passed an element; the median time spent on it


@dataclass(frozen=True)
class Band:
    heat: int
    low: float
    high: float


def _value(stat: Any, by: str) -> float | None:
    return float(stat.cases) if by == "cases" else stat.median_seconds


def heat_map(stats: Sequence[Any], by: str) -> tuple[dict[str, int], list[Band]]:
    """Equal-width classes between the smallest and largest value; elements without a value get none."""
    values = {s.element_id: v for s in stats if (v := _value(s, by)) is not None}
    if not values:
        return {}, []
    low, high = min(values.values()), max(values.values())
    width = (high - low) / CLASSES
    if width == 0:
        return {eid: CLASSES - 1 for eid in values}, [Band(CLASSES - 1, low, high)]
    classes = {eid: min(CLASSES - 1, int((v - low) / width)) for eid, v in values.items()}
    bands = [Band(i, low + i * width, low + (i + 1) * width) for i in range(CLASSES)]
    return classes, bands


def labels(stats: Sequence[Any], by: str, duration: Callable[[float | None], str]) -> dict[str, str]:
    """The text on each element's badge: the same number the table shows."""
    if by == "cases":
        return {s.element_id: str(s.cases) for s in stats}
    return {s.element_id: duration(s.median_seconds) for s in stats if s.median_seconds is not None}
