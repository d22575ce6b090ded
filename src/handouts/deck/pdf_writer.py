"""Deck → slides PDF with reportlab: one page per slide (the deck's frame: 16:9, 4:3…), drawn
from the same Deck model as the PPTX (same boxes, same measured lines, same pitch and insets), so they cannot disagree.

`draw_slide` draws one slide at any position and scale; the notes handout reuses it. On a
tagged canvas (PDF/UA-1, `pdf/tagging.py`) each slide is a section: its title a heading,
its text paragraphs and lists in the PPTX's order, diagrams, charts, drawings and pictures
figures with the deck's alt text, tables as tables, addresses as links; the slide's
background, boxes and footer are artifacts.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import replace
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .. import images
from ..fonts import fonts
from ..pdf import info, tagging
from ..pdf.tagging import Element, Tagger, text_lang
from ..pdfdraw import draw_art, draw_line, draw_text, register_fonts
from ..text.breaking import Line, Run
from ..text.inline import Span, plain
from ..text.setting import set_lines
from .model import INSET, PITCH, SLIDE_H, Arrow, BarChart, Deck, Diagram, \
    Drawing, Para, Picture, Slide, Table, TextBox

# python-pptx's default table style (Medium Style 2 – Accent 1 of its default theme)


def _hex(c: str) -> HexColor:
    return HexColor("#" + c)


def _baseline(top: float, size: float) -> float:
    """Baseline of a line whose pitch box starts at `top`: the em box is centred in the
    pitch, as PowerPoint does with exact line spacing."""
    asc = fonts().faces["body"].ascent
    return top + (size * PITCH - size) / 2 + size * min(asc, 0.9)


NUMBERED = re.compile(r"\d+\.|[①-⑳]")  # a number is read (Lbl); a bullet or box is not
URL = re.compile(r"https?://[^\s　、。）」]+")


def draw_paras(c: Canvas, paras: list[Para], x: float, top: float, w: float,
               left_pad: float = INSET, part: Element | None = None,
               kind: str = "paragraph") -> float:
    """Paragraphs line by line from `top` (slide coordinates); return the bottom. With
    `part` (a tagged canvas) each paragraph is a `kind` of it, paragraphs with markers
    items of a list."""
    y = top
    items = None  # the list the paragraphs with markers belong to
    for p in paras:
        y += p.space_before
        c.setFillColor(_hex(p.color))
        inner_x = x + left_pad + p.indent
        inner_w = w - 2 * left_pad - p.indent
        body = label = None
        if part is not None:
            text = "".join(line.text for line in p.lines)
            if p.marker:
                numbered = bool(NUMBERED.fullmatch(p.marker))
                if items is None:
                    items = part.child("list", attribute="Decimal" if numbered else
                                       "None" if p.marker == "□" else "Disc")
                item = items.child("item")
                label = item.child("label") if numbered else None
                body = item.child("item body", lang=text_lang(text))
            else:
                items = None
                body = part.child(kind, lang=text_lang(text))
        if p.marker and p.lines:
            with _marked(c, part, label):
                draw_text(c, p.marker, x + left_pad, SLIDE_H - _baseline(y, p.size), p.size,
                          p.bold)
        with _lines(c, part, body) as marks:
            for line in _linked(p.lines):
                base = SLIDE_H - _baseline(y, p.size)
                draw_line(c, line, inner_x, base, p.size, p.bold, p.align, inner_w, marks=marks)
                y += p.size * PITCH
    return y


def _marked(c: Canvas, part: Element | None, element: Element | None):
    """Content of `element` (an artifact when None) on a tagged slide; nothing marked
    when the slide is untagged or drawn inside a figure (`part` None)."""
    return tagging.content(c, element) if part is not None else _NOTHING


def _lines(c: Canvas, part: Element | None, element: Element | None):
    return tagging.lines(c, element) if part is not None else _NOTHING


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc) -> None:
        pass


_NOTHING = _Nothing()


def _linked(lines: list[Line]) -> list[Line]:
    """The lines with every web address in them (a reference's DOI or URL, broken over
    lines or not) as a link to the whole address."""
    text = "".join(line.text + line.gap for line in lines)
    if "http" not in text:
        return lines
    spans = [(m.start(), m.end(), m.group()) for m in URL.finditer(text)]
    shared: dict = {}  # one span per address and style: the pieces make one Link element
    out, pos = [], 0
    for line in lines:
        runs, at = [], pos
        for run in line.runs:
            style = run.style if isinstance(run.style, Span) else Span(run.text)
            cuts = sorted({0, len(run.text)} | {min(max(b - at, 0), len(run.text))
                                               for a, b2, _ in spans for b in (a, b2)})
            for i, j in zip(cuts, cuts[1:]):
                url = next((u for a, b, u in spans if a <= at + i and at + j <= b), None)
                linked = run.style if url is None else shared.setdefault(
                    (url, style), replace(style, text=url, link=url))
                runs.append(Run(run.text[i:j], linked, run.atomic))
            at += len(run.text)
        out.append(replace(line, runs=runs))
        pos += len(line.text) + len(line.gap)
    return out


def _text_box(c: Canvas, s: TextBox, part: Element | None = None) -> None:
    if s.fill or s.border:
        with _marked(c, part, None):
            c.saveState()
            if s.fill:
                c.setFillColor(_hex(s.fill))
            if s.border:
                c.setStrokeColor(_hex(s.border))
                c.setLineWidth(s.border_w)
                if s.dash:
                    c.setDash(4 * s.border_w, 3 * s.border_w)
            y = SLIDE_H - s.bottom
            fill, stroke = int(bool(s.fill)), int(bool(s.border))
            if s.rounded:  # PPTX adjustment 0.08 of the shorter side
                c.roundRect(s.x, y, s.w, s.h, 0.08 * min(s.w, s.h), stroke=stroke, fill=fill)
            else:
                c.rect(s.x, y, s.w, s.h, stroke=stroke, fill=fill)
            c.restoreState()
    top = s.y + s.inset
    if s.anchor == "middle":
        top = s.y + (s.h - sum(p.height for p in s.paras)) / 2
    draw_paras(c, s.paras, s.x, top, s.w, left_pad=s.inset, part=part,
               kind="caption" if s.caption else "paragraph")  # same inset on all sides


def _arrow(c: Canvas, s: Arrow) -> None:
    import math

    x1, y1, x2, y2 = s.x, SLIDE_H - s.y, s.x + s.w, SLIDE_H - (s.y + s.h)
    ang = math.atan2(y2 - y1, x2 - x1)
    head, half = 9.0, 4.5  # "med" arrowhead for a 2 pt line
    bx, by = x2 - head * math.cos(ang), y2 - head * math.sin(ang)
    c.saveState()
    c.setStrokeColor(_hex("000000"))
    c.setFillColor(_hex("000000"))
    c.setLineWidth(2)
    c.line(x1, y1, bx, by)
    p = c.beginPath()
    p.moveTo(x2, y2)
    p.lineTo(bx - half * math.sin(ang), by + half * math.cos(ang))
    p.lineTo(bx + half * math.sin(ang), by - half * math.cos(ang))
    p.close()
    c.drawPath(p, stroke=0, fill=1)
    c.restoreState()


def value_label(v: float, unit: str) -> str:
    """The data label as the PPTX number format 0"unit" shows it."""
    return f"{v:.0f}{unit}"


def _chart(c: Canvas, s: BarChart) -> None:
    """Horizontal bars, first category on top, value labels after the bars."""
    reg = fonts()
    size = s.font_size
    n = max(1, len(s.categories))
    label_w = max((reg.width(t, size) for t in s.categories), default=0) + 8
    value_w = max((reg.width(value_label(v, s.unit), size) for v in s.values), default=0) + 8
    plot_x, plot_w = s.x + label_w, max(1.0, s.w - label_w - value_w)
    slot = s.h / n
    bar_h = slot / 1.6  # gap width 60 %
    c.saveState()
    c.setStrokeColor(_hex("BFBFBF"))
    c.setLineWidth(0.75)
    c.line(plot_x, SLIDE_H - s.y, plot_x, SLIDE_H - s.bottom)
    for i, (cat, v) in enumerate(zip(s.categories, s.values)):
        mid = s.y + slot * (i + 0.5)
        base = SLIDE_H - mid - size * 0.35
        c.setFillColor(_hex("000000"))
        draw_text(c, cat, plot_x - 6 - reg.width(cat, size), base, size)
        bw = plot_w * max(0.0, min(v, s.maximum)) / (s.maximum or 1)
        c.setFillColor(_hex(s.color))
        c.rect(plot_x, SLIDE_H - mid - bar_h / 2, bw, bar_h, stroke=0, fill=1)
        c.setFillColor(_hex("000000"))
        # set as a line: 「96人/100人」 with 和欧間 between the figures and the unit
        draw_line(c, set_lines(plain(value_label(v, s.unit)), 1e9, size)[0], plot_x + bw + 5,
                  base, size)
    c.restoreState()


def _table(c: Canvas, s: Table, part: Element | None = None) -> None:
    table = part.child("table") if part is not None else None
    y = s.y
    for i, (row, h) in enumerate(zip(s.cells, s.row_heights)):
        x = s.x
        tr = table.child("row") if table is not None else None
        fill = s.head_fill if i == 0 else s.band_fills[0 if i % 2 else 1]
        for j, (paras, w) in enumerate(zip(row, s.col_widths)):
            with _marked(c, part, None):
                c.saveState()
                c.setStrokeColor(_hex("FFFFFF"))
                c.setLineWidth(1)
                c.setFillColor(_hex(fill))
                c.rect(x, SLIDE_H - y - h, w, h, stroke=1, fill=1)
                c.restoreState()
            cell = None
            if tr is not None:
                cell = (tr.child("header cell", attribute="Column") if i == 0 else
                        tr.child("cell"))
            draw_paras(c, paras, x, y + INSET, w, left_pad=INSET + 4, part=cell)
            x += w
        y += h


def _picture(c: Canvas, s: Picture) -> None:
    # the same picture the PPTX embeds: upright, at a projected slide's resolution
    data = images.prepared(s.path, s.w, s.h, images.SCREEN_PPI) if s.path else s.data
    src = str(data) if isinstance(data, Path) else ImageReader(io.BytesIO(data or b""))
    c.drawImage(src, s.x, SLIDE_H - s.bottom, s.w, s.h, mask="auto")


def _shape(c: Canvas, shape, part: Element | None = None) -> None:
    """Draw one shape; with `part` (a tagged slide) as what it is: text, a table, or a
    figure with its alt text (everything inside a figure belongs to it)."""
    if isinstance(shape, TextBox):
        _text_box(c, shape, part)
        return
    if isinstance(shape, Table):
        _table(c, shape, part)
        return
    figure = None
    if part is not None and not getattr(shape, "decorative", False):
        alt = getattr(shape, "alt", "")
        figure = part.child("figure", alt=alt) if alt else None
    with _marked(c, part, figure):
        if isinstance(shape, Diagram):
            for child in shape.shapes:
                _shape(c, child)
        elif isinstance(shape, Arrow):
            _arrow(c, shape)
        elif isinstance(shape, BarChart):
            _chart(c, shape)
        elif isinstance(shape, Picture):
            _picture(c, shape)
        elif isinstance(shape, Drawing):
            draw_art(c, shape.art, shape.x, SLIDE_H - shape.y)


def draw_slide(c: Canvas, deck: Deck, s: Slide, x: float = 0.0, y: float = 0.0,
               scale: float = 1.0, part: Element | None = None,
               heading: str | None = None) -> None:
    """Draw slide `s` with its bottom-left corner at (x, y), scaled. Order = PPTX order
    (title, shapes, footer), so text extracted in content order matches the PPTX. With
    `part` (a tagged canvas) the slide's structure goes there, its title as `heading`
    (a "title" for the deck's title slide, else a "heading")."""
    from .plan import footer_boxes, title_color

    c.saveState()
    c.translate(x, y)
    c.scale(scale, scale)
    with _marked(c, part, None):
        c.setFillColor(_hex("FFFFFF"))
        c.rect(0, 0, deck.frame.width, SLIDE_H, stroke=0, fill=1)
    color = title_color(deck, s)
    kind = heading or ("title" if s.kind == "title" else "heading")
    box, lines_h = s.title_box, len(s.title) * s.title_size * PITCH
    anchor = deck.frame.title_anchor if s.kind != "title" else "t"
    top = {"t": box.y + INSET, "b": box.bottom - INSET - lines_h,
           "ctr": box.y + (box.h - lines_h) / 2}.get(anchor, box.y + INSET)
    draw_paras(c, [Para(s.title, s.title_size, True, color)], box.x, top, box.w,
               part=part, kind=kind)
    for shape in s.shapes:
        _shape(c, shape, part)
    if s.kind != "title":  # page furniture: an artifact
        with _NOTHING if part is None else tagging.artifact(c, "Pagination"):
            for box in footer_boxes(deck, s):
                _text_box(c, box)
    c.restoreState()


def canvas(out: Path, deck: Deck, pagesize: tuple[float, float], subject: str) -> Canvas:
    """A deterministic, tagged canvas with the deck's metadata (dated by its review date)
    and no unembedded base font."""
    register_fonts()
    c = Canvas(str(out), pagesize=pagesize, invariant=1, lang=deck.lang,
               initialFontName="BIZUDPGothic", initialFontSize=12)
    c.setTitle(deck.title)
    c.setAuthor(deck.author)
    c.setSubject(subject)
    c.setCreator("handouts")
    c.setProducer("handouts (reportlab)")
    info.date(c, dt.date.fromisoformat(deck.created))
    c.tagger = Tagger(deck.lang)
    return c


def finish(c: Canvas, deck: Deck, page: int, pages: int) -> None:
    """Close page `page` (0-based) of a tagged canvas of `pages` pages."""
    c.tagger.annotate(c, page, pages)
    c.showPage()
    c.tagger.page_done(c._doc.Pages.pages[-1], page)


def save(c: Canvas, deck: Deck) -> None:
    c.tagger.finish(c, deck.title, info.xmp_dates(dt.date.fromisoformat(deck.created)))
    c.showOutline()
    c.save()


def write(deck: Deck, out: Path) -> None:
    """One page per slide, as the PPTX's slides (960 × 540 pt for 16:9); a bookmark per
    slide."""
    c = canvas(out, deck, (deck.frame.width, SLIDE_H), deck.subtitle or deck.title)
    for i, s in enumerate(deck.slides):
        key = f"slide{i + 1}"
        c.bookmarkPage(key)
        c.addOutlineEntry(f"{i + 1}. {slide_title(s)}", key, level=0)
        draw_slide(c, deck, s, part=c.tagger.root.child("section"))
        finish(c, deck, i, len(deck.slides))
    save(c, deck)


def slide_title(s: Slide) -> str:
    return "".join(line.text for line in s.title)
