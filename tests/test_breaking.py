"""The shared Japanese line breaker: kinsoku, whole Latin/number tokens, phrases, ruby."""

import re

import pytest

from handouts.diagnostics import Mark
from handouts.text.breaking import NO_END, NO_START, violations
from handouts.text.inline import parse, plain
from handouts.text.setting import set_lines

TEXT = ("腰のヘルニアは自然に小さくなることがあります。飛び出したヘルニアの多くは、数か月で"
        "小さくなります（100人中96人）。「L4/5」の椎間関節は、20秒ずつ伸ばします。"
        "詳しくは https://doi.org/10.1177/0269215514540919 を見てください！")


@pytest.mark.parametrize("width", [60, 75, 90, 110, 130, 150, 170, 200, 260, 333])
def test_no_kinsoku_violation_at_any_width(width):
    lines = [ln.text for ln in set_lines(plain(TEXT), width, 12)]
    assert "".join(lines).replace(" ", "") == TEXT.replace(" ", "")
    assert violations(lines) == []
    for ln in lines:
        assert ln.strip()[0] not in NO_START or ln is lines[0]
        assert ln.strip()[-1] not in NO_END


@pytest.mark.parametrize("width", [90, 110, 130, 150, 200])
def test_tokens_stay_whole(width):
    lines = [ln.text for ln in set_lines(plain(TEXT), width, 12)]
    for token in ("L4/5", "20秒", "100人", "96人"):
        assert any(token in ln for ln in lines), (token, lines)


def test_long_url_breaks_only_at_safe_points():
    url = "https://example.jp/" + "/".join(["segment"] * 30)
    lines = [ln.text for ln in set_lines(plain(url), 120, 12)]
    assert len(lines) > 3
    for ln in lines[:-1]:
        assert ln[-1] in "/._?&=#", lines


def test_url_breaks_before_a_hyphen_never_after():
    url = "https://cks.example.org/topics/sciatica-lumbar-radiculopathy/red-flag-symptoms-signs/"
    for width in range(60, 400, 7):
        lines = [ln.text for ln in set_lines(plain(url), width, 9)]
        assert "".join(lines) == url
        assert not any(ln.endswith("-") for ln in lines), (width, lines)
        assert not any(ln.endswith("/") and nxt.startswith("/")
                       for ln, nxt in zip(lines, lines[1:])), lines  # '//' stays whole


def test_lines_fit_width():
    for ln in set_lines(plain(TEXT * 3), 150, 12):
        assert ln.width <= 150 + 1e-6


def test_heading_breaks_at_phrase_boundaries():
    lines = [ln.text for ln in set_lines(plain("腰部椎間板ヘルニアは自然に小さくなることがあります"),
                                         150, 12, phrases=True)]
    assert lines == ["腰部椎間板ヘルニアは", "自然に", "小さくなることがあります"]


def test_ruby_group_never_split():
    rich = parse("これは{椎間板|ついかんばん}の話です。" * 4, Mark("x", 1, 1), {}, {}, [])
    for width in range(40, 200, 7):
        for ln in set_lines(rich, width, 12):
            for run in ln.runs:
                if getattr(run.style, "ruby", None):
                    assert run.text == "椎間板" and run.style.ruby == "ついかんばん"


def test_reading_in_parentheses_around_a_glossary_term_never_split():
    """A term written as the reading (細胞（{マクロファージ}）) is a span of its own between
    the parentheses: the reading still goes to one line whole, at any width (it was
    split 「（マクロファー/ジ）」 on the A4 leaflet), at any width it fits."""
    rich = parse("片づけるのは、掃除役の細胞（{マクロファージ}）です。" * 3, Mark("x", 1, 1),
                 {"マクロファージ": "細胞"}, lambda i, m: None, [])
    assert any(s.term and s.text == "マクロファージ" for s in rich.spans)
    for width in range(9 * 12, 400, 5):
        lines = [ln.text for ln in set_lines(rich, width, 12)]
        ends, at = [], 0
        for t in lines[:-1]:
            at += len(t)
            ends.append(at)
        text = "".join(lines)
        for k in (m.start() for m in re.finditer("（マクロファージ）", text)):
            assert not any(k < e < k + 9 for e in ends), (width, lines)


# -- JLREQ character classes, with a monospaced measure (every character 1 wide) ----------

def _mono(text: str, width: int) -> list[str]:
    from handouts.text.breaking import Run, break_lines

    return [ln.text for ln in break_lines([Run(text, None)], width, lambda t, s: len(t))]


@pytest.mark.parametrize("text, width, expected", [
    # cl-08: a pair of dashes or leaders is never split, but may start a line
    ("あいう――えお", 4, ["あいう", "――えお"]),
    ("あいう……えお", 4, ["あいう", "……えお"]),
    ("あいう‥‥えお", 4, ["あいう", "‥‥えお"]),
    ("あいう——えお", 4, ["あいう", "——えお"]),
    # cl-12: a prefix stays with its number
    ("値段は¥3000です", 6, ["値段は", "¥3000で", "す"]),
    ("全部で€15です", 5, ["全部で", "€15です"]),
    # cl-23: full-width digits stay together and with their unit
    ("あいう２０秒です", 4, ["あいう", "２０秒で", "す"]),
    # cl-13: postfixed abbreviations stay with the number before them
    ("あいう5‰です", 4, ["あいう", "5‰です"]),
    ("あいう30″です", 5, ["あいう", "30″です"]),
    # half-width katakana: the prolonged mark and small kana do not start a line
    ("ｱｲｳｴｰｵ", 4, ["ｱｲｳ", "ｴｰｵ"]),
    ("ｱｲｳｯｶ", 3, ["ｱｲ", "ｳｯｶ"]),
])
def test_jlreq_classes(text, width, expected):
    assert _mono(text, width) == expected


def test_violations_know_the_inseparable_pairs():
    from handouts.text.breaking import violations

    assert violations(["あいう―", "―えお"]) == ["line 1 splits '――': あいう―"]
    assert violations(["あいう", "……えお"]) == []  # a line may start with leaders
