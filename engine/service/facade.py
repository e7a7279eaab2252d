"""The composition root: ``Engine`` is the one object that web, CLI, workers and the API talk to.

It is assembled from one class per capability (engine/service/*.py), each built on ``EngineCore``
(engine/service/base.py), which holds the database, clock, settings and version cache and runs every command in
exactly one transaction. docs/ARCHITECTURE.md lists which module owns which method.
"""

from __future__ import annotations

from engine.service.admin import AdminIncidents
from engine.service.admin_operations import AdminOperations
from engine.service.api_reads import ApiReads
from engine.service.audit import AuditQueries
from engine.service.cases import CaseCommands
from engine.service.data import DataCommands
from engine.service.definitions import DefinitionCommands
from engine.service.deployments import AdminDeployments
from engine.service.directory import DirectoryCommands
from engine.service.external_tasks import ExternalTaskCommands
from engine.service.mail_admin import AdminMail
from engine.service.messaging import MessagingCommands
from engine.service.notify import NotifyCommands
from engine.service.operations import OperationsQueries
from engine.service.pages import PageQueries
from engine.service.people import AdminPeople
from engine.service.reads import CaseReads
from engine.service.sessions import SessionCommands
from engine.service.tokens import TokenCommands
from engine.service.users import UserCommands
from engine.service.webhooks import WebhookCommands
from engine.service.workers import WorkerRecords


class Engine(CaseCommands, CaseReads, DefinitionCommands, DataCommands, MessagingCommands, NotifyCommands,
             AuditQueries, SessionCommands, PageQueries, UserCommands, TokenCommands, ApiReads, WorkerRecords,
             OperationsQueries, AdminIncidents, AdminDeployments, AdminOperations, AdminPeople, AdminMail,
             WebhookCommands, ExternalTaskCommands, DirectoryCommands):
    """Every command and read of Turnus; see the capability classes for each."""
