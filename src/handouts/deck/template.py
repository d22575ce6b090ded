"""Slide masters, layouts and theme: which master and layout each kind of slide takes, the
slide size, the theme's fonts, and where the template puts titles, body text and footers
(the `Frame` the planner lays the deck out in). The template is the clinic's own
(`--template`, `deck_template:`) or the project's default (`deck/default_template.py`).

Templates are untrusted, varied input (PowerPoint, LibreOffice Impress, pandoc, python-pptx
made): any PPTX or POTX whose package can be read works, or is refused with an error naming
the file. What is looked at:

- **Roles.** Each layout is recognised by its declared type (`<p:sldLayout type="obj">`)
  and, failing that, by the placeholders it holds, never by name (names are translated):
  `title` (title slide), `body` (title + one body), `two` (two bodies side by side),
  `title_only`. Templates with several masters (LibreOffice writes a title master and
  content masters, each with the same twelve layouts) are read through their sample
  slides: a role takes the layout the template's own slides use for it (for body text the
  roomiest of them), else that role's layout on the body layout's master, else the first.
  Fallbacks when a template has no layout of a role:

  | role       | fallback                                |
  |------------|-----------------------------------------|
  | title      | body, then title only                   |
  | body       | two (first column), then title only     |
  | two        | body                                    |
  | title_only | body (its body placeholder left out)    |

- **Geometry.** A placeholder's box is its layout's, else its master's. LibreOffice
  writes the same layout boxes for every master and keeps the design in the master's
  placeholders: in a file it wrote, the layouts are made to inherit the master's boxes,
  so slides (which inherit theirs) sit where the design expects, and PowerPoint's Reset
  keeps them there; the master's title and body colours, written only on its sample
  text, become real list styles.
- **Size.** Any landscape slide from 5:4 to 2:1 (4:3, 16:10, 16:9); the plan is made on a
  slide 540 pt high and scaled to the template's.
- **Fonts.** A theme East Asian font is kept only if it draws Japanese (checked in the
  font file when it is one of the project's fonts, by name otherwise); else the theme's
  Japanese script font (`<a:font script="Jpan">`, where Office writes 游ゴシック) takes its
  place, else BIZ UDPGothic.
- **Refused:** files that are not PowerPoint packages, macro-enabled ones (.pptm, .potm), a
  part larger than 64 MB uncompressed, slides outside the ratios above, a template with no
  layout holding a title placeholder, or a content area too small for slide text.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn

from ..diagnostics import Mark, SpecError
from ..fonts import JA_FAMILY, fonts
from .model import INSET, PITCH, SLIDE_H, Box, Frame, default_frame

EMU = 12700  # per point
TITLE_TYPES = ("title", "ctrTitle")
BODY_TYPES = ("body", "obj", None)  # a placeholder without a type is a content ("obj") one
FOOTER_TYPES = ("dt", "ftr", "sldNum")
FALLBACK = {"title": ("title", "body", "title_only"), "body": ("body", "two", "title_only"),
            "two": ("two", "body", "title_only"), "title_only": ("title_only", "body", "two")}
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
PRESENTATION_MAIN = ("application/vnd.openxmlformats-officedocument.presentationml."
                     "presentation.main+xml")
MAX_PART = 64 * 1024 * 1024  # uncompressed bytes of one part (a picture, a theme…)
MAX_TOTAL = 256 * 1024 * 1024  # of the whole package

# East Asian font names that draw Japanese (lower case; prefixes end with a space or are
# distinctive). A name written in kana is Japanese too.
JAPANESE_NAMES = ("biz ud", "yu gothic", "yu mincho", "游", "meiryo", "メイリオ", "ms gothic",
                  "ms pgothic", "ms ui gothic", "ms mincho", "ms pmincho", "ｍｓ ", "hiragino",
                  "ヒラギノ", "noto sans jp", "noto serif jp", "noto sans cjk jp",
                  "noto serif cjk jp", "source han sans", "source han serif", "源ノ", "ipaex",
                  "ipagothic", "ipapgothic", "ipamincho", "ipapmincho", "takao", "ud デジタル",
                  "ud digi kyokasho", "m plus", "kosugi", "sawarabi", "morisawa", "osaka")
KANA = re.compile(r"[\u3040-\u30ff]")


def japanese_font(name: str) -> bool:
    """Whether a font (by family name) draws Japanese: from its file when it is one of the
    project's fonts, else by its name."""
    for face in fonts().faces.values():
        if face.family.lower() == name.lower():
            return all(face.has(ch) for ch in "あア漢字")
    low = name.strip().lower()
    return bool(KANA.search(name)) or low.startswith(JAPANESE_NAMES)


# -- reading placeholders ---------------------------------------------------------------

def _ph(sp) -> tuple[str | None, int] | None:
    ph = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
    if ph is None:
        return None
    try:
        idx = int(ph.get("idx", "0"))
    except ValueError:
        idx = 0
    return ph.get("type"), idx


def _kind(t: str | None) -> str:
    """title | body | a footer type | other (pictures, charts, tables…)"""
    if t in TITLE_TYPES:
        return "title"
    if t in BODY_TYPES or t == "subTitle":
        return "body"
    return t if t in FOOTER_TYPES else "other"


def _xfrm(sp):
    return sp.find(f"{qn('p:spPr')}/{qn('a:xfrm')}")


def _emu_rect(sp) -> tuple[int, int, int, int] | None:
    xfrm = _xfrm(sp)
    off = xfrm.find(qn("a:off")) if xfrm is not None else None
    ext = xfrm.find(qn("a:ext")) if xfrm is not None else None
    if off is None or ext is None:
        return None
    try:
        return (int(off.get("x")), int(off.get("y")), int(ext.get("cx")), int(ext.get("cy")))
    except (TypeError, ValueError):
        return None


def _placeholders(tree) -> list:
    return [sp for sp in tree.iter(qn("p:sp")) if _ph(sp) is not None]


def _match(sp, candidates: list):
    """The placeholder among `candidates` that `sp` inherits from: same type and index,
    else the same kind (title, body, footer) in order."""
    key = _ph(sp)
    siblings = _placeholders(sp.getparent()) if sp.getparent() is not None else [sp]

    def nth(of: list, mine: list):  # the n-th of its kind inherits from the n-th
        n = next((i for i, s in enumerate(mine) if s is sp), 0)
        return of[n] if n < len(of) else (of[0] if of else None)

    exact = [c for c in candidates if _ph(c) == key]
    if exact:  # LibreOffice gives two side-by-side bodies the same type and index
        return nth(exact, [s for s in siblings if _ph(s) == key])
    same = [c for c in candidates if _kind(_ph(c)[0]) == _kind(key[0])]
    return nth(same, [s for s in siblings if _kind(_ph(s)[0]) == _kind(key[0])])


def written_by_libreoffice(prs) -> bool:
    """Whether LibreOffice wrote the file (docProps/app.xml names the application)."""
    app = next((p for p in prs.part.package.iter_parts() if p.partname == "/docProps/app.xml"),
               None)
    return app is not None and b"<Application>LibreOffice" in app.blob


def _inherit_master_boxes(prs) -> None:
    """LibreOffice writes the same twelve layouts, with the same fixed boxes, for every
    master; the design is in each master's title and body placeholders, which its own
    slides use. Its layouts' title and body placeholders are made to inherit those boxes
    (two side by side get the two halves of the master's body), so PowerPoint and
    LibreOffice place new slides where the template's design expects them."""
    for master in prs.slide_masters:
        mine = _placeholders(master._element.find(qn("p:cSld")))
        for layout in master.slide_layouts:
            own = [sp for sp in _placeholders(layout._element.find(qn("p:cSld")))
                   if _kind(_ph(sp)[0]) in ("title", "body") and _xfrm(sp) is not None]
            bodies = [sp for sp in own if _kind(_ph(sp)[0]) == "body"]
            rects = {id(sp): _emu_rect(sp) for sp in bodies}
            side = len(bodies) == 2 and all(rects.values()) and \
                abs(rects[id(bodies[0])][1] - rects[id(bodies[1])][1]) < 12700 * 20
            for sp in own:
                source = _match(sp, mine)
                if source is None or _emu_rect(source) is None:
                    continue
                if _kind(_ph(sp)[0]) == "body" and len(bodies) > 1:
                    if not side:
                        continue  # three or more boxes: left as LibreOffice wrote them
                    x, y, w, h = _emu_rect(source)
                    gap = w // 30
                    half = (w - gap) // 2
                    first = rects[id(sp)][0] <= min(r[0] for r in rects.values())
                    _set_rect(sp, (x if first else x + half + gap, y, half, h))
                    continue
                spPr = sp.find(qn("p:spPr"))
                spPr.remove(_xfrm(sp))


def _sample_text_styles(prs) -> None:
    """LibreOffice writes a master's title and body text style only as the formatting of
    its sample text ("Click to edit…"), which PowerPoint ignores and LibreOffice does not
    read back for every placeholder: that run's colour and its paragraph's alignment
    become the placeholder's list style, as PowerPoint expects them (not its weight: the
    plan measures body text regular and titles bold, and says so where it differs)."""
    for master in prs.slide_masters:
        for sp in _placeholders(master._element.find(qn("p:cSld"))):
            tx = sp.find(qn("p:txBody"))
            if tx is None or _kind(_ph(sp)[0]) not in ("title", "body"):
                continue
            lst = tx.find(qn("a:lstStyle"))
            if lst is not None and len(lst):
                continue
            rpr = tx.find(f"{qn('a:p')}/{qn('a:r')}/{qn('a:rPr')}")
            ppr = tx.find(f"{qn('a:p')}/{qn('a:pPr')}")
            if rpr is None:
                continue
            new = etree.Element(qn("a:lstStyle"))
            lvl = etree.SubElement(new, qn("a:lvl1pPr"))
            if ppr is not None and ppr.get("algn"):
                lvl.set("algn", ppr.get("algn"))
            d = etree.SubElement(lvl, qn("a:defRPr"))
            fill = rpr.find(qn("a:solidFill"))
            if fill is not None:
                d.append(copy.deepcopy(fill))
            if lst is not None:
                tx.replace(lst, new)
            else:
                tx.find(qn("a:bodyPr")).addnext(new)


def _unique_indexes(prs) -> None:
    """Placeholders of a layout that share an index (LibreOffice writes every body as
    `<p:ph/>`, index 0 like the title) get unused indexes, so a slide's placeholder
    inherits from one layout placeholder in PowerPoint and LibreOffice alike."""
    for master in prs.slide_masters:
        for layout in master.slide_layouts:
            phs = [sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
                   for sp in _placeholders(layout._element.find(qn("p:cSld")))]
            taken: set[int] = set()
            clashes = []
            for ph in sorted(phs, key=lambda ph: ph.get("type") not in TITLE_TYPES):
                idx = int(ph.get("idx", "0")) if ph.get("idx", "0").isdigit() else -1
                if idx in taken or idx < 0:
                    clashes.append(ph)
                taken.add(idx)
            for n, ph in enumerate(clashes):
                ph.set("idx", str(max(taken | {0}) + 1 + n))


def _set_rect(sp, rect: tuple[int, int, int, int]) -> None:
    xfrm = _xfrm(sp)
    off, ext = xfrm.find(qn("a:off")), xfrm.find(qn("a:ext"))
    off.set("x", str(rect[0]))
    off.set("y", str(rect[1]))
    ext.set("cx", str(rect[2]))
    ext.set("cy", str(rect[3]))


@dataclass
class Placeholder:
    type: str | None
    idx: int
    box: Box  # design points (a slide 540 pt high)
    sp: object  # the layout's p:sp


class Template:
    """A presentation with no slides, on the template's masters, layouts, theme and size,
    and the answers the planner and the PPTX writer need from it."""

    def __init__(self, prs, name: str, samples: list | None = None):
        """`samples`: the layouts the template's own slides use, in slide order."""
        self.prs = prs
        self.name = name
        self.k = prs.slide_height / (SLIDE_H * EMU)  # template points per design point
        self.width = prs.slide_width / EMU / self.k
        used = samples or []
        kinds = {lay.part.partname: self._kind(lay) for lay in self._all_layouts()}
        self.layouts: dict = {}
        for role in ("body", "title", "two", "title_only"):
            self.layouts[role] = self._choose(role, kinds, used)
        if not any(self.layouts.values()):
            raise _refuse(name, "no slide layout has a title placeholder")

    # -- layouts ---------------------------------------------------------------------------
    def _all_layouts(self):
        for master in self.prs.slide_masters:
            yield from master.slide_layouts

    def box(self, sp) -> Box | None:
        rect = _emu_rect(sp)
        if rect is None:
            return None
        x, y, w, h = (v / EMU / self.k for v in rect)
        return Box(x, y, w, h)

    def placeholders(self, layout) -> list[Placeholder]:
        """A layout's placeholders with their boxes (inherited from its master if unset)."""
        master = _placeholders(layout.slide_master._element.find(qn("p:cSld")))
        out = []
        for sp in _placeholders(layout._element.find(qn("p:cSld"))):
            t, idx = _ph(sp)
            box = self.box(sp)
            if box is None:
                m = _match(sp, master)
                box = self.box(m) if m is not None else None
            out.append(Placeholder(t, idx, box or Box(0, 0, 0, 0), sp))
        return out

    def inherited(self, layout, sp) -> Placeholder | None:
        """The placeholder of `layout` that a slide's placeholder `sp` inherits from."""
        phs = self.placeholders(layout)
        target = _match(sp, [p.sp for p in phs])
        return next((p for p in phs if p.sp is target), None)

    def inherited_align(self, layout, sp) -> str | None:
        """The paragraph alignment a slide placeholder gets from its layout, else from its
        master (the placeholder's list style, then the master's title or body style)."""
        path = f"{qn('p:txBody')}/{qn('a:lstStyle')}/{qn('a:lvl1pPr')}"
        own = self.inherited(layout, sp)
        chain = [own.sp] if own is not None else []
        master = layout.slide_master._element
        if own is not None:
            m = _match(own.sp, _placeholders(master.find(qn("p:cSld"))))
            chain += [m] if m is not None else []
        for el in chain:
            lvl = el.find(path)
            if lvl is not None and lvl.get("algn"):
                return lvl.get("algn")
        style = "p:titleStyle" if _kind(_ph(sp)[0]) == "title" else "p:bodyStyle"
        lvl = master.find(f"{qn('p:txStyles')}/{qn(style)}/{qn('a:lvl1pPr')}")
        return lvl.get("algn") if lvl is not None else None

    def _kind(self, layout) -> str | None:
        declared = {"title": "title", "obj": "body", "tx": "body", "twoObj": "two",
                    "titleOnly": "title_only"}
        phs = [p for p in self.placeholders(layout) if _kind(p.type) in ("title", "body")]
        titles = [p for p in phs if p.type in TITLE_TYPES]
        bodies = [p for p in phs if _kind(p.type) == "body"]
        if not titles:
            return None
        t = layout._element.get("type")
        if t in declared and self._fits(declared[t], titles, bodies):
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
            return len(bodies) == 2 and abs(bodies[0].box.y - bodies[1].box.y) < 20 and \
                abs(bodies[0].box.x - bodies[1].box.x) > 20 and \
                all(b.type != "subTitle" for b in bodies)
        if kind == "body":
            return len(bodies) == 1 and bodies[0].type != "subTitle"
        return False

    def _choose(self, role: str, kinds: dict, used: list):
        """The layout the template's own slides use for `role` (for body text the roomiest
        of them); else the one of that role on the master its content slides use (the body
        layout's, for the other roles), not the title slide's; else the first."""
        def of(lay, *roles):
            return kinds.get(lay.part.partname) in roles

        samples = [lay for lay in used if of(lay, role)]
        if samples:
            if role != "body":
                return samples[0]
            return max(samples, key=lambda lay: (self._body_area(lay), -samples.index(lay)))
        cover = used[0].slide_master.part.partname if used else None  # the first slide's
        masters = list(self.prs.slide_masters)
        if role == "title":
            order = [m for m in masters if m.part.partname == cover]
        else:
            home = self.layouts.get("body")
            order = [home.slide_master] if home is not None else []
            order += [lay.slide_master for lay in used if of(lay, "body", "two")]
            order += [m for m in masters if m.part.partname != cover]
        for master in order + masters:
            for lay in master.slide_layouts:
                if of(lay, role):
                    return lay
        return None

    def _body_area(self, layout) -> float:
        return max((p.box.w * p.box.h for p in self.placeholders(layout)
                    if _kind(p.type) == "body"), default=0.0)

    def layout(self, role: str):
        """The layout for `role`, else its fallback (see the module's table)."""
        for r in FALLBACK[role]:
            if self.layouts[r] is not None:
                return self.layouts[r]
        return next(x for x in self.layouts.values() if x is not None)

    # -- the frame the planner lays the deck out in ----------------------------------------
    def frame(self) -> Frame:
        body_layout = self.layout("body")
        phs = self.placeholders(body_layout)
        title = next((p.box for p in phs if p.type in TITLE_TYPES), None)
        bodies = sorted((p.box for p in phs if _kind(p.type) == "body"),
                        key=lambda b: -b.w * b.h)
        foot = {p.type: p.box for p in phs if p.type in FOOTER_TYPES and p.box.w > 0 and
                self._on_slide(p.box)}  # a footer off the slide is as good as none
        if title is None or not self._on_slide(title):
            title = Box(40, 22, self.width - 80, 88)
        body = bodies[0] if bodies else Box(title.x, title.bottom + 14, title.w,
                                            SLIDE_H - 48 - title.bottom - 14)
        # content stays clear of footers that reach into the body's lower half
        low = [b.y for b in foot.values() if body.y + body.h / 2 < b.y < body.bottom and
               b.x < body.right and body.x < b.right]
        if low:
            body = Box(body.x, body.y, body.w, min(low) - 4 - body.y)
        body = self._inside(body)
        if body.bottom > SLIDE_H - 20:  # a body down to the slide's edge keeps a margin
            body = Box(body.x, body.y, body.w, SLIDE_H - 20 - body.y)
        if body.w < self.width * 0.4 or body.h < SLIDE_H * 0.35:
            raise _refuse(self.name, f"its content layout's body area is only "
                          f"{body.w * self.k / 28.35:.1f} × {body.h * self.k / 28.35:.1f} cm; "
                          "slide text needs at least 40 % of the slide's width and 35 % of "
                          "its height")
        return Frame(self.width, SLIDE_H, title, body, self._columns(body),
                     *self._cover(body), footer=foot.get("ftr"), number=self._number(foot, body),
                     footer_size=self._footer_size(body_layout),
                     title_anchor=self._anchor(body_layout), house_style=False)

    def _on_slide(self, b: Box) -> bool:
        return b.x >= -0.5 and b.y >= -0.5 and b.right <= self.width + 0.5 and \
            b.bottom <= SLIDE_H + 0.5

    def _inside(self, b: Box) -> Box:
        x, y = max(0.0, b.x), max(0.0, b.y)
        return Box(x, y, min(b.right, self.width) - x, min(b.bottom, SLIDE_H) - y)

    def _columns(self, body: Box) -> tuple[Box, Box]:
        two = self.layouts["two"]
        if two is not None:
            cols = sorted((p.box for p in self.placeholders(two) if _kind(p.type) == "body"),
                          key=lambda b: b.x)
            if len(cols) == 2 and all(abs(c.y - body.y) < 0.5 and c.x >= body.x - 0.5 and
                                      c.right <= body.right + 0.5 for c in cols) and \
                    cols[0].right <= cols[1].x:
                return (Box(cols[0].x, body.y, cols[0].w, body.h),
                        Box(cols[1].x, body.y, cols[1].w, body.h))
        half = (body.w - 24) / 2
        return Box(body.x, body.y, half, body.h), Box(body.x + half + 24, body.y, half, body.h)

    def _cover(self, body: Box) -> tuple[Box, Box]:
        phs = self.placeholders(self.layout("title"))
        title = next((p.box for p in phs if p.type in TITLE_TYPES), None) or body
        sub = next((p.box for p in phs if p.type == "subTitle"), None) or \
            next((p.box for p in phs if _kind(p.type) == "body"), None)
        title = self._inside(title)
        if sub is None or sub.h < 30:
            top = title.bottom + 10
            sub = Box(title.x, top, title.w, max(60.0, body.bottom - top))
        return title, self._inside(sub)

    def _number(self, foot: dict, body: Box) -> Box | None:
        """The slide-number placeholder; else, unless the master shows a number of its own,
        a box bottom right for a number field if there is room under the content."""
        if "sldNum" in foot:
            return foot["sldNum"]
        master = self.layout("body").slide_master._element
        if any(f.get("type") == "slidenum" for f in master.iter(qn("a:fld"))):
            return None
        h = 12 * PITCH + 2 * INSET
        box = Box(self.width - 40 - 90, SLIDE_H - h - 10, 90, h)
        return box if box.y >= body.bottom + 2 else None

    def _footer_size(self, layout) -> float:
        """The footer placeholder's own text size (layout, then master), in design points."""
        for p in self.placeholders(layout):
            if p.type != "ftr":
                continue
            chain = [p.sp, _match(p.sp, _placeholders(
                layout.slide_master._element.find(qn("p:cSld"))))]
            for sp in chain:
                size = sp.find(f".//{qn('a:lstStyle')}/{qn('a:lvl1pPr')}/{qn('a:defRPr')}") \
                    if sp is not None else None
                if size is not None and size.get("sz", "").isdigit():
                    return max(9.0, min(16.0, int(size.get("sz")) / 100 / self.k))
        return 12.0

    def _anchor(self, layout) -> str:
        for p in self.placeholders(layout):
            if p.type in TITLE_TYPES:
                chain = [p.sp, _match(p.sp, _placeholders(
                    layout.slide_master._element.find(qn("p:cSld"))))]
                for sp in chain:
                    body = sp.find(f"{qn('p:txBody')}/{qn('a:bodyPr')}") if sp is not None \
                        else None
                    if body is not None and body.get("anchor") in ("t", "ctr", "b"):
                        return body.get("anchor")
        return "t"

    # -- theme -----------------------------------------------------------------------------
    def theme(self):
        master = self.layout("body").slide_master
        return etree.fromstring(master.part.part_related_by(RT.THEME).blob)

    def accent(self) -> str:
        """The theme's accent 1 (RRGGBB): it wins over the clinic profile's accent."""
        a1 = self.theme().find(f".//{qn('a:clrScheme')}/{qn('a:accent1')}")
        for child in a1 if a1 is not None else ():
            val = child.get("lastClr") or child.get("val")
            if val and len(val) == 6:
                return val.upper()
        return "1F5C99"

    def japanese_font(self) -> str:
        """The theme's minor East Asian font (after `_japanese_theme_fonts`)."""
        ea = self.theme().find(f".//{qn('a:minorFont')}/{qn('a:ea')}")
        return ea.get("typeface") if ea is not None and ea.get("typeface") else JA_FAMILY


def _refuse(name: str, why: str) -> SpecError:
    return SpecError([Mark(name, 1, 1).error(f"cannot use this deck template: {why}")])


# -- the clinic's own template ------------------------------------------------------------

@lru_cache(maxsize=4)
def _template_bytes(path: str, stamp: float) -> bytes:
    """The template as a .pptx package (a .potx gets the presentation content type)."""
    try:
        with zipfile.ZipFile(path) as src:
            infos = src.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "ppt/presentation.xml" not in names:
                raise _refuse(path, "it is not a PowerPoint file (.pptx or .potx)")
            types = src.read("[Content_Types].xml")
            if b"macroEnabled" in types or any(n.lower().endswith("vbaproject.bin")
                                               for n in names):
                raise _refuse(path, "it is macro-enabled (.pptm or .potm: it holds a VBA "
                              "project, which the decks would carry); save it as a .pptx or "
                              ".potx without macros")
            big = max(infos, key=lambda i: i.file_size)
            if big.file_size > MAX_PART:
                raise _refuse(path, f"its part {big.filename} is {big.file_size / 2**20:.0f} MB "
                              f"uncompressed (at most {MAX_PART // 2**20} MB per part)")
            if sum(i.file_size for i in infos) > MAX_TOTAL:
                raise _refuse(path, f"it is over {MAX_TOTAL // 2**20} MB uncompressed")
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in infos:
                    blob = src.read(info.filename)
                    if info.filename == "[Content_Types].xml":
                        blob = blob.replace(TEMPLATE_MAIN.encode(), PRESENTATION_MAIN.encode())
                    dst.writestr(info, blob)
            return buf.getvalue()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
            NotImplementedError) as exc:
        raise _refuse(path, f"it is not a PowerPoint file ({exc.__class__.__name__})")


def load(path: Path) -> Template:
    """The clinic's template, its own slides removed; refused with a located error."""
    name = str(path)
    if not path.is_file():
        raise _refuse(name, "no such file")
    try:
        prs = Presentation(io.BytesIO(_template_bytes(name, path.stat().st_mtime)))
        return _prepared(prs, name)
    except SpecError:
        raise
    except Exception as exc:  # python-pptx's or lxml's complaint, in one line
        why = re.sub(r"<_io\.BytesIO object at 0x[0-9a-f]+>", "the file", str(exc))
        raise _refuse(name, f"it could not be read ({exc.__class__.__name__}: "
                      f"{why.splitlines()[0] if why else 'no detail'})")


def _prepared(prs, name: str) -> Template:
    w, h = prs.slide_width or 0, prs.slide_height or 0
    ratio = w / h if h else 0
    if not 1.24 <= ratio <= 2.01:
        raise _refuse(name, f"its slides are {w / 360000:.2f} × {h / 360000:.2f} cm "
                      f"({_ratio(w, h)}); decks are planned for landscape slides from 5:4 "
                      "to 2:1 (4:3, 16:10 and 16:9 work)")
    samples = []
    ids = prs.slides._sldIdLst
    for sld in list(ids):  # sample slides tell which layouts the template uses
        samples.append(prs.part.related_slide(sld.rId).slide_layout)
        prs.part.drop_rel(sld.rId)  # … and are not part of the deck
        ids.remove(sld)
    _unique_indexes(prs)
    if written_by_libreoffice(prs):
        _inherit_master_boxes(prs)
        _sample_text_styles(prs)
    for master in prs.slide_masters:
        _japanese_theme_fonts(master.part.part_related_by(RT.THEME))
    return Template(prs, name, samples)


def _ratio(w: int, h: int) -> str:
    r = w / h if h else 0
    return "4:3" if abs(r - 4 / 3) < 0.01 else "16:10" if abs(r - 1.6) < 0.01 else \
        "16:9" if abs(r - 16 / 9) < 0.01 else f"{r:.2f}:1"


def _japanese_theme_fonts(part) -> None:
    """Each of a theme's East Asian fonts draws Japanese: kept if it does, else the
    theme's Jpan script font if that does (Office names 游ゴシック there and leaves `ea`
    empty; LibreOffice reads only `ea`), else the project's Japanese font."""
    root = etree.fromstring(part.blob)
    changed = False
    for group in ("a:majorFont", "a:minorFont"):
        for font in root.iter(qn(group)):
            ea = font.find(qn("a:ea"))
            if ea is not None and japanese_font(ea.get("typeface") or ""):
                continue
            jpan = [f for f in font.findall(qn("a:font")) if f.get("script") == "Jpan"]
            face = next((f.get("typeface") for f in jpan if japanese_font(f.get("typeface")
                                                                          or "")), None)
            changed = True
            if ea is None:
                ea = etree.Element(qn("a:ea"))
                latin = font.find(qn("a:latin"))
                if latin is not None:
                    latin.addnext(ea)
                else:
                    font.insert(0, ea)
            ea.set("typeface", face or JA_FAMILY)
            if face is None:
                for f in jpan or [etree.SubElement(font, qn("a:font"), script="Jpan")]:
                    f.set("typeface", JA_FAMILY)
    if changed:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    standalone=True)


def default(accent: str) -> Template:
    """The project's own template (made in code) for the default frame."""
    from .default_template import presentation

    return Template(presentation(accent.upper(), default_frame()), "default")


def clone_placeholder(layout_sp, new_id: int):
    """A slide placeholder that inherits everything from `layout_sp` (position included)."""
    sp = copy.deepcopy(layout_sp)
    cnv = sp.find(f"{qn('p:nvSpPr')}/{qn('p:cNvPr')}")
    cnv.set("id", str(new_id))
    spPr = sp.find(qn("p:spPr"))
    if spPr is None:
        spPr = etree.SubElement(sp, qn("p:spPr"))
    for child in list(spPr):
        spPr.remove(child)
    tx = sp.find(qn("p:txBody"))
    if tx is None:
        tx = etree.SubElement(sp, qn("p:txBody"))
    for child in list(tx):
        tx.remove(child)
    etree.SubElement(tx, qn("a:bodyPr"))
    etree.SubElement(tx, qn("a:lstStyle"))
    for extra in sp.findall(qn("p:style")):  # the layout's look, inherited anyway
        sp.remove(extra)
    return sp
