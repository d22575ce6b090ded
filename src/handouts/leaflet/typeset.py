"""Document → A4 leaflet PDF.

Page furniture (title band, footer with clinic, QR code, review date and page x/y) is drawn
by page callbacks; the content is a list of flowables, one builder per block kind.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from functools import cached_property
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate,
                                Spacer, TableStyle)

from .. import document as d, images
from ..diagnostics import Diagnostic, Mark, SpecError
from ..diagrams import geometry as geo
from ..fonts import fonts
from ..pdf import tagging
from ..pdf.tagging import Element, Tagger, text_lang
from ..pdfdraw import draw_line, draw_text, register_fonts
from ..text.inline import Rich, Span, continued_title, plain
from ..text.setting import has_ruby, keeping, ruby_pitch, ruby_top, set_lines
from .colour import (DANGER, DANGER_FILL, GREY, HIGHLIGHT_FILL, INFO, KEY_FILL, PALE,
                     WARNING, cmyk_image, readable)
from .flow import GoesOn, HeadingBreak, KeepIfItFits, flat
from .flowables import DOT, ArtFigure, Box, Drawing, ItemGrid, Para, Picture, Row, Table, Type
from .page import Footer
from .variant import MAX_PAGES, Options

GOES_ON = "→次のページへ続く"  # under what leads into a box that opens the next page

FIGURE_H = 90 * mm  # the tallest a figure is printed
POSE_H = 41.5 * mm  # an exercise's pose figure on A4: its ink at least 40 mm tall
TEXT_BESIDE = 16 + 1.6  # ems beside a pose figure: a numbered step's text 16 characters a line
BOX_PAD = 8.0  # inner padding of boxed blocks


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
        self.small = Type(opt.small, pitch=1.3, color=GREY, justify=False)
        self.key = Type(b + 1.5, bold=True, pitch=opt.pitch)
        self.frame_w = opt.pagesize[0] - 2 * opt.margin
        self.tagger = Tagger()
        self.at: Element = self.tagger.root  # where the blocks being built belong
        self.footer = Footer(doc, opt, self.accent, self.tagger)
        self.frame_h = opt.pagesize[1] - self.top_margin - self.footer.height - 4 * mm
        self.ends: list[tuple[str, Mark, int]] = []  # (part, its mark, page it ends on)
        self._shared: bool | None = None  # every exercise has the same dose
        self._dose_shown = False

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
            label = item.child("label") if style == "steps" else None  # made first: read first
            body = item.child("item body")
            if style == "checklist":  # the tick box and the dot are decoration (artifacts)
                out.append(Para(r, t, t.size * 1.5, box=True, element=body))
            elif style == "steps":
                out.append(Para(r, t, t.size * 1.6, marker=f"{i}.", element=body, label=label))
            else:
                out.append(Para(r, t, t.size * 1.1, marker=DOT, element=body))
        return out

    @property
    def column_gap(self) -> float:
        """Between an exercise's steps and its dose: over one em, so text extraction (and a
        reader's eye) keeps the two columns apart."""
        return max(14.0, self.body.size * 1.4)

    def item_grid(self, riches: list[Rich], t: Type) -> list:
        """A box's items in two columns where they are short (read down the left one
        first), across the width where they are long: the emergency list stays one
        glance, not one page."""
        if len(riches) < 4:
            return self.items(riches, "bullets", t)
        return [ItemGrid(self.items(riches, "bullets", t), gap=self.column_gap)]

    def para(self, rich: Rich, t: Type | None = None, kind: str = "paragraph",
             lang: str | None = None, **kw) -> Para:
        """A paragraph that is a `kind` of the current part of the document."""
        return Para(rich, t or self.body, element=self.at.child(kind, lang=lang), **kw)

    def block(self, b: d.Block) -> list:
        m = getattr(self, "b_" + type(b).__name__.lower())
        return m(b)

    def blocks(self, blocks: list[d.Block]) -> list[list]:
        """Flowables per block. The 'go now' box goes with what leads into it in its
        section (an introduction such as 'ask your doctor before you start'): one unit,
        kept on one page with the section's heading. The boxes after it are each kept
        whole; nothing moves ahead of them (clinical review)."""
        out: list[list] = []
        for b in blocks:
            flows = self.block(b)
            if isinstance(b, d.Callout) and b.level == "danger" and out:
                gap = Spacer(1, self.body.size * 0.45)
                lead = [f for unit in out for f in flat(unit) + [gap]]
                box = flat(flows)
                cue = Para(plain(GOES_ON), replace(self.body, bold=True, color=DANGER,
                                                   justify=False))
                flows = [KeepIfItFits(lead + [GoesOn(cue, box[0])] + box)]
                out = []
            out.append(flows)
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
        # the go-now box is never split (a reader of one page would take a part for all)
        keep = self.frame_h if b.level == "danger" else 0.0
        return [KeepIfItFits([Box(kids, icon=b.level, pad=BOX_PAD, gap=2, title_again=again,
                                  keep=keep, **box)])]

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
        # a value with its unit set as a line: 「96人/100人」 with 和欧間 after the figures
        values = {v: set_lines(plain(_fmt(v) + b.unit), 1e9, t.size, True)[0] for _, v in b.data}
        value_w = max(line.width for line in values.values()) + 12

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
                draw_line(c, values[bar.value], aw - value_w + 6, y + bar_h * 0.3, t.size, True)

        out = []
        if b.title:
            out.append(self.para(b.title, self.strong))
        out.append(Drawing(height, paint, self.at.child("figure", alt=b.alt)))
        if b.caption:
            out.append(self.para(b.caption, self.caption, "caption"))
        if b.source:  # the source is a reference: small print like the reference list
            out.append(self.para(plain(f"出典：{b.source.cite} [{b.source.number}]"),
                                 self.small, lang=text_lang(b.source.cite)))
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
        """An exercise card: the pose figure on the left, in a column as wide for every
        card of the leaflet whose figure is beside its text (one grid: their texts start at
        the same place), name, steps and dose beside it. A figure too wide to leave 16
        characters a line beside it at its full height (a lunge in two frames, large
        print, A5) goes above the text, under the name: a figure is never shrunk to fit.
        A dose the same for every exercise is shown once, before the first card, not
        repeated in each."""
        out = []
        shared = self.shared_dose()
        if shared and not self._dose_shown:
            self._dose_shown = True
            title = self.para(plain("どの運動も"), replace(self.h3, color=self.accent),
                              "subheading")
            out += [KeepIfItFits([Box([title] + self.dose(b), border=self.accent, width=1.5,
                                      pad=BOX_PAD, gap=2, left_bar=self.accent)]),
                    Spacer(1, self.body.size * 0.45)]
        name = self.para(b.name, self.h3, "subheading")
        art = self.pose_figure(b) if b.pose is not None else None
        text = [name]
        if b.target:
            text.append(self.para(labeled("ねらい：", b.target)))
        if b.position:
            text.append(self.para(labeled("姿勢：", b.position)))
        if len(b.steps) == 1:  # a single step reads better unnumbered
            text.append(self.para(labeled("やり方：", b.steps[0])))
        else:
            text += self.items(b.steps, "steps")
        if not shared:
            text += self.dose(b)
        if art is None:
            kids = text
        elif self.beside(b):
            kids = [Row([art], [_stack(text)], gap=self.column_gap,
                        left_width=self.figure_column)]
        else:
            kids = [text[0], art] + text[1:]
        out.append(KeepIfItFits([Box(kids, border=self.accent, width=1.5, pad=BOX_PAD, gap=2,
                                     left_bar=self.accent,
                                     title_again=[Para(continued_title(b.name), self.h3)])]))
        return out

    def dose(self, b: d.Exercise) -> list:
        """How long, how often, how to breathe and when to stop: three short lines."""
        out = []
        amount = [f"{b.hold_seconds}秒保つ" if b.hold_seconds else "",
                  f"{b.reps}回くり返す" if b.reps else ""]
        if any(amount):
            out.append(self.para(plain("・".join(a for a in amount if a)), self.strong))
        if b.breathing:
            out.append(self.para(labeled("呼吸：", b.breathing)))
        if b.stop_if:
            out.append(self.para(labeled("中止：", b.stop_if),
                                 replace(self.strong, color=DANGER)))
        return out

    def shared_dose(self) -> bool:
        """Every exercise of the leaflet (two or more) has the same dose."""
        if self._shared is None:
            doses = {(e.hold_seconds, e.reps, e.breathing.plain if e.breathing else "",
                      e.stop_if.plain if e.stop_if else "") for e in self.exercises}
            self._shared = len(self.exercises) > 1 and len(doses) == 1
        return self._shared

    @cached_property
    def exercises(self) -> list[d.Exercise]:
        return [b for sec in self.doc.sections_for("handout") for b in sec.for_target("handout")
                if isinstance(b, d.Exercise)]

    @cached_property
    def aspect(self) -> dict[int, float]:
        """Each pose's width over its height (a pose's scene is costly to compute)."""
        from ..diagrams import figure

        return {id(e.pose): figure.aspect(e.pose) for e in self.exercises
                if e.pose is not None}

    @property
    def figure_height(self) -> float:
        """A pose figure's height: 41.5 mm on A4 (its ink at least 40 mm), larger with the
        body in large print (53 mm), scaled with the page on A5 (29 mm: the A4 sheet
        folded, read at the same distance)."""
        a4 = Options()
        return POSE_H * max(1.0, self.body.size / a4.body) * min(
            1.0, self.opt.pagesize[0] / a4.pagesize[0])

    @property
    def card_inner(self) -> float:
        return self.frame_w - 2 * BOX_PAD - 6  # an exercise card's padding and left bar

    def beside(self, b: d.Exercise) -> bool:
        """The pose figure, at its full height, leaves 16 characters a line beside it."""
        room = self.card_inner - TEXT_BESIDE * self.body.size - self.column_gap
        return self.figure_height * self.aspect[id(b.pose)] <= room + 0.01

    @cached_property
    def figure_column(self) -> float:
        """The width of the figure column of every card whose figure is beside its text
        (the widest of those figures), 0 when none is."""
        return max((self.figure_height * self.aspect[id(e.pose)] for e in self.exercises
                    if e.pose is not None and self.beside(e)), default=0.0)

    def pose_figure(self, b: d.Exercise) -> ArtFigure:
        from ..diagrams import figure

        h = self.figure_height
        w = min(h * self.aspect[id(b.pose)], self.card_inner)
        h = w / self.aspect[id(b.pose)]
        return ArtFigure(figure.draw(b.pose, w, h, self.accent.hexval()[2:], 1.0),
                         self.at.child("figure", alt=b.alt), "center")

    def b_anatomy(self, b: d.Anatomy) -> list:
        from ..diagrams import lumbar

        full = b.detail == "full"
        size = self.body.size  # a leaflet's text is never below the body size
        art = lumbar.draw(b.detail, [t.site for t in b.markers], b.emphasis, self.frame_w,
                          (120 if full else 80) * mm, size, fonts().width,
                          lumbar.Style(self.accent.hexval()[2:]))
        out: list = [ArtFigure(art, self.at.child("figure", alt=b.alt))]
        markers = self.at.child("list", attribute="Decimal") if b.markers else None
        for i, t in enumerate(b.markers):  # the numbered sites' texts, read as a list
            item = markers.child("item")
            label = item.child("label")
            out.append(Para(t.text, self.body, self.body.size * 1.8, marker="①②③④⑤⑥"[i],
                            element=item.child("item body"), label=label))
        if b.caption:
            out.append(self.para(b.caption, self.caption, "caption"))
        return [KeepIfItFits(out)]

    def b_quiz(self, b: d.Quiz) -> list:
        kids = [self.para(labeled("Q. ", b.question), self.strong)]
        choices = self.at.child("list", attribute="Decimal")
        for i, c in enumerate(b.choices):
            item = choices.child("item")
            label = item.child("label")
            kids.append(Para(c, self.body, self.body.size * 1.8, marker=f"{'①②③④⑤⑥⑦⑧⑨'[i]}",
                             element=item.child("item body"), label=label))
        kids.append(self.para(labeled("答え：", b.answer)))
        if b.explanation:
            kids.append(self.para(b.explanation))
        return [KeepIfItFits([Box(kids, border=GREY, width=1.0, dash=(2, 2), pad=BOX_PAD,
                                  gap=2)])]

    # -- page -----------------------------------------------------------------------------
    def heading(self, rich: Rich) -> list:
        return [self.para(rich, self.h2, "heading"), Drawing(lambda aw: 5, _rule(self.accent))]

    def section(self, heading: Rich, blocks) -> list:
        """A heading never ends a page: it goes with its first block (or two lines of it).
        `blocks` makes the blocks' flowables once the heading is made (the tagger reads
        elements in the order they are made)."""
        head = self.heading(heading)
        blocks = blocks()
        first = blocks[0] if blocks else []
        if first and _unsplittable(first[0]):
            # not nested: a KeepTogether inside a KeepTogether always claims a fresh page
            kept = first[0]._content if isinstance(first[0], KeepTogether) else first[:1]
            out = [KeepIfItFits(head + list(kept))] + first[1:]
        else:
            out = [HeadingBreak(head, first[0] if first else None, self.body.lead * 2)]
            out += head + first
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
            blocks = sec.for_target("handout")
            flows = self.section(sec.heading, lambda: self.blocks(blocks))
            out += flows + [_PageNote(self.ends, sec.heading.plain, sec.mark), gap]
        if doc.glossary:
            self.at = root.child("section")
            # ragged: an entry often ends with its reading, which is never split; justified,
            # the line before it would be spread wide
            ragged = replace(self.body, justify=False)
            out += self.section(plain("ことばの説明"),
                                lambda: [[self.para(labeled(g.term + "：", g.meaning), ragged)]
                                         for g in doc.glossary])
            out += [_PageNote(self.ends, "ことばの説明", doc.glossary[0].meaning.mark), gap]
        if doc.references:
            self.at = root.child("section")
            refs = [self.para(plain("参考文献"), replace(self.small, bold=True), "heading")]
            for r in doc.references:
                spans = (Span(f"[{r.number}] {r.cite}" + (" " if r.link else "")),)
                if r.link:
                    spans += (Span(r.address, link=r.link),)
                refs.append(self.para(Rich(spans, r.mark), self.small, lang=text_lang(r.cite)))
            out += [KeepIfItFits(refs[:2])] + refs[2:]
            out.append(_PageNote(self.ends, "参考文献", doc.references[0].mark))
        return out

    def spill(self) -> list[Diagnostic]:
        """A patient leaflet past MAX_PAGES A4 pages: a warning naming the part that spills
        over (known once the pages are made)."""
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

    def build(self, out: Path | None, probe: list | None = None) -> None:
        if out is not None:  # else the pages are laid out, nothing drawn (check)
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
        # readings over the title's first line reach above its pitch: the title starts lower
        # by as much, so nothing is printed within 5 mm of the paper's top edge
        lift = max(0.0, ruby_top() * title_t.size - (title_lead - title_t.size * 0.3)) if (
            title_lines and has_ruby(title_lines[0])) else 0.0
        band_h = title_lead * len(title_lines) + sub_lead * len(sub_lines) + 10 * mm + lift

        title_el = self.tagger.root.child("title")
        sub_el = self.tagger.root.child("paragraph")

        def first(c, _doc):
            c.saveState()
            with tagging.artifact(c):
                c.setFillColor(self.accent)  # the band runs into the bleed on three sides
                c.rect(off - bleed, off + ph - band_h, pw + 2 * bleed, band_h + bleed,
                       stroke=0, fill=1)
            c.setFillColor(colors.white)
            y = off + ph - 5 * mm - lift
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
        template = BaseDocTemplate(str(out or os.devnull), pagesize=(pw + 2 * off, ph + 2 * off),
                                   leftMargin=0, rightMargin=0, topMargin=0, bottomMargin=0,
                                   invariant=1, lang="ja-JP", **meta)
        template.addPageTemplates([
            PageTemplate("first", [f1], onPage=first, autoNextPageTemplate="later"),
            PageTemplate("later", [f2])])
        template.build(self.story(), canvasmaker=footer.canvasmaker(doc.title.plain, probe,
                                                                    write=out is not None))


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


class _PageNote(Flowable):
    """Draws nothing: notes the page where a part of the leaflet ends."""

    def __init__(self, ends: list, name: str, mark: Mark):
        super().__init__()
        self.ends, self.name, self.mark = ends, name, mark

    def wrap(self, aw: float, ah: float):
        return 0, 0

    def draw(self) -> None:
        self.ends.append((self.name, self.mark, self.canv.getPageNumber()))


def render(doc: d.Document, out: Path | None, variant: str = "pdf",
           probe: list | None = None) -> list[Diagnostic]:
    """Write the leaflet (variant: pdf | large | print | a5 | a5print) to `out`; return
    warnings about its length. With `out` None, the pages are only made: the warnings,
    without the cost of finishing and writing them. Lines are kept on disk per spec and
    variant (text/setting.keeping): `check` and `build` set the same A4 leaflet."""
    builder = _Builder(doc, Options.variant(variant))
    with keeping(doc.path, "leaflet-lines" + ("" if variant == "pdf" else f"-{variant}")):
        builder.build(out, probe)
    return builder.spill()
