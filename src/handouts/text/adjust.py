"""Line adjustment (JLREQ §3.8): the spacing of a line once its break is chosen.

Shared by every renderer that draws set lines (pdfdraw), decided while breaking:
- 和欧間: a quarter em between Japanese and Latin letters or digits (JLREQ §3.2.5), part of
  the line's natural width, never at a line's start or end;
- oikomi (pull in): punctuation set wider than half an em gives up the rest (JLREQ §3.8.2)
  so the next character fits. BIZ UDPGothic's 「」（） are half an em already and its 、。 six
  tenths (ink ends at 0.32–0.37 em): they give up at most 0.1 em and never collide; in
  BIZ UDGothic (monospaced, full-width punctuation) they give up half an em;
- burasage (hang, optional): 、。 past the measure when the line is full without them;
- oidashi (push out): the rest of a short line is spread evenly between characters;
  Latin words keep their internal spacing; a paragraph's last line stays flush-left.
"""

from __future__ import annotations

QUARTER = 0.25  # em between Japanese and Latin text
HALF = 0.5  # punctuation is never squeezed below half an em
# JLREQ cl-06 full stops and cl-07 commas may hang past the measure (burasage)
HANG = frozenset("、。，．")
# full-width punctuation whose spacing can be squeezed: after the glyph for cl-02 closing
# brackets, cl-06 full stops and cl-07 commas; before it for cl-01 opening brackets
SQUEEZE_AFTER = frozenset("’”）〕］｝〉》」』】〙〗〟｠、。，．")
SQUEEZE_BEFORE = frozenset("‘“（〔［｛〈《「『【｟〘〖〝")
# Western characters that take 和欧間 next to Japanese (letters, digits, unit signs)
_LATIN_SIGNS = frozenset("%&#@$+*=°")
# ASCII characters that are inside a Latin word or number: never spaced apart
_WORD_INSIDE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                         "._/-:%+#@&=?~'’,°$*()[]")
# pdftotext starts a new word when a gap exceeds 0.1 em over the line's closest letters: a
# segment with a wider gap carries its text as /ActualText (see pdfdraw)
SAFE_GAP = 0.08


def is_japanese(ch: str) -> bool:
    """Kana, kanji and their marks (JLREQ cl-09–cl-11, cl-15–cl-19): what takes 和欧間."""
    o = ord(ch)
    return (0x3041 <= o <= 0x30FF or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF
            or 0xF900 <= o <= 0xFAFF or 0xFF66 <= o <= 0xFF9F or ch in "々〆〇ヶ")


def is_kana(ch: str) -> bool:
    """Hiragana and katakana: a longer ruby reading may overhang them (JLREQ §3.3.8)."""
    return 0x3041 <= ord(ch) <= 0x30FF and ch not in "・"


def is_latin(ch: str) -> bool:
    """Latin letters, digits and the Western signs that belong to them (JLREQ cl-27)."""
    return ch.isascii() and ch.isalnum() or ch in _LATIN_SIGNS


_SIDE: dict[str, int] = {}  # character → 1 Japanese, 2 Latin, 0 neither (memo: hot path)


def _side(ch: str) -> int:
    v = _SIDE.get(ch)
    if v is None:
        v = _SIDE[ch] = 1 if is_japanese(ch) else 2 if is_latin(ch) else 0
    return v


def wa_o(a: str, b: str) -> bool:
    """Does 和欧間 go between the characters a and b?"""
    return _side(a) * _side(b) == 2


def inside_word(a: str, b: str) -> bool:
    """a|b inside a Latin word or number (its spacing is the font's own)."""
    return a in _WORD_INSIDE and b in _WORD_INSIDE


def squeeze_after(ch: str, width: float, em: float) -> float:
    """How much of a punctuation mark's advance may be given up (points)."""
    if ch in SQUEEZE_AFTER or ch in SQUEEZE_BEFORE:
        return max(0.0, width - HALF * em)
    return 0.0


def distribute(widths: list[float], pre: list[float], squeeze: list[float],
               open_before: list[bool], points: list[bool], measure: float,
               expand: bool) -> list[float]:
    """The extra advance after each unit of a line so that it fills `measure`.

    `pre[k]` is the 和欧間 before unit k (dropped at the line start), `squeeze[k]` what unit
    k's punctuation may give up, `open_before[k]` that it gives it up on its left (an
    opening bracket: taken from the unit before it), `points[k]` that the gap after unit k
    may stretch. A line wider than the measure is squeezed, each mark in proportion to what
    it can give; a narrower one (unless `expand` is off: a paragraph's last line) has the
    rest spread evenly over its points."""
    n = len(widths)
    extra = [0.0] * n
    for k in range(1, n):
        extra[k - 1] += pre[k]
    natural = sum(widths) + sum(pre[1:])
    slack = measure - natural
    if slack < -1e-6:
        can = sum(squeeze[k] for k in range(n) if not (open_before[k] and k == 0))
        if can > 0:
            ratio = min(1.0, -slack / can)
            for k in range(n):
                if squeeze[k]:
                    if open_before[k]:
                        if k:
                            extra[k - 1] -= squeeze[k] * ratio
                    else:
                        extra[k] -= squeeze[k] * ratio
    elif slack > 1e-6 and expand:
        gaps = [k for k in range(n - 1) if points[k]]
        if gaps:
            each = slack / len(gaps)
            for k in gaps:
                extra[k] += each
    return extra
