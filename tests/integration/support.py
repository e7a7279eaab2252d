"""Shared constants for integration tests."""

from pathlib import Path

PROCESSES = Path(__file__).parent / "processes"
REQUEST = {"title": "New chairs", "amount": 300, "needed_by": "2027-02-01", "urgent": True}
