"""Glyph coverage: a character no font can draw is an error naming it, never a tofu box.

Invisible format and control characters (zero-width spaces, bidi overrides, soft hyphens,
line separators) are errors too: they draw nothing in the PDF but reorder or hide text in
PowerPoint, and they usually arrive by copy and paste from web pages."""

from __future__ import annotations

import unicodedata

from ..diagnostics import Diagnostic
from ..fonts import describe, fonts

INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}


def check_text(text: str, mark, what: str = "") -> list[Diagnostic]:
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
    return out


def check_glyphs(doc) -> list[Diagnostic]:
    """Every text of the document, its references and its clinic profile."""
    diags = []
    for rich in doc.texts():
        diags += check_text("".join(s.text + (s.ruby or "") for s in rich.spans), rich.mark)
    for ref in doc.references:
        diags += check_text(ref.cite, ref.mark, " (in the reference)")
    return diags
