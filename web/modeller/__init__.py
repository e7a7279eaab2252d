"""The process owners' workspace: definitions, the browser modeller, validate/deploy, versions, migration.

Only process owners and administrators reach it; the engine checks the role again on every command.
"""

from web.modeller import actions, pages  # noqa: F401  (their routes register on bp)
from web.modeller.blueprint import bp

__all__ = ["bp"]
