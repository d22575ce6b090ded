"""The project's fonts: one registry for metrics, glyph coverage and the fallback chain.

Fonts come from the repository's `fonts/` folder only (override with HANDOUTS_FONTS), never
from the system, so every machine lays out text identically. Widths come from the fonts'
own `hmtx` tables (see read_metrics); the same numbers drive PDF, PPTX and the line breaker.
"""

from __future__ import annotations

import os
import struct
import sys
import unicodedata
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import fontcache

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
    _advances: dict[int, float] | None = field(default=None, repr=False)
    _vertical: tuple[float, float] = (0.88, 0.12)
    _chars: frozenset[str] | None = field(default=None, repr=False, compare=False)  # `draws`

    @property
    def cmap(self) -> dict[int, float]:
        """Code point → advance width in em, for every character the face draws."""
        if self._advances is None:
            self._advances, self._vertical = fontcache.cached(
                self.path, "metrics", fontcache.code_version(__file__),
                lambda: read_metrics(self.path))
        return self._advances

    @property
    def ascent(self) -> float:
        self.cmap
        return self._vertical[0]

    @property
    def descent(self) -> float:
        self.cmap
        return self._vertical[1]

    def has(self, ch: str) -> bool:
        return ord(ch) in self.cmap

    def draws(self, text: str) -> bool:
        """Whether the face has every character of `text`."""
        if self._chars is None:
            self._chars = frozenset(map(chr, self.cmap))
        return self._chars.issuperset(text)

    def advance(self, ch: str) -> float:
        """Advance width of one character in em (0 if the face lacks it)."""
        return self.cmap.get(ord(ch), 0.0)


def read_metrics(path: Path) -> tuple[dict[int, float], tuple[float, float]]:
    """(code point → advance in em, (ascent, descent) in em) from the font's tables.

    The Unicode cmap (format 12, which every font here has) and hmtx are read straight from
    the raw tables: fontTools' full decoding names all 13,932 glyphs first and costs
    ~0.14 s per BIZ UD face, a fifth of a cold build. Other cmap formats go through it."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    raw = font.reader
    upem = struct.unpack_from(">H", raw["head"], 18)[0]
    ascent, descent = struct.unpack_from(">hh", raw["hhea"], 4)
    n_metrics = struct.unpack_from(">H", raw["hhea"], 34)[0]
    pairs = array("H", raw["hmtx"][:4 * n_metrics])  # (advance, left side bearing) pairs
    if sys.byteorder == "little":
        pairs.byteswap()
    advances = pairs[0::2]
    glyphs = _cmap_format_12(raw["cmap"])
    if glyphs is None:
        order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
        glyphs = {cp: order[name] for cp, name in font.getBestCmap().items()}
    last = advances[-1]  # glyphs past the last metric share its advance
    widths = {cp: (advances[g] if g < n_metrics else last) / upem
              for cp, g in glyphs.items() if g}
    return widths, (ascent / upem, -descent / upem)


def _cmap_format_12(table: bytes) -> dict[int, int] | None:
    """Code point → glyph id from the Windows full-Unicode subtable (3, 10), if present."""
    n = struct.unpack_from(">H", table, 2)[0]
    for k in range(n):
        platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * k)
        if (platform, encoding) == (3, 10) and struct.unpack_from(">H", table, offset)[0] == 12:
            groups = struct.unpack_from(">I", table, offset + 12)[0]
            out: dict[int, int] = {}
            for first, last, glyph in struct.iter_unpack(
                    ">III", table[offset + 16:offset + 16 + 12 * groups]):
                out.update(zip(range(first, last + 1), range(glyph, glyph + last - first + 1)))
            return out
    return None


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
        cache = self._widths.get((bold, mono))
        if cache is None:
            cache = self._widths[bold, mono] = {}
        total = 0.0
        try:
            for ch in text:
                total += cache[ch]
        except KeyError:  # a character not measured yet: measure them, then add again
            for ch in text:
                if ch not in cache:
                    face = self.face_for(ch, bold, mono)
                    cache[ch] = face.advance(ch) if face else 0.0
            total = 0.0
            for ch in text:
                total += cache[ch]
        return total * size

    def split_by_face(self, text: str, bold: bool = False,
                      mono: bool = False) -> list[tuple[Face, str]]:
        """Cut text into runs that one face can draw (missing glyphs are dropped)."""
        first = self.chain(bold, mono)[0]
        if first.draws(text):  # most text: all of it in the first face
            return [(first, text)] if text else []
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
