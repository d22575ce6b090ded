"""Inline markup of spec text, parsed into styled spans.

    {椎間板|ついかんばん}   ruby (furigana) over the base text, never split (group ruby)
    {椎間関節|つい.かん.かん.せつ}  one reading per character (mono ruby): the word may
                          break between its characters
    {マクロファージ}        a glossary term (must be in the spec's glossary)
    [@chiu2015; @wang2020]  citation, rendered as the references' numbers (typed with a
                          Japanese IME, ［＠chiu2015；＠wang2020］ reads the same)
    **大切なこと**          strong emphasis
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Callable

from ..diagnostics import Diagnostic, Mark


@dataclass(frozen=True)
class Span:
    text: str
    strong: bool = False
    ruby: str | None = None  # reading set above `text`
    term: bool = False  # a glossary term
    cite: bool = False  # text is a citation marker such as "[1,2]"
    whole: bool = False  # never broken inside (a reading written out: 靱帯（じんたい）)
    same_word: bool = False  # goes on with the word of the reading before it (its okurigana
    #                          痛[む], or 持ち[上]げ): slides write the reading after the whole word
    link: str | None = None  # the address the text links to (a reference's DOI or URL)
    refs: tuple[str, ...] = ()  # a citation's reference ids (its numbers depend on the output)


@dataclass(frozen=True)
class Rich:
    """Parsed inline text plus where it was written."""

    spans: tuple[Span, ...]
    mark: Mark

    @property
    def plain(self) -> str:
        """The text as read (ruby bases, no readings, no citation markers)."""
        return "".join(s.text for s in self.spans if not s.cite)

    @property
    def cited(self) -> bool:
        return any(s.cite for s in self.spans)

    def __str__(self) -> str:
        return self.plain


CONTINUED = "（続き）"


def continued_title(rich: Rich, n: int = 1) -> Rich:
    """A title repeated where its slide or box goes on: 「…（続き）」, then 「…（続き2）」…
    (和欧間 set by the typesetter). Its readings were given where it was first set, so the
    repeat carries none."""
    bare = tuple(replace(sp, ruby=None, same_word=False) for sp in rich.spans)
    return Rich(bare + (Span(CONTINUED if n <= 1 else f"（続き{n}）"),), rich.mark)


# an ASCII space next to Japanese text: a YAML fold or a typed word gap, where Japanese
# setting puts none (the typesetter sets 和欧間 itself)
_FOLD_SPACE = re.compile(r"(?<=[^\x00-\x7f]) +(?=[^\x00-\x7f\s]|[0-9A-Za-z{*\[])"
                         r"|(?<=[0-9A-Za-z}*\]%]) +(?=[^\x00-\x7f\s])")
# a citation's brackets, @ and ; may come out of the IME full-width
_TOKEN = re.compile(r"\{([^{}|]+)\|([^{}|]+)\}|\{([^{}|]+)\}|[\[［][@＠]([^\]］]+)[\]］]"
                    r"|\*\*([^*]+)\*\*")


def parse(text: str, mark: Mark, glossary: dict[str, str],
          cite: Callable[[str, Mark], int | None], diags: list[Diagnostic],
          locate: Callable[[str, int], Mark] | None = None) -> Rich:
    """Parse inline markup. Unknown terms are reported, not raised; `cite(id, mark)` gives
    a reference's number (or reports it unknown). `locate(token, n)` says where the n-th
    occurrence of a token such as '[@x]' was written (its own line in folded text)."""
    text = " ".join(text.split("\n")) if "\n" in text else text
    # YAML folding turns line ends into spaces; next to Japanese that space is an artefact,
    # not a word gap (「です。 とび出した」 → 「です。とび出した」, 「高さと 1 つ下」 → 「高さと1つ下」)
    text = _FOLD_SPACE.sub("", text)
    spans: list[Span] = []
    pos = 0

    def at(m: re.Match) -> Mark:
        if locate is not None:
            return locate(m.group(), text.count(m.group(), 0, m.start()))
        return Mark(mark.path, mark.line, mark.col + m.start())

    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            spans.append(Span(text[pos:m.start()]))
        base, reading, term, refs, strong = m.groups()
        if base is not None and "." in reading:
            parts = reading.split(".")
            if len(parts) != len(base) or not all(parts):
                diags.append(at(m).error(
                    f"'{m.group()}' gives readings per character: it needs one reading for "
                    f"each of the {len(base)} characters of '{base}' (it has "
                    f"{len([p for p in parts if p])})"))
                spans.append(Span(base, ruby=reading.replace(".", "")))
            else:
                spans.extend(Span(ch, ruby=part) for ch, part in zip(base, parts))
        elif base is not None:
            spans.append(Span(base, ruby=reading))
        elif term is not None:
            if term not in glossary:
                diags.append(at(m).error(
                    f"'{{{term}}}' marks a glossary term, but '{term}' is not in the glossary"))
            spans.append(Span(term, term=True))
        elif refs is not None:
            nums, ids = [], []
            for rid in (unicodedata.normalize("NFKC", c).strip().lstrip("@")
                        for c in re.split("[;；]", refs)):
                n = cite(rid, at(m))
                if n is not None:
                    nums.append(n)
                    ids.append(rid)
            if nums:
                spans.append(Span("[" + ",".join(map(str, sorted(set(nums)))) + "]", cite=True,
                                  refs=tuple(ids)))
        else:
            spans.append(Span(strong, strong=True))
        pos = m.end()
    if pos < len(text):
        spans.append(Span(text[pos:]))
    return Rich(tuple(_merge(spans)), mark)


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in spans:
        if out and s.ruby is None and not s.cite and not s.term and not s.link and (
                out[-1] == Span(out[-1].text, s.strong)):
            out[-1] = Span(out[-1].text + s.text, s.strong)
        else:
            out.append(s)
    return out


def plain(text: str) -> Rich:
    """Unmarked text made by the tool itself (labels such as 「ポイント」) or taken from the
    clinic profile; spaces beside Japanese go as in spec text (「電話 03…」 → 「電話03…」,
    set with 和欧間)."""
    return Rich((Span(_FOLD_SPACE.sub("", text)),), Mark("<handouts>", 0, 0))
