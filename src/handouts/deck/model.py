"""The deck model: slides, shapes with geometry and measured lines, speaker notes, and the
frame they are planned in (where the template puts titles, body text and footers).

Pure data in points (1/72 in) on a slide 540 pt high: 960 × 540 for 16:9, 720 × 540 for 4:3,
864 × 540 for 16:10. A template of another physical size is scaled to it by the writer, so
text sizes are relative to the slide's height. Every fitting decision is made while
planning; writers only serialise what is here, so the PPTX and the slide PDF cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..diagrams.vector import Art
from ..text.breaking import Line

SLIDE_W, SLIDE_H = 960.0, 540.0  # the default 16:9 slide
PITCH = 1.25  # line pitch: size × PITCH (written into the PPTX as a percentage, see oxml)
INSET = 4.0  # text frame insets, points


class _Edges:
    """The right and bottom edges of anything with x, y, w and h (points)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class Box(_Edges):
    x: float
    y: float
    w: float
    h: float

    def close(self, other: "Box | None", tol: float = 0.5) -> bool:
        return other is not None and all(abs(a - b) <= tol for a, b in zip(
            (self.x, self.y, self.w, self.h), (other.x, other.y, other.w, other.h)))


@dataclass(frozen=True)
class Frame:
    """Where a template puts things, as the planner needs them: the slide's size, the
    title and body placeholders of its content layout (the body is the content area), the
    two columns of its two-content layout, the title slide's title and subtitle, and the
    footer and slide-number placeholders. Made by `deck/template.py`; the default frame is
    the project's own 16:9 template."""

    width: float
    height: float  # always SLIDE_H: templates of other heights are scaled to it
    title: Box
    body: Box
    columns: tuple[Box, Box]
    cover_title: Box
    cover_subtitle: Box
    footer: Box | None
    number: Box | None
    footer_size: float = 12.0
    title_anchor: str = "t"  # t | ctr | b: where a short title sits in its box
    # the project's own look (the default template): an accent rule on the title slide, a
    # grey subtitle; a clinic's template keeps its own colours
    house_style: bool = True

    @property
    def content_bottom(self) -> float:
        return self.body.bottom


def default_frame() -> Frame:
    """The project's own 16:9 template: 40 pt margins, a title box anchored at its foot
    (one line of 32 pt or two of 28 pt), the body under it down to 492 pt, the footer
    below."""
    margin, top, w = 40.0, 22.0, SLIDE_W - 80.0
    title = Box(margin, top, w, 2 * 28 * PITCH + 2 * INSET)
    body_top = title.bottom + 10
    body = Box(margin, body_top, w, 492.0 - body_top)
    half = (w - 24) / 2
    columns = (Box(margin, body_top, half, body.h), Box(margin + half + 24, body_top, half, body.h))
    foot_h = 12.0 * PITCH + 2 * INSET
    cover = Box(margin, 150.0, w, 2 * 40 * PITCH + 2 * INSET)
    sub = Box(margin, cover.bottom + 20, w, 492.0 - cover.bottom - 20)
    number_w = 90.0
    return Frame(SLIDE_W, SLIDE_H, title, body, columns, cover, sub,
                 footer=Box(margin, 506.0, w - number_w - 180, foot_h),
                 number=Box(SLIDE_W - margin - number_w, 506.0, number_w, foot_h),
                 title_anchor="b")


@dataclass
class Para:
    """One paragraph: already broken into lines (joined by explicit line breaks)."""

    lines: list[Line]
    size: float
    bold: bool = False
    color: str = "000000"
    marker: str | None = None  # bullet or number drawn in the hanging indent
    align: str = "left"
    space_before: float = 0.0
    whole: bool = False  # never split between slides (a reference and its address)

    @property
    def height(self) -> float:
        return self.space_before + len(self.lines) * self.size * PITCH

    @property
    def indent(self) -> float:
        return self.size * 1.4 if self.marker else 0.0


@dataclass
class Shape(_Edges):
    x: float
    y: float
    w: float
    h: float
    name: str = ""
    decorative: bool = False  # says nothing (an ornament): screen readers skip it

    def shifted(self, dx: float, dy: float) -> "Shape":
        return replace(self, x=self.x + dx, y=self.y + dy)


@dataclass
class TextBox(Shape):
    """Text, optionally in a filled/bordered box (callouts, diagram nodes)."""

    paras: list[Para] = field(default_factory=list)
    fill: str | None = None
    border: str | None = None
    border_w: float = 0.0
    dash: bool = False
    rounded: bool = False
    anchor: str = "top"  # top | middle
    inset: float = INSET  # bordered boxes get more room between border and text
    caption: bool = False  # a caption or source line under a diagram, chart or table
    # a titled box (callout, exercise card) split between slides: each later part opens
    # with `again` (its title with 「（続き）」), each earlier part closes with `cue`
    # (「→次のスライドへ続く」) and is marked `goes_on`
    again: list[Para] = field(default_factory=list)
    cue: Para | None = None
    goes_on: bool = False

    def text_height(self) -> float:
        return sum(p.height for p in self.paras) + 2 * self.inset

    def at(self, x: float, y: float) -> list["Shape"]:
        return [replace(self, x=x, y=y)]


@dataclass
class Arrow(Shape):
    """A straight connector from (x, y) to (x + w, y + h) with an arrowhead at the end.
    Inside a Diagram, `start`/`end` are the indexes of the boxes it joins (the PPTX glues
    it to them, so moving a box keeps its arrow attached)."""

    start: int | None = None
    end: int | None = None


@dataclass
class Diagram(Shape):
    """Shapes that are one picture (a flow or tree diagram, a chart with its captions):
    written as one group whose alt text says what the picture shows. x, y, w, h is the
    box around them all."""

    shapes: list[Shape] = field(default_factory=list)
    alt: str = ""

    def shifted(self, dx: float, dy: float) -> "Diagram":
        return replace(self, x=self.x + dx, y=self.y + dy,
                       shapes=[s.shifted(dx, dy) for s in self.shapes])

    @classmethod
    def of(cls, shapes: list[Shape], alt: str, name: str = "") -> "Diagram":
        x, y = min(s.x for s in shapes), min(s.y for s in shapes)
        return cls(x, y, max(s.right for s in shapes) - x, max(s.bottom for s in shapes) - y,
                   name=name, shapes=shapes, alt=alt)


def flat(shapes: list[Shape]):
    """Every shape, the ones inside diagrams included (diagrams themselves left out)."""
    for s in shapes:
        if isinstance(s, Diagram):
            yield from flat(s.shapes)
        else:
            yield s


@dataclass
class BarChart(Shape):
    alt: str = ""
    categories: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    unit: str = ""
    maximum: float = 100.0
    font_size: float = 16.0
    color: str = "1F5C99"  # the bars: the deck's accent (the theme's accent 1 in the PPTX)


@dataclass
class Table(Shape):
    cells: list[list[list[Para]]] = field(default_factory=list)  # rows → cells → paras
    col_widths: list[float] = field(default_factory=list)
    row_heights: list[float] = field(default_factory=list)
    head_fill: str = "4F81BD"  # row 0 is the header (repeated on continued slides)
    band_fills: tuple[str, str] = ("D0D8E8", "E9EDF4")  # odd, even body rows


@dataclass
class Picture(Shape):
    path: Path | None = None
    data: bytes | None = None  # PNG bytes (e.g. a generated QR code)
    alt: str = ""
    link: str | None = None  # the address a click opens (the clinic's QR code)


@dataclass
class Drawing(Shape):
    """Vector art computed in diagrams/ (a pose figure, the lumbar anatomy): a group of
    native freeform shapes in the PPTX, paths in the slide PDF."""

    art: Art | None = None
    alt: str = ""


@dataclass
class Slide:
    kind: str  # title | points | content | quiz | answer | references | glossary | closing
    title: list[Line]
    title_size: float
    shapes: list[Shape]
    notes: str
    number: int = 0
    title_box: Box = Box(40.0, 22.0, 880.0, 88.0)  # the title placeholder's box
    title_wrap: float = 0.0  # width the title's lines wrap at inside its box (0: the box's)
    heading: str = ""  # the heading its title was made from (without 「（続き）」)

    @property
    def title_y(self) -> float:
        return self.title_box.y


@dataclass
class Deck:
    title: str
    subtitle: str
    author: str
    footer: str
    lang: str
    slides: list[Slide]
    accent: str
    created: str  # ISO date for core properties (deterministic)
    frame: Frame = field(default_factory=default_frame)
