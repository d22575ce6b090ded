"""Leaflet variants: page size, body size, margins, bleed and colour space of each output
(A4, large print, A5 and the print-shop files), and the page furniture's measures."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm

# an A4 patient leaflet: at most three pages (the coordinator's decision after issue 22's
# help section, 675 pt of a 731 pt page, made two pages too few); large print and A5 are
# longer by design and not counted
MAX_PAGES = 3
FOOTER_H = 22 * mm  # page footer: clinic, review date, page x/y, QR code
EDGE = 5 * mm  # nothing printed nearer the paper's edge (office printers cannot)
MARK_LEN = 5 * mm  # crop marks: standard length,
MARK_GAP = 1 * mm  # starting just outside the bleed so they never touch bleed artwork
SLUG = 3 * mm + MARK_GAP + MARK_LEN + 1 * mm  # media beyond the trim in the print variant


@dataclass(frozen=True)
class Options:
    """Leaflet variants: page size, body size, bleed for the print shop."""

    pagesize: tuple[float, float] = A4
    body: float = 12.5
    bleed: float = 0.0  # mm of bleed around the trim box (print-shop variant)
    # the A4 body measure is 40 full-width characters (JLREQ's comfortable maximum for
    # horizontal text): 500 pt of 12.5 pt text, margins of 16.8 mm
    margin: float = (A4[0] - 40 * 12.5) / 2
    pitch: float = 1.5  # body line pitch (1.5–1.8 × size)
    small: float = 8.5  # references and sources
    least: float = 0.0  # the smallest text a patient reads (large print: the footer too)
    cmyk: bool = False  # every colour in DeviceCMYK (print-shop variants)

    @classmethod
    def variant(cls, name: str) -> "Options":
        a5 = dict(pagesize=A5, body=12.0, margin=11 * mm)
        # large print: 16 pt body (UKAAF G003: 16 pt minimum, 18 preferred) and nothing a
        # patient reads under 14 pt, references and the footer included
        large = dict(body=16.0, small=14.0, least=14.0, margin=15 * mm)
        return {"pdf": cls(), "large": cls(**large),
                "print": cls(bleed=3.0, cmyk=True), "a5": cls(**a5),
                "a5print": cls(**a5, bleed=3.0, cmyk=True)}[name]

    @property
    def slug(self) -> float:
        """Media around the trim: bleed plus room for the crop marks (print variant only)."""
        return SLUG if self.bleed else 0.0
