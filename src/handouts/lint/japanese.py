"""Japanese text measures the rules share: character classes and sentences.

Everything works on what a reader sees: ruby bases without their readings, no citation
markers, no markup. Whitespace is not counted: YAML folding (`>-`) turns line breaks into
spaces the writer never meant as characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.chars import KANJI, is_kana, is_kanji
from ..text.inline import Rich

__all__ = ["KANJI_RUN", "Sentence", "is_kana", "is_kanji", "length", "sentences"]

KANJI_RUN = re.compile(f"[{KANJI}]{{7,}}")  # more than 6 in a row
_END = "。！？!?"
_CLOSE = "」』）)】"


def length(text: str) -> int:
    """Characters a reader reads (whitespace left out)."""
    return sum(1 for c in text if not c.isspace())


@dataclass(frozen=True)
class Sentence:
    text: str  # plain text, as read
    cited: bool  # a citation marker belongs to this sentence


def sentences(rich: Rich) -> list[Sentence]:
    """Split at 。！？ (plus closing brackets after them). A citation written just after
    the full stop (「…です。[@x]」) still belongs to the sentence before it."""
    out: list[list] = [["", False]]
    for span in rich.spans:
        if span.cite:
            cur = out[-1]
            if not cur[0].strip() and len(out) > 1:
                out[-2][1] = True  # cite opens a sentence: it belongs to the previous one
            else:
                cur[1] = True
            continue
        text = span.text
        i = 0
        while i < len(text):
            ch = text[i]
            out[-1][0] += ch
            i += 1
            if ch in _END:
                while i < len(text) and (text[i] in _END or text[i] in _CLOSE):
                    out[-1][0] += text[i]
                    i += 1
                out.append(["", False])
    return [Sentence(t.strip(), c) for t, c in out if t.strip()]
