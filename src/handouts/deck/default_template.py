"""The project's own template, made in code at build time from python-pptx's blank
presentation (reproducible, no binary in the repository): a master and six layouts drawn
where the default frame puts things (title, body, two columns, section header, title only,
blank), footer, date and slide-number placeholders, master text styles pointing at the
theme fonts (`+mj-ea`, `+mn-ea`), theme fonts BIZ UDPGothic for Latin, East Asian and the
Jpan script, theme colours from the profile, no theme effects."""

from __future__ import annotations

import io
from functools import lru_cache

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn

from ..fonts import JA_FAMILY
from .model import INSET, PITCH, Box, Frame
from .oxml import LINE_PCT
from .plan import BODY as BODY_SIZE
from .plan import COLORS

EMU = 12700
KEEP = {"Title Slide": "title", "Title and Content": "body", "Section Header": "section",
        "Two Content": "two", "Title Only": "title_only", "Blank": None}


def presentation(accent: str, frame: Frame):
    """A fresh copy (python-pptx Presentation) of the default template."""
    return Presentation(io.BytesIO(_default_bytes(accent, frame)))


def _pt(v: float) -> str:
    return str(int(round(v * EMU)))


def _geometry(f: Frame) -> dict:
    """role → placeholder (type, or obj1/obj2 for the columns) → box; None inherits."""
    sec = Box(f.title.x, 190, f.title.w, f.title.h)
    return {
        "master": {"title": f.title, "body": f.body},
        "title": {"ctrTitle": f.cover_title, "subTitle": f.cover_subtitle},
        "body": {"title": None, "obj": None},
        "section": {"title": sec, "body": Box(sec.x, sec.bottom + 10, sec.w,
                                              2 * 24 * PITCH + 2 * INSET)},
        "two": {"title": None, "obj1": f.columns[0], "obj2": f.columns[1]},
        "title_only": {"title": None},
    }


def _footers(f: Frame) -> dict:
    ftr, num = f.footer, f.number
    return {"ftr": ftr, "dt": Box(num.x - 170, num.y, 160, num.h), "sldNum": num}


def _xfrm(sp, box: Box | None) -> None:
    spPr = sp.find(qn("p:spPr"))
    for old in spPr.findall(qn("a:xfrm")):
        spPr.remove(old)
    if box is None:  # inherit from the master
        return
    xfrm = etree.Element(qn("a:xfrm"))
    etree.SubElement(xfrm, qn("a:off"), x=_pt(box.x), y=_pt(box.y))
    etree.SubElement(xfrm, qn("a:ext"), cx=_pt(box.w), cy=_pt(box.h))
    spPr.insert(0, xfrm)


def _body_pr(sp, anchor: str = "t", autofit: bool = True) -> None:
    body = sp.find(f"{qn('p:txBody')}/{qn('a:bodyPr')}")
    for child in list(body):
        body.remove(child)
    for k in ("lIns", "tIns", "rIns", "bIns"):
        body.set(k, _pt(INSET))
    body.set("anchor", anchor)
    body.set("wrap", "square")
    if autofit:
        etree.SubElement(body, qn("a:normAutofit"))


def _style(parent, size: float, color: str | None = None, bold: bool | None = None,
           algn: str = "l", bullet: bool = False, tag: str = "a:lvl1pPr"):
    """A list-style level: alignment, the deck's line pitch, no bullet, size, colour."""
    lvl = parent.find(qn(tag))
    if lvl is None:
        lvl = etree.SubElement(parent, qn(tag))
    for child in list(lvl):
        lvl.remove(child)
    for k in list(lvl.attrib):
        del lvl.attrib[k]
    lvl.set("marL", "0")
    lvl.set("indent", "0")
    lvl.set("algn", algn)
    lvl.set("eaLnBrk", "1")
    lvl.set("hangingPunct", "0")  # no 。 hanging past the box (LibreOffice draws it outside)
    etree.SubElement(etree.SubElement(lvl, qn("a:lnSpc")), qn("a:spcPct"), val=str(LINE_PCT))
    etree.SubElement(etree.SubElement(lvl, qn("a:spcBef")), qn("a:spcPts"), val="0")
    if not bullet:
        etree.SubElement(lvl, qn("a:buNone"))
    rpr = etree.SubElement(lvl, qn("a:defRPr"), sz=str(int(size * 100)))
    if bold is not None:
        rpr.set("b", "1" if bold else "0")
    if color:
        fill = etree.SubElement(rpr, qn("a:solidFill"))
        if len(color) == 6:
            etree.SubElement(fill, qn("a:srgbClr"), val=color)
        else:
            etree.SubElement(fill, qn("a:schemeClr"), val=color)
    return lvl


def _list_style(sp, size: float, color: str | None = None, bold: bool | None = None,
                algn: str = "l") -> None:
    tx = sp.find(qn("p:txBody"))
    old = tx.find(qn("a:lstStyle"))
    new = etree.Element(qn("a:lstStyle"))
    _style(new, size, color, bold, algn)
    old.addprevious(new)
    tx.remove(old)


def _theme(blob: bytes, accent: str) -> bytes:
    """Fonts: BIZ UDPGothic for Latin, East Asian and the Jpan script; colours: accent 1 =
    the clinic's accent, 2–4 the deck's danger/warning/info colours; no effects (a theme
    shadow is what LibreOffice draws under every shape)."""
    root = etree.fromstring(blob)
    root.set("name", "handouts")
    for group in ("a:majorFont", "a:minorFont"):
        for font in root.iter(qn(group)):
            for tag in ("a:latin", "a:ea"):
                font.find(qn(tag)).set("typeface", JA_FAMILY)
            for f in font.findall(qn("a:font")):
                if f.get("script") == "Jpan":
                    f.set("typeface", JA_FAMILY)
    scheme = root.find(f".//{qn('a:clrScheme')}")
    scheme.set("name", "handouts")
    colors = {"dk1": "000000", "lt1": "FFFFFF", "dk2": "1F2A33", "lt2": "F4F8FC",
              "accent1": accent, "accent2": COLORS["danger"], "accent3": COLORS["warning"],
              "accent4": COLORS["info"], "accent5": "444444", "accent6": "2E7D32",
              "hlink": "0563C1", "folHlink": "954F72"}
    for name, val in colors.items():
        slot = scheme.find(qn(f"a:{name}"))
        for child in list(slot):
            slot.remove(child)
        etree.SubElement(slot, qn("a:srgbClr"), val=val)
    root.find(f".//{qn('a:fontScheme')}").set("name", "handouts")
    for eff in root.iter(qn("a:effectStyle")):
        for child in list(eff):
            eff.remove(child)
        etree.SubElement(eff, qn("a:effectLst"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@lru_cache(maxsize=4)
def _default_bytes(accent: str, f: Frame) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = int(f.width * EMU), int(f.height * EMU)
    prs.part._element.find(qn("p:sldSz")).attrib.pop("type", None)  # custom, not 4:3
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    theme._blob = _theme(theme.blob, accent)
    for lvl in prs.part._element.find(qn("p:defaultTextStyle")):  # text boxes
        if lvl.get("hangingPunct"):
            lvl.set("hangingPunct", "0")
    master = prs.slide_master
    for layout in list(prs.slide_layouts):
        if layout.name not in KEEP:
            prs.slide_layouts.remove(layout)
    geometry, footers = _geometry(f), _footers(f)
    _shape_master(master._element, geometry, footers, f)
    for layout in prs.slide_layouts:
        role = KEEP[layout.name]
        objs = 0
        for sp in layout.shapes._spTree.iter(qn("p:sp")):
            t = sp.find(f".//{qn('p:ph')}").get("type")
            if t in footers:  # LibreOffice reads the alignment from the layout, not the master
                _xfrm(sp, footers[t])
                _list_style(sp, f.footer_size, "555555", False,
                            {"ftr": "l", "dt": "r", "sldNum": "ctr"}[t])
                continue
            if role is None:
                continue
            geo = geometry[role]
            key = t or "obj"
            if key == "obj" and role == "two":
                objs += 1
                key = f"obj{objs}"
            _xfrm(sp, geo.get(key))
            _body_pr(sp, f.title_anchor if t == "title" else "t")
            tx = sp.find(qn("p:txBody"))
            tx.replace(tx.find(qn("a:lstStyle")), etree.Element(qn("a:lstStyle")))
            if t == "ctrTitle":
                _list_style(sp, 40, "tx1")
            elif t == "subTitle":
                _list_style(sp, 24, "333333", False)
            elif role == "section" and t == "body":
                _list_style(sp, 24, "333333", False)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _shape_master(m, geometry: dict, footers: dict, f: Frame) -> None:
    for sp in m.iter(qn("p:sp")):
        t = sp.find(f".//{qn('p:ph')}").get("type")
        if t in footers:
            _xfrm(sp, footers[t])
            _body_pr(sp, "t", autofit=False)
            _list_style(sp, f.footer_size, "555555", False,
                        {"ftr": "l", "dt": "r", "sldNum": "ctr"}[t])
        else:
            _xfrm(sp, geometry["master"]["title" if t == "title" else "body"])
            _body_pr(sp, f.title_anchor if t == "title" else "t")
    styles = m.find(qn("p:txStyles"))
    title = styles.find(qn("p:titleStyle"))
    lvl = _style(title, 32, "accent1", True)
    _fonts(lvl.find(qn("a:defRPr")), "mj")
    body = styles.find(qn("p:bodyStyle"))
    for n in range(1, 10):
        lvl = _style(body, BODY_SIZE, "tx1", False, tag=f"a:lvl{n}pPr", bullet=n > 1)
        if n > 1:  # deeper levels: a hanging 「・」 in the Japanese font, one step per level
            step = BODY_SIZE * 1.4
            lvl.set("marL", _pt(step * (n - 1)))
            lvl.set("indent", _pt(-step))
            lvl.find(qn("a:defRPr")).addprevious(etree.Element(qn("a:buFont"),
                                                               typeface="+mn-ea"))
            lvl.find(qn("a:defRPr")).addprevious(etree.Element(qn("a:buChar"), char="・"))
        _fonts(lvl.find(qn("a:defRPr")), "mn")
    other = styles.find(qn("p:otherStyle"))
    for lvl in other:
        rpr = lvl.find(qn("a:defRPr"))
        if rpr is not None:
            _fonts(rpr, "mn")


def _fonts(rpr, kind: str) -> None:
    for tag, script in (("a:latin", "lt"), ("a:ea", "ea"), ("a:cs", "cs")):
        el = rpr.find(qn(tag))
        if el is None:
            el = etree.SubElement(rpr, qn(tag))
        el.set("typeface", f"+{kind}-{script}")
