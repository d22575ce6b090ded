"""Lint rules over the Document. Each finding points at the spec node that causes it."""

from __future__ import annotations

import datetime as dt
import re

from ..diagnostics import Diagnostic
from ..document import Document

SENTENCE_END = re.compile(r"(?<=[。！？])")


def _is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff"


def _is_japanese(ch: str) -> bool:
    return _is_kana(ch) or "\u4e00" <= ch <= "\u9fff" or ch == "々"


def readability(doc: Document) -> dict:
    """Kana ratio and mean sentence length over the patient-visible text."""
    text = "".join(r.plain for r in doc.texts())
    ja = [c for c in text if _is_japanese(c)]
    kana = sum(1 for c in ja if _is_kana(c))
    sentences = [s for r in doc.texts() for s in SENTENCE_END.split(r.plain) if s.strip()]
    mean = sum(len(s) for s in sentences) / len(sentences) if sentences else 0.0
    return {"kana_ratio": round(kana / len(ja), 3) if ja else 0.0,
            "mean_sentence_chars": round(mean, 1), "sentences": len(sentences),
            "characters": len(text)}


def lint(doc: Document, today: dt.date | None = None) -> tuple[list[Diagnostic], dict]:
    today = today or dt.date.today()
    diags: list[Diagnostic] = []
    for ref in doc.references:
        if not ref.doi and not ref.url:
            diags.append(ref.mark.error(f"reference '{ref.id}' has no DOI or URL", "ref-link"))
    if doc.review_by < today:
        from ..diagnostics import Mark
        diags.append(Mark(str(doc.path), doc.title.mark.line, 1).error(
            f"review_by {doc.review_by} is in the past; review the content and update it",
            "review-due"))
    return diags, readability(doc)
