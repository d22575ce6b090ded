"""Plain-language rules for patient specs (thresholds: ../shared/content-brief.md rule 4).

Sources: Univ. of Tokyo 医療情報をわかりやすく発信するプロジェクト checklist (sentences ≤ ~40
characters, paragraphs ≤ 300, kana ≥ half); AHRQ PEMAT-P (terms defined, informative
headers); the brief's 「100人中96人」 rule for numbers patients read.
"""

from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Mark
from ..document import Chart, Document
from ..text.inline import Rich, Span
from .japanese import KANJI_RUN, is_kana, is_kanji, length, sentences
from .numbers import percents
from .where import Where

MAX_SENTENCE = 40
MAX_PARAGRAPH = 300
MIN_KANA = 0.5
# headings that name a part of a document rather than say what it tells
GENERIC_HEADINGS = {"はじめに", "概要", "まとめ", "おわりに", "その他", "補足", "ポイント",
                    "説明", "解説", "詳細"}
_DECOR = re.compile(r"[\s\d.．「」『』（）()【】:：・。、！？!?]")  # 「1. はじめに」 is still bare


def _quote(text: str, n: int = 16) -> str:
    return f"「{text[:n]}…」" if len(text) > n else f"「{text}」"


def sentence_length(rich: Rich) -> list[Diagnostic]:
    return [rich.mark.warning(
        f"sentence {_quote(s.text)} has {length(s.text)} characters; keep sentences to "
        f"{MAX_SENTENCE} or fewer", "sentence-length")
        for s in sentences(rich) if length(s.text) > MAX_SENTENCE]


def paragraph_length(rich: Rich) -> list[Diagnostic]:
    n = length(rich.plain)
    if n <= MAX_PARAGRAPH:
        return []
    return [rich.mark.warning(f"paragraph has {n} characters; split it into paragraphs of "
                              f"at most {MAX_PARAGRAPH}", "paragraph-length")]


def kanji_runs(rich: Rich) -> list[Diagnostic]:
    return [rich.mark.warning(
        f"{len(m.group())} kanji in a row 「{m.group()}」; more than 6 is hard to read — add "
        "kana, split the word or explain it", "kanji-run")
        for m in KANJI_RUN.finditer(rich.plain)]


def percent(rich: Rich) -> list[Diagnostic]:
    return [rich.mark.warning(f"percentage 「{written}」 in patient text; write it as "
                              f"「{instead}」", "percent")
            for written, instead in percents(rich.plain)]


def chart_units(doc: Document, where: Where) -> list[Diagnostic]:
    """A bar chart in percent reads better as 人/100人 (「100人中96人」)."""
    return [where.field(b, "chart", "unit").warning(
        f"chart unit 「{b.unit}」 is a percentage; use 人/100人 and give counts out of 100",
        "percent")
        for sec in doc.sections for b in sec.blocks
        if isinstance(b, Chart) and percents("1" + b.unit)]


def heading(rich: Rich) -> list[Diagnostic]:
    bare = _DECOR.sub("", rich.plain)
    if bare not in GENERIC_HEADINGS:
        return []
    return [rich.mark.warning(f"heading 「{rich.plain}」 does not say what the section tells; "
                              "write the message itself (e.g. 「多くは自然に小さくなります」)",
                              "heading")]


def kana_ratio(texts: list[Rich]) -> float | None:
    """Kana among kana and kanji (punctuation, Latin and digits not counted)."""
    chars = "".join(r.plain for r in texts)
    kana = sum(1 for c in chars if is_kana(c))
    kanji = sum(1 for c in chars if is_kanji(c))
    return kana / (kana + kanji) if kana + kanji else None


def kana(doc: Document) -> list[Diagnostic]:
    ratio = kana_ratio(doc.texts())
    if ratio is None or ratio >= MIN_KANA:
        return []
    return [doc.title.mark.warning(
        f"kana are {ratio:.0%} of the text; at least half should be kana — use everyday "
        "words and write more in hiragana", "kana-ratio")]


def term_order(doc: Document, glossary_marks: dict[str, Mark]) -> list[Diagnostic]:
    """A glossary term must be explained ({term}) where a reader first meets it."""
    diags = []
    body = [r for r in doc.texts() if all(r is not g.meaning for g in doc.glossary)]
    for g in doc.glossary:
        early: Rich | None = None
        marked = False
        for rich in body:
            for span in _terms_whole(rich.spans):
                if span.term and span.text == g.term:
                    marked = True
                    break
                # another term's mark ({神経根} for 神経) explains that term, not this one
                if not (span.cite or span.term) and g.term in span.text and early is None:
                    early = rich
            if marked:
                break
        if not marked:
            diags.append(glossary_marks[g.term].warning(
                f"glossary term '{g.term}' is never marked {{{g.term}}} in the text; mark its "
                "first use (or drop the entry if the text does not use it)",
                "term-before-definition"))
        elif early is not None:
            diags.append(early.mark.warning(
                f"「{g.term}」 is used here before the {{{g.term}}} mark that explains it; "
                "mark this first use instead", "term-before-definition"))
    return diags


def _terms_whole(spans: tuple[Span, ...]) -> list[Span]:
    """The spans with each glossary term in one piece again (automatic readings cut
    {中枢性感作} into 中枢, 性, 感作)."""
    out: list[Span] = []
    for sp in spans:
        if sp.term and out and out[-1].term:
            out[-1] = Span(out[-1].text + sp.text, term=True)
        else:
            out.append(sp)
    return out


def check(doc: Document, where: Where) -> list[Diagnostic]:
    glossary_marks = {g.term: where.value(str(doc.path), ("glossary", g.term), g.meaning.mark,
                                          key=True) for g in doc.glossary}
    diags: list[Diagnostic] = []
    headings = {id(s.heading) for s in doc.sections}
    for rich in doc.texts():
        diags += sentence_length(rich) + paragraph_length(rich) + kanji_runs(rich)
        diags += percent(rich)
        if id(rich) in headings:
            diags += heading(rich)
    return diags + kana(doc) + term_order(doc, glossary_marks) + chart_units(doc, where)
