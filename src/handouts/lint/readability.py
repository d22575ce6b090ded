"""jReadability: how easy the text patients read is, as one number.

Lee J, Hasebe Y. Readability measurement of Japanese texts based on levelled corpora (2016),
as the PyPI package `jreadability` computes it over UniDic words (fugashi + unidic-lite):

    11.724 − 0.056 × words per sentence − 0.126 × % 漢語 − 0.042 × % 和語
           − 0.145 × % verbs − 0.044 × % particles

Long sentences and Sino-Japanese words (漢語) lower it most. The text is every printed text
patients read (title, subtitle, key points, headings, blocks, glossary; not speaker notes, not
ruby readings), each one a sentence of its own: a heading or list item without a full stop
gets one, since jReadability splits sentences only at 。？！．. The score is the package's
own function on that text, with the tagger the furigana use (loaded once).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..document import Document

# the lower bound of each of Lee & Hasebe's six levels
LEVELS = ((5.5, "初級前半"), (4.5, "初級後半"), (3.5, "中級前半"), (2.5, "中級後半"),
          (1.5, "上級前半"), (float("-inf"), "上級後半"))
_ENDS = "。？！．"


def level(score: float) -> str:
    return next(name for low, name in LEVELS if score >= low)


def text(doc: Document) -> str:
    """What is scored: each printed text as a sentence of its own."""
    parts = (r.plain.strip() for r in doc.texts())
    return "".join(p if p.endswith(tuple(_ENDS)) else p + "。" for p in parts if p)


def score(doc: Document) -> float:
    """Kept on disk for the text scored (fontcache): `check` of a spec not changed since
    its last check loads no analyser for it."""
    from .. import fontcache
    from ..text import furigana

    def compute() -> float:
        from jreadability import compute_readability

        return compute_readability(scored, furigana.tagger())

    scored = text(doc)
    version = (f"{fontcache.code_version(__file__)};"
               f"{fontcache.package_versions('jreadability')};{furigana.analyser_version()}")
    return fontcache.cached_for_text(scored, "jreadability", version, compute)


def check(doc: Document, value: float, target: float) -> list[Diagnostic]:
    if value >= target:
        return []
    return [doc.title.mark.warning(
        f"jReadability {value:.2f} ({level(value)}) is below the target {target:g} "
        f"({level(target)}); shorter sentences and fewer 漢語 (Sino-Japanese words) raise "
        "it most", "readability")]
