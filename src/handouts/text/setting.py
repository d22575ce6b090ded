"""Setting Rich text into measured lines: the one place that joins spans, fonts and breaking."""

from __future__ import annotations

from functools import lru_cache
from typing import Hashable

from ..fonts import fonts
from .breaking import Line, Run, break_lines
from .inline import Rich, Span

RUBY_SCALE = 0.5  # furigana size relative to the base text
CITE_SCALE = 0.6  # citation markers are set small and raised


def runs_of(rich: Rich | list[Rich]) -> list[Run]:
    riches = rich if isinstance(rich, list) else [rich]
    return [Run(s.text, s, atomic=bool(s.ruby or s.cite))
            for r in riches for s in r.spans]


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

    Cached: layout engines ask again for the same text and width (reportlab wraps a
    flowable several times while it looks for page breaks)."""
    riches = tuple(rich) if isinstance(rich, list) else (rich,)
    return list(_set_lines(riches, width, size, bold, phrases))


@lru_cache(maxsize=8192)
def _set_lines(riches: tuple[Rich, ...], width: float, size: float, bold: bool,
               phrases: bool) -> tuple[Line, ...]:
    return tuple(break_lines(runs_of(list(riches)), width,
                             lambda text, span: span_width(text, span, size, bold), phrases))


def has_ruby(line: Line) -> bool:
    return any(isinstance(r.style, Span) and r.style.ruby for r in line.runs)
