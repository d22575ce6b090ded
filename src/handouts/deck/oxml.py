"""The small amount of DrawingML that python-pptx has no API for, kept in one place:
East Asian typefaces (a:ea), run language, exact line pitch, theme fonts, arrowheads."""

from __future__ import annotations

from lxml import etree
from pptx.oxml.ns import qn

from ..fonts import JA_FAMILY

LANG = "ja-JP"


def run_props(rPr, size: float, bold: bool = False, color: str = "000000",
              baseline: int = 0) -> None:
    """Fill an a:rPr/a:endParaRPr: size, weight, colour, language, Latin + East Asian font."""
    for child in list(rPr):
        rPr.remove(child)
    rPr.set("lang", LANG)
    rPr.set("altLang", "en-US")
    rPr.set("sz", str(int(round(size * 100))))
    rPr.set("b", "1" if bold else "0")
    if baseline:
        rPr.set("baseline", str(baseline))
    fill = etree.SubElement(rPr, qn("a:solidFill"))
    etree.SubElement(fill, qn("a:srgbClr")).set("val", color)
    for tag in ("a:latin", "a:ea", "a:cs"):
        etree.SubElement(rPr, qn(tag)).set("typeface", JA_FAMILY)


def para_props(p, size: float, pitch: float, align: str = "l", indent: float = 0.0,
               bullet: str | None = None, autonum: int | None = None,
               space_before: float = 0.0) -> None:
    """a:pPr with exact line pitch (points), hanging indent and bullet (or none)."""
    pPr = p.get_or_add_pPr()
    for child in list(pPr):
        pPr.remove(child)
    pPr.set("algn", align)
    emu = lambda pt: str(int(round(pt * 12700)))  # noqa: E731
    pPr.set("marL", emu(indent))
    pPr.set("indent", emu(-indent) if indent else "0")
    ln = etree.SubElement(etree.SubElement(pPr, qn("a:lnSpc")), qn("a:spcPts"))
    ln.set("val", str(int(round(size * pitch * 100))))
    sb = etree.SubElement(etree.SubElement(pPr, qn("a:spcBef")), qn("a:spcPts"))
    sb.set("val", str(int(round(space_before * 100))))
    etree.SubElement(etree.SubElement(pPr, qn("a:spcAft")), qn("a:spcPts")).set("val", "0")
    if bullet or autonum:
        etree.SubElement(pPr, qn("a:buFont")).set("typeface", JA_FAMILY)
        if autonum:
            num = etree.SubElement(pPr, qn("a:buAutoNum"))
            num.set("type", "arabicPeriod")
            num.set("startAt", str(autonum))
        else:
            etree.SubElement(pPr, qn("a:buChar")).set("char", bullet)
    else:
        etree.SubElement(pPr, qn("a:buNone"))


def body_props(text_frame, inset: float, anchor: str = "t") -> None:
    """Wrap inside the box, fixed insets, no autofit (the planner already made it fit)."""
    bodyPr = text_frame._txBody.bodyPr
    for child in list(bodyPr):
        bodyPr.remove(child)
    e = str(int(round(inset * 12700)))
    for k in ("lIns", "tIns", "rIns", "bIns"):
        bodyPr.set(k, e)
    bodyPr.set("wrap", "square")
    bodyPr.set("anchor", anchor)
    bodyPr.set("rtlCol", "0")
    etree.SubElement(bodyPr, qn("a:noAutofit"))


def arrow_head(connector) -> None:
    ln = connector.line._get_or_add_ln()
    tail = ln.find(qn("a:tailEnd"))
    if tail is None:
        tail = etree.SubElement(ln, qn("a:tailEnd"))
    tail.set("type", "triangle")
    tail.set("w", "med")
    tail.set("len", "med")


def theme_fonts(theme_xml: bytes) -> bytes:
    """Set the theme's major/minor Latin and East Asian fonts (and the Jpan script font)."""
    root = etree.fromstring(theme_xml)
    for group in ("a:majorFont", "a:minorFont"):
        for font in root.iter(qn(group)):
            for tag in ("a:latin", "a:ea"):
                font.find(qn(tag)).set("typeface", JA_FAMILY)
            for f in font.findall(qn("a:font")):
                if f.get("script") == "Jpan":
                    f.set("typeface", JA_FAMILY)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def chart_text(chart, size: float) -> None:
    """Chart text (axes, labels) in the Japanese font with language set."""
    chart.font.size = int(size * 12700)
    for defRPr in chart._chartSpace.iter(qn("a:defRPr")):  # chart-wide and data labels
        defRPr.set("lang", LANG)
        defRPr.set("sz", str(int(size * 100)))
        for tag in ("a:latin", "a:ea", "a:cs"):
            el = defRPr.find(qn(tag))
            if el is None:
                el = etree.SubElement(defRPr, qn(tag))
            el.set("typeface", JA_FAMILY)


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
