"""Setting Rich text into measured lines: the one place that joins spans, fonts and breaking."""

from __future__ import annotations

import importlib.util
import re
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Hashable, Iterator

from .. import fontcache
from ..fonts import fonts
from .breaking import Line, Run, break_lines
from .inline import Rich, Span

RUBY_SCALE = 0.5  # furigana size relative to the base text
CITE_SCALE = 0.6  # citation markers are set small and raised
RUBY_RISE = 0.92  # the reading's baseline above the base's, in base ems


def span_width(text: str, span: Hashable, size: float, bold: bool = False) -> float:
    reg = fonts()
    if not isinstance(span, Span):
        return reg.width(text, size, bold)
    b = bold or span.strong
    if span.cite:
        return reg.width(text, size * CITE_SCALE, b)
    w = reg.width(text, size, b)
    if span.ruby:
        w = max(w, reg.width(span.ruby, size * RUBY_SCALE, b))
    return w


def set_lines(rich: Rich | list[Rich], width: float, size: float, bold: bool = False,
              phrases: bool = False, justify: bool = False,
              fill: float | None = None, chars: float | None = None) -> list[Line]:
    """Break text into lines that fit `width` points at `size` points, Japanese and Latin
    text a quarter em apart; `justify` fills every line but the last (text/adjust.py) to
    `width`, or to `fill` when the lines are broken narrower than they are set; `chars`
    caps the characters a line holds.

    Cached by content, not by where the text was written: layout engines ask again for
    the same text and width (reportlab wraps a flowable several times while it looks for
    page breaks), and a batch sets the same shared blocks in many documents. Inside
    `keeping`, they are also kept on disk between runs."""
    riches = rich if isinstance(rich, list) else [rich]
    key = (tuple(r.spans for r in riches), width, size, bold, phrases, justify, fill, chars)
    if _kept is None:
        return list(_set_lines(*key))
    found = _kept.get(key) or _before.get(key)
    if found is None:
        found = _set_lines(*key)
    _kept[key] = found
    return list(found)


# Lines set while `keeping`: those of this run, and those read back from the last run
_kept: dict | None = None
_before: dict = {}


@contextmanager
def keeping(spec: Path, kind: str) -> Iterator[None]:
    """Lines set inside are kept on disk between runs (fontcache) under `spec` (its
    path) and `kind` (what is laid out: its deck, its leaflet): setting text is most of
    what planning a deck or typesetting a leaflet costs, and a spec just edited has only
    its changed texts set again. Each text is kept by its content (not where it was
    written) and the measures asked; the entry holds what the last whole layout used."""
    global _kept, _before
    if _kept is not None:  # a layout within a layout: the outer one keeps
        yield
        return
    version = _version()
    name = str(spec.resolve())
    _before = fontcache.load_for_text(name, kind, version) or {}
    _kept = {}
    try:
        yield
        if _kept.keys() != _before.keys():  # else the entry holds just these
            fontcache.save_for_text(name, kind, version, _kept)
    finally:
        _kept, _before = None, {}


@lru_cache(maxsize=1)
def _version() -> str:
    """The code that sets lines, BudouX's (its model's version is in its __init__),
    Python's (its Unicode tables) and the font files."""
    from .. import fonts as fonts_module
    from . import adjust, breaking, chars, inline

    code = [__file__, *(m.__file__ for m in (adjust, breaking, chars, inline, fonts_module)),
            importlib.util.find_spec("budoux").origin]
    faces = sorted(fontcache.digest(f.path) for f in fonts().faces.values())
    return f"{fontcache.code_version(*code)};{sys.version};{','.join(faces)}"


@lru_cache(maxsize=4096)
def _set_lines(spans: tuple[tuple[Span, ...], ...], width: float, size: float, bold: bool,
               phrases: bool, justify: bool, fill: float | None,
               chars: float | None) -> tuple[Line, ...]:
    # ruby, citation markers and readings written in parentheses never break inside
    runs = []
    for group in spans:
        inside = _inside_readings(group)
        runs += [Run(text, s, atomic=bool(s.ruby or s.cite or s.whole) or whole or k in inside)
                 for k, s in enumerate(group) for text, whole in _readings(s)]
    return tuple(break_lines(runs, width,
                             lambda text, span: span_width(text, span, size, bold), phrases,
                             em=size, justify=justify, fill=fill, chars=chars,
                             overhang=(lambda span: ruby_overhang(span, size, bold))
                             if any(r.style.ruby for r in runs) else None))


# a reading written out after its word: 中枢性感作（ちゅうすうせいかんさ）
_READING = re.compile(r"（[ぁ-ゖァ-ヺー・]+）")


def _readings(span: Span) -> list[tuple[str, bool]]:
    """The span's text in pieces, each reading in parentheses a whole piece."""
    if span.ruby or span.cite or span.whole or "（" not in span.text:
        return [(span.text, False)]
    out, pos = [], 0
    for m in _READING.finditer(span.text):
        if m.start() > pos:
            out.append((span.text[pos:m.start()], False))
        out.append((m.group(), True))
        pos = m.end()
    if pos < len(span.text):
        out.append((span.text[pos:], False))
    return out


def _inside_readings(spans: tuple[Span, ...]) -> set[int]:
    """Which spans lie inside a reading in parentheses that spans several of them (a
    glossary term as the reading: 細胞（{マクロファージ}）): each is kept whole."""
    at, starts = 0, []
    for s in spans:
        starts.append(at)
        at += len(s.text)
    text = "".join(s.text for s in spans)
    inside = set()
    for m in _READING.finditer(text):
        for k, s in enumerate(spans):
            a = starts[k]
            if m.start() < a and a + len(s.text) < m.end():
                inside.add(k)
    return inside


def ruby_overhang(span: Span, size: float, bold: bool = False) -> float:
    """How far a reading longer than its base may reach over a kana beside it: half of
    what it is longer, at most half a ruby character (JLREQ §3.3.8)."""
    if not span.ruby:
        return 0.0
    b = bold or span.strong
    excess = (fonts().width(span.ruby, size * RUBY_SCALE, b) - fonts().width(span.text, size, b))
    return min(max(excess, 0.0) / 2, size * RUBY_SCALE / 2)


def one_line_width(rich: Rich, size: float, bold: bool = False) -> float:
    """The width of text set on one line (和欧間 included)."""
    return sum(ln.width for ln in set_lines(rich, 1e9, size, bold))


def visible(line: Line) -> int:
    """Characters of a line, not counting citation markers and punctuation: a last line of
    one or two (泣き別れ) is avoided."""
    return sum(len(r.text.strip(" 、。，．！？」）")) for r in line.runs
               if not (isinstance(r.style, Span) and r.style.cite))


def has_ruby(line: Line) -> bool:
    return any(isinstance(r.style, Span) and r.style.ruby for r in line.runs)


def ruby_top() -> float:
    """How far a ruby reading reaches above its base's baseline, in base ems (by the font's
    ascent): 1.36 for BIZ UDPGothic."""
    return RUBY_RISE + RUBY_SCALE * fonts().faces["body"].ascent


RUBY_CLEAR = 0.11  # ems kept between a reading and the descent of the line above


def ruby_pitch(pitch: float) -> float:
    """The line pitch (in ems) of every line of a paragraph with ruby: the same as without,
    unless the reading would come closer than 0.11 em to the descent of the line above
    (pitches under 1.59 em for BIZ UDPGothic; JLREQ fits ruby in a line gap of half an
    em, em box touching em box)."""
    return max(pitch, ruby_top() + fonts().faces["body"].descent + RUBY_CLEAR)
