"""Grid layout for BPMN diagram interchange (bpmndi): the model, text sizes and shared constants.

Used by layout_netvaerksturnus.py. The BPMN file stays the source of truth: these modules read its
semantic part, place every flow node on a (row, column) grid given by a placement table, size expanded
subprocesses around their content, route sequence flows orthogonally, and replace the file's
``bpmndi:BPMNDiagram``. Rows belong to lanes; a lane is as tall as its rows. Nothing here knows the
rotation process. layout_geometry computes positions, layout_write checks and writes them.
"""


from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

TASKS = {"userTask", "scriptTask", "businessRuleTask", "serviceTask", "manualTask", "task", "sendTask",
         "receiveTask", "callActivity"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway"}
CONTAINERS = {"subProcess", "transaction"}

CHAR_W = 6.4  # average width of a character in bpmn-js' 12px label font
LINE_H = 14.0
TASK_H = 80.0
EVENT = 36.0
GATEWAY = 50.0
GAP_X = 46.0  # between neighbouring columns
GAP_Y = 26.0  # between neighbouring rows
PAD_X = 26.0  # expanded subprocess: left/right padding around its content
PAD_TOP = 34.0  # room for the subprocess' own name
PAD_BOTTOM = 30.0  # room for the loop / multi-instance marker
LANE_HEADER = 30.0  # the band holding a pool's or lane's vertical name
LANE_PAD = 20.0  # space between a lane's border and the outermost content of its rows


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


@dataclass
class Node:
    id: str
    kind: str
    name: str
    parent: str | None
    lane: str | None
    attached: str | None = None


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str


@dataclass(frozen=True)
class Route:
    """How to draw one sequence flow; ``kind`` is auto | straight | hv | vh | z | channel.

    channel: leave the source vertically to ``row`` center + ``dy``, run horizontally, and enter the
    target from ``enter`` (top | bottom | left). z: the vertical segment sits at ``x_frac`` of the way
    from the source's right side to the target's left side.
    """

    kind: str = "auto"
    row: str | None = None
    dy: float = 0.0
    enter: str = "bottom"
    x_frac: float = 0.5


@dataclass
class Layout:
    rows: list[tuple[str, str]]  # (row key, lane id), top to bottom
    place: dict[str, tuple[str, int]]  # node id -> (row key, column)
    boundary: dict[str, tuple[str, float]] = field(default_factory=dict)  # id -> (top|bottom, 0..1)
    routes: dict[str, Route] = field(default_factory=dict)
    label_side: dict[str, str] = field(default_factory=dict)  # event/gateway id -> above|below|right
    gap_extra: dict[str, float] = field(default_factory=dict)  # row key -> extra space above it


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box, margin: float = 0.0) -> bool:
        return not (self.right + margin <= other.x or other.right + margin <= self.x
                    or self.bottom + margin <= other.y or other.bottom + margin <= self.y)

    def contains(self, other: Box) -> bool:
        return (self.x <= other.x and self.y <= other.y and other.right <= self.right
                and other.bottom <= self.bottom)


# --- reading -----------------------------------------------------------------------------------

def read_model(root: etree._Element, process_id: str) -> tuple[dict[str, Node], list[Flow]]:
    process = root.find(f"{q(BPMN, 'process')}[@id='{process_id}']")
    if process is None:
        raise SystemExit(f"no process {process_id!r}")
    lanes = {ref.text.strip(): ref.getparent().get("id") for ref in process.iter(q(BPMN, "flowNodeRef"))
             if ref.text}
    nodes: dict[str, Node] = {}
    flows: list[Flow] = []

    def walk(container: etree._Element, parent: str | None) -> None:
        for el in container:
            if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN:
                continue
            kind = etree.QName(el).localname
            if kind == "sequenceFlow":
                flows.append(Flow(el.get("id"), el.get("sourceRef"), el.get("targetRef"), el.get("name", "")))
            elif kind in TASKS | EVENTS | GATEWAYS | CONTAINERS:
                node_id = el.get("id")
                nodes[node_id] = Node(node_id, kind, el.get("name", ""), parent, lanes.get(node_id),
                                      el.get("attachedToRef"))
                if kind in CONTAINERS:
                    walk(el, node_id)

    walk(process, None)
    return nodes, flows


# --- text ---------------------------------------------------------------------------------------

def wrap(text: str, width: float) -> list[str]:
    per_line = max(1, int(width / CHAR_W))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def label_size(text: str, width: float = 96.0) -> tuple[float, float]:
    lines = wrap(text, width)
    w = min(width, max(len(line) for line in lines) * CHAR_W + 8)
    return w, len(lines) * LINE_H + 2
