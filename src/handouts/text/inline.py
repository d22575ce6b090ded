"""Inline markup of spec text, parsed into styled spans.

    {椎間板|ついかんばん}   ruby (furigana) over the base text, never split
    {マクロファージ}        a glossary term (must be in the spec's glossary)
    [@chiu2015; @wang2020]  citation, rendered as the references' numbers
    **大切なこと**          strong emphasis
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Mark


@dataclass(frozen=True)
class Span:
    text: str
    strong: bool = False
    ruby: str | None = None  # reading set above `text`
    term: bool = False  # a glossary term
    cite: bool = False  # text is a citation marker such as "[1,2]"
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


def continued_title(rich: Rich) -> Rich:
    """A title repeated where its slide or box goes on: 「…（続き）」."""
    return Rich(rich.spans + (Span(CONTINUED),), rich.mark)


_FOLD_SPACE = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")
_TOKEN = re.compile(r"\{([^{}|]+)\|([^{}|]+)\}|\{([^{}|]+)\}|\[@([^\]]+)\]|\*\*([^*]+)\*\*")


def parse(text: str, mark: Mark, glossary: dict[str, str], refs: dict[str, int],
          diags: list[Diagnostic]) -> Rich:
    """Parse inline markup. Unknown terms and references are reported, not raised."""
    text = " ".join(text.split("\n")) if "\n" in text else text
    # YAML folding turns line ends into spaces; between two Japanese characters that space
    # is an artefact, not a word gap (「です。 とび出した」 → 「です。とび出した」)
    text = _FOLD_SPACE.sub("", text)
    spans: list[Span] = []
    pos = 0

    def at(i: int) -> Mark:
        return Mark(mark.path, mark.line, mark.col + i)

    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            spans.append(Span(text[pos:m.start()]))
        base, reading, term, cite, strong = m.groups()
        if base is not None:
            spans.append(Span(base, ruby=reading))
        elif term is not None:
            if term not in glossary:
                diags.append(at(m.start()).error(
                    f"'{{{term}}}' marks a glossary term, but '{term}' is not in the glossary"))
            spans.append(Span(term, term=True))
        elif cite is not None:
            nums, ids = [], []
            for rid in (c.strip().lstrip("@") for c in cite.split(";")):
                if rid in refs:
                    nums.append(refs[rid])
                    ids.append(rid)
                else:
                    diags.append(at(m.start()).error(f"citation '@{rid}' names no reference"))
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
    """Unmarked text made by the tool itself (labels such as 「ポイント」)."""
    return Rich((Span(text),), Mark("<handouts>", 0, 0))
