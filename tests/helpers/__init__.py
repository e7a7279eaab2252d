"""Helpers the tests share: models, engines, servers and runners. Tests import shared code only from here or
from a conftest, never from another test module (tests/unit/test_test_imports.py checks it)."""
