"""The operator's console (/admin): open incidents and the ways out of them. Every action is checked again by
the engine (engine/service/admin.py) and audited in the case history."""

from web.admin import deployments, incidents, mail, operations, people  # noqa: F401  (their routes register on bp)
from web.admin.blueprint import bp

__all__ = ["bp"]
