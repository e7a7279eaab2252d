"""Positions of shapes, labels and flow waypoints on the layout grid (see layout_model)."""

from __future__ import annotations

import math

from layout_model import (
    CHAR_W,
    CONTAINERS,
    EVENT,
    EVENTS,
    GAP_X,
    GAP_Y,
    GATEWAY,
    GATEWAYS,
    LANE_HEADER,
    LANE_PAD,
    PAD_BOTTOM,
    PAD_TOP,
    PAD_X,
    TASK_H,
    TASKS,
    Box,
    Flow,
    Layout,
    Node,
    Route,
    label_size,
)


def task_width(name: str) -> float:
    longest = max((len(w) for w in name.split()), default=0)
    return max(120.0, math.ceil((longest * CHAR_W + 22) / 10) * 10)


class Geometry:
    def __init__(self, nodes: dict[str, Node], flows: list[Flow], layout: Layout):
        self.nodes, self.flows, self.layout = nodes, flows, layout
        self.row_index = {key: i for i, (key, _) in enumerate(layout.rows)}
        self.children: dict[str | None, list[str]] = {}
        for node in nodes.values():
            self.children.setdefault(node.parent, []).append(node.id)
        self.bounds: dict[str, Box] = {}
        self.labels: dict[str, Box] = {}
        self.edges: dict[str, list[tuple[float, float]]] = {}
        self.edge_labels: dict[str, Box] = {}

    # sizes and vertical extents relative to the row center ------------------------------------
    def size(self, node: Node) -> tuple[float, float]:
        if node.kind in TASKS:
            return task_width(node.name), TASK_H
        if node.kind in EVENTS:
            return EVENT, EVENT
        if node.kind in GATEWAYS:
            return GATEWAY, GATEWAY
        raise ValueError(node.kind)

    def side(self, node: Node) -> str:
        default = "right" if node.kind == "boundaryEvent" else "above" if node.kind in GATEWAYS else "below"
        return self.layout.label_side.get(node.id, default)

    def attached_to(self, host: str) -> list[Node]:
        return [n for n in self.nodes.values() if n.attached == host]

    def extent(self, node_id: str) -> tuple[float, float]:
        """Space (above, below) the row center that a placed node or a container needs."""
        node = self.nodes[node_id]
        if node.kind in CONTAINERS:
            return self.container_extent(node_id)
        _, h = self.size(node)
        above = below = h / 2
        if node.name and node.kind in EVENTS | GATEWAYS:
            _, lh = label_size(node.name)
            if self.side(node) == "above":
                above += 5 + lh
            elif self.side(node) == "below":
                below += 5 + lh
        for b in self.attached_to(node_id):
            reach = EVENT / 2 + (label_size(b.name)[1] if b.name else 0)
            if self.layout.boundary[b.id][0] == "top":
                above = max(above, h / 2 + reach)
            else:
                below = max(below, h / 2 + reach)
        return above, below

    def rows_of(self, node_id: str) -> tuple[int, int]:
        node = self.nodes[node_id]
        if node.kind in CONTAINERS:
            spans = [self.rows_of(c) for c in self.children.get(node_id, []) if not self.nodes[c].attached]
            return min(s[0] for s in spans), max(s[1] for s in spans)
        if node.attached:
            return self.rows_of(node.attached)
        i = self.row_index[self.layout.place[node_id][0]]
        return i, i

    def cols_of(self, node_id: str) -> tuple[int, int]:
        node = self.nodes[node_id]
        if node.kind in CONTAINERS:
            spans = [self.cols_of(c) for c in self.children.get(node_id, []) if not self.nodes[c].attached]
            return min(s[0] for s in spans), max(s[1] for s in spans)
        if node.attached:
            return self.cols_of(node.attached)
        c = self.layout.place[node_id][1]
        return c, c

    def container_extent(self, box_id: str) -> tuple[float, float]:
        top, bottom = self.rows_of(box_id)
        above = below = 0.0
        for child in self.children.get(box_id, []):
            if self.nodes[child].attached:
                continue
            c_top, c_bottom = self.rows_of(child)
            a, b = self.extent(child)
            if c_top == top:
                above = max(above, a)
            if c_bottom == bottom:
                below = max(below, b)
        for flow in self.flows:
            route = self.layout.routes.get(flow.id)
            if (route and route.kind == "channel" and self.nodes[flow.source].parent == box_id
                    and self.row_index[route.row] == bottom and route.dy > 0):
                below = max(below, route.dy + 14)
        below += PAD_BOTTOM
        for b in self.attached_to(box_id):
            reach = EVENT / 2 + (label_size(b.name)[1] if b.name else 0)
            if self.layout.boundary[b.id][0] == "bottom":
                below += reach
            else:
                above += EVENT / 2
        return above + PAD_TOP, below

    # placement -----------------------------------------------------------------------------------
    def compute(self) -> None:
        rows = self.layout.rows
        need_above = [0.0] * len(rows)
        need_below = [0.0] * len(rows)
        for node in self.nodes.values():
            if node.attached:
                continue
            top, bottom = self.rows_of(node.id)
            above, below = self.extent(node.id)
            need_above[top] = max(need_above[top], above)
            need_below[bottom] = max(need_below[bottom], below)
        for flow in self.flows:
            route = self.layout.routes.get(flow.id)
            if route and route.kind == "channel" and self.nodes[flow.source].parent is None:
                i = self.row_index[route.row]
                if route.dy > 0:
                    need_below[i] = max(need_below[i], route.dy + 10)
                else:
                    need_above[i] = max(need_above[i], -route.dy + 10)
        self.row_y: dict[str, float] = {}
        self.lane_bands: dict[str, tuple[float, float]] = {}
        y, lane_top = 0.0, 0.0
        for i, (key, lane) in enumerate(rows):  # a lane's rows must be consecutive
            if i == 0 or rows[i - 1][1] != lane:
                lane_top = y
                y += LANE_PAD
            else:
                y += GAP_Y
            y += self.layout.gap_extra.get(key, 0.0) + need_above[i]
            self.row_y[key] = y
            y += need_below[i]
            if i == len(rows) - 1 or rows[i + 1][1] != lane:
                y += LANE_PAD
                self.lane_bands[lane] = (lane_top, y)

        # columns: widest element, plus the paddings of subprocesses that start or end there
        ncols = max(c for _, c in self.layout.place.values()) + 1
        width = [EVENT] * ncols
        for node_id, (_, c) in self.layout.place.items():
            node = self.nodes[node_id]
            width[c] = max(width[c], self.size(node)[0])
        pad_left = [0.0] * ncols
        pad_right = [0.0] * ncols

        def pads(box_id: str) -> tuple[float, float]:
            first, last = self.cols_of(box_id)
            left = right = 0.0
            for child in self.children.get(box_id, []):
                if self.nodes[child].kind in CONTAINERS:
                    c_first, c_last = self.cols_of(child)
                    cl, cr = pads(child)
                    if c_first == first:
                        left = max(left, cl)
                    if c_last == last:
                        right = max(right, cr)
            return left + PAD_X, right + PAD_X

        for node in self.nodes.values():
            if node.kind in CONTAINERS:
                first, last = self.cols_of(node.id)
                left, right = pads(node.id)
                pad_left[first] = max(pad_left[first], left)
                pad_right[last] = max(pad_right[last], right)
        gap = [GAP_X] * ncols
        for flow in self.flows:
            src = self.nodes[flow.source]
            if flow.name and src.kind in GATEWAYS:
                c = self.layout.place[src.id][1]
                gap[c] = max(gap[c], label_size(flow.name, 110)[0] + 14)
        self.col_x: list[float] = []
        x = LANE_HEADER * 2 + 20
        for c in range(ncols):
            x += pad_left[c]
            self.col_x.append(x + width[c] / 2)
            x += width[c] + pad_right[c] + gap[c]
        self.width = x + 10

        for node_id, (row, c) in self.layout.place.items():
            w, h = self.size(self.nodes[node_id])
            self.bounds[node_id] = Box(self.col_x[c] - w / 2, self.row_y[row] - h / 2, w, h)
        self._containers(None)
        for node in self.nodes.values():
            if node.attached:
                self._place_boundary(node)
        for flow in self.flows:
            self.edges[flow.id] = self._route(flow)
            if flow.name:
                self.edge_labels[flow.id] = self._edge_label(flow)
        for node in self.nodes.values():
            if node.kind in GATEWAYS and node.id not in self.layout.label_side:
                self.layout.label_side[node.id] = self._free_side(node.id)
            if node.kind in EVENTS | GATEWAYS and node.name:
                self.labels[node.id] = self._label(node)

    def _containers(self, parent: str | None) -> None:
        for child in self.children.get(parent, []):
            if self.nodes[child].kind in CONTAINERS:
                self._containers(child)
                self.bounds[child] = self._container_box(child)

    def _container_box(self, box_id: str) -> Box:
        inner = [self.bounds[c] for c in self.children[box_id] if c in self.bounds]
        top, bottom = self.rows_of(box_id)
        above, below = self.container_extent(box_id)
        for b in self.attached_to(box_id):
            if self.layout.boundary[b.id][0] == "bottom":
                below -= EVENT / 2 + (label_size(b.name)[1] if b.name else 0)
            else:
                above -= EVENT / 2
        x = min(b.x for b in inner) - PAD_X
        right = max(b.right for b in inner) + PAD_X
        y = self.row_y[self.layout.rows[top][0]] - above
        y_bottom = self.row_y[self.layout.rows[bottom][0]] + below
        return Box(x, y, right - x, y_bottom - y)

    def _place_boundary(self, node: Node) -> None:
        host = self.bounds[node.attached]
        edge, frac = self.layout.boundary[node.id]
        cx = host.x + host.w * frac
        cy = host.bottom if edge == "bottom" else host.y
        self.bounds[node.id] = Box(cx - EVENT / 2, cy - EVENT / 2, EVENT, EVENT)

    def _free_side(self, node_id: str) -> str:
        """above, unless a flow leaves or enters the gateway's top vertex (then below)."""
        b = self.bounds[node_id]
        for flow in self.flows:
            points = self.edges[flow.id]
            ends = [points[0]] if flow.source == node_id else [points[-1]] if flow.target == node_id else []
            if any(abs(x - b.cx) < 1 and abs(y - b.y) < 1 for x, y in ends):
                return "below"
        return "above"

    def _label(self, node: Node) -> Box:
        b = self.bounds[node.id]
        w, h = label_size(node.name)
        side = self.side(node)
        if side == "above":
            return Box(b.cx - w / 2, b.y - 5 - h, w, h)
        if side == "right":
            return Box(b.right + 2, b.cy + 4 if self.layout.boundary.get(node.id, ("bottom",))[0] == "bottom"
                       else b.cy - 4 - h, w, h)
        return Box(b.cx - w / 2, b.bottom + 5, w, h)

    # routing -----------------------------------------------------------------------------------
    def _route(self, flow: Flow) -> list[tuple[float, float]]:
        route = self.layout.routes.get(flow.id, Route())
        src, tgt = self.nodes[flow.source], self.nodes[flow.target]
        s, t = self.bounds[flow.source], self.bounds[flow.target]
        if route.kind == "channel":
            y = self.row_y[route.row] + route.dy
            start = (s.cx, s.bottom if y > s.cy else s.y)
            if route.enter == "left":
                x_turn = t.x - 24
                return [start, (s.cx, y), (x_turn, y), (x_turn, t.cy), (t.x, t.cy)]
            end = (t.cx, t.bottom if route.enter == "bottom" else t.y)
            return [start, (s.cx, y), (t.cx, y), end]
        entry = self._entry_y(flow.target)
        start = None  # a subprocess is left level with where the target is entered
        if src.kind in CONTAINERS:
            start = (s.right, entry if s.y + 12 < entry < s.bottom - 12 else s.cy)
        if tgt.kind in CONTAINERS:
            ty = start[1] if start else s.cy
            end_left = (t.x, ty if t.y + 12 < ty < t.bottom - 12 else entry)
        else:
            end_left = (t.x, t.cy)
        kind = route.kind
        if kind == "auto":
            same = abs((start[1] if start else s.cy) - end_left[1]) < 1
            if same:
                kind = "straight"
            elif src.attached or (src.kind in GATEWAYS and tgt.kind not in GATEWAYS):
                kind = "vh"
            elif tgt.kind in GATEWAYS | EVENTS and tgt.kind != "boundaryEvent" and src.kind not in GATEWAYS:
                kind = "hv"
            else:
                kind = "z"
        if kind == "straight":
            begin = start or (s.right, s.cy)
            return [begin, (end_left[0], begin[1])]
        if kind == "vh":
            down = end_left[1] > s.cy
            begin = (s.cx, s.bottom if down else s.y)
            if t.x + 10 < s.cx < t.right - 10:
                return [begin, (s.cx, t.y if down else t.bottom)]
            return [begin, (s.cx, end_left[1]), end_left]
        if kind == "hv":
            begin = start or (s.right, s.cy)
            down = t.cy > begin[1]
            return [begin, (t.cx, begin[1]), (t.cx, t.y if down else t.bottom)]
        begin = start or (s.right, s.cy)
        x_mid = begin[0] + (end_left[0] - begin[0]) * route.x_frac
        return [begin, (x_mid, begin[1]), (x_mid, end_left[1]), end_left]

    def _entry_y(self, node_id: str) -> float:
        """Where a flow into this node should arrive: a subprocess is entered level with its start event."""
        if self.nodes[node_id].kind in CONTAINERS:
            for child in self.children.get(node_id, []):
                if self.nodes[child].kind == "startEvent":
                    return self.bounds[child].cy
        return self.bounds[node_id].cy

    def _edge_label(self, flow: Flow) -> Box:
        points = self.edges[flow.id]
        (x0, y0), (x1, y1) = points[0], points[1]
        w, h = label_size(flow.name, 110)
        if abs(x0 - x1) < 1:  # leaves vertically: label beside the first segment
            return Box(x0 + 6, (y0 + 6) if y1 > y0 else (y0 - 6 - h), w, h)
        return Box(x0 + 8, y0 - 4 - h, w, h)
