"""[fit]: text that cannot fit its slide even after splitting.

Runs the deck planner — a pure function of the Document and font metrics, so no file is
written and python-pptx is never imported — and reports what it refuses (a SpecError with
code 'fit'). The planned geometry is then checked as a safety net: no shape may leave the
slide or run into the footer, no box may hold more text than its height, no line may be
wider than its box (an unbreakable URL, say).
"""

from __future__ import annotations

from dataclasses import replace

from ..deck import model as m
from ..deck.plan import Planner
from ..diagnostics import Diagnostic, Mark, SpecError
from ..document import Document

SLACK = 0.5  # points; rounding in the planner's own sums


def fit(doc: Document) -> list[Diagnostic]:
    planner = Planner(doc)
    try:
        deck = planner.plan()
    except SpecError as exc:
        # the planner stops at the slide it cannot fill: the one after those it finished
        at = f"slide {len(planner.slides) + 1}: "
        return [replace(d, message=at + d.message) if d.code == "fit" else d
                for d in exc.diagnostics]
    diags = []
    for slide in deck.slides:
        for problem in _overflows(slide, deck.frame):
            where = _slide_mark(doc, slide)
            title = "".join(line.text for line in slide.title) or slide.kind
            diags.append(where.error(f"slide {slide.number} 「{title}」: {problem}", "fit"))
    return diags


def _overflows(slide: m.Slide, frame: m.Frame) -> list[str]:
    out = []
    bottom = frame.content_bottom if slide.kind != "title" else frame.height
    for shape in m.flat(slide.shapes):
        if shape.x < -SLACK or shape.right > frame.width + SLACK:
            out.append(f"a shape runs {max(-shape.x, shape.right - frame.width):.0f} pt "
                       "beyond the slide's side")
        if shape.bottom > bottom + SLACK:
            out.append(f"content runs {shape.bottom - bottom:.0f} pt below the content area")
        if isinstance(shape, m.TextBox):
            extra = shape.text_height() - shape.h
            if extra > SLACK:
                out.append(f"text is {extra:.0f} pt taller than its box")
            for p in shape.paras:
                room = shape.w - 2 * shape.inset - p.indent
                wide = max((line.width for line in p.lines), default=0.0) - room
                if wide > SLACK:
                    out.append(f"a line is {wide:.0f} pt wider than its box")
    return out


def _slide_mark(doc: Document, slide: m.Slide) -> Mark:
    """The section a slide was made from (by its title), else the spec's title."""
    for sec in doc.sections:
        if sec.heading.plain == slide.heading:
            return sec.heading.mark
    return doc.title.mark
