"""The service layer: one module per group of commands; each command is one transaction.

Callers use ``engine.service.Engine``; these modules are its parts.
"""
