"""The audit trail: the hash chain (chain), exports (export, xes), signed digests of chain heads (digest),
the live-state check (consistency), searches for auditors (search), the per-element statistics (stats), the
access log (access).

The chain's names are re-exported so ``from engine.audit import EventWriter`` keeps working.
"""

from engine.audit.chain import GENESIS, EventWriter, VerifyFailure, dump_payload, event_hash, verify_all, verify_case

__all__ = ["GENESIS", "EventWriter", "VerifyFailure", "dump_payload", "event_hash", "verify_all", "verify_case"]
