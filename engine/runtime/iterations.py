"""The iterations a standard loop has merged, kept compact once the finished ones are pruned.

SpiffWorkflow's ``StandardLoopTask`` appends each finished iteration's id to ``internal_data["merged"]``
and reads only its length and last item. ``workflow.prune_finished_iterations`` blanks the ids of the
iterations it removes and makes the list a ``MergedIterations``, which the registry serialises as a
count of leading blanks plus the remaining ids. Without it every save and restore converted each of
the 1,000 blanks one by one through the registry (the growth ENGINE-NOTES measures as history growth).
"""

from __future__ import annotations

from typing import Any

TYPENAME = "MergedIterations"


class MergedIterations(list[str]):
    """A plain list to SpiffWorkflow; it also counts its leading blanks, so saving it is O(ids left)."""

    def __init__(self, items: list[str], blanks: int = 0) -> None:
        super().__init__(items)
        self._blanks = blanks

    def leading_blanks(self) -> int:
        # Amortised O(1): blanks only ever appear (SpiffWorkflow appends ids, pruning blanks them).
        while self._blanks < len(self) and self[self._blanks] == "":
            self._blanks += 1
        return self._blanks

    def blank(self, item: str) -> None:
        """Blank the newest occurrence of ``item`` (nothing if it is not there)."""
        for i in range(len(self) - 1, self._blanks - 1, -1):
            if self[i] == item:
                self[i] = ""
                return


def to_dict(merged: MergedIterations) -> dict[str, Any]:
    blanks = merged.leading_blanks()
    return {"pruned": blanks, "ids": merged[blanks:]}


def from_dict(dct: dict[str, Any]) -> MergedIterations:
    return MergedIterations([""] * dct["pruned"] + dct["ids"], blanks=dct["pruned"])


def adopt_packed(internal_data: dict[str, Any]) -> None:
    """Mark a body's packed list written before this type existed so the registry restores it."""
    merged = internal_data.get("merged")
    if isinstance(merged, dict) and "typename" not in merged:
        merged["typename"] = TYPENAME


def register(registry: Any) -> None:
    registry.register(MergedIterations, to_dict, from_dict, typename=TYPENAME)
