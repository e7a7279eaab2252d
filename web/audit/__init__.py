"""The auditors' pages: search across cases, one case's timeline and diagram, verify, exports, element
statistics, the access log; and every person's own "my data" report. Reading only: nothing here mutates."""

from web.audit import access_pages, case_pages, search_pages  # noqa: F401  (their routes register on bp)
from web.audit.blueprint import bp

__all__ = ["bp"]
