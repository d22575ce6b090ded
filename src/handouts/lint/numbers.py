"""Which numbers in a text are claims that need a source.

A claim is a quantity: digits with a unit or a percent sign (「100人中96人」, 「20秒」,
「3〜6か月」, 「11%」). Not claims: dates (「2019年」, 「11月20日」), clock times, ordinals and
step numbers (「第2」, 「1回目」, 「2段目」), phone-like numbers (「119番」), counters with no
measure (「1つ」, 「2本」) and anatomical labels (「L4/5」, 「S1」, 「C5」).
"""

from __future__ import annotations

import re
import unicodedata

_NUM = r"\d+(?:[.,]\d+)*"
_UNIT = (r"(?:%|パーセント|割|人|名|歳代|歳|才|代|秒|分|時間|日|週間|週|か月|ヶ月|カ月|ケ月|箇月|年|回|倍|"
         r"例|件|(?:の)?研究|度|℃|(?:kcal|mm|cm|km|kg|mg|ml|mL|g|m|s|min)(?![A-Za-z]))")
_CLAIM = re.compile(rf"(?<![\d.,]){_NUM}(?:\s*[〜~\-–]\s*{_NUM})?\s*{_UNIT}")
_PERCENT = re.compile(rf"({_NUM})\s*(?:%|パーセント)")
_NOT_CLAIMS = [
    re.compile(r"[A-Za-z]+\d+(?:\s*/\s*[A-Za-z]?\d+)*"),  # L4/5, S1, T12, MMP9
    re.compile(r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"),  # 2019年11月20日
    re.compile(r"\d{4}[-/]\d{1,2}(?:[-/]\d{1,2})?"),  # 2026-11-20
    re.compile(r"\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"),  # 11月20日
    re.compile(r"\d{1,2}:\d{2}"),  # 9:00
    re.compile(r"第\s*\d+"),  # 第2
    re.compile(rf"\d+\s*{_UNIT}?目"),  # 1回目, 2段目, 3日目
    re.compile(r"^\s*\d+[.．)）、]"),  # step numbers written into the text
]


def _normal(text: str) -> str:
    # full-width digits and ％ count the same as ASCII ones
    return unicodedata.normalize("NFKC", text)


def claims(text: str) -> list[str]:
    """The quantities in `text` that need a citation, as written (normalised)."""
    text = _normal(text)
    for pattern in _NOT_CLAIMS:
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return [m.group().strip() for m in _CLAIM.finditer(text)]


def percents(text: str) -> list[tuple[str, str]]:
    """(percentage as written, the 「100人中N人」 wording to use instead)."""
    out = []
    for m in _PERCENT.finditer(_normal(text)):
        value = float(m.group(1).replace(",", ""))
        out.append((m.group(), f"100人中{round(value)}人"))
    return out
