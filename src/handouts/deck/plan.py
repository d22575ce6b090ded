"""Document → Deck: every slide laid out and every line measured before anything is written.

Text never shrinks below BODY (18 pt minimum; 20 pt by default) and never leaves its box:
what does not fit continues on a follow-up slide titled 「…（続き）」.
"""

from __future__ import annotations

import importlib.util
import io
from dataclasses import replace
from functools import lru_cache
from typing import NamedTuple

from .. import document as d
from .. import fontcache
from ..diagnostics import SpecError
from ..diagrams import geometry as geo
from ..text.breaking import Line
from ..text.inline import Rich, Span, continued_title, plain
from ..text.setting import keeping
from .geometry import GAP, Group, balanced, grouped, join_below, split_box
from .measure import lines, para, shortened, title_lines
from .model import (INSET, PITCH, Arrow, BarChart, Box, Deck, Diagram, Drawing, Frame, Para,
                    Picture, Shape, Slide, Table, TextBox, default_frame, flat)

BODY = 20.0
MIN_BODY = 18.0
ROOMY = (BODY + 8, BODY + 4, BODY)  # body sizes tried, largest first
SMALL = 16.0
LABEL_FLOOR = 12.0  # a figure's smallest label: 6 pt in the notes handout (slides at half size)
TITLE_SIZES = (32.0, 28.0, 24.0)
COVER_SIZES = (40.0, 36.0, 32.0, 28.0, 24.0, 20.0)  # a template's small title box may need 20
COLORS = {"danger": "A00000", "warning": "7A4300", "info": "1F4E79"}
FILLS = {"danger": "FFF0F0", "warning": "FFFFFF", "info": "FFFFFF"}
BANDS = ("E4ECF5", "F4F7FB")  # table body rows: light tints that keep black text at AAA
GOES_ON = "→次のスライドへ続く"  # closes a box's part that goes on on the next slide
PAD = 10.0  # inset of bordered boxes (callouts, exercise cards, key points)


def on_color(fill: str) -> str:
    """White text on a dark fill, black on a light one (WCAG relative luminance)."""
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(int(fill[i:i + 2], 16) / 255) for i in (0, 2, 4))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "FFFFFF" if 1.05 / (lum + 0.05) >= 4.5 else "000000"


def labeled(label: str, rich: Rich) -> Rich:
    return Rich((Span(label, strong=True),) + rich.spans, rich.mark)


class Title(NamedTuple):
    """A slide title as planned: its lines and size, the width they wrap at, its box (the
    template's title placeholder, taller only when even the smallest size needs it)."""

    lines: list[Line]
    size: float
    wrap: float
    box: Box


class Planner:
    """Lays a Document out in a Frame (the template's geometry): content in the body
    placeholder's box, titles in the title placeholder's, footers in the footer's."""

    def __init__(self, doc: d.Document, accent: str | None = None, frame: Frame | None = None):
        self.doc = doc
        self.slides: list[Slide] = []
        self.body = BODY  # body size of text panels; a section may be set larger
        self.accent = (accent or doc.clinic.accent).lstrip("#").upper()
        self.f = frame or default_frame()
        self.x, self.w = self.f.body.x, self.f.body.w  # the content area's column
        self.bottom = self.f.content_bottom

    # -- titles ---------------------------------------------------------------------------
    def title(self, rich: Rich, continued: int = 0) -> Title:
        """The title in the template's title box; `continued` > 0 adds 「（続き）」,
        「（続き2）」…"""
        r = continued_title(rich, continued) if continued else rich
        return self._title(r, self.f.title, TITLE_SIZES)

    @staticmethod
    def _title(r: Rich, box: Box, sizes: tuple[float, ...], most: int = 2) -> Title:
        ls, size, wrap = title_lines(r, box.w, box.h, sizes, most)
        need = len(ls) * size * PITCH + 2 * INSET
        return Title(ls, size, wrap, box if need <= box.h + 0.5 else replace(box, h=need))

    def content_top(self, title: Title) -> float:
        """Content starts at the body placeholder's top (below a title that had to grow)."""
        grown = title.box.bottom + GAP if title.box.h > self.f.title.h + 0.5 else 0.0
        return max(self.f.body.y, grown)

    def uses(self, heading: Rich) -> int:
        """How many slides already carry this heading in their title."""
        return sum(1 for s in self.slides if s.heading == heading.plain)

    def next_title(self, heading: Rich) -> Title:
        """The heading as the next slide's title: plain the first time, then 「（続き）」,
        「（続き2）」…, so no two slides share a title (PowerPoint's accessibility check)."""
        return self.title(heading, self.uses(heading))

    def add(self, kind: str, heading: Rich | None, shapes: list[Shape], notes: str,
            title=None) -> None:
        t = title if title else self.next_title(heading)
        if kind not in ("closing", "references"):
            shapes = balanced(shapes, self.content_top(t), self.bottom)
        self.slides.append(Slide(kind, t.lines, t.size, shapes, notes, title_box=t.box,
                                 title_wrap=t.wrap, heading=heading.plain if heading else ""))

    # -- text panels ---------------------------------------------------------------------
    def panel(self, b: d.Block, width: float) -> TextBox:
        """A text-like block as one box of paragraphs (not yet positioned)."""
        w = width
        body = self.body

        def P(rich, width, size=None, bold=False, **kw):  # noqa: N802  (para at self.body)
            return para(rich, width, size or body, bold, **kw)

        box = TextBox(0, 0, w, 0)
        if isinstance(b, d.Text):
            box.paras = [P(b.text, w)]
        elif isinstance(b, d.ItemList):
            marks = {"bullets": lambda i: "・", "steps": lambda i: f"{i}.",
                     "checklist": lambda i: "□"}[b.style]
            box.paras = [P(r, w, marker=marks(i), space=4 if i > 1 else 0)
                         for i, r in enumerate(b.items, 1)]
        elif isinstance(b, d.Callout):
            c = COLORS[b.level]
            sign = {"danger": "！ ", "warning": "！ ", "info": ""}[b.level]
            box.paras = [P(labeled(sign, b.title), w - 12, body + 2, True, color=c)]
            box.again = [P(labeled(sign, continued_title(b.title)), w - 12, body + 2, True,
                           color=c)]
            box.cue = self.cue(w - 12, c)
            if b.text:
                box.paras.append(P(b.text, w - 12))
            box.paras += [P(r, w - 12, marker="・", bold=b.level == "danger", whole=True)
                          for r in b.items]
            box.fill, box.border, box.inset = FILLS[b.level], c, PAD
            box.border_w = {"danger": 4.0, "warning": 2.5, "info": 1.25}[b.level]
            box.dash = b.level == "warning"
        elif isinstance(b, d.Exercise):
            box.paras = [P(b.name, w - 12, body + 2, True, color=self.accent)]
            box.again = [P(continued_title(b.name), w - 12, body + 2, True, color=self.accent)]
            box.cue = self.cue(w - 12, self.accent)
            for label, val in (("ねらい：", b.target), ("姿勢：", b.position)):
                if val:
                    box.paras.append(P(labeled(label, val), w - 12))
            if len(b.steps) == 1:  # a single step reads better unnumbered
                box.paras.append(P(labeled("やり方：", b.steps[0]), w - 12))
            else:
                box.paras += [P(r, w - 12, marker=f"{i}.", whole=True)
                              for i, r in enumerate(b.steps, 1)]
            dose = "・".join(x for x in (
                f"{b.hold_seconds}秒保つ" if b.hold_seconds else "",
                f"{b.reps}回くり返す" if b.reps else "") if x)
            if dose:
                box.paras.append(P(plain("回数：" + dose), w - 12, bold=True))
            if b.breathing:
                box.paras.append(P(labeled("呼吸：", b.breathing), w - 12))
            if b.stop_if:
                box.paras.append(P(labeled("中止：", b.stop_if), w - 12, bold=True,
                                      color=COLORS["danger"]))
            box.border, box.border_w, box.inset = self.accent, 1.5, PAD
        else:
            raise AssertionError(type(b))
        box.h = box.text_height()
        return box

    def go_now(self, b: d.Callout, heading: Rich) -> tuple[Title, list[Shape]] | None:
        """A danger box too tall for a slide at 24 pt, whole on a slide of its own under
        its title: the introduction across the box, then the items in the order written
        (the reviewed urgency order: early signs first), a run of four or more that each
        fit half its width on one line in two columns (read down the left one, then the
        right, as the leaflet's grid), the others across it. At the largest of 24, 20 and
        18 pt that fits. None if the box fits a slide at 24 pt as it is (it goes with its
        section), or if it fits at no size (it goes on over slides, each item whole)."""
        body, self.body = self.body, BODY + 4
        as_is = self.panel(b, self.w).h
        self.body = body
        if as_is <= self.bottom - self.content_top(self.title(heading, 9)):
            return None
        title = self.title(b.title, self.uses(b.title))
        top = self.content_top(title)
        # text PAD from the border, as in the other callouts (the text boxes add INSET)
        edge = PAD - INSET
        c, w = COLORS[b.level], self.w - 2 * edge
        half = (w - GAP) / 2
        for size in (BODY + 4, BODY, MIN_BODY):
            narrow = [para(r, half, size, True, marker="・") for r in b.items]
            rows: list = [[(b.text and [para(b.text, w, size)], 0.0, w)]]
            for run, at in _runs([len(p.lines) == 1 for p in narrow]):
                if run:  # read down the left column, then the right
                    half_way = (len(at) + 1) // 2
                    rows.append([([narrow[i] for i in at[:half_way]], 0.0, half),
                                 ([narrow[i] for i in at[half_way:]], half + GAP, half)])
                else:
                    rows.append([([para(b.items[i], w, size, True, marker="・") for i in at],
                                  0.0, w)])
            inner: list[TextBox] = []
            y = top + edge
            for row in rows:
                boxes = [TextBox(self.x + edge + dx, y, width, 0, paras=paras)
                         for paras, dx, width in row if paras]
                for box in boxes:
                    box.h = box.text_height()
                inner += boxes
                y = max([y] + [box.bottom for box in boxes])
            if y + edge <= self.bottom + 0.01:
                frame = TextBox(self.x, top, self.w, y + edge - top, fill=FILLS[b.level],
                                border=c, border_w=4.0, decorative=True)
                return title, [frame, *inner]
        return None

    @staticmethod
    def cue(width: float, color: str) -> Para:
        """The last line of a box's part that goes on on the next slide."""
        p = para(plain(GOES_ON), width, MIN_BODY, color=color, space=4)
        p.align = "right"
        return p

    def flush(self, heading: Rich, items: list, notes: str, kind: str = "content") -> bool:
        """Stack items top to bottom on as many slides as they need.

        A TextBox may split at a line (the rest continues on a 「（続き）」 slide); a Group
        (a diagram, chart or table) moves whole to the next slide when it does not fit.
        Returns whether any slide was added."""
        if not items:
            return False
        title = self.next_title(heading)
        top = self.content_top(title)
        y, placed = top, []
        last: tuple[Group, float] | None = None  # a figure group placed last, and its top
        queue = list(items)
        while queue:
            item = queue.pop(0)
            room = self.bottom - y
            if item.h > room and last is not None and not queue and \
                    item.h <= 0.3 * (self.bottom - top) and last[0].refit is not None:
                # a short last text would be a 「（続き）」 slide of its own: the figure
                # above gives up the room instead (it is drawn smaller)
                group, at = last
                smaller = group.refit(group.h - (item.h - room))
                if smaller is not None and smaller.h <= group.h - (item.h - room) + 0.01:
                    del placed[-len(group.shapes):]
                    placed += smaller.at(self.x, at)
                    y = at + smaller.h + GAP
                    room = self.bottom - y
            last = None
            if item.h <= room:
                for shape in item.at(self.x, y):
                    if not join_below(placed, shape):
                        placed.append(shape)
                if isinstance(item, Group):
                    last = (item, y)
                y += item.h + GAP
                continue
            fresh = self.bottom - self.content_top(self.title(heading, 9))
            if isinstance(item, Group) or (placed and item.h <= fresh):
                # move it whole to the next slide rather than leave a stub behind
                if not placed:  # taller than an empty slide: it was sized to fit one
                    placed += item.at(self.x, y)
                    y = self.bottom
                    continue
                queue.insert(0, item)
                self.add(kind, heading, placed, notes, title=title)
                title = self.next_title(heading)
            else:
                head, tail = split_box(item, room)
                if head is not None:
                    placed.append(replace(head, x=self.x, y=y))
                elif not placed:  # not one line fits an empty slide: report, never drop
                    raise SpecError([heading.mark.error(
                        "a line of text is taller than a whole slide", "fit")])
                if tail is not None:
                    queue.insert(0, tail)
                self.add(kind, heading, placed, notes, title=title)
                title = self.next_title(heading)
            top = self.content_top(title)
            y, placed = top, []
        if placed:
            self.add(kind, heading, placed, notes, title=title)
        return True

    # -- visual blocks --------------------------------------------------------------------
    def visual(self, b: d.Block, x: float, top: float, w: float, h: float) -> list[Shape]:
        if isinstance(b, d.Flow):
            return self.flow(b, x, top, w, h)
        if isinstance(b, d.Tree):
            return self.tree(b, x, top, w, h)
        if isinstance(b, d.Chart):
            return self.chart(b, x, top, w, h)
        if isinstance(b, d.Figure):
            return self.figure(b, x, top, w, h)
        if isinstance(b, d.Anatomy):
            return self.anatomy(b, x, top, w, h)
        raise AssertionError(type(b))

    def caption(self, rich: Rich | None, x: float, y: float, w: float) -> list[Shape]:
        if rich is None:
            return []
        box = TextBox(x, y, w, 0, paras=[para(rich, w, SMALL, color="444444")], caption=True)
        box.h = box.text_height()
        return [box]

    def caption_h(self, rich: Rich | None, w: float) -> float:
        return self.caption(rich, 0, 0, w)[0].h + 6 if rich else 0.0

    def flow(self, b: d.Flow, x, top, w, h) -> list[Shape]:
        n, arrow = len(b.steps), 28.0
        rects = geo.flow_row(n, w, 0, arrow)
        inner = rects[0].w - 2 * INSET - 8
        size = self.body  # as large as the text around it (roomy: 28 → 20 pt)
        paras = [Para(lines(s, inner, size, True), size, True, align="center")
                 for s in b.steps]
        box_h = max(p.height for p in paras) + 2 * INSET + 16
        y0 = top
        out: list[Shape] = []
        for i, (r, p) in enumerate(zip(geo.flow_row(n, w, box_h, arrow), paras)):
            hi = b.highlight == i
            out.append(TextBox(x + r.x, y0, r.w, box_h, paras=[p], rounded=True,
                               fill="FDE8E8" if hi else "FFFFFF",
                               border=COLORS["danger"] if hi else "000000",
                               border_w=3.0 if hi else 1.25, anchor="middle"))
            if i + 1 < n:
                out.append(Arrow(x + r.x + r.w, y0 + box_h / 2, arrow, 0,
                                 start=len(out) - 1, end=len(out) + 1))
        return [Diagram.of(out + self.caption(b.caption, x, y0 + box_h + 10, w), b.alt,
                           "流れ図")]

    def tree(self, b: d.Tree, x, top, w, h) -> list[Shape]:
        h_avail = h - self.caption_h(b.caption, w)
        # small trees read best top-down; deep ones run left → right, where each subtree
        # gets a band of its own height (labels may go down to 16 pt, body text never)
        tries = [(s, False) for s in (BODY, MIN_BODY) if geo.depth(b.root) <= 3]
        # a template's short content area may need 14 pt labels
        tries += [(s, True) for s in (BODY, MIN_BODY, SMALL, SMALL - 2)]
        for size, sideways in tries:
            shapes = self._tree(b, x, top, w, h_avail, size, sideways)
            if shapes is not None:
                bottom = max(s.bottom for s in shapes)
                return [Diagram.of(shapes + self.caption(b.caption, x, bottom + 10, w),
                                   b.alt, "枝分かれの図")]
        raise SpecError([b.mark.error(
            "tree diagram does not fit on one slide even at 14 pt; shorten its labels or "
            "split it into two trees", "fit")])

    def _tree_texts(self, n: d.Node, inner: float, size: float) -> list[Para]:
        ps = [Para(lines(n.label, inner, size, True, True), size, True, align="center")]
        if n.note:
            ps.append(Para(lines(n.note, inner, SMALL), SMALL, color="444444",
                           align="center"))
        return ps

    def _tree(self, b: d.Tree, x, top, w, h, size, sideways) -> list[Shape] | None:
        nodes, stack = [], [b.root]
        while stack:
            n = stack.pop()
            nodes.append(n)
            stack.extend(n.children)
        depth = geo.depth(b.root)
        if sideways:
            gap_x, gap_y = 30.0, 8.0
            node_w = min((w - gap_x * (depth - 1)) / depth, 260.0)
        else:
            gap_x, gap_y = 12.0, 30.0
            node_w = min(geo.tree_slot_width(b.root, w, gap_x), w * 0.42)
        inner = node_w - 2 * INSET - 6
        texts = {id(n): self._tree_texts(n, inner, size) for n in nodes}
        heights = {k: sum(p.height for p in ps) + 2 * INSET + 6 for k, ps in texts.items()}
        if sideways:
            lay = geo.tree_sideways(b.root, heights, node_w, gap_x, gap_y)
        else:
            need = max(heights.values())
            lay = geo.tree(b.root, w, need, gap_y, gap_x, node_w)
        if lay.height > h or lay.width > w + 0.5:
            return None
        ox = x + (w - lay.width) / 2
        oy = top + max(0.0, (h - lay.height) / 2) if not sideways else top
        rect_of = {id(n): r for n, r in lay.boxes}
        index = {id(n): i for i, (n, _) in enumerate(lay.boxes)}
        out: list[Shape] = []
        for n, r in lay.boxes:
            out.append(TextBox(ox + r.x, oy + r.y, r.w, r.h, paras=texts[id(n)], rounded=True,
                               fill="EAF1F8" if n.highlight else "FFFFFF",
                               border=self.accent if n.highlight else "000000",
                               border_w=3.0 if n.highlight else 1.25, anchor="middle"))
        for n, _ in lay.boxes:
            p = rect_of[id(n)]
            for c in n.children:
                k = rect_of[id(c)]
                if sideways:
                    x1, y1, x2, y2 = p.x + p.w, p.y + p.h / 2, k.x, k.y + k.h / 2
                else:
                    x1, y1, x2, y2 = p.cx, p.bottom, k.cx, k.y
                out.append(Arrow(ox + x1, oy + y1, x2 - x1, y2 - y1, start=index[id(n)],
                                 end=index[id(c)]))
        return out

    def chart(self, b: d.Chart, x, top, w, h) -> list[Shape]:
        extra = self.caption_h(b.caption, w) + self.caption_h(self._source(b), w)
        hh = min(h - extra, 40 + 46 * len(b.data))
        out: list[Shape] = [BarChart(x, top, w, hh, name=b.title.plain if b.title else "",
                                     alt=b.alt, categories=[k for k, _ in b.data],
                                     values=[v for _, v in b.data], unit=b.unit,
                                     maximum=b.max, font_size=MIN_BODY, color=self.accent)]
        y = top + hh + 6
        for cap in (b.caption, self._source(b)):
            if cap:
                s = self.caption(cap, x, y, w)
                out += s
                y = s[0].bottom + 4
        return [Diagram.of(out, b.alt, "グラフ")] if len(out) > 1 else out

    def _source(self, b: d.Chart) -> Rich | None:
        return plain(f"出典：{b.source.cite} [{b.source.number}]") if b.source else None

    def figure(self, b: d.Figure, x, top, w, h) -> list[Shape]:
        """The picture as large as its space, or as the spec's width/height say."""
        avail_h = h - self.caption_h(b.caption, w)
        pw, ph = b.printed_size(w, avail_h, fill=True)
        px = x + (w - pw) / 2
        return [Picture(px, top, pw, ph, path=b.image, alt=b.alt)] + \
            self.caption(b.caption, x, top + ph + 6, w)

    def anatomy(self, b: d.Anatomy, x, top, w, h) -> list[Shape]:
        """The lumbar figure with its numbered targets listed beside it, or under it where
        that leaves the bones larger (a narrow slide)."""
        from ..diagrams import lumbar
        from ..fonts import fonts

        h_avail = h - self.caption_h(b.caption, w)

        def art(width: float, height: float):
            # labels at 16 pt like tree notes: the bones get the room (the figure then
            # fills a slide of its own)
            return lumbar.draw(b.detail, [t.site for t in b.markers], b.emphasis, width,
                               height, SMALL, fonts().width, lumbar.Style(self.accent))

        def legend(width: float) -> TextBox:
            paras = []
            for i, t in enumerate(b.markers):  # 18 pt: 「L4 内側枝：L5 横突起基部」 on one line
                p = Para([], MIN_BODY, marker="①②③④⑤⑥"[i], space_before=8 if i else 0)
                p.lines = lines(t.text, width - 2 * INSET - p.indent, MIN_BODY, phrases=True)
                paras.append(p)
            box = TextBox(0, 0, width, 0, paras=paras)
            box.h = box.text_height()
            return box

        def readable(a) -> bool:
            return min((lb.size for lb in a.labels), default=LABEL_FLOOR) >= LABEL_FLOOR - 0.01

        if not b.markers:
            figure, listed = art(w, h_avail), None
        else:
            under = legend(w)
            below = art(w, max(h_avail - under.h - GAP, 1.0))
            # the legend beside the figure, narrower while that is what the figure's labels
            # need to reach LABEL_FLOOR (the level names are sized to their vertebrae)
            for share in (0.33, 0.31, 0.29, 0.27, 0.25):
                side = legend(w * share)
                beside = art(w - side.w - 2 * GAP, h_avail)
                if readable(beside):
                    break
            fits_below = below.height + under.h + GAP <= h_avail + 0.5
            if fits_below and (below.height > beside.height * 1.05 or
                               readable(below) and not readable(beside)):
                figure = below
                listed = replace(under, x=x, y=top + below.height + GAP)
            else:
                figure = beside
                listed = replace(side, x=x + w - side.w,
                                 y=top + max(0.0, (beside.height - side.h) / 2))
        out: list[Shape] = [Drawing(x, top, figure.width, figure.height, name="腰椎の図",
                                    art=figure, alt=b.alt)]
        if listed is not None:
            out.append(listed)
        bottom = max(sh.bottom for sh in out)
        return out + self.caption(b.caption, x, bottom + 6, w)

    def exercise(self, b: d.Exercise, full_h: float) -> list:
        """The exercise card in the left column, its pose figure in the right one; a card
        too long for the column goes on below, on the next slide."""
        from ..diagrams import figure

        left, right = self.f.columns
        box, rest = split_box(replace(self.panel(b, left.w), x=left.x - self.x), full_h)

        def pair(most: float) -> Group | None:
            """Card and figure, the figure at most `most` high (None: the card is taller)."""
            if box.h > most + 0.01:
                return None
            # as large as the column allows: the figure is what the back row reads
            fig_h = min(most, right.w / figure.aspect(b.pose))
            art = figure.draw(b.pose, fig_h * figure.aspect(b.pose), fig_h, self.accent, 1.6)
            fx = right.right - self.x - art.width
            return Group([box, Drawing(fx, 0, art.width, art.height, name="運動の図", art=art,
                                       alt=b.alt)], max(box.h, art.height), refit=pair)

        return [pair(full_h)] + ([rest] if rest is not None else [])

    def table_rows(self, b: d.Table):
        """(header cells, header height, [(cells, height)]) measured at full width."""
        col = self.w / len(b.header)

        def row_paras(row, bold, color="000000"):
            ps = [[Para(lines(c, col - 2 * INSET - 8, MIN_BODY, bold), MIN_BODY, bold, color)]
                  for c in row]
            return ps, max(p[0].height for p in ps) + 2 * INSET + 4

        header, hh = row_paras(b.header, True, on_color(self.accent))
        return header, hh, [row_paras(r, False) for r in b.rows]

    def table_shapes(self, b: d.Table, full_h: float) -> list[Shape] | None:
        """The whole table (and caption) at the origin, or None if it needs several slides."""
        header, hh, rows = self.table_rows(b)
        heights = [hh] + [h for _, h in rows]
        if sum(heights) + self.caption_h(b.caption, self.w) > full_h:
            return None
        n = len(b.header)
        shapes: list[Shape] = [Table(0, 0, self.w, sum(heights),
                                     cells=[header] + [c for c, _ in rows],
                                     col_widths=[self.w / n] * n, row_heights=heights,
                                     head_fill=self.accent, band_fills=BANDS)]
        return shapes + self.caption(b.caption, 0, sum(heights) + 8, self.w)

    def table(self, b: d.Table, heading: Rich, notes: str) -> None:
        n = len(b.header)
        col = self.w / n
        header, hh, rows = self.table_rows(b)
        first = True
        while rows or first:
            title = self.next_title(heading)
            top = self.content_top(title)
            room = self.bottom - top - self.caption_h(b.caption, self.w) - hh
            take, used = [], 0.0
            while rows and (used + rows[0][1] <= room or not take):
                used += rows[0][1]
                take.append(rows.pop(0))
            cells = [header] + [r[0] for r in take]
            heights = [hh] + [r[1] for r in take]
            shapes: list[Shape] = [Table(self.x, top, self.w, sum(heights), cells=cells,
                                         col_widths=[col] * n, row_heights=heights,
                                         head_fill=self.accent, band_fills=BANDS)]
            shapes += self.caption(b.caption, self.x, top + sum(heights) + 8, self.w)
            self.add("content", heading, shapes, notes, title=title)
            first = False

    # -- slides -----------------------------------------------------------------------------
    def group(self, shapes: list[Shape]) -> Group:
        return grouped(shapes)

    def section(self, sec: d.Section) -> None:
        # a danger box that gets no slide of its own is read at 24 pt (see roomy)
        urgent = any(isinstance(b, d.Callout) and b.level == "danger" and
                     self.go_now(b, sec.heading) is None for b in sec.for_target("deck"))
        self.roomy(lambda: self._section(sec), urgent)

    def roomy(self, add_slides, urgent: bool = False) -> None:
        """Set the text of what `add_slides` adds at the largest of 28, 24 and 20 pt that
        costs no extra slide. What must be read in an emergency (a danger callout) is set
        at 24 pt or more even if that takes one slide more."""
        start = len(self.slides)
        tried: dict[float, list[Slide]] = {}
        for size in ROOMY:
            self.body = size
            add_slides()
            tried[size] = self.slides[start:]
            del self.slides[start:]
        least, split = len(tried[BODY]), splits(tried[BODY])
        # a larger size must not split a box that stays whole at 20 pt (unless it is
        # the emergency's 24 pt)
        best = next(s for s in ROOMY if s == BODY or inside(tried[s], self.bottom) and (
            len(tried[s]) <= least and splits(tried[s]) <= split or (
                urgent and s == BODY + 4 and len(tried[s]) <= least + 1)))
        self.slides[start:] = tried[best]
        self.body = BODY

    def _section(self, sec: d.Section) -> None:
        """Stack a section's blocks; diagrams and tables share a slide with text when they
        fit, a chart or figure sits beside the text before it when that text is short."""
        blocks = sec.for_target("deck")
        notes = sec.notes or _auto_notes(sec, blocks)
        full_h = self.bottom - self.content_top(self.title(sec.heading))
        items: list = []
        text_run: list[d.Block] = []  # text blocks since the last diagram (for two columns)
        lone: d.Block | None = None  # a chart or figure on its own, text may follow it

        def close_run() -> None:
            """Text right after a lone chart or figure goes beside it when it fits."""
            nonlocal lone
            if lone is not None and text_run:
                pair = self.two_column(text_run, lone, full_h)
                if pair is not None:
                    del items[-len(text_run) - 1:]
                    items.append(pair)
            lone = None

        for b in blocks:
            if isinstance(b, (d.Chart, d.Figure)) and text_run and lone is None:
                pair = self.two_column(text_run, b, full_h)
                if pair is not None:
                    del items[-len(text_run):]
                    items.append(pair)
                    text_run = []
                    continue
            if not isinstance(b, (d.Text, d.ItemList, d.Callout, d.Exercise)):
                close_run()
            if isinstance(b, (d.Flow, d.Tree, d.Chart, d.Figure, d.Anatomy)):
                items.append(self.group(self.visual(b, 0, 0, self.w, full_h)))
                text_run = []
                lone = b if isinstance(b, (d.Chart, d.Figure)) else None
            elif isinstance(b, d.Table):
                shapes = self.table_shapes(b, full_h)
                if shapes is not None:
                    items.append(self.group(shapes))
                else:  # longer than a slide: pages of rows, header repeated
                    self.flush(sec.heading, items, notes)
                    items = []
                    self.table(b, sec.heading, notes)
                text_run = []
            elif isinstance(b, d.Quiz):
                self.flush(sec.heading, items, notes)
                items, text_run = [], []
                self.quiz(b, notes)
            elif isinstance(b, d.Exercise) and b.pose is not None:
                close_run()
                items += self.exercise(b, full_h)
                text_run = []
            elif isinstance(b, d.Callout) and b.level == "danger" and \
                    (alone := self.go_now(b, sec.heading)) is not None:
                # the emergency box whole on a slide of its own, under its own title; what
                # leads into it says it goes on (alone it reads as the whole section)
                if items:
                    cue = TextBox(self.x, 0, self.w, 0,
                                  paras=[self.cue(self.w, COLORS[b.level])])
                    cue.h = cue.text_height()
                    items.append(cue)
                self.flush(sec.heading, items, notes)
                items, text_run = [], []
                title, shapes = alone
                self.add("content", b.title, shapes, notes, title=title)
            else:
                items.append(self.panel(b, self.w))
                text_run.append(b)
        close_run()
        self.flush(sec.heading, items, notes)

    def two_column(self, text: list[d.Block], b: d.Block, full_h: float) -> "Group | None":
        """Text on the left, chart or figure on the right (the template's two columns), if
        the text fits the left one."""
        left, right = self.f.columns
        boxes = [self.panel(p, left.w) for p in text]
        if sum(x.h for x in boxes) + GAP * (len(boxes) - 1) > full_h:
            return None
        shapes: list[Shape] = []
        y = 0.0
        for box in boxes:
            shapes.append(replace(box, x=left.x - self.x, y=y))
            y += box.h + GAP
        shapes += self.visual(b, right.x - self.x, 0, right.w, full_h)
        return Group(shapes, max(sh.bottom for sh in shapes))

    def quiz(self, b: d.Quiz, notes: str) -> None:
        """「クイズ n」: the question and its choices as large as fit one slide (28 → 24 pt);
        「クイズ n の答え」: the same choices with the right one marked, then why."""
        n = 1 + sum(1 for s in self.slides if s.kind == "quiz")
        right = next((i for i, c in enumerate(b.choices) if c.plain == b.answer.plain), None)
        room = self.bottom - self.content_top(self.title(plain(f"クイズ {n} の答え")))
        w = self.w
        marks = "①②③④⑤⑥⑦⑧⑨"
        for size in (BODY + 8, BODY + 4):
            q = TextBox(0, 0, w, 0, paras=[para(b.question, w, size, True)])
            q.paras += [para(c, w, size, marker=marks[i], space=14)
                        for i, c in enumerate(b.choices)]
            q.h = q.text_height()
            if right is None:
                a = TextBox(0, 0, w, 0, paras=[para(labeled("答え：", b.answer),
                                                     w, size, True,
                                                             color=self.accent)])
            else:  # the choices again, the right one in bold and the accent colour
                a = TextBox(0, 0, w, 0, paras=[
                    para(labeled("正解 ", c) if i == right else c, w, size,
                         i == right, marker=marks[i], space=14 if i else 0,
                         color=self.accent if i == right else "555555")
                    for i, c in enumerate(b.choices)])
            if b.explanation:
                a.paras.append(para(b.explanation, w, size - 4, space=20))
            a.h = a.text_height()
            if max(q.h, a.h) <= room:
                break
        self.flush(plain(f"クイズ {n}"), [q], notes or "答えは次のスライドで示します。", "quiz")
        self.flush(plain(f"クイズ {n} の答え"), [a], b.explanation.plain if b.explanation
                   else b.answer.plain, "answer")

    def cover(self) -> None:
        """The title slide: the title in the template's title-slide title box, the subtitle
        and who presents it (clinic, date) in its subtitle box."""
        doc, f = self.doc, self.f
        t = self._title(doc.title, f.cover_title, COVER_SIZES, most=3)
        box = f.cover_subtitle
        who = plain(f"{doc.clinic.name}　{doc.reviewed:%Y年%-m月%-d日}")
        grey = ("333333", "444444") if f.house_style else ("000000", "000000")  # inherited
        for big, small in ((24.0, MIN_BODY), (20.0, SMALL), (MIN_BODY, SMALL)):
            paras = [para(doc.subtitle, box.w, big, color=grey[0])] if doc.subtitle else []
            paras.append(para(who, box.w, small, color=grey[1], space=12 if paras else 0))
            sub = TextBox(box.x, max(box.y, t.box.bottom + GAP), box.w, 0, paras=paras)
            sub.h = max(box.h, sub.text_height()) if sub.y == box.y else sub.text_height()
            if sub.text_height() <= box.h:
                break
        shapes: list[Shape] = []
        if f.house_style and t.box.y >= 30:  # an accent rule above the title: the one ornament
            shapes.append(TextBox(t.box.x, t.box.y - 22, 120, 8, fill=self.accent, inset=0.0,
                                  decorative=True))
        shapes.append(sub)
        self.slides.append(Slide("title", t.lines, t.size, shapes, _plain_notes(
            doc.title.plain, doc.subtitle.plain if doc.subtitle else ""), title_box=t.box,
            title_wrap=t.wrap))

    def plan(self) -> Deck:
        with keeping(self.doc.path, "deck-lines"):
            return self._plan()

    def _plan(self) -> Deck:
        doc = self.doc
        self.cover()
        # the one main message: as large as still fits one slide (28 → 24 pt)
        room = self.bottom - self.content_top(self.title(plain("今日いちばん伝えたいこと")))
        for size in (BODY + 8, BODY + 4):
            box = TextBox(0, 0, self.w, 0, paras=[
                para(k, self.w - 2 * PAD, size, True, marker="・", space=12 if i else 0)
                for i, k in enumerate(doc.key_points)])
            box.fill, box.border, box.border_w, box.inset = "F4F8FC", self.accent, 2.0, PAD
            box.h = box.text_height()
            if box.h <= room:
                break
        self.flush(plain("今日いちばん伝えたいこと"), [box],
                   "最初に結論を示します。" + " ".join(k.plain for k in doc.key_points), "points")
        for sec in doc.sections_for("deck"):
            self.section(sec)
        if doc.glossary:
            self.roomy(lambda: self.flush(plain("ことばの説明"), [
                self.panel(d.Text(g.meaning.mark, d.BOTH, labeled(g.term + "：", g.meaning)),
                           self.w) for g in doc.glossary], "用語の説明です。", "glossary"))
        if doc.references:
            # each reference whole on one slide, its address a link
            box = TextBox(0, 0, self.w, 0, paras=[
                para(_reference(r), self.w, SMALL, space=4, whole=True) for r in doc.references])
            box.h = box.text_height()
            self.flush(plain("参考文献"), [box], "出典の一覧です。DOI から原著を確認できます。",
                       "references")
        self.closing()
        for i, s in enumerate(self.slides, 1):
            s.number = i
        return Deck(title=doc.title.plain, subtitle=doc.subtitle.plain if doc.subtitle else "",
                    author=doc.clinic.author or doc.clinic.name, footer=doc.title.plain,
                    lang="ja-JP", slides=self.slides, accent=self.accent,
                    created=f"{doc.reviewed:%Y-%m-%d}", frame=self.f)

    def closing(self) -> None:
        """The clinic's contact details, with the QR code of its URL in the right column."""
        c = self.doc.clinic
        left, right = self.f.columns
        qr = min(180.0, right.w)
        w = left.w if c.url else self.w
        info = [plain(t) for t in (c.name, c.address, c.phone and f"電話 {c.phone}", c.hours)
                if t]
        if c.url:
            info.append(Rich((Span(c.url, link=c.url),), info[0].mark))
        box = TextBox(0, 0, w, 0, paras=[
            para(t, w, BODY + (4 if i == 0 else 0), i == 0, space=6 if i else 0)
            for i, t in enumerate(info)])
        box.h = box.text_height()
        title = self.title(plain("お問い合わせ"))
        top = self.content_top(title)
        shapes: list[Shape] = [replace(box, x=left.x if c.url else self.x, y=top)]
        if c.url:
            shapes.append(Picture(right.right - qr, top, qr, qr, data=_qr_png(c.url),
                                  alt=f"QRコード: {c.url}", link=c.url))
        self.add("closing", None, shapes, "連絡先です。QRコードからウェブサイトを開けます。",
                 title=title)


def _reference(r: d.Reference) -> Rich:
    """「[n] cite address」 with the address a link, a DOI printed doi:10.… and linked over
    https (as the leaflet's list)."""
    spans = (Span(f"[{r.number}] {r.cite}" + (" " if r.link else "")),)
    if r.link:
        spans += (Span(r.address, link=r.link),)
    return Rich(spans, r.mark)


def title_color(deck: Deck, slide: Slide) -> str:
    """Slide titles in the clinic's accent; the title slide's own title in black."""
    return "000000" if slide.kind == "title" else deck.accent


def footer_boxes(deck: Deck, s: Slide) -> list[TextBox]:
    """The footer as the PPTX writer lays it out, in the template's footer and slide-number
    placeholders (those it has): the topic, shortened with 「…」 when too long for its box,
    and the slide's number."""
    f = deck.frame
    size = f.footer_size
    out = []
    if f.footer is not None:
        width = f.footer.w - 2 * INSET
        out.append(TextBox(f.footer.x, f.footer.y, f.footer.w, f.footer.h, name="ftr", paras=[
            Para(lines(plain(shortened(deck.footer, width, size)), width, size)[:1], size,
                 color="555555")]))
    if f.number is not None:
        num = str(s.number)  # the PPTX slide-number field shows the number alone
        out.append(TextBox(f.number.x, f.number.y, f.number.w, f.number.h, name="sldNum",
                           paras=[Para(lines(plain(num), f.number.w, size), size,
                                       color="555555", align="center")]))
    return out


def inside(slides: list[Slide], bottom: float) -> bool:
    """No shape runs below the content area: a block kept whole (an exercise card beside its
    figure) is placed even when it is taller than a slide, so a larger size must not make it
    so."""
    return all(sh.bottom <= bottom + 0.5 for s in slides for sh in flat(s.shapes))


def splits(slides: list[Slide]) -> int:
    """How many parts of titled boxes go on on a later slide."""
    return sum(1 for s in slides for sh in flat(s.shapes)
               if isinstance(sh, TextBox) and sh.goes_on)


def _auto_notes(sec: d.Section, blocks: list[d.Block]) -> str:
    """Every text of the section's slides: a presenter reading the notes of the help boxes
    must never get a list that looks complete when it is not (clinical review §2)."""
    texts = [r.plain for b in blocks for r in d.block_texts(b)]
    return _plain_notes(sec.heading.plain, *texts)


def _plain_notes(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


@lru_cache(maxsize=16)  # one clinic URL for a whole batch
def _qr_png(url: str) -> bytes:
    """The QR code of `url` as PNG bytes, kept on disk (fontcache): importing segno and
    encoding cost ~15 ms that `check` and every build of a deck would pay again."""
    return fontcache.cached_for_text(url, "qr", _qr_version(), lambda: _make_qr(url))


def _make_qr(url: str) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=10, border=2)
    return buf.getvalue()


def _qr_version() -> str:
    """This module and segno's (its version is in its __init__), without importing segno."""
    return fontcache.code_version(__file__, importlib.util.find_spec("segno").origin)


def plan(doc: d.Document, accent: str | None = None, frame: Frame | None = None) -> Deck:
    """The deck of a document in `frame` (the template's geometry; the default template's
    when None); `accent` (RRGGBB) replaces the clinic's accent colour (a deck template's
    own accent 1)."""
    return Planner(doc, accent, frame).plan()


def _runs(short: list[bool]) -> list[tuple[bool, list[int]]]:
    """Item indexes in the order written, as (in two columns, indexes) segments: a run of
    four or more consecutive one-line items goes in columns (fewer would not save a line),
    the others across the width."""
    out: list[tuple[bool, list[int]]] = []
    i = 0
    while i < len(short):
        j = i
        while j < len(short) and short[j]:
            j += 1
        if j - i >= 4:
            out.append((True, list(range(i, j))))
        else:
            j = max(j, i + 1)
            if out and not out[-1][0]:
                out[-1][1].extend(range(i, j))
            else:
                out.append((False, list(range(i, j))))
        i = j
    return out
