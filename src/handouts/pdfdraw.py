"""Drawing set lines on a reportlab canvas: one place for font switching, ruby and citations.

Used by the leaflet and the slide/notes PDFs so all PDFs set Japanese the same way.
"""

from __future__ import annotations

import zlib
from fnmatch import fnmatch
from functools import lru_cache
from itertools import cycle, repeat
from operator import add, mul
from pathlib import Path
from weakref import WeakKeyDictionary

from . import fontcache
from .fonts import fonts
from .text.breaking import Line
from .text.inline import Span
from .text.adjust import SAFE_GAP
from .text.setting import CITE_SCALE, RUBY_RISE, RUBY_SCALE, span_width


_registered: dict[str, object] = {}  # face name → its reportlab TTFont


def register(face) -> str:
    """Register one face with reportlab on first use (embedded and subset when drawn);
    faces a document never uses are skipped."""
    if face.name not in _registered:
        from reportlab.pdfbase import pdfmetrics

        font = _reportlab_font(face.name, face.path)
        pdfmetrics.registerFont(font)
        _registered[face.name] = font
    return face.name


def _reportlab_font(name: str, path: Path):
    """reportlab's TTFont for a font file. Its parse (~0.1 s for a 4.6 MB CJK face) is kept
    in the font cache: the parsed face's attributes, without the file's bytes."""
    import reportlab
    from reportlab import rl_config
    from reportlab.pdfbase.ttfonts import TTEncoding, TTFont, TTFontFace

    def parse() -> dict:
        state = dict(TTFontFace(str(path)).__dict__)
        del state["_ttf_data"], state["_pdfScale"]  # the file, a lambda: made again below
        state.pop("_glyf", None)  # a copy of part of the file (register_fonts)
        return state

    state = fontcache.cached(path, "reportlab", reportlab.Version + fontcache.code_version(
        __file__), parse)
    face = TTFontFace.__new__(TTFontFace)
    face.__dict__.update(state)
    face._ttf_data, face.filename = path.read_bytes(), str(path)  # the same bytes elsewhere
    upem = face.unitsPerEm  # as TTFontFile.extractInfo sets it
    face._pdfScale = (lambda x: x) if upem == 1000 else (lambda x, k=1000 / upem: x * k)
    # what TTFont.__init__ does once it has its face
    font = TTFont.__new__(TTFont)
    font.fontName, font.face, font.encoding = name, face, TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, g) for g in rl_config.unShapedFontGlob)
    return font


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
    # reportlab tags every font's subsets AAAAAA+, AAAAAB+, ... afresh, so the Bold and
    # Regular faces' first subsets share AAAAAA+; ISO 32000-1 §9.6.4 asks for a different
    # tag for each subset: number them through the document
    add_objects = ttfonts.TTFont.addObjects

    def numbered(self, doc):
        first = getattr(doc, "_subset_tags", 0)
        subsets = len(self.state[doc].subsets) if doc in self.state else 0
        ttfonts.SUBSETN = lambda n: _SUBSETN(first + n)
        try:
            add_objects(self, doc)
        finally:
            ttfonts.SUBSETN = _SUBSETN
        doc._subset_tags = first + subsets

    _SUBSETN = ttfonts.SUBSETN
    ttfonts.TTFont.addObjects = numbered
    # reportlab copies a face's whole glyph table out of the file for every subset (4 MB
    # for a CJK face, four subsets a leaflet): keep the copy. And the same characters make
    # the same subset: keep the last ones made (a leaflet rebuilt, the next one of a batch)
    get_table, make_subset = ttfonts.TTFontParser.get_table, ttfonts.TTFontFile.makeSubset

    def table(self, tag):
        if tag != "glyf":
            return get_table(self, tag)
        if "_glyf" not in self.__dict__:
            self._glyf = get_table(self, tag)
        return self._glyf

    @lru_cache(maxsize=64)
    def subset(face, codes: tuple[int, ...]) -> bytes:
        return make_subset(face, list(codes))

    ttfonts.TTFontParser.get_table = table
    ttfonts.TTFontFile.makeSubset = lambda self, codes: subset(self, tuple(codes))
    _serialise_faster(pdfdoc)
    register(fonts().faces["body"])


def _serialise_faster(pdfdoc) -> None:
    """reportlab writes every number (font widths: a thousand a leaflet) and every object
    header through a general formatter and a Python-level text codec; the same bytes come
    from shortcuts for numbers, bytes and plain ASCII text."""
    import re

    from reportlab.lib.rl_accel import fp_str

    general_format, general_enc = pdfdoc.format, pdfdoc.pdfdocEnc
    unsafe = re.compile("[\x18-\x1f]").search  # ASCII that PDFDocEncoding lacks (an error)

    def format(element, document, toplevel=0):
        kind = type(element)
        if kind is float or kind is int:
            return fp_str(element).encode("ascii")
        if kind is bytes:
            return element
        return general_format(element, document, toplevel)

    def pdfdocEnc(x):
        if type(x) is str and x.isascii() and not unsafe(x):
            return x.encode("ascii")
        return general_enc(x)

    pdfdoc.format, pdfdoc.pdfdocEnc = format, pdfdocEnc


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap (the same text) without the entries for U+0000."""
    return _cmap_text(fontname, tuple(subset))


@lru_cache(maxsize=64)
def _cmap_text(fontname: str, subset: tuple[int, ...]) -> str:  # the same subsets recur
    pairs = [f"<{i:02X}> <{v:04X}>" for i, v in enumerate(subset) if v]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>", "endcodespacerange", f"{len(pairs)} beginbfchar",
        *pairs, "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end",
        "end"])


def _flate_fast(self, data) -> bytes:
    if isinstance(data, str):  # a page's content
        return zlib.compress(data.encode("utf-8"), 1)
    return _deflated(data)


@lru_cache(maxsize=64)
def _deflated(data: bytes) -> bytes:
    """Binary streams (font subsets, images, the ICC profile) recur from one document to
    the next: compressed once."""
    return zlib.compress(data, 1)


def draw_text(canv, text: str, x: float, y: float, size: float, bold: bool = False,
              tc: float = 0.0) -> float:
    """Draw plain text with per-character font fallback; return the advance. `tc` is extra
    space after every character (the PDF's character spacing, set by the caller)."""
    reg = fonts()
    if getattr(canv, "layout_only", False):  # pages laid out, not drawn (check)
        return x + reg.width(text, size, bold) + tc * len(text)
    for face, chunk in reg.split_by_face(text, bold):
        # canvas.setFont for a TrueType face: the canvas's state, nothing written
        canv._fontname, canv._fontsize, canv._leading = register(face), size, size * 1.2
        _show(canv, _registered[face.name], chunk, x, y)
        x += reg.width(chunk, size, bold) + tc * len(chunk)
    return x


def _show(canv, font, text: str, x: float, y: float) -> None:
    """What reportlab's canvas.drawString(x, y, text) writes for a TrueType `font`, the
    canvas's current one, byte for byte, without the text object it builds to write it
    and the width it measures and throws away (a third of a leaflet's drawing time)."""
    escape, fp_str = _rl()
    doc = canv._doc
    shows, current = [], -1
    for subset, codes in font.splitString(text, doc):
        if subset != current:
            shows.append(_select(doc, font, subset, canv._fontsize, canv._leading))
            current = subset
        shows.append(f"({escape(codes)}) Tj")
    canv._code.append(f"BT 1 0 0 1 {fp_str(x, y)} Tm {' '.join(shows)} T* ET")


@lru_cache(maxsize=1)
def _rl():
    """reportlab's PDF string escape and number format (imported once it is needed)."""
    from reportlab.lib.rl_accel import escapePDF, fp_str

    return escapePDF, fp_str


def _select(doc, font, subset: int, size: float, leading: float) -> str:
    """The operators that select a subset of `font` at `size`, made once per document."""
    key = (font.fontName, subset, size, leading)
    try:
        return doc._selects[key]
    except AttributeError:
        doc._selects = {}
    except KeyError:
        pass
    fp_str = _rl()[1]
    # getSubsetInternalName also adds the font to the document on first use
    doc._selects[key] = select = (f"{font.getSubsetInternalName(subset, doc)} "
                                  f"{fp_str(size)} Tf {fp_str(leading)} TL")
    return select


def _draw_spaced(canv, text: str, extras, x: float, y: float, size: float, bold: bool,
                 marks, before_atom: bool = False) -> float:
    """Text with its own extra advance after each character; return the end.

    Characters with the same extra are drawn together with that character spacing (Tc).
    pdftotext copies a space for a gap over 0.1 em (PDFium over about 0.15 em) unless the
    gap is inside the glyph's own advance under /ActualText: a character followed by a
    wider gap (和欧間, a strongly spread line), or by any gap before a ruby base or a
    citation (`before_atom`), is drawn alone, marked with its own text."""
    if not extras or not any(extras):
        return draw_text(canv, text, x, y, size, bold)
    i, n = 0, len(text)
    wide = SAFE_GAP * size
    while i < n:
        e, j = extras[i], i + 1
        spaced = e > wide or (before_atom and i == n - 1 and e > 0)
        if not spaced:
            while j < n and abs(extras[j] - e) < 1e-9 and not (before_atom and j == n - 1):
                j += 1
        _marked(canv, marks, text[i], spaced, begin=True)
        if e:  # inside the character's span: poppler counts it into the /ActualText
            canv._code.append(f"{e:.3f} Tc")
        x = draw_text(canv, text[i:j], x, y, size, bold, e)
        if e:
            canv._code.append("0 Tc")
        _marked(canv, marks, text[i], spaced, begin=False)
        i = j
    return x


def _marked(canv, marks, text: str, spaced: bool, begin: bool) -> None:
    """Open or close a spaced character's own /ActualText span (tagged: a marked sequence
    of the paragraph, left open until other text follows; untagged: a plain /Span; inside
    an artifact: nothing)."""
    if marks is not None:
        if begin:
            marks.spaced(text) if spaced else marks.resume()
    elif spaced and getattr(canv, "tagger", None) is None:
        canv._code.append(f"/Span <</ActualText {_utf16_hex(text)}>> BDC" if begin else "EMC")


def draw_line(canv, line: Line, x: float, y: float, size: float, bold: bool = False,
              align: str = "left", width: float = 0.0, marks=None) -> None:
    """Draw one set line with its baseline at y and its spacing as set (line.extras:
    和欧間, squeezed punctuation, justification). `marks` (leaflet tagging) is told where
    each run begins and ends."""
    if getattr(canv, "layout_only", False):  # pages laid out, not drawn (check)
        return
    if align == "center":
        x += (width - line.width) / 2
    elif align == "right":
        x += width - line.width
    k = 0
    for r, run in enumerate(line.runs):
        span = run.style if isinstance(run.style, Span) else Span(run.text)
        n = len(run.text)
        extras = line.extras[k:k + n] if line.extras else ()
        k += n
        b = bold or span.strong
        w = span_width(run.text, span, size, bold)
        after = extras[-1] if extras else 0.0
        # a ruby base next, centred under a wider reading, starts after a gap: this run's
        # last character's advance reaches over it, or copied text has a space there
        # (「今すぐ 救急」)
        lead = _base_lead(line.runs[r + 1], size, bold) if r + 1 < len(line.runs) else 0.0
        if marks is not None:
            marks.begin(span, x, y, w + sum(extras) - after, size)
        if span.cite:
            draw_text(canv, run.text, x, y + size * 0.42, size * CITE_SCALE, b)
        elif span.ruby:
            reg = fonts()
            bw = reg.width(run.text, size, b)
            rs = size * RUBY_SCALE
            rw = reg.width(span.ruby, rs, b)
            ry = y + size * RUBY_RISE
            # the base is text, one text object (PDFium lays a span's /ActualText over its
            # first one); its advance ends where the next character begins, or pdftotext
            # and PDFium would put a space after the base
            bx = x + (w - bw) / 2
            tc = (x + w + after + lead - bx - bw) / len(run.text)
            if abs(tc) > 1e-4:
                canv._code.append(f"{tc:.3f} Tc")
            draw_text(canv, run.text, bx, y, size, b, tc)
            if abs(tc) > 1e-4:
                canv._code.append("0 Tc")
            if marks is not None:
                marks.reading(span)
            # the reading is drawn as outlines, not text: copied text (pdftotext, PDFium,
            # pdf.js) gives the base once; screen readers get the reading from the tree
            draw_outlined(canv, span.ruby, x + (w - rw) / 2, ry, rs, b)
        else:
            nxt = line.runs[r + 1].style if r + 1 < len(line.runs) else None
            atom = isinstance(nxt, Span) and bool(nxt.ruby or nxt.cite)
            if lead:
                extras = [*(extras or [0.0] * n)]
                extras[-1] += lead
            x = _draw_spaced(canv, run.text, extras, x, y, size, b, marks,
                             atom) - w - after - lead
        if marks is not None:
            marks.end(span)
        x += w + after


def _base_lead(run, size: float, bold: bool) -> float:
    """The gap before a ruby base drawn centred under a reading wider than it (0: none)."""
    span = run.style
    if not (isinstance(span, Span) and span.ruby):
        return 0.0
    base = fonts().width(run.text, size, bold or span.strong)
    return max(0.0, (span_width(run.text, span, size, bold) - base) / 2)


@lru_cache(maxsize=4)
def _glyphs(path: str):
    """A face's glyph set, cmap and units per em (fontTools; opened once)."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    return font.getGlyphSet(), font.getBestCmap(), font["head"].unitsPerEm


# characters whose outlines are made together, the first time a face's are needed:
# readings are written in kana (with their marks and punctuation)
_KANA_BLOCKS = range(0x3000, 0x3100)


@lru_cache(maxsize=8)
def _outlines(path: str) -> dict[str, tuple]:
    """A face's character outlines made so far: from the font cache, else the kana blocks
    made at once (fontTools reads the face's whole glyph table for them, ~0.3 s)."""
    known = fontcache.load(Path(path), "outlines", _outline_version())
    if known is None:
        known = {chr(c): _trace(path, chr(c)) for c in _KANA_BLOCKS}
        fontcache.save(Path(path), "outlines", _outline_version(), known)
    return known


def _outline_version() -> str:
    import fontTools

    return fontTools.version + fontcache.code_version(__file__)


def _outline(path: str, ch: str) -> tuple:
    """One character's outline as path operations in em (cubic curves)."""
    known = _outlines(path)
    if ch not in known:  # not a kana: made now and kept for next time
        known[ch] = _trace(path, ch)
        fontcache.save(Path(path), "outlines", _outline_version(), known)
    return known[ch]


def _trace(path: str, ch: str) -> tuple:
    """One character's outline read from the font (fontTools)."""
    from fontTools.pens.basePen import BasePen

    glyphs, cmap, upm = _glyphs(path)

    class Pen(BasePen):
        def __init__(self):
            super().__init__(glyphs)
            self.ops = []

        def _moveTo(self, p):
            self.ops.append(("M", p[0] / upm, p[1] / upm))

        def _lineTo(self, p):
            self.ops.append(("L", p[0] / upm, p[1] / upm))

        def _curveToOne(self, a, b, c):
            self.ops.append(("C", *(v / upm for pt in (a, b, c) for v in pt)))

        def _closePath(self):
            self.ops.append(("Z",))

    pen = Pen()
    name = cmap.get(ord(ch))
    if name is not None:
        glyphs[name].draw(pen)
    return tuple(pen.ops)


def draw_outlined(canv, text: str, x: float, y: float, size: float,
                  bold: bool = False) -> float:
    """Text drawn as its glyphs' outlines (filled paths in the current fill colour), so
    it is seen but never copied; return the advance."""
    from reportlab.lib.rl_accel import fp_str

    path, advance = _outlined(text, size, bold)
    if path:  # placed where it goes: the same path wherever the text is
        canv._code.append(f"q 1 0 0 1 {fp_str(x, y)} cm {path} f Q")
    return x + advance


@lru_cache(maxsize=4096)
def _outlined(text: str, size: float, bold: bool) -> tuple[str, float]:
    """A text's glyph outlines as one PDF path from its origin, and its advance. Made once
    per text and size: readings repeat (the same words in every section and leaflet) and
    formatting their coordinates was a sixth of a leaflet's time."""
    from reportlab.lib.rl_accel import fp_str

    reg = fonts()
    templates: list[str] = []
    values: list[float] = []
    x = 0.0
    for face, chunk in reg.split_by_face(text, bold):
        where = str(face.path)
        for ch in chunk:
            template, em = _outline_code(where, ch)
            if template:
                templates.append(template)
                values += map(add, cycle((x, 0.0)), map(mul, em, repeat(size)))
            x += reg.width(ch, size, bold)
    if not templates:
        return "", x
    return " ".join(templates).format(*fp_str(*values).split(" ")), x


@lru_cache(maxsize=None)
def _outline_code(path: str, ch: str) -> tuple[str, tuple[float, ...]]:
    """A character's outline as PDF path operators with a {} for each coordinate, and its
    coordinates in em (x and y alternating)."""
    ops: list[str] = []
    em: list[float] = []
    for op in _outline(path, ch):
        if op[0] == "Z":
            ops.append("h")
        else:
            ops.append("{} " * (len(op) - 1) + op[0].lower())
            em += op[1:]
    return " ".join(ops), tuple(em)


def _utf16_hex(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def draw_art(canv, art, x: float, top: float) -> None:
    """Draw a computed `diagrams.vector.Art` with its top-left corner at (x, top)."""
    if getattr(canv, "layout_only", False):  # pages laid out, not drawn (check)
        return
    from reportlab.lib.colors import HexColor
    from reportlab.pdfgen.canvas import PATH_OPS

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
        paint = PATH_OPS[1 if s.stroke else 0, 1 if s.fill else 0, canv._fillMode]
        for sub in s.paths:  # what canvas.drawPath writes for the same path object
            canv._code.append(_path_code(sub))
            canv._code.append(paint)
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


_PATH_OPERATORS = {"M": "{} {} m", "L": "{} {} l", "C": "{} {} {} {} {} {} c"}


@lru_cache(maxsize=4096)
def _path_code(ops: tuple) -> str:
    """A path's operators as a reportlab path object writes them (`n`, then its moveTo,
    lineTo, curveTo and close), with all its numbers formatted in one call; made once
    per path (a pose drawn at the same size is the same paths in every leaflet)."""
    words: list[str] = []
    values: list[float] = []
    for op in ops:
        kind = op[0]
        if kind in _PATH_OPERATORS:
            words.append(_PATH_OPERATORS[kind])
            values += op[1:7 if kind == "C" else 3]
        else:
            words.append("h")
    if not words:
        return ""
    return "n " + " ".join(words).format(*_rl()[1](*values).split(" "))
