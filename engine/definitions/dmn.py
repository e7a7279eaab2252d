"""Deploy-time checks of DMN decision tables as SpiffWorkflow runs them.

Cells are Python expressions (not FEEL). An input cell is either a full expression compared for
equality with the input (``"gold"``, ``5``), an operator appended to the input (``> 5``), or an
expression using ``?`` for the input (``1 < ? < 5``); ``-`` or an empty cell matches anything.
"""

from __future__ import annotations

import ast
import re

from lxml import etree

from engine.errors import Problem

from .camunda import NAME_RE
from .expressions import code_problems, compile_problems
from .xmlsafe import Document

_PYTHON = frozenset({"", "python", "python3", "py"})
# "?" outside quotes stands for the input value (the library's own rule).
_QUESTION_RE = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def decision_id(doc: Document) -> str | None:
    """The id SpiffWorkflow registers the file under: its first decision's."""
    first = doc.root.find(f"{{{doc.dmn_ns}}}decision")
    return first.get("id") if first is not None else None


def dmn_problems(doc: Document) -> list[Problem]:
    ns = doc.dmn_ns

    def q(name: str) -> str:
        return f"{{{ns}}}{name}"

    decisions = doc.root.findall(q("decision"))
    if not decisions:
        return [Problem("error", doc.name, "the DMN file has no decision", doc.root.get("id"),
                        doc.root.sourceline, "dmn_no_decision")]
    problems: list[Problem] = []
    if len(decisions) > 1:
        ids = ", ".join(d.get("id", "?") for d in decisions)
        problems.append(Problem("error", doc.name, f"one decision per DMN file is supported; split {ids} "
                                "into separate files", decisions[1].get("id"), decisions[1].sourceline,
                                "dmn_several_decisions", {"ids": ids}))
    decision = decisions[0]
    table = decision.find(q("decisionTable"))
    if table is None:
        problems.append(Problem("error", doc.name, "the decision has no decision table (literal expressions "
                                "are not supported)", decision.get("id"), decision.sourceline,
                                "dmn_no_table"))
        return problems
    problems += _hit_policy(doc, table)
    inputs = table.findall(q("input"))
    outputs = table.findall(q("output"))
    input_texts: list[str] = []
    for inp in inputs:
        expr = inp.find(f"{q('inputExpression')}/{q('text')}")
        if expr is None or not (expr.text or "").strip():
            problems.append(Problem("error", doc.name, "the input has no expression", inp.get("id"),
                                    inp.sourceline, "dmn_input_empty"))
            input_texts.append("x")
            continue
        problems += _language(doc, inp.find(q("inputExpression")))
        problems += code_problems(doc.name, inp.get("id"), expr, expr.text, "eval", "input expression")
        input_texts.append(expr.text or "x")
    for out in outputs:
        name = out.get("name") or out.get("label") or ""
        if not all(NAME_RE.match(part) for part in name.split(".")):
            problems.append(Problem("error", doc.name, f"output name '{name}' must be a variable name "
                                    "(letters, digits, _; dots for nested values)", out.get("id"),
                                    out.sourceline, "dmn_output_name", {"name": name}))
    for number, rule in enumerate(table.findall(q("rule")), start=1):
        entries_in = rule.findall(q("inputEntry"))
        entries_out = rule.findall(q("outputEntry"))
        if len(entries_in) != len(inputs) or len(entries_out) != len(outputs):
            problems.append(Problem("error", doc.name, f"rule {number} has {len(entries_in)} input and "
                                    f"{len(entries_out)} output cells; the table has {len(inputs)} inputs "
                                    f"and {len(outputs)} outputs", rule.get("id"), rule.sourceline, "dmn_rule_cells",
                                    {"rule": number, "inputs_found": len(entries_in),
                                     "outputs_found": len(entries_out), "inputs": len(inputs),
                                     "outputs": len(outputs)}))
            continue
        for entry, input_text in zip(entries_in, input_texts, strict=True):
            problems += _language(doc, entry)
            problems += _input_cell(doc, rule, number, entry, input_text)
        for entry in entries_out:
            problems += _language(doc, entry)
            text = entry.find(q("text"))
            if text is not None and text.text:
                what = f"rule {number}, output cell"
                problems += code_problems(doc.name, rule.get("id"), text, text.text, "eval", what, number)
    return problems


def _hit_policy(doc: Document, table: etree._Element) -> list[Problem]:
    policy = (table.get("hitPolicy") or "UNIQUE").upper()
    tid, line = table.get("id"), table.sourceline
    if policy == "FIRST" or (policy == "COLLECT" and not table.get("aggregation")):
        return []
    if policy in ("UNIQUE", "ANY"):
        return [Problem("warning", doc.name, f"hit policy {policy} is not enforced: when several rules "
                        "match, the first one wins (as with FIRST)", tid, line, "dmn_hit_policy_not_enforced",
                        {"policy": policy})]
    if policy == "COLLECT":
        return [Problem("error", doc.name, f"COLLECT with aggregation {table.get('aggregation')} is not "
                        "supported (outputs are collected into lists, never aggregated)", tid, line,
                        "dmn_aggregation_unsupported", {"aggregation": table.get("aggregation")})]
    return [Problem("error", doc.name, f"hit policy {policy} is not supported: use FIRST, UNIQUE or "
                    "COLLECT", tid, line, "dmn_hit_policy_unsupported", {"policy": policy})]


def _language(doc: Document, el: etree._Element | None) -> list[Problem]:
    """A cell explicitly written in another language (JUEL, JavaScript...) would run as Python."""
    if el is None:
        return []
    language = (el.get("expressionLanguage") or "").strip().lower()
    if language in _PYTHON:
        return []
    return [Problem("error", doc.name, f"expression language '{language}' is not supported: DMN cells are "
                    "Python expressions", el.get("id"), el.sourceline, "dmn_language_unsupported",
                    {"language": language})]


def _input_cell(
    doc: Document, rule: etree._Element, number: int, entry: etree._Element, input_text: str
) -> list[Problem]:
    text_el = entry.find(f"{{{doc.dmn_ns}}}text")
    text = text_el.text if text_el is not None else None
    if text is None or text == "-":
        return []
    what = f"rule {number}, input cell {text.strip()!r}"
    at = text_el if text_el is not None else entry
    if _QUESTION_RE.search(text):
        source = _QUESTION_RE.sub("dmninputexpr", text)
    elif _parses(text):
        source = f"({input_text}) == ({text})"
    elif _parses(f"v {text}"):
        if text[:1].isalpha():
            return [Problem("error", doc.name, f"{what}: start the cell with a space (' {text}'): it is "
                            "appended to the input expression", rule.get("id"), at.sourceline,
                            "dmn_cell_needs_space", {"rule": number, "cell": text.strip()})]
        source = input_text + text
    else:
        source = text
    found = compile_problems(source, "eval")
    return [Problem("error", doc.name, f"{what}: {message}", rule.get("id"), at.sourceline, "dmn_cell_invalid",
                    {"rule": number, "cell": text.strip(), "detail": message}) for message in found]


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True
