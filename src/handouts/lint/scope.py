"""Scope of practice: no text may say that a 柔道整復師 needles.

By あはき法 第1条 only physicians and licensed はり師 needle for a living; a 柔道整復師 may use
ultrasound as observation for their own care, never needling without a はり師 licence
(content brief, practitioner decks). A sentence that names a 柔道整復師 and needling and
does not deny it is an error, in every spec, speaker notes included.
"""

from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Mark
from ..document import Document
from .japanese import sentences
from .where import Where

JUDO = re.compile(r"柔道整復|柔整")
NEEDLE = re.compile(r"鍼|刺鍼|はりを刺|はり治療|針を刺")
# what makes such a sentence say the opposite: a negation or a prohibition
DENIED = re.compile(r"ない|ません|ず[、。）]|ず$|禁|違法|なければ|以外")


def says_judo_needles(sentence: str) -> bool:
    return bool(JUDO.search(sentence) and NEEDLE.search(sentence)
                and not DENIED.search(sentence))


def check(doc: Document, where: Where) -> list[Diagnostic]:
    found: list[tuple[str, Mark]] = [(s.text, r.mark) for r in doc.texts()
                                     for s in sentences(r)]
    found += [n for sec in doc.sections for n in where.notes(sec)]
    return [mark.error(
        f"「{text[:30]}」 says a 柔道整復師 needles; by あはき法 第1条 only physicians and "
        "licensed はり師 needle. Say who does what: はり師 needle; a 柔道整復師 may use "
        "ultrasound to observe for their own care (not diagnosis) and does not needle "
        "without a はり師 licence", "scope")
        for text, mark in dict.fromkeys(found) if says_judo_needles(text)]
