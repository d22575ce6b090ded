"""The small amount of DrawingML that python-pptx has no API for, kept in one place: run
language and links, paragraph pitch and bullets, text-frame insets and autofit, fields,
arrowheads, decorative marks, chart fonts and axis ids."""

from __future__ import annotations

import re

from lxml import etree
from pptx.oxml.ns import qn

from ..fonts import JA_FAMILY
from .model import PITCH

LANG = "ja-JP"
# line spacing as a percentage (it grows with the text when a presenter enlarges it):
# PowerPoint's and LibreOffice's 100 % is 1.2 × the size for a font one em high (BIZ UD)
LINE_PCT = int(round(PITCH / 1.2 * 100000))
BULLET_FONT = "+mn-ea"  # the theme's Japanese font, which has 「・」 (OpenSymbol has not)
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
DECORATIVE_URI = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
DECORATIVE_NS = "http://schemas.microsoft.com/office/drawing/2017/decorative"
SLIDENUM_ID = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"  # any fixed GUID: same bytes each build


def emu(pt: float) -> str:
    return str(int(round(pt * 12700)))


def lang_of(text: str) -> str:
    """ja-JP for Japanese (and for digits or signs alone, which follow their paragraph);
    en-US for Latin words with no Japanese in them (references, DOIs, URLs)."""
    if JAPANESE.search(text) or not re.search(r"[A-Za-z]", text):
        return LANG
    return "en-US"


def color_fill(parent, color: str, accent: str | None = None) -> None:
    """a:solidFill: the theme's accent 1 when `color` is the deck's accent, else RGB."""
    fill = etree.SubElement(parent, qn("a:solidFill"))
    if accent and color.upper() == accent.upper():
        etree.SubElement(fill, qn("a:schemeClr"), val="accent1")
    else:
        etree.SubElement(fill, qn("a:srgbClr"), val=color)


def run_props(rPr, text: str, size: float | None = None, bold: bool | None = None,
              color: str | None = None, accent: str | None = None, baseline: int = 0,
              link: str | None = None) -> None:
    """An a:rPr/a:endParaRPr that changes only what differs from the inherited style: the
    language always; size, weight, colour, raised citation markers and a hyperlink (the
    relationship id `link`) when given. Fonts are never set: the theme's Latin and East
    Asian fonts apply."""
    for child in list(rPr):
        rPr.remove(child)
    for k in list(rPr.attrib):
        del rPr.attrib[k]
    rPr.set("lang", lang_of(text))
    if size is not None:
        rPr.set("sz", str(int(round(size * 100))))
    if bold is not None:
        rPr.set("b", "1" if bold else "0")
    if baseline:
        rPr.set("baseline", str(baseline))
    if color:
        color_fill(rPr, color, accent)
    if link:
        etree.SubElement(rPr, qn("a:hlinkClick")).set(qn("r:id"), link)


def para_props(p, size: float, pitch: float, align: str = "l", indent: float = 0.0,
               bullet: str | None = None, autonum: int | None = None,
               space_before: float = 0.0, level: int = 0) -> None:
    """a:pPr: level, hanging indent, Japanese line breaking with no 、。 hanging past the
    box (a template's styles may say otherwise: LibreOffice then draws them outside it),
    line spacing (a percentage giving size × `pitch`), space before, bullet (in the
    theme's Japanese font)."""
    pPr = p.get_or_add_pPr()
    for child in list(pPr):
        pPr.remove(child)
    if level:
        pPr.set("lvl", str(level))
    pPr.set("marL", emu(indent))
    pPr.set("indent", emu(-indent) if indent else "0")
    if align != "l":
        pPr.set("algn", align)
    pPr.set("eaLnBrk", "1")
    pPr.set("hangingPunct", "0")
    ln = etree.SubElement(etree.SubElement(pPr, qn("a:lnSpc")), qn("a:spcPct"))
    ln.set("val", str(int(round(pitch / 1.2 * 100000))))
    sb = etree.SubElement(etree.SubElement(pPr, qn("a:spcBef")), qn("a:spcPts"))
    sb.set("val", str(int(round(space_before * 100))))
    if bullet or autonum:
        etree.SubElement(pPr, qn("a:buFont"), typeface=BULLET_FONT)
        if autonum:
            etree.SubElement(pPr, qn("a:buAutoNum"), type="arabicPeriod",
                             startAt=str(autonum))
        else:
            etree.SubElement(pPr, qn("a:buChar"), char=bullet)
    else:
        etree.SubElement(pPr, qn("a:buNone"))


def list_style(txBody, size: float) -> None:
    """The text frame's own default size (a:lstStyle), so runs at that size carry none."""
    old = txBody.find(qn("a:lstStyle"))
    new = etree.Element(qn("a:lstStyle"))
    for n in (1, 2):
        lvl = etree.SubElement(new, qn(f"a:lvl{n}pPr"))
        etree.SubElement(lvl, qn("a:defRPr"), sz=str(int(round(size * 100))))
    if old is not None:
        old.addprevious(new)
        txBody.remove(old)
    else:
        txBody.find(qn("a:bodyPr")).addnext(new)


def body_props(bodyPr, inset: float, anchor: str | None = "t", autofit: bool = True,
               sides: tuple[float, float] | None = None, wrap: bool = True) -> None:
    """Wrap inside the box (a one-line label: never, `wrap` False), fixed insets (`sides`,
    left and right, narrow the text to where a title's lines break); the anchor inherited
    when None; shrink-on-overflow only as a safety net (the planner already made the text
    fit, with a margin)."""
    for child in list(bodyPr):
        bodyPr.remove(child)
    left, right = sides or (inset, inset)
    for k, v in (("lIns", left), ("tIns", inset), ("rIns", right), ("bIns", inset)):
        bodyPr.set(k, emu(v))
    bodyPr.set("wrap", "square" if wrap else "none")
    if anchor:
        bodyPr.set("anchor", anchor)
    bodyPr.set("rtlCol", "0")
    etree.SubElement(bodyPr, qn("a:normAutofit" if autofit else "a:noAutofit"))


def no_theme_style(shape_element) -> None:
    """Drop p:style: its effect reference is a theme shadow that LibreOffice draws (and bakes
    in on save) even under an empty effect list (python-pptx #446). Fill, line and text
    colour are then only what we set."""
    style = shape_element.find(qn("p:style"))
    if style is not None:
        shape_element.remove(style)


def decorative(cNvPr) -> None:
    """Mark a shape as decorative (Office 2019+ accessibility: screen readers skip it)."""
    ext_lst = cNvPr.find(qn("a:extLst"))
    if ext_lst is None:
        ext_lst = etree.SubElement(cNvPr, qn("a:extLst"))
    ext = etree.SubElement(ext_lst, qn("a:ext"), uri=DECORATIVE_URI)
    etree.SubElement(ext, f"{{{DECORATIVE_NS}}}decorative", nsmap={"adec": DECORATIVE_NS},
                     val="1")


def slide_number(p, number: int, field_id: str = SLIDENUM_ID) -> None:
    """<a:fld type="slidenum">: PowerPoint renumbers it when slides move."""
    fld = etree.SubElement(p, qn("a:fld"), id=field_id, type="slidenum")
    etree.SubElement(fld, qn("a:rPr"), lang=LANG)
    etree.SubElement(fld, qn("a:t")).text = str(number)


def arrow_head(connector) -> None:
    ln = connector.line._get_or_add_ln()
    tail = ln.find(qn("a:tailEnd"))
    if tail is None:
        tail = etree.SubElement(ln, qn("a:tailEnd"))
    tail.set("type", "triangle")
    tail.set("w", "med")
    tail.set("len", "med")


def notes_props(rPr, size: float, font: str = JA_FAMILY) -> None:
    """Speaker-note runs: the notes master has a theme of its own (python-pptx's, with no
    East Asian font), so notes name their fonts (the deck's Japanese font)."""
    for child in list(rPr):
        rPr.remove(child)
    rPr.set("lang", LANG)
    rPr.set("sz", str(int(round(size * 100))))
    for tag in ("a:latin", "a:ea", "a:cs"):
        etree.SubElement(rPr, qn(tag)).set("typeface", font)


def chart_text(chart, size: float, font: str = JA_FAMILY) -> None:
    """Chart text (axes, labels) in the theme's Japanese font, named (a chart part has no
    theme of its own), in the theme's text colour, with language set."""
    chart.font.size = int(size * 12700)
    for defRPr in chart._chartSpace.iter(qn("a:defRPr")):  # chart-wide and data labels
        defRPr.set("lang", LANG)
        defRPr.set("sz", str(int(size * 100)))
        for child in defRPr.findall(qn("a:solidFill")):
            defRPr.remove(child)
        fill = etree.Element(qn("a:solidFill"))
        etree.SubElement(fill, qn("a:schemeClr"), val="tx1")
        ln = defRPr.find(qn("a:ln"))
        if ln is not None:
            ln.addnext(fill)
        else:
            defRPr.insert(0, fill)
        for tag in ("a:latin", "a:ea", "a:cs"):
            el = defRPr.find(qn(tag))
            if el is None:
                el = etree.SubElement(defRPr, qn(tag))
            el.set("typeface", font)


def chart_axis_ids(chart) -> None:
    """python-pptx writes negative c:axId/c:crossAx values, which the schema forbids
    (unsignedInt): renumber them 1, 2, … keeping which axis crosses which."""
    space = chart._chartSpace
    ids: dict[str, str] = {}
    for el in space.iter(qn("c:axId"), qn("c:crossAx")):
        old = el.get("val")
        ids.setdefault(old, str(100000 + len(ids) + 1))
        el.set("val", ids[old])


def no_wrap(dLbls) -> None:
    """Data labels on one line: c:txPr/a:bodyPr wrap="none"."""
    body = dLbls.find(".//" + qn("a:bodyPr"))
    if body is not None:
        body.set("wrap", "none")


def custom_geometry(sp, paths, x0: float, y0: float, w: float, h: float) -> None:
    """Replace a freeform's outline with our subpaths (points, relative to x0, y0): one
    a:path each, with true cubic Béziers (python-pptx's builder writes only lines)."""
    emu = lambda v: str(int(round(v * 12700)))  # noqa: E731
    path_lst = sp.find(".//" + qn("a:pathLst"))
    for child in list(path_lst):
        path_lst.remove(child)
    for sub in paths:
        path = etree.SubElement(path_lst, qn("a:path"))
        path.set("w", emu(w))
        path.set("h", emu(h))
        for c in sub:
            if c[0] == "Z":
                etree.SubElement(path, qn("a:close"))
                continue
            tag = {"M": "a:moveTo", "L": "a:lnTo", "C": "a:cubicBezTo"}[c[0]]
            el = etree.SubElement(path, qn(tag))
            nums = c[1:]
            for i in range(0, len(nums), 2):
                pt = etree.SubElement(el, qn("a:pt"))
                pt.set("x", emu(nums[i] - x0))
                pt.set("y", emu(nums[i + 1] - y0))


def describe(shape_element, text: str) -> None:
    """Alt text (cNvPr/@descr) on a shape, picture or group."""
    shape_element.find(".//" + qn("p:cNvPr")).set("descr", text)


def line_ends(shape, cap: str) -> None:
    """Round (or flat) line caps and round joins, as the PDF draws them."""
    ln = shape.line._get_or_add_ln()
    ln.set("cap", "rnd" if cap == "round" else "flat")
    if ln.find(qn("a:round")) is None:
        etree.SubElement(ln, qn("a:round"))
