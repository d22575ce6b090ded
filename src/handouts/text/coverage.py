"""Glyph coverage: a character no font can draw is an error naming it, never a tofu box.

Invisible format and control characters (zero-width spaces, bidi overrides, soft hyphens,
line separators) are errors too: they draw nothing in the PDF but reorder or hide text in
PowerPoint, and they usually arrive by copy and paste from web pages."""

from __future__ import annotations

import unicodedata

from ..diagnostics import Diagnostic, Mark
from ..fonts import describe, fonts

INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}


_fine: set[str] = set()  # characters already found visible and drawn by the fonts


def check_text(text: str, mark, what: str = "") -> list[Diagnostic]:
    if _fine.issuperset(text):  # the common case: nothing new since the last text
        return []
    reg = fonts()
    out = []
    hidden = list(dict.fromkeys(c for c in text if unicodedata.category(c) in INVISIBLE
                                and c not in "\n\t"))
    if hidden:
        out.append(mark.error(
            f"invisible control character {', '.join(describe(c) for c in hidden)}{what}; "
            "remove it (it often comes from copying web pages)", "glyph"))
    chars = [c for c in reg.missing(text) if c not in hidden]
    if chars:
        out.append(mark.error(
            f"no glyph in the project's fonts for {', '.join(describe(c) for c in chars)}"
            f"{what}; remove or replace it", "glyph"))
    if not out:
        _fine.update(text)
    return out


def check_glyphs(doc) -> list[Diagnostic]:
    """Every text the leaflet or deck draws: the document (and its leaflet view), chart
    labels, glossary terms, references and the clinic profile of the footer."""
    diags: list[Diagnostic] = []
    docs = [doc] + ([doc.handout] if getattr(doc, "handout", None) else [])
    for one in docs:
        for rich in one.texts():
            diags += check_text("".join(s.text + (s.ruby or "") for s in rich.spans),
                                rich.mark)
        for sec in one.sections:
            for b in sec.blocks:
                if type(b).__name__ == "Chart":  # labels and unit are plain strings
                    diags += check_text("".join(k for k, _ in b.data) + b.unit, b.mark,
                                        " (in the chart)")
        for g in one.glossary:
            diags += check_text(g.term, g.meaning.mark, " (in the glossary term)")
    for ref in doc.references:
        diags += check_text(ref.cite + (ref.url or ""), ref.mark, " (in the reference)")
    diags += _check_clinic(doc)
    return list(dict.fromkeys(diags))  # the leaflet view shares texts with the deck


def _check_clinic(doc) -> list[Diagnostic]:
    clinic = doc.clinic
    diags: list[Diagnostic] = []
    for field in ("name", "address", "phone", "hours", "author"):
        value = getattr(clinic, field, None)
        if value and check_text(value, Mark(str(doc.path), 1, 1)):
            diags += check_text(value, _clinic_mark(doc, field), f" (in the clinic's {field})")
    return diags


def _clinic_mark(doc, field: str) -> Mark:
    """Where the clinic profile writes `field` (the profile is one of the document's inputs)."""
    from ..spec.yamlmarks import load

    for path in doc.inputs:
        if path.suffix in (".yaml", ".yml") and path != doc.path:
            marked, _ = load(path)
            data = marked.data if marked else None
            if isinstance(data, dict) and data.get("name") == doc.clinic.name:
                return marked.mark((field,))
    return Mark(str(doc.path), 1, 1)
