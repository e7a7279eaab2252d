"""Definitions: load BPMN/DMN files safely, validate and lint them, and bundle them for the store.

``load_bundles`` / ``load_paths`` return one immutable ``Bundle`` per executable top-level process or
raise ``DefinitionInvalid`` listing every problem; ``restore_spec`` gives a case its own spec objects.
"""

from .bundle import content_hash, load_bundles, load_paths, restore_spec
from .model import Bundle, ProcessMeta, UserTaskMeta

__all__ = ["Bundle", "ProcessMeta", "UserTaskMeta", "content_hash", "load_bundles", "load_paths", "restore_spec"]
