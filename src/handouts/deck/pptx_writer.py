"""Deck → .pptx with python-pptx. Serialises the model only; no layout decisions here."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Pt

from ..text.inline import Span
from . import oxml
from .model import INSET, PITCH, SLIDE_H, SLIDE_W, Arrow, BarChart, Deck, Drawing, Para, \
    Picture, Slide, Table, TextBox



def _fill_paras(text_frame, paras: list[Para]) -> None:
    """Write paragraphs line by line: our breaks become explicit line breaks (a:br)."""
    first = True
    for p in paras:
        para = text_frame.paragraphs[0] if first else text_frame.add_paragraph()
        first = False
        auto = int(p.marker[:-1]) if p.marker and p.marker.endswith(".") and \
            p.marker[:-1].isdigit() else None
        oxml.para_props(para._p, p.size, PITCH,
                        {"left": "l", "center": "ctr", "right": "r"}[p.align],
                        p.indent, None if auto else p.marker, auto, p.space_before)
        for k, line in enumerate(p.lines):
            if k:
                para.add_line_break()
                oxml.run_props(para._p.findall(
                    "{http://schemas.openxmlformats.org/drawingml/2006/main}br")[-1]
                    .get_or_add_rPr(), p.size, p.bold, p.color)
            for run in line.runs:
                span = run.style if isinstance(run.style, Span) else Span(run.text)
                r = para.add_run()
                r.text = run.text
                oxml.run_props(r._r.get_or_add_rPr(), p.size, p.bold or span.strong, p.color,
                               30000 if span.cite else 0)
        end = para._p.get_or_add_endParaRPr()
        oxml.run_props(end, p.size, p.bold, p.color)


def _text_shape(slide, s: TextBox):
    if s.fill or s.border:
        kind = MSO_SHAPE.ROUNDED_RECTANGLE if s.rounded else MSO_SHAPE.RECTANGLE
        shape = slide.shapes.add_shape(kind, Pt(s.x), Pt(s.y), Pt(s.w), Pt(s.h))
        if s.rounded:
            shape.adjustments[0] = 0.08
        if s.fill:
            shape.fill.solid()
            shape.fill.fore_color.rgb = _rgb(s.fill)
        else:
            shape.fill.background()
        if s.border:
            shape.line.color.rgb = _rgb(s.border)
            shape.line.width = Pt(s.border_w)
            if s.dash:
                from pptx.enum.dml import MSO_LINE_DASH_STYLE
                shape.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        else:
            shape.line.fill.background()
        shape.shadow.inherit = False
    else:
        shape = slide.shapes.add_textbox(Pt(s.x), Pt(s.y), Pt(s.w), Pt(s.h))
    tf = shape.text_frame
    oxml.body_props(tf, s.inset, "ctr" if s.anchor == "middle" else "t")
    _fill_paras(tf, s.paras)
    return shape


def _rgb(hexstr: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hexstr)


def _chart(slide, s: BarChart):
    # python-pptx pastes the data's number format into XML unescaped: the unit (which may
    # hold < or &) goes only into the data labels' format, set through lxml below
    data = CategoryChartData()
    data.categories = s.categories
    data.add_series(s.name or s.unit, s.values)
    gf = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Pt(s.x), Pt(s.y), Pt(s.w),
                                Pt(s.h), data)
    chart = gf.chart
    chart.has_legend = False
    chart.has_title = False
    cat = chart.category_axis
    cat.reverse_order = True  # first category at the top, as in the spec
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
    labels.font.size = Pt(s.font_size)
    oxml.no_wrap(labels._element)  # "96人/100人" must not wrap under its bar
    plot.series[0].format.fill.solid()
    plot.series[0].format.fill.fore_color.rgb = _rgb("1F5C99")
    oxml.chart_text(chart, s.font_size)
    return gf


def _table(slide, s: Table):
    rows, cols = len(s.cells), len(s.col_widths)
    gf = slide.shapes.add_table(rows, cols, Pt(s.x), Pt(s.y), Pt(s.w), Pt(s.h))
    table = gf.table
    for j, w in enumerate(s.col_widths):
        table.columns[j].width = Pt(w)
    for i, h in enumerate(s.row_heights):
        table.rows[i].height = Pt(h)
    for i, row in enumerate(s.cells):
        for j, paras in enumerate(row):
            cell = table.cell(i, j)
            cell.fill.solid()  # the model's colours, not the default table style's
            cell.fill.fore_color.rgb = _rgb(s.head_fill if i == 0 else
                                            s.band_fills[0 if i % 2 else 1])
            cell.margin_left = cell.margin_right = Pt(INSET + 4)
            cell.margin_top = cell.margin_bottom = Pt(INSET)
            tf = cell.text_frame
            _fill_paras(tf, paras)
    return gf


def _picture(slide, s: Picture):
    src = str(s.path) if s.path else io.BytesIO(s.data or b"")
    pic = slide.shapes.add_picture(src, Pt(s.x), Pt(s.y), Pt(s.w), Pt(s.h))
    pic._element.nvPicPr.cNvPr.set("descr", s.alt)
    return pic


def _drawing(slide, s: Drawing):
    """Computed art as one group of native freeforms and text boxes (recolourable and
    movable in PowerPoint), the alt text on the group."""
    from dataclasses import replace

    from ..diagrams.vector import bounds

    group = slide.shapes.add_group_shape()
    for shape in s.art.shapes:
        x0, y0, x1, y1 = bounds([replace(shape, stroke=None)])
        x0, y0, x1, y1 = x0 - 0.5, y0 - 0.5, x1 + 0.5, y1 + 0.5  # no zero-size box
        ff = group.shapes.build_freeform(Pt(s.x + x0), Pt(s.y + y0), scale=1.0)
        ff.add_line_segments([(Pt(s.x + x1), Pt(s.y + y0)), (Pt(s.x + x1), Pt(s.y + y1)),
                              (Pt(s.x + x0), Pt(s.y + y1))])
        sp = ff.convert_to_shape()
        oxml.custom_geometry(sp._element, shape.paths, x0, y0, x1 - x0, y1 - y0)
        sp.name = shape.name or "線"
        if shape.fill:
            sp.fill.solid()
            sp.fill.fore_color.rgb = _rgb(shape.fill)
        else:
            sp.fill.background()
        if shape.stroke:
            sp.line.color.rgb = _rgb(shape.stroke)
            sp.line.width = Pt(shape.width)
            oxml.line_ends(sp, shape.cap)
        else:
            sp.line.fill.background()
        sp.shadow.inherit = False
    for lb in s.art.labels:
        if lb.leader:
            (ax, ay), (bx, by) = lb.leader[0], lb.leader[-1]
            c = group.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Pt(s.x + ax), Pt(s.y + ay),
                                           Pt(s.x + bx), Pt(s.y + by))
            c.line.width = Pt(0.6)
            c.line.color.rgb = _rgb(lb.color)
            c.name = "引き出し線"
        bx, by, bw, _ = lb.box
        # LibreOffice adds space between Japanese and Latin text (plan.autospace) and
        # renderers differ slightly in advances: the box grows away from the leader
        from .plan import autospace

        pad = lb.size * 0.3 + autospace(lb.text, lb.size)
        align = "center" if lb.on else "left"
        if lb.on:
            bx, bw = bx - pad, bw + 2 * pad
        elif lb.leader and lb.leader[-1][0] > bx + bw:  # a left-column label: grow leftwards
            bx, bw, align = bx - pad, bw + pad, "right"
        else:
            bw += pad
        tb = group.shapes.add_textbox(Pt(s.x + bx), Pt(s.y + by - lb.size * 0.1), Pt(bw),
                                      Pt(lb.size * PITCH))
        tf = tb.text_frame
        oxml.body_props(tf, 0.0, "t")
        tf._txBody.bodyPr.set("wrap", "none")
        _fill_paras(tf, [Para([_plain_line(lb.text)], lb.size, lb.bold, lb.color, align=align)])
        tb.name = lb.text
    group._element.recalculate_extents()  # the group's box and child space
    group.name = "図"
    oxml.describe(group._element, s.alt)
    return group


def _plain_line(text: str):
    from ..text.breaking import Line, Run

    return Line([Run(text, None)], 0.0)


def _footer(slide, deck: Deck, s: Slide) -> None:
    from .plan import footer_boxes

    for box in footer_boxes(deck, s):
        _text_shape(slide, box).name = "Footer"


def write(deck: Deck, out: Path) -> None:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Pt(SLIDE_W), Pt(SLIDE_H)
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    theme._blob = oxml.theme_fonts(theme.blob)
    layout = prs.slide_layouts[5]  # "Title Only": a real title placeholder per slide
    for s in deck.slides:
        slide = prs.slides.add_slide(layout)
        title = slide.shapes.title
        from .plan import CONTENT_W, MARGIN, title_color

        h = len(s.title) * s.title_size * PITCH + 2 * INSET
        title.left, title.top, title.width, title.height = (Pt(MARGIN), Pt(s.title_y),
                                                           Pt(CONTENT_W), Pt(h))
        oxml.body_props(title.text_frame, INSET, "t")
        _fill_paras(title.text_frame, [Para(s.title, s.title_size, True,
                                            title_color(deck, s))])
        for shape in s.shapes:
            if isinstance(shape, TextBox):
                _text_shape(slide, shape)
            elif isinstance(shape, Arrow):
                c = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Pt(shape.x),
                                               Pt(shape.y), Pt(shape.x + shape.w),
                                               Pt(shape.y + shape.h))
                c.line.width = Pt(2)
                c.line.color.rgb = _rgb("000000")
                oxml.arrow_head(c)
            elif isinstance(shape, BarChart):
                _chart(slide, shape)
            elif isinstance(shape, Table):
                _table(slide, shape)
            elif isinstance(shape, Picture):
                _picture(slide, shape)
            elif isinstance(shape, Drawing):
                _drawing(slide, shape)
        if s.kind != "title":
            _footer(slide, deck, s)
        notes = slide.notes_slide.notes_text_frame
        notes.text = s.notes
        for p in notes.paragraphs:
            for r in p.runs:
                oxml.run_props(r._r.get_or_add_rPr(), 12)
    stamp = _properties(prs, deck)
    buf = io.BytesIO()
    prs.save(buf)
    _write_deterministic(buf.getvalue(), out, stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))


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


def _repack(data: bytes, stamp: str) -> bytes:
    """Re-pack a zip (the deck, or a chart's embedded workbook) with fixed timestamps so
    the same deck gives the same bytes."""
    import re

    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename.endswith(".xlsx"):
                blob = _repack(blob, stamp)
            elif info.filename == "docProps/core.xml":
                blob = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                              rb"\g<1>" + stamp.encode(), blob)
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, blob)
    return buf.getvalue()


def _write_deterministic(data: bytes, out: Path, stamp: str) -> None:
    out.write_bytes(_repack(data, stamp))
