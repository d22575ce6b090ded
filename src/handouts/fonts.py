"""The project's fonts: one registry for metrics, glyph coverage and the fallback chain.

Fonts come from the repository's `fonts/` folder only (override with HANDOUTS_FONTS), never
from the system, so every machine lays out text identically. Widths come from the fonts'
own `hmtx` tables via fonttools; the same numbers drive PDF, PPTX and the line breaker.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(os.environ.get("HANDOUTS_FONTS", Path(__file__).resolve().parents[2] / "fonts"))

# key: (file, PostScript-ish name used in PDFs, family name written into PPTX)
FACES = {
    "body": ("BIZUDPGothic-Regular.ttf", "BIZUDPGothic", "BIZ UDPGothic"),
    "body-bold": ("BIZUDPGothic-Bold.ttf", "BIZUDPGothic-Bold", "BIZ UDPGothic"),
    "mono": ("BIZUDGothic-Regular.ttf", "BIZUDGothic", "BIZ UDGothic"),
    "mono-bold": ("BIZUDGothic-Bold.ttf", "BIZUDGothic-Bold", "BIZ UDGothic"),
    "fallback": ("DejaVuSans.ttf", "DejaVuSans", "DejaVu Sans"),
    "fallback-bold": ("DejaVuSans-Bold.ttf", "DejaVuSans-Bold", "DejaVu Sans"),
}
JA_FAMILY = FACES["body"][2]
# characters that are layout-neutral and need no glyph of their own
IGNORED = {"\n", "\t"}


@dataclass
class Face:
    key: str
    path: Path
    name: str
    family: str
    _cmap: dict[int, str] | None = field(default=None, repr=False)
    _hmtx: object = field(default=None, repr=False)
    _upem: int = 1000
    _widths: dict[str, float] = field(default_factory=dict, repr=False)
    ascent: float = 0.88
    descent: float = 0.12

    def _load(self) -> None:
        from fontTools.ttLib import TTFont

        font = TTFont(str(self.path), lazy=True)
        self._cmap = font.getBestCmap()
        self._hmtx = font["hmtx"]
        self._upem = font["head"].unitsPerEm
        self.ascent = font["hhea"].ascent / self._upem
        self.descent = -font["hhea"].descent / self._upem

    @property
    def cmap(self) -> dict[int, str]:
        if self._cmap is None:
            self._load()
        return self._cmap  # type: ignore[return-value]

    def has(self, ch: str) -> bool:
        return ord(ch) in self.cmap

    def advance(self, ch: str) -> float:
        """Advance width of one character in em."""
        w = self._widths.get(ch)
        if w is None:
            glyph = self.cmap.get(ord(ch))
            w = self._hmtx[glyph][0] / self._upem if glyph else 0.0
            self._widths[ch] = w
        return w


class Fonts:
    """The font chain: BIZ UDPGothic first, DejaVu Sans for symbols it lacks."""

    def __init__(self, directory: Path = FONT_DIR):
        self.directory = directory
        self.faces = {k: Face(k, directory / f, n, fam) for k, (f, n, fam) in FACES.items()}
        self._widths: dict[tuple[bool, bool], dict[str, float]] = {}  # the hot path
        self._faces_for: dict[tuple[str, bool, bool], Face | None] = {}
        for face in self.faces.values():
            if not face.path.is_file():
                raise FileNotFoundError(f"font file missing: {face.path}")

    def chain(self, bold: bool = False, mono: bool = False) -> tuple[Face, Face]:
        base = "mono" if mono else "body"
        sfx = "-bold" if bold else ""
        return self.faces[base + sfx], self.faces["fallback" + sfx]

    def face_for(self, ch: str, bold: bool = False, mono: bool = False) -> Face | None:
        key = (ch, bold, mono)
        if key not in self._faces_for:
            self._faces_for[key] = next(
                (face for face in self.chain(bold, mono) if face.has(ch)), None)
        return self._faces_for[key]

    def width(self, text: str, size: float, bold: bool = False, mono: bool = False) -> float:
        """Advance width in points, each character from the first face that has it."""
        cache = self._widths.setdefault((bold, mono), {})
        total = 0.0
        for ch in text:
            w = cache.get(ch)
            if w is None:
                face = self.face_for(ch, bold, mono)
                w = cache[ch] = face.advance(ch) if face else 0.0
            total += w
        return total * size

    def split_by_face(self, text: str, bold: bool = False,
                      mono: bool = False) -> list[tuple[Face, str]]:
        """Cut text into runs that one face can draw (missing glyphs are dropped)."""
        runs: list[tuple[Face, str]] = []
        for ch in text:
            face = self.face_for(ch, bold, mono)
            if face is None:
                continue
            if runs and runs[-1][0] is face:
                runs[-1] = (face, runs[-1][1] + ch)
            else:
                runs.append((face, ch))
        return runs

    def missing(self, text: str) -> list[str]:
        """Characters no face in the chain can draw, in order of first appearance."""
        out: dict[str, None] = {}
        primary, fallback = self.chain()
        for ch in text:
            if ch not in IGNORED and not primary.has(ch) and not fallback.has(ch):
                out[ch] = None
        return list(out)


def describe(ch: str) -> str:
    """'⚠' → 'U+26A0 WARNING SIGN' for error messages."""
    return f"'{ch}' U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


@lru_cache(maxsize=1)
def fonts() -> Fonts:
    return Fonts()
