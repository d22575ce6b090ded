"""`handouts check` lint rules: each rule fails on a bad spec, passes on a good one, and
points at the exact line:col of the YAML node at fault."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import DATA, ROOT, run_cli
from handouts.check import check
from handouts.deck.model import PITCH, Para, Slide, TextBox, default_frame
from handouts.lint.fit import _overflows
from handouts.lint.numbers import claims, percents
from handouts.text import setting
from handouts.text.breaking import Line

TODAY = dt.date(2026, 11, 22)

# A patient spec that passes every rule; tests append one section (and tails) to it.
CLEAN = """\
title: 腰の痛みとつきあうための資料です
audience: {audience}
reviewed: 2026-11-01
review_by: 2027-11-01
key_points:
  - 痛みの多くは、時間とともに軽くなります。
sections:
  - heading: すぐに救急へ行くときの目安です
    blocks:
      - callout: {{kind: danger, title: すぐに救急へ, items: [おしっこが出ないとき]}}
      - callout: {{kind: warning, title: 早めに受診を, items: [熱があるとき]}}
"""
REFS = """\
references:
  - id: chiu2015
    cite: Chiu CC, et al. Clin Rehabil. 2015;29(2):184-95.
    doi: 10.1177/0269215514540919
"""


def write(folder: Path, text: str, name: str = "topic.yaml") -> Path:
    (folder / "_clinic.yaml").write_text("name: 架空のみなみ診療所\n", encoding="utf-8")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def spec(extra: str = "", audience: str = "patients", head: str | None = None) -> str:
    return (head if head is not None else CLEAN.format(audience=audience)) + extra


def findings(tmp_path: Path, text: str, code: str | None = None) -> list[tuple]:
    """(line, col, severity, message) of each finding, only `code` if given."""
    report, _ = check([write(tmp_path, text)], today=TODAY)
    return [(d.line, d.col, d.severity, d.message) for d in report.diagnostics
            if code is None or d.code == code]


def at(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column where `needle` is written in the YAML text."""
    i = -1
    for _ in range(nth):
        i = text.index(needle, i + 1)
    line = text.count("\n", 0, i) + 1
    return line, i - (text.rfind("\n", 0, i) + 1) + 1


def section(*blocks: str, heading: str = "体を動かすことが大切です") -> str:
    return f"  - heading: {heading}\n    blocks:\n" + "".join(f"      - {b}\n" for b in blocks)


def test_clean_spec_has_no_findings(tmp_path):
    assert findings(tmp_path, spec(section("text: ふだんどおりに動きましょう。"))) == []


# -- errors --------------------------------------------------------------------------------

def test_glyph(tmp_path):
    text = spec(section("text: 初めての人は🔰を見てください。"))
    hits = findings(tmp_path, text, "glyph")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, "初めての人"), "error")]
    assert "U+1F530" in hits[0][3]
    assert findings(tmp_path, spec(section("text: 初めての人は、この印を見てください。")),
                    "glyph") == []


def _tree_spec(leaves: int, label: str) -> str:
    lines = ["tree:", "          root:", "            label: ねっこ", "            children:"]
    for i in range(8):
        lines += [f"              - label: えだ{i}", "                children:"]
        lines += [f"                  - label: {label}{j}" for j in range(leaves)]
    return spec(section("\n".join(lines)), audience="practitioners")


def test_fit_tree_that_cannot_fit_any_slide(tmp_path):
    text = _tree_spec(8, "とてもながいなまえのえだのラベルそのばんごうのせつめいぶんです" * 2)
    hits = findings(tmp_path, text, "fit")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, "tree:"), "error")]
    # slides: title, key points, the help boxes, then the tree
    assert hits[0][3].startswith("slide 4: tree diagram does not fit")
    assert findings(tmp_path, _tree_spec(1, "みじかいえだ"), "fit") == []


def test_fit_measures_an_edited_text_again(tmp_path):
    """The deck's measured lines are kept between runs per text: after an edit the
    changed text is measured again, and its overflow is found though the cache holds the
    text as it was (and what the cache holds gives the findings a fresh check gives)."""
    from handouts import fontcache

    assert findings(tmp_path, _tree_spec(1, "みじかいえだ"), "fit") == []
    kept = fontcache.load_for_text(str((tmp_path / "topic.yaml").resolve()), "deck-lines",
                                   setting._version())
    assert kept and any("みじかいえだ" in "".join(s.text for s in spans[0])
                        for spans, *_ in kept)
    text = _tree_spec(8, "とてもながいなまえのえだのラベルそのばんごうのせつめいぶんです" * 2)
    hits = findings(tmp_path, text, "fit")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, "tree:"), "error")]
    assert hits[0][3].startswith("slide 4: tree diagram does not fit")
    assert findings(tmp_path, text, "fit") == hits  # read back
    assert findings(tmp_path, _tree_spec(1, "みじかいえだ"), "fit") == []


def test_fit_safety_net_measures_planned_geometry():
    line = Line([], 500.0)
    box = TextBox(40, 100, 300, 60, paras=[Para([line] * 3, 20.0)])
    slide = Slide("content", [], 32.0, [box], "", number=3)
    frame = default_frame()  # content down to 492 pt
    problems = _overflows(slide, frame)
    too_tall = 3 * 20 * PITCH + 8 - 60
    assert f"text is {too_tall:.0f} pt taller than its box" in problems
    assert "a line is 208 pt wider than its box" in problems  # 500 - (300 - 2×4 inset)
    fits = TextBox(40, 100, 600, 90, paras=[Para([line], 20.0)])
    assert _overflows(Slide("content", [], 32.0, [fits], ""), frame) == []
    low = TextBox(40, 480, 600, 40, paras=[Para([Line([], 10.0)], 20.0)])
    assert _overflows(Slide("content", [], 32.0, [low], ""), frame) == [
        "content runs 28 pt below the content area"]
    wide = TextBox(40, 100, 700, 90, paras=[Para([Line([], 10.0)], 20.0)])
    assert _overflows(Slide("content", [], 32.0, [wide], ""), replace(frame, width=720.0)) == [
        "a shape runs 20 pt beyond the slide's side"]  # a 4:3 frame is 720 pt wide


def test_fit_finding_names_the_slide_and_points_at_its_section(tmp_path, monkeypatch):
    import handouts.lint.fit as fit

    text = spec(section("text: ふだんどおりに動きましょう。", heading="ここがはみ出します"))
    real = fit.Planner.plan

    def overflowing(self):
        deck = real(self)
        slide = next(s for s in deck.slides if "ここがはみ出します" in
                     "".join(line.text for line in s.title))
        slide.shapes[0].y += 600
        return deck

    monkeypatch.setattr(fit.Planner, "plan", overflowing)
    hits = findings(tmp_path, text, "fit")
    assert [h[:3] for h in hits] == [(*at(text, "ここがはみ出します"), "error")]
    assert "「ここがはみ出します」" in hits[0][3] and "pt below the content area" in hits[0][3]
    assert hits[0][3].startswith("slide ")


def test_help_box(tmp_path):
    head = CLEAN.format(audience="patients").split("  - heading: すぐに")[0]
    text = spec(section("text: ふだんどおりに動きましょう。"), head=head)
    hits = findings(tmp_path, text, "help-box")
    assert [(h[0], h[1], h[2]) for h in hits] == [(1, 8, "error"), (1, 8, "warning")]
    assert "kind: danger" in hits[0][3] and "kind: warning" in hits[1][3]
    # a danger box only on the slides does not help the leaflet reader
    deck_only = spec(section("callout: {kind: danger, title: すぐ救急へ, items: [尿が出ない]}\n"
                             "        only: deck",
                             "callout: {kind: warning, title: 早めに, items: [熱がある]}"),
                     head=head)
    assert [h[2] for h in findings(tmp_path, deck_only, "help-box")] == ["error"]
    practitioners = spec(section("text: ふだんどおりに動きましょう。"),
                         head=head.replace("patients", "practitioners"))
    assert findings(tmp_path, practitioners, "help-box") == []
    assert findings(tmp_path, spec(section("text: ふだんどおりに動きましょう。")),
                    "help-box") == []


TIERS = """\
help-now:
  callout:
    kind: danger
    tier: now
    title: 今すぐ救急へ
    items: [おしっこが出にくい, 股がしびれる]
    signs: [おしっこ, 股]
help-today:
  callout:
    kind: warning
    tier: today
    title: 今日か明日のうちに受診
    items: [片方の足に力が入らない]
    signs: [力が入らな, ひっかか]
help-soon:
  callout: {kind: warning, tier: soon, title: 早めに受診, items: [熱がある]}
"""
TIERED = CLEAN.format(audience="patients").split("  - heading: すぐに")[0] + (
    "  - heading: 受診の目安はここにまとめています\n    blocks:\n"
    "      - use: help-now\n      - use: help-today\n      - use: help-soon\n")


def tiered(tmp_path: Path, extra: str, head: str = TIERED) -> list[tuple]:
    (tmp_path / "_blocks.yaml").write_text(TIERS, encoding="utf-8")
    return [(h[0], h[1], h[2]) for h in findings(tmp_path, head + extra)
            if h[3].startswith(("「", "a '", "patient leaflet"))]


def test_triage_follows_the_shared_tiers(tmp_path):
    assert tiered(tmp_path, "") == []
    # a checklist read with the paragraph after it: "if any applies, see a doctor soon"
    soft = section("checklist: [階段で力が入らない, 歩くとつま先がひっかかる, 熱が続く]",
                   "text: ひとつでも当てはまれば、早めに受診してください。")
    text = TIERED + soft
    assert tiered(tmp_path, soft) == [(*at(text, "階段で"), "error"),
                                      (*at(text, "歩くと"), "error")]
    msg = findings(tmp_path, text, "triage")[0][3]
    assert "「力が入らな」" in msg and "'help-today'" in msg and "「今日」" in msg
    # the tier's own instruction, or a later sentence that names the sign and says more
    same = section("checklist: [階段で力が入らない]",
                   "text: 当てはまれば、今日か明日のうちに受診してください。")
    assert tiered(tmp_path, same) == []
    later = section("checklist: [おしっこが出にくい, 熱が続く]",
                    "text: >-\n          当てはまれば、早めに受診してください。\n"
                    "          おしっこの変化は、すぐ救急へ。")
    assert tiered(tmp_path, later) == []
    vague = section("checklist: [おしっこが出にくい]",
                    "text: >-\n          当てはまれば、早めに受診してください。\n"
                    "          最後の項目は、すぐ救急へ。")
    assert tiered(tmp_path, vague) == [(*at(TIERED + vague, "おしっこが"), "error")]
    # a sentence and the one after it; naming a sign without an instruction is fine
    prose = section("text: >-\n          股がしびれることがあります。\n"
                    "          早めに相談しましょう。\n          力が入らないこともあります。")
    assert tiered(tmp_path, prose) == [(*at(TIERED + prose, ">-"), "error")]  # its paragraph
    # key points and the title count too
    head = TIERED.replace("痛みの多くは、時間とともに軽くなります。",
                          "足に力が入らないときは、早めに受診を。")
    assert tiered(tmp_path, "", head) == [(*at(head, "足に力が"), "error")]


def test_triage_boxes_come_from_the_shared_blocks(tmp_path):
    own = section("callout: {kind: warning, title: 早めに, items: [熱がある]}",
                  "callout: {kind: info, title: おしらせです, text: 知っておくと安心です。}")
    assert tiered(tmp_path, own) == [(*at(TIERED + own, "callout: {kind: w"), "error")]
    assert "`use: help-now`" in findings(tmp_path, TIERED + own, "triage")[0][3]
    inline_tier = section("callout: {kind: danger, tier: now, title: 救急へ, items: [熱]}")
    assert [h[2] for h in tiered(tmp_path, inline_tier)] == ["error"]
    # every tier's box reaches the leaflet: go-now is required, the others expected
    head = TIERED.replace("      - use: help-now\n", "").replace("      - use: help-soon\n", "")
    got = tiered(tmp_path, "", head)
    title = at(head, "腰の痛み")
    assert got == [(*title, "error"), (*title, "warning")]
    assert findings(tmp_path, head, "help-box")[0][3].startswith(
        "patient leaflet does not include the shared 'go now (救急・119番)' box; "
        "add `use: help-now`")
    # practitioners' decks are not patient text
    pro = TIERED.replace("audience: patients", "audience: practitioners")
    assert tiered(tmp_path, own, pro) == []


def shipped_tiers(tmp_path: Path, text: str, code: str = "triage") -> list[tuple]:
    """Findings of `code` for `text` checked against the shipped shared blocks."""
    shutil.copy(ROOT / "specs" / "_blocks.yaml", tmp_path / "_blocks.yaml")
    return [(h[0], h[1], h[2]) for h in findings(tmp_path, text, code)]


PRO = CLEAN.format(audience="practitioners").split("  - heading: すぐに")[0]


def test_triage_reads_practitioner_decks_titles_and_notes(tmp_path):
    """A seminar gives a sign the same urgency as the leaflet: 「その日のうちに」 is a same-day
    frame even beside 救急 (the old medial-branch slide), and speaker notes count, each
    sentence at its own line (the old red-flag notes)."""
    old_slide = section(
        "text: >-\n          排尿開始困難、サドル領域の感覚変化、両下肢の症状、急に進む筋力低下は、"
        "その日のうちに救急へ。\n          片側の新しい筋力低下は、当日か翌日に医師へ。")
    text = PRO + old_slide
    assert shipped_tiers(tmp_path, text) == [(*at(text, ">-"), "error")]
    msg = findings(tmp_path, text, "triage")[0][3]
    assert "「排尿」" in msg and "'help-now'" in msg and "「今すぐ」" in msg
    fixed = old_slide.replace("その日のうちに救急へ", "今すぐ救急へ（数時間以内）")
    assert shipped_tiers(tmp_path, PRO + fixed) == []
    notes = section("text: 馬尾症候群の話をします。") + (
        "    notes: >-\n      早期の徴候は排尿開始困難、サドル領域の感覚変化です。\n"
        "      尿閉や失禁は晩期の徴候です。\n      疑えば当日の救急受診と緊急 MRI。\n")
    text = PRO + notes
    assert shipped_tiers(tmp_path, text) == [(*at(text, "尿閉や"), "error")]
    assert shipped_tiers(tmp_path, PRO + notes.replace("当日の救急受診", "今すぐ救急受診")) == []
    # titles and subtitles too, and a bare 救急 is an instruction to go now
    title = PRO.replace("腰の痛みとつきあうための資料です", "両足のしびれは早めに受診を")
    assert shipped_tiers(tmp_path, title + section("text: 体を動かします。")) == [
        (*at(title, "両足の"), "error")]
    assert shipped_tiers(tmp_path, PRO.replace(
        "腰の痛みとつきあうための資料です", "両足のしびれは救急へ") + section(
        "text: 体を動かします。")) == []


def test_triage_a_generic_sign_takes_the_most_urgent_tier(tmp_path):
    """「足に力が入らない」 alone may mean both legs (go now): a title that sends it to
    「今日か明日」 sweeps a go-now sign into a later tier (the old red-flag title); naming the
    case the same-day tier means (one leg) is right."""
    old = TIERED.replace("腰の痛みとつきあうための資料です",
                         "足に力が入らない腰痛は、今日か明日のうちに受診を")
    assert shipped_tiers(tmp_path, old) == [(*at(old, "足に力が"), "error")]
    one_leg = TIERED.replace("腰の痛みとつきあうための資料です",
                             "片方の足に力が入らないときは、今日か明日のうちに受診を")
    assert shipped_tiers(tmp_path, one_leg) == []
    quick = section("text: 足の力が急に弱くなるときは、今日か明日のうちに受診してください。")
    assert shipped_tiers(tmp_path, TIERED + quick) == [(*at(TIERED + quick, "足の力が急"),
                                                       "error")]


def test_scope_of_practice(tmp_path):
    """Text saying a 柔道整復師 needles is an error in any spec, notes included; saying who
    may do what is fine."""
    old = PRO.replace("腰の痛みとつきあうための資料です",
                      "エコー下鍼治療の部位（鍼灸師・柔道整復師向けセミナー）")
    text = old + section("text: 鍼灸師・柔道整復師が行うのは、エコーで確かめながら行う鍼治療です。")
    assert shipped_tiers(tmp_path, text, "scope") == [
        (*at(text, "エコー下鍼"), "error"), (*at(text, "鍼灸師・柔道整復師が"), "error")]
    assert "あはき法 第1条" in findings(tmp_path, text, "scope")[0][3]
    notes = section("text: エコーの見方を学びます。") + (
        "    notes: >-\n      エコーを使います。\n      柔道整復師もこの部位に刺鍼します。\n")
    assert shipped_tiers(tmp_path, PRO + notes, "scope") == [
        (*at(PRO + notes, "柔道整復師も"), "error")]
    right = section("text: >-\n          鍼を刺すのは、医師とはり師だけです。\n"
                    "          柔道整復師は、はり師の免許がなければ鍼を刺しません。\n"
                    "          柔道整復師のエコーは、施術を判断するための観察です。")
    assert shipped_tiers(tmp_path, PRO + right, "scope") == []


def test_shipped_specs_keep_one_triage():
    """Every shipped patient leaflet uses the three shared tier boxes, in order."""
    from handouts.document import load_document
    from handouts.spec.loader import load_project, topic_specs

    project = load_project(ROOT / "specs")
    for path in topic_specs(ROOT / "specs"):
        leaflet = load_document(path, project).for_handout()
        tiers = [b.tier for sec in leaflet.sections for b in sec.for_target("handout")
                 if getattr(b, "tier", None)]
        assert tiers == ["now", "today", "soon"], path.name


def test_cite_number_without_citation(tmp_path):
    text = spec(section("text: >-\n          よく休みました。\n"
                        "          100人中96人で小さくなりました。")
                + "glossary: {}\n" + REFS)
    hits = findings(tmp_path, text, "cite")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, ">-"), "error")]
    assert "「100人」" in hits[0][3]


def test_cite_in_another_sentence_does_not_count(tmp_path):
    text = spec(section("text: 100人中96人で小さくなりました。よく休みました[@chiu2015]。") + REFS)
    assert [h[:2] for h in findings(tmp_path, text, "cite")] == [at(text, "100人中")]


def test_cite_passes(tmp_path):
    cited = [
        "text: 100人中96人で小さくなりました[@chiu2015]。",
        "text: 100人中96人で小さくなりました。[@chiu2015]",  # cite after the full stop
        "bullets: [神経は約 3% です。つまり考えにくいのです[@chiu2015]。]",  # one item
        "chart: {unit: 人, source: chiu2015, title: 100人あたり, data: {A: 96}}",
        "table: {header: [形, 人数], rows: [[大, 100人中96人[@chiu2015]]]}",
        # not quantities: dates, anatomical labels, ordinals, phone-like numbers
        "text: 2026年11月20日に、L4/5 と L5/S1 を見ました。",
        "steps: [1回目はゆっくり動かします, 第2の手順です, 119番に電話します]",
    ]
    for block in cited:
        assert findings(tmp_path, spec(section(block) + REFS), "cite") == [], block


def test_cite_table_row_and_step_quantity(tmp_path):
    text = spec(section("table: {header: [形, 人数], rows: [[大, 100人中96人]]}",
                        "steps: [20秒のばします]") + REFS)
    hits = [h[:2] for h in findings(tmp_path, text, "cite")]
    assert hits == [at(text, "100人中96人]"), at(text, "20秒")]


def test_alt(tmp_path):
    shutil.copytree(DATA / "allkinds" / "assets", tmp_path / "assets")
    text = spec(section("figure: {image: assets/dot.png, alt: ''}",
                        "figure: {image: assets/dot.png}"))
    hits = findings(tmp_path, text, "alt")
    assert [(h[0], h[1], h[2]) for h in hits] == [
        (*at(text, "''"), "error"), (*at(text, "{image", 2), "error")]
    good = spec(section("figure: {image: assets/dot.png, alt: 点がひとつある絵}"))
    assert findings(tmp_path, good, "alt") == []


def test_resolution(tmp_path):
    """A 600 px picture that says 72 dpi would print 180 mm wide (the A4 column) at 85 ppi:
    a warning at its image; at 300 dpi (or saying nothing: 300 ppi) it prints 51 mm wide."""
    from PIL import Image

    (tmp_path / "assets").mkdir()
    for name, dpi in (("low.png", 72), ("fine.png", 300), ("plain.png", None)):
        im = Image.new("RGB", (600, 200), "white")
        im.save(tmp_path / "assets" / name, **({"dpi": (dpi, dpi)} if dpi else {}))
    text = spec(section("figure: {image: assets/low.png, alt: 白い四角の絵}",
                        "figure: {image: assets/fine.png, alt: 白い四角の絵}",
                        "figure: {image: assets/plain.png, alt: 白い四角の絵}"))
    hits = findings(tmp_path, text, "resolution")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, "assets/low.png"), "warning")]
    assert "600×200 pixels at 72 dpi" in hits[0][3] and "180 mm wide at 85 ppi" in hits[0][3]

    from handouts.document import Figure, load_document

    doc = load_document(write(tmp_path, text))
    figures = [b for sec in doc.sections for b in sec.blocks if isinstance(b, Figure)]
    sizes = [f.printed_size(510.2, 255.1) for f in figures]
    assert [round(w / 72 * 25.4) for w, _ in sizes] == [180, 51, 51]
    assert [round(f.ppi(w)) for f, (w, _) in zip(figures, sizes)] == [85, 300, 300]


def test_ref_link(tmp_path):
    text = spec(section("text: ふだんどおりに動きましょう。")
                + "references:\n  - id: book\n    cite: 腰痛の本. 2020.\n")
    hits = findings(tmp_path, text, "ref-link")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, "id: book"), "error")]
    assert findings(tmp_path, spec(section("text: ふだんどおりに動きましょう。") + REFS),
                    "ref-link") == []


def test_review_due(tmp_path):
    text = spec(section("text: ふだんどおりに動きましょう。")).replace(
        "review_by: 2027-11-01", "review_by: 2026-11-21")
    hits = findings(tmp_path, text, "review-due")
    assert [(h[0], h[1], h[2]) for h in hits] == [(4, 12, "error")]
    same_day = text.replace("2026-11-21", "2026-11-22")
    assert findings(tmp_path, same_day, "review-due") == []


# -- warnings ------------------------------------------------------------------------------

def test_sentence_length(tmp_path):
    long = "あ" * 40 + "。"  # 41 characters, the full stop counted
    text = spec(section(f"text: この{{椎間板|ついかんばん}}の話です。{long}"))
    hits = findings(tmp_path, text, "sentence-length")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, "この{椎間板"), "warning")]
    assert "41 characters" in hits[0][3]
    # 40 characters pass; ruby readings, citations and markup are not counted
    ok = "**" + "あ" * 20 + "**{椎間板|ついかんばんついかんばん}" + "い" * 16 + "[@chiu2015]。"
    assert findings(tmp_path, spec(section(f"text: {ok}") + REFS), "sentence-length") == []
    assert findings(tmp_path, spec(section(f"text: {long}"), audience="practitioners"),
                    "sentence-length") == []


def test_paragraph_length(tmp_path):
    sentence = "あ" * 29 + "。"  # 30 characters
    text = spec(section(f"text: {sentence * 10}", f"text: {sentence * 10}あ。"))
    hits = findings(tmp_path, text, "paragraph-length")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, sentence * 10 + "あ"), "warning")]
    assert "302 characters" in hits[0][3]


def test_kana_ratio(tmp_path):
    # kana 2+0+1+0+0 = 3, kanji 1+2+4+2+2 = 11 → 21 %
    kanji = ("title: 題です\naudience: patients\nreviewed: 2026-11-01\n"
             "review_by: 2027-11-01\nkey_points: [要点]\nsections:\n"
             + section("callout: {kind: danger, title: 救急, items: [尿閉]}", heading="救急の目安"))
    hits = findings(tmp_path, kanji, "kana-ratio")
    assert [(h[0], h[1], h[2]) for h in hits] == [(1, 8, "warning")]
    assert "kana are 21%" in hits[0][3]
    # 12 more kana: 15 of 26 = 58 %
    assert findings(tmp_path, kanji + "      - text: ひらがなひらがなひらがな\n",
                    "kana-ratio") == []


def test_kanji_run(tmp_path):
    text = spec(section("text: 腰部椎間板症状は多いです。", "text: 腰部椎間板症は多いです。"))
    hits = findings(tmp_path, text, "kanji-run")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, "腰部椎間板症状"), "warning")]
    assert "7 kanji" in hits[0][3]


def test_term_before_definition(tmp_path):
    text = (CLEAN.format(audience="patients").replace(
        "痛みの多くは", "ヘルニアの多くは") + section("text: この{ヘルニア}は小さくなります。")
        + "glossary:\n  ヘルニア: とび出したもの\n  ついかん: 使わないことば\n")
    hits = findings(tmp_path, text, "term-before-definition")
    assert [(h[0], h[1], h[2]) for h in hits] == [
        (*at(text, "ヘルニアの多く"), "warning"), (*at(text, "ついかん:"), "warning")]
    assert "never marked" in hits[1][3]
    good = spec(section("text: この{ヘルニア}は小さくなります。ヘルニアは減ります。")
                + "glossary:\n  ヘルニア: とび出したもの\n")
    assert findings(tmp_path, good, "term-before-definition") == []
    # {神経根} explains 神経根, which is not a plain use of the shorter term 神経
    nested = spec(section("text: この{神経根}と{神経}の話です。")
                  + "glossary:\n  神経: からだの線\n  神経根: 線の根もと\n")
    assert findings(tmp_path, nested, "term-before-definition") == []


def test_percent(tmp_path):
    text = spec(section("text: 96％で小さくなりました[@chiu2015]。") + REFS)
    hits = findings(tmp_path, text, "percent")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, "96％"), "warning")]
    assert "「100人中96人」" in hits[0][3]
    good = spec(section("text: 100人中96人で小さくなりました[@chiu2015]。") + REFS)
    assert findings(tmp_path, good, "percent") == []
    assert findings(tmp_path, text.replace("patients", "practitioners"), "percent") == []
    chart = spec(section("chart: {unit: '%', source: chiu2015, data: {A: 96}}") + REFS)
    hits = findings(tmp_path, chart, "percent")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(chart, "'%'"), "warning")]
    assert findings(tmp_path, chart.replace("'%'", "人/100人"), "percent") == []


EXERCISE = """exercise:
          name: お尻のストレッチ
          steps: [いすに座ります]
          hold_seconds: {hold}
          reps: 3
          breathing: ゆっくりはきます
          stop_if: 痛みが出たらやめます"""


def test_exercise_missing_parts(tmp_path):
    text = spec(section("exercise:\n          name: お尻のストレッチ\n"
                        "          steps: [いすに座ります]\n          hold_seconds: 20"))
    hits = findings(tmp_path, text, "exercise")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, "name: お尻"), "warning")]
    assert "reps, breathing, stop_if" in hits[0][3]
    assert findings(tmp_path, spec(section(EXERCISE.format(hold=20))), "exercise") == []


def test_hold_time(tmp_path):
    text = spec(section(EXERCISE.format(hold=10)))
    hits = findings(tmp_path, text, "hold-time")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, "10\n"), "warning")]
    assert findings(tmp_path, spec(section(EXERCISE.format(hold=20))), "hold-time") == []


def test_heading(tmp_path):
    text = spec(section("text: ふだんどおりに動きましょう。", heading="1. 「まとめ」"))
    hits = findings(tmp_path, text, "heading")
    assert [(h[0], h[1], h[2]) for h in hits] == [(*at(text, "1. 「まとめ」"), "warning")]
    good = spec(section("text: ふだんどおりに動きましょう。", heading="まとめ：痛みは軽くなります"))
    assert findings(tmp_path, good, "heading") == []


def test_practitioner_spec_with_patient_leaflet(tmp_path):
    """`handout: {audience: patients}`: the leaflet is linted as patient text, the deck not."""
    head = CLEAN.format(audience="practitioners").split("  - heading: すぐに")[0]
    front = "handout:\n  audience: patients\n  title: 腰の関節のお話です\n"
    long = "あ" * 41 + "。"
    text = spec(section(f"text: 患者さん{long}", heading="患者さん向けの話です") + "    only: handout\n"
                + section(f"text: 施術者{long}", heading="施術者向けの話です") + "    only: deck\n",
                head=head.replace("sections:", front + "sections:"))
    path = write(tmp_path, text)
    report, stats = check([path], today=TODAY)
    got = {(d.line, d.col, d.severity, d.code) for d in report.diagnostics}
    title = at(text, "腰の関節のお話です")
    assert got == {(*title, "error", "help-box"), (*title, "warning", "help-box"),
                   (*at(text, "患者さんあ"), "warning", "sentence-length")}
    assert stats[str(path)]["longest_sentence_chars"] == 46  # the deck's text is not counted


# -- shared blocks, figures, the command line ----------------------------------------------

def test_shared_block_finding_reported_once(tmp_path):
    blocks = "soon:\n  callout: {kind: warning, title: 早めに, items: [55歳より後に始まった]}\n"
    (tmp_path / "_blocks.yaml").write_text(blocks, encoding="utf-8")
    a = write(tmp_path, spec(section("use: soon")), "a.yaml")
    b = write(tmp_path, spec(section("use: soon")), "b.yaml")
    report, _ = check([a, b], today=TODAY)
    cites = [d for d in report.diagnostics if d.code == "cite"]
    assert [(Path(d.path).name, d.line, d.col) for d in cites] == [
        ("_blocks.yaml", *at(blocks, "55歳"))]


def test_readability_figures(tmp_path):
    text = ("title: ひらがなの題です\naudience: patients\nreviewed: 2026-11-01\n"
            "review_by: 2027-11-01\nkey_points: [要点はこれです。]\nsections:\n"
            + section("callout: {kind: danger, title: 救急へ, items: [尿が出ない]}",
                      heading="救急へ行く目安です"))
    report, stats = check([write(tmp_path, text)], today=TODAY)
    assert [(d.severity, d.code) for d in report.diagnostics] == [("warning", "help-box")]
    figures = stats[str(tmp_path / "topic.yaml")]
    assert figures["kana_ratio"] == round(20 / 32, 3)  # counted by hand
    assert figures["sentences"] == 5
    assert figures["mean_sentence_chars"] == 6.6
    assert (figures["longest_sentence"], figures["longest_sentence_chars"]) == (
        "救急へ行く目安です", 9)
    # figures are for patient specs only
    _, stats = check([write(tmp_path, text.replace("patients", "practitioners"))], today=TODAY)
    assert stats == {}


def test_numbers_that_are_claims():
    assert claims("38の研究で、2,219人中63%、3〜6か月、10 s、50歳代") == [
        "38の研究", "2,219人", "63%", "3〜6か月", "10 s", "50歳代"]
    assert claims("2019年11月20日 9:00 L4/5 S1 第2 1回目 2段目 119番 1つ下 MMP9") == []
    assert percents("９６％と 12.5 パーセント") == [("96%", "100人中96人"),
                                                 ("12.5 パーセント", "100人中12人")]


def test_cli_text_and_strict(tmp_path):
    text = spec(section("text: ふだんどおりに動きましょう。", heading="まとめ"))
    path = write(tmp_path, text)
    r = run_cli("check", path)
    line, col = at(text, "まとめ")
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == (f"{path}:{line}:{col}: warning: [heading] heading 「まとめ」 "
                                "does not say what the section tells; write the message "
                                "itself (e.g. 「多くは自然に小さくなります」)")
    assert run_cli("check", "--strict", path).returncode == 1


def test_cli_json(tmp_path):
    text = spec(section("text: 100人中96人で小さくなりました。", heading="まとめ") + REFS)
    path = write(tmp_path, text)
    r = run_cli("check", "--format", "json", path)
    assert r.returncode == 1
    payload = json.loads(r.stdout)
    found = {(d["code"], d["severity"], d["line"]) for d in payload["diagnostics"]}
    assert found == {("cite", "error", at(text, "100人中")[0]),
                     ("heading", "warning", at(text, "まとめ")[0])}
    assert 0.5 < payload["readability"][str(path)]["kana_ratio"] < 1


@pytest.mark.parametrize("audience, renderers", [("practitioners", ()),
                                                   ("patients", ("reportlab",))])
def test_check_imports_only_the_renderers_it_needs(tmp_path, audience, renderers):
    """python-pptx never (without a deck template); reportlab only to lay out a patient
    leaflet, whose page count `check` reports as `build` does."""
    path = write(tmp_path, spec(section("text: ふだんどおりに動きましょう。"), audience))
    code = ("import sys; from handouts.cli import main; rc = main(['check', sys.argv[1]]); "
            "got = {m.split('.')[0] for m in sys.modules} & {'reportlab', 'pptx'}; "
            f"assert rc == 0 and got == set({renderers!r}), (rc, got)")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                       text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("name", ["all-kinds.yaml"])
def test_all_kinds_example_is_clean(name):
    """Every block kind passes every rule; with all of them the leaflet runs to three A4
    pages, within the limit (MAX_PAGES), so `check` says nothing (a leaflet past it:
    test_check_warns_of_a_leaflet_past_three_pages_as_build_does)."""
    report, _ = check([DATA / "allkinds" / name], today=TODAY)
    assert [(d.code, d.severity) for d in report.diagnostics] == []
