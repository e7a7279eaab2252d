"""Turnus case engine: plain Python, no web framework.

Layers: definitions (load + lint BPMN/DMN), sandbox (the only evaluator of scripts and
expressions), forms, store (SQLAlchemy), runtime (SpiffWorkflow bridge), cases (the service
layer: one function per command), audit, identity.
"""
