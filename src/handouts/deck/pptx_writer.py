"""Deck → .pptx with python-pptx, on a template's masters and layouts. Serialises the model
only; no layout decisions here.

What PowerPoint sees: titles in title placeholders; each slide's main text in the layout's
body placeholder as real paragraphs (levels, bullets, auto numbers), wrapped by PowerPoint
itself (no line breaks of ours inside a paragraph); runs that inherit the theme's fonts and
colours and say only what they change, addresses as live links; the footer and a
slide-number field in the layout's footer placeholders; each diagram one group with alt
text, its arrows glued to its boxes.

Placeholders keep their layout's position (no `a:xfrm` of their own) wherever the plan puts
their text there, so PowerPoint's Reset changes nothing. Body text goes into the body
placeholder only where Reset could not move it onto another shape: the layout's column,
starting at or below the placeholder's top, nothing above it in the way.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu

from .. import images
from ..text.inline import Span
from . import oxml
from .geometry import overlap
from .model import INSET, PITCH, Arrow, BarChart, Box, Deck, Diagram, Drawing, Para, \
    Picture, Slide, Table, TextBox
from .template import BODY_TYPES, Template, clone_placeholder, default

# an address in text: linked as written (trailing punctuation left out)
URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+[A-Za-z0-9/#=_\-]")


class _Writer:
    def __init__(self, deck: Deck, template: Template):
        self.deck = deck
        self.tpl = template
        self.k = template.k  # template points per planned point (slides 540 pt high)
        self.font = template.japanese_font()
        self.part = None  # the slide being written (its relationships hold the links)

    def pt(self, v: float) -> Emu:
        return Emu(int(round(v * 12700 * self.k)))

    # -- text ------------------------------------------------------------------------------
    def paras(self, txBody, paras: list[Para], bold: bool | None = False,
              color: str | None = "000000") -> None:
        """Paragraphs as PowerPoint paragraphs: the measured lines joined again (with the
        spaces the breaks took out), so PowerPoint wraps them itself. `bold` and `color`
        are what the text inherits (None: unknown, say it always / never)."""
        base = Counter(p.size for p in paras).most_common(1)[0][0] if paras else 18.0
        oxml.list_style(txBody, base * self.k)
        for p in txBody.findall(qn("a:p")):
            txBody.remove(p)
        level_of = _levels(paras)
        for p, level in zip(paras, level_of):
            el = etree.SubElement(txBody, qn("a:p"))
            para = _P(el)
            auto = int(p.marker[:-1]) if p.marker and p.marker.endswith(".") and \
                p.marker[:-1].isdigit() else None
            oxml.para_props(para, p.size * self.k, PITCH,
                            {"left": "l", "center": "ctr", "right": "r"}[p.align],
                            p.indent * self.k,
                            None if auto else p.marker, auto, p.space_before * self.k, level)
            size = None if p.size == base else p.size * self.k
            col = None if color is None or p.color == color else p.color
            for text, span, brk in _segments(p):
                if brk:
                    etree.SubElement(el, qn("a:br"))
                    continue
                strong = p.bold or (isinstance(span, Span) and span.strong)
                for piece, address in _linked(text, span):
                    r = etree.SubElement(el, qn("a:r"))
                    rPr = etree.SubElement(r, qn("a:rPr"))
                    oxml.run_props(rPr, piece, size, strong if bold is None or strong != bold
                                   else None, col, self.deck.accent,
                                   30000 if isinstance(span, Span) and span.cite else 0,
                                   self.link(address))
                    etree.SubElement(r, qn("a:t")).text = piece
            end = etree.SubElement(el, qn("a:endParaRPr"))
            oxml.run_props(end, _plain(p) or "あ", size)

    def link(self, address: str | None) -> str | None:
        """The relationship id of an external link from the slide being written."""
        if not address or self.part is None:
            return None
        return self.part.relate_to(address, RT.HYPERLINK, is_external=True)

    def text_frame(self, sp_element, s: TextBox) -> None:
        tx = sp_element.find(qn("p:txBody"))
        oxml.body_props(tx.find(qn("a:bodyPr")), s.inset * self.k,
                        "ctr" if s.anchor == "middle" else "t")
        self.paras(tx, s.paras)

    def box_look(self, shape, s: TextBox) -> None:
        """Fill and border from the model (placeholders and shapes alike)."""
        if s.fill:
            shape.fill.solid()
            shape.fill.fore_color.rgb = _rgb(s.fill)
            if s.fill.upper() == self.deck.accent.upper():
                _scheme(shape._element.spPr, "accent1")
        else:
            shape.fill.background()
        if s.border:
            shape.line.color.rgb = _rgb(s.border)
            if s.border.upper() == self.deck.accent.upper():
                _scheme(shape._element.spPr.find(qn("a:ln")), "accent1")
            shape.line.width = self.pt(s.border_w)
            if s.dash:
                from pptx.enum.dml import MSO_LINE_DASH_STYLE
                shape.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        else:
            shape.line.fill.background()

    def text_shape(self, shapes, s: TextBox):
        """A text box, or a filled/bordered shape holding text (not a placeholder)."""
        if s.fill or s.border:
            kind = MSO_SHAPE.ROUNDED_RECTANGLE if s.rounded else MSO_SHAPE.RECTANGLE
            shape = shapes.add_shape(kind, self.pt(s.x), self.pt(s.y), self.pt(s.w),
                                     self.pt(s.h))
            if s.rounded:
                shape.adjustments[0] = 0.08
            oxml.no_theme_style(shape._element)
            self.box_look(shape, s)
        else:
            shape = shapes.add_textbox(self.pt(s.x), self.pt(s.y), self.pt(s.w), self.pt(s.h))
        if s.name:
            shape.name = s.name
        if s.decorative:
            oxml.decorative(shape._element.nvSpPr.cNvPr)
        if s.paras:
            self.text_frame(shape._element, s)
        return shape

    # -- placeholders ----------------------------------------------------------------------
    def place(self, ph, box: Box, layout, tall_ok: bool = True) -> None:
        """Give a placeholder the planned box unless its layout already puts it there (or,
        with `tall_ok`, there with more height than the text needs)."""
        own = self.tpl.inherited(layout, ph._element)
        if own is not None and all(abs(a - b) < 0.5 for a, b in zip(
                (own.box.x, own.box.y, own.box.w), (box.x, box.y, box.w))) and (
                abs(own.box.h - box.h) < 0.5 or (tall_ok and box.h <= own.box.h + 0.5)):
            return
        ph.left, ph.top, ph.width, ph.height = (self.pt(v) for v in (box.x, box.y, box.w,
                                                                     box.h))

    def title(self, slide, s: Slide, layout) -> list:
        box = s.title_box
        para = Para(s.title, s.title_size, True)
        ph = slide.shapes.title
        if ph is None:  # the template's layout has no title: a text box, same place
            return [self.text_shape(slide.shapes, TextBox(box.x, box.y, box.w, box.h,
                                                          paras=[para]))._element]
        self.place(ph, box, layout, tall_ok=False)
        tx = ph._element.find(qn("p:txBody"))
        # lines wrap where the plan broke them: the text area narrowed to their width
        slack = box.w - 2 * INSET - s.title_wrap if s.title_wrap else 0.0
        left = right = INSET
        if slack > 0.5:
            if self.tpl.inherited_align(layout, ph._element) == "ctr":
                left, right = INSET + slack / 2, INSET + slack / 2
            else:
                right = INSET + slack
        oxml.body_props(tx.find(qn("a:bodyPr")), INSET * self.k, None,
                        sides=(left * self.k, right * self.k))
        self.paras(tx, [para], bold=None, color=None)  # bold as measured, whatever inherited
        return [ph._element]

    def body(self, ph, s: TextBox, layout) -> None:
        self.place(ph, Box(s.x, s.y, s.w, s.h), layout)
        if s.fill or s.border:
            self.box_look(ph, s)
        if s.name:
            ph.name = s.name
        self.text_frame(ph._element, s)

    def footer(self, slide, s: Slide, layout) -> list:
        from .plan import footer_boxes

        out = []
        spTree = slide.shapes._spTree
        own = {p.type: p for p in self.tpl.placeholders(layout) if p.type in ("ftr", "sldNum")}
        size = self.deck.frame.footer_size * self.k
        for box in footer_boxes(self.deck, s):
            kind = box.name
            if kind not in own:  # no such placeholder on this layout: a text box
                shape = self.text_shape(slide.shapes, box)
                if kind == "sldNum":  # the number a field all the same
                    p = shape._element.find(f".//{qn('a:p')}")
                    for r in p.findall(qn("a:r")):
                        p.remove(r)
                    p.find(qn("a:endParaRPr")).addprevious(_number_field(s.number))
                out.append(shape._element)
                continue
            sp = clone_placeholder(own[kind].sp, _next_id(spTree))
            spTree.append(sp)
            tx = sp.find(qn("p:txBody"))
            p = etree.SubElement(tx, qn("a:p"))
            align = self.tpl.inherited_align(layout, sp)
            if align:  # what PowerPoint inherits anyway; LibreOffice centres footers without it
                etree.SubElement(p, qn("a:pPr"), algn=align)
            if kind == "sldNum":
                oxml.slide_number(p, s.number, _field_id(own[kind].sp))
                p.find(f"{qn('a:fld')}/{qn('a:rPr')}").set("sz", str(int(round(size * 100))))
            else:
                r = etree.SubElement(p, qn("a:r"))
                text = "".join(line.text for line in box.paras[0].lines)
                oxml.run_props(etree.SubElement(r, qn("a:rPr")), text, size)
                etree.SubElement(r, qn("a:t")).text = text
            out.append(sp)
        return out

    # -- diagrams, charts, tables, pictures ------------------------------------------------
    def shape(self, shapes, s):
        if isinstance(s, TextBox):
            return self.text_shape(shapes, s)
        if isinstance(s, Diagram):
            return self.diagram(shapes, s)
        if isinstance(s, BarChart):
            return self.chart(shapes, s)
        if isinstance(s, Table):
            return self.table(shapes, s)
        if isinstance(s, Picture):
            return self.picture(shapes, s)
        if isinstance(s, Drawing):
            return self.drawing(shapes, s)
        if isinstance(s, Arrow):
            return self.arrow(shapes, s, {})
        raise AssertionError(type(s))

    def diagram(self, shapes, s: Diagram):
        group = shapes.add_group_shape()
        group.name = s.name or "図"
        made = {i: self.shape(group.shapes, child) for i, child in enumerate(s.shapes)
                if not isinstance(child, Arrow)}
        for child in s.shapes:  # arrows last: drawn over the boxes they join
            if isinstance(child, Arrow):
                self.arrow(group.shapes, child, made)
        cnv = group._element.nvGrpSpPr.cNvPr
        cnv.set("descr", s.alt)
        return group

    def arrow(self, shapes, s: Arrow, made: dict):
        c = shapes.add_connector(MSO_CONNECTOR.STRAIGHT, self.pt(s.x), self.pt(s.y),
                                 self.pt(s.x + s.w), self.pt(s.y + s.h))
        oxml.no_theme_style(c._element)
        c.line.width = self.pt(2)
        c.line.color.rgb = _rgb("000000")
        oxml.arrow_head(c)
        if s.start is not None and s.end is not None:
            a, b = made[s.start], made[s.end]
            c.begin_connect(a, _site(a, c.begin_x, c.begin_y))
            c.end_connect(b, _site(b, c.end_x, c.end_y))
        return c

    def chart(self, shapes, s: BarChart):
        # python-pptx pastes the data's number format into XML unescaped: the unit (which
        # may hold < or &) goes only into the data labels' format, set through lxml below
        data = CategoryChartData()
        data.categories = s.categories
        data.add_series(s.name or s.unit, s.values)
        gf = shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, self.pt(s.x), self.pt(s.y),
                              self.pt(s.w), self.pt(s.h), data)
        gf._element.nvGraphicFramePr.cNvPr.set("descr", s.alt)
        if s.name:
            gf.name = s.name
        chart = gf.chart
        chart.has_legend = False
        chart.has_title = False
        chart.category_axis.reverse_order = True  # first category at the top, as in the spec
        val = chart.value_axis
        val.maximum_scale = s.maximum
        val.minimum_scale = 0
        val.has_major_gridlines = False
        val.visible = False
        plot = chart.plots[0]
        plot.gap_width = 60
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format = '0"' + s.unit.replace('"', "") + '"'
        labels.number_format_is_linked = False
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        labels.font.size = self.pt(s.font_size)
        oxml.no_wrap(labels._element)  # "96人/100人" must not wrap under its bar
        plot.series[0].format.fill.solid()  # the theme's accent, as the planner's colour
        if s.color.upper() == self.deck.accent.upper():
            plot.series[0].format.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_1
        else:
            plot.series[0].format.fill.fore_color.rgb = _rgb(s.color)
        oxml.chart_text(chart, s.font_size * self.k, self.font)
        oxml.chart_axis_ids(chart)
        return gf

    def table(self, shapes, s: Table):
        rows, cols = len(s.cells), len(s.col_widths)
        gf = shapes.add_table(rows, cols, self.pt(s.x), self.pt(s.y), self.pt(s.w),
                              self.pt(s.h))
        table = gf.table
        for j, w in enumerate(s.col_widths):
            table.columns[j].width = self.pt(w)
        for i, h in enumerate(s.row_heights):
            table.rows[i].height = self.pt(h)
        for i, row in enumerate(s.cells):
            for j, paras in enumerate(row):
                cell = table.cell(i, j)
                cell.fill.solid()  # the model's colours, not the default table style's
                fill = s.head_fill if i == 0 else s.band_fills[0 if i % 2 else 1]
                cell.fill.fore_color.rgb = _rgb(fill)
                cell.margin_left = cell.margin_right = self.pt(INSET + 4)
                cell.margin_top = cell.margin_bottom = self.pt(INSET)
                # table styles colour the header row's text: say every cell's colour
                self.paras(cell._tc.get_or_add_txBody(), paras, bold=None, color="")
        return gf

    def picture(self, shapes, s: Picture):
        # a photo upright and at the resolution a projected slide shows (images.py)
        data = images.prepared(s.path, s.w, s.h, images.SCREEN_PPI) if s.path else s.data
        src = str(data) if isinstance(data, Path) else io.BytesIO(data or b"")
        pic = shapes.add_picture(src, self.pt(s.x), self.pt(s.y), self.pt(s.w), self.pt(s.h))
        pic._element.nvPicPr.cNvPr.set("descr", s.alt)
        if s.decorative:
            oxml.decorative(pic._element.nvPicPr.cNvPr)
        if s.link:
            pic.click_action.hyperlink.address = s.link
        return pic

    def drawing(self, shapes, s: Drawing):
        """Computed art (poses, anatomy) as one group of native freeforms and text boxes,
        recolourable and movable in PowerPoint, the alt text on the group."""
        from dataclasses import replace

        from ..diagrams.vector import bounds
        from .measure import autospace

        group = shapes.add_group_shape()
        for shape in s.art.shapes:
            x0, y0, x1, y1 = bounds([replace(shape, stroke=None)])
            x0, y0, x1, y1 = x0 - 0.5, y0 - 0.5, x1 + 0.5, y1 + 0.5  # no zero-size box
            ff = group.shapes.build_freeform(self.pt(s.x + x0), self.pt(s.y + y0), scale=1.0)
            ff.add_line_segments([(self.pt(s.x + x1), self.pt(s.y + y0)),
                                  (self.pt(s.x + x1), self.pt(s.y + y1)),
                                  (self.pt(s.x + x0), self.pt(s.y + y1))])
            sp = ff.convert_to_shape()
            oxml.no_theme_style(sp._element)
            # the path's own coordinate space is mapped onto the shape's box
            oxml.custom_geometry(sp._element, shape.paths, x0, y0, x1 - x0, y1 - y0)
            sp.name = shape.name or "線"
            if shape.fill:
                sp.fill.solid()
                sp.fill.fore_color.rgb = _rgb(shape.fill)
            else:
                sp.fill.background()
            if shape.stroke:
                sp.line.color.rgb = _rgb(shape.stroke)
                sp.line.width = self.pt(shape.width)
                oxml.line_ends(sp, shape.cap)
            else:
                sp.line.fill.background()
        for lb in s.art.labels:
            if lb.leader:  # a plain line, not a connector: it joins no two shapes
                (ax, ay), *rest = lb.leader
                ff = group.shapes.build_freeform(self.pt(s.x + ax), self.pt(s.y + ay),
                                                 scale=1.0)
                ff.add_line_segments([(self.pt(s.x + x), self.pt(s.y + y)) for x, y in rest],
                                     close=False)
                c = ff.convert_to_shape()
                oxml.no_theme_style(c._element)
                c.fill.background()
                c.line.width = self.pt(0.6)
                c.line.color.rgb = _rgb(lb.color)
                c.name = "引き出し線"
            bx, by, bw, _ = lb.box
            # LibreOffice adds space between Japanese and Latin text (measure.autospace) and
            # renderers differ slightly in advances: the box grows away from the leader
            pad = lb.size * 0.3 + autospace(lb.text, lb.size)
            align = "center" if lb.on else "left"
            if lb.on:
                bx, bw = bx - pad, bw + 2 * pad
            elif lb.leader and lb.leader[-1][0] > bx + bw:  # a left-column label
                bx, bw, align = bx - pad, bw + pad, "right"
            else:
                bw += pad
            tb = group.shapes.add_textbox(self.pt(s.x + bx), self.pt(s.y + by - lb.size * 0.1),
                                          self.pt(bw), self.pt(lb.size * PITCH))
            body = tb.text_frame._txBody
            # one line, wrapped never: in a wider font than planned (a theme font the
            # machine lacks) it runs on from its anchor rather than onto the next label
            oxml.body_props(body.bodyPr, 0.0, "t", autofit=False, wrap=False)
            self.paras(body, [Para([_plain_line(lb.text)], lb.size, lb.bold, lb.color,
                                   align=align)], bold=None, color="")
            tb.name = lb.text
        group._element.recalculate_extents()  # the group's box and child space
        group.name = "図"
        oxml.describe(group._element, s.alt)
        return group

    # -- slides ----------------------------------------------------------------------------
    def slide(self, prs, s: Slide) -> None:
        role, texts = _role(s, self.deck.frame)
        layout = self.tpl.layout(role)
        slide = prs.slides.add_slide(layout)
        self.part = slide.part
        bodies = [ph for ph in slide.placeholders if ph.placeholder_format.type is not None
                  and _ph_type(ph._element) in BODY_TYPES + ("subTitle",)]
        home = {id(ph): self.tpl.inherited(layout, ph._element) for ph in bodies}
        bodies.sort(key=lambda ph: (home[id(ph)].box.x, home[id(ph)].box.y)
                    if home[id(ph)] is not None else (0, 0))
        order = self.title(slide, s, layout)
        held = {}
        for ph, box in zip(bodies, texts):
            self.body(ph, box, layout)
            held[id(box)] = ph
        for ph in bodies[len(texts):]:  # nothing for it on this slide
            ph._element.getparent().remove(ph._element)
        for shape in s.shapes:
            if id(shape) in held:
                order.append(held[id(shape)]._element)
            else:
                order.append(self.shape(slide.shapes, shape)._element)
        if s.kind != "title":
            order += self.footer(slide, s, layout)
        spTree = slide.shapes._spTree
        for el in order:  # reading order = the plan's order
            spTree.append(el)
        notes = slide.notes_slide.notes_text_frame
        notes.text = s.notes
        for p in notes.paragraphs:
            for r in p.runs:
                oxml.notes_props(r._r.get_or_add_rPr(), 12, self.font)
        self.part = None


def _plain_line(text: str):
    from ..text.breaking import Line, Run

    return Line([Run(text, None)], 0.0)


def _role(s: Slide, frame) -> tuple[str, list[TextBox]]:
    """Which layout a slide takes, and the text box its body placeholder will hold: the
    first text box, if it sits in the layout's column (full width, or the left column with
    something beside it) at or below the placeholder's top, and PowerPoint's Reset, moving
    it up to that top, would not put it on another shape."""
    texts = [x for x in s.shapes if isinstance(x, TextBox) and x.paras and not x.caption
             and not x.decorative]
    if s.kind == "title":
        return "title", texts[:1]
    if not texts:
        return "title_only", []
    first = texts[0]
    others = [x for x in s.shapes if x is not first]
    beside = [x for x in others if x.x >= first.right - 0.5 and x.y < first.bottom and
              first.y < x.bottom]
    for role, col in (("body", frame.body), ("two", frame.columns[0])):
        if abs(first.x - col.x) > 0.5 or abs(first.w - col.w) > 0.5 or first.y < col.y - 0.5:
            continue
        if role == "two" and not beside:
            continue
        reset = Box(col.x, col.y, col.w, first.h)
        if not any(overlap(reset, o) for o in others):
            return role, [first]
    return "title_only", []


def _levels(paras: list[Para]) -> list[int]:
    """Outline levels: items with a marker under an unmarked heading paragraph (a callout's
    title, an exercise's name) are level 1; everything else level 0."""
    out, heading = [], False
    for i, p in enumerate(paras):
        if i == 0 and not p.marker and len(paras) > 1 and any(q.marker for q in paras[1:]):
            heading = True
        out.append(1 if heading and p.marker else 0)
    return out


def _look(style) -> tuple:
    """What a span changes in PowerPoint: emphasis, raised citation markers, a link."""
    return (style.strong, style.cite, style.link) if isinstance(style, Span) else \
        (False, False, None)


def _linked(text: str, span) -> list[tuple[str, str | None]]:
    """A run's text in pieces, each with the address it links to: the span's own link, or
    every web address written in plain text."""
    if isinstance(span, Span) and span.link:
        return [(text, span.link)]
    out, pos = [], 0
    for m in URL.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], None))
        out.append((m.group(), m.group()))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], None))
    return out or [(text, None)]


def _number_field(number: int):
    """A slide-number field (`a:fld type="slidenum"`) on its own."""
    holder = etree.Element(qn("a:p"))
    oxml.slide_number(holder, number)
    return holder[0]


def _segments(p: Para):
    """(text, style, is_break) of a paragraph with its line breaks undone and neighbouring
    spans that look the same (a glossary term in plain text) in one run."""
    segs: list[list] = []
    for k, line in enumerate(p.lines):
        for run in line.runs:
            style = run.style
            if segs and not segs[-1][2] and _look(segs[-1][1]) == _look(style):
                segs[-1][0] += run.text
            else:
                segs.append([run.text, style, False])
        if k + 1 < len(p.lines) and line.gap:
            if "\n" in line.gap:
                segs.append(["", None, True])
            elif segs and not segs[-1][2]:
                segs[-1][0] += " "  # a space the break took out
    return [tuple(s) for s in segs if s[2] or s[0]]


def _plain(p: Para) -> str:
    return "".join(line.text for line in p.lines)


class _P:
    """Just enough of a paragraph for oxml.para_props."""

    def __init__(self, el):
        self.el = el

    def get_or_add_pPr(self):
        pPr = self.el.find(qn("a:pPr"))
        if pPr is None:
            pPr = etree.SubElement(self.el, qn("a:pPr"))
        return pPr


def _ph_type(sp) -> str | None:
    ph = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
    return None if ph is None else ph.get("type")


def _next_id(spTree) -> int:
    return max(int(el.get("id")) for el in spTree.iter(qn("p:cNvPr"))) + 1


def _field_id(layout_sp) -> str:
    fld = layout_sp.find(f".//{qn('a:fld')}")
    return fld.get("id") if fld is not None and fld.get("id") else oxml.SLIDENUM_ID


def _site(shape, x: int, y: int) -> int:
    """The connection site (0 top, 1 left, 2 bottom, 3 right) nearest to (x, y)."""
    l, t, w, h = shape.left, shape.top, shape.width, shape.height
    sites = {0: (l + w / 2, t), 1: (l, t + h / 2), 2: (l + w / 2, t + h), 3: (l + w, t + h / 2)}
    return min(sites, key=lambda k: (sites[k][0] - x) ** 2 + (sites[k][1] - y) ** 2)


def _rgb(hexstr: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hexstr)


def _scheme(parent, name: str) -> None:
    """Replace the a:srgbClr under `parent`'s solid fill by a theme colour."""
    fill = parent.find(qn("a:solidFill")) if parent is not None else None
    if fill is None:
        return
    for child in list(fill):
        fill.remove(child)
    etree.SubElement(fill, qn("a:schemeClr"), val=name)


def write(deck: Deck, out: Path, template: Template | None = None) -> None:
    tpl = template or default(deck.accent)
    prs = tpl.prs
    w = _Writer(deck, tpl)
    for s in deck.slides:
        w.slide(prs, s)
    _notes_master_listed(prs)
    _view_properties(prs)
    stamp = _properties(prs, deck)
    _app_properties(prs, deck)
    buf = io.BytesIO()
    prs.save(buf)
    _write_deterministic(buf.getvalue(), out, stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _notes_master_listed(prs) -> None:
    """python-pptx adds a notes master without listing it in presentation.xml; PowerPoint
    expects p:notesMasterIdLst right after the slide masters."""
    root = prs.part._element
    if root.find(qn("p:notesMasterIdLst")) is not None:
        return
    rid = next((r.rId for r in prs.part.rels.values() if r.reltype == RT.NOTES_MASTER), None)
    if rid is None:
        return
    lst = etree.Element(qn("p:notesMasterIdLst"))
    etree.SubElement(lst, qn("p:notesMasterId")).set(qn("r:id"), rid)
    root.find(qn("p:sldMasterIdLst")).addnext(lst)


def _view_properties(prs) -> None:
    """PowerPoint offers to repair a presentation without view properties (LibreOffice
    writes none): an empty set, every view as PowerPoint's defaults."""
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    if any(r.reltype == RT.VIEW_PROPS for r in prs.part.rels.values()):
        return
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<p:viewPr xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
           'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>')
    part = Part(PackURI("/ppt/viewProps.xml"),
                "application/vnd.openxmlformats-officedocument.presentationml.viewProps+xml",
                prs.part.package, xml.encode())
    prs.part.relate_to(part, RT.VIEW_PROPS)


def _properties(prs, deck: Deck) -> datetime:
    cp = prs.core_properties
    cp.title = deck.title
    cp.subject = deck.subtitle
    cp.author = deck.author
    cp.last_modified_by = deck.author
    cp.language = deck.lang
    cp.keywords = "handouts"
    cp.revision = 1
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = (datetime.fromtimestamp(int(epoch), timezone.utc).replace(tzinfo=None) if epoch
             else datetime.fromisoformat(deck.created))
    cp.created = cp.modified = stamp
    cp.last_printed = stamp
    return stamp


APP = "/docProps/app.xml"
APP_TYPE = "application/vnd.openxmlformats-officedocument.extended-properties+xml"


def _app_properties(prs, deck: Deck) -> None:
    """docProps/app.xml written fresh for this deck (a template's own says its size, its
    slide count and its sample titles): application, slide format, slides, notes and the
    slide titles."""
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    r = deck.frame.width / deck.frame.height
    shape = next((n for n, v in (("16:9", 16 / 9), ("16:10", 1.6), ("4:3", 4 / 3))
                  if abs(r - v) < 0.01), None)
    titles = ["".join(line.text for line in s.title) for s in deck.slides]
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'extended-properties" xmlns:vt="{vt}">'
        "<TotalTime>0</TotalTime><Application>handouts</Application>"
        f"<PresentationFormat>{f'On-screen Show ({shape})' if shape else 'Custom'}"
        f"</PresentationFormat><Slides>{len(deck.slides)}</Slides>"
        f"<Notes>{sum(1 for s in deck.slides if s.notes)}</Notes>"
        "<HiddenSlides>0</HiddenSlides><MMClips>0</MMClips><ScaleCrop>false</ScaleCrop>"
        '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>'
        f"Slide Titles</vt:lpstr></vt:variant><vt:variant><vt:i4>{len(titles)}</vt:i4>"
        "</vt:variant></vt:vector></HeadingPairs>"
        f'<TitlesOfParts><vt:vector size="{len(titles)}" baseType="lpstr">'
        + "".join(f"<vt:lpstr>{escape(t)}</vt:lpstr>" for t in titles) +
        "</vt:vector></TitlesOfParts><LinksUpToDate>false</LinksUpToDate>"
        "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
        "</Properties>").encode("utf-8")
    package = prs.part.package
    part = next((p for p in package.iter_parts() if p.partname == APP), None)
    if part is None:
        package.relate_to(Part(PackURI(APP), APP_TYPE, package, xml), RT.EXTENDED_PROPERTIES)
    else:
        part._blob = xml


THUMBNAIL = "docProps/thumbnail.jpeg"  # python-pptx's blank 4:3 picture: left out


def _repack(data: bytes, stamp: str) -> bytes:
    """Re-pack a zip (the deck, or a chart's embedded workbook) with fixed timestamps so
    the same deck gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == THUMBNAIL:
                continue
            blob = src.read(info.filename)
            if info.filename.endswith(".xlsx"):
                blob = _repack(blob, stamp)
            elif info.filename == "docProps/core.xml":
                blob = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                              rb"\g<1>" + stamp.encode(), blob)
            elif info.filename == "_rels/.rels":
                blob = re.sub(rb"<Relationship [^>]*Target=\"docProps/thumbnail.jpeg\"/>", b"",
                              blob)
            elif info.filename == "[Content_Types].xml":
                blob = re.sub(rb"<Override PartName=\"/docProps/thumbnail.jpeg\"[^>]*/>", b"",
                              blob)
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, blob)
    return buf.getvalue()


def _write_deterministic(data: bytes, out: Path, stamp: str) -> None:
    out.write_bytes(_repack(data, stamp))
