"""Placing boxes on a slide: shapes that move together, a short slide's content moved into
its empty space, text boxes joined or split at a line. No fonts and no Document here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from .model import PITCH, Shape, TextBox

GAP = 10.0  # between stacked items


@dataclass
class Group:
    """Shapes that move together (a diagram, chart, table or a two-column pair). `refit`,
    if given, makes the same group again no taller than a height (a figure drawn smaller),
    or None."""

    shapes: list[Shape]
    h: float
    refit: Callable[[float], "Group | None"] | None = None

    def at(self, x: float, y: float) -> list[Shape]:
        return [sh.shifted(x, y) for sh in self.shapes]


def grouped(shapes: list[Shape]) -> Group:
    """Shapes drawn at the origin, kept together; their height decides where they go."""
    top = min(sh.y for sh in shapes)
    moved = [sh.shifted(0, -top) for sh in shapes]
    return Group(moved, max(sh.bottom for sh in moved))


def balanced(shapes: list[Shape], top: float, bottom: float) -> list[Shape]:
    """A slide's content moved down into the empty space below it, 40 % of the way, so a
    short slide does not leave its lower half empty (a full slide stays where it is)."""
    if not shapes:
        return shapes
    free = bottom - max(s.bottom for s in shapes)
    if min(s.y for s in shapes) < top - 0.5 or free < 1:
        return shapes
    return [s.shifted(0, free * 0.4) for s in shapes]


def _plain_text(s: Shape | None) -> bool:
    return (isinstance(s, TextBox) and not (s.fill or s.border or s.caption)
            and s.anchor == "top" and bool(s.paras))


def join_below(placed: list[Shape], box: Shape) -> bool:
    """Append a plain text box to the plain text box just above it, if there is one: the
    two become one box (one body placeholder in the PPTX, edited as one text), the gap
    between them space before its first paragraph. Same positions, same lines."""
    last = placed[-1] if placed else None
    if not (_plain_text(box) and _plain_text(last) and last.x == box.x and last.w == box.w
            and abs(box.y - (last.bottom + GAP)) < 0.01 and last.inset == box.inset):
        return False
    first = replace(box.paras[0], space_before=box.paras[0].space_before + GAP + 2 * box.inset)
    placed[-1] = replace(last, paras=last.paras + [first] + box.paras[1:], h=box.bottom - last.y)
    return True


def split_box(box: TextBox, room: float) -> tuple[TextBox | None, TextBox | None]:
    """Split a text box at a paragraph or line boundary so the head fits `room`. A
    paragraph marked `whole` moves to the tail entire unless it is the first.

    A titled box (`again` set) keeps its items whole and says that it goes on: the head
    ends with the cue, the tail opens with the title again. A head that would hold nothing
    but the title is no head (None): the box moves on whole."""
    if box.again and box.cue is not None:
        head, tail = _split(box, room - box.cue.height)
        if head is None or len(head.paras) <= len(box.again) or tail is None:
            return (None, box) if tail is not None else (head, None)
        head = replace(head, paras=head.paras + [box.cue], goes_on=True)
        head.h = head.text_height()
        tail = replace(tail, paras=box.again + tail.paras)
        tail.h = tail.text_height()
        return head, tail
    return _split(box, room)


def _split(box: TextBox, room: float) -> tuple[TextBox | None, TextBox | None]:
    avail = room - 2 * box.inset
    head: list = []
    used = 0.0
    for i, p in enumerate(box.paras):
        if used + p.height <= avail:
            head.append(p)
            used += p.height
            continue
        fit = int((avail - used - p.space_before) // (p.size * PITCH))
        rest = box.paras[i + 1:]
        if fit >= 1 and fit < len(p.lines) and not (p.whole and head):
            head.append(replace(p, lines=p.lines[:fit]))
            rest = [replace(p, lines=p.lines[fit:], marker=None, space_before=0)] + rest
        else:
            rest = [replace(p, space_before=0)] + rest
        h_box = replace(box, paras=head) if head else None
        t_box = replace(box, paras=rest)
        if h_box:
            h_box.h = h_box.text_height()
        t_box.h = t_box.text_height()
        return h_box, t_box
    return box, None


def overlap(a: Shape, b: Shape, tol: float = 0.5) -> bool:
    return (min(a.right, b.right) - max(a.x, b.x) > tol and
            min(a.bottom, b.bottom) - max(a.y, b.y) > tol)
