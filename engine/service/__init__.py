"""The service layer: the ``Engine`` facade that web, CLI and workers call, and one module per capability.

See docs/ARCHITECTURE.md for which module owns which of its methods.
"""

from engine.service.facade import Engine

__all__ = ["Engine"]
