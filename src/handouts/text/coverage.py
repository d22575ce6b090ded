"""Glyph coverage: a character no font can draw is an error naming it, never a tofu box."""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..fonts import describe, fonts


def check_glyphs(doc) -> list[Diagnostic]:
    """One error per text that holds characters outside the font chain."""
    diags = []
    reg = fonts()
    for rich in doc.texts():
        chars = reg.missing("".join(s.text + (s.ruby or "") for s in rich.spans))
        if chars:
            names = ", ".join(describe(c) for c in chars)
            diags.append(rich.mark.error(
                f"no glyph in the project's fonts for {names}; remove or replace it",
                "glyph"))
    return diags
