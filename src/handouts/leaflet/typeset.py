"""Document → A4 leaflet PDF.

Page furniture (title band, footer with clinic, QR code, review date and page x/y) is drawn
by page callbacks; the content is a list of flowables, one builder per block kind.
"""

from __future__ import annotations

import math
import unicodedata
import zlib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, Frame,
                                KeepTogether, PageTemplate, Spacer)
from reportlab.platypus import TableStyle

from .. import document as d, images
from ..diagnostics import Diagnostic, Mark, SpecError
from ..diagrams import geometry as geo
from ..fonts import fonts
from ..pdfdraw import draw_line, draw_text, register_fonts
from ..text.inline import Rich, Span, continued_title, plain
from ..text.setting import has_ruby, one_line_width, ruby_pitch, set_lines
from . import pdfx, tagging
from .flowables import (DOT, ArtFigure, Box, Drawing, KeepIfItFits, Para, Picture, Row, Table,
                        Type)
from .tagging import Element, Tagger

DANGER = colors.HexColor("#A00000")
WARNING = colors.HexColor("#7A4300")
INFO = colors.HexColor("#1F4E79")
GREY = colors.HexColor("#444444")
PALE = colors.HexColor("#F2F2F2")
DANGER_FILL = colors.HexColor("#FFF5F5")
HIGHLIGHT_FILL = colors.HexColor("#FDE8E8")
KEY_FILL = colors.HexColor("#F4F8FC")
MIN_CONTRAST = 4.5  # WCAG AA for body text
BOX_PAD = 8.0  # inner padding of boxed blocks

MAX_PAGES = 2  # a waiting-room leaflet: one sheet, both sides
FOOTER_H = 22 * mm  # page footer: clinic, review date, page x/y, QR code
MARK_LEN = 5 * mm  # crop marks: standard length,
MARK_GAP = 1 * mm  # starting just outside the bleed so they never touch bleed artwork
SLUG = 3 * mm + MARK_GAP + MARK_LEN + 1 * mm  # media beyond the trim in the print variant
MARK = Mark("<clinic profile>", 0, 0)
FIGURE_H = 90 * mm  # the tallest a figure is printed


def luminance(c) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c.red) + 0.7152 * lin(c.green) + 0.0722 * lin(c.blue)


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours (1–21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def to_cmyk(color):
    """The print shops' colour: an RGB colour in DeviceCMYK by the device formula with full
    black generation (no ICC profile): K = 1 − max(R, G, B), C = (1 − R − K) / (1 − K),
    M = (1 − G − K) / (1 − K), Y = (1 − B − K) / (1 − K). Black is K only (0/0/0/100), so
    text never needs four plates in register, and greys are K only too."""
    color = colors.toColor(color)
    if isinstance(color, colors.CMYKColor):
        return color
    k = 1 - max(color.red, color.green, color.blue)
    if k >= 1 - 1e-9:
        return colors.CMYKColor(0, 0, 0, 1)
    c, m, y = ((1 - v - k) / (1 - k) for v in (color.red, color.green, color.blue))
    return colors.CMYKColor(*(round(v, 4) for v in (c, m, y, k)))


def cmyk_image(source: Path | bytes):
    """An RGB picture (a file, or what images.prepared made) converted to CMYK pixel by
    pixel with `to_cmyk`'s formula."""
    from PIL import Image as PILImage
    from PIL import ImageChops, ImageMath

    with images.open_prepared(source) as im:
        rgb = im.convert("RGB")
    r, g, b = rgb.split()
    k = ImageChops.invert(ImageChops.lighter(ImageChops.lighter(r, g), b))  # 255 − max

    def ink(v):  # (1 − v − k) / (1 − k), on 0–255 values
        return ImageMath.lambda_eval(lambda a: a["convert"](
            a["float"](255 - a["v"] - a["k"]) * 255 / a["max"](a["float"](255 - a["k"]), 1.0),
            "L"), v=v, k=k)

    return PILImage.merge("CMYK", (ink(r), ink(g), ink(b), k))


def readable(color, *backgrounds, target: float = MIN_CONTRAST + 0.1):
    """`color` darkened just enough to reach the target contrast on every background
    (a clinic may choose a light accent colour; text in it must still be legible)."""
    r, g, b = color.red, color.green, color.blue
    while min(contrast(colors.Color(r, g, b), bg) for bg in backgrounds) < target:
        r, g, b = r * 0.93, g * 0.93, b * 0.93
    return colors.Color(r, g, b)


@dataclass(frozen=True)
class Options:
    """Leaflet variants: page size, body size, bleed for the print shop."""

    pagesize: tuple[float, float] = A4
    body: float = 12.5
    bleed: float = 0.0  # mm of bleed around the trim box (print-shop variant)
    # the A4 body measure is 40 full-width characters (JLREQ's comfortable maximum for
    # horizontal text): 500 pt of 12.5 pt text, margins of 16.8 mm
    margin: float = (A4[0] - 40 * 12.5) / 2
    pitch: float = 1.5  # body line pitch (1.5–1.8 × size)
    footer: float = 8.5  # the footer's hours (large print: hours and phone at the body size)
    cmyk: bool = False  # every colour in DeviceCMYK (print-shop variants)

    @classmethod
    def variant(cls, name: str) -> "Options":
        a5 = dict(pagesize=A5, body=12.0, margin=11 * mm)
        return {"pdf": cls(), "large": cls(body=14.5, footer=14.5, margin=15 * mm),
                "print": cls(bleed=3.0, cmyk=True), "a5": cls(**a5),
                "a5print": cls(**a5, bleed=3.0, cmyk=True)}[name]

    @property
    def slug(self) -> float:
        """Media around the trim: bleed plus room for the crop marks (print variant only)."""
        return SLUG if self.bleed else 0.0


def labeled(label: str, rich: Rich) -> Rich:
    return Rich((Span(label, strong=True),) + rich.spans, rich.mark)


def _unsplittable(f) -> bool:
    return isinstance(f, (KeepTogether, Drawing, Row, ArtFigure))


class _Builder:
    def __init__(self, doc: d.Document, opt: Options):
        self.doc, self.opt = doc, opt
        # the accent carries white text (title band) and is text on white and on the key box
        self.accent = readable(colors.HexColor(doc.clinic.accent), colors.white, KEY_FILL)
        b = opt.body
        self.body = Type(b, pitch=opt.pitch)
        self.strong = Type(b, bold=True, pitch=opt.pitch)
        self.caption = Type(b, pitch=opt.pitch, color=GREY)  # captions are read: body size
        self.h2 = Type(b + 4, bold=True, pitch=1.35, color=self.accent, phrases=True)
        self.h3 = Type(b + 2, bold=True, pitch=1.4, phrases=True)
        # references and sources only; ragged right: a long address would spread the
        # few Japanese characters before it
        self.small = Type(8.5, pitch=1.3, color=GREY, justify=False)
        self.key = Type(b + 1.5, bold=True, pitch=opt.pitch)
        self.frame_w = opt.pagesize[0] - 2 * opt.margin
        self.tagger = Tagger()
        self.at: Element = self.tagger.root  # where the blocks being built belong
        self.footer = _Footer(doc, opt, self.accent, self.tagger)
        self.frame_h = opt.pagesize[1] - self.top_margin - self.footer.height - 4 * mm
        self.ends: list[tuple[str, Mark, int]] = []  # (part, its mark, page it ends on)

    @property
    def top_margin(self) -> float:
        return min(self.opt.margin, 12 * mm)

    # -- blocks --------------------------------------------------------------------------
    def items(self, riches: list[Rich], style: str, t: Type | None = None) -> list:
        t = t or self.body
        lst = self.at.child("list", attribute={"steps": "Decimal", "checklist": "None"}.get(
            style, "Disc"))
        out = []
        for i, r in enumerate(riches, 1):
            item = lst.child("item")
            body = item.child("item body")
            if style == "checklist":  # the tick box and the dot are decoration (artifacts)
                out.append(Para(r, t, t.size * 1.5, box=True, element=body))
            elif style == "steps":
                out.append(Para(r, t, t.size * 1.6, marker=f"{i}.", element=body,
                                label=item.child("label")))
            else:
                out.append(Para(r, t, t.size * 1.1, marker=DOT, element=body))
        return out

    @property
    def column_gap(self) -> float:
        """Between an exercise's steps and its dose: over one em, so text extraction (and a
        reader's eye) keeps the two columns apart."""
        return max(14.0, self.body.size * 1.4)

    def item_grid(self, riches: list[Rich], t: Type) -> list:
        """A box's short items in two columns (read down the left one first) when every
        item fits on one line there: the emergency list stays one glance, not one page."""
        paras = self.items(riches, "bullets", t)
        gap = 12.0
        column = (self.frame_w - 2 * BOX_PAD - 2 * 3.0 - gap) / 2  # box padding, border
        fits = all(one_line_width(r, t.size, t.bold) + t.size * 1.1 <= column
                   for r in riches)
        if len(riches) < 4 or not fits:
            return paras
        half = (len(paras) + 1) // 2
        return [Row(paras[:half], paras[half:], ratio=0.5, gap=gap)]

    def para(self, rich: Rich, t: Type | None = None, kind: str = "paragraph",
             lang: str | None = None, **kw) -> Para:
        """A paragraph that is a `kind` of the current part of the document."""
        return Para(rich, t or self.body, element=self.at.child(kind, lang=lang), **kw)

    def block(self, b: d.Block) -> list:
        m = getattr(self, "b_" + type(b).__name__.lower())
        return m(b)

    def blocks(self, blocks: list[d.Block]) -> list[list]:
        """Flowables per block. The 'go now' box and the 'see a doctor soon' boxes that
        follow it are read together: one unit, kept on one page."""
        out: list[list] = []
        run = False  # the last unit is a run of help boxes that started with 'go now'
        for b in blocks:
            flows = self.block(b)
            help_box = isinstance(b, d.Callout) and b.level in ("danger", "warning")
            if run and help_box:
                gap = Spacer(1, self.body.size * 0.45)
                out[-1] = [KeepIfItFits(out[-1][0]._content + [gap] + flows[0]._content)]
                continue
            out.append(flows)
            run = isinstance(b, d.Callout) and b.level == "danger"
        return out

    def b_text(self, b: d.Text) -> list:
        return [self.para(b.text)]

    def b_itemlist(self, b: d.ItemList) -> list:
        return self.items(b.items, b.style)

    def b_callout(self, b: d.Callout) -> list:
        """Three levels told apart without colour: border (thick / dashed / thin), icon
        (triangle / circle-! / circle-i) and the title's words."""
        color = {"danger": DANGER, "warning": WARNING, "info": INFO}[b.level]
        icon_w = min(self.h3.lead, 20) + 6
        if b.level == "danger":
            title_t = replace(self.h3, color=colors.white)
            box = dict(border=color, width=3.0, band=color, icon_color=colors.white,
                       fill=DANGER_FILL)
        elif b.level == "warning":
            title_t = replace(self.h3, color=color)
            box = dict(border=color, width=2.0, dash=(5, 3), icon_color=color)
        else:
            title_t = replace(self.h3, color=color)
            box = dict(border=color, width=0.8, icon_color=color)
        title = self.para(b.title, title_t, "subheading", indent=icon_w)
        kids = [title]
        if b.level == "danger":
            kids.append(Spacer(1, 3))  # air between the dark band and the first line
        again = [Para(continued_title(b.title), title.t, indent=icon_w)] + kids[1:]
        if b.text:
            kids.append(self.para(b.text))
        kids += self.item_grid(b.items, self.strong if b.level == "danger" else self.body)
        # a warning box is read as a whole: never split across pages if it fits on one
        return [KeepIfItFits([Box(kids, icon=b.level, pad=BOX_PAD, gap=2, title_again=again,
                                  **box)])]

    def b_flow(self, b: d.Flow) -> list:
        t = self.body
        n = len(b.steps)
        arrow = 16.0
        pitch = 1.3

        def geometry(aw: float):
            horizontal = (aw - arrow * (n - 1)) / n >= t.size * 5
            if horizontal:
                rects = geo.flow_row(n, aw, 0, arrow)
                inner = rects[0].w - 8
            else:
                inner = aw * 0.6 - 8
            lines = [set_lines(s, inner, t.size, True, phrases=True) for s in b.steps]
            box_h = max(len(ls) for ls in lines) * t.size * pitch + 12
            rects = (geo.flow_row(n, aw, box_h, arrow) if horizontal else
                     [replace(r, x=aw * 0.2) for r in geo.flow_column(n, aw * 0.6, box_h, arrow)])
            return horizontal, rects, lines, box_h

        def height(aw: float) -> float:
            _, rects, _, _ = geometry(aw)
            return rects[-1].bottom + 4

        def paint(c, aw: float, ah: float) -> None:
            horizontal, rects, lines, box_h = geometry(aw)
            for i, (r, ls) in enumerate(zip(rects, lines)):
                hi = b.highlight == i
                y = ah - r.bottom
                c.setLineWidth(2.5 if hi else 1.0)
                c.setStrokeColor(DANGER if hi else colors.black)
                c.setFillColor(HIGHLIGHT_FILL if hi else colors.white)
                c.roundRect(r.x, y, r.w, r.h, 5, stroke=1, fill=1)
                c.setFillColor(colors.black)
                # centre the text block vertically: baseline sits 0.3 em above the em box bottom
                top = y + (r.h + len(ls) * t.size * pitch) / 2
                for k, line in enumerate(ls):
                    base = top - (k + 1) * t.size * pitch + (pitch - 1) / 2 * t.size
                    draw_line(c, line, r.x + 4, base + 0.14 * t.size, t.size, True, "center",
                              r.w - 8)
                if i + 1 < n:
                    nxt = rects[i + 1]
                    if horizontal:
                        _arrow(c, r.x + r.w + 2, y + r.h / 2, nxt.x - 2, y + r.h / 2)
                    else:
                        _arrow(c, r.cx, y - 1, r.cx, ah - nxt.y + 1)

        out = [self.diagram(height, paint, b, "flow diagram")]
        if b.caption:
            out.append(self.para(b.caption, self.caption, "caption"))
        return [KeepIfItFits(out)]

    def diagram(self, height, paint, b: d.Block, what: str) -> Drawing:
        """Measured now, before reportlab runs: a diagram taller than a page is a located
        error (shrinking it would shrink its text below the body size)."""
        h = height(self.frame_w)
        if h > self.frame_h:
            raise SpecError([b.mark.error(
                f"{what} is taller than a page of the leaflet ({h / mm:.0f} mm, room for "
                f"{self.frame_h / mm:.0f} mm); shorten its labels or split it", "fit")])
        return Drawing(height, paint, self.at.child("figure", alt=b.alt))

    def b_tree(self, b: d.Tree) -> list:
        t = self.body
        vgap, gap = 24.0, 10.0

        def geometry(aw: float):
            slot = geo.tree_slot_width(b.root, aw, gap)
            node_w = min(slot, aw * 0.5)
            if node_w - 8 < t.size * 3:  # under three characters a line: unreadable
                raise SpecError([b.mark.error(
                    f"tree diagram is too wide for the leaflet ({geo.leaves(b.root)} boxes "
                    "side by side); shorten it or split it into two trees", "fit")])
            texts = {}
            rows = 1
            stack = [b.root]
            while stack:
                n = stack.pop()
                label = set_lines(n.label, node_w - 8, t.size, True, phrases=True)
                note = set_lines(n.note, node_w - 8, t.size) if n.note else []
                texts[id(n)] = (label, note)
                rows = max(rows, len(label) + len(note))
                stack.extend(n.children)
            node_h = rows * t.size * 1.3 + 10
            return geo.tree(b.root, aw, node_h, vgap, gap, node_w), texts

        def height(aw: float) -> float:
            return geometry(aw)[0].height + 4

        def paint(c, aw: float, ah: float) -> None:
            lay, texts = geometry(aw)
            ox = (aw - lay.width) / 2
            for p, k in lay.edges:  # elbow connectors: clearer than diagonals at any fan-out
                mid = ah - (p.bottom + k.y) / 2
                c.setStrokeColor(colors.black)
                c.setLineWidth(1.4)
                c.line(ox + p.cx, ah - p.bottom, ox + p.cx, mid)
                c.line(ox + p.cx, mid, ox + k.cx, mid)
                _arrow(c, ox + k.cx, mid, ox + k.cx, ah - k.y)
            for node, r in lay.boxes:
                label, note = texts[id(node)]
                y = ah - r.bottom
                c.setLineWidth(2.5 if node.highlight else 1.0)
                c.setStrokeColor(self.accent if node.highlight else colors.black)
                c.setFillColor(colors.HexColor("#EAF1F8") if node.highlight else colors.white)
                c.roundRect(ox + r.x, y, r.w, r.h, 4, stroke=1, fill=1)
                c.setFillColor(colors.black)
                used = (len(label) + len(note)) * t.size * 1.3
                top = y + r.h - (r.h - used) / 2
                for line in label:
                    top -= t.size * 1.3
                    draw_line(c, line, ox + r.x + 4, top + t.size * 0.3, t.size, True,
                              "center", r.w - 8)
                c.setFillColor(GREY)
                for line in note:  # notes are read too: body size, grey
                    top -= t.size * 1.3
                    draw_line(c, line, ox + r.x + 4, top + t.size * 0.3, t.size, False,
                              "center", r.w - 8)

        out = [self.diagram(height, paint, b, "tree diagram")]
        if b.caption:
            out.append(self.para(b.caption, self.caption, "caption"))
        return [KeepIfItFits(out)]

    def b_chart(self, b: d.Chart) -> list:
        t = self.body
        bar_h, gap = t.size * 1.6, t.size * 0.5
        label_w = max(fonts().width(k, t.size) for k, _ in b.data) + 10
        value_w = max(fonts().width(_fmt(v) + b.unit, t.size, True) for _, v in b.data) + 12

        def height(aw: float) -> float:
            return len(b.data) * (bar_h + gap)

        def paint(c, aw: float, ah: float) -> None:
            for bar in geo.bars(b.data, b.max, aw, label_w, value_w, bar_h, gap):
                y = ah - bar.bar.bottom
                c.setFillColor(colors.black)
                draw_text(c, bar.label, 0, y + bar_h * 0.3, t.size)
                c.setFillColor(PALE)
                c.setStrokeColor(GREY)
                c.setLineWidth(0.5)
                c.rect(label_w, y, aw - label_w - value_w, bar_h, stroke=1, fill=1)
                c.setFillColor(self.accent)
                c.rect(bar.bar.x, y, bar.bar.w, bar_h, stroke=0, fill=1)
                c.setFillColor(colors.black)
                draw_text(c, _fmt(bar.value) + b.unit, aw - value_w + 6, y + bar_h * 0.3,
                          t.size, True)

        out = []
        if b.title:
            out.append(self.para(b.title, self.strong))
        out.append(Drawing(height, paint, self.at.child("figure", alt=b.alt)))
        if b.caption:
            out.append(self.para(b.caption, self.caption, "caption"))
        if b.source:  # the source is a reference: small print like the reference list
            out.append(self.para(plain(f"出典：{b.source.cite} [{b.source.number}]"),
                                 self.small, lang=_lang(b.source.cite)))
        return [KeepIfItFits(out)]

    def b_table(self, b: d.Table) -> list:
        n = len(b.header)
        part = self.at.child("table")
        head = part.child("row")
        data = [[Para(h, self.strong, element=head.child("header cell", attribute="Column"))
                 for h in b.header]]
        for row in b.rows:
            tr = part.child("row")
            data.append([Para(c, self.body, element=tr.child("cell")) for c in row])
        table = Table(data, colWidths=[self.frame_w / n] * n, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.8, GREY),
            ("FONTNAME", (0, 0), (-1, -1), "BIZUDPGothic"),  # else reportlab adds Helvetica
            ("BACKGROUND", (0, 0), (-1, 0), PALE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        out = [table]
        if b.caption:
            out.append(self.para(b.caption, self.caption, "caption"))
        return out

    def b_figure(self, b: d.Figure) -> list:
        w, h = b.printed_size(self.frame_w, FIGURE_H)
        source = images.prepared(b.image, w, h, images.PRINT_PPI)
        if self.opt.cmyk:
            source = cmyk_image(source)
        out = [Picture(source, w, h, self.at.child("figure", alt=b.alt))]
        if b.caption:
            out.append(self.para(b.caption, self.caption, "caption"))
        return [KeepIfItFits(out)]

    def b_exercise(self, b: d.Exercise) -> list:
        """An exercise card: how to do it on the left, dose and when to stop on the right."""
        kids = [self.para(b.name, self.h3, "subheading")]
        left = []
        if b.target:
            left.append(self.para(labeled("ねらい：", b.target)))
        if b.position:
            left.append(self.para(labeled("姿勢：", b.position)))
        if len(b.steps) == 1:  # a single step reads better unnumbered
            left.append(self.para(labeled("やり方：", b.steps[0])))
        else:
            left += self.items(b.steps, "steps")
        right = []
        if b.hold_seconds:
            right.append(self.para(plain(f"{b.hold_seconds}秒保つ"), self.strong))
        if b.reps:
            right.append(self.para(plain(f"{b.reps}回くり返す"), self.strong))
        if b.breathing:
            right.append(self.para(labeled("呼吸：", b.breathing)))
        if b.stop_if:
            right.append(self.para(labeled("中止：", b.stop_if),
                                   replace(self.strong, color=DANGER)))
        if b.pose is not None:
            kids.append(self.pose_row(b, left, right))
        elif left and right:
            # the dose column as wide as its longest line (up to 45 %), so no line of it
            # ends with a lone character
            inner = self.frame_w - 2 * BOX_PAD - 6 - self.column_gap
            need = max(one_line_width(p.rich, p.t.size, True) for p in right) + 2
            ratio = 1 - min(max(need / inner, 0.3), 0.45)
            kids.append(Row(left, right, ratio=ratio, gap=self.column_gap, rule=self.accent))
        else:
            kids += left + right
        return [KeepIfItFits([Box(kids, border=self.accent, width=1.5, pad=BOX_PAD, gap=2,
                                  left_bar=self.accent,
                                  title_again=[Para(continued_title(b.name), self.h3)])])]

    def pose_row(self, b: d.Exercise, left: list, right: list):
        """The pose figure beside the card's two columns (steps | dose) on a wide page,
        above them on a narrow one (A5)."""
        from ..diagrams import figure

        inner = self.frame_w - 2 * BOX_PAD - 6
        aspect = figure.aspect(b.pose)
        h = 30 * mm
        wide = inner >= 120 * mm
        w = min(h * aspect, inner * (0.36 if wide else 1.0))
        h = w / aspect
        art = ArtFigure(figure.draw(b.pose, w, h, self.accent.hexval()[2:], 1.0),
                        self.at.child("figure", alt=b.alt), "left" if wide else "center")
        if left and right:  # the widths Row will give: the figure's column, then the gaps
            rest = (inner - 10) * (1 - (w + 2) / inner) if wide else inner
            need = max(one_line_width(p.rich, p.t.size, True) for p in right) + 2
            ratio = 1 - min(max(need / (rest - self.column_gap), 0.3), 0.56)
            text = Row(left, right, ratio=ratio, gap=self.column_gap, rule=self.accent)
        else:
            text = _stack(left + right)
        if wide:
            return Row([art], [text], ratio=(w + 2) / inner, gap=10)
        return _stack([art, text])

    def b_anatomy(self, b: d.Anatomy) -> list:
        from ..diagrams import lumbar

        full = b.detail == "full"
        size = self.body.size  # a leaflet's text is never below the body size
        art = lumbar.draw(b.detail, [t.site for t in b.markers], b.emphasis, self.frame_w,
                          (120 if full else 80) * mm, size, fonts().width,
                          lumbar.Style(self.accent.hexval()[2:]))
        out: list = [ArtFigure(art, self.at.child("figure", alt=b.alt))]
        out += [Para(t.text, self.body, self.body.size * 1.8, marker="①②③④⑤⑥"[i])
                for i, t in enumerate(b.markers)]
        if b.caption:
            out.append(Para(b.caption, self.caption))
        return [KeepIfItFits(out)]

    def b_quiz(self, b: d.Quiz) -> list:
        kids = [self.para(labeled("Q. ", b.question), self.strong)]
        choices = self.at.child("list", attribute="Decimal")
        for i, c in enumerate(b.choices):
            item = choices.child("item")
            kids.append(Para(c, self.body, self.body.size * 1.8, marker=f"{'①②③④⑤⑥⑦⑧⑨'[i]}",
                             element=item.child("item body"), label=item.child("label")))
        kids.append(self.para(labeled("答え：", b.answer)))
        if b.explanation:
            kids.append(self.para(b.explanation))
        return [KeepIfItFits([Box(kids, border=GREY, width=1.0, dash=(2, 2), pad=BOX_PAD,
                                  gap=2)])]

    # -- page -----------------------------------------------------------------------------
    def heading(self, rich: Rich) -> list:
        return [self.para(rich, self.h2, "heading"), Drawing(lambda aw: 5, _rule(self.accent))]

    def section(self, heading: Rich, blocks: list[list]) -> list:
        """A heading never ends a page: it goes with its first block (or two lines of it)."""
        head = self.heading(heading)
        first = blocks[0] if blocks else []
        if first and _unsplittable(first[0]):
            # not nested: a KeepTogether inside a KeepTogether always claims a fresh page
            kept = first[0]._content if isinstance(first[0], KeepTogether) else first[:1]
            out = [KeepIfItFits(head + list(kept))] + first[1:]
        else:
            need = self.h2.lead * 2 + 5 + self.body.lead * 2
            out = [CondPageBreak(need)] + head + first
        gap = Spacer(1, self.body.size * 0.45)
        for flows in blocks[1:]:
            out += [gap] + flows
        return out

    def story(self) -> list:
        doc = self.doc
        gap = Spacer(1, self.body.size * 1.0)
        root = self.tagger.root
        self.at = root.child("section")
        # the main message is the first section of the page: its title is a level-2 heading
        key = [self.para(plain("この紙でいちばん伝えたいこと"), replace(self.h3, color=self.accent),
                         "heading")]
        key += self.items(doc.key_points, "bullets", self.key)
        out: list = [KeepIfItFits([Box(key, border=self.accent, width=1.5, fill=KEY_FILL,
                                       left_bar=self.accent, pad=BOX_PAD, gap=2)]), gap]
        for sec in doc.sections_for("handout"):
            self.at = root.child("section")
            out += self.section(sec.heading, self.blocks(sec.for_target("handout")))
            out += [_PageNote(self.ends, sec.heading.plain, sec.mark), gap]
        if doc.glossary:
            self.at = root.child("section")
            out += self.section(plain("ことばの説明"),
                                [[self.para(labeled(g.term + "：", g.meaning))]
                                 for g in doc.glossary])
            out += [_PageNote(self.ends, "ことばの説明", doc.glossary[0].meaning.mark), gap]
        if doc.references:
            self.at = root.child("section")
            refs = [self.para(plain("参考文献"), replace(self.small, bold=True), "heading")]
            for r in doc.references:
                spans = (Span(f"[{r.number}] {r.cite}" + (" " if r.link else "")),)
                if r.link:
                    spans += (Span(r.link, link=r.link),)
                refs.append(self.para(Rich(spans, r.mark), self.small, lang=_lang(r.cite)))
            out += [KeepIfItFits(refs[:2])] + refs[2:]
            out.append(_PageNote(self.ends, "参考文献", doc.references[0].mark))
        return out

    def spill(self) -> list[Diagnostic]:
        """A patient leaflet past two A4 pages: a warning naming the part that spills over
        (known once the pages are made)."""
        # the regular A4 leaflet only: large print is longer by design, the print-shop
        # variant has the same pages
        if self.opt != Options() or self.doc.audience != "patients" or not self.ends:
            return []
        pages = self.ends[-1][2]
        over = next(((name, mark) for name, mark, page in self.ends if page > MAX_PAGES),
                    None)
        if over is None:
            return []
        name, mark = over
        return [mark.warning(
            f"the patient leaflet runs to {pages} A4 pages (at most {MAX_PAGES}); "
            f"「{name}」 spills onto page {MAX_PAGES + 1}: shorten it or an earlier section, "
            "or show details only in the deck (only: deck)", "pages")]

    def build(self, out: Path, probe: list | None = None) -> None:
        register_fonts()
        opt, doc = self.opt, self.doc
        bleed, off = opt.bleed * mm, opt.slug
        pw, ph = opt.pagesize
        margin = opt.margin
        title_t = Type(opt.body + 10, bold=True, pitch=1.3, color=colors.white, phrases=True)
        sub_t = Type(opt.body + 1.5, pitch=1.4, color=colors.white)
        title_lines = set_lines(doc.title, self.frame_w, title_t.size, True, True)
        sub_lines = set_lines(doc.subtitle, self.frame_w, sub_t.size) if doc.subtitle else []
        # one pitch per paragraph, the one its ruby needs (ruby fits a 1.5 em pitch)
        title_lead = title_t.size * (ruby_pitch(title_t.pitch) if any(
            has_ruby(ln) for ln in title_lines) else title_t.pitch)
        sub_lead = sub_t.size * (ruby_pitch(sub_t.pitch) if any(
            has_ruby(ln) for ln in sub_lines) else sub_t.pitch)
        band_h = title_lead * len(title_lines) + sub_lead * len(sub_lines) + 10 * mm

        title_el = self.tagger.root.child("title")
        sub_el = self.tagger.root.child("paragraph")

        def first(c, _doc):
            c.saveState()
            with tagging.artifact(c):
                c.setFillColor(self.accent)  # the band runs into the bleed on three sides
                c.rect(off - bleed, off + ph - band_h, pw + 2 * bleed, band_h + bleed,
                       stroke=0, fill=1)
            c.setFillColor(colors.white)
            y = off + ph - 5 * mm
            with tagging.lines(c, title_el) as marks:
                for line in title_lines:
                    y -= title_lead
                    draw_line(c, line, off + margin, y + title_t.size * 0.3, title_t.size, True,
                              marks=marks)
            y -= 1 * mm
            with tagging.lines(c, sub_el) as marks:
                for line in sub_lines:
                    y -= sub_lead
                    draw_line(c, line, off + margin, y + sub_t.size * 0.3, sub_t.size,
                              marks=marks)
            c.restoreState()

        frame_kw = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        body_bottom = off + self.footer.height + 4 * mm
        f1 = Frame(off + margin, body_bottom, self.frame_w,
                   ph - band_h - 5 * mm - self.footer.height - 4 * mm, id="first", **frame_kw)
        f2 = Frame(off + margin, body_bottom, self.frame_w, self.frame_h, id="later", **frame_kw)
        meta = dict(title=doc.title.plain, author=doc.clinic.author or doc.clinic.name,
                    subject=doc.subtitle.plain if doc.subtitle else doc.title.plain,
                    creator="handouts", producer="handouts (reportlab)",
                    keywords=f"{doc.audience}, review_by {doc.review_by}")
        footer = self.footer
        template = BaseDocTemplate(str(out), pagesize=(pw + 2 * off, ph + 2 * off),
                                   leftMargin=0, rightMargin=0, topMargin=0, bottomMargin=0,
                                   invariant=1, lang="ja-JP", **meta)
        template.addPageTemplates([
            PageTemplate("first", [f1], onPage=first, autoNextPageTemplate="later"),
            PageTemplate("later", [f2])])
        template.build(self.story(), canvasmaker=footer.canvasmaker(doc.title.plain, probe))


def _lang(text: str) -> str | None:
    """en-US for a reference written in English (set apart from the Japanese document)."""
    letters = [ch for ch in text if ch.isalpha()]
    return "en-US" if letters and all(ch.isascii() for ch in letters) else None


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _arrow(c, x1: float, y1: float, x2: float, y2: float) -> None:
    c.saveState()
    c.setStrokeColor(colors.black)
    c.setFillColor(colors.black)
    c.setLineWidth(1.4)
    ang = math.atan2(y2 - y1, x2 - x1)
    head = 7.0
    bx, by = x2 - head * math.cos(ang), y2 - head * math.sin(ang)
    c.line(x1, y1, bx, by)
    p = c.beginPath()
    p.moveTo(x2, y2)
    p.lineTo(bx + head * 0.5 * math.sin(ang), by - head * 0.5 * math.cos(ang))
    p.lineTo(bx - head * 0.5 * math.sin(ang), by + head * 0.5 * math.cos(ang))
    p.close()
    c.drawPath(p, stroke=0, fill=1)
    c.restoreState()


def _stack(flowables: list) -> Box:
    """Flowables one under another, as one unit (a borderless box)."""
    return Box(flowables, width=0, pad=0, gap=2)


def _rule(color):
    def paint(c, aw, ah):
        c.setStrokeColor(color)
        c.setLineWidth(1.5)
        c.line(0, ah - 1.5, aw, ah - 1.5)
    return paint


def tel_uri(phone: str) -> str:
    """A Japanese phone number as a tel: URI in international form (RFC 3966):
    03-0000-0000 → tel:+81-3-0000-0000."""
    number = unicodedata.normalize("NFKC", phone).strip()
    number = "-".join(number.replace("(", " ").replace(")", " ").split())
    if number.startswith("0"):
        number = "+81-" + number[1:].lstrip("-")
    return "tel:" + number


class _Footer:
    """Footer on every page: clinic, phone, hours, review dates, page x/y and the clinic's
    QR code. Repeated page furniture is an artifact, except on the last page, where it is
    the document's contact details (with the phone and QR code as links)."""

    def __init__(self, doc: d.Document, opt: Options, accent, tagger: Tagger):
        self.doc, self.opt, self.accent, self.tagger = doc, opt, accent, tagger
        clinic = doc.clinic
        self.qr = 14 * mm if clinic.url else 0
        pw = opt.pagesize[0]
        self.x0, self.right = opt.margin, pw - opt.margin
        self.text_right = self.right - (self.qr + 4 * mm if self.qr else 0)
        lw = fonts().width("99/99", 11, True) + 4 * mm  # room for the page label
        size = opt.footer  # the hours' size; in large print the phone's too
        large = size > 11
        name = Rich((Span(clinic.name),), MARK)
        rows = []  # (text, size, bold, room kept for the page label, smallest size)
        if clinic.phone:
            phone = Span(clinic.phone, link=tel_uri(clinic.phone))
            if large:  # the phone on a line of its own, as large as the body
                rows += [(name, 11.0, True, lw, 8.5),
                         (Rich((Span("電話"), phone), MARK), size, True, lw, size)]
            else:
                rows.append((Rich((Span(clinic.name + "　電話"), phone), MARK), 11.0, True,
                             lw, 6.5))
        else:
            rows.append((name, 11.0, True, lw, 6.5))
        if clinic.address:
            rows.append((plain(clinic.address), 11.0 if large else 8.5, False, 0, 6.5))
        if clinic.hours:
            rows.append((plain(clinic.hours), size, False, 0, size if large else 6.5))
        rows.append((plain(f"内容の確認日 {doc.reviewed:%Y-%m-%d}・次の見直し "
                           f"{doc.review_by:%Y-%m-%d}"), 8.5, False, 0, 6.5))
        self.rows = []  # (line, size, bold, baseline below the footer's top rule)
        y, prev = 5 * mm, None
        for rich, pt, bold, reserve, least in rows:
            width = self.text_right - self.x0 - reserve
            need = one_line_width(rich, pt, bold)  # 和欧間 included
            if need > width:  # smaller rather than wrapped, down to `least`
                pt = max(least, pt * width / need)
            # set like a paragraph (ragged), so a wrapped row never ends with one or two
            # characters
            for line in Para(rich, Type(pt, bold, justify=False))._set(width):
                if prev is not None:  # 4.1 mm between 8.5 pt lines, more for larger ones
                    y += max(4.1 * mm, (prev + pt) / 2 * 1.25)
                self.rows.append((line, pt, bold, y))
                prev = pt
        self.height = max(FOOTER_H, y + 4.5 * mm)

    def draw(self, c, page: int, total: int) -> None:
        off = self.opt.slug
        x0, right, top = off + self.x0, off + self.right, off + self.height
        last = page == total
        c.saveState()
        with tagging.artifact(c, "Pagination"):
            c.setStrokeColor(self.accent)
            c.setLineWidth(1)
            c.line(x0, top, right, top)
            c.setFillColor(colors.black)
            label = f"{page}/{total}"
            lw = fonts().width(label, 11, True)
            draw_text(c, label, off + self.text_right - lw, top - 5 * mm, 11, True)
        contact = self.tagger.root if last else None
        for line, size, bold, below in self.rows:
            with tagging.lines(c, contact.child("paragraph") if contact else None) as marks:
                draw_line(c, line, x0, top - below, size, bold, marks=marks)
        if self.qr:
            url = self.doc.clinic.url
            x, y = right - self.qr, top - 2.5 * mm - self.qr
            link = contact.child("link", alt=f"クリニックのウェブサイト {url}") if contact else None
            figure = link.child("figure", alt=f"QRコード（{url}）") if link else None
            with tagging.content(c, figure):
                _draw_qr(c, url, x, y, self.qr)
            if link is not None:
                self.tagger.link_area(c, link, url, x, y, self.qr, self.qr)
        c.restoreState()

    def canvasmaker(self, title: str, probe: list | None = None):
        footer, opt, tagger = self, self.opt, self.tagger
        pw, ph = opt.pagesize
        off, bleed = opt.slug, opt.bleed * mm

        class FooterCanvas(Canvas):
            """Holds pages until the end so the footer can say 'page x of y'."""

            def __init__(self, *a, **kw):
                if bleed:
                    kw.update(trimBox=(off, off, off + pw, off + ph),
                              bleedBox=(off - bleed, off - bleed, off + pw + bleed,
                                        off + ph + bleed), cropMarks=None)
                if opt.cmyk:  # every colour set on the page goes through to_cmyk
                    kw.update(enforceColorSpace=to_cmyk)
                # without an initial font reportlab declares an unembedded Helvetica
                kw.update(initialFontName="BIZUDPGothic", initialFontSize=12)
                super().__init__(*a, **kw)
                self._pages: list[dict] = []
                self.tagger = tagger
                self.line_probe = probe  # Para.draw reports its lines there (tests)

            def showPage(self):
                self._pages.append(dict(self.__dict__))
                self._startPage()

            def save(self):
                total = len(self._pages)
                for i, state in enumerate(self._pages, 1):
                    self.__dict__.update(state)
                    footer.draw(self, i, total)
                    if bleed:
                        with tagging.artifact(self):
                            _crop_marks(self, off, bleed, pw, ph)
                    if not opt.cmyk:  # links do not print (and PDF/X keeps them out)
                        tagger.annotate(self, i - 1, total)
                    Canvas.showPage(self)
                    tagger.page_done(self._doc.Pages.pages[-1], i - 1)
                xmp = ("", "")
                if opt.cmyk:
                    day = footer.doc.reviewed
                    pdfx.stamp(self, day)
                    xmp = pdfx.xmp(day, f"{title}|{pw:.0f}x{ph:.0f}")
                tagger.finish(self, title, xmp)
                Canvas.save(self)

        return FooterCanvas


@lru_cache(maxsize=16)
def _qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """QR matrix size and its dark runs (row, first column, length); segno computes it."""
    import segno

    rows = list(segno.make(data, error="m", micro=False).matrix_iter(border=0))
    runs = []
    for r, row in enumerate(rows):
        k = 0
        while k < len(row):
            if row[k]:
                start = k
                while k < len(row) and row[k]:
                    k += 1
                runs.append((r, start, k - start))
            else:
                k += 1
    return len(rows), tuple(runs)


def _draw_qr(c, data: str, x: float, y: float, size: float) -> None:
    """The clinic URL as a vector QR code: one path of horizontal runs, drawn once per
    document as a form and placed on every page."""
    name = f"qr{zlib.crc32(f'{data}|{size:.3f}'.encode())}"  # stable across runs
    if name not in getattr(c, "_qr_forms", set()):
        n, runs = _qr_runs(data)
        cell = size / n
        c.beginForm(name)
        c.setFillColor(colors.black)
        path = c.beginPath()
        for r, k, length in runs:
            path.rect(k * cell, size - (r + 1) * cell, length * cell, cell + 0.05)
        c.drawPath(path, stroke=0, fill=1)
        c.endForm()
        c._qr_forms = getattr(c, "_qr_forms", set()) | {name}
    c.saveState()
    c.translate(x, y)
    c.doForm(name)
    c.restoreState()


REGISTRATION = colors.CMYKColor(1, 1, 1, 1)  # marks print on every plate


def _crop_marks(c, off: float, bleed: float, pw: float, ph: float) -> None:
    """Corner crop marks, MARK_LEN long on the trim lines, and a centre mark (a cross on the
    centre line) on each side; all outside the bleed, in registration colour."""
    c.saveState()
    c.setLineWidth(0.3)
    c.setStrokeColor(REGISTRATION)
    a, b = bleed + MARK_GAP, bleed + MARK_GAP + MARK_LEN
    for x, dx in ((off, -1), (off + pw, 1)):
        for y, dy in ((off, -1), (off + ph, 1)):
            c.line(x + dx * a, y, x + dx * b, y)
            c.line(x, y + dy * a, x, y + dy * b)
    mid = (a + b) / 2
    cx, cy = off + pw / 2, off + ph / 2
    for y, dy in ((off, -1), (off + ph, 1)):  # top and bottom
        c.line(cx, y + dy * a, cx, y + dy * b)
        c.line(cx - MARK_LEN, y + dy * mid, cx + MARK_LEN, y + dy * mid)
    for x, dx in ((off, -1), (off + pw, 1)):  # left and right
        c.line(x + dx * a, cy, x + dx * b, cy)
        c.line(x + dx * mid, cy - MARK_LEN, x + dx * mid, cy + MARK_LEN)
    c.restoreState()


class _PageNote(Flowable):
    """Draws nothing: notes the page where a part of the leaflet ends."""

    def __init__(self, ends: list, name: str, mark: Mark):
        super().__init__()
        self.ends, self.name, self.mark = ends, name, mark

    def wrap(self, aw: float, ah: float):
        return 0, 0

    def draw(self) -> None:
        self.ends.append((self.name, self.mark, self.canv.getPageNumber()))


def render(doc: d.Document, out: Path, variant: str = "pdf",
           probe: list | None = None) -> list[Diagnostic]:
    """Write the leaflet (variant: pdf | large | print | a5 | a5print) to `out`; return
    warnings
    about its length."""
    builder = _Builder(doc, Options.variant(variant))
    builder.build(out, probe)
    return builder.spill()
