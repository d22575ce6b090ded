"""Line adjustment (text/adjust.py) with JLREQ's own cases: 和欧間 (§3.2.5), oikomi and
burasage before oidashi (§3.8), justified lines and a flush-left last line (§2.4.2)."""

import pytest

from handouts.diagnostics import Mark
from handouts.fonts import fonts
from handouts.text.breaking import Run, break_lines
from handouts.text.inline import parse, plain
from handouts.text.setting import set_lines

SIZE = 10.0


def _mono(text: str, ems: float, **kw):
    """Lines in BIZ UDGothic (monospaced: kana, kanji and punctuation one em)."""
    return break_lines([Run(text, None)], ems * SIZE,
                       lambda t, s: fonts().width(t, SIZE, mono=True), em=SIZE, **kw)


def _prop(text: str, ems: float, **kw):
    """Lines in BIZ UDPGothic, the body face (proportional)."""
    return break_lines([Run(text, None)], ems * SIZE,
                       lambda t, s: fonts().width(t, SIZE), em=SIZE, **kw)


def _extra(line, ch: str) -> float:
    return line.extras[line.text.index(ch)]


# -- 和欧間 ------------------------------------------------------------------------------

def test_quarter_em_between_japanese_and_latin():
    """JLREQ §3.2.5: a quarter em between Japanese and Western letters or digits, none inside
    the Western word, none next to punctuation or brackets."""
    (line,) = set_lines(plain("検査でHIVが陽性。（MRI）で20秒"), 1000, SIZE)
    assert _extra(line, "で") == pytest.approx(SIZE / 4)  # で|H
    assert _extra(line, "V") == pytest.approx(SIZE / 4)  # V|が
    assert _extra(line, "H") == _extra(line, "I") == 0  # inside HIV
    assert _extra(line, "（") == 0 and line.extras[line.text.index("I）") + 1] == 0
    assert line.extras[line.text.rindex("0")] == pytest.approx(SIZE / 4)  # 20|秒
    natural = fonts().width(line.text, SIZE)
    assert line.width == pytest.approx(natural + 4 * SIZE / 4)  # で|H V|が で|2 0|秒


def test_no_quarter_em_at_a_line_start():
    lines = _mono("あいうえおかきくけこABC", 10)
    assert [ln.text for ln in lines] == ["あいうえおかきくけこ", "ABC"]
    assert not lines[1].extras


@pytest.mark.parametrize("written, set_as", [
    ("同じ高さと 1 つ下", "同じ高さと1つ下"),  # spaces typed beside Japanese
    ("です。 とび出した", "です。とび出した"),  # a YAML fold
    ("L4 と L5 の間", "L4とL5の間"),
    ("20 秒 保つ", "20秒保つ"),
    ("Shirado O, et al. J Orthop Sci", "Shirado O, et al. J Orthop Sci"),  # Latin kept
])
def test_spaces_beside_japanese_are_removed(written, set_as):
    rich = parse(written, Mark("x", 1, 1), {}, lambda i, m: None, [])
    assert rich.plain == set_as


# -- oikomi, burasage, oidashi ------------------------------------------------------------

def test_oikomi_squeezes_full_width_punctuation_to_pull_a_character_in():
    """JLREQ §3.8.2 (BIZ UDGothic, full-width 、): ten characters on a 9.5 em line, one of
    them 、 — half its em is given up, the line holds all ten."""
    (line,) = _mono("あいうえお、かきくけ", 9.5, justify=True)
    assert line.width == pytest.approx(9.5 * SIZE)
    assert _extra(line, "、") == pytest.approx(-0.5 * SIZE)


def test_oikomi_spreads_the_squeeze_over_the_marks_in_proportion():
    (line,) = _mono("あい、うえ。おか「きく」", 10.5, justify=True)
    squeezed = [e for e in line.extras if e < 0]
    assert len(squeezed) == 4 and sum(squeezed) == pytest.approx(-1.5 * SIZE)
    assert line.width == pytest.approx(10.5 * SIZE)


def test_proportional_punctuation_gives_up_only_what_it_has_over_half_an_em():
    """BIZ UDPGothic's 、。 are 0.6 em (ink ends at 0.32–0.37 em): at most 0.1 em each;
    its 「」（） are half an em already and are never squeezed."""
    w = fonts().width("あいうえお、かきくけこ", SIZE)
    (line,) = _prop("あいうえお、かきくけこ", (w - 0.08 * SIZE) / SIZE, justify=True)
    assert _extra(line, "、") == pytest.approx(-0.08 * SIZE)
    lines = _prop("あいうえお「かきくけこ」", (fonts().width("あいうえお「かきくけこ」", SIZE)
                                            - 0.05 * SIZE) / SIZE, justify=True)
    assert len(lines) == 2  # nothing to squeeze: the last character is pushed down


def test_burasage_hangs_a_full_stop_past_the_measure():
    """JLREQ §3.8.3: with hanging allowed, 。 that does not fit hangs in the margin."""
    (line,) = _mono("あいうえおかきくけ。", 9, justify=True, hang=True)
    assert line.hang == pytest.approx(SIZE)
    assert line.width == pytest.approx(10 * SIZE)


def test_without_burasage_the_character_before_the_stop_is_pushed_down():
    """Oidashi: 。 may not start a line, so け goes down with it; the first line is then
    spread to the measure."""
    lines = _mono("あいうえおかきくけ。こ", 9, justify=True)
    assert [ln.text for ln in lines] == ["あいうえおかきく", "け。こ"]
    assert lines[0].width == pytest.approx(9 * SIZE)
    assert set(round(e, 6) for e in lines[0].extras[:-1]) == {round(SIZE / 7, 6)}
    assert lines[0].extras[-1] == 0


def test_justified_lines_fill_the_measure_and_the_last_stays_flush_left():
    text = "体の掃除役の細胞（マクロファージ）が、飛び出した部分を少しずつ片付けます。" * 3
    lines = set_lines(plain(text), 200, 12.5, justify=True)
    assert len(lines) > 3
    for ln in lines[:-1]:
        assert ln.width == pytest.approx(200, abs=1e-6)
    assert lines[-1].width < 200
    assert not any(e > 0 for e in lines[-1].extras)


def test_a_line_holds_at_most_its_character_cap_and_is_spread_to_the_measure():
    """Proportional kana are narrower than an em: 40 em of them is more than 40 characters.
    With a cap of 40 the line ends at the 40th character (citation marks not counted) and
    the slack is spread; without it the same measure holds more."""
    text = "りんごをたべたいとおもいました。" * 8
    free = _prop(text, 40, justify=True)
    assert len(free[0].text) > 40
    capped = _prop(text, 40, justify=True, chars=40)
    assert [len(ln.text) for ln in capped[:-1]] == [40] * (len(capped) - 1)
    assert all(ln.width == pytest.approx(40 * SIZE) for ln in capped[:-1])
    cited = break_lines([Run("あ" * 39, None), Run("[1]", "cite", atomic=True),
                         Run("いう", None)], 60 * SIZE,
                        lambda t, s: fonts().width(t, SIZE * (0.6 if s else 1)),
                        em=SIZE, justify=True, chars=40)
    assert cited[0].text == "あ" * 39 + "[1]い"
    # a half-width letter or digit counts half (JLREQ counts a line in full-width characters),
    # so a line with a Latin word is not spread letter by letter
    (latin, _) = _prop("あ" * 36 + "MRIで" + "い" * 10, 60, justify=True, chars=40)
    assert latin.text == "あ" * 36 + "MRIでい"  # 36 + 1.5 + 2 = 39.5 by count, 41 glyphs
    assert latin.width == pytest.approx(60 * SIZE)


def test_latin_words_keep_their_spacing():
    """The slack goes between characters, never inside a Latin word or number."""
    text = "手術はMicrodiscectomyと呼ばれ、L4/5で行います。" * 2
    lines = set_lines(plain(text), 160, 12.5, justify=True)
    for ln in lines[:-1]:
        t = ln.text
        for i, (a, b) in enumerate(zip(t, t[1:])):
            if a.isascii() and b.isascii() and a != " " and b != " ":
                assert ln.extras[i] == 0, (t, a, b)


def test_citation_marks_stay_against_their_word():
    rich = parse("痛みが続きやすくなることがあります[@a]。" * 3, Mark("x", 1, 1), {},
                 lambda i, m: 1, [])
    for ln in set_lines(rich, 150, 12.5, justify=True)[:-1]:
        t = ln.text
        if "[1]" in t:
            k = t.index("[1]")
            assert ln.extras[k - 1] == 0 and ln.extras[k + 2] == 0


# -- ruby ---------------------------------------------------------------------------------

def _rich(text: str, diags=None):
    return parse(text, Mark("x", 1, 1), {}, lambda i, m: None, [] if diags is None else diags)


def test_mono_ruby_breaks_between_the_characters_of_a_word():
    """{椎間関節|つい.かん.かん.せつ}: one reading per character, so the word can break
    inside, each character keeping its own reading (group ruby never breaks)."""
    mono = _rich("ああああああ{椎間関節|つい.かん.かん.せつ}です")
    assert [(s.text, s.ruby) for s in mono.spans[1:5]] == [
        ("椎", "つい"), ("間", "かん"), ("関", "かん"), ("節", "せつ")]
    lines = set_lines(mono, 8 * 12.5, 12.5)
    assert lines[0].text == "ああああああ椎間"
    group = _rich("ああああああ{椎間関節|ついかんかんせつ}です")
    assert set_lines(group, 8 * 12.5, 12.5)[0].text == "ああああああ"


def test_mono_ruby_needs_a_reading_per_character():
    diags = []
    _rich("{椎間関節|つい.かん.せつ}", diags)
    assert len(diags) == 1 and "one reading for each of the 4 characters" in diags[0].message


def test_a_long_reading_overhangs_neighbouring_kana_by_at_most_half_a_ruby_character():
    """JLREQ §3.3.8: 「腸（ちょう）」 is wider than its base; beside kana the reading
    reaches over them (up to half a ruby character, 0.25 em here), beside a kanji or at a
    line's ends it does not."""
    from handouts.text.setting import ruby_overhang, span_width

    rich = _rich("これは{腸|ちょう}のはなし")
    (line,) = set_lines(rich, 1000, SIZE)
    ruby = rich.spans[1]
    o = ruby_overhang(ruby, SIZE)
    assert 0 < o <= SIZE * 0.25
    k = line.text.index("腸")
    assert line.extras[k - 1] == pytest.approx(-o) and line.extras[k] == pytest.approx(-o)
    assert line.width == pytest.approx(fonts().width("これはのはなし", SIZE)
                                       + span_width("腸", ruby, SIZE) - 2 * o)
    (kanji,) = set_lines(_rich("漢字{腸|ちょう}漢字"), 1000, SIZE)
    assert not kanji.extras


def test_without_a_cap_an_atom_of_many_characters_does_not_end_a_line():
    """Uncapped breaking (slides) counts nothing: a ruby base of eight characters between
    two kana stays on one wide line (a stand-in cap of one per unit once broke it)."""
    runs = [Run("あ", None), Run("椎間関節椎間関節", "ruby", atomic=True), Run("い", None)]
    lines = break_lines(runs, 60 * SIZE, lambda t, s: fonts().width(t, SIZE), em=SIZE)
    assert [ln.text for ln in lines] == ["あ椎間関節椎間関節い"]
