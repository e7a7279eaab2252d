"""Load BPMN/DMN files into immutable bundles: parse safely, validate, lint, then let SpiffWorkflow
build and serialize the specs. Pure: no database, no clock.

SpiffWorkflow only sees files that passed every check of ours, so what it still refuses is a real
structural problem, and nothing it half-understands gets through.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from engine.config import load_settings
from engine.errors import DefinitionInvalid, Problem
from engine.runtime.specconfig import REGISTRY, adopt_messages

from .camunda import bpmn, cattr, name_anonymous_flows, normalise_legacy
from .dmn import decision_id, dmn_problems
from .lint import Context, lint_bpmn
from .meta import process_meta
from .model import Bundle, ProcessMeta
from .parser import TurnusParser, arm_at_start
from .xmlsafe import Document, parse_document, schema_problems

_registry = REGISTRY
logger = logging.getLogger(__name__)


def load_paths(paths: Sequence[Path]) -> list[Bundle]:
    """Bundles from files and folders (folders: every *.bpmn / *.dmn below them, recursively)."""
    max_bytes = load_settings().max_definition_bytes
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".bpmn", ".dmn"))
            if not found:
                problems.append(Problem("error", str(path), "no .bpmn or .dmn files in this folder",
                                        reason="folder_empty"))
            entries = [(p.relative_to(path).as_posix(), p) for p in found]
        else:
            entries = [(path.name, path)]
        for name, file in entries:
            if name in files:
                problems.append(Problem("error", str(file), f"two files are named {name}; rename one",
                                        reason="file_name_twice", params={"name": name}))
                continue
            data, problem = _read(file, max_bytes)
            if problem is not None:
                problems.append(problem)
            elif data is not None:
                files[name] = data
    return _load(files, problems)


def _read(path: Path, max_bytes: int) -> tuple[bytes | None, Problem | None]:
    try:
        if not path.is_file():  # also refuses FIFOs and devices, which could block or never end
            what = "does not exist" if not path.exists() else "is not a regular file"
            return None, Problem("error", str(path), f"cannot read: the path {what}",
                                 reason="path_missing" if not path.exists() else "path_not_file")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, Problem("error", str(path), f"cannot read: {exc.strerror or exc}", reason="file_unreadable",
                             params={"detail": str(exc.strerror or exc)})
    if len(data) > max_bytes:
        return None, Problem("error", str(path), f"file is larger than the limit of {max_bytes:,} bytes "
                             "(TURNUS_MAX_DEFINITION_BYTES)", reason="file_over_limit",
                             params={"limit": max_bytes})
    return data, None


def load_bundles(files: Mapping[str, bytes]) -> list[Bundle]:
    """One Bundle per executable top-level process; DefinitionInvalid lists every problem found."""
    return _load(dict(files), [])


def restore_spec(spec_json: str) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    """Fresh spec objects for one case. Specs are mutated at run time: never share them."""
    data = json.loads(spec_json)
    spec = _registry.restore(data["spec"])
    return spec, {name: _registry.restore(sub) for name, sub in data["subprocess_specs"].items()}


def _load(files: dict[str, bytes], problems: list[Problem]) -> list[Bundle]:
    max_bytes = load_settings().max_definition_bytes
    if not files and not problems:
        _refuse([Problem("error", "", "no BPMN or DMN files were given", reason="no_files")])
    docs: list[Document] = []
    for name in sorted(files):
        doc, found = parse_document(name, files[name], max_bytes)
        problems += found
        if doc is not None:
            if doc.kind == "bpmn":
                normalise_legacy(doc.root)
                for flow in name_anonymous_flows(doc.root):  # the stored file stays as uploaded
                    doc.by_id.setdefault(flow.get("id"), flow)
            problems += schema_problems(doc)
            docs.append(doc)
    ctx, called = _cross_file(docs, problems)
    for doc in docs:
        try:
            problems += lint_bpmn(doc, ctx) if doc.kind == "bpmn" else dmn_problems(doc)
        except Exception as exc:  # a bug of ours must still end as a refusal, never a server error
            logger.exception("lint of %s crashed", doc.name)
            problems.append(Problem("error", doc.name, f"Turnus could not check this file ({type(exc).__name__}: "
                                    f"{exc}); please report this", doc.root.get("id"), doc.root.sourceline,
                                    "lint_crashed", {"detail": f"{type(exc).__name__}: {exc}"}))
    if not any(d.kind == "bpmn" for d in docs) and docs:
        problems.append(Problem("error", docs[0].name, "no BPMN file among the files: a DMN decision needs "
                                "a process that calls it", reason="no_bpmn_file"))
    if any(p.severity == "error" for p in problems):
        _refuse(problems)
    top = {pid: ctx.homes[pid] for pid, executable in ctx.processes.items() if executable and pid not in called}
    bundles = _build(docs, files, top, problems)
    if any(p.severity == "error" for p in problems):
        _refuse(problems)
    return bundles


def _refuse(problems: list[Problem]) -> None:
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.file, p.line or 0))
    raise DefinitionInvalid(ordered)


def _cross_file(docs: list[Document], problems: list[Problem]) -> tuple[Context, set[str]]:
    """Process and decision ids across all files (duplicates refused) and the processes called."""
    processes: dict[str, bool] = {}
    seen: dict[str, str] = {}
    called: set[str] = set()
    for doc in (d for d in docs if d.kind == "bpmn"):
        for process in doc.root.findall(bpmn("process")):
            pid = process.get("id", "")
            if not pid:
                problems.append(Problem("error", doc.name, "the process has no id; give it one (it is the "
                                        "definition's key)", None, process.sourceline, "process_id_missing"))
                continue
            if pid in seen:
                problems.append(Problem("error", doc.name, f"process id '{pid}' is also used in {seen[pid]}",
                                        pid, process.sourceline, "process_id_twice",
                                        {"id": pid, "other": seen[pid]}))
                continue
            seen[pid] = doc.name
            executable = process.get("isExecutable", "true") == "true"
            processes[pid] = executable
            if executable:
                called.update(c.get("calledElement", "") for c in process.iter(bpmn("callActivity")))
    decisions: dict[str, str] = {}
    for doc in (d for d in docs if d.kind == "dmn"):
        did = decision_id(doc)
        if did is not None and did in decisions:
            problems.append(Problem("error", doc.name, f"decision id '{did}' is also used in {decisions[did]}",
                                    did, doc.line_of(did), "decision_id_twice",
                                    {"id": did, "other": decisions[did]}))
        elif did is not None:
            decisions[did] = doc.name
    return Context(processes, frozenset(decisions), seen, frozenset(called)), called


def _build(
    docs: list[Document], files: dict[str, bytes], top: dict[str, str], problems: list[Problem]
) -> list[Bundle]:
    """Let SpiffWorkflow parse everything, then build one bundle per top process (id -> its file)."""
    by_name = {d.name: d for d in docs}
    for doc in docs:
        # SpiffWorkflow's parsers iterate children assuming elements; a comment inside a decision
        # table crashes them. Our lint is done, and the stored files stay byte-for-byte as uploaded.
        etree.strip_tags(doc.root, etree.Comment, etree.ProcessingInstruction)
    parser = TurnusParser()
    try:
        for doc in docs:
            if doc.kind == "dmn":
                parser.add_dmn_xml(doc.root, filename=doc.name)
        for doc in docs:
            if doc.kind == "bpmn":
                parser.add_bpmn_xml(doc.root.getroottree(), filename=doc.name)
    except Exception as exc:  # the library raises more than ValidationException (KeyError, ...)
        problems.append(_library_problem(exc, by_name, docs[0], None))
        return []
    decision_files = {decision_id(d): d.name for d in docs if d.kind == "dmn"}
    bundles = []
    for pid, home_name in top.items():
        home = by_name[home_name]
        try:
            spec = parser.get_spec(pid)
            subs = parser.get_subprocess_specs(pid)
            arm_at_start([spec, *subs.values()])
            adopt_messages([spec, *subs.values()])
            spec_json = json.dumps({
                "spec": _registry.convert(spec),
                "subprocess_specs": {name: _registry.convert(s) for name, s in subs.items()},
            })
        except Exception as exc:
            problems.append(_library_problem(exc, by_name, home, pid))
            continue
        metas: dict[str, ProcessMeta] = {}
        needed = {home.name}
        for name, s in [(pid, spec), *subs.items()]:
            doc = by_name.get(s.file, home)
            element = doc.by_id.get(name)
            if element is None:
                continue
            needed.add(doc.name)
            metas[name] = process_meta(doc, element)
            for task in element.iter(bpmn("businessRuleTask")):
                ref = cattr(task, "decisionRef")
                if ref in decision_files:
                    needed.add(decision_files[ref])
        bundle_files = {name: files[name] for name in sorted(needed)}
        bundles.append(Bundle(
            key=pid,
            name=home.by_id[pid].get("name") or pid,
            content_hash=content_hash(bundle_files),
            files=MappingProxyType(bundle_files),
            spec_json=spec_json,
            processes=MappingProxyType(metas),
            warnings=tuple(p for p in problems if p.severity == "warning" and p.file in bundle_files),
        ))
    return bundles


def content_hash(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _library_problem(exc: Exception, by_name: dict[str, Document], home: Document, pid: str | None) -> Problem:
    """A SpiffWorkflow exception as a Problem located by file, element id and line."""
    reason, params = "", {}
    if isinstance(exc, ValidationException):
        message = str(exc.args[0]) if exc.args else str(exc)
        reason, params = "parser_refused", {"detail": message.strip()}
        if "RecursionError" in message:  # the parser recurses along sequence flows (~450 in a row)
            reason, params = "process_too_long", {}
            message = ("the process is too long for the BPMN parser (a chain of several hundred "
                       "elements); split it into subprocesses or called processes")
        element_id: str | None = exc.id or None
        file = exc.file_name if exc.file_name in by_name else None
        if file is None and element_id:
            holders = [d for d in by_name.values() if element_id in d.by_id]
            file = home.name if home in holders else (holders[0].name if holders else None)
    else:
        message = f"the BPMN engine could not load this definition ({type(exc).__name__}: {exc})"
        reason, params = "engine_could_not_load", {"detail": f"{type(exc).__name__}: {exc}"}
        element_id, file = None, None
    doc = by_name.get(file or "", home)
    if element_id is None or element_id not in doc.by_id:
        element_id = pid or _first_process(doc)
    return Problem("error", doc.name, message.strip(), element_id, doc.line_of(element_id), reason, params)


def _first_process(doc: Document) -> str | None:
    process = doc.root.find(bpmn("process"))
    return (process if process is not None else doc.root).get("id")
