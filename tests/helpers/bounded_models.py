"""Hostile models for the bounded-work tests (issue 7): loops, cycles and splits that must stop within the
work budget. Shared by the tests of bounded work, busy databases, spec caching and missed timer cycles."""

from __future__ import annotations

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_{key}" targetNamespace="urn:turnus:test">
  <bpmn:process id="{key}" name="{key}" isExecutable="true">
"""
TAIL = "  </bpmn:process>\n</bpmn:definitions>\n"


def model(key: str, body: str) -> bytes:
    return (HEAD.format(key=key) + body + TAIL).encode()


START_FORM = """<bpmn:startEvent id="start" camunda:initiator="requester">
      <bpmn:extensionElements><camunda:formData>{fields}</camunda:formData></bpmn:extensionElements>
      <bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>"""

ENDLESS_LOOP = model("endless_loop", """
    <bpmn:startEvent id="start" camunda:initiator="requester"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="go"/>
    <bpmn:userTask id="go" name="Go" camunda:assignee="${requester}">
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="go" targetRef="spin"/>
    <bpmn:scriptTask id="spin" name="Spin" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:standardLoopCharacteristics>
        <bpmn:loopCondition>turns &gt; 0</bpmn:loopCondition></bpmn:standardLoopCharacteristics>
      <bpmn:script>turns = 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="spin" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
""")

# The cycle comes from the start form, so deploy-time lint cannot see it: the run-time rule must hold.
CYCLE_FROM_FORM = model("cycle_from_form", START_FORM.format(
    fields='<camunda:formField id="every" label="Every" type="string"/>') + """
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:userTask id="work" name="Work" camunda:assignee="${requester}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="remind" name="Remind" attachedToRef="work" cancelActivity="false">
      <bpmn:outgoing>f_r</bpmn:outgoing>
      <bpmn:timerEventDefinition id="t1"><bpmn:timeCycle>every</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_r" sourceRef="remind" targetRef="reminder"/>
    <bpmn:userTask id="reminder" name="Reminder" camunda:assignee="${requester}">
      <bpmn:incoming>f_r</bpmn:incoming><bpmn:outgoing>f_re</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f_re" sourceRef="reminder" targetRef="reminded"/>
    <bpmn:endEvent id="reminded"><bpmn:incoming>f_re</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
""")

WIDE_MULTI_INSTANCE = model("wide_mi", START_FORM.format(
    fields='<camunda:formField id="count" label="How many" type="long"/>') + """
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each"/>
    <bpmn:userTask id="each" name="Each" camunda:assignee="${requester}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality>count</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
""")


def wide_split(branches: int) -> bytes:
    flows = "".join(f"""
    <bpmn:sequenceFlow id="a{i}" sourceRef="split" targetRef="s{i}"/>
    <bpmn:scriptTask id="s{i}" scriptFormat="python"><bpmn:incoming>a{i}</bpmn:incoming>
      <bpmn:outgoing>b{i}</bpmn:outgoing><bpmn:script>x{i} = {i}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="b{i}" sourceRef="s{i}" targetRef="join"/>""" for i in range(branches))
    return model("wide_split", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f1</bpmn:incoming>
      {''.join(f'<bpmn:outgoing>a{i}</bpmn:outgoing>' for i in range(branches))}</bpmn:parallelGateway>
    {flows}
    <bpmn:parallelGateway id="join">{''.join(f'<bpmn:incoming>b{i}</bpmn:incoming>' for i in range(branches))}
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="join" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
""")
