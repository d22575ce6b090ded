"""Deck → A4 attendee handout: three slides per page on the left, ruled note lines on the
right, the seminar title in the header and page x/y in the footer. Slides are drawn by the
slide PDF's own `draw_slide`, so the handout shows exactly what is projected."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from ..pdfdraw import draw_line, draw_text
from ..text.inline import plain
from ..text.setting import set_lines
from .model import SLIDE_H, Deck
from .pdf_writer import canvas, draw_slide

PER_PAGE = 3
MARGIN = 14 * mm
HEADER = 16 * mm
FOOTER = 12 * mm
GAP = 8 * mm


def write(deck: Deck, out: Path) -> None:
    pw, ph = A4
    c = canvas(out, deck, A4, f"{deck.title}（配布資料）")
    cell_h = (ph - 2 * MARGIN - HEADER - FOOTER) / PER_PAGE
    # slides as large as the slots allow (a 4:3 slide by the slot's height); 80 pt notes
    scale = min((pw - 2 * MARGIN) * 0.62 / deck.frame.width, cell_h * 0.94 / SLIDE_H)
    slide_w, slide_h = deck.frame.width * scale, SLIDE_H * scale
    pages = [deck.slides[i:i + PER_PAGE] for i in range(0, len(deck.slides), PER_PAGE)]
    side = 60 * mm  # the clinic's name on the right of the header
    for size in (12.0, 10.5, 9.0):  # a long title gets smaller, then two lines, never cut
        title = set_lines(plain(deck.title), pw - 2 * MARGIN - side - 4 * mm, size, True)
        if len(title) == 1:
            break
    clinic = set_lines(plain(deck.author), side, 9)[:1]
    for n, group in enumerate(pages, 1):
        c.setFillColor(HexColor("#" + deck.accent))
        for k, line in enumerate(title[:2]):
            draw_line(c, line, MARGIN, ph - MARGIN - size - k * size * 1.3, size, True)
        if len(title) > 2:
            draw_text(c, "…", MARGIN + title[1].width, ph - MARGIN - size * 2.3, size, True)
        c.setFillColor(HexColor("#555555"))
        for line in clinic:
            draw_line(c, line, pw - MARGIN - side, ph - MARGIN - 12, 9, False, "right", side)
        c.setStrokeColor(HexColor("#" + deck.accent))
        c.setLineWidth(1)
        c.line(MARGIN, ph - MARGIN - HEADER + 4 * mm, pw - MARGIN, ph - MARGIN - HEADER + 4 * mm)
        for k, slide in enumerate(group):
            top = ph - MARGIN - HEADER - k * cell_h
            y = top - (cell_h - slide_h) / 2 - slide_h
            draw_slide(c, deck, slide, MARGIN, y, scale)
            c.setStrokeColor(HexColor("#808080"))
            c.setLineWidth(0.5)
            c.rect(MARGIN, y, slide_w, slide_h, stroke=1, fill=0)
            _note_lines(c, MARGIN + slide_w + GAP, pw - MARGIN, y, y + slide_h)
        c.setFillColor(HexColor("#444444"))
        label = set_lines(plain(f"{n}/{len(pages)}"), 40 * mm, 10)[0]
        draw_line(c, label, pw - MARGIN - 40 * mm, MARGIN - 2, 10, False, "right", 40 * mm)
        c.showPage()
    c.save()


def _note_lines(c, x0: float, x1: float, bottom: float, top: float) -> None:
    """Ruled lines for handwriting, 8 mm apart, spanning the slide's height."""
    c.setStrokeColor(HexColor("#B0B0B0"))
    c.setLineWidth(0.4)
    y = top - 8 * mm
    while y >= bottom - 0.1:
        c.line(x0, y, x1, y)
        y -= 8 * mm
