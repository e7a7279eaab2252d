"""The Engine's ``set data`` command (issue 12): an administrator's audited data change, one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from engine.forms import FormSchema
from engine.service.base import EngineCore


class DataCommands(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py)."""

    def start_variables(self, key: str) -> FormSchema:
        """The turnus:startVariable declarations of the latest version of ``key`` (start data beside the form)."""
        return self._read(lambda conn: self.versions.latest(conn, key).start_variables)

    def set_data(self, case_id: str, actor: str, data: Mapping[str, Any], reason: str) -> None:
        """Set case variables outside a task form; the workflow then advances (conditional events fire)."""
        from engine.cases import data_edit  # here: it imports the workflow library, which reads do not need

        values = data_edit.checked_values(data)  # refused before any transaction

        def run(conn: Connection, now: datetime) -> None:
            data_edit.set_data(self._ctx(conn, now), self._user(conn, actor),
                               case_id, values, reason)
        # A failing condition refuses the change (no incident: nothing was changed, nothing to retry).
        self._write(run, actor=actor, command={"kind": "set_data"})
