"""Setting Rich text into measured lines: the one place that joins spans, fonts and breaking."""

from __future__ import annotations

from functools import lru_cache
from typing import Hashable

from ..fonts import fonts
from .breaking import Line, Run, break_lines
from .inline import Rich, Span

RUBY_SCALE = 0.5  # furigana size relative to the base text
CITE_SCALE = 0.6  # citation markers are set small and raised


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
              phrases: bool = False) -> list[Line]:
    """Break text into lines that fit `width` points at `size` points.

    Cached by content, not by where the text was written: layout engines ask again for
    the same text and width (reportlab wraps a flowable several times while it looks for
    page breaks), and a batch sets the same shared blocks in many documents."""
    riches = rich if isinstance(rich, list) else [rich]
    return list(_set_lines(tuple(r.spans for r in riches), width, size, bold, phrases))


@lru_cache(maxsize=4096)
def _set_lines(spans: tuple[tuple[Span, ...], ...], width: float, size: float, bold: bool,
               phrases: bool) -> tuple[Line, ...]:
    # ruby and citation markers never break inside
    runs = [Run(s.text, s, atomic=bool(s.ruby or s.cite or s.whole))
            for group in spans for s in group]
    return tuple(break_lines(runs, width,
                             lambda text, span: span_width(text, span, size, bold), phrases))


def has_ruby(line: Line) -> bool:
    return any(isinstance(r.style, Span) and r.style.ruby for r in line.runs)
