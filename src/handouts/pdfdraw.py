"""Drawing set lines on a reportlab canvas: one place for font switching, ruby and citations.

Used by the leaflet and the slide/notes PDFs so all PDFs set Japanese the same way.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

from .fonts import fonts
from .text.breaking import Line
from .text.inline import Span
from .text.setting import CITE_SCALE, RUBY_SCALE, span_width


_registered: set[str] = set()


def register(face) -> str:
    """Register one face with reportlab on first use (embedded and subset when drawn);
    parsing a 4.6 MB CJK font costs ~0.09 s, so faces a document never uses are skipped."""
    if face.name not in _registered:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont(face.name, str(face.path)))
        _registered.add(face.name)
    return face.name


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Prepare reportlab: the body face (the canvas's initial font) and binary streams."""
    from reportlab import rl_config
    from reportlab.pdfbase import pdfdoc, ttfonts

    rl_config.useA85 = 0  # binary streams: smaller files, no time spent on ASCII85
    # reportlab maps code 0 of every subset (its .notdef, never drawn) to U+0000, which
    # PDF/UA forbids in a ToUnicode map; leave that code out of the map
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    # Flate at level 1 instead of zlib's default 6: measured 1.5 ms less per leaflet (of
    # 14–20 ms) for files 4 % larger; reportlab has no setting for the level
    pdfdoc.PDFStreamFilterZCompress.encode = _flate_fast
    register(fonts().faces["body"])


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap (the same text) without the entries for U+0000."""
    pairs = [f"<{i:02X}> <{v:04X}>" for i, v in enumerate(subset) if v]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>", "endcodespacerange", f"{len(pairs)} beginbfchar",
        *pairs, "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end",
        "end"])


def _flate_fast(self, data) -> bytes:
    return zlib.compress(data.encode("utf-8") if isinstance(data, str) else data, 1)


def draw_text(canv, text: str, x: float, y: float, size: float, bold: bool = False) -> float:
    """Draw plain text with per-character font fallback; return the advance."""
    reg = fonts()
    for face, chunk in reg.split_by_face(text, bold):
        canv.setFont(register(face), size)
        canv.drawString(x, y, chunk)
        x += reg.width(chunk, size, bold)
    return x


def draw_line(canv, line: Line, x: float, y: float, size: float, bold: bool = False,
              align: str = "left", width: float = 0.0, marks=None) -> None:
    """Draw one set line with its baseline at y. `marks` (leaflet tagging) is told where
    each run begins and ends."""
    if align == "center":
        x += (width - line.width) / 2
    elif align == "right":
        x += width - line.width
    for run in line.runs:
        span = run.style if isinstance(run.style, Span) else Span(run.text)
        b = bold or span.strong
        w = span_width(run.text, span, size, bold)
        if marks is not None:
            marks.begin(span, x, y, w, size)
        if span.cite:
            draw_text(canv, run.text, x, y + size * 0.42, size * CITE_SCALE, b)
        elif span.ruby:
            reg = fonts()
            bw = reg.width(run.text, size, b)
            draw_text(canv, run.text, x + (w - bw) / 2, y, size, b)
            rs = size * RUBY_SCALE
            rw = reg.width(span.ruby, rs, b)
            rx, ry = x + (w - rw) / 2, y + size * 0.92
            if marks is None:
                draw_text(canv, span.ruby, rx, ry, rs, b)
            else:
                # the base's /ActualText replaces base and reading in copied text; pdftotext
                # places it from the first glyph to the end of the last one, so the reading's
                # last character is given the advance that ends where the base ends
                rx = draw_text(canv, span.ruby[:-1], rx, ry, rs, b)
                gap = x + w - rx - reg.width(span.ruby[-1], rs, b)
                canv._code.append(f"{gap:.3f} Tc")
                draw_text(canv, span.ruby[-1], rx, ry, rs, b)
                canv._code.append("0 Tc")
        else:
            draw_text(canv, run.text, x, y, size, b)
        if marks is not None:
            marks.end(span)
        x += w


def draw_art(canv, art, x: float, top: float) -> None:
    """Draw a computed `diagrams.vector.Art` with its top-left corner at (x, top)."""
    from reportlab.lib.colors import HexColor

    canv.saveState()
    canv.translate(x, top)
    canv.scale(1, -1)  # the art's y grows downwards
    for s in art.shapes:
        canv.setLineCap(1 if s.cap == "round" else 0)
        canv.setLineJoin(1)
        if s.stroke:
            canv.setStrokeColor(HexColor("#" + s.stroke))
            canv.setLineWidth(s.width)
            canv.setDash(*s.dash) if s.dash else canv.setDash()
        if s.fill:
            canv.setFillColor(HexColor("#" + s.fill))
        for sub in s.paths:
            p = canv.beginPath()
            for c in sub:
                if c[0] == "M":
                    p.moveTo(c[1], c[2])
                elif c[0] == "L":
                    p.lineTo(c[1], c[2])
                elif c[0] == "C":
                    p.curveTo(*c[1:])
                else:
                    p.close()
            canv.drawPath(p, stroke=1 if s.stroke else 0, fill=1 if s.fill else 0)
    canv.restoreState()
    for lb in art.labels:
        canv.saveState()
        if lb.leader:
            canv.setStrokeColor(HexColor("#" + lb.color))
            canv.setLineWidth(0.6)
            pts = [(x + px, top - py) for px, py in lb.leader]
            for a, b in zip(pts, pts[1:]):
                canv.line(*a, *b)
        canv.setFillColor(HexColor("#" + lb.color))
        draw_text(canv, lb.text, x + lb.x, top - lb.y, lb.size, lb.bold)
        canv.restoreState()
