"""Deck → A4 attendee handout: two slides per page, each above ruled note lines, the
seminar title in the header and page x/y in the footer. Slides are drawn by the slide PDF's
own `draw_slide`, so the handout shows exactly what is projected, at half size: the
slides' smallest text (12 pt footers, 12.6 pt figure labels) prints at 6 pt or more.

Tagged like the slides PDF: the seminar title is the document's heading, each slide a
section under it (its title a heading), the note lines, header repeats and page numbers
artifacts; a bookmark per slide."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from ..pdf import tagging
from ..pdfdraw import draw_line, draw_text
from ..text.inline import plain
from ..text.setting import set_lines
from .model import SLIDE_H, Deck
from .pdf_writer import canvas, draw_slide, finish, save, slide_title

PER_PAGE = 2
SCALE = 0.5  # a slide's 12 pt footer prints at 6 pt
MARGIN = 14 * mm
HEADER = 14 * mm
FOOTER = 10 * mm
GAP = 6 * mm  # between a slide and its note lines


def write(deck: Deck, out: Path) -> None:
    pw, ph = A4
    c = canvas(out, deck, A4, f"{deck.title}（配布資料）")
    slide_w, slide_h = deck.frame.width * SCALE, SLIDE_H * SCALE
    x = (pw - slide_w) / 2
    cell_h = (ph - 2 * MARGIN - HEADER - FOOTER) / PER_PAGE
    pages = [deck.slides[i:i + PER_PAGE] for i in range(0, len(deck.slides), PER_PAGE)]
    side = 60 * mm  # the clinic's name on the right of the header
    for size in (12.0, 10.5, 9.0):  # a long title gets smaller, then two lines, never cut
        title = set_lines(plain(deck.title), pw - 2 * MARGIN - side - 4 * mm, size, True)
        if len(title) == 1:
            break
    clinic = set_lines(plain(deck.author), side, 9)[:1]
    root = c.tagger.root
    number = 0
    for n, group in enumerate(pages, 1):
        # the title: the document's heading on the first page, repeated furniture after
        heading = root.child("title", actual=deck.title) if n == 1 else None
        c.setFillColor(HexColor("#" + deck.accent))
        with tagging.lines(c, heading) as marks:
            for k, line in enumerate(title[:2]):
                draw_line(c, line, MARGIN, ph - MARGIN - size - k * size * 1.3, size, True,
                          marks=marks)
        if len(title) > 2:  # cut: the heading stands for the whole title
            with tagging.content(c, heading):
                draw_text(c, "…", MARGIN + title[1].width, ph - MARGIN - size * 2.3, size, True)
        with tagging.lines(c, root.child("paragraph") if n == 1 else None) as marks:
            c.setFillColor(HexColor("#555555"))
            for line in clinic:
                draw_line(c, line, pw - MARGIN - side, ph - MARGIN - 12, 9, False, "right", side,
                          marks=marks)
        with tagging.artifact(c, "Pagination"):
            c.setStrokeColor(HexColor("#" + deck.accent))
            c.setLineWidth(1)
            rule = ph - MARGIN - HEADER + 3 * mm
            c.line(MARGIN, rule, pw - MARGIN, rule)
        for k, slide in enumerate(group):
            number += 1
            top = ph - MARGIN - HEADER - k * cell_h
            y = top - slide_h
            key = f"slide{number}"
            c.bookmarkHorizontal(key, 0, top)
            c.addOutlineEntry(f"{number}. {slide_title(slide)}", key, level=0)
            draw_slide(c, deck, slide, x, y, SCALE, part=root.child("section"),
                       heading="heading")
            with tagging.artifact(c):
                c.setStrokeColor(HexColor("#808080"))
                c.setLineWidth(0.5)
                c.rect(x, y, slide_w, slide_h, stroke=1, fill=0)
                _note_lines(c, MARGIN, pw - MARGIN, top - cell_h + 2 * mm, y - GAP)
        with tagging.artifact(c, "Pagination"):
            c.setFillColor(HexColor("#444444"))
            label = set_lines(plain(f"{n}/{len(pages)}"), 40 * mm, 10)[0]
            draw_line(c, label, pw - MARGIN - 40 * mm, MARGIN - 2, 10, False, "right", 40 * mm)
        finish(c, deck, n - 1, len(pages))
    save(c, deck)


def _note_lines(c, x0: float, x1: float, bottom: float, top: float) -> None:
    """Ruled lines for handwriting, 8 mm apart, from `top` down to `bottom`."""
    c.setStrokeColor(HexColor("#B0B0B0"))
    c.setLineWidth(0.4)
    y = top
    while y >= bottom - 0.1:
        c.line(x0, y, x1, y)
        y -= 8 * mm
