"""Pure geometry for diagrams, shared by the leaflet, the deck and the slide PDF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h


def flow_row(n: int, width: float, box_h: float, arrow: float) -> list[Rect]:
    """n equal boxes in one row, `arrow` points between neighbours for the arrows."""
    w = (width - arrow * (n - 1)) / n
    return [Rect(i * (w + arrow), 0.0, w, box_h) for i in range(n)]


def flow_column(n: int, width: float, box_h: float, arrow: float) -> list[Rect]:
    """n boxes stacked top to bottom (used when a row would be too narrow)."""
    return [Rect(0.0, i * (box_h + arrow), width, box_h) for i in range(n)]


@dataclass
class TreeLayout:
    boxes: list[tuple[Any, Rect]]  # (node, rect) in pre-order
    edges: list[tuple[Rect, Rect]]  # (parent, child)
    width: float
    height: float


def leaves(node: Any) -> int:
    return 1 if not node.children else sum(leaves(c) for c in node.children)


def depth(node: Any) -> int:
    return 1 + max((depth(c) for c in node.children), default=0)


def tree_slot_width(root: Any, width: float, gap: float) -> float:
    n = leaves(root)
    return (width - gap * (n - 1)) / n


def tree(root: Any, width: float, node_h: float, vgap: float, gap: float,
         max_node_w: float | None = None) -> TreeLayout:
    """Top-down tree: each depth a row, leaves spread evenly, parents centred over children."""
    n = leaves(root)
    slot = tree_slot_width(root, width, gap)
    node_w = min(slot, max_node_w or slot)
    boxes: list[tuple[Any, Rect]] = []
    edges: list[tuple[Rect, Rect]] = []
    counter = [0]

    def place(node: Any, level: int) -> Rect:
        y = level * (node_h + vgap)
        if not node.children:
            cx = counter[0] * (slot + gap) + slot / 2
            counter[0] += 1
            rect = Rect(cx - node_w / 2, y, node_w, node_h)
            boxes.append((node, rect))
            return rect
        index = len(boxes)
        boxes.append((node, Rect(0, 0, 0, 0)))  # placeholder keeps pre-order
        kids = [place(c, level + 1) for c in node.children]
        cx = (kids[0].cx + kids[-1].cx) / 2
        rect = Rect(cx - node_w / 2, y, node_w, node_h)
        boxes[index] = (node, rect)
        edges.extend((rect, k) for k in kids)
        return rect

    place(root, 0)
    d = depth(root)
    total_w = n * slot + (n - 1) * gap
    return TreeLayout(boxes, edges, total_w, d * node_h + (d - 1) * vgap)


@dataclass
class Bar:
    label: str
    value: float
    label_box: Rect
    bar: Rect


def bars(data: list[tuple[str, float]], top: float, width: float, label_w: float,
         value_w: float, bar_h: float, gap: float) -> list[Bar]:
    """Horizontal bars: label on the left, bar scaled to `top`, value on the right."""
    span = max(width - label_w - value_w, 1.0)
    out = []
    for i, (label, value) in enumerate(data):
        y = i * (bar_h + gap)
        out.append(Bar(label, value, Rect(0, y, label_w, bar_h),
                       Rect(label_w, y, span * max(0.0, min(value, top)) / top, bar_h)))
    return out


def tree_sideways(root: Any, heights: dict[int, float], col_w: float, hgap: float,
                  vgap: float) -> TreeLayout:
    """Left-to-right tree with nodes of their own heights (`heights[id(node)]`): each depth
    a column, each subtree a horizontal band of its own, so no two boxes can overlap; a
    parent is centred on its children. Deep trees with long notes fit a 16:9 slide this way."""
    band: dict[int, float] = {}

    def need(node: Any) -> float:
        kids = sum(need(c) for c in node.children) + vgap * max(len(node.children) - 1, 0)
        band[id(node)] = max(heights[id(node)], kids)
        return band[id(node)]

    need(root)
    boxes: list[tuple[Any, Rect]] = []
    edges: list[tuple[Rect, Rect]] = []

    def place(node: Any, level: int, top: float) -> Rect:
        b, h = band[id(node)], heights[id(node)]
        index = len(boxes)
        boxes.append((node, Rect(0, 0, 0, 0)))  # placeholder keeps pre-order
        kids: list[Rect] = []
        if node.children:
            used = sum(band[id(c)] for c in node.children) + vgap * (len(node.children) - 1)
            y = top + (b - used) / 2
            for c in node.children:
                kids.append(place(c, level + 1, y))
                y += band[id(c)] + vgap
            cy = (kids[0].y + kids[0].h / 2 + kids[-1].y + kids[-1].h / 2) / 2
        else:
            cy = top + b / 2
        y0 = min(max(cy - h / 2, top), top + b - h)  # stay inside the band
        rect = Rect(level * (col_w + hgap), y0, col_w, h)
        boxes[index] = (node, rect)
        edges.extend((rect, k) for k in kids)
        return rect

    place(root, 0, 0.0)
    d = depth(root)
    return TreeLayout(boxes, edges, d * col_w + (d - 1) * hgap, band[id(root)])
