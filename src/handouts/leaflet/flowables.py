"""reportlab flowables that set text with the project's own Japanese line breaker."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

from reportlab.lib import colors
from reportlab.platypus import Flowable, Spacer
from reportlab.platypus import Table as RLTable

from ..pdfdraw import draw_art, draw_line, draw_text
from ..text.breaking import Line
from ..text.inline import Rich
from ..text.setting import has_ruby, ruby_pitch, ruby_top, set_lines, visible
from ..pdf.tagging import Element, artifact, content, lines

DOT = "dot"  # marker drawn as a vector bullet: no stray '・' at the start of extracted lines


# JLREQ's comfortable maximum for a line of horizontal text, by count: BIZ UDPGothic's
# proportional kana would put 41-44 characters on the A4 measure of 40 em
BODY_CHARS = 40
NARROW = 20  # a measure under this many ems is a narrow column
# the widest average gap (ems) a justified line is spread to bring a lone last character
# down: about what the earlier limit, three characters narrower, gave the narrowest
# justified line (20 characters: 3/19 em)
SPREAD = 0.15


@dataclass(frozen=True)
class Type:
    """A text style: size in points, line pitch as a multiple of the size."""

    size: float
    bold: bool = False
    pitch: float = 1.6
    color: object = colors.black
    phrases: bool = False  # a heading: broken at phrases, ragged right
    justify: bool = True  # body text fills the measure (not headings, not references)

    @property
    def lead(self) -> float:
        return self.size * self.pitch


def _spread(line: Line) -> float:
    """The average extra advance between a justified line's characters (points; 和欧間
    and squeezed punctuation counted as spread: an upper bound)."""
    return sum(line.extras) / max(1, len(line.extras) - 1)


class Para(Flowable):
    """A paragraph of Rich text, optionally with a marker (bullet, number, tick box).

    `element` is what the text is (a paragraph, heading, list item body...) and `label`
    what the marker is; without an element the text is an artifact (a repeated title)."""

    def __init__(self, rich: Rich | list[Rich] | None, t: Type, indent: float = 0.0,
                 marker: str | None = None, box: bool = False, lines: list[Line] | None = None,
                 continued: bool = False, element: Element | None = None,
                 label: Element | None = None):
        super().__init__()
        self.rich, self.t, self.indent = rich, t, indent
        self.marker, self.box, self._lines, self.continued = marker, box, lines, continued
        self.element, self.label = element, label
        self._width = None
        self._drawn = False
        self._continues = False  # the head of a paragraph split across pages
        self._justified = t.justify and not t.phrases  # as set (narrow columns: ragged)

    def _set(self, width: float) -> list[Line]:
        """Set the text, justified unless it is a heading (broken at phrases, ragged); a
        last line of one or two characters (泣き別れ; closing punctuation and citation
        marks not counted) is avoided by breaking the lines narrower, keeping the same
        line count and measure: justified text (its lines spread back to the measure) as
        long as no line's characters are spread more than SPREAD apart on average (a line
        already short of the measure, before a citation that cannot start a line, has
        less to give than a full one), ragged text by up to six characters."""
        t = self.t
        # a narrow column breaks at phrases, ragged: spread over a few characters a line,
        # justification opens visible gaps and breaks words (「片/ひざ」)
        phrases = t.phrases or width < NARROW * t.size
        just = self._justified = t.justify and not phrases
        # the character cap of the body measure, ragged lines too (not small print, whose
        # measure is far more than 40 of its characters)
        chars = BODY_CHARS if not phrases and width < (BODY_CHARS + 1) * t.size else None
        lines = set_lines(self.rich, width, t.size, t.bold, phrases, just, chars=chars)
        if len(lines) >= 2 and visible(lines[-1]) <= 2:
            for k in range(1, 13):
                # the character cap narrows too: lines held at 40 characters by count (kana
                # are narrower than an em) would not change with the width alone
                cap = chars - (k + 1) // 2 if chars else None
                alt = set_lines(self.rich, width - k * t.size / 2, t.size, t.bold, phrases,
                                just, width, cap)
                if just and any(_spread(ln) > SPREAD * t.size for ln in alt[:-1]):
                    break  # spread wider: the short line is the lesser evil
                if len(alt) == len(lines) and visible(alt[-1]) > 2:
                    return alt
        return lines

    def _line_heights(self) -> list[float]:
        """One pitch for every line, ruby or not; a first line with ruby gets room above
        it for the readings (the baselines keep their distance)."""
        t = self._pitched()
        heights = [t.lead] * len(self._lines)
        if self._lines and has_ruby(self._lines[0]):
            heights[0] += max(0.0, (ruby_top() - self._base_drop(t)) * t.size)
        return heights

    def _pitched(self) -> Type:
        """The style with the pitch its ruby needs (the same one for a body paragraph)."""
        known = self.__dict__.get("_pitch")  # asked again for every line's baseline
        if known is not None and known[0] is self._lines and known[1] is self.t:
            return known[2]
        t = self.t
        if any(has_ruby(ln) for ln in self._lines):
            t = replace(t, pitch=ruby_pitch(t.pitch))
        self._pitch = (self._lines, self.t, t)
        return t

    @staticmethod
    def _base_drop(t: Type) -> float:
        """First baseline below the top of the line's pitch box, in ems."""
        return (t.pitch + 1) / 2 - 0.14

    def wrap(self, aw: float, ah: float):
        if self.rich is not None and (self._lines is None or self._width != aw):
            self._lines = self._set(aw - self.indent)
            self._width = aw
        self._heights = self._line_heights()
        self.width, self.height = aw, sum(self._heights)
        return self.width, self.height

    def split(self, aw: float, ah: float):
        self.wrap(aw, ah)
        fit, used = 0, 0.0
        for h in self._heights:
            if used + h > ah + 1e-6:
                break
            fit, used = fit + 1, used + h
        n = len(self._lines)
        if fit >= n:
            return [self]
        fit = min(fit, n - 2)  # no widow: at least two lines go on
        if fit < 2:
            return []  # no orphan: at least two lines stay (a short paragraph moves whole)
        head = Para(None, self.t, self.indent, self.marker, self.box, self._lines[:fit],
                    element=self.element, label=self.label)
        head._continues = True
        tail = Para(None, self.t, self.indent, None, False, self._lines[fit:], True,
                    element=self.element)
        head._width = tail._width = aw
        head._justified = tail._justified = self._justified
        return [head, tail]

    def baseline(self, k: int) -> float:
        """Baseline of line k, measured up from the bottom of the paragraph."""
        t = self._pitched()
        text_top = self.height - sum(self._heights[:k + 1]) + t.lead  # ruby room is above
        return text_top - self._base_drop(t) * t.size

    def draw(self):
        c, t = self.canv, self.t
        # drawn again (a table's header row repeated on the next page): an artifact
        element, label = (None, None) if self._drawn else (self.element, self.label)
        self._drawn = True
        c.setFillColor(t.color)
        if self.marker is not None or self.box:
            with content(c, label):
                self._draw_marker()
        with lines(c, element) as marks:
            for k, line in enumerate(self._lines):
                draw_line(c, line, self.indent, self.baseline(k), t.size, t.bold, marks=marks)
        probe = getattr(c, "line_probe", None)
        if probe is not None:  # where each line was set, in page coordinates (tests)
            e, f = c._currentMatrix[4:]
            first = len(probe)  # names this drawn paragraph
            for k, line in enumerate(self._lines):
                probe.append(dict(page=c.getPageNumber(), x=e + self.indent,
                                  measure=(self._width or self.width) - self.indent,
                                  y=f + self.baseline(k),
                                  size=t.size, text=line.text, hang=line.hang,
                                  justified=self._justified, para=first,
                                  last=line.gap == "\n" or (
                                      k == len(self._lines) - 1 and not self._continues)))

    def _draw_marker(self) -> None:
        c, t = self.canv, self.t
        y = self.baseline(0)
        if self.box:  # a tick box the reader can mark with a pen
            s = t.size * 0.9
            c.setLineWidth(1.2)
            c.setStrokeColor(colors.black)
            c.rect(0, y - 0.1 * t.size, s, s, stroke=1, fill=0)
        elif self.marker == DOT:
            c.circle(self.indent * 0.4, y + t.size * 0.33, t.size * 0.17, stroke=0, fill=1)
        else:
            draw_text(c, self.marker, 0, y, t.size, True)


class Box(Flowable):
    """Children inside a border, optionally with a filled title bar and an icon."""

    def __init__(self, children: list[Flowable], border=colors.black, width: float = 1.0,
                 dash: tuple | None = None, fill=None, pad: float = 8.0, gap: float = 3.0,
                 band=None, left_bar=None, icon: str | None = None, icon_color=None,
                 title_again: list[Flowable] | None = None, keep: float = 0.0):
        super().__init__()
        self.icon, self.icon_color = icon, icon_color
        self.keep = keep  # never split when no taller than this (the go-now box: a page)
        # the title to repeat, marked 「（続き）」, atop the part that goes on the next page
        self.title_again = title_again
        self.children, self.border, self.bw, self.dash = children, border, width, dash
        self.fill, self.pad, self.gap, self.band, self.left_bar = fill, pad, gap, band, left_bar
        self._sizes: list[tuple[float, float]] = []

    def _inner(self, aw: float) -> float:
        return aw - 2 * self.pad - (6 if self.left_bar else 0)

    def wrap(self, aw: float, ah: float):
        inner = self._inner(aw)
        self._sizes = [ch.wrap(inner, 10_000) for ch in self.children]
        h = sum(s[1] for s in self._sizes) + self.gap * max(0, len(self.children) - 1)
        self.width, self.height = aw, h + 2 * self.pad
        return self.width, self.height

    def split(self, aw: float, ah: float):
        if self.wrap(aw, ah)[1] <= self.keep:
            return []
        inner = self._inner(aw)
        room = ah - 2 * self.pad
        used, head = 0.0, []
        for i, ch in enumerate(self.children):
            _, h = ch.wrap(inner, 10_000)
            if used + h <= room:
                head.append(ch)
                used += h + self.gap
                continue
            parts = ch.split(inner, room - used) if hasattr(ch, "split") else []
            if parts and len(parts) > 1:
                head.append(parts[0])
                rest = parts[1:] + self.children[i + 1:]
            else:
                rest = self.children[i:]
            title = [self.children[0], *(self.title_again or [])]
            if all(ch in title or isinstance(ch, Spacer) for ch in head):
                return []  # a title alone is not a part of a box: all of it goes on
            if len(rest) < 2 and len(head) > 3:  # never one line of a list left behind
                head, rest = head[:-1], head[-1:] + rest
            kw = dict(border=self.border, width=self.bw, dash=self.dash, fill=self.fill,
                      pad=self.pad, gap=self.gap, left_bar=self.left_bar)
            titled = dict(band=self.band, icon=self.icon, icon_color=self.icon_color,
                          title_again=self.title_again)
            again = self.title_again or []  # the rest is titled only if the title repeats
            return [Box(head, **titled, **kw),
                    Box(again + rest, **(titled if again else {}), **kw)]
        return [self]

    def draw(self):
        c = self.canv
        with artifact(c):
            c.saveState()
            if self.fill is not None:
                c.setFillColor(self.fill)
                c.rect(0, 0, self.width, self.height, stroke=0, fill=1)
            if self.left_bar is not None:
                c.setFillColor(self.left_bar)
                c.rect(0, 0, 6, self.height, stroke=0, fill=1)
            if self.bw:
                c.setStrokeColor(self.border)
                c.setLineWidth(self.bw)
                if self.dash:
                    c.setDash(*self.dash)
                c.rect(self.bw / 2, self.bw / 2, self.width - self.bw, self.height - self.bw)
            c.restoreState()
        y = self.height - self.pad
        x = self.pad + (6 if self.left_bar else 0)
        for i, (ch, (_, h)) in enumerate(zip(self.children, self._sizes)):
            if i == 0 and self.band is not None:  # a dark band behind the title line
                with artifact(c):
                    c.saveState()
                    c.setFillColor(self.band)
                    c.rect(0, y - h - 2, self.width, h + self.pad + 2, stroke=0, fill=1)
                    c.restoreState()
            y -= h
            ch.drawOn(c, x, y)
            if i == 0 and self.icon:
                s = min(h, 20)
                with artifact(c):
                    draw_icon(c, self.icon, x, y + (h - s) / 2, s,
                              self.icon_color or colors.black, self.band or colors.white)
            y -= self.gap


class Row(Flowable):
    """Two columns of flowables side by side (e.g. an exercise's steps and its dose)."""

    def __init__(self, left: list[Flowable], right: list[Flowable], ratio: float = 0.62,
                 gap: float = 10.0, rule=None, left_width: float | None = None):
        super().__init__()
        self.cols, self.ratio, self.gap, self.rule = (left, right), ratio, gap, rule
        self.left_width = left_width  # a fixed width (a grid's column) instead of a ratio

    def _widths(self, aw: float) -> tuple[float, float]:
        lw = self.left_width if self.left_width is not None else (aw - self.gap) * self.ratio
        return lw, aw - self.gap - lw

    def wrap(self, aw: float, ah: float):
        self._sizes = [[f.wrap(w, 10_000) for f in col]
                       for col, w in zip(self.cols, self._widths(aw))]
        self.width = aw
        self.height = max(sum(h for _, h in s) for s in self._sizes)
        return self.width, self.height

    def draw(self):
        c = self.canv
        lw, _ = self._widths(self.width)
        for col, sizes, x in zip(self.cols, self._sizes, (0.0, lw + self.gap)):
            y = self.height
            for f, (_, h) in zip(col, sizes):
                y -= h
                f.drawOn(c, x, y)
        if self.rule is not None:  # a thin divider between the columns
            with artifact(c):
                c.saveState()
                c.setStrokeColor(self.rule)
                c.setLineWidth(0.8)
                c.line(lw + self.gap / 2, 2, lw + self.gap / 2, self.height - 2)
                c.restoreState()


class ItemGrid(Flowable):
    """A box's list items in fewer lines: runs of items that fit one line of a column set
    in two columns (read down the left one first), the others across the width. A run
    in columns must save more than one line (a lone pair reads as a glitch). One line
    per item in a column, so text extraction, which joins a row's lines, still copies
    each item whole. The two columns' lines stay level: room one item takes above its
    ruby is left in the other column too."""

    def __init__(self, items: list[Para], gap: float = 10.0, plan: list | None = None):
        super().__init__()
        self.items, self.gap = items, gap
        self._fixed = plan  # the part of a split grid keeps its layout
        self._plan: list[tuple[list[Para], list[Para]]] = []

    def _layout(self, aw: float) -> list[tuple[list[Para], list[Para]]]:
        """Segments (left column, right column); an item across the width is ([item], [])."""
        col = (aw - self.gap) / 2
        full = [p.wrap(aw, 10_000)[1] for p in self.items]
        short = []
        for p in self.items:
            h = p.wrap(col, 10_000)[1]
            short.append(h if len(p._lines) == 1 else None)
        n = len(self.items)
        block = self.items[0].t.lead  # what a run in columns costs: one line
        # best[i]: (cost, runs in columns, segments) for items i..
        best: list[tuple[float, int, list]] = [(0.0, 0, [])] * (n + 1)
        for i in range(n - 1, -1, -1):
            h, k, plan = best[i + 1]
            options = [(full[i] + h, k, [([i], [])] + plan)]
            j = i + 1
            while j < n and short[i] is not None and short[j] is not None:
                s = i + (j - i + 2) // 2  # the right column starts at item s
                h2, k2, plan2 = best[j + 1]
                options.append((max(sum(short[i:s]), sum(short[s:j + 1])) + block + h2,
                                k2 + 1, [(list(range(i, s)), list(range(s, j + 1)))] + plan2))
                j += 1
            best[i] = min(options, key=lambda o: (round(o[0], 3), o[1]))
        return [([self.items[m] for m in a], [self.items[m] for m in b])
                for a, b in best[0][2]]

    @staticmethod
    def _level(left: list[Para], right: list[Para]) -> dict[int, float]:
        """Room to leave above items so both columns' rows stay level: the two items of a
        row (one line each) share a first baseline, the lower one's (room and pitch for
        its ruby), and the next row starts under the taller of them. Rows, not single
        items, are levelled: an item with ruby is taller, and that would add up."""
        extra: dict[int, float] = {}
        bottoms = [0.0, 0.0]  # where each column's last item ends, down from the top
        row = 0.0  # where the row starts
        for i in range(max(len(left), len(right))):
            pair = [(c, col[i]) for c, col in enumerate((left, right)) if i < len(col)]
            drop = max(p.height - p.baseline(0) for _, p in pair)
            for c, p in pair:
                extra[id(p)] = row + drop - (p.height - p.baseline(0)) - bottoms[c]
                bottoms[c] += extra[id(p)] + p.height
            row = max(bottoms)
        return extra

    def wrap(self, aw: float, ah: float):
        self._plan = self._fixed or self._layout(aw)
        col = (aw - self.gap) / 2
        self._sizes = []
        for left, right in self._plan:
            heights = [[p.wrap(aw if not right else col, 10_000)[1] for p in left],
                       [p.wrap(col, 10_000)[1] for p in right]]
            extra = self._level(left, right) if right else {}
            self._sizes.append([[(extra.get(id(p), 0.0), h) for p, h in zip(ps, hs)]
                                for ps, hs in zip((left, right), heights)])
        self.width = aw
        self.height = sum(self._segment_height(s) for s in self._sizes)
        return self.width, self.height

    def split(self, aw: float, ah: float):
        """Between its rows of segments (a box longer than a page goes on overleaf)."""
        self.wrap(aw, ah)
        used = 0.0
        for k, sizes in enumerate(self._sizes):
            used += self._segment_height(sizes)
            if used > ah + 1e-6:
                break
        else:
            return [self]
        if k == 0:
            return []
        items = [p for left, right in self._plan for p in left + right]
        cut = sum(len(left) + len(right) for left, right in self._plan[:k])
        return [ItemGrid(items[:cut], self.gap, self._plan[:k]),
                ItemGrid(items[cut:], self.gap, self._plan[k:])]

    @staticmethod
    def _segment_height(sizes) -> float:
        return max(sum(e + h for e, h in column) for column in sizes)

    def draw(self):
        c = self.canv
        y = self.height
        for (left, right), sizes in zip(self._plan, self._sizes):
            for col, column, x in ((left, sizes[0], 0.0),
                                   (right, sizes[1], (self.width + self.gap) / 2)):
                top = y
                for p, (e, h) in zip(col, column):
                    top -= e + h
                    p.drawOn(c, x, top)
            y -= self._segment_height(sizes)


class Drawing(Flowable):
    """A fixed-height vector drawing: `paint(canvas, width, height)` draws it. `element`
    says what it is (a figure with its alt text); without one it is decoration."""

    def __init__(self, height_for, paint, element: Element | None = None):
        super().__init__()
        self.height_for, self.paint, self.element = height_for, paint, element

    def wrap(self, aw: float, ah: float):
        self.width, self.height = aw, self.height_for(aw)
        return self.width, self.height

    def draw(self):
        with content(self.canv, self.element):
            self.paint(self.canv, self.width, self.height)


class Picture(Flowable):
    """An image (a file, the bytes of one, or a PIL image) placed centred as a figure; its
    element carries the alt text."""

    def __init__(self, source, width: float, height: float, element: Element):
        super().__init__()
        self.source, self.element = source, element
        self.width, self.height = width, height

    def wrap(self, aw: float, ah: float):
        self._x = (aw - self.width) / 2
        return aw, self.height

    def draw(self):
        from reportlab.lib.utils import ImageReader

        source = io.BytesIO(self.source) if isinstance(self.source, bytes) else self.source
        with content(self.canv, self.element):
            self.canv.drawImage(ImageReader(source), self._x, 0, self.width, self.height)


class Table(RLTable):
    """reportlab's table with its cells tagged by their Paras and the grid and shading as
    artifacts."""

    def _drawBkgrnd(self):
        with artifact(self.canv):
            super()._drawBkgrnd()

    def _drawLines(self):
        with artifact(self.canv):
            super()._drawLines()


class ArtFigure(Flowable):
    """A computed drawing (diagrams/: a pose, the lumbar anatomy); its element is the
    figure with its alt text."""

    def __init__(self, art, element: Element | None, align: str = "center"):
        super().__init__()
        self.art, self.element, self.align = art, element, align

    def wrap(self, aw: float, ah: float):
        self._aw = aw
        self.width, self.height = aw, self.art.height
        return self.width, self.height

    def draw(self):
        x = {"left": 0.0, "center": (self.width - self.art.width) / 2,
             "right": self.width - self.art.width}[self.align]
        with content(self.canv, self.element):
            draw_art(self.canv, self.art, x, self.height)


def draw_icon(c, kind: str, x: float, y: float, s: float, color, ink) -> None:
    """Vector icons that survive black-and-white printing: ▲! danger, ●! warning, ●i info.

    The mark inside is drawn as shapes, not as a glyph, so it never enters the text layer."""
    c.saveState()
    c.setFillColor(color)
    if kind == "danger":
        p = c.beginPath()
        p.moveTo(x, y)
        p.lineTo(x + s, y)
        p.lineTo(x + s / 2, y + s)
        p.close()
        c.drawPath(p, stroke=0, fill=1)
        cx, base = x + s / 2, y + s * 0.12
    else:
        c.circle(x + s / 2, y + s / 2, s / 2, stroke=0, fill=1)
        cx, base = x + s / 2, y + s * 0.2
    c.setFillColor(ink)
    bar, dot = s * 0.13, s * 0.075
    if kind == "info":  # i: dot above, bar below
        c.rect(cx - bar / 2, base, bar, s * 0.38, stroke=0, fill=1)
        c.circle(cx, base + s * 0.5, dot, stroke=0, fill=1)
    else:  # !: bar above, dot below
        c.rect(cx - bar / 2, base + s * 0.2, bar, s * 0.4 if kind == "danger" else s * 0.4,
               stroke=0, fill=1)
        c.circle(cx, base + s * 0.07, dot, stroke=0, fill=1)
    c.restoreState()
