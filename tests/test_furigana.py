"""Automatic furigana (text/furigana.py): the grade table, the reviewed readings that beat
the analyser, first occurrence per section, authored ruby, `handouts ruby`, the readings
every renderer gets, the unsure-reading warning and the jReadability score of `check`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, ink_above, ruby_readings, run_cli
from handouts.document import load_document
from handouts.text import furigana

HEAD = """\
title: {title}
audience: patients
reviewed: 2026-11-01
review_by: 2099-11-01
{furigana}key_points:
  - {point}
sections:
  - heading: すぐに救急へ行くときの目安です
    blocks:
      - callout: {{kind: danger, title: すぐに救急へ, items: [おしっこが出ないとき]}}
      - callout: {{kind: warning, title: 早めに受診を, items: [熱があるとき]}}
"""


def spec(*sections: str, grade: int | None = 4, title: str = "体を動かすための資料です",
         point: str = "痛みの多くは、時間とともに軽くなります。") -> str:
    return HEAD.format(title=title, point=point,
                       furigana=f"furigana: {{grade: {grade}}}\n" if grade else "") + "".join(
        sections)


def section(heading: str, *blocks: str, only: str | None = None) -> str:
    return (f"  - heading: {heading}\n" + (f"    only: {only}\n" if only else "")
            + "    blocks:\n" + "".join(f"      - {b}\n" for b in blocks))


def write(folder: Path, text: str, clinic: str = "name: 架空のみなみ診療所\n") -> Path:
    (folder / "_clinic.yaml").write_text(clinic, encoding="utf-8")
    path = folder / "topic.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def at(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column where `needle` is written in the YAML text."""
    i = -1
    for _ in range(nth):
        i = text.index(needle, i + 1)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def rubies(rich) -> list[tuple[str, str]]:
    return [(s.text, s.ruby) for s in rich.spans if s.ruby]


def section_texts(doc, k: int) -> list:
    sec = doc.sections[k]
    return [sec.heading] + [r for b in sec.blocks for r in _texts(b)]


def _texts(block):
    from handouts.document import block_texts

    return block_texts(block)


# -- the grade table ------------------------------------------------------------------------
def test_grade_table_is_the_2017_list():
    """学年別漢字配当表 (2017, in force 2020): 1,026 kanji in the official counts per grade,
    with the prefecture kanji the revision moved into grade 4."""
    grades = furigana.kanji_grades()
    counts = [sum(1 for g in grades.values() if g == n) for n in range(1, 7)]
    assert counts == [80, 160, 200, 202, 193, 191]
    assert {k: grades[k] for k in "岡茨阪胃腸恩"} == {"岡": 4, "茨": 4, "阪": 4, "胃": 6,
                                                  "腸": 6, "恩": 6}
    assert "腰" not in grades and "股" not in grades  # taught in secondary school


def test_reviewed_readings_are_well_formed():
    for word, reading in furigana.reviewed().items():
        assert all("\u3041" <= c <= "\u309f" or c in "ー." for c in reading), word
        if "." in reading:
            assert len(reading.split(".")) == len(word), word


# -- which words get a reading ---------------------------------------------------------------
def test_grade_filtering(tmp_path):
    """At grade 4, a word of grade-3 kanji (病院) stays bare and one with a grade-6 kanji
    (背中) gets its reading; at grade 6 both stay bare."""
    body = section("病院で相談できます", "text: 病院で背中を見てもらいます。")
    doc = load_document(write(tmp_path, spec(body, grade=4)))
    assert rubies(doc.sections[1].blocks[0].text) == [("背中", "せなか")]
    assert rubies(doc.sections[1].heading) == []
    doc6 = load_document(write(tmp_path, spec(body, grade=6)))
    assert rubies(doc6.sections[1].blocks[0].text) == []


def test_no_furigana_unless_asked(tmp_path):
    doc = load_document(write(tmp_path, spec(section("背中のはり", "text: 背中をのばします。"),
                                             grade=None)))
    assert all(not rubies(r) for r in doc.texts()) and doc.readings == []


def test_clinic_profile_sets_the_grade_and_the_spec_wins(tmp_path):
    body = section("体のはり", "text: 病院で背中を見てもらいます。")
    clinic = "name: 架空のみなみ診療所\nfurigana: {grade: 2}\n"
    doc = load_document(write(tmp_path, spec(body, grade=None), clinic))
    assert ("病院", "びょういん") in rubies(doc.sections[1].blocks[0].text)  # 病 is grade 3
    doc = load_document(write(tmp_path, spec(body, grade=4), clinic))
    assert rubies(doc.sections[1].blocks[0].text) == [("背中", "せなか")]


@pytest.mark.parametrize("text, word, reading, alone", [
    ("便がたまった感じがします。", "便", "べん", "びん"),
    ("太ももの内側がしびれます。", "内側", "うちがわ", "うちがわ"),
    ("内側枝をねらいます。", "内側枝", "ないそくし", "うちがわえだ"),
    ("股の感じが変わります。", "股", "また", "また"),
    ("おしり・股・太ももの内側がしびれます。", "股", "また", "こ"),
    ("股関節が痛みます。", "股関節", "こかんせつ", "こかんせつ"),
])
def test_reviewed_readings_beat_the_analyser_in_context(tmp_path, monkeypatch, text, word,
                                                        reading, alone):
    """The issue's cases: 便 べん (UniDic: びん), 内側 うちがわ in 太ももの内側 but ないそく
    in 内側枝, 股 また alone (UniDic: こ beside other nouns) but こ in 股関節."""
    doc = load_document(write(tmp_path, spec(section("気をつけたいこと", f"text: {text}"),
                                             grade=1)))
    got = dict(rubies(doc.sections[1].blocks[0].text))
    assert got[word] == reading
    # the analyser alone: the table is what makes the difference where they differ
    furigana.words.cache_clear()
    monkeypatch.setattr(furigana, "reviewed", lambda: {})
    said = "".join(w.reading for w in furigana.words(text)
                   if text.index(word) <= w.start < text.index(word) + len(word))
    furigana.words.cache_clear()
    assert said == alone


def test_okurigana_stay_bare_and_compounds_read_whole(tmp_path):
    doc = load_document(write(tmp_path, spec(section(
        "気をつけたいこと", "text: 足を持ち上げにくいときは、脳卒中かもしれません。"), grade=1)))
    got = rubies(doc.sections[1].blocks[0].text)
    assert ("持", "も") in got and ("上", "あ") in got  # 持ち上げ: ち and げ stay bare
    assert ("脳卒中", "のうそっちゅう") in got  # one reading over the compound


def test_authored_ruby_wins(tmp_path):
    """An authored reading is kept as written (even where the table says otherwise) and
    counts as the word's occurrence; the same word with another reading is a new word."""
    doc = load_document(write(tmp_path, spec(section(
        "股の感じ", "text: '{股|また}のまわりと、股の内側を見ます。'",
        "text: '{便|びん}で届きます。便がたまった感じがします。'"), grade=4)))
    first, second = (b.text for b in doc.sections[1].blocks)
    assert rubies(first) == [("股", "また")]  # the second 股 stays bare
    assert rubies(second)[0] == ("便", "びん")  # not the table's べん
    assert ("便", "べん") not in rubies(second)  # 便 is a grade-4 kanji: no automatic one
    # the heading came first: its 股 got the reading, so the authored one in the text is
    # still printed as the author wrote it
    assert rubies(doc.sections[1].heading) == [("股", "また")]


def test_first_occurrence_in_each_section(tmp_path):
    """Once per section and per output: the title and key points are one part, each section
    another; a deck-only block does not use up the leaflet's first occurrence."""
    text = spec(
        section("背中をのばします", "text: 背中を丸めます。背中をそらします。"),
        section("ゆっくり動かします", "text: 背中をゆっくり動かします。"),
        section("つづけるこつ", "{text: 背中のはりを話します。, only: deck}",
                "text: 背中が軽くなります。"),
        title="背中のはりの資料です", point="背中の痛みは軽くなります。")
    doc = load_document(write(tmp_path, text))

    def n(rich) -> int:
        return rubies(rich).count(("背中", "せなか"))

    assert n(doc.title) == 1 and n(doc.key_points[0]) == 0
    # the heading has it; the text, with 背中 twice, not again
    assert [n(r) for r in section_texts(doc, 1)] == [1, 0]
    assert [n(r) for r in section_texts(doc, 2)] == [0, 1]
    leaflet = doc.for_handout()
    assert [n(b.text) for b in leaflet.sections[3].blocks] == [1]
    assert [n(b.text) for b in doc.sections[3].blocks] == [1, 1]  # the deck-only one first


# -- handouts ruby ---------------------------------------------------------------------------
def test_ruby_command_prints_every_text_with_its_readings(tmp_path):
    text = spec(section("背中のはり", "text: >-\n          背中をのばします。\n"
                        "          {股|また}の感じも見ます[@r1]。",
                        "bullets: [病院で相談します, 胸の痛み]"), grade=None) + (
        "references:\n  - id: r1\n    cite: A. B. 2020.\n    url: https://example.org/a\n")
    path = write(tmp_path, text)
    r = run_cli("ruby", "--grade", "4", path)
    assert r.returncode == 0, r.stderr
    p = str(path)
    # checked by hand against the YAML above: 資料 (資 grade 5), 痛 and 胸 (grade 6), 救急
    # and 受診 get readings; 熱 (grade 4), 病院 and 相談 (grade 3) do not; 救急 and 背中
    # only once in their section; the folded text is at its `>-`, list items at themselves
    assert r.stdout.splitlines() == [
        f"{p}:1:8: 体を動かすための{{資料|しりょう}}です",
        f"{p}:6:5: {{痛|いた}}みの多くは、時間とともに軽くなります。",
        f"{p}:8:14: すぐに{{救急|きゅうきゅう}}へ行くときの目安です",
        f"{p}:10:40: すぐに救急へ",
        f"{p}:10:56: おしっこが出ないとき",
        f"{p}:11:41: 早めに{{受診|じゅしん}}を",
        f"{p}:11:57: 熱があるとき",
        f"{p}:12:14: {{背中|せなか}}のはり",
        f"{p}:14:15: 背中をのばします。{{股|また}}の感じも見ます[@r1]。",
        f"{p}:17:19: 病院で相談します",
        f"{p}:17:29: {{胸|むね}}の{{痛|いた}}み",
    ]
    assert at(text, "すぐに救急へ,") == (10, 40) and at(text, "胸の") == (17, 29)


def test_ruby_command_reports_spec_problems(tmp_path):
    path = write(tmp_path, spec(section("背中", "text: '{マクロ}です。'")))
    r = run_cli("ruby", path)
    assert r.returncode == 1 and r.stdout == ""
    assert f"{path}:{at(path.read_text(encoding='utf-8'), '{マクロ}')[0]}:" in r.stderr


# -- the same readings in every output -------------------------------------------------------
def test_leaflet_and_deck_show_the_document_readings(tmp_path):
    import pdfplumber
    from pptx import Presentation

    path = write(tmp_path, spec(section("病院で相談できます",
                                        "text: 病院で背中を見てもらいます。背中をのばします。")))
    r = run_cli("build", path, "-o", tmp_path / "out", "--format", "pdf,pptx")
    assert r.returncode == 0, r.stderr
    pairs = ruby_readings(tmp_path / "out" / "topic.pdf")
    # ruby: 体 is grade 2, 痛 grade 6 (key point), 救急 and 受診 in the boxes, 背中 once
    assert pairs.count(("背中", "せなか")) == 1 and not any("病院" in b for b, _ in pairs)
    with pdfplumber.open(tmp_path / "out" / "topic.pdf") as pdf:
        page = next(p for p in pdf.pages if "背中" in p.extract_text())
        assert ink_above(page, "背中") > 0 and ink_above(page, "病院") == 0
    texts = "".join(sh.text_frame.text for slide in Presentation(
        str(tmp_path / "out" / "topic.pptx")).slides for sh in slide.shapes
        if sh.has_text_frame)
    assert texts.count("背中（せなか）") == 1 and "病院（" not in texts


def _slide_texts(deck) -> list[str]:
    from handouts.deck import model as m

    return ["".join(line.text for p in getattr(box, "paras", []) for line in p.lines)
            for s in deck.slides for box in m.flat(s.shapes)]


def test_slides_write_the_reading_after_the_whole_word(tmp_path):
    """A reading in parentheses follows the word with its okurigana (痛む（いたむ）, not
    痛（いた）む), one word at a time (鋭い（するどい）痛み（いたみ）, not one reading over
    both); an authored per-character reading is still one for the word. The leaflet keeps
    its ruby over the kanji only."""
    from handouts.deck.plan import plan

    doc = load_document(write(tmp_path, spec(section(
        "気をつけたいこと",
        "text: 足を持ち上げにくいときや、鋭い痛みが出るときです。{椎間関節|つい.かん.かん.せつ}も見ます。"),
        grade=1)))
    text = "".join(_slide_texts(plan(doc)))
    for word in ("持ち上げ（もちあげ）", "鋭い（するどい）痛み（いたみ）", "椎間関節（ついかんかんせつ）"):
        assert word in text
    assert "（いた）み" not in text and "持（も）" not in text
    got = rubies(doc.sections[1].blocks[0].text)
    assert ("持", "も") in got and ("鋭", "するど") in got and ("痛", "いた") in got


def test_slides_keep_a_reading_next_to_or_inside_another_parenthesis(tmp_path):
    """On slides a word glossed by another word in the parenthesis after it (細胞（マクロ
    ファージ）) or written inside one (（肩甲骨のあいだ）) keeps its reading: the gloss does
    not say how to read the kanji (clinical review: 馬尾 and 下垂足 had lost theirs)."""
    from handouts.deck.plan import plan

    doc = load_document(write(tmp_path, spec(section(
        "気をつけたいこと",
        "text: 掃除役の細胞（マクロファージ）が、飛び出た部分を片づけます。"
        "背中の上のほう（肩甲骨のあいだ）も痛みます。"), grade=1)))
    text = "".join(_slide_texts(plan(doc)))
    assert "細胞（さいぼう）（マクロファージ）" in text, text
    assert "（肩甲骨（けんこうこつ）のあいだ）" in text, text


def test_continued_titles_repeat_no_reading(tmp_path):
    """The reading is given where a heading is first set: a slide or box that goes on
    under 「…（続き）」 does not give it again."""
    from handouts.deck.plan import plan
    from handouts.text.inline import continued_title

    items = ", ".join(f"{i}番目の長い説明で、スライドに入りきらない量の文章です" for i in range(30))
    doc = load_document(write(tmp_path, spec(section("腰のはりを軽くするこつ",
                                                     f"bullets: [{items}]"))))
    titles = ["".join(line.text for line in s.title) for s in plan(doc).slides]
    assert "腰（こし）のはりを軽くするこつ" in titles
    again = [t for t in titles if t.startswith("腰") and "続き" in t]
    assert again and all("（こし）" not in t for t in again), again
    heading = doc.sections[1].heading
    assert rubies(heading) == [("腰", "こし")] and not rubies(continued_title(heading))


def test_leaflet_text_copies_in_order_without_readings_or_gaps(tmp_path):
    """Copied text (pdftotext, PDFium) of a leaflet with ruby reads as the spec: a word
    with a reading at the start of the title stays in its place (it came after the line),
    and a base narrower than its reading adds no space (「今すぐ 救急へ」)."""
    import pypdfium2

    from conftest import pdftotext

    path = write(tmp_path, spec(section(
        "痛くない範囲で、ゆっくりのばします",
        "text: 今すぐ救急へ行きます。脳卒中かもしれません。"),
        title="腰のヘルニアは、自然に小さくなることがあります"))
    r = run_cli("build", path, "-o", tmp_path / "out", "--format", "pdf")
    assert r.returncode == 0, r.stderr
    pdf = tmp_path / "out" / "topic.pdf"
    lines = pdftotext(pdf).splitlines()
    for want in ("腰のヘルニアは、自然に小さくなることがあります", "痛くない範囲で、ゆっくりのばします",
                 "今すぐ救急へ行きます。脳卒中かもしれません。"):
        assert want in lines, lines[:12]
    doc = pypdfium2.PdfDocument(pdf)
    assert "今すぐ救急へ行きます。脳卒中かもしれません。" in doc[0].get_textpage().get_text_range()


def test_build_without_furigana_never_loads_the_analyser(tmp_path):
    """fugashi and its dictionary load only for furigana (and check's score): a build
    without them does not pay for them; the same process loads them once asked."""
    path = write(tmp_path, spec(section("背中のはり", "text: 背中をのばします。"), grade=None))
    code = ("import sys; from pathlib import Path; from handouts.cli import main; "
            "from handouts.document import load_document; "
            "rc = main(['build', '-q', '-j', '1', sys.argv[1], '-o', sys.argv[2], "
            "'--format', 'pdf']); "
            "assert rc == 0 and 'fugashi' not in sys.modules, (rc, 'fugashi loaded'); "
            "load_document(Path(sys.argv[1]), grade=4); "
            "assert 'fugashi' in sys.modules")
    r = subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path / "out")],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr


# -- lint ------------------------------------------------------------------------------------
def test_unsure_reading_is_a_warning_at_the_word(tmp_path):
    """床 may be ゆか or とこ: the author should type it. A reviewed (便) or authored
    reading is not questioned."""
    text = spec(section("足のうごき", "text: 歩くと、つま先が床にひっかかります。",
                        "text: '便がたまった感じです。{床|ゆか}をふみます。'"))
    r = run_cli("check", write(tmp_path, text))
    found = [ln for ln in r.stderr.splitlines() if "[reading]" in ln]
    line, col = at(text, "床")
    assert found == [f"{tmp_path / 'topic.yaml'}:{line}:{col}: warning: [reading] 「床」 may "
                     "be read とこ as well as ゆか here; type the reading you mean: {床|ゆか}"]


def check_with_cache(cache: str, *specs: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HANDOUTS_CACHE": cache}
    return subprocess.run([sys.executable, "-m", "handouts", "check", *map(str, specs)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def likely_entries(cache: Path) -> set[str]:
    return {p.name for p in (cache / "texts").glob("*.likely-readings.pickle")}


def test_check_finds_the_same_with_and_without_kept_readings(tmp_path):
    """The analyser's likely readings are kept on disk per sentence: the shipped specs and
    one with doubtful readings are checked alike with the cache off, while it fills and
    when it is read back."""
    cache = tmp_path / "cache"
    doubtful = write(tmp_path, spec(section("足のうごき", "text: 歩くと、つま先が床にひっかかります。",
                                            "text: 手足を動かします。")))
    off = check_with_cache("off", ROOT / "specs", doubtful)
    filling = check_with_cache(str(cache), ROOT / "specs", doubtful)
    kept = likely_entries(cache)
    assert kept  # one per sentence questioned
    reading = check_with_cache(str(cache), ROOT / "specs", doubtful)
    assert "[reading]" in off.stderr
    for r in (filling, reading):
        assert (r.returncode, r.stdout, r.stderr) == (off.returncode, off.stdout, off.stderr)
    assert likely_entries(cache) == kept  # read back, nothing analysed again


def test_kept_readings_are_the_fresh_ones(tmp_path, monkeypatch):
    """Every word of every shipped spec: the other readings found from the kept entries
    are those found with the cache off."""
    from handouts.build import Projects, prepare

    def every_doubt() -> dict:
        furigana._likely.cache_clear()
        found = {}
        for path in sorted((ROOT / "specs").glob("[!_]*.yaml")):
            for rich in prepare(path, Projects(None)).texts():
                text = "".join(sp.text for sp in rich.spans if not sp.cite)
                for w in furigana.words(text):
                    if any(furigana.is_kanji(c) for c in w.text):
                        found[text, w] = furigana.doubts(text, w)
        return found

    monkeypatch.setenv("HANDOUTS_CACHE", "off")
    fresh = every_doubt()
    assert sum(map(bool, fresh.values())) >= 10
    monkeypatch.setenv("HANDOUTS_CACHE", str(tmp_path / "cache"))
    assert every_doubt() == fresh  # filling
    assert likely_entries(tmp_path / "cache")
    assert every_doubt() == fresh  # read back


def test_an_edited_sentence_is_analysed_again(tmp_path):
    """Only the edited sentence is analysed again, and a doubtful word typed into it is
    reported though the cache holds the sentence as it was."""
    cache = tmp_path / "cache"
    before = spec(section("足のうごき", "text: 歩くと、つま先がゆかにひっかかります。ゆっくり歩きます。"))
    path = write(tmp_path, before)
    r = check_with_cache(str(cache), path)
    assert "[reading]" not in r.stderr
    kept = likely_entries(cache)
    after = before.replace("ゆかに", "床に")
    path.write_text(after, encoding="utf-8")
    r = check_with_cache(str(cache), path)
    line, col = at(after, "床")
    assert [ln for ln in r.stderr.splitlines() if "[reading]" in ln] == [
        f"{path}:{line}:{col}: warning: [reading] 「床」 may be read とこ as well as ゆか "
        "here; type the reading you mean: {床|ゆか}"]
    assert len(likely_entries(cache) - kept) == 1  # the edited sentence alone


def test_readability_score_matches_jreadability(tmp_path):
    """`check` prints each patient spec's jReadability: the package's own score of the text
    patients read, each printed text one sentence."""
    from jreadability import compute_readability

    text = spec(section("体を動かします", "text: 毎日少しずつ歩きましょう。無理はしないでください。",
                        "bullets: [朝に歩く, 夜はゆっくり休む]"), grade=None)
    path = write(tmp_path, text)
    expected = compute_readability(
        "体を動かすための資料です。痛みの多くは、時間とともに軽くなります。"
        "すぐに救急へ行くときの目安です。すぐに救急へ。おしっこが出ないとき。早めに受診を。"
        "熱があるとき。体を動かします。毎日少しずつ歩きましょう。無理はしないでください。"
        "朝に歩く。夜はゆっくり休む。")
    r = run_cli("check", "--format", "json", path)
    assert json.loads(r.stdout)["readability"][str(path)]["jreadability"] == round(expected, 2)
    r = run_cli("check", path)
    assert r.stdout == f"{path}: jReadability {expected:.2f}\n"


def test_readability_below_target_warns_with_the_score(tmp_path):
    text = spec(section("治療方針", "text: 保存療法で経過観察を継続し、症状増悪時は精査を検討します。"),
                grade=None)
    path = write(tmp_path, text)
    r = run_cli("check", path)
    score = float(r.stdout.split("jReadability ")[1])
    assert score < 4.5
    line, col = at(text, "体を動かす")
    assert (f"{path}:{line}:{col}: warning: [readability] jReadability {score:.2f} (中級前半) "
            "is below the target 4.5 (初級後半)") in r.stderr
    assert r.returncode == 0 and run_cli("check", "--strict", path).returncode == 1
    # a clinic may set its own target
    write(tmp_path, text, f"name: 架空のみなみ診療所\nreadability_target: {score - 0.1:.2f}\n")
    assert "[readability]" not in run_cli("check", path).stderr
