"""Character classes of Japanese text, shared by the lint rules and automatic furigana."""

from __future__ import annotations

import re

KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆"
_KANJI = re.compile(f"[{KANJI}]")
_KANA = re.compile("[\u3041-\u309f\u30a0-\u30fa\u30fc-\u30ff]")  # not the ・ middle dot
_TO_HIRAGANA = {c: c - 0x60 for c in range(0x30A1, 0x30F7)}  # ァ…ヶ → ぁ…ゖ


def is_kanji(ch: str) -> bool:
    return bool(_KANJI.match(ch))


def is_kana(ch: str) -> bool:
    return bool(_KANA.match(ch))


def hiragana(text: str) -> str:
    """Katakana as hiragana (ー and everything else unchanged): UniDic's readings are
    katakana, ruby over Japanese words is hiragana."""
    return text.translate(_TO_HIRAGANA)
