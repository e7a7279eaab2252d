"""DMN lint: cells compile as SpiffWorkflow will run them; unsupported table features are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.definitions import load_bundles
from engine.errors import DefinitionInvalid, Problem

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bpmn"
PROCESS = (FIXTURES / "leave_request.bpmn").read_bytes()
CALLED = (FIXTURES / "notify_staff.bpmn").read_bytes()


def dmn(rules: str, policy: str = 'hitPolicy="FIRST"', outputs: str = '<output id="o" name="level" />',
        extra_decision: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="D" namespace="http://t">
  <decision id="approval_level" name="Level">
    <decisionTable id="table" {policy}>
      <input id="i1" label="Hours"><inputExpression id="ie1"><text>hours</text></inputExpression></input>
      {outputs}
{rules}
    </decisionTable>
  </decision>{extra_decision}
</definitions>
""".encode()


def rule(cell: str, out: str = '"x"', rid: str = "r1") -> str:
    return (f'<rule id="{rid}"><inputEntry id="{rid}_in"><text>{cell}</text></inputEntry>'
            f'<outputEntry id="{rid}_out"><text>{out}</text></outputEntry></rule>')


def deploy(table: bytes) -> list[Problem]:
    with pytest.raises(DefinitionInvalid) as info:
        load_bundles({"p.bpmn": PROCESS, "n.bpmn": CALLED, "t.dmn": table})
    return info.value.problems


def test_good_cells_deploy() -> None:
    rules = "\n".join([rule("&gt; 40", rid="a"), rule('"sick"', rid="b"), rule("1 &lt; ? &lt; 5", rid="c"),
                       rule("-", rid="r_d"), rule("", '', rid="e"), rule(" in [1, 2]", rid="f")])
    (bundle,) = load_bundles({"p.bpmn": PROCESS, "n.bpmn": CALLED, "t.dmn": dmn(rules)})
    assert "t.dmn" in bundle.files


@pytest.mark.parametrize(
    "cell, out, fragment",
    [("&gt; &gt; 4", '"x"', "input cell '> > 4'"), ("5", '"x', "output cell"),
     ("? &lt;", '"x"', "SyntaxError"), ("in [1, 2]", '"x"', "start the cell with a space"),
     ("x.__class__", '"x"', "__class__")],
)
def test_bad_cells_are_refused_with_rule_and_line(cell: str, out: str, fragment: str) -> None:
    (problem,) = deploy(dmn(rule(cell, out)))
    assert problem.file == "t.dmn" and problem.element_id == "r1" and problem.line == 7
    assert problem.message.startswith("rule 1,") and fragment in problem.message


def test_bad_input_expression_is_refused() -> None:
    table = dmn(rule("1")).replace(b"<text>hours</text>", b"<text>hours +</text>")
    problems = {p.element_id: p.message for p in deploy(table)}
    assert problems["i1"].startswith("input expression: line 1: SyntaxError")


@pytest.mark.parametrize(
    "policy, fragment",
    [('hitPolicy="RULE ORDER"', "hit policy RULE ORDER is not supported"),
     ('hitPolicy="COLLECT" aggregation="SUM"', "COLLECT with aggregation SUM is not supported")],
)
def test_unsupported_hit_policies_are_refused(policy: str, fragment: str) -> None:
    (problem,) = deploy(dmn(rule("1"), policy=policy))
    assert problem.element_id == "table" and fragment in problem.message


def test_unique_hit_policy_is_a_warning() -> None:
    (bundle,) = load_bundles({"p.bpmn": PROCESS, "n.bpmn": CALLED, "t.dmn": dmn(rule("1"), policy="")})
    (warning,) = bundle.warnings
    assert warning.element_id == "table" and "first one wins" in warning.message


def test_structure_errors() -> None:
    problems = deploy(dmn(
        rule("1") + '<rule id="short"><outputEntry id="s_o"><text>"y"</text></outputEntry></rule>',
        outputs='<output id="o" name="bad name" />',
        extra_decision='<decision id="second" name="Second" />',
    ))
    messages = {p.element_id: p.message for p in problems}
    assert "one decision per DMN file" in messages["second"]
    assert "output name 'bad name'" in messages["o"]
    assert "rule 2 has 0 input and 1 output cells" in messages["short"]


def test_non_python_cell_language_is_refused() -> None:
    table = dmn(rule("1")).replace(b'<inputEntry id="r1_in">', b'<inputEntry id="r1_in" expressionLanguage="juel">')
    (problem,) = deploy(table)
    assert problem.element_id == "r1_in" and "'juel' is not supported" in problem.message


def test_decision_ids_must_be_unique_across_files() -> None:
    with pytest.raises(DefinitionInvalid) as info:
        load_bundles({"p.bpmn": PROCESS, "n.bpmn": CALLED, "a.dmn": dmn(rule("1")), "b.dmn": dmn(rule("1"))})
    (problem,) = info.value.problems
    assert problem.file == "b.dmn" and "also used in a.dmn" in problem.message


def test_comments_inside_a_decision_table_are_harmless() -> None:
    table = dmn("<!-- the only rule -->" + rule("1").replace("<inputEntry", "<!-- cell --><inputEntry"))
    (bundle,) = load_bundles({"p.bpmn": PROCESS, "n.bpmn": CALLED, "t.dmn": table})
    assert bundle.files["t.dmn"] == table
