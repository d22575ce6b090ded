"""The deck model: slides, shapes with geometry and measured lines, speaker notes.

Pure data in points (1/72 in) on a 960 × 540 pt (16:9) slide. Every fitting decision is
made while planning; writers only serialise what is here, so the PPTX and the slide PDF
cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..diagrams.vector import Art
from ..text.breaking import Line

SLIDE_W, SLIDE_H = 960.0, 540.0
PITCH = 1.25  # line pitch written into the PPTX as exact points (size × PITCH)
INSET = 4.0  # text frame insets, points


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

    @property
    def height(self) -> float:
        return self.space_before + len(self.lines) * self.size * PITCH

    @property
    def indent(self) -> float:
        return self.size * 1.4 if self.marker else 0.0


@dataclass
class Shape:
    x: float
    y: float
    w: float
    h: float
    name: str = ""
    decorative: bool = False  # says nothing (an ornament): screen readers skip it

    def shifted(self, dx: float, dy: float) -> "Shape":
        return replace(self, x=self.x + dx, y=self.y + dy)

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


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
    title_y: float = 22.0  # top of the title box (the title slide sets it lower)
    heading: str = ""  # the heading its title was made from (without 「（続き）」)


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
