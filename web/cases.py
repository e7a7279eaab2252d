"""My cases, one case (phase, recorded steps, comments, files), commenting, downloading a file."""

from __future__ import annotations

from engine.commands_limits import MAX_COMMENT  # noqa: F401  (placeholder, replaced below)

