"""Document → A4 leaflet PDF.

Page furniture (title band, footer with clinic, QR code, review date and page x/y) is drawn
by page callbacks; the content is a list of flowables, one builder per block kind.
"""

from __future__ import annotations

import math
import zlib
from functools import lru_cache
from dataclasses import dataclass, replace
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Frame, Image, KeepTogether,
                                PageTemplate, Spacer)
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle

from .. import document as d
from ..diagrams import geometry as geo
from ..pdfdraw import draw_line, draw_text, register_fonts
from ..text.inline import Rich, Span, plain
from ..text.setting import set_lines
from .flowables import Box, Drawing, Para, Type

DANGER = colors.HexColor("#A00000")
WARNING = colors.HexColor("#7A4300")
INFO = colors.HexColor("#1F4E79")
GREY = colors.HexColor("#444444")
PALE = colors.HexColor("#F2F2F2")


@dataclass(frozen=True)
class Options:
    """Leaflet variants: page size, body size, bleed for the print shop."""

    pagesize: tuple[float, float] = A4
    body: float = 12.5
    bleed: float = 0.0  # mm of bleed around the trim box (print-shop variant)
    margin: float = 15 * mm

    @classmethod
    def variant(cls, name: str) -> "Options":
        return {"pdf": cls(), "large": cls(body=14.5), "print": cls(bleed=3.0),
                "a5": cls(pagesize=A5, body=12.0, margin=11 * mm)}[name]


def labeled(label: str, rich: Rich) -> Rich:
    return Rich((Span(label, strong=True),) + rich.spans, rich.mark)


class _Builder:
    def __init__(self, doc: d.Document, opt: Options):
        self.doc, self.opt = doc, opt
        self.accent = colors.HexColor(doc.clinic.accent)
        b = opt.body
        self.body = Type(b)
        self.strong = Type(b, bold=True)
        self.h2 = Type(b + 4, bold=True, pitch=1.4, color=self.accent, phrases=True)
        self.h3 = Type(b + 2, bold=True, pitch=1.45, phrases=True)
        self.small = Type(max(9.0, b - 3), pitch=1.45, color=GREY)
        self.key = Type(b + 1.5, bold=True, pitch=1.55)

    # -- blocks --------------------------------------------------------------------------
    def items(self, riches: list[Rich], style: str, t: Type | None = None) -> list:
        t = t or self.body
        ind = t.size * (1.6 if style != "steps" else 1.9)
        out = []
        for i, r in enumerate(riches, 1):
            if style == "checklist":
                out.append(Para(r, t, ind, box=True))
            elif style == "steps":
                out.append(Para(r, t, ind, marker=f"{i}."))
            else:
                out.append(Para(r, t, ind, marker="•"))
        return out

    def block(self, b: d.Block) -> list:
        m = getattr(self, "b_" + type(b).__name__.lower())
        return m(b)

    def b_text(self, b: d.Text) -> list:
        return [Para(b.text, self.body)]

    def b_itemlist(self, b: d.ItemList) -> list:
        return self.items(b.items, b.style)

    def b_callout(self, b: d.Callout) -> list:
        color = {"danger": DANGER, "warning": WARNING, "info": INFO}[b.level]
        icon_w = min(self.h3.lead, 20) + 6
        if b.level == "danger":
            title = Para(b.title, replace(self.h3, color=colors.white), indent=icon_w)
            box = dict(border=color, width=3.0, band=color, icon_color=colors.white,
                       fill=colors.HexColor("#FFF5F5"))
        elif b.level == "warning":
            title = Para(b.title, replace(self.h3, color=color), indent=icon_w)
            box = dict(border=color, width=2.0, dash=(5, 3), icon_color=color)
        else:
            title = Para(b.title, replace(self.h3, color=color), indent=icon_w)
            box = dict(border=color, width=0.8, icon_color=color)
        kids = [title]
        if b.text:
            kids.append(Para(b.text, self.body))
        kids += self.items(b.items, "bullets", self.strong if b.level == "danger" else None)
        return [Box(kids, icon=b.level, pad=9, **box)]

    def b_flow(self, b: d.Flow) -> list:
        t = self.body
        n = len(b.steps)
        arrow = 16.0

        def geometry(aw: float):
            horizontal = (aw - arrow * (n - 1)) / n >= t.size * 5
            if horizontal:
                rects = geo.flow_row(n, aw, 0, arrow)
                inner = rects[0].w - 8
            else:
                inner = aw * 0.6 - 8
            lines = [set_lines(s, inner, t.size, True, phrases=True) for s in b.steps]
            box_h = max(len(ls) for ls in lines) * t.size * 1.35 + 12
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
                c.setFillColor(colors.HexColor("#FDE8E8") if hi else colors.white)
                c.roundRect(r.x, y, r.w, r.h, 5, stroke=1, fill=1)
                c.setFillColor(colors.black)
                top = y + r.h - (r.h - len(ls) * t.size * 1.35) / 2
                for k, line in enumerate(ls):
                    draw_line(c, line, r.x + 4, top - (k + 0.8) * t.size * 1.35 + 1.5,
                              t.size, True, "center", r.w - 8)
                if i + 1 < n:
                    nxt = rects[i + 1]
                    if horizontal:
                        _arrow(c, r.x + r.w + 2, y + r.h / 2, nxt.x - 2, y + r.h / 2)
                    else:
                        _arrow(c, r.cx, y - 1, r.cx, ah - nxt.y + 1)

        out = [Drawing(height, paint)]
        if b.caption:
            out.append(Para(b.caption, self.small))
        return [KeepTogether(out)]

    def b_tree(self, b: d.Tree) -> list:
        t = self.body
        vgap, gap = 14.0, 8.0

        def geometry(aw: float):
            slot = geo.tree_slot_width(b.root, aw, gap)
            node_w = min(slot, aw * 0.5)
            texts = {}
            rows = 1
            stack = [b.root]
            while stack:
                n = stack.pop()
                label = set_lines(n.label, node_w - 8, t.size, True, phrases=True)
                note = set_lines(n.note, node_w - 8, t.size * 0.8) if n.note else []
                texts[id(n)] = (label, note)
                rows = max(rows, len(label) + 0.85 * len(note))
                stack.extend(n.children)
            node_h = rows * t.size * 1.3 + 10
            return geo.tree(b.root, aw, node_h, vgap, gap, node_w), texts

        def height(aw: float) -> float:
            return geometry(aw)[0].height + 4

        def paint(c, aw: float, ah: float) -> None:
            lay, texts = geometry(aw)
            ox = (aw - lay.width) / 2
            for p, k in lay.edges:
                _arrow(c, ox + p.cx, ah - p.bottom, ox + k.cx, ah - k.y)
            for node, r in lay.boxes:
                label, note = texts[id(node)]
                y = ah - r.bottom
                c.setLineWidth(2.5 if node.highlight else 1.0)
                c.setStrokeColor(self.accent if node.highlight else colors.black)
                c.setFillColor(colors.HexColor("#EAF1F8") if node.highlight else colors.white)
                c.roundRect(ox + r.x, y, r.w, r.h, 4, stroke=1, fill=1)
                c.setFillColor(colors.black)
                used = len(label) * t.size * 1.3 + len(note) * t.size * 0.8 * 1.3
                top = y + r.h - (r.h - used) / 2
                for k2, line in enumerate(label):
                    top -= t.size * 1.3
                    draw_line(c, line, ox + r.x + 4, top + t.size * 0.3, t.size, True,
                              "center", r.w - 8)
                c.setFillColor(GREY)
                for line in note:
                    top -= t.size * 0.8 * 1.3
                    draw_line(c, line, ox + r.x + 4, top + t.size * 0.25, t.size * 0.8,
                              False, "center", r.w - 8)

        out = [Drawing(height, paint)]
        if b.caption:
            out.append(Para(b.caption, self.small))
        return [KeepTogether(out)]

    def b_chart(self, b: d.Chart) -> list:
        t = self.body
        bar_h, gap = t.size * 1.6, t.size * 0.6
        from ..fonts import fonts
        label_w = max(fonts().width(k, t.size) for k, _ in b.data) + 10
        value_w = max(fonts().width(_fmt(v) + b.unit, t.size, True) for _, v in b.data) + 12

        def height(aw: float) -> float:
            return len(b.data) * (bar_h + gap) + t.size

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
            out.append(Para(b.title, self.strong))
        out.append(Drawing(height, paint))
        src = f"出典：{b.source.cite} [{b.source.number}]" if b.source else ""
        if b.caption:
            out.append(Para(b.caption, self.small))
        if src:
            out.append(Para(plain(src), self.small))
        return [KeepTogether(out)]

    def b_table(self, b: d.Table) -> list:
        n = len(b.header)
        data = [[Para(h, self.strong) for h in b.header]]
        data += [[Para(c, self.body) for c in row] for row in b.rows]
        width = self.frame_w
        table = RLTable(data, colWidths=[width / n] * n, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.8, GREY),
            ("FONTNAME", (0, 0), (-1, -1), "BIZUDPGothic"),  # else reportlab adds Helvetica
            ("BACKGROUND", (0, 0), (-1, 0), PALE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        out = [table]
        if b.caption:
            out.append(Para(b.caption, self.small))
        return out

    def b_figure(self, b: d.Figure) -> list:
        from reportlab.lib.utils import ImageReader

        iw, ih = ImageReader(str(b.image)).getSize()
        w = min(self.frame_w, iw)
        h = w * ih / iw
        if h > 90 * mm:
            h, w = 90 * mm, 90 * mm * iw / ih
        img = Image(str(b.image), width=w, height=h)
        img.hAlign = "CENTER"
        out = [img]
        if b.caption:
            out.append(Para(b.caption, self.small))
        return [KeepTogether(out)]

    def b_exercise(self, b: d.Exercise) -> list:
        kids = [Para(b.name, self.h3)]
        if b.target:
            kids.append(Para(labeled("ねらい：", b.target), self.body))
        if b.position:
            kids.append(Para(labeled("姿勢：", b.position), self.body))
        if len(b.steps) == 1:  # a single step reads better unnumbered
            kids.append(Para(labeled("やり方：", b.steps[0]), self.body))
        else:
            kids += self.items(b.steps, "steps")
        dose = []
        if b.hold_seconds:
            dose.append(f"{b.hold_seconds}秒 保つ")
        if b.reps:
            dose.append(f"{b.reps}回 くり返す")
        if dose:
            kids.append(Para(plain("回数：" + "・".join(dose)), self.strong))
        if b.breathing:
            kids.append(Para(labeled("呼吸：", b.breathing), self.body))
        if b.stop_if:
            kids.append(Para(labeled("中止：", b.stop_if), replace(self.strong, color=DANGER)))
        return [Box(kids, border=self.accent, width=1.5, pad=9, left_bar=self.accent)]

    def b_quiz(self, b: d.Quiz) -> list:
        kids = [Para(labeled("Q. ", b.question), self.strong)]
        kids += [Para(c, self.body, self.body.size * 1.8, marker=f"{'①②③④⑤⑥'[i]}")
                 for i, c in enumerate(b.choices)]
        kids.append(Para(labeled("答え：", b.answer), self.body))
        if b.explanation:
            kids.append(Para(b.explanation, self.body))
        return [Box(kids, border=GREY, width=1.0, dash=(2, 2), pad=9)]

    # -- page -----------------------------------------------------------------------------
    def heading(self, rich: Rich) -> list:
        return [CondPageBreak(self.h2.lead * 2 + self.body.lead * 3),
                Para(rich, self.h2), Drawing(lambda aw: 4, _rule(self.accent))]

    def story(self) -> list:
        doc = self.doc
        gap = Spacer(1, self.body.size * 0.8)
        out: list = []
        key = [Para(plain("この紙でいちばん伝えたいこと"), replace(self.h3, color=self.accent))]
        key += self.items(doc.key_points, "bullets", self.key)
        out += [Box(key, border=self.accent, width=1.5, fill=colors.HexColor("#F4F8FC"),
                    left_bar=self.accent, pad=10), gap]
        for sec in doc.sections_for("handout"):
            out += self.heading(sec.heading)
            for b in sec.for_target("handout"):
                out += self.block(b)
                out.append(Spacer(1, self.body.size * 0.5))
            out.append(gap)
        if doc.glossary:
            out += self.heading(plain("ことばの説明"))
            out += [Para(labeled(g.term + "：", g.meaning), self.body) for g in doc.glossary]
            out.append(gap)
        if doc.references:
            out.append(Para(plain("参考文献"), replace(self.small, bold=True)))
            for r in doc.references:
                link = f" https://doi.org/{r.doi}" if r.doi else (f" {r.url}" if r.url else "")
                out.append(Para(plain(f"[{r.number}] {r.cite}{link}"), self.small))
        return out

    def build(self, out: Path) -> None:
        register_fonts()
        opt = self.opt
        bleed = opt.bleed * mm
        # the print-shop page has room outside the bleed for crop marks (the slug)
        off = bleed + SLUG if bleed else 0.0  # where the trimmed page starts on the sheet
        pw, ph = opt.pagesize
        mw, mh = pw + 2 * off, ph + 2 * off
        margin = opt.margin
        footer_h = 22 * mm
        self.frame_w = pw - 2 * margin
        title_t = Type(self.opt.body + 10, bold=True, pitch=1.3, color=colors.white,
                       phrases=True)
        sub_t = Type(self.opt.body + 1.5, pitch=1.4, color=colors.white)
        title_lines = set_lines(self.doc.title, self.frame_w, title_t.size, True, True)
        sub_lines = (set_lines(self.doc.subtitle, self.frame_w, sub_t.size)
                     if self.doc.subtitle else [])
        band_h = len(title_lines) * title_t.lead + len(sub_lines) * sub_t.lead + 14 * mm

        def first(c, _doc):
            c.saveState()
            c.setFillColor(self.accent)
            c.rect(off - bleed, off + ph - band_h, pw + 2 * bleed, band_h + bleed, stroke=0,
                   fill=1)
            c.setFillColor(colors.white)
            y = off + ph - 8 * mm - title_t.size
            for line in title_lines:
                draw_line(c, line, off + margin, y, title_t.size, True)
                y -= title_t.lead
            for line in sub_lines:
                draw_line(c, line, off + margin, y + title_t.lead - sub_t.lead, sub_t.size)
                y -= sub_t.lead
            c.restoreState()

        frame_kw = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        body_bottom = off + footer_h + 4 * mm
        f1 = Frame(off + margin, body_bottom, self.frame_w,
                   ph - band_h - 6 * mm - footer_h - 4 * mm, id="first", **frame_kw)
        f2 = Frame(off + margin, body_bottom, self.frame_w,
                   ph - margin - footer_h - 4 * mm, id="later", **frame_kw)
        doc = self.doc
        meta = dict(title=doc.title.plain, author=doc.clinic.author or doc.clinic.name,
                    subject=doc.subtitle.plain if doc.subtitle else doc.title.plain,
                    creator="handouts", producer="handouts (reportlab)",
                    keywords=f"{doc.audience}, review_by {doc.review_by}")
        footer = _Footer(doc, opt, self.accent, margin, footer_h, off)
        canvasmaker = footer.canvasmaker(off, bleed, (pw, ph))
        template = BaseDocTemplate(str(out), pagesize=(mw, mh), leftMargin=0, rightMargin=0,
                                   topMargin=0, bottomMargin=0, invariant=1, lang="ja-JP",
                                   **meta)
        template.addPageTemplates([
            PageTemplate("first", [f1], onPage=first, autoNextPageTemplate="later"),
            PageTemplate("later", [f2])])
        template.build(self.story(), canvasmaker=canvasmaker)


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


def _rule(color):
    def paint(c, aw, ah):
        c.setStrokeColor(color)
        c.setLineWidth(1.5)
        c.line(0, ah - 1, aw, ah - 1)
    return paint


SLUG = 7 * mm  # room outside the bleed for crop marks


class _Footer:
    """Footer on every page: clinic, phone, review dates, page x/y and the clinic's QR code."""

    def __init__(self, doc: d.Document, opt: Options, accent, margin, height, bleed):
        self.doc, self.opt, self.accent = doc, opt, accent
        self.margin, self.height, self.bleed = margin, height, bleed

    def draw(self, c, page: int, total: int, pw: float) -> None:
        doc, b = self.doc, self.bleed
        size = 10.0
        x0, top = b + self.margin, b + self.height
        c.saveState()
        c.setStrokeColor(self.accent)
        c.setLineWidth(1)
        c.line(x0, top, b + pw - self.margin, top)
        qr = 16 * mm if doc.clinic.url else 0
        c.setFillColor(colors.black)
        from ..fonts import fonts
        label = f"{page}/{total}"
        right = b + pw - self.margin - (qr + 3 * mm if qr else 0)
        room = right - x0 - fonts().width(label, size + 1, True) - 4 * mm
        name = doc.clinic.name + (f"　電話 {doc.clinic.phone}" if doc.clinic.phone else "")
        rows = [(name, size + 1, True)] + [(x, size - 1, False) for x in (
            doc.clinic.address, doc.clinic.hours,
            f"内容の確認日 {doc.reviewed:%Y-%m-%d}・次の見直し {doc.review_by:%Y-%m-%d}") if x]
        y = top - 1.5 * mm
        for text, sz, bold in rows:
            for line in set_lines(plain(text), room, sz, bold):
                y -= sz * 1.25
                if y < b + 1 * mm:  # the footer band is full
                    break
                draw_line(c, line, x0, y, sz, bold)
        draw_text(c, label, right - fonts().width(label, size + 1, True), top - 5 * mm,
                  size + 1, True)
        if qr:
            _draw_qr(c, doc.clinic.url, b + pw - self.margin - qr, top - 2 * mm - qr, qr)
        c.restoreState()

    def canvasmaker(self, off: float, bleed: float, trim: tuple[float, float]):
        footer = self
        pw, ph = trim

        class FooterCanvas(Canvas):
            """Holds pages until the end so the footer can say 'page x of y'."""

            def __init__(self, *a, **kw):
                if bleed:
                    kw.update(trimBox=(off, off, off + pw, off + ph),
                              bleedBox=(off - bleed, off - bleed, off + pw + bleed,
                                        off + ph + bleed))
                # without an initial font reportlab declares an unembedded Helvetica
                kw.update(initialFontName="BIZUDPGothic", initialFontSize=12)
                super().__init__(*a, **kw)
                self._pages: list[dict] = []

            def showPage(self):
                self._pages.append(dict(self.__dict__))
                self._startPage()

            def save(self):
                total = len(self._pages)
                for i, state in enumerate(self._pages, 1):
                    self.__dict__.update(state)
                    footer.draw(self, i, total, pw)
                    if bleed:
                        _crop_marks(self, off, bleed, pw, ph)
                    Canvas.showPage(self)
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


def _crop_marks(c, off: float, bleed: float, pw: float, ph: float) -> None:
    """Corner trim marks in the slug: on the trim lines, starting just outside the bleed."""
    c.saveState()
    c.setLineWidth(0.3)
    c.setStrokeColor(colors.black)
    start, length = bleed + 1 * mm, 5 * mm
    for x in (off, off + pw):
        for y in (off, off + ph):
            dx = -1 if x == off else 1
            dy = -1 if y == off else 1
            c.line(x + dx * start, y, x + dx * (start + length), y)
            c.line(x, y + dy * start, x, y + dy * (start + length))
    c.restoreState()


def render(doc: d.Document, out: Path, variant: str = "pdf") -> None:
    """Write the leaflet (variant: pdf | large | print | a5) to `out`."""
    _Builder(doc, Options.variant(variant)).build(out)
