"""Automatic readings the analyser is unsure of: the author should type them.

The analyser picks one reading per word; where another reading of the same characters is
almost as likely in that sentence (便 びん or べん), or it knows no reading at all, the
word is reported so the author writes {便|べん} (or a maintainer adds it to
text/readings.yaml). Reviewed readings are not questioned.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..document import Document
from ..text.furigana import doubts
from .where import Where


def check(doc: Document, where: Where) -> list[Diagnostic]:
    out = []
    for r in doc.readings:
        w = r.word
        if w.reviewed:
            continue
        if w.reading is None:
            message = (f"no reading known for 「{w.text}」; type it: {{{w.text}|よみ}}")
        else:
            others = doubts(r.text, w)
            if not others:
                continue
            said = w.reading.replace(".", "")
            message = (f"「{w.text}」 may be read {'、'.join(others)} as well as {said} here; "
                       f"type the reading you mean: {{{w.text}|{said}}}")
        mark = where.inside(r.mark, w.text, r.text.count(w.text, 0, w.start))
        out.append(mark.warning(message, "reading"))
    return out
