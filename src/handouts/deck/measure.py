"""Slide text measured with the project's fonts: paragraphs broken into lines with the
margin PowerPoint's and LibreOffice's own wrapping needs, titles broken where those
renderers will break them too, footers shortened at a phrase."""

from __future__ import annotations

import re
from functools import lru_cache

from ..fonts import fonts
from ..text.adjust import wa_o
from ..text.breaking import Line, phrase_starts
from ..text.inline import Rich, Span, plain
from ..text.setting import set_lines, visible
from .model import INSET, PITCH, Para

AUTOSPACE = 0.25  # em LibreOffice adds between Japanese and Latin text (measured 0.243)
_ASCII = re.compile(r"[\x00-\x7f]")


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


@lru_cache(maxsize=4096)  # the planner tries the same lines at several sizes and widths
def autospace(text: str, size: float) -> float:
    """Extra width LibreOffice draws at the Asian↔Latin boundaries of one line beyond the
    和欧間 the line was set with (its 'Asian typography' spacing also comes beside
    punctuation such as 「（MRI」; PowerPoint adds none, so counting it only costs a little
    room there)."""
    if text.isascii() or not _ASCII.search(text):  # no boundary: a quick test
        return 0.0
    n = sum(1 for a, b in zip(text, text[1:]) if a.isascii() != b.isascii() and not wa_o(a, b))
    return n * size * AUTOSPACE


def lines(rich: Rich | list[Rich], width: float, size: float, bold: bool = False,
          phrases: bool = False) -> list[Line]:
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


def para(rich: Rich, width: float, size: float, bold: bool = False,
         marker: str | None = None, color: str = "000000", space: float = 0.0,
         whole: bool = False) -> Para:
    p = Para([], size, bold, color, marker, space_before=space, whole=whole)
    # large bold text reads like a heading: break it at phrase boundaries
    p.lines = lines(rich, width - 2 * INSET - p.indent, size, bold,
                    phrases=bold and size >= 22)
    return p


def stable_wrap(ls: list[Line], size: float, bold: bool = True) -> float | None:
    """The width a box of these lines must wrap at so that PowerPoint and LibreOffice,
    wrapping the paragraph themselves, break it where these lines break: wide enough for
    the widest line as LibreOffice draws it (with its Japanese–Latin spacing), too narrow
    for any line plus the first character of the next. None when no width does both (a
    last line much longer than the one before it)."""
    wrap = max(ln.width + autospace(ln.text, size) for ln in ls) + 1.0
    for ln, nxt in zip(ls, ls[1:]):
        first = nxt.text.lstrip(" ")[:1]
        bare = ln.width - sum(ln.extras)  # advances alone: the least any renderer draws
        if not first or bare + fonts().width(first, size, bold) <= wrap + 1.0:
            return None
    return wrap


def title_lines(rich: Rich, box_w: float, box_h: float, sizes: tuple[float, ...],
                most: int = 2) -> tuple[list[Line], float, float]:
    """A title's lines, size and wrapping width in a title box: the largest size whose
    lines fit the box's height (at most `most` lines) and break stably (`stable_wrap`),
    at phrase boundaries where possible. Else the smallest size, wrapped at the box."""
    inner = box_w - 2 * INSET
    room = max(1, min(most, int((box_h - 2 * INSET + 0.5) // (sizes[-1] * PITCH))))
    for phrases in (True, False):
        for size in sizes:
            ls = lines(rich, inner, size, True, phrases=phrases)
            if len(ls) * size * PITCH + 2 * INSET > box_h + 0.5 or len(ls) > room:
                continue
            if len(ls) == 1:
                return ls, size, inner
            wrap = stable_wrap(ls, size)
            if wrap is not None:
                return ls, size, wrap
    ls = lines(rich, inner, sizes[-1], True, phrases=True)
    return ls, sizes[-1], inner


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
