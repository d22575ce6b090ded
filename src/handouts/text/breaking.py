"""Japanese line breaking shared by the leaflet, the deck and the slide PDF.

JIS X 4051 / JLREQ-style rules on top of measured widths:
- kinsoku: no line starts with closing brackets, 、。，．！？ small kana, 々ー…; no line ends
  with opening brackets;
- Latin words, numbers with their units (`L4/5`, `20秒`, `63%`), URLs and DOIs stay whole,
  and are broken only at safe points (after / . _ ? & =, before -) when longer than a line
  or when keeping them whole would leave a justified line spread more than a quarter em;
- ruby groups and citation markers are atoms and are never split;
- in phrase mode (headings, slide titles) lines break only at BudouX phrase boundaries
  where possible.
A break is chosen greedily at the best available level: preferred (phrase) → allowed →
URL-safe point → any boundary that respects kinsoku → any boundary at all.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Hashable, Sequence

from .adjust import (HANG, QUARTER, SQUEEZE_BEFORE, distribute, inside_word, is_kana,
                     squeeze_after, wa_o)

# JLREQ character classes (W3C "Requirements for Japanese Text Layout", appendix A) that
# must not start a line: cl-02 closing brackets, cl-03 hyphens, cl-04 dividing punctuation,
# cl-05 middle dots, cl-06 full stops, cl-07 commas, cl-09 iteration marks, cl-10 the
# prolonged sound mark, cl-11 small kana, cl-13 postfixed abbreviations (they stay with
# the number before them), and the half-width katakana forms of these.
CL02_CLOSING = "’”）〕］｝〉》」』】〙〗〟｠»)]}"
CL03_HYPHENS = "‐〜゠–～"
CL04_DIVIDING = "！？‼⁇⁈⁉!?"
CL05_MIDDLE_DOTS = "・：；:;"
CL06_FULL_STOPS = "。．."
CL07_COMMAS = "、，,"
CL09_ITERATION = "ヽヾゝゞ々〻"
CL10_PROLONGED = "ー"
CL11_SMALL_KANA = "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
CL13_POSTFIX = "%％‰℃°′″¢"
HALFWIDTH_NO_START = "｡､｣ｧｨｩｪｫｬｭｮｯｰﾞﾟ"
NO_START = set(CL02_CLOSING + CL03_HYPHENS + CL04_DIVIDING + CL05_MIDDLE_DOTS
               + CL06_FULL_STOPS + CL07_COMMAS + CL09_ITERATION + CL10_PROLONGED
               + CL11_SMALL_KANA + CL13_POSTFIX + HALFWIDTH_NO_START)
# cl-01 opening brackets never end a line
NO_END = set("‘“（〔［｛〈《「『【｟〘〖«〝([{｢")
# cl-08 inseparable characters: a line may start with them, but a pair (「――」「……」) is
# never split
CL08_INSEPARABLE = set("—―…‥〳〴〵")
# cl-12 prefixed abbreviations stay with the number after them (「¥3,000」「№5」)
CL12_PREFIX = set("¥$£€№＄￥￡＃#")
# characters that belong to a Latin word, number or URL token
WORD = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
           "._/-:%+#@&=?~'’,°$*")
URL_SAFE = set("/._?&=#")  # break after these; before a hyphen (a hyphen at a line's end
# reads as a word broken by the typesetter, and pdftotext drops it when copying)
SPACE = " \u3000"

ALLOWED, PHRASE_ONLY = 1, 0
URL_POINT, KINSOKU_OK, ANYWHERE, NEVER = 2, 3, 4, 9


@dataclass(frozen=True)
class Run:
    """Text in one style. Atomic runs (ruby, citations) are never split."""

    text: str
    style: Hashable
    atomic: bool = False


@dataclass
class Line:
    runs: list[Run]
    width: float  # as drawn: advances plus `extras`
    gap: str = ""  # what the break after this line took out: spaces, or "\n"
    # extra advance after each character of `text` (和欧間, squeezed punctuation, the
    # justification); empty when there is none
    extras: tuple[float, ...] = ()
    hang: float = 0.0  # width of the 。、 hanging past the measure

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class _Unit:
    text: str
    style: Hashable
    atomic: bool
    width: float
    pre: float = 0.0  # 和欧間 before this unit (not at a line's start)
    squeeze: float = 0.0  # what its punctuation may give up (oikomi)


def char_count(ch: str) -> float:
    """A character's share of a line's character count (JLREQ's 字詰め counts in full-width
    characters): a half-width letter, digit or mark is half of one, so a capped line with
    a Latin word is not spread letter by letter."""
    return 0.5 if unicodedata.east_asian_width(ch) in ("Na", "H") else 1.0


def _is_digit(ch: str) -> bool:
    """ASCII and full-width digits (cl-23 grouped numerals stay together either way)."""
    return "0" <= ch <= "9" or "０" <= ch <= "９"


def _level(prev: _Unit, cur: _Unit) -> int:
    """How acceptable a break between two units is (lower is better)."""
    a, b = prev.text[-1], cur.text[0]
    if prev.text == "\n":
        return ALLOWED
    if b in SPACE:
        return NEVER if cur.text == "\n" else ANYWHERE  # break after spaces, not before
    if cur.text == "\n":
        return NEVER
    if (a in CL08_INSEPARABLE and b in CL08_INSEPARABLE) or (
            a in CL12_PREFIX and _is_digit(b)) or (_is_digit(a) and _is_digit(b)):
        return NEVER
    kinsoku = (b in NO_START) or (a in NO_END) or (cur.atomic and cur.text.startswith("["))
    if a in SPACE:
        return KINSOKU_OK if kinsoku else ALLOWED
    if a in WORD and b in WORD and a.isascii() and b.isascii():
        if prev.atomic or cur.atomic:
            return ALLOWED
        if (a in URL_SAFE and not a == b == "/") or (b == "-" and a != "-"):
            return URL_POINT
        return KINSOKU_OK if not kinsoku else ANYWHERE
    if _is_digit(a) and not b.isascii():  # 20秒, 63％, ２０秒: number and unit together
        return KINSOKU_OK if not kinsoku else ANYWHERE
    return ANYWHERE if kinsoku else ALLOWED


@lru_cache(maxsize=1)
def _budoux():
    import budoux

    return budoux.load_default_japanese_parser()


@lru_cache(maxsize=4096)
def phrase_starts(text: str) -> frozenset[int]:
    """Offsets where a BudouX phrase begins (excluding 0)."""
    starts, pos = set(), 0
    for chunk in _budoux().parse(text):
        pos += len(chunk)
        starts.add(pos)
    starts.discard(len(text))
    return frozenset(starts)


def break_lines(runs: Sequence[Run], width: float,
                measure: Callable[[str, Hashable], float],
                phrases: bool = False, em: float = 0.0, justify: bool = False,
                hang: bool = False, fill: float | None = None,
                overhang: Callable[[Hashable], float] | None = None,
                chars: float | None = None) -> list[Line]:
    """Break styled runs into lines no wider than `width` (an atom wider than the line
    gets a line of its own).

    With `em` (the text size) Japanese and Latin text are set a quarter em apart. With
    `justify` every line but a paragraph's last fills `width` exactly (text/adjust.py:
    punctuation squeezed to pull a character in, then the rest spread between characters);
    `hang` lets 、。 hang past the measure instead of being pushed down; `fill` justifies
    to a measure wider than the one the lines were broken for (a paragraph narrowed to
    bring a lone last character down); `overhang(style)` is how far an atom (a ruby
    reading longer than its base) may reach over a kana on either side, never past the
    line's ends. `chars` caps how many characters a line holds (char_count; citation marks
    and spaces not counted): proportional kana are narrower than an em, so a measure of
    40 em alone would let a line hold 41-44 of them."""
    units: list[_Unit] = []
    for r in runs:
        if r.atomic:
            units.append(_Unit(r.text, r.style, True, measure(r.text, r.style)))
        else:
            for ch in r.text:
                units.append(_Unit(ch, r.style, False,
                                   0.0 if ch == "\n" else measure(ch, r.style)))
    if not units:
        return [Line([], 0.0)]
    if em:
        for k in range(1, len(units)):
            if wa_o(units[k - 1].text[-1], units[k].text[0]):
                units[k].pre = em * QUARTER
        if justify:
            for u in units:
                if not u.atomic:
                    u.squeeze = squeeze_after(u.text, u.width, em)
    if overhang is not None:
        for k, u in enumerate(units):
            o = overhang(u.style) if u.atomic else 0.0
            if o and k and is_kana(units[k - 1].text[-1]):
                u.pre -= o
            if o and k + 1 < len(units) and is_kana(units[k + 1].text[0]):
                units[k + 1].pre -= o
    levels = [NEVER] + [_level(units[i - 1], units[i]) for i in range(1, len(units))]
    url_points = [lv == URL_POINT for lv in levels]  # before phrases demote other points
    if phrases:
        text = "".join(u.text for u in units)
        starts = phrase_starts(text)
        offset = 0
        for i, u in enumerate(units):
            if i and levels[i] == ALLOWED and offset in starts:
                levels[i] = PHRASE_ONLY
            elif i and levels[i] == ALLOWED:
                levels[i] = URL_POINT  # inside a phrase: only when a phrase won't fit
            offset += len(u.text)

    lines: list[Line] = []
    start, i, acc, sq, held = 0, 0, 0.0, 0.0, 0.0
    n = len(units)
    # characters each unit adds to the count (only when capped: the breaker is hot)
    count = [0.0 if u.text in SPACE or (u.atomic and u.text.startswith("[")) else
             sum(map(char_count, u.text)) for u in units] if chars else None

    def emit(end: int, gap: str = "", hung: bool = False) -> None:
        lines.append(_make_line(units[start:end], gap, (fill or width) if justify else None,
                                expand=not gap and end < n, hung=hung))

    while i < n:
        u = units[i]
        if u.text == "\n":
            emit(i, "\n")
            start, acc, sq, held, i = i + 1, 0.0, 0.0, 0.0, i + 1
            continue
        add = u.width + (u.pre if i > start else 0.0)
        give = 0.0 if i == start and u.text in SQUEEZE_BEFORE else u.squeeze
        room = count is None or held + count[i] <= chars
        if i == start or u.text in SPACE or room and (
                acc + add <= width + 1e-6
                or acc + add - sq - give <= width + 1e-6):  # oikomi: squeeze to fit
            acc += add
            sq += give
            if count is not None:
                held += count[i]
            i += 1
            continue
        if hang and room and u.text in HANG and acc - sq <= width + 1e-6 and (
                i + 1 == n or levels[i + 1] <= KINSOKU_OK):
            end = i + 1  # burasage: the mark hangs, the line breaks after it
            while end < n and units[end].text in SPACE:
                end += 1
            emit(end, hung=True)
            start = i = end
            acc = sq = 0.0
            held = 0.0
            continue
        # overflow at unit i: choose the best break in (start, i] (oidashi)
        best = None
        for level in (PHRASE_ONLY, ALLOWED, URL_POINT, KINSOKU_OK, ANYWHERE):
            cands = [k for k in range(start + 1, i + 1) if levels[k] <= level]
            if cands:
                best = cands[-1]
                break
        if best is None:
            best = i
        elif justify and levels[best] < URL_POINT:
            # keeping a long URL whole must not leave this line to be spread wide: break
            # the URL at a safe point instead
            later = [k for k in range(best + 1, i + 1) if url_points[k]]
            if later and _spread(units[start:best], fill or width) > LOOSE * (em or 1.0):
                best = later[-1]
        end = best
        while end < n and units[end].text in SPACE:
            end += 1
        emit(end)
        start = i = end
        acc = sq = 0.0
        held = 0.0
    if start < n or not lines:
        emit(n)
    return lines


LOOSE = 0.25  # em: the most a justified line is spread between characters to keep a URL whole


def _spread(units: list[_Unit], measure: float) -> float:
    """How far apart justification would set the characters of a line of `units`."""
    while units and units[-1].text in SPACE:
        units = units[:-1]
    natural = sum(u.width for u in units) + sum(u.pre for u in units[1:])
    gaps = sum(_stretches(a, b) for a, b in zip(units, units[1:]))
    return (measure - natural) / gaps if gaps else 0.0


def _make_line(units: list[_Unit], gap: str = "", measure: float | None = None,
               expand: bool = True, hung: bool = False) -> Line:
    """A line of `units` without its trailing spaces (kept as the line's `gap`, so a writer
    that lets the reader's software wrap can join the lines again). With a `measure` the
    line is adjusted to it (squeezed, or expanded unless it ends a paragraph)."""
    while units and units[-1].text in SPACE:
        gap = units[-1].text + gap
        units = units[:-1]
    parts: list[list] = []  # [texts, style, atomic] of each run
    natural = 0.0
    for u in units:
        natural += u.width
        last = parts[-1] if parts else None
        if (last is not None and not u.atomic and not last[2]
                and (last[1] is u.style or last[1] == u.style)):
            last[0].append(u.text)
            last[1] = u.style
        else:
            parts.append([[u.text], u.style, u.atomic])
    runs = [Run("".join(texts), style, atomic) for texts, style, atomic in parts]
    if not units:
        return Line(runs, 0.0, gap)
    body = units[:-1] if hung else units
    if measure is None:  # 和欧間 only
        after = [u.pre for u in body[1:]] + [0.0]
    else:
        after = distribute(
            [u.width for u in body], [u.pre for u in body], [u.squeeze for u in body],
            [u.text in SQUEEZE_BEFORE for u in body],
            [_stretches(a, b) for a, b in zip(body, body[1:])] + [False], measure, expand)
    if hung:
        after.append(0.0)
    extras: list[float] = []
    for u, e in zip(units, after):
        if len(u.text) > 1:
            extras.extend([0.0] * (len(u.text) - 1))
        extras.append(e)
    hung_width = units[-1].width if hung else 0.0
    if not any(extras):
        return Line(runs, natural, gap, (), hung_width)
    return Line(runs, natural + sum(extras), gap, tuple(extras), hung_width)


def _stretches(a: _Unit, b: _Unit) -> bool:
    """May the gap between units a and b grow? Not inside a Latin word or number, not
    around a citation mark (it belongs to the word before it, and copied text would get a
    space where its small raised figures leave a gap)."""
    if (b.atomic and b.text.startswith("[")) or (a.atomic and a.text.startswith("[")):
        return False
    return not inside_word(a.text[-1], b.text[0])


def violations(lines: Sequence[str]) -> list[str]:
    """Kinsoku problems in already-broken lines (used by tests and checks)."""
    out = []
    for k, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        if k > 0 and s[0] in NO_START:
            out.append(f"line {k + 1} starts with '{s[0]}': {s}")
        if k < len(lines) - 1 and s[-1] in NO_END:
            out.append(f"line {k + 1} ends with '{s[-1]}': {s}")
        after = lines[k + 1].strip() if k < len(lines) - 1 else ""
        if after and s[-1] in CL08_INSEPARABLE and after[0] in CL08_INSEPARABLE:
            out.append(f"line {k + 1} splits '{s[-1]}{after[0]}': {s}")
    return out
