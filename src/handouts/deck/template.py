"""Slide masters, layouts and theme: the project's default template, made here in code, or
the clinic's own (`--template`, `deck_template:`).

The PPTX writer asks one question — which layout for a slide of this kind, and which of its
placeholders hold the title and the body — and `Template` answers it. Layouts are recognised
by their declared type (`<p:sldLayout type="obj">`, written by PowerPoint) and, failing that,
by the placeholders they hold, never by name (names are translated). When a template lacks
one, the fallback is:

| role       | wanted layout                       | fallback                                |
|------------|-------------------------------------|-----------------------------------------|
| title      | title slide (ctrTitle + subTitle)   | title + body, then title only           |
| body       | title + one body/content            | two content (first column), title only  |
| two        | title + two body/content side by side | body                                  |
| section    | section header                      | title only                              |
| title_only | title only                          | body (its body placeholder left out)    |

Body text a layout has no placeholder for is written as text boxes. A template without a
layout that has a title placeholder, that is not a presentation, or whose slides are not
16:9 is refused with an error naming the file.
"""

from __future__ import annotations

import copy
import io
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn

from ..diagnostics import Mark, SpecError
from ..fonts import JA_FAMILY
from . import plan as P
from .model import INSET, PITCH, SLIDE_H, SLIDE_W

EMU = 12700  # per point
TITLE_TYPES = ("title", "ctrTitle")
BODY_TYPES = ("body", "obj", None)  # a placeholder without a type is a content ("obj") one
FOOTER_TYPES = ("dt", "ftr", "sldNum")
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
PRESENTATION_MAIN = ("application/vnd.openxmlformats-officedocument.presentationml."
                     "presentation.main+xml")


@dataclass
class Placeholder:
    type: str | None
    idx: int
    x: float  # points on a 960-wide slide
    y: float
    w: float
    h: float


def _ph(sp) -> tuple[str | None, int] | None:
    ph = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
    if ph is None:
        return None
    return ph.get("type"), int(ph.get("idx", "0"))


def _rect(sp, scale: float):
    off = sp.find(f"{qn('p:spPr')}/{qn('a:xfrm')}/{qn('a:off')}")
    ext = sp.find(f"{qn('p:spPr')}/{qn('a:xfrm')}/{qn('a:ext')}")
    if off is None or ext is None:
        return None
    return tuple(int(v) / EMU / scale for v in (off.get("x"), off.get("y"), ext.get("cx"),
                                                ext.get("cy")))


class Template:
    """A presentation with no slides, on the template's masters, layouts, theme and size."""

    def __init__(self, prs, name: str):
        self.prs = prs
        self.name = name
        self.scale = prs.slide_width / (SLIDE_W * EMU)  # 1.0 for 13.333 in × 7.5 in
        self.layouts = {role: self._find(role) for role in
                        ("title", "body", "two", "section", "title_only")}
        if not any(self.layouts.values()):
            raise _refuse(name, "no slide layout has a title placeholder")

    # -- which layout ----------------------------------------------------------------------
    def placeholders(self, layout) -> list[Placeholder]:
        """A layout's placeholders with their boxes (inherited from the master if unset)."""
        master = {k: sp for sp in self.prs.slide_master.shapes._spTree.iter(qn("p:sp"))
                  if (k := _ph(sp)) is not None}
        out = []
        for sp in layout.shapes._spTree.iter(qn("p:sp")):
            key = _ph(sp)
            if key is None:
                continue
            rect = _rect(sp, self.scale)
            if rect is None:  # inherits: same type on the master (body types share one)
                kind = "title" if key[0] in TITLE_TYPES else key[0] if key[0] in \
                    FOOTER_TYPES else "body"
                for (t, _), msp in master.items():
                    if (t or "body") == kind or (kind == "body" and t in BODY_TYPES):
                        rect = _rect(msp, self.scale)
                        break
            out.append(Placeholder(key[0], key[1], *(rect or (0, 0, 0, 0))))
        return out

    def _kind(self, layout) -> str | None:
        declared = {"title": "title", "obj": "body", "tx": "body", "twoObj": "two",
                    "twoTxTwoObj": None, "secHead": "section", "titleOnly": "title_only"}
        t = layout._element.get("type")
        phs = [p for p in self.placeholders(layout) if p.type not in FOOTER_TYPES]
        titles = [p for p in phs if p.type in TITLE_TYPES]
        bodies = [p for p in phs if p.type in BODY_TYPES or p.type == "subTitle"]
        if not titles:
            return None
        if t in declared and declared[t] and self._fits(declared[t], titles, bodies):
            return declared[t]
        for kind in ("title", "two", "body", "title_only"):
            if self._fits(kind, titles, bodies):
                return kind
        return None

    @staticmethod
    def _fits(kind: str, titles, bodies) -> bool:
        if kind == "title":
            return titles[0].type == "ctrTitle" or any(b.type == "subTitle" for b in bodies)
        if kind == "title_only":
            return not bodies
        if kind == "two":
            return len(bodies) == 2 and abs(bodies[0].y - bodies[1].y) < 20 and \
                bodies[0].x != bodies[1].x
        if kind in ("body", "section"):
            return len(bodies) == 1 and bodies[0].type != "subTitle"
        return False

    def _find(self, role: str):
        for layout in self.prs.slide_layouts:
            if self._kind(layout) == role:
                return layout
        return None

    def layout(self, role: str):
        """The layout for `role`, else its fallback (see the module's table)."""
        chain = {"title": ("title", "body", "title_only"), "body": ("body", "two", "title_only"),
                 "two": ("two", "body", "title_only"), "section": ("section", "title_only",
                                                                     "body"),
                 "title_only": ("title_only", "body", "two")}[role]
        for r in chain:
            if self.layouts[r] is not None:
                return self.layouts[r]
        return next(x for x in self.layouts.values() if x is not None)

    # -- colours ---------------------------------------------------------------------------
    def accent(self) -> str:
        """The theme's accent 1 (RRGGBB): it wins over the clinic profile's accent."""
        theme = etree.fromstring(self.prs.slide_master.part.part_related_by(RT.THEME).blob)
        a1 = theme.find(f".//{qn('a:clrScheme')}/{qn('a:accent1')}")
        for child in a1 if a1 is not None else ():
            val = child.get("lastClr") or child.get("val")
            if val and len(val) == 6:
                return val.upper()
        return "1F5C99"


def _refuse(name: str, why: str) -> SpecError:
    return SpecError([Mark(name, 1, 1).error(f"cannot use this deck template: {why}")])


# -- the clinic's own template ------------------------------------------------------------

@lru_cache(maxsize=4)
def _template_bytes(path: str, stamp: float) -> bytes:
    """The template as a .pptx package (a .potx gets the presentation content type)."""
    try:
        with zipfile.ZipFile(path) as src:
            names = src.namelist()
            if "[Content_Types].xml" not in names or "ppt/presentation.xml" not in names:
                raise _refuse(path, "it is not a PowerPoint file (.pptx or .potx)")
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    blob = src.read(info.filename)
                    if info.filename == "[Content_Types].xml":
                        blob = blob.replace(TEMPLATE_MAIN.encode(), PRESENTATION_MAIN.encode())
                    dst.writestr(info, blob)
            return buf.getvalue()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(path, f"it is not a PowerPoint file ({exc.__class__.__name__})")


def load(path: Path) -> Template:
    """The clinic's template, its own slides removed; refused with a located error."""
    name = str(path)
    if not path.is_file():
        raise _refuse(name, "no such file")
    try:
        prs = Presentation(io.BytesIO(_template_bytes(name, path.stat().st_mtime)))
    except SpecError:
        raise
    except Exception as exc:  # python-pptx's own complaint, in one line
        raise _refuse(name, f"it could not be read ({exc})")
    w, h = prs.slide_width or 0, prs.slide_height or 0
    if not h or abs(w / h - SLIDE_W / SLIDE_H) > 0.01:
        raise _refuse(name, f"its slides are {w / 360000:.2f} × {h / 360000:.2f} cm "
                      f"({_ratio(w, h)}); the deck is planned for 16:9")
    ids = prs.slides._sldIdLst
    for sld in list(ids):  # sample slides of the template are not part of the deck
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)
    _ensure_east_asian_font(prs)
    return Template(prs, name)


def _ratio(w: int, h: int) -> str:
    r = w / h if h else 0
    return "4:3" if abs(r - 4 / 3) < 0.01 else "16:10" if abs(r - 1.6) < 0.01 else f"{r:.2f}:1"


def _ensure_east_asian_font(prs) -> None:
    """A theme without an East Asian font gets the project's Japanese font (ea and Jpan)."""
    part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    changed = False
    for group in ("a:majorFont", "a:minorFont"):
        for font in root.iter(qn(group)):
            ea = font.find(qn("a:ea"))
            if ea is not None and ea.get("typeface"):
                continue
            changed = True
            if ea is None:
                ea = etree.Element(qn("a:ea"))
                font.find(qn("a:latin")).addnext(ea)
            ea.set("typeface", JA_FAMILY)
            jpan = [f for f in font.findall(qn("a:font")) if f.get("script") == "Jpan"]
            for f in jpan or [etree.SubElement(font, qn("a:font"), script="Jpan")]:
                f.set("typeface", JA_FAMILY)
    if changed:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    standalone=True)


# -- the default template -----------------------------------------------------------------

def _pt(v: float) -> str:
    return str(int(round(v * EMU)))


FOOTER_H = P.FOOTER_SIZE * PITCH + 2 * INSET
TITLE_H = 2 * 32 * PITCH + 2 * INSET  # two lines of 32 pt
BODY_TOP = P.TITLE_TOP + TITLE_H + 14
HALF = (P.CONTENT_W - 24) / 2
# role → placeholder (type or "obj", idx) → box in points; dt/ftr/sldNum come from FOOTER
GEOMETRY = {
    "master": {"title": (P.MARGIN, P.TITLE_TOP, P.CONTENT_W, TITLE_H),
               "body": (P.MARGIN, BODY_TOP, P.CONTENT_W, P.CONTENT_BOTTOM - BODY_TOP)},
    "title": {"ctrTitle": (P.MARGIN, P.TITLE_SLIDE_Y, P.CONTENT_W, 2 * 40 * PITCH + 2 * INSET),
              "subTitle": (P.MARGIN, P.TITLE_SLIDE_Y + 2 * 40 * PITCH + 2 * INSET + 20,
                           P.CONTENT_W, 2 * 24 * PITCH + 2 * INSET)},
    "body": {"title": None, "obj": None},
    "section": {"title": (P.MARGIN, 190, P.CONTENT_W, TITLE_H),
                "body": (P.MARGIN, 190 + TITLE_H + 10, P.CONTENT_W, 2 * 24 * PITCH + 2 * INSET)},
    "two": {"title": None, "obj1": (P.MARGIN, BODY_TOP, HALF, P.CONTENT_BOTTOM - BODY_TOP),
            "obj2": (P.MARGIN + HALF + 24, BODY_TOP, HALF, P.CONTENT_BOTTOM - BODY_TOP)},
    "title_only": {"title": None},
}
FOOTER = {"ftr": (P.MARGIN, P.FOOTER_Y, P.FOOTER_W, FOOTER_H),
          "dt": (P.SLIDE_NUMBER_X - 170, P.FOOTER_Y, 160, FOOTER_H),
          "sldNum": (P.SLIDE_NUMBER_X, P.FOOTER_Y, P.SLIDE_NUMBER_W, FOOTER_H)}
KEEP = {"Title Slide": "title", "Title and Content": "body", "Section Header": "section",
        "Two Content": "two", "Title Only": "title_only", "Blank": None}


def _xfrm(sp, box) -> None:
    spPr = sp.find(qn("p:spPr"))
    for old in spPr.findall(qn("a:xfrm")):
        spPr.remove(old)
    if box is None:  # inherit from the master
        return
    x, y, w, h = box
    xfrm = etree.Element(qn("a:xfrm"))
    etree.SubElement(xfrm, qn("a:off"), x=_pt(x), y=_pt(y))
    etree.SubElement(xfrm, qn("a:ext"), cx=_pt(w), cy=_pt(h))
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
    """A list-style level: alignment, exact pitch, no bullet, size, colour, theme fonts."""
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
    etree.SubElement(etree.SubElement(lvl, qn("a:lnSpc")), qn("a:spcPct"), val="100000")
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
    from .oxml import theme_fonts

    root = etree.fromstring(theme_fonts(blob))
    root.set("name", "handouts")
    scheme = root.find(f".//{qn('a:clrScheme')}")
    scheme.set("name", "handouts")
    colors = {"dk1": "000000", "lt1": "FFFFFF", "dk2": "1F2A33", "lt2": "F4F8FC",
              "accent1": accent, "accent2": P.COLORS["danger"], "accent3": P.COLORS["warning"],
              "accent4": P.COLORS["info"], "accent5": "444444", "accent6": "2E7D32",
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


def default(accent: str) -> Template:
    """python-pptx's blank presentation redrawn for 16:9 at this deck's geometry: title,
    body, footer, date and slide-number placeholders where the planner puts them, master
    text styles in the theme fonts, accent 1 = the clinic's accent."""
    return Template(Presentation(io.BytesIO(_default_bytes(accent.upper()))), "default")


@lru_cache(maxsize=4)
def _default_bytes(accent: str) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = int(SLIDE_W * EMU), int(SLIDE_H * EMU)
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
    _shape_master(master._element)
    for layout in prs.slide_layouts:
        role = KEEP[layout.name]
        objs = 0
        for sp in layout.shapes._spTree.iter(qn("p:sp")):
            t, _ = _ph(sp)
            if t in FOOTER:  # LibreOffice reads the alignment from the layout, not the master
                _xfrm(sp, FOOTER[t])
                _list_style(sp, P.FOOTER_SIZE, "555555", False,
                            {"ftr": "l", "dt": "r", "sldNum": "ctr"}[t])
                continue
            if role is None:
                continue
            geo = GEOMETRY[role]
            key = t or "obj"
            if key == "obj" and role == "two":
                objs += 1
                key = f"obj{objs}"
            _xfrm(sp, geo.get(key))
            _body_pr(sp, "t")
            tx = sp.find(qn("p:txBody"))
            tx.replace(tx.find(qn("a:lstStyle")), etree.Element(qn("a:lstStyle")))
            if t == "ctrTitle":
                _list_style(sp, 40, "tx1")
            elif t == "subTitle":
                _list_style(sp, 24, "333333", False)
            elif role == "section" and t == "body":
                _list_style(sp, 24, "333333", False)
    return _saved(prs)


def _shape_master(m) -> None:
    for sp in m.iter(qn("p:sp")):
        t, _ = _ph(sp)
        if t in FOOTER:
            _xfrm(sp, FOOTER[t])
            _body_pr(sp, "t", autofit=False)
            _list_style(sp, P.FOOTER_SIZE, "555555", False,
                        {"ftr": "l", "dt": "r", "sldNum": "ctr"}[t])
        else:
            _xfrm(sp, GEOMETRY["master"]["title" if t == "title" else "body"])
            _body_pr(sp, "t")
    styles = m.find(qn("p:txStyles"))
    title = styles.find(qn("p:titleStyle"))
    lvl = _style(title, 32, "accent1", True)
    _fonts(lvl.find(qn("a:defRPr")), "mj")
    body = styles.find(qn("p:bodyStyle"))
    for n in range(1, 10):
        lvl = _style(body, P.BODY, "tx1", False, tag=f"a:lvl{n}pPr", bullet=n > 1)
        if n > 1:  # deeper levels: a hanging 「・」, indented one step per level
            step = P.BODY * 1.4
            lvl.set("marL", _pt(step * (n - 1)))
            lvl.set("indent", _pt(-step))
            lvl.find(qn("a:defRPr")).addprevious(etree.Element(qn("a:buFontTx")))
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


def _saved(prs) -> bytes:
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def clone_placeholder(layout_sp, new_id: int):
    """A slide placeholder that inherits everything from `layout_sp` (position included)."""
    sp = copy.deepcopy(layout_sp)
    cnv = sp.find(f"{qn('p:nvSpPr')}/{qn('p:cNvPr')}")
    cnv.set("id", str(new_id))
    spPr = sp.find(qn("p:spPr"))
    for child in list(spPr):
        spPr.remove(child)
    tx = sp.find(qn("p:txBody"))
    body = tx.find(qn("a:bodyPr"))
    for child in list(body):
        body.remove(child)
    body.attrib.clear()
    tx.replace(tx.find(qn("a:lstStyle")), etree.Element(qn("a:lstStyle")))
    for p in tx.findall(qn("a:p")):
        tx.remove(p)
    return sp
