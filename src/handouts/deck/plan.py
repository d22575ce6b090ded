"""Document → Deck: every slide laid out and every line measured before anything is written.

Text never shrinks below BODY (18 pt minimum; 20 pt by default) and never leaves its box:
what does not fit continues on a follow-up slide titled 「…（続き）」.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from functools import lru_cache

from .. import document as d
from ..diagnostics import SpecError
from ..diagrams import geometry as geo
from ..fonts import fonts
from ..text.breaking import phrase_starts
from ..text.inline import Rich, Span, continued_title, plain
from ..text.adjust import wa_o
from ..text.setting import set_lines, visible
from .model import (INSET, PITCH, SLIDE_W, Arrow, BarChart, Deck, Diagram, Drawing, Para,
                    Picture, Shape, Slide, Table, TextBox, flat)

BODY = 20.0
MIN_BODY = 18.0
ROOMY = (BODY + 8, BODY + 4, BODY)  # body sizes tried, largest first
SMALL = 16.0
MARGIN = 40.0
CONTENT_W = SLIDE_W - 2 * MARGIN
TITLE_TOP = 22.0
CONTENT_BOTTOM = 492.0
FOOTER_Y = 506.0
GAP = 10.0
COLORS = {"danger": "A00000", "warning": "7A4300", "info": "1F4E79"}
FILLS = {"danger": "FFF0F0", "warning": "FFFFFF", "info": "FFFFFF"}
BANDS = ("E4ECF5", "F4F7FB")  # table body rows: light tints that keep black text at AAA
FOOTER_SIZE = 12.0
SLIDE_NUMBER_W = 90.0
SLIDE_NUMBER_X = SLIDE_W - MARGIN - SLIDE_NUMBER_W
FOOTER_W = CONTENT_W - SLIDE_NUMBER_W - 180  # the date placeholder sits between the two
TITLE_SLIDE_Y = 150.0  # top of the title on the title slide
PAD = 10.0  # inset of bordered boxes (callouts, exercise cards, key points)


def for_deck(rich: Rich) -> Rich:
    """Slides show ruby as base（reading）: PowerPoint has no ruby of its own. Readings
    given per character ({椎間関節|つい.かん.かん.せつ}) are shown once for the word, and
    after its okurigana: 痛む（いたむ）."""
    if not any(s.ruby for s in rich.spans):
        return rich
    spans: list[Span] = []
    after_reading = False  # the span before was a reading (not okurigana): 椎|間 go on
    for s in rich.spans:
        if spans and spans[-1].ruby and (s.same_word or s.ruby and after_reading):
            spans[-1] = Span(spans[-1].text + s.text, spans[-1].strong, ruby=spans[-1].ruby
                             + (s.ruby or s.text))
        else:
            spans.append(s)
        after_reading = bool(s.ruby)
    spans = [Span(f"{s.text}（{s.ruby}）", s.strong, whole=True) if s.ruby else s
             for s in spans]
    return Rich(tuple(spans), rich.mark)


AUTOSPACE = 0.25  # em LibreOffice adds between Japanese and Latin text (measured 0.243)


def autospace(text: str, size: float) -> float:
    """Extra width LibreOffice draws at the Asian↔Latin boundaries of one line beyond the
    和欧間 the line was set with (its 'Asian typography' spacing also comes beside
    punctuation such as 「（MRI」; PowerPoint adds none, so counting it only costs a little
    room there)."""
    n = sum(1 for a, b in zip(text, text[1:]) if a.isascii() != b.isascii() and not wa_o(a, b))
    return n * size * AUTOSPACE


def lines(rich: Rich | list[Rich], width: float, size: float, bold: bool = False,
          phrases: bool = False):
    riches = [for_deck(r) for r in (rich if isinstance(rich, list) else [rich])]
    # a 3 % margin keeps PowerPoint/Keynote from wrapping earlier than we measured; lines
    # with Latin words are set narrower until they fit with LibreOffice's autospacing too
    target = w = width * 0.97
    for _ in range(12):  # converges in one or two rounds; the cap guards odd input
        ls = set_lines(riches, w, size, bold, phrases)
        over = max(ln.width + autospace(ln.text, size) - target for ln in ls)
        if over <= 0.01 or w - over < target * 0.6:
            break
        w -= max(over, size * 0.25)
    # no widow of one or two characters (「す。」): narrow the lines a little if that
    # brings more text down without adding a line
    for k in range(1, 4):
        if len(ls) < 2 or visible(ls[-1]) > 2:
            break
        alt = set_lines(riches, w - k * size, size, bold, phrases)
        if len(alt) == len(ls) and visible(alt[-1]) > 2:
            return alt
    return ls


def para(rich: Rich, width: float, size: float = BODY, bold: bool = False,
         marker: str | None = None, color: str = "000000", space: float = 0.0) -> Para:
    p = Para([], size, bold, color, marker, space_before=space)
    # large bold text reads like a heading: break it at phrase boundaries
    p.lines = lines(rich, width - 2 * INSET - p.indent, size, bold,
                    phrases=bold and size >= BODY + 2)
    return p


def on_color(fill: str) -> str:
    """White text on a dark fill, black on a light one (WCAG relative luminance)."""
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(int(fill[i:i + 2], 16) / 255) for i in (0, 2, 4))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "FFFFFF" if 1.05 / (lum + 0.05) >= 4.5 else "000000"


def labeled(label: str, rich: Rich) -> Rich:
    return Rich((Span(label, strong=True),) + rich.spans, rich.mark)


class Planner:
    def __init__(self, doc: d.Document, accent: str | None = None):
        self.doc = doc
        self.slides: list[Slide] = []
        self.body = BODY  # body size of text panels; a section may be set larger
        self.accent = (accent or doc.clinic.accent).lstrip("#").upper()

    # -- titles ---------------------------------------------------------------------------
    def title(self, rich: Rich, continued: int = 0) -> tuple[list, float]:
        """The title's lines and size; `continued` > 0 adds 「（続き）」, 「（続き2）」…"""
        r = continued_title(rich, continued) if continued else rich
        for size in (32.0, 28.0, 24.0):
            ls = lines(r, CONTENT_W, size, True, phrases=True)
            if len(ls) <= 2:
                return ls, size
        return ls, size

    def content_top(self, title_lines, size) -> float:
        return TITLE_TOP + len(title_lines) * size * PITCH + 2 * INSET + 14

    def uses(self, heading: Rich) -> int:
        """How many slides already carry this heading in their title."""
        return sum(1 for s in self.slides if s.heading == heading.plain)

    def next_title(self, heading: Rich) -> tuple[list, float]:
        """The heading as the next slide's title: plain the first time, then 「（続き）」,
        「（続き2）」…, so no two slides share a title (PowerPoint's accessibility check)."""
        return self.title(heading, self.uses(heading))

    def add(self, kind: str, heading: Rich | None, shapes: list[Shape], notes: str,
            title=None) -> None:
        tl, ts = title if title else self.next_title(heading)
        if kind not in ("closing", "references"):
            shapes = balanced(shapes, self.content_top(tl, ts))
        self.slides.append(Slide(kind, tl, ts, shapes, notes,
                                 heading=heading.plain if heading else ""))

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
            if b.text:
                box.paras.append(P(b.text, w - 12))
            box.paras += [P(r, w - 12, marker="・", bold=b.level == "danger")
                          for r in b.items]
            box.fill, box.border, box.inset = FILLS[b.level], c, PAD
            box.border_w = {"danger": 4.0, "warning": 2.5, "info": 1.25}[b.level]
            box.dash = b.level == "warning"
        elif isinstance(b, d.Exercise):
            box.paras = [P(b.name, w - 12, body + 2, True, color=self.accent)]
            for label, val in (("ねらい：", b.target), ("姿勢：", b.position)):
                if val:
                    box.paras.append(P(labeled(label, val), w - 12))
            if len(b.steps) == 1:  # a single step reads better unnumbered
                box.paras.append(P(labeled("やり方：", b.steps[0]), w - 12))
            else:
                box.paras += [P(r, w - 12, marker=f"{i}.")
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

    def flush(self, heading: Rich, items: list, notes: str, kind: str = "content") -> bool:
        """Stack items top to bottom on as many slides as they need.

        A TextBox may split at a line (the rest continues on a 「（続き）」 slide); a Group
        (a diagram, chart or table) moves whole to the next slide when it does not fit.
        Returns whether any slide was added."""
        if not items:
            return False
        title = self.next_title(heading)
        top = self.content_top(*title)
        y, placed = top, []
        queue = list(items)
        while queue:
            item = queue.pop(0)
            room = CONTENT_BOTTOM - y
            if item.h <= room:
                for shape in item.at(MARGIN, y):
                    if not _joined(placed, shape):
                        placed.append(shape)
                y += item.h + GAP
                continue
            fresh = CONTENT_BOTTOM - self.content_top(*self.title(heading, 9))
            if isinstance(item, Group) or (placed and item.h <= fresh):
                # move it whole to the next slide rather than leave a stub behind
                if not placed:  # taller than an empty slide: it was sized to fit one
                    placed += item.at(MARGIN, y)
                    y = CONTENT_BOTTOM
                    continue
                queue.insert(0, item)
                self.add(kind, heading, placed, notes, title=title)
                title = self.next_title(heading)
            else:
                head, tail = split_box(item, room)
                if head is not None:
                    placed.append(replace(head, x=MARGIN, y=y))
                elif not placed:  # not one line fits an empty slide: report, never drop
                    raise SpecError([heading.mark.error(
                        "a line of text is taller than a whole slide", "fit")])
                if tail is not None:
                    queue.insert(0, tail)
                self.add(kind, heading, placed, notes, title=title)
                title = self.next_title(heading)
            top = self.content_top(*title)
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
        paras = [Para(lines(s, inner, BODY, True), BODY, True, align="center")
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
        tries += [(s, True) for s in (BODY, MIN_BODY, SMALL)]
        for size, sideways in tries:
            shapes = self._tree(b, x, top, w, h_avail, size, sideways)
            if shapes is not None:
                bottom = max(s.bottom for s in shapes)
                return [Diagram.of(shapes + self.caption(b.caption, x, bottom + 10, w),
                                   b.alt, "枝分かれの図")]
        raise SpecError([b.mark.error(
            "tree diagram does not fit on one slide even at 16 pt; shorten its labels or "
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
                                     maximum=b.max, font_size=MIN_BODY)]
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
        """The lumbar figure, with its numbered targets listed on the right."""
        from ..diagrams import lumbar
        from ..fonts import fonts

        h_avail = h - self.caption_h(b.caption, w)
        legend_w = w * 0.33 if b.markers else 0.0
        art_w = w - legend_w - (GAP * 2 if b.markers else 0)
        # labels at 16 pt like tree notes: the bones get the room (the figure then fills
        # a slide of its own)
        art = lumbar.draw(b.detail, [t.site for t in b.markers], b.emphasis, art_w, h_avail,
                          SMALL, fonts().width, lumbar.Style(self.accent))
        out: list[Shape] = [Drawing(x, top, art.width, art.height, name="腰椎の図", art=art,
                                    alt=b.alt)]
        if b.markers:
            paras = []
            for i, t in enumerate(b.markers):  # 18 pt: 「L4 内側枝：L5 横突起基部」 on one line
                p = Para([], MIN_BODY, marker="①②③④⑤⑥"[i], space_before=8 if i else 0)
                p.lines = lines(t.text, legend_w - 2 * INSET - p.indent, MIN_BODY, phrases=True)
                paras.append(p)
            box = TextBox(x + art_w + 2 * GAP, top, legend_w, 0, paras=paras)
            box.h = box.text_height()
            out.append(replace(box, y=top + max(0.0, (art.height - box.h) / 2)))
        return out + self.caption(b.caption, x, top + art.height + 6, w)

    def exercise(self, b: d.Exercise, full_h: float) -> "Group":
        """The exercise card on the left, its pose figure on the right."""
        from ..diagrams import figure

        # as large as a slide allows: the figure is what the back row reads
        fig_w = CONTENT_W * 0.45
        box = self.panel(b, CONTENT_W - fig_w - 2 * GAP)
        fig_h = min(full_h, fig_w / figure.aspect(b.pose))
        art = figure.draw(b.pose, fig_h * figure.aspect(b.pose), fig_h, self.accent, 1.6)
        fx = CONTENT_W - art.width
        return Group([box, Drawing(fx, 0, art.width, art.height, name="運動の図", art=art,
                                   alt=b.alt)], max(box.h, art.height))

    def table_rows(self, b: d.Table):
        """(header cells, header height, [(cells, height)]) measured at full width."""
        col = CONTENT_W / len(b.header)

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
        if sum(heights) + self.caption_h(b.caption, CONTENT_W) > full_h:
            return None
        n = len(b.header)
        shapes: list[Shape] = [Table(0, 0, CONTENT_W, sum(heights),
                                     cells=[header] + [c for c, _ in rows],
                                     col_widths=[CONTENT_W / n] * n, row_heights=heights,
                                     head_fill=self.accent, band_fills=BANDS)]
        return shapes + self.caption(b.caption, 0, sum(heights) + 8, CONTENT_W)

    def table(self, b: d.Table, heading: Rich, notes: str) -> None:
        n = len(b.header)
        col = CONTENT_W / n
        header, hh, rows = self.table_rows(b)
        first = True
        while rows or first:
            title = self.next_title(heading)
            top = self.content_top(*title)
            room = CONTENT_BOTTOM - top - self.caption_h(b.caption, CONTENT_W) - hh
            take, used = [], 0.0
            while rows and (used + rows[0][1] <= room or not take):
                used += rows[0][1]
                take.append(rows.pop(0))
            cells = [header] + [r[0] for r in take]
            heights = [hh] + [r[1] for r in take]
            shapes: list[Shape] = [Table(MARGIN, top, CONTENT_W, sum(heights), cells=cells,
                                         col_widths=[col] * n, row_heights=heights,
                                         head_fill=self.accent, band_fills=BANDS)]
            shapes += self.caption(b.caption, MARGIN, top + sum(heights) + 8, CONTENT_W)
            self.add("content", heading, shapes, notes, title=title)
            first = False

    # -- slides -----------------------------------------------------------------------------
    def group(self, shapes: list[Shape]) -> "Group":
        """Shapes drawn at the origin, kept together; their height decides where they go."""
        top = min(sh.y for sh in shapes)
        moved = [sh.shifted(0, -top) for sh in shapes]
        return Group(moved, max(sh.bottom for sh in moved))

    def section(self, sec: d.Section) -> None:
        urgent = any(isinstance(b, d.Callout) and b.level == "danger"
                     for b in sec.for_target("deck"))
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
        least = len(tried[BODY])
        best = next(s for s in ROOMY if s == BODY or inside(tried[s]) and (
            len(tried[s]) <= least or (urgent and s == BODY + 4 and len(tried[s]) <= least + 1)))
        self.slides[start:] = tried[best]
        self.body = BODY

    def _section(self, sec: d.Section) -> None:
        """Stack a section's blocks; diagrams and tables share a slide with text when they
        fit, a chart or figure sits beside the text before it when that text is short."""
        blocks = sec.for_target("deck")
        notes = sec.notes or _auto_notes(sec, blocks)
        full_h = CONTENT_BOTTOM - self.content_top(*self.title(sec.heading))
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
                items.append(self.group(self.visual(b, 0, 0, CONTENT_W, full_h)))
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
                items.append(self.exercise(b, full_h))
                text_run = []
            else:
                items.append(self.panel(b, CONTENT_W))
                text_run.append(b)
        close_run()
        self.flush(sec.heading, items, notes)

    def two_column(self, text: list[d.Block], b: d.Block, full_h: float) -> "Group | None":
        """Text on the left, chart or figure on the right, if the text fits at half width."""
        half = (CONTENT_W - 24) / 2
        boxes = [self.panel(p, half) for p in text]
        if sum(x.h for x in boxes) + GAP * (len(boxes) - 1) > full_h:
            return None
        shapes: list[Shape] = []
        y = 0.0
        for box in boxes:
            shapes.append(replace(box, x=0, y=y))
            y += box.h + GAP
        shapes += self.visual(b, half + 24, 0, half, full_h)
        return Group(shapes, max(sh.bottom for sh in shapes))

    def quiz(self, b: d.Quiz, notes: str) -> None:
        """「クイズ n」: the question and its choices as large as fit one slide (28 → 24 pt);
        「クイズ n の答え」: the same choices with the right one marked, then why."""
        n = 1 + sum(1 for s in self.slides if s.kind == "quiz")
        right = next((i for i, c in enumerate(b.choices) if c.plain == b.answer.plain), None)
        room = CONTENT_BOTTOM - self.content_top(*self.title(plain(f"クイズ {n} の答え")))
        marks = "①②③④⑤⑥⑦⑧⑨"
        for size in (BODY + 8, BODY + 4):
            q = TextBox(0, 0, CONTENT_W, 0, paras=[para(b.question, CONTENT_W, size, True)])
            q.paras += [para(c, CONTENT_W, size, marker=marks[i], space=14)
                        for i, c in enumerate(b.choices)]
            q.h = q.text_height()
            if right is None:
                a = TextBox(0, 0, CONTENT_W, 0, paras=[para(labeled("答え：", b.answer),
                                                             CONTENT_W, size, True,
                                                             color=self.accent)])
            else:  # the choices again, the right one in bold and the accent colour
                a = TextBox(0, 0, CONTENT_W, 0, paras=[
                    para(labeled("正解 ", c) if i == right else c, CONTENT_W, size,
                         i == right, marker=marks[i], space=14 if i else 0,
                         color=self.accent if i == right else "555555")
                    for i, c in enumerate(b.choices)])
            if b.explanation:
                a.paras.append(para(b.explanation, CONTENT_W, size - 4, space=20))
            a.h = a.text_height()
            if max(q.h, a.h) <= room:
                break
        self.flush(plain(f"クイズ {n}"), [q], notes or "答えは次のスライドで示します。", "quiz")
        self.flush(plain(f"クイズ {n} の答え"), [a], b.explanation.plain if b.explanation
                   else b.answer.plain, "answer")

    def plan(self) -> Deck:
        doc = self.doc
        # title slide
        t_lines = lines(doc.title, CONTENT_W, 40, True, phrases=True)
        t_h = len(t_lines) * 40 * PITCH + 2 * INSET
        y = TITLE_SLIDE_Y
        # an accent rule above the title: the deck's one decorative mark
        shapes: list[Shape] = [TextBox(MARGIN, y - 22, 120, 8, fill=self.accent, inset=0.0,
                                       decorative=True)]
        if doc.subtitle:
            sub = TextBox(MARGIN, y + t_h + 20, CONTENT_W, 0,
                          paras=[para(doc.subtitle, CONTENT_W, 24, color="333333")])
            sub.h = sub.text_height()
            shapes.append(sub)
        who = TextBox(MARGIN, 420, CONTENT_W, 0, paras=[para(plain(
            f"{doc.clinic.name}　{doc.reviewed:%Y年%-m月%-d日}"), CONTENT_W, MIN_BODY,
            color="444444")])
        who.h = who.text_height()
        shapes.append(who)
        self.slides.append(Slide("title", t_lines, 40, shapes, _plain_notes(
            doc.title.plain, doc.subtitle.plain if doc.subtitle else ""), title_y=y))
        # key points
        # the one main message: as large as still fits one slide (28 → 24 pt)
        room = CONTENT_BOTTOM - self.content_top(*self.title(plain("今日いちばん伝えたいこと")))
        for size in (BODY + 8, BODY + 4):
            box = TextBox(0, 0, CONTENT_W, 0, paras=[
                para(k, CONTENT_W - 2 * PAD, size, True, marker="・", space=12 if i else 0)
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
                           CONTENT_W) for g in doc.glossary], "用語の説明です。", "glossary"))
        if doc.references:
            box = TextBox(0, 0, CONTENT_W, 0, paras=[
                para(plain(f"[{r.number}] {r.cite}" + (f" {r.link}" if r.link else "")),
                     CONTENT_W, SMALL, space=4) for r in doc.references])
            box.h = box.text_height()
            self.flush(plain("参考文献"), [box], "出典の一覧です。DOI から原著を確認できます。",
                       "references")
        self.closing()
        for i, s in enumerate(self.slides, 1):
            s.number = i
        return Deck(title=doc.title.plain, subtitle=doc.subtitle.plain if doc.subtitle else "",
                    author=doc.clinic.author or doc.clinic.name, footer=doc.title.plain,
                    lang="ja-JP", slides=self.slides, accent=self.accent,
                    created=f"{doc.reviewed:%Y-%m-%d}")

    def closing(self) -> None:
        c = self.doc.clinic
        info = [c.name] + [x for x in (c.address, c.phone and f"電話 {c.phone}", c.hours, c.url)
                           if x]
        w = CONTENT_W - (200 if c.url else 0)
        box = TextBox(0, 0, w, 0, paras=[
            para(plain(t), w, BODY + (4 if i == 0 else 0), i == 0, space=6 if i else 0)
            for i, t in enumerate(info)])
        box.h = box.text_height()
        title = self.title(plain("お問い合わせ"))
        top = self.content_top(*title)
        shapes: list[Shape] = [replace(box, x=MARGIN, y=top)]
        if c.url:
            shapes.append(Picture(SLIDE_W - MARGIN - 180, top, 180, 180, data=_qr_png(c.url),
                                  alt=f"QRコード: {c.url}"))
        self.add("closing", None, shapes, "連絡先です。QRコードからウェブサイトを開けます。",
                 title=title)


@dataclass
class Group:
    """Shapes that move together (a diagram, chart, table or a two-column pair)."""

    shapes: list[Shape]
    h: float

    def at(self, x: float, y: float) -> list[Shape]:
        return [sh.shifted(x, y) for sh in self.shapes]


def inside(slides: list[Slide]) -> bool:
    """No shape runs below the content area: a block kept whole (an exercise card beside its
    figure) is placed even when it is taller than a slide, so a larger size must not make it
    so."""
    return all(sh.bottom <= CONTENT_BOTTOM + 0.5 for s in slides for sh in flat(s.shapes))


def balanced(shapes: list[Shape], top: float) -> list[Shape]:
    """A slide's content moved down into the empty space below it, 40 % of the way, so a
    short slide does not leave its lower half empty (a full slide stays where it is)."""
    if not shapes:
        return shapes
    free = CONTENT_BOTTOM - max(s.bottom for s in shapes)
    if min(s.y for s in shapes) < top - 0.5 or free < 1:
        return shapes
    return [s.shifted(0, free * 0.4) for s in shapes]


def _plain_text(s: Shape) -> bool:
    return (isinstance(s, TextBox) and not (s.fill or s.border or s.caption)
            and s.anchor == "top" and bool(s.paras))


def _joined(placed: list[Shape], box: Shape) -> bool:
    """Append a plain text box to the plain text box just above it, if there is one: the
    two become one box (one body placeholder in the PPTX, edited as one text), the gap
    between them space before its first paragraph. Same positions, same lines."""
    last = placed[-1] if placed else None
    if not (_plain_text(box) and _plain_text(last) and last.x == box.x and last.w == box.w
            and abs(box.y - (last.bottom + GAP)) < 0.01 and last.inset == box.inset):
        return False
    first = replace(box.paras[0], space_before=box.paras[0].space_before + GAP + 2 * box.inset)
    placed[-1] = replace(last, paras=last.paras + [first] + box.paras[1:], h=box.bottom - last.y)
    return True


def split_box(box: TextBox, room: float) -> tuple[TextBox | None, TextBox | None]:
    """Split a text box at a paragraph or line boundary so the head fits `room`."""
    avail = room - 2 * box.inset
    head: list[Para] = []
    used = 0.0
    for i, p in enumerate(box.paras):
        if used + p.height <= avail:
            head.append(p)
            used += p.height
            continue
        fit = int((avail - used - p.space_before) // (p.size * PITCH))
        rest = box.paras[i + 1:]
        if fit >= 1 and fit < len(p.lines):
            head.append(replace(p, lines=p.lines[:fit]))
            rest = [replace(p, lines=p.lines[fit:], marker=None, space_before=0)] + rest
        else:
            rest = [replace(p, space_before=0)] + rest
        h_box = replace(box, paras=head) if head else None
        t_box = replace(box, paras=rest)
        if h_box:
            h_box.h = h_box.text_height()
        t_box.h = t_box.text_height()
        return h_box, t_box
    return box, None


def title_box(s: Slide) -> tuple[float, float, float, float]:
    """Where a slide's title goes (x, y, w, h). A title of several lines is as wide as its
    widest measured line (with the planner's margin), so PowerPoint, wrapping it itself,
    breaks it about where we did instead of leaving one or two characters on a line of
    their own."""
    h = len(s.title) * s.title_size * PITCH + 2 * INSET
    if len(s.title) < 2:
        return MARGIN, s.title_y, CONTENT_W, h
    widest = max(ln.width + autospace(ln.text, s.title_size) for ln in s.title)
    return MARGIN, s.title_y, min(CONTENT_W, widest / 0.97 + 2 * INSET + 2), h


def title_color(deck: Deck, slide: Slide) -> str:
    """Slide titles in the clinic's accent; the title slide's own title in black."""
    return "000000" if slide.kind == "title" else deck.accent


@lru_cache(maxsize=64)
def shortened(text: str, width: float, size: float) -> str:
    """`text` whole if it fits on one line of `width`, else cut at the last phrase (BudouX)
    or word boundary that leaves room for 「…」: never inside a word or a number."""
    if len(lines(plain(text), width, size)) == 1:
        return text
    cuts = phrase_starts(text) | {i for i, c in enumerate(text) if c == " "}
    for cut in sorted(cuts, reverse=True):
        head = text[:cut].rstrip(" 　、。，,・:：（(「『【")
        if head and len(lines(plain(head + "…"), width, size)) == 1:
            return head + "…"
    first = lines(plain(text), width - fonts().width("…", size), size)[0].text
    return first.rstrip() + "…"  # one word longer than the line: the line breaker's cut


def footer_boxes(deck: Deck, s: Slide) -> list[TextBox]:
    """The footer as the PPTX writer lays it out: topic on the left, the slide number on
    the right; a topic too long for it is shortened with 「…」."""
    width = FOOTER_W - 2 * INSET
    left = TextBox(MARGIN, FOOTER_Y, FOOTER_W, FOOTER_SIZE * PITCH + 2 * INSET,
                   paras=[Para(lines(plain(shortened(deck.footer, width, FOOTER_SIZE)), width,
                                     FOOTER_SIZE)[:1], FOOTER_SIZE, color="555555")])
    num = str(s.number)  # the PPTX slide-number field shows the number alone
    right = TextBox(SLIDE_NUMBER_X, FOOTER_Y, SLIDE_NUMBER_W, left.h,
                    paras=[Para(lines(plain(num), SLIDE_NUMBER_W, FOOTER_SIZE), FOOTER_SIZE,
                                color="555555", align="center")])
    return [left, right]


def _auto_notes(sec: d.Section, blocks: list[d.Block]) -> str:
    """Every text of the section's slides: a presenter reading the notes of the help boxes
    must never get a list that looks complete when it is not (clinical review §2)."""
    texts = [r.plain for b in blocks for r in d.block_texts(b)]
    return _plain_notes(sec.heading.plain, *texts)


def _plain_notes(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


@lru_cache(maxsize=16)  # one clinic URL for a whole batch
def _qr_png(url: str) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=10, border=2)
    return buf.getvalue()


def plan(doc: d.Document, accent: str | None = None) -> Deck:
    """The deck of a document; `accent` (RRGGBB) replaces the clinic's accent colour (a
    deck template's own accent 1)."""
    return Planner(doc, accent).plan()
