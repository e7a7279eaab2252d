"""The /api/v1 blueprint, in a module of its own so the view modules can import it without importing their
package back."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
